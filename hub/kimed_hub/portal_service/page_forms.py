"""The access-request form: its fields grouped by the Five Safes, and form ⇄ application.

The form is data (:data:`SECTIONS`); the template draws it and :func:`parse_form` reads it
back into the JSON-ready application that :class:`~kimed_hub.access.AccessRequests`
checks. Whatever was typed is kept as typed (``values``), so a page that shows errors
never loses input. Fields marked ``required`` are the ones ``submit`` needs
(``application.submission_problems``); drafts may leave them empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..access import Application
from ..access.application import DATA_LEVELS
from ..catalogue.vocab import vocabularies
from ..errors import Violation
from ..serde import to_data


@dataclass(frozen=True)
class Field:
    """One form field: its path in the application (``project.title``) and how it looks.

    ``kind``: text, email, textarea, date, number, checkbox, select or lines (one value
    per line, a list in the application).
    """

    path: str
    label: str
    kind: str = "text"
    required: bool = False
    help: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @property
    def html_id(self) -> str:
        """The input's ``id`` (labels and error messages point at it)."""
        return "f-" + self.path.replace(".", "-")


@dataclass(frozen=True)
class Section:
    """One of the Five Safes: a fieldset with a heading and an explanation."""

    key: str
    title: str
    intro: str
    fields: tuple[Field, ...]


def _legal_bases(article: str) -> tuple[tuple[str, str], ...]:
    vocab = vocabularies()
    codes = [c for c in vocab.codes("legal-basis") if c.startswith(f"GDPR-A{article}-")]
    return (("", "— choose —"),) + tuple((c, vocab.label("legal-basis", c, "en")) for c in codes)


LEVELS = (("", "— choose —"),) + tuple((level, level.replace("-", " ")) for level in DATA_LEVELS)
#: What each team member row asks for (``people.members.<i>.<name>``).
MEMBER_FIELDS = (
    Field("username", "Workbench username", required=True),
    Field("name", "Name", required=True),
    Field("institution", "Institution", required=True),
    Field("email", "E-mail", "email"),
)
SECTIONS = (
    Section(
        "people",
        "Safe people",
        "Who will see the data. You are the applicant; add every team member who will "
        "work with the data in the workbench (each must accept the data use terms).",
        (
            Field("people.applicant.name", "Your name", required=True),
            Field("people.applicant.email", "Your e-mail", "email", required=True),
            Field("people.applicant.institution", "Institution", required=True),
            Field("people.applicant.ror", "Institution's ROR URL", help="https://ror.org/..."),
            Field("people.applicant.orcid", "ORCID iD", help="0000-0002-1825-0097"),
            Field("people.applicant.role", "Your role in the project"),
            Field("people.applicant.training_completed", "Data protection training on", "date"),
        ),
    ),
    Section(
        "project",
        "Safe project",
        "What the data are for: the purpose decides what may be granted.",
        (
            Field("project.title", "Project title", required=True),
            Field("project.acronym", "Acronym"),
            Field("project.lay_summary", "Lay summary", "textarea", required=True),
            Field("project.aims", "Aims", "textarea", required=True),
            Field("project.methods", "Methods", "textarea", required=True),
            Field("project.funder", "Funder"),
            Field("project.start", "Project start", "date", required=True),
            Field("project.end", "Project end", "date", required=True),
            Field("project.keywords", "Keywords", "lines", help="one per line"),
            Field("project.publication_plan", "Publication plan", "textarea"),
            Field(
                "project.commercial_interest", "The project has a commercial interest", "checkbox"
            ),
        ),
    ),
    Section(
        "data",
        "Safe data",
        "Which datasets, how identifying, and on which legal basis.",
        (
            Field(
                "data.datasets",
                "Datasets",
                "lines",
                required=True,
                help="catalogue identifiers, one per line",
            ),
            Field("data.variables", "Variables needed", "lines", help="one per line; empty: all"),
            Field("data.level", "Data level", "select", required=True, options=LEVELS),
            Field(
                "data.legal_basis",
                "Legal basis (GDPR Art. 6)",
                "select",
                True,
                "",
                _legal_bases("6"),
            ),
            Field(
                "data.special_category_condition",
                "Condition for health data (GDPR Art. 9)",
                "select",
                help="needed for record-level data",
                options=_legal_bases("9"),
            ),
            Field("data.minimisation", "Data minimisation", "textarea", required=True),
            Field("data.inclusion_criteria", "Inclusion criteria", "textarea"),
            Field("data.ethics.existing", "An ethics committee has voted", "checkbox"),
            Field("data.ethics.committee", "Ethics committee"),
            Field("data.ethics.number", "Vote number"),
            Field("data.ethics.date", "Vote date", "date"),
        ),
    ),
    Section(
        "settings",
        "Safe settings",
        "The data stay in the KIMed Workbench; say what your analysis needs there.",
        (
            Field("settings.gpu", "The analysis needs a GPU", "checkbox"),
            Field("settings.cpu_cores", "CPU cores", "number"),
            Field("settings.memory_gb", "Memory (GB)", "number"),
            Field("settings.notes", "Notes", "textarea"),
        ),
    ),
    Section(
        "outputs",
        "Safe outputs",
        "What leaves the workbench, how it is checked, and when the data are destroyed.",
        (
            Field("outputs.expected_outputs", "Expected outputs", "textarea", required=True),
            Field("outputs.disclosure_control", "Disclosure control", "textarea", required=True),
            Field("outputs.retention_until", "Keep the data until", "date", required=True),
            Field("outputs.destruction_method", "Destruction method", required=True),
        ),
    ),
)
FIELDS = {f.path: f for section in SECTIONS for f in section.fields}
TERMS = "terms.applicant"
#: Empty member rows the form always offers (more after saving).
SPARE_MEMBER_ROWS = 2
_MEMBER = re.compile(r"^people\.members\.(\d{1,2})\.(\w+)$")


def member_rows(values: dict[str, str]) -> int:
    """How many team member rows the form shows for ``values``."""
    used = [int(m.group(1)) for key in values if (m := _MEMBER.match(key))]
    return (max(used) + 1 if used else 0) + SPARE_MEMBER_ROWS


def form_values(app: Application) -> dict[str, str]:
    """An application as the form's values (path → text as typed)."""
    data = to_data(app)
    values = {}
    for path, spec in FIELDS.items():
        value = _get(data, path)
        if spec.kind == "checkbox":
            values[path] = "on" if value else ""
        elif spec.kind == "lines":
            values[path] = "\n".join(value or [])
        else:
            values[path] = "" if value is None else str(value)
    accepted = set(app.terms_accepted_by)
    values[TERMS] = "on" if app.people.applicant.username in accepted else ""
    for i, member in enumerate(data["people"]["members"]):
        for spec in MEMBER_FIELDS:
            values[f"people.members.{i}.{spec.path}"] = member.get(spec.path) or ""
        values[f"people.members.{i}.terms"] = "on" if member["username"] in accepted else ""
    return values


def parse_form(values: dict[str, str], username: str) -> tuple[dict, list[Violation]]:
    """The application data for ``values`` (as typed) and the fields that are malformed.

    Only what a form can get wrong is checked here (dates, numbers); every rule of the
    application itself is the portal library's (``AccessRequests.create``/``edit``).
    """
    data: dict = {}
    problems: list[Violation] = []
    for path, spec in FIELDS.items():
        raw = values.get(path, "").strip()
        value = _field_value(spec, raw, problems)
        if value is not None:
            _put(data, path, value)
    members, accepted = _members(values), [username] if values.get(TERMS) else []
    accepted += [m["username"] for i, m in members if values.get(f"people.members.{i}.terms")]
    _put(data, "people.members", [m for _, m in members])
    _put(data, "people.applicant.username", username)
    data["terms_accepted_by"] = [name for name in accepted if name]
    return data, problems


def _field_value(spec: Field, raw: str, problems: list[Violation]):
    if spec.kind == "checkbox":
        return bool(raw)
    if not raw:
        return None
    if spec.kind == "lines":
        return [line.strip() for line in re.split(r"[\n,]", raw) if line.strip()]
    if spec.kind == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            problems.append(Violation(spec.path, f"{raw!r} is not a date like 2025-01-31"))
            return None
    if spec.kind == "number":
        if not raw.isdigit() or len(raw) > 6:
            problems.append(Violation(spec.path, f"{raw!r} is not a whole number"))
            return None
        return int(raw)
    return raw


def _members(values: dict[str, str]) -> list[tuple[int, dict]]:
    rows = []
    for i in range(member_rows(values)):
        row = {
            spec.path: values.get(f"people.members.{i}.{spec.path}", "").strip()
            for spec in MEMBER_FIELDS
        }
        if any(row.values()):
            rows.append((i, {k: v for k, v in row.items() if v}))
    return rows


def error_key(violation: Violation) -> str:
    """The form value a violation belongs to (``people.members[0].name`` →
    ``people.members.0.name``; unknown paths stay as they are)."""
    return re.sub(r"\[(\d+)\]", r".\1", violation.field)


def errors_by_field(problems: list[Violation]) -> dict[str, str]:
    """Messages per form value (several for one field are joined)."""
    errors: dict[str, str] = {}
    for problem in problems:
        key = error_key(problem)
        errors[key] = f"{errors[key]}; {problem.message}" if key in errors else problem.message
    return errors


def _get(data: dict, path: str):
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _put(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value
