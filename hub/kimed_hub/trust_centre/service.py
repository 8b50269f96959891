"""The trust centre's actions, each on the portal's one audit log.

    centre = TrustCentre(catalogue_store, dataset_root)
    centre.check_activation(request)            # before a request is activated
    centre.link_project(request, actor)         # after: pseudonymised, linked tables
    centre.reidentify(actor, project, pseudonym, reason)

Only the trust-centre role may act here (``TRUSTEE``; the portal's API also requires the
scope ``custom:kimed:operate:trust-centre``), except that activating a request makes the
steward's activation link the project (the activation is the steward's decision; the
trust centre's rules decide how it is linked). Every linkage run is audited with its
counts (``trust-centre.link``), every issue of pseudonyms with how many
(``trust-centre.pseudonyms``), every re-identification with who, why and which
pseudonym (``trust-centre.reidentify``); identifiers never go to the log.
"""

from __future__ import annotations

from pathlib import Path

from .. import audit
from ..access.grants import holders_in, needs_linkage
from ..errors import BadInput, Conflict, NotFound, PermissionDenied
from . import TRUSTEE
from .identifiers import BIRTH_DATE, FAMILY_NAME, GIVEN_NAME, LOCAL_ID
from .linkage import check_linkable, link_datasets
from .policy import TrustCentrePolicy, trust_centre_policy
from .pseudonyms import project_key, pseudonym
from .store import CLEAR, TrustCentreStore
from .tables import write_linked

#: Clear identifier values checked for in every mounted column (besides local ids).
_VALUE_FIELDS = (GIVEN_NAME, FAMILY_NAME, BIRTH_DATE)


class TrustCentre:
    """The trust centre over the portal's database (audit, catalogue holders)."""

    def __init__(self, store, dataset_root: Path, files: TrustCentreStore | None = None,
                 policies: Path | None = None):  # fmt: skip
        self.store, self.dataset_root = store, Path(dataset_root)
        self.files = files or TrustCentreStore()
        self.policies = policies

    def policy(self) -> TrustCentrePolicy:
        """The reviewed policy, read now (fail closed)."""
        return trust_centre_policy(self.policies)

    def holders(self, datasets: list[str]) -> dict[str, str]:
        """Dataset -> holder, from the catalogue."""
        with self.store.db.read() as conn:
            return holders_in(conn, datasets)

    def needs_linkage(self, datasets: list[str]) -> bool:
        """Whether these datasets come from two or more holders."""
        return needs_linkage(self.holders(datasets))

    def check_activation(self, datasets: list[str]) -> None:
        """Refuse (before the activation) a multi-holder request that cannot be linked."""
        if self.needs_linkage(datasets):
            check_linkable(self.files, sorted(datasets), self.policy())

    def link_project(self, project: str, datasets: list[str], actor: str) -> dict:
        """Link ``datasets`` for ``project`` and write its pseudonymised tables; the report."""
        policy = self.policy()
        datasets = sorted(datasets)
        if not self.needs_linkage(datasets):
            raise BadInput(f"{project}: its datasets come from one holder; nothing to link")
        result = link_datasets(self.files, datasets, policy)
        key = project_key(self.files.key(), project)
        issued: dict[str, set[tuple[str, str]]] = {}

        def pseudonym_of(record: tuple[str, str]) -> str:
            name = pseudonym(key, result.representative.get(record, record))
            issued.setdefault(name, set()).add(record)
            return name

        write_linked(
            self.dataset_root, project, datasets, pseudonym_of, self._forbidden(datasets), policy
        )
        report = {**result.report(), "datasets": datasets, "pseudonyms": len(issued)}
        self.files.save_links(project, {p: sorted(map(list, r)) for p, r in issued.items()}, report)
        with self.store.db.write() as conn:
            audit.append_many(conn, [
                (actor, "trust-centre.link", f"request:{project}", result.report()),
                (actor, "trust-centre.pseudonyms", f"request:{project}",
                 {"issued": len(issued), "datasets": datasets}),
            ])  # fmt: skip
        return report

    def _forbidden(self, datasets: list[str]) -> set[str]:
        """Every identifier value no mounted column may hold."""
        values: set[str] = set()
        for dataset in datasets:
            if self.files.kind(dataset) == CLEAR:
                idat = self.files.clear(dataset)
                values |= set(idat[LOCAL_ID])
                for field in _VALUE_FIELDS:
                    if field in idat.columns:
                        values |= {v for v in idat[field] if len(v) >= 3}
            else:
                values |= set(self.files.encoded(dataset).ids.tolist())
        return values

    def relink(self, actor, request) -> dict:
        """Link an ACTIVE request again (after a failure, or a new delivery), as staff."""
        _require(actor)
        if request.state != "ACTIVE":
            raise Conflict(
                f"{request.request_id} is {request.state}; only ACTIVE requests are linked"
            )
        return self.link_project(
            request.request_id, list(request.application.data.datasets), actor.name
        )

    def report(self, actor, project: str) -> dict:
        """What the last linkage of ``project`` found (counts only)."""
        _require(actor)
        return self.files.project(project)["report"]

    def deliveries(self, actor) -> dict[str, str]:
        """Dataset -> kind of delivery, for every delivery held."""
        _require(actor)
        return self.files.deliveries()

    def reidentify(self, actor, project: str, name: str, reason: str) -> list[list[str]]:
        """The (dataset, holder-local id) records behind pseudonym ``name`` of ``project``,
        for the trust centre's staff only, with a reason; audited before it is answered."""
        _require(actor)
        minimum = self.policy().reason_min_length
        if len(reason.strip()) < minimum:
            raise BadInput(
                f"a re-identification needs a reason of at least {minimum} characters "
                "(who asked, on what grounds: it goes to the audit log)"
            )
        records = self.files.project(project)["links"].get(name)
        if records is None:
            raise NotFound(f"{project} has no pseudonym {name!r}")
        details = {"pseudonym": name, "reason": reason.strip(), "records": len(records)}
        with self.store.db.write() as conn:
            audit.append(conn, actor.name, "trust-centre.reidentify", f"request:{project}", details)
        return records


def _require(actor) -> None:
    if TRUSTEE not in actor.roles:
        raise PermissionDenied(f"only the trust centre's staff may do this; {actor.name} may not")
