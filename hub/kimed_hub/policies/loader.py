"""Loading and schema validation of the reviewed policy files (``policies/*.yaml``,
``policies/seccomp.json``).

Every policy has a JSON schema next to it in ``policies/schemas/``. A file that is
missing, unreadable, or breaks its schema raises :class:`PolicyError` whose message names
the file, each offending field and what to do, and the hub refuses to start.

Policies are used as one set: whenever any file of the folder changes, every policy is
loaded, validated and built again and the rules across files are checked (a profile
raised above the security ceilings after start-up is refused at the next spawn, not
used). Until the whole set is valid again, every caller gets the :class:`PolicyError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    path = policy_path(name, directory)
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


def policy_path(name: str, directory: Path) -> Path:
    """``<name>.yaml``, or ``<name>.json`` for data kept in its runtime's own format."""
    json_path = directory / f"{name}.json"
    return json_path if json_path.exists() else directory / f"{name}.yaml"


def _read_yaml(path: Path) -> Any:  # JSON is YAML too

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


# Which policies are built into objects, and the checks across files; registered by the
# policy modules and the package's __init__ at import.
_BUILDERS: dict[str, Callable[[dict[str, Any]], Any]] = {}
_SET_CHECKS: list[Callable[[dict[str, Any]], None]] = []


def register(name: str, build: Callable[[dict[str, Any]], Any]) -> None:
    """Build policy ``name`` with ``build`` in every snapshot of the policy set."""
    if _BUILDERS.get(name) != build:  # bound classmethods are new objects, but equal
        _BUILDERS[name] = build
        _snapshot.cache_clear()


def register_set_check(check: Callable[[dict[str, Any]], None]) -> None:
    """Run ``check(built policies by name)`` on every snapshot; it raises PolicyError."""
    if check not in _SET_CHECKS:
        _SET_CHECKS.append(check)
        _snapshot.cache_clear()


def build_policy_set(directory: Path, names: tuple[str, ...]) -> dict[str, Any]:
    """Load and validate every file in ``names``, build the registered ones and run the
    checks across files: the policy set as one valid whole, or :class:`PolicyError`."""
    loaded = {name: load_policy(name, directory) for name in names}
    built = {name: build(loaded[name]) for name, build in _BUILDERS.items() if name in loaded}
    for check in _SET_CHECKS:
        check(built)
    return built


def cached_policy(name: str, directory: Path | None, build):
    """Policy ``name`` as built by ``build``, from a snapshot of the whole policy set.

    Spawners call this at every spawn so that a reviewed change applies to the next
    server without a hub restart, at the cost of a ``stat`` per file; a change anywhere
    rebuilds and re-checks the whole set first (see the module's docstring).
    """
    register(name, build)
    directory = directory or policies_dir()
    return _snapshot(directory, _stamp(directory))[name]


def _stamp(directory: Path) -> tuple:
    """What changes when any policy or schema file is edited, replaced or removed."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.json")])
    files += sorted((directory / "schemas").glob("*.json"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size, f.stat().st_ino) for f in files)


@lru_cache(maxsize=8)
def _snapshot(directory: Path, stamp: tuple) -> dict[str, Any]:
    from . import POLICY_FILES  # the package lists the files; it imports this module

    return build_policy_set(directory, POLICY_FILES)
