"""Canned answers in the API contract's shapes (docs: common contract, docs/portal.md).

Records and applications are made by the portal library itself (``serde.to_data`` of the
tests' sample records), so their field names are the real ones; the search page is
written out by hand after the contract.
"""

from __future__ import annotations

from kimed_hub.serde import to_data
from tests.portal import samples


def hit(identifier: str, title: str, synthetic: bool = False, **extra) -> dict:
    return {
        "identifier": identifier,
        "title": title,
        "summary": f"Fictional. {title}.",
        "access_rights": "PUBLIC" if synthetic else "RESTRICTED",
        "is_synthetic": synthetic,
        "not_for_inference": synthetic,
        "number_of_individuals": 4210,
        "min_age": 40,
        "max_age": 85,
        "time_start": "2016-01-01",
        "time_end": None,
        "modified": "2025-02-14",
        "facets": {"modality": ["CT"]},
        **extra,
    }


def facet_value(value: str, label: str, count: int, selected: bool = False) -> dict:
    return {"value": value, "label": label, "count": count, "selected": selected}


def search_page(total: int = 2, page: int = 1, pages: int = 1, chips=()) -> dict:
    return {
        "total": total,
        "page": page,
        "page_size": 10,
        "pages": pages,
        "hits": [
            hit("ct-thorax-test", "Chest CT lung nodules (fictional)"),
            hit("ct-thorax-test-synth", "Chest CT lung nodules synthetic", synthetic=True),
        ],
        "facets": {
            "modality": [facet_value("CT", "Computed tomography", 2), facet_value("MR", "MRI", 0)],
            "access_rights": [facet_value("RESTRICTED", "restricted", 1)],
        },
        "active_filters": list(chips),
    }


def record(synthetic: bool = False) -> dict:
    source = samples.dataset()
    data = to_data(samples.synthetic(source) if synthetic else source)
    data["synthetic_versions"] = [] if synthetic else ["ct-thorax-test-synth"]
    data["algorithms"] = ["lung-nodule-detector"]
    return data


def request_summary(request_id: str = "AR-000001", state: str = "DRAFT", **extra) -> dict:
    """A request as ``GET requests`` lists it."""
    return {
        "id": request_id,
        "state": state,
        "effective_state": state,
        "applicant": "alice",
        "title": "Rundherd-Detektion",
        "version": 1,
        "datasets": ["ct-thorax-test"],
        "valid_from": None,
        "valid_until": None,
        "amends": None,
        "created_at": "2025-03-01T10:00:00+00:00",
        "updated_at": "2025-03-01T10:05:00+00:00",
        **extra,
    }


def access_request(request_id: str = "AR-000001", state: str = "DRAFT") -> dict:
    """A request as ``GET requests/{id}`` and the write endpoints answer."""
    return {
        **request_summary(request_id, state),
        "application": to_data(samples.application()),
        "conditions": "",
        "comments": [],
        "allowed_actions": ["edit", "submit", "withdraw"] if state == "DRAFT" else ["withdraw"],
    }
