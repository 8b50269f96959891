"""Loading and schema validation of the reviewed policy files (``policies/*.yaml``).

Every policy has a JSON schema next to it in ``policies/schemas/``. A file that is
missing, unreadable, or breaks its schema raises :class:`PolicyError` whose message names
the file, each offending field and what to do, and the hub refuses to start.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..paths import policies_dir

_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class PolicyError(ValueError):
    """A policy file is missing or invalid. The message lists every problem found."""


def load_policy(name: str, directory: Path | None = None) -> dict[str, Any]:
    """Load ``<directory>/<name>.yaml`` and validate it against ``schemas/<name>.schema.json``.

    Raises :class:`PolicyError` naming the file and every failing field.
    """
    directory = directory or policies_dir()
    path = directory / f"{name}.yaml"
    data = _read_yaml(path)
    schema = json.loads((directory / "schemas" / f"{name}.schema.json").read_text())
    problems = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if problems:
        lines = [f"  - {_field(e)}: {_explain(e)}" for e in problems]
        raise PolicyError(
            f"policy {path} is invalid, so the workbench will not start:\n"
            + "\n".join(lines)
            + f"\nFix the field(s) above (the schema is {directory / 'schemas' / name}"
            ".schema.json) and start again."
        )
    return data


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise PolicyError(
            f"policy file {path} is missing, so the workbench will not start. "
            "Restore it from the repository (git checkout -- policies/)."
        )
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy {path} is not valid YAML: {exc}") from exc


def _field(error: jsonschema.ValidationError) -> str:
    """The dotted name of the failing field; for a missing key, the key itself."""
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        # "'pids' is a required property" -> name the missing key, not its parent
        missing = error.message.split("'")[1]
        parts.append(missing)
    if error.validator == "additionalProperties":
        extra = error.message.split("'")[1] if "'" in error.message else "?"
        parts.append(extra)
    return "field '" + (".".join(parts) or "<top level>") + "'"


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "is required but missing"
    if error.validator == "additionalProperties":
        return "is not a known field (typo?)"
    if error.validator == "const":
        wanted, got = error.validator_value, error.instance
        return f"must be {wanted!r} (got {got!r}); relaxing it is not allowed"
    description = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    return f"{error.message}" + (f" ({description})" if description else "")


def parse_size(text: str) -> int:
    """``'4G'`` → bytes (binary units, as Docker and podman read them)."""
    return int(float(text[:-1]) * _UNITS[text[-1]])


def cached_policy(name: str, directory: Path | None, build):
    """``build(load_policy(name, directory))``, re-done only when the file changes.

    Spawners call this at every spawn so that a reviewed change applies to the next
    server without a hub restart, at the cost of one ``stat``.
    """
    directory = directory or policies_dir()
    path = directory / f"{name}.yaml"
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    return _cached(name, directory, mtime, build)


@lru_cache(maxsize=32)
def _cached(name: str, directory: Path, mtime_ns: int, build):
    return build(load_policy(name, directory))
