"""Dataclass records to JSON-ready data and back, with type checks, limits and normal form.

All portal records (datasets, algorithms, access applications) are plain dataclasses.
One generic converter turns them into JSON-ready data and back; it reports *every*
malformed field with its path (``distributions[2].access_url``) instead of the first, so
an API client sees all problems at once. Size limits and set-like list fields are
declared on the dataclass fields (``metadata``), so each record type states its own rules
and this module holds the only code that enforces them.
"""

from __future__ import annotations

import json
import types
from dataclasses import MISSING, fields, is_dataclass, replace
from dataclasses import field as dc_field
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from .errors import BadInput, TooLarge, ValidationFailed, Violation

T = TypeVar("T")

#: Longest text in a field without an explicit ``max_len`` (titles, names, URLs).
DEFAULT_MAX_LEN = 1_000
#: Most items in a list field without an explicit ``max_items``.
DEFAULT_MAX_ITEMS = 100
#: Largest record, as canonical JSON (the issue's "1 MB per record").
MAX_RECORD_BYTES = 1_000_000


def text(default: str = "", *, max_len: int = DEFAULT_MAX_LEN) -> Any:
    """A string field with a length limit."""
    return dc_field(default=default, metadata={"max_len": max_len})


def items(*, max_items: int = DEFAULT_MAX_ITEMS, as_set: bool = False) -> Any:
    """A list field with an item limit; ``as_set`` lists are kept sorted and de-duplicated."""
    return dc_field(default_factory=list, metadata={"max_items": max_items, "set": as_set})


# --- to data ------------------------------------------------------------------------------


def to_data(obj: Any) -> Any:
    """Convert a dataclass tree to JSON-ready data (dates as ISO strings)."""
    if isinstance(obj, str | int | float | bool | None):
        return obj
    names = _field_names(type(obj))
    if names is not None:
        return {name: to_data(getattr(obj, name)) for name in names}
    if isinstance(obj, list | tuple):
        return [to_data(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items()}
    if isinstance(obj, date | datetime):
        return obj.isoformat()
    return obj


@cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    # Cached per class: the converter runs for every nested value of every record.
    return tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None


def canonical_json(obj: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8): stable for hashing and storage."""
    data = to_data(obj)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- from data ----------------------------------------------------------------------------


def from_data(cls: type[T], data: Any, subject: str = "record") -> T:
    """Build a ``cls`` from JSON-ready data; raise BadInput listing every malformed field."""
    problems: list[Violation] = []
    obj = _build(cls, data, "", problems)
    if problems:
        lines = "; ".join(str(p) for p in problems[:50])
        raise BadInput(f"{subject} is malformed: {lines}")
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(cls: type, data: Any, path: str, problems: list[Violation]) -> Any:
    if isinstance(data, cls):  # already built (e.g. a UseCase passed to from_monai_bundle)
        return data
    if not isinstance(data, dict):
        problems.append(Violation(path or "record", "expected an object"))
        return None
    known = {f.name for f in fields(cls)}
    for unknown in sorted(set(data) - known):
        problems.append(Violation(_join(path, unknown), "unknown field"))
    kwargs = {}
    for f in fields(cls):
        where = _join(path, f.name)
        if f.name in data:
            kwargs[f.name] = _convert(_hints(cls)[f.name], data[f.name], where, problems)
        elif f.default is MISSING and f.default_factory is MISSING:
            problems.append(Violation(where, "is required"))
    if problems:
        return None
    return cls(**kwargs)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _convert(tp: Any, value: Any, path: str, problems: list[Violation]) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        tp, origin = options[0], get_origin(options[0])
    if is_dataclass(tp):
        return _build(tp, value, path, problems)
    if origin is list:
        if not isinstance(value, list):
            problems.append(Violation(path, "expected a list"))
            return []
        (item_type,) = get_args(tp)
        return [_convert(item_type, v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if origin is dict:
        return _convert_dict(tp, value, path, problems)
    return _convert_scalar(tp, value, path, problems)


def _convert_dict(tp: Any, value: Any, path: str, problems: list[Violation]) -> dict:
    if not isinstance(value, dict):
        problems.append(Violation(path, "expected an object"))
        return {}
    _, value_type = get_args(tp)
    return {str(k): _convert(value_type, v, f"{path}.{k}", problems) for k, v in value.items()}


def _convert_scalar(tp: Any, value: Any, path: str, problems: list[Violation]) -> Any:
    if tp in (date, datetime):
        return _parse_date(tp, value, path, problems)
    ok = {
        str: isinstance(value, str),
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float) and not isinstance(value, bool),
        Any: True,
    }.get(tp, False)
    if not ok:
        problems.append(Violation(path, f"expected {getattr(tp, '__name__', tp)}"))
        return None
    return float(value) if tp is float else value


def _parse_date(tp: type, value: Any, path: str, problems: list[Violation]) -> Any:
    if isinstance(value, tp):
        return value
    try:
        return tp.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append(Violation(path, f"expected an ISO {tp.__name__} (e.g. 2024-05-31)"))
        return None


# --- limits and normal form ---------------------------------------------------------------


def check_limits(obj: Any, subject: str = "record") -> None:
    """Raise TooLarge when any field, list or the whole record is over its limit."""
    problems: list[Violation] = []
    _walk_limits(obj, "", problems)
    size = len(canonical_json(obj).encode())
    if size > MAX_RECORD_BYTES:
        problems.append(Violation("record", f"{size} bytes; at most {MAX_RECORD_BYTES}"))
    if problems:
        lines = "; ".join(str(p) for p in problems[:50])
        raise TooLarge(f"{subject} is over the size limits: {lines}")


@cache
def _limits(cls: type) -> tuple[tuple[str, int, int], ...]:
    """(field name, max_len, max_items) per field of a dataclass, looked up once."""
    return tuple(
        (
            f.name,
            f.metadata.get("max_len", DEFAULT_MAX_LEN),
            f.metadata.get("max_items", DEFAULT_MAX_ITEMS),
        )
        for f in fields(cls)
    )


def _walk_limits(obj: Any, path: str, problems: list[Violation]) -> None:
    for name, max_len, max_items in _limits(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, str):
            if len(value) > max_len:
                where = _join(path, name)
                problems.append(Violation(where, f"{len(value)} characters; at most {max_len}"))
        elif isinstance(value, list):
            _list_limits(max_items, value, _join(path, name), problems)
        elif _field_names(type(value)) is not None:
            _walk_limits(value, _join(path, name), problems)


def _list_limits(limit: int, value: list, where: str, problems: list[Violation]) -> None:
    if len(value) > limit:
        problems.append(Violation(where, f"{len(value)} items; at most {limit}"))
    for i, item in enumerate(value):
        if isinstance(item, str) and len(item) > DEFAULT_MAX_LEN:
            problems.append(Violation(f"{where}[{i}]", f"longer than {DEFAULT_MAX_LEN}"))
        elif _field_names(type(item)) is not None:
            _walk_limits(item, f"{where}[{i}]", problems)


def normalised(obj: T) -> T:
    """A copy with surrounding blanks trimmed and set-like lists sorted and de-duplicated.

    RDF has no order for repeated properties, so the stored form must not depend on
    order either; otherwise an export → import round trip would not compare equal.
    """
    changes = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str):
            changes[f.name] = value.strip()
        elif is_dataclass(value):
            changes[f.name] = normalised(value)
        elif isinstance(value, list):
            value = [normalised(v) if is_dataclass(v) else _strip(v) for v in value]
            changes[f.name] = _dedupe_sorted(value) if f.metadata.get("set") else value
    return replace(obj, **changes)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _dedupe_sorted(values: list) -> list:
    # repr() is a stable, complete key for strings and (nested) dataclasses alike.
    keyed = {repr(v): v for v in values if v not in ("", None)}
    return [keyed[k] for k in sorted(keyed)]


def require(problems: list[Violation], subject: str) -> None:
    """Raise ValidationFailed when ``problems`` is not empty."""
    if problems:
        raise ValidationFailed(subject, problems)
