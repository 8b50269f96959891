"""The reviewed policy of closed exits (``policies/workspace-exits.yaml``), validated.

Runs in two places: inside the user's server (the image has PyYAML and jsonschema through
jupyter_events, but not the hub's ``kimed_hub`` package), and on the hub, whose loader
(``kimed_hub.policies``) validates the same file against the same schema and builds the
same :class:`ExitsPolicy`. Anything wrong raises :class:`ExitsPolicyError` naming the
file, each failing field and what to do; the server extension turns that into a refusal
to start (fail closed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Where the single-user image keeps the policy and its schema (Containerfile).
IMAGE_POLICY = Path("/opt/kimed/policies/workspace-exits.yaml")
SCHEMA_NAME = "workspace-exits.schema.json"
_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class ExitsPolicyError(ValueError):
    """The exits policy is missing or invalid; the message says which field and what to do."""


@dataclass(frozen=True)
class ExitsPolicy:
    """What the server lets out, in bytes and switches (see the YAML file for meanings)."""

    airlock_message: str
    max_read_notebook: int
    max_read_text: int
    max_read_binary: int
    binary_mimetypes: frozenset[str]
    max_upload: int
    iopub_msg_rate_limit: float
    iopub_data_rate_limit: float
    rate_limit_window: float
    max_message_size: int
    terminals_enabled: bool
    disabled_plugins: tuple[str, ...]
    settings_overrides: dict[str, dict[str, Any]]

    @classmethod
    def from_data(cls, data: dict[str, Any], source: str = "workspace-exits.yaml"):
        """Build from schema-valid data; check the rule the schema cannot express."""
        contents, output, lab = data["contents"], data["output"], data["lab"]
        reads = contents["max_read_size"]
        policy = cls(
            airlock_message=" ".join(data["airlock_message"].split()),
            max_read_notebook=parse_size(reads["notebook"]),
            max_read_text=parse_size(reads["text"]),
            max_read_binary=parse_size(reads["binary"]),
            binary_mimetypes=frozenset(contents["binary_mimetypes"]),
            max_upload=parse_size(contents["max_upload_size"]),
            iopub_msg_rate_limit=float(output["iopub_msg_rate_limit"]),
            iopub_data_rate_limit=float(output["iopub_data_rate_limit"]),
            rate_limit_window=float(output["rate_limit_window"]),
            max_message_size=parse_size(output["max_message_size"]),
            terminals_enabled=data["terminals"]["enabled"],
            disabled_plugins=tuple(lab["disabled_plugins"]),
            settings_overrides=lab["settings_overrides"],
        )
        # A notebook saved from JupyterLab (an "upload" to the API) must open again.
        if policy.max_upload > policy.max_read_notebook:
            raise ExitsPolicyError(
                f"policy {source} is invalid: field 'contents.max_upload_size' "
                f"({contents['max_upload_size']}) is larger than "
                f"'contents.max_read_size.notebook' ({reads['notebook']}), so a notebook "
                "saved from JupyterLab could not be opened again. Lower the upload size or "
                "raise the notebook read size."
            )
        return policy

    def read_limit(self, kind: str) -> int:
        """The read limit for ``notebook``, ``text`` or ``binary``."""
        return {
            "notebook": self.max_read_notebook,
            "text": self.max_read_text,
            "binary": self.max_read_binary,
        }[kind]


def parse_size(text: str) -> int:
    """``'32M'`` -> bytes (binary units, as the other policies write sizes)."""
    return int(float(text[:-1]) * _UNITS[text[-1]])


def load_exits_policy(path: Path | str = IMAGE_POLICY, schema: Path | None = None):
    """Read, validate and build the policy at ``path`` (schema: ``schemas/`` beside it)."""
    path = Path(path)
    schema = schema or path.parent / "schemas" / SCHEMA_NAME
    data = _read(path)
    try:
        rules = json.loads(schema.read_text())
    except (OSError, ValueError) as exc:
        raise ExitsPolicyError(
            f"schema {schema} of policy {path} is unreadable ({exc}); "
            "restore policies/schemas/ and rebuild the image."
        ) from exc
    problems = schema_problems(data, rules)
    if problems:
        raise ExitsPolicyError(
            f"policy {path} is invalid:\n"
            + "\n".join(f"  - {line}" for line in problems)
            + f"\nFix the field(s) above (schema: {schema})."
        )
    return ExitsPolicy.from_data(data, str(path))


def schema_problems(data: Any, schema: dict[str, Any]) -> list[str]:
    """Each schema violation as ``field 'a.b': what is wrong``, sorted by field."""
    import jsonschema  # here, so that importing this module needs no jsonschema

    lines = []
    for error in jsonschema.Draft202012Validator(schema).iter_errors(data):
        parts = [str(p) for p in error.absolute_path]
        if error.validator in ("required", "additionalProperties") and "'" in error.message:
            parts.append(error.message.split("'")[1])
        what = {
            "required": "is required but missing",
            "additionalProperties": "is not a known field (typo?)",
        }.get(error.validator, error.message)
        lines.append(f"field '{'.'.join(parts) or '<top level>'}': {what}")
    return sorted(lines)


def _read(path: Path) -> Any:
    import yaml

    if not path.is_file():
        raise ExitsPolicyError(
            f"policy file {path} is missing. It is part of the image "
            "(policies/workspace-exits.yaml); rebuild the image with `kimed image build`."
        )
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ExitsPolicyError(f"policy {path} is not valid YAML: {exc}") from exc
