"""The airlock's policy (``policies/airlock.yaml``): file types, limits, thresholds, reviews.

Loaded through the schema like every policy (fail closed). :meth:`AirlockPolicy.thresholds`
resolves the disclosure thresholds for a request: the strictest of the default, the tier
(data level) of each access request the data came from and each dataset's own entry.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .loader import cached_policy, parse_size


@dataclass(frozen=True)
class Thresholds:
    """ACRO's rules, named as ACRO names them in ``default.yaml`` (see policy comments)."""

    threshold: int
    p_ratio: float
    nk_n: int
    nk_k: float
    dof_threshold: int
    zeros_disclosive: bool
    missing_disclosive: bool

    def stricter(self, overrides: dict[str, Any]) -> Thresholds:
        """These thresholds tightened by ``overrides``: an override only ever makes a rule
        stricter (a looser per-dataset value cannot weaken the default)."""
        merged = {}
        for field in fields(self):
            mine, theirs = getattr(self, field.name), overrides.get(field.name)
            merged[field.name] = mine if theirs is None else _strictest(field.name, mine, theirs)
        return replace(self, **merged)


def _strictest(name: str, mine: Any, theirs: Any) -> Any:
    # Larger is stricter for every number except nk_k (the share the top n may hold) and
    # nk_n (fewer dominant contributors allowed); True is stricter for the booleans.
    if isinstance(mine, bool):
        return mine or theirs
    if name in ("nk_k", "nk_n"):
        return min(mine, theirs)
    return max(mine, theirs)


@dataclass(frozen=True)
class FileType:
    """One allowed file type: its extensions, sniffed content type, kind and size limit."""

    name: str
    extensions: tuple[str, ...]
    content: str
    kind: str
    max_size: int
    manual_review: bool


@dataclass(frozen=True)
class AirlockPolicy:
    """The whole airlock policy, parsed."""

    reviews_required: int
    max_files: int
    max_total_size: int
    justification_min: int
    justification_max: int
    file_types: tuple[FileType, ...]
    table_max_rows: int
    count_columns: tuple[str, ...]
    default: Thresholds
    tiers: dict[str, dict[str, Any]]
    datasets: dict[str, dict[str, Any]]
    rerun_timeout: int
    rerun_tolerance: float

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> AirlockPolicy:
        request, disclosure = data["request"], data["disclosure"]
        types = tuple(
            FileType(
                name,
                tuple(spec["extensions"]),
                spec["content"],
                spec["kind"],
                parse_size(spec["max_size"]),
                spec["manual_review"],
            )
            for name, spec in data["file_types"].items()
        )
        return cls(
            reviews_required=data["reviews_required"],
            max_files=request["max_files"],
            max_total_size=parse_size(request["max_total_size"]),
            justification_min=request["justification_min_chars"],
            justification_max=request["justification_max_chars"],
            file_types=types,
            table_max_rows=data["tables"]["max_rows"],
            count_columns=tuple(c.lower() for c in data["tables"]["count_columns"]),
            default=Thresholds(**disclosure["default"]),
            tiers=disclosure["tiers"],
            datasets=disclosure["datasets"],
            rerun_timeout=data["rerun"]["timeout"],
            rerun_tolerance=data["rerun"]["relative_tolerance"],
        )

    def file_type(self, filename: str) -> FileType | None:
        """The allowed type ``filename``'s extension names (case-insensitive), or None."""
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        for kind in self.file_types:
            if suffix in kind.extensions:
                return kind
        return None

    def allowed_extensions(self) -> list[str]:
        """Every allowed extension, sorted (for messages and the file picker)."""
        return sorted(ext for kind in self.file_types for ext in kind.extensions)

    def thresholds(self, tiers: list[str] = (), datasets: list[str] = ()) -> Thresholds:
        """The strictest thresholds for data of these tiers (data levels) and datasets."""
        result = self.default
        for tier in tiers:
            result = result.stricter(self.tiers.get(tier, {}))
        for dataset in datasets:
            result = result.stricter(self.datasets.get(dataset, {}))
        return result


def airlock_policy(directory: Path | None = None) -> AirlockPolicy:
    """The current airlock policy (re-read when the file changes; invalid: PolicyError)."""
    return cached_policy("airlock", directory, AirlockPolicy.from_policy)
