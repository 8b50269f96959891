"""Loading ``policies/synthesis.yaml``: the methods a job may use and the thresholds every
synthetic table is measured against.

The engine runs inside the single-user image, where the hub's policy loader is not
installed, so this module validates the file itself with the same rule: the JSON schema
lies in ``schemas/synthesis.schema.json`` next to the policy file (as in ``policies/``),
and a missing or invalid file or schema stops the job (fail closed, exit 2). Nothing
falls back to built-in defaults.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .spec import SynthesisInputError

SCHEMA_NAME = "synthesis.schema.json"


def load_policy(path: Path) -> dict[str, Any]:
    """The validated policy at ``path``; :class:`SynthesisInputError` names every problem."""
    import jsonschema
    import yaml

    path = Path(path)
    schema_path = path.parent / "schemas" / SCHEMA_NAME
    for needed in (path, schema_path):
        if not needed.is_file():
            raise SynthesisInputError(
                f"synthesis policy file {needed} is missing; mount policies/synthesis.yaml "
                f"with its schema at schemas/{SCHEMA_NAME} beside it"
            )
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise SynthesisInputError(f"synthesis policy {path} is not valid YAML: {exc}") from exc
    schema = json.loads(schema_path.read_text())
    problems = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if problems:
        listed = "; ".join(
            f"{'.'.join(map(str, e.absolute_path)) or '<top level>'}: {e.message}" for e in problems
        )
        raise SynthesisInputError(
            f"synthesis policy {path} is invalid ({listed}); fix it against {schema_path}"
        )
    return data


def method_settings(policy: dict[str, Any], method: str) -> dict[str, Any]:
    """The policy's entry for ``method``, or an error listing the allowed methods."""
    methods = policy["methods"]
    if method not in methods:
        raise SynthesisInputError(
            f"unknown synthesis method {method!r}; the policy allows: {', '.join(sorted(methods))}"
        )
    return methods[method]
