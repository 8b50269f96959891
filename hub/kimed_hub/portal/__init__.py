"""KIMed Portal core: catalogue, search, access requests, audit (no HTTP here).

The hub's portal service (a Tornado service under the hub) wraps this library in REST
handlers; the spawner calls :meth:`AccessRequests.active_grants` at each spawn to mount
``/data/<dataset>`` read-only. See ``docs/portal.md``.

    store = CatalogueStore("sqlite:///catalogue.sqlite")      # or a PostgreSQL URL
    load_demo_catalogue(store)
    store.search(SearchQuery(text="lunge", facets={"modality": ("CT",)}))
    requests = AccessRequests(store)
    requests.active_grants("alice")
    verify_audit_log(store)
"""

from .access import AccessRequests
from .access_rows import AccessRequest, Grant
from .algorithm import Algorithm, Metric, TensorSpec, UseCase, from_monai_bundle
from .application import Application
from .audit import AuditEntry, AuditReport, verify_audit_log
from .demo import load_demo_catalogue
from .errors import (
    BadInput,
    Conflict,
    ConflictOfInterest,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    PortalError,
    TooLarge,
    ValidationFailed,
    Violation,
)
from .generated import generate_datasets
from .model import Dataset
from .rdf_io import dump_records, load_records
from .search import SearchQuery, SearchResult
from .store import CatalogueStore
from .workflow import Actor, Role, State

__all__ = [
    "AccessRequest",
    "AccessRequests",
    "Actor",
    "Algorithm",
    "Application",
    "AuditEntry",
    "AuditReport",
    "BadInput",
    "CatalogueStore",
    "Conflict",
    "ConflictOfInterest",
    "Dataset",
    "Grant",
    "IllegalTransition",
    "Metric",
    "NotFound",
    "PermissionDenied",
    "PortalError",
    "Role",
    "SearchQuery",
    "SearchResult",
    "State",
    "TensorSpec",
    "TooLarge",
    "UseCase",
    "ValidationFailed",
    "Violation",
    "dump_records",
    "from_monai_bundle",
    "generate_datasets",
    "load_demo_catalogue",
    "load_records",
    "verify_audit_log",
]
