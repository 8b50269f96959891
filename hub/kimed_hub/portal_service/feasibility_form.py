"""The feasibility form on a dataset's page: its rows, their parsing and its German words.

A researcher fills up to :data:`ROWS` criterion rows (kind, codes, value range and unit,
time window, "at least N times within D days", include or exclude) and a reference day
for ages. :func:`parse_form` turns the posted fields into the rows the library takes
(``interop.feasibility_rows``), which checks them again with the API's rules; here only
the form's own text (numbers with a decimal comma, empty rows) is handled.
"""

from __future__ import annotations

#: Criterion rows the form offers (a question may use fewer).
ROWS = 5
#: The row kinds in the form's order, with their labels (German in GERMAN).
KIND_LABELS = {
    "diagnosis": "Diagnosis (ICD-10-GM)",
    "procedure": "Procedure (OPS)",
    "lab": "Lab value (LOINC)",
    "medication": "Medication (ATC)",
    "age": "Age (years)",
}
NUMBERS = ("min", "max")
WHOLE_NUMBERS = ("at_least", "within_days")
TEXTS = ("unit", "from", "to")
FIELDS = ("kind", "exclude", "codes", *NUMBERS, *TEXTS, *WHOLE_NUMBERS)

#: German for the section's own words (page_views.GERMAN includes them).
GERMAN = {
    "Feasibility": "Machbarkeitsanfrage",
    "How many patients meet your criteria? No access grant is needed; the count is "
    "protected (small counts are not shown, others are rounded and slightly perturbed) "
    "and every question is logged.": (
        "Wie viele Patientinnen und Patienten erfüllen Ihre Kriterien? Ein Datenzugang ist "
        "nicht nötig; die Zahl ist geschützt (kleine Zahlen werden nicht gezeigt, andere "
        "gerundet und leicht verrauscht) und jede Anfrage wird protokolliert."
    ),
    "Only patients whose broad consent permits this dataset's use are counted.": (
        "Gezählt werden nur Personen, deren Broad Consent die Nutzung dieses Datensatzes erlaubt."
    ),
    "Criterion": "Kriterium",
    "Kind": "Art",
    "not used": "nicht verwendet",
    "Codes": "Codes",
    "E11* means every code starting with E11": "E11* bedeutet alle Codes, die mit E11 beginnen",
    "Exclude": "Ausschließen",
    "Value from": "Wert ab",
    "Value up to": "Wert bis",
    "Unit": "Einheit",
    "Events from": "Ereignisse ab",
    "Events up to": "Ereignisse bis",
    "At least (times)": "Mindestens (mal)",
    "within (days)": "innerhalb von (Tagen)",
    "Ages on": "Alter am",
    "Count patients": "Personen zählen",
    "Patients meeting the criteria": "Personen, die die Kriterien erfüllen",
    "fewer than the smallest count shown": "weniger als die kleinste gezeigte Zahl",
    "questions left in this period": "Anfragen in diesem Zeitraum übrig",
    "The question was not answered": "Die Anfrage wurde nicht beantwortet",
    "Diagnosis (ICD-10-GM)": "Diagnose (ICD-10-GM)",
    "Procedure (OPS)": "Prozedur (OPS)",
    "Lab value (LOINC)": "Laborwert (LOINC)",
    "Medication (ATC)": "Medikation (ATC)",
}


def field_name(row: int, name: str) -> str:
    """The form field of ``name`` in row ``row`` (1-based), e.g. ``f2_codes``."""
    return f"f{row}_{name}"


def _number(text: str, where: str, problems: list[str], whole: bool = False):
    """A number typed with a decimal point or comma; whole numbers as int."""
    cleaned = text.strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        problems.append(f"{where}: {text!r} is not a number")
        return None
    if whole:
        if not value.is_integer():
            problems.append(f"{where}: {text!r} is not a whole number")
            return None
        return int(value)
    return int(value) if value.is_integer() else value


def _row(values: dict[str, str], row: int, problems: list[str]) -> dict | None:
    """One row as the library's criterion (None: the row is not used)."""
    kind = values.get(field_name(row, "kind"), "").strip()
    if not kind:
        return None
    criterion: dict = {"kind": kind}
    where = f"criterion {row}"
    codes = values.get(field_name(row, "codes"), "")
    parts = [c.strip() for c in codes.replace(";", ",").replace("\n", ",").split(",")]
    if any(parts):
        criterion["codes"] = [c for c in parts if c]
    for name in (*NUMBERS, *WHOLE_NUMBERS):
        text = values.get(field_name(row, name), "").strip()
        if text:
            criterion[name] = _number(text, f"{where} {name}", problems, name in WHOLE_NUMBERS)
    for name in TEXTS:
        text = values.get(field_name(row, name), "").strip()
        if text:
            criterion[name] = text
    if values.get(field_name(row, "exclude")):
        criterion["exclude"] = True
    return criterion


def parse_form(values: dict[str, str]) -> tuple[dict, list[str]]:
    """The API body (``criteria`` rows and ``reference_date``) and the form's problems."""
    problems: list[str] = []
    rows = [r for i in range(1, ROWS + 1) if (r := _row(values, i, problems)) is not None]
    body: dict = {"criteria": rows}
    if values.get("reference_date", "").strip():
        body["reference_date"] = values["reference_date"].strip()
    if not rows:
        problems.append("choose the kind of at least one criterion")
    return body, problems
