"""The trust centre's reviewed policy (``policies/trust-centre.yaml``), validated against
its schema each time it is used, failing closed: a missing or invalid file raises
:class:`~kimed_hub.policies.PolicyError` naming the field, and nothing is linked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..policies import load_policy

POLICY = "trust-centre"


@dataclass(frozen=True)
class TrustCentrePolicy:
    """What the trust centre may do and how."""

    local_id_column: str
    pseudonym_column: str
    idat_fields: tuple[str, ...]
    probabilistic_allowed: bool
    probabilistic_threshold: float
    bloom_threshold: float
    reason_min_length: int

    @property
    def removed_columns(self) -> frozenset[str]:
        """Columns no mounted table may have: the identifying fields and the holder id."""
        return frozenset({*self.idat_fields, self.local_id_column})


def trust_centre_policy(directory: Path | None = None) -> TrustCentrePolicy:
    """Load and validate ``policies/trust-centre.yaml``."""
    data = load_policy(POLICY, directory)
    linkage = data["linkage"]
    return TrustCentrePolicy(
        local_id_column=data["local_id_column"],
        pseudonym_column=data["pseudonym_column"],
        idat_fields=tuple(data["idat_fields"]),
        probabilistic_allowed=linkage["probabilistic"]["allowed"],
        probabilistic_threshold=float(linkage["probabilistic"]["threshold"]),
        bloom_threshold=float(linkage["bloom"]["threshold"]),
        reason_min_length=data["reidentification"]["reason_min_length"],
    )
