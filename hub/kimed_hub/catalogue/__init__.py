"""The catalogue: HealthDCAT-AP dataset and algorithm records, RDF in and out, SHACL
validation and faceted search (no HTTP here; the portal service serves it).

    store = CatalogueStore("sqlite:///catalogue.sqlite")      # or a PostgreSQL URL
    load_demo_catalogue(store)
    store.search(SearchQuery(text="lunge", facets={"modality": ("CT",)}))

The access workflow (:mod:`kimed_hub.access`) and the audit log (:mod:`kimed_hub.audit`)
share its database (:mod:`kimed_hub.database`). See ``docs/portal.md``.
"""

from .algorithm import Algorithm, Metric, TensorSpec, UseCase, from_monai_bundle
from .demo import load_demo_catalogue
from .generated import generate_datasets
from .model import Dataset
from .rdf_io import dump_records, load_records
from .search import SearchQuery, SearchResult
from .store import CatalogueStore

__all__ = [
    "Algorithm",
    "CatalogueStore",
    "Dataset",
    "Metric",
    "SearchQuery",
    "SearchResult",
    "TensorSpec",
    "UseCase",
    "dump_records",
    "from_monai_bundle",
    "generate_datasets",
    "load_demo_catalogue",
    "load_records",
]
