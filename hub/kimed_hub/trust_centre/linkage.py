"""Linking the persons of several holders' datasets into clusters, at the trust centre.

    method = check_linkable(store, datasets, policy)      # refuses before anything runs
    result = link_datasets(store, datasets, policy)

Every pair of datasets is linked with the method their deliveries allow: clear
identifiers from every holder -> probabilistic linkage (``probabilistic``, Splink), when
the policy allows it; Bloom-filter encodings from every holder, made with one shared
secret -> Dice matching (``bloom_match``). A mix of the two cannot be linked (the trust
centre cannot encode clear data with the holders' secret, nor decode an encoding), and
is refused with what each holder must deliver. Linked pairs join clusters (one person
each); a record no pair links stays a cluster of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from ..errors import BadInput
from .bloom_match import compatible, match_encodings
from .identifiers import LOCAL_ID
from .matching import Clusters
from .policy import TrustCentrePolicy
from .probabilistic import link_clear, shared_fields
from .store import BLOOM, CLEAR, TrustCentreStore

Record = tuple[str, str]  # (dataset, holder-local id)


@dataclass
class LinkResult:
    """A linkage run's clusters and what it found (counts only: no identifier)."""

    method: str
    representative: dict[Record, Record]
    records: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)

    def report(self) -> dict:
        """What the audit log and the API show about the run."""
        persons = len(set(self.representative.values()))
        return {"method": self.method, "records": self.records, "pairs": self.pairs,
                "persons": persons}  # fmt: skip


def check_linkable(store: TrustCentreStore, datasets: list[str], policy: TrustCentrePolicy) -> str:
    """The method that links ``datasets``; raise :class:`BadInput` saying what is missing."""
    if len(datasets) < 2:
        raise BadInput("a linkage needs at least two datasets")
    kinds = {dataset: store.kind(dataset) for dataset in datasets}
    missing = sorted(d for d, kind in kinds.items() if kind is None)
    if missing:
        raise BadInput(
            f"the trust centre holds no identifiers for {', '.join(missing)}: the holder must "
            "deliver them first (kimed trust-centre deliver, in clear or encoded)"
        )
    if set(kinds.values()) == {CLEAR}:
        if not policy.probabilistic_allowed:
            raise BadInput(
                "policies/trust-centre.yaml does not allow linking clear identifiers; the "
                "holders must deliver Bloom-filter encodings (kimed trust-centre encode)"
            )
        first = store.clear(datasets[0])
        for other in datasets[1:]:
            shared_fields(first, store.clear(other), list(policy.idat_fields))
        return "probabilistic"
    if set(kinds.values()) == {BLOOM}:
        first = store.encoded(datasets[0])
        for other in datasets[1:]:
            compatible(first, store.encoded(other))
        return "bloom"
    clear = sorted(d for d, k in kinds.items() if k == CLEAR)
    raise BadInput(
        f"{', '.join(clear)} delivered clear identifiers, the others Bloom-filter encodings: "
        "there is no shared key to link them; every holder must deliver encodings made "
        "with the same secret"
    )


def link_datasets(
    store: TrustCentreStore, datasets: list[str], policy: TrustCentrePolicy
) -> LinkResult:
    """Cluster the persons of ``datasets`` (each pair linked, clusters joined)."""
    method = check_linkable(store, datasets, policy)
    ids = {d: _ids(store, d, method) for d in datasets}
    clusters = Clusters()
    for dataset, local_ids in ids.items():
        for local in local_ids:
            clusters.add((dataset, local))
    result = LinkResult(method, {}, {d: len(v) for d, v in ids.items()})
    for a, b in combinations(datasets, 2):
        left, right = _pairs(store, a, b, method, policy)
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            clusters.join((a, ids[a][i]), (b, ids[b][j]))
        result.pairs[f"{a}~{b}"] = len(left)
    result.representative = clusters.canonical()
    return result


def _ids(store: TrustCentreStore, dataset: str, method: str) -> list[str]:
    if method == "bloom":
        return store.encoded(dataset).ids.tolist()
    return store.clear(dataset)[LOCAL_ID].tolist()


def _pairs(store, a: str, b: str, method: str, policy: TrustCentrePolicy):
    if method == "bloom":
        left, right, _ = match_encodings(store.encoded(a), store.encoded(b), policy.bloom_threshold)
        return left, right
    left, right, _ = link_clear(
        store.clear(a), store.clear(b), list(policy.idat_fields), policy.probabilistic_threshold
    )
    return left, right
