"""Feasibility questions about catalogue datasets, as the portal's page and API ask them.

    service = FeasibilityService(store, dataset_root())
    service.available("mii-demo")                     # a FHIR import is on this host
    answer = service.ask("alice", "mii-demo", {"criteria": [{"kind": "diagnosis", ...}]})

One function for every caller (page, REST API): the dataset must be in the catalogue
(404 otherwise) and be a FHIR import on this host (409 otherwise). The population counted
is the one a grant would mount today: for data with MII broad consent only the patients
whose consent permits the use ``policies/mii-consent.yaml`` declares for the dataset
(``consent.permitted_patients``, on today's date with every withdrawal known today); a
dataset with consent data that the policy does not cover is refused, as at mount time.
Criteria come as rows (``feasibility_rows``) or as phenotype definitions; the count is
protected, quota-limited and audited by :class:`~.feasibility.Feasibility` on the
portal's own database and audit log.

Loading the tables of 10^5 patients takes seconds, so the consented tables are kept in
memory per dataset until its import or the day changes (a few datasets at most).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path

from kimed_demos.phenotype.engine import ClinicalTables

from ..errors import BadInput, Conflict, NotFound
from .consent_mount import ConsentPolicyMissing, has_consent_data, required_policies
from .feasibility import Answer, Feasibility, FeasibilityPolicy, feasibility_secret
from .feasibility_rows import RowError, criteria_from_rows
from .table_files import MANIFEST

#: Body fields: rows (``criteria``) or definitions (the other three), plus the day.
DEFINITION_FIELDS = ("inclusion", "exclusion", "phenotypes")
FIELDS = ("criteria", *DEFINITION_FIELDS, "reference_date")
#: Datasets whose tables stay loaded (least recently asked about dropped first).
CACHED_DATASETS = 4


class NoFeasibilityData(Conflict):
    """The dataset has no FHIR import on this host, or its consent use is not declared."""

    code = "feasibility_unavailable"


def restrict(tables: ClinicalTables, kept: set[str], tag: str) -> ClinicalTables:
    """``tables`` with only the ``kept`` patients; the fingerprint names the population,
    so the noise changes only when the data or the consenting patients change."""
    population = hashlib.sha256("\n".join(sorted(kept)).encode()).hexdigest()
    return tables.subset(kept, f"{tag}:{population}")


def consented_tables(dataset: str, folder: Path, today: date, policies=None) -> ClinicalTables:
    """The dataset's tables restricted as a grant starting ``today`` would mount them."""
    tables = ClinicalTables.load(folder)
    if not has_consent_data(folder):
        return tables  # no consent resources: mounted as they are, counted as they are
    import pyarrow.parquet as pq

    from .consent import permitted_patients

    try:
        required = required_policies(dataset, policies)
    except ConsentPolicyMissing as error:
        raise NoFeasibilityData(f"No feasibility counts for {dataset}: {error}.") from None
    consent = pq.read_table(Path(folder) / "consent.parquet")
    everyone = tables.patients["patient_id"].astype(str).tolist()
    kept, _ = permitted_patients(consent, everyone, required, today, today)
    return restrict(tables, kept, f"consent={','.join(sorted(required))}@{today}")


class FeasibilityService:
    """Feasibility on the datasets under ``dataset_root``, audited in ``store``."""

    def __init__(
        self,
        store,
        dataset_root: Path,
        *,
        secret: bytes | None = None,
        policy: FeasibilityPolicy | None = None,
        policies: Path | None = None,
    ):
        self.store, self.root, self.policies = store, Path(dataset_root), policies
        self._secret, self._policy = secret, policy
        self._cache: OrderedDict[tuple, ClinicalTables] = OrderedDict()
        self._lock = threading.Lock()

    def available(self, dataset: str) -> bool:
        """Whether ``dataset`` has a FHIR import (with its manifest) on this host."""
        if Path(dataset).name != dataset or dataset.startswith("."):
            return False  # never a path outside the dataset root (or the views' folder)
        return (self.root / dataset / MANIFEST).is_file()

    def policy(self) -> FeasibilityPolicy:
        """The disclosure rules (read from policies/feasibility.yaml on first use)."""
        if self._policy is None:
            self._policy = FeasibilityPolicy.load(self.policies)
        return self._policy

    def ask(self, user: str, dataset: str, body: dict, today: date | None = None) -> Answer:
        """The protected count for ``body``'s criteria on ``dataset``; one audit event."""
        if not self.store.dataset_revision(dataset):  # not the whole record: 60 ms saved
            raise NotFound(f"there is no dataset {dataset!r} in the catalogue")
        criteria = request_criteria(body)
        tables = self.tables(dataset, today or date.today())
        if self._secret is None:
            self._secret = feasibility_secret()
        service = Feasibility(self.store, self._secret, self.policy())
        try:
            return service.count(user, dataset, tables, criteria)
        except ValueError as error:  # DefinitionError included: the criteria's problems
            raise BadInput(str(error)) from None

    def tables(self, dataset: str, today: date) -> ClinicalTables:
        """The consented tables of ``dataset`` for ``today`` (loaded once per import/day)."""
        if not self.available(dataset):
            raise NoFeasibilityData(
                f"Dataset {dataset} has no FHIR import on this workbench, so there is "
                "nothing to count; feasibility works on MII data imported with "
                "`kimed data import-fhir`."
            )
        folder = self.root / dataset
        manifest = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
        key = (dataset, manifest, today)
        with self._lock:  # one load per key, even when questions arrive together
            if key not in self._cache:
                self._cache[key] = consented_tables(dataset, folder, today, self.policies)
                while len(self._cache) > CACHED_DATASETS:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return self._cache[key]


def request_criteria(body: dict) -> dict:
    """Criteria from a request: rows (``criteria``) or definitions, not both."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise BadInput(f"Unknown field(s) {', '.join(unknown)}; this takes: {', '.join(FIELDS)}.")
    given = [name for name in DEFINITION_FIELDS if name in body]
    if ("criteria" in body) == bool(given):
        raise BadInput(
            "Give either criteria (a list of rows: kind, codes, min, max, unit, from, to, "
            "at_least, within_days, exclude) or inclusion/exclusion phenotype definitions."
        )
    if "criteria" in body:
        try:
            return criteria_from_rows(body["criteria"], body.get("reference_date"))
        except RowError as error:
            raise BadInput(str(error)) from None
    return {k: body[k] for k in (*given, "reference_date") if k in body}
