"""Phenotype definitions in the TOP style, read from reviewed YAML and checked fail-closed.

Kinds (exactly one per phenotype): ``single`` (codes of one resource type, with value
range and unit, period, or for patients age and gender), ``derived`` (a formula over other
phenotypes' values), ``count`` (at least N events of a single phenotype, optionally within
D days), and ``all_of`` / ``any_of`` / ``not`` (nested combinations). Every problem is
collected and raised together as :class:`DefinitionError`: unknown keys, kinds or
resources, an unknown code system or malformed code, a reference to a phenotype that does
not exist, and cycles (``a -> b -> a``). The example is
``demonstrators/kimed_demos/phenotype/definitions/cardiometabolic.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .codes import code_problem, resolve_system
from .formula import FormulaError, parse_formula

RESOURCES = {
    "condition": "condition",
    "observation": "observation",
    "procedure": "procedure",
    "medication_statement": "medication_statement",
    "medication_administration": "medication_administration",
    "patient": "patient",
}
KINDS = ("single", "derived", "count", "all_of", "any_of", "not")
AGGREGATES = ("last", "first", "min", "max", "mean")
RANGE_KEYS = {"min", "max", "below", "above", "unit"}


class DefinitionError(ValueError):
    """Definitions that cannot be evaluated; the message lists every problem."""


@dataclass(frozen=True)
class Phenotype:
    """One checked phenotype: its id, title, kind and that kind's specification."""

    id: str
    title: str
    kind: str
    spec: Any
    uses: tuple[str, ...] = ()  # the phenotypes it refers to


@dataclass
class Definitions:
    """A checked set of phenotypes and the day ages are computed on."""

    phenotypes: dict[str, Phenotype]
    reference_date: date = field(default_factory=date.today)
    title: str = ""


def _refs(expression: Any, found: list[str]) -> list[str]:
    """Every phenotype id an all_of/any_of/not expression names."""
    if isinstance(expression, str):
        found.append(expression)
    elif isinstance(expression, list):
        for part in expression:
            _refs(part, found)
    elif isinstance(expression, dict):
        for part in expression.values():
            _refs(part, found)
    return found


def _check_expression(expression: Any, where: str, problems: list[str]) -> None:
    if isinstance(expression, str):
        return
    if isinstance(expression, dict) and len(expression) == 1:
        ((key, value),) = expression.items()
        if key in ("all_of", "any_of") and isinstance(value, list) and value:
            for part in value:
                _check_expression(part, where, problems)
            return
        if key == "not":
            _check_expression(value, where, problems)
            return
    problems.append(
        f"{where}: {expression!r} is not a phenotype id or one of "
        "all_of: [...], any_of: [...], not: ..."
    )


def _check_range(spec: dict, where: str, problems: list[str]) -> None:
    for key in set(spec) - RANGE_KEYS:
        problems.append(f"{where}.{key}: unknown key (use {', '.join(sorted(RANGE_KEYS))})")
    for key in set(spec) & (RANGE_KEYS - {"unit"}):
        if not isinstance(spec[key], (int, float)) or isinstance(spec[key], bool):
            problems.append(f"{where}.{key}: must be a number")


SINGLE_KEYS = {"resource", "codes", "value", "period", "age", "gender"}


def _check_codes(spec: Any, where: str, problems: list[str]) -> dict | None:
    if not isinstance(spec, dict) or "system" not in spec:
        problems.append(f"{where}: needs system and codes and/or prefixes")
        return None
    try:
        system = resolve_system(str(spec["system"]))
    except ValueError as error:
        problems.append(f"{where}.system: {error}")
        return None
    codes = [str(c) for c in spec.get("codes", [])]
    prefixes = [str(p) for p in spec.get("prefixes", [])]
    if not codes and not prefixes:
        problems.append(f"{where}: give codes and/or prefixes")
    for code in codes:
        why = code_problem(system, code)
        if why:
            problems.append(f"{where}.codes: {why}")
    return {"system": system, "codes": tuple(codes), "prefixes": tuple(prefixes)}


def _check_single(spec: Any, where: str, problems: list[str]) -> dict:
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a mapping")
        return {}
    for key in set(spec) - SINGLE_KEYS:
        problems.append(f"{where}.{key}: unknown key (use {', '.join(sorted(SINGLE_KEYS))})")
    resource = spec.get("resource")
    if resource not in RESOURCES:
        problems.append(f"{where}.resource: {resource!r} is not one of {', '.join(RESOURCES)}")
    out = {
        "resource": resource,
        "value": spec.get("value", {}),
        "period": spec.get("period", {}),
        "age": spec.get("age", {}),
        "gender": tuple(spec.get("gender", ())),
    }
    if resource == "patient":
        _check_range(out["age"], f"{where}.age", problems)
    elif resource in RESOURCES:
        out["codes"] = _check_codes(spec.get("codes"), f"{where}.codes", problems)
        _check_range(out["value"], f"{where}.value", problems)
    out["period"] = _check_period(out["period"], f"{where}.period", problems)
    return out


def _check_period(spec: Any, where: str, problems: list[str]) -> dict:
    """``from``/``to`` as dates (YAML gives dates, JSON gives ISO text: both accepted)."""
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a mapping with from and/or to")
        return {}
    for key in set(spec) - {"from", "to"}:
        problems.append(f"{where}.{key}: unknown key (use from, to)")
    days = {}
    for key in {"from", "to"} & set(spec):
        days[key] = _day(spec[key], f"{where}.{key}", problems)
    return {k: v for k, v in days.items() if v is not None}


def _day(value: Any, where: str, problems: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _check_derived(spec: Any, where: str, problems: list[str]) -> dict:
    if not isinstance(spec, dict) or not isinstance(spec.get("variables"), dict):
        problems.append(f"{where}: needs formula and variables (name: phenotype id)")
        return {"variables": {}}
    try:
        formula = parse_formula(str(spec.get("formula", "")), set(spec["variables"]))
    except FormulaError as error:
        problems.append(f"{where}.formula: {error}")
        formula = None
    aggregate = spec.get("aggregate", "last")
    if aggregate not in AGGREGATES:
        problems.append(f"{where}.aggregate: {aggregate!r} is not one of {', '.join(AGGREGATES)}")
    _check_range(spec.get("value", {}), f"{where}.value", problems)
    return {
        "formula": formula,
        "variables": dict(spec["variables"]),
        "aggregate": aggregate,
        "value": spec.get("value", {}),
    }


def _check_count(spec: Any, where: str, problems: list[str]) -> dict:
    if not isinstance(spec, dict) or not isinstance(spec.get("of"), str):
        problems.append(f"{where}: needs of (a single phenotype) and at_least")
        return {"of": None}
    at_least, within = spec.get("at_least", 1), spec.get("within_days")
    if not isinstance(at_least, int) or at_least < 1:
        problems.append(f"{where}.at_least: must be a whole number of at least 1")
    if within is not None and (not isinstance(within, int) or within < 0):
        problems.append(f"{where}.within_days: must be a whole number of days")
    return {"of": spec["of"], "at_least": at_least, "within_days": within}


def _phenotype(ident: str, entry: Any, problems: list[str]) -> Phenotype | None:
    where = f"phenotype {ident}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    kinds = [k for k in entry if k in KINDS]
    for key in set(entry) - set(KINDS) - {"title"}:
        problems.append(f"{where}.{key}: unknown key (kinds: {', '.join(KINDS)})")
    if len(kinds) != 1:
        problems.append(f"{where}: needs exactly one of {', '.join(KINDS)} (found {kinds})")
        return None
    kind, raw = kinds[0], entry[kinds[0]]
    if kind == "single":
        spec, uses = _check_single(raw, where, problems), []
    elif kind == "derived":
        spec = _check_derived(raw, where, problems)
        uses = list(spec["variables"].values())
    elif kind == "count":
        spec = _check_count(raw, where, problems)
        uses = [spec["of"]] if spec["of"] else []
    else:
        spec = {kind: raw}
        _check_expression(spec, where, problems)
        uses = _refs(raw, [])
    return Phenotype(ident, str(entry.get("title", ident)), kind, spec, tuple(uses))


def _check_links(found: dict[str, Phenotype], problems: list[str]) -> None:
    for p in found.values():
        for used in p.uses:
            if used not in found:
                problems.append(f"phenotype {p.id}: refers to unknown phenotype {used!r}")
        if p.kind == "count" and p.spec["of"] in found and found[p.spec["of"]].kind != "single":
            problems.append(
                f"phenotype {p.id}: count needs a single phenotype, "
                f"{p.spec['of']} is {found[p.spec['of']].kind}"
            )
    cycle = find_cycle(found)
    if cycle:
        problems.append("phenotypes refer to each other in a cycle: " + " -> ".join(cycle))


def find_cycle(found: dict[str, Phenotype]) -> list[str] | None:
    """A cycle of references (``[a, b, a]``) or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(ident: str, path: list[str]) -> list[str] | None:
        if state.get(ident) == 1:
            return path[path.index(ident) :] + [ident]
        if state.get(ident) == 2 or ident not in found:
            return None
        state[ident] = 1
        for used in found[ident].uses:
            cycle = visit(used, path + [ident])
            if cycle:
                return cycle
        state[ident] = 2
        return None

    for ident in sorted(found):
        cycle = visit(ident, [])
        if cycle:
            return cycle
    return None


def parse_definitions(data: Any, source: str = "definitions") -> Definitions:
    """Checked definitions from parsed YAML/JSON data; DefinitionError lists all problems."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("phenotypes"), dict):
        raise DefinitionError(f"{source}: needs a mapping with phenotypes: {{id: ...}}")
    found = {}
    for ident, entry in data["phenotypes"].items():
        phenotype = _phenotype(str(ident), entry, problems)
        if phenotype:
            found[phenotype.id] = phenotype
    _check_links(found, problems)
    reference = _day(data.get("reference_date") or date.today(), "reference_date", problems)
    if problems:
        raise DefinitionError(f"{source}: refused:\n" + "\n".join(f"  - {p}" for p in problems))
    return Definitions(found, reference, str(data.get("title", "")))


def load_definitions(path: Path) -> Definitions:
    """Definitions from a YAML file (see the module's docstring)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path}: not valid YAML: {error}") from error
    return parse_definitions(data, str(path))
