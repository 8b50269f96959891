"""Feasibility criteria as simple rows (what the portal page and the widget compose).

    criteria_from_rows([
        {"kind": "diagnosis", "codes": ["E11*"], "from": "2020-01-01"},
        {"kind": "lab", "codes": ["4548-4"], "min": 6.5, "unit": "%", "at_least": 2,
         "within_days": 365},
        {"kind": "age", "min": 50},
        {"kind": "medication", "codes": ["A10*"], "exclude": True},
    ], reference_date="2024-12-31")

Each row is one criterion: a kind (which resource types and which code system), codes
(``E11*`` is every code starting with ``E11``), an optional value range and unit (lab
values; for ``age`` the age in years on the reference date), a time window (``from`` /
``to``, inclusive days) and optionally "at least N times within D days". ``exclude``
makes it an exclusion criterion. The rows become phenotype definitions (the engine's
language, ``kimed_demos.phenotype.defs``), which ``feasibility.cohort_definitions``
checks fail-closed; this module only checks the rows' own shape, naming the row and the
field.
"""

from __future__ import annotations

from typing import Any

#: Row kinds: the resource types searched and the code system of their codes.
KINDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "diagnosis": (("condition",), "icd-10-gm"),
    "procedure": (("procedure",), "ops"),
    "lab": (("observation",), "loinc"),
    "medication": (("medication_statement", "medication_administration"), "atc"),
    "age": (("patient",), None),
}
ROW_KEYS = {"kind", "codes", "min", "max", "unit", "from", "to", "at_least", "within_days"}
ROW_KEYS |= {"exclude"}
#: Most rows one question may have: each is evaluated over every patient.
MAX_ROWS = 12
MAX_CODES = 50


class RowError(ValueError):
    """Rows that do not describe criteria; the message names the row and the field."""


def _number(row: dict, key: str, where: str, problems: list[str]) -> float | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{where}.{key}: must be a number, got {value!r}")
        return None
    return value


def _whole(row: dict, key: str, where: str, problems: list[str], low: int) -> int | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        problems.append(f"{where}.{key}: must be a whole number of at least {low}")
        return None
    return value


def _codes(row: dict, system: str, where: str, problems: list[str]) -> dict | None:
    raw = row.get("codes")
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
        problems.append(f"{where}.codes: give a list of {system} codes (E11* for a prefix)")
        return None
    if len(raw) > MAX_CODES:
        problems.append(f"{where}.codes: at most {MAX_CODES} codes per row")
    cleaned = [c.strip() for c in raw if c.strip()]
    codes = [c for c in cleaned if not c.endswith("*")]
    prefixes = [c[:-1] for c in cleaned if c.endswith("*") and len(c) > 1]
    if not codes and not prefixes:
        problems.append(f"{where}.codes: give at least one code")
    return {"system": system, "codes": codes, "prefixes": prefixes}


def _single(row: dict, resource: str, system: str | None, where: str, problems: list[str]):
    """The single phenotype of one row on one resource type."""
    spec: dict[str, Any] = {"resource": resource}
    bounds = {k: _number(row, k, where, problems) for k in ("min", "max")}
    bounds = {k: v for k, v in bounds.items() if v is not None}
    if system is None:
        if not bounds:
            problems.append(f"{where}: an age criterion needs min and/or max (years)")
        spec["age"] = bounds
        return spec
    spec["codes"] = _codes(row, system, where, problems)
    unit = str(row.get("unit") or "").strip()
    if bounds or unit:
        spec["value"] = {**bounds, **({"unit": unit} if unit else {})}
    window = {k: str(row[k]) for k in ("from", "to") if row.get(k)}
    if window:
        spec["period"] = window
    return spec


def _row(row: Any, index: int, problems: list[str]) -> tuple[dict, bool]:
    """The phenotypes of one row (its own id last) and whether it excludes."""
    where = f"criteria[{index}]"
    if not isinstance(row, dict):
        problems.append(f"{where}: must be an object with kind, codes, ...")
        return {}, False
    for key in sorted(set(row) - ROW_KEYS):
        problems.append(f"{where}.{key}: unknown field (use {', '.join(sorted(ROW_KEYS))})")
    kind = row.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
        return {}, False
    resources, system = KINDS[kind]
    at_least = _whole(row, "at_least", where, problems, 1)
    within = _whole(row, "within_days", where, problems, 0)
    if within is not None and at_least is None:
        problems.append(f"{where}.within_days: give at_least too (at least N times within D days)")
    if at_least is not None and kind == "age":
        problems.append(f"{where}.at_least: an age criterion cannot be counted")
    ident, found, parts = f"c{index + 1}", {}, []
    for resource in resources:
        single = f"{ident}_{resource}"
        found[single] = {"single": _single(row, resource, system, where, problems)}
        if at_least is not None and kind != "age":
            found[f"{single}_n"] = {
                "count": {"of": single, "at_least": at_least, "within_days": within}
            }
            single = f"{single}_n"
        parts.append(single)
    found[ident] = {"any_of": parts}
    return found, row.get("exclude") is True


def criteria_from_rows(rows: Any, reference_date: str | None = None) -> dict:
    """Feasibility criteria (``inclusion``, ``exclusion``, ``phenotypes``) from rows;
    RowError lists every problem. At least one row must include."""
    if not isinstance(rows, list) or not rows:
        raise RowError("criteria: give a list of at least one criterion row")
    if len(rows) > MAX_ROWS:
        raise RowError(f"criteria: at most {MAX_ROWS} rows per question (got {len(rows)})")
    problems: list[str] = []
    criteria: dict[str, Any] = {"inclusion": {}, "exclusion": {}, "phenotypes": {}}
    for index, row in enumerate(rows):
        found, exclude = _row(row, index, problems)
        if not found:
            continue
        ident = f"c{index + 1}"
        criteria["exclusion" if exclude else "inclusion"][ident] = found.pop(ident)
        criteria["phenotypes"].update(found)
    if not problems and not criteria["inclusion"]:
        problems.append("criteria: at least one row must include (exclude: false)")
    if problems:
        raise RowError("criteria refused:\n" + "\n".join(f"  - {p}" for p in problems))
    if reference_date:
        criteria["reference_date"] = str(reference_date)
    return criteria
