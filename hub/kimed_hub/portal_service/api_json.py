"""The API's JSON shapes: library objects in, JSON-ready dicts out (``openapi.yaml``
names each shape's schema). Only presentation here; every rule stays in the library.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from ..access import AccessRequest
from ..audit import AuditEntry, AuditReport
from ..catalogue import Dataset, SearchResult
from ..serde import to_data


def search_result(result: SearchResult) -> dict:
    """A page of hits with facet counts and the active filters (each with the query
    string that removes it, for filter chips)."""
    query = result.query
    return {
        "total": result.total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": result.pages,
        "hits": [
            {**to_data(hit), "not_for_inference": hit.not_for_inference} for hit in result.hits
        ],
        "facets": {name: to_data(values) for name, values in result.facets.items()},
        "active_filters": [
            {
                **to_data(chip),
                "remove": urlencode(query.without(chip.kind, chip.name, chip.value).to_params()),
            }
            for chip in result.active_filters
        ],
    }


def dataset(record: Dataset, synthetic_versions: list[str], algorithms: list[str], lang: str):
    """The record's JSON data plus what refers to it; ``display`` has the title and
    description in ``lang``; ``not_for_inference`` marks a synthetic version."""
    return {
        **to_data(record),
        "is_synthetic": record.is_synthetic,
        "not_for_inference": record.is_synthetic,
        "display": {
            "lang": lang,
            "title": getattr(record.title, lang),
            "description": getattr(record.description, lang),
        },
        "synthetic_versions": synthetic_versions,
        "algorithms": algorithms,
    }


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def request_summary(found: AccessRequest) -> dict:
    """A request in a list: enough for a row of "my requests" or a review queue."""
    return {
        "id": found.request_id,
        "state": found.state,
        "effective_state": found.effective_state(),
        "applicant": found.applicant,
        "title": found.title,
        "version": found.version,
        "datasets": list(found.application.data.datasets),
        "valid_from": _when(found.valid_from),
        "valid_until": _when(found.valid_until),
        "amends": found.amends,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }


def request_detail(found: AccessRequest, history: list[AuditEntry], allowed: list[str]) -> dict:
    """The whole request: application, conditions, comments (from its audit trail) and
    the actions the caller may take now."""
    comments = [
        {
            "at": entry.ts,
            "by": entry.actor,
            "action": entry.action.removeprefix("request."),
            "comment": entry.details["comment"],
        }
        for entry in history
        if entry.details.get("comment")
    ]
    return {
        **request_summary(found),
        "application": to_data(found.application),
        "conditions": found.conditions,
        "comments": comments,
        "allowed_actions": allowed,
    }


def audit_entry(entry: AuditEntry) -> dict:
    return to_data(entry)


def audit_report(report: AuditReport) -> dict:
    return {**to_data(report), "summary": str(report)}


def feasibility_answer(answer, policy) -> dict:
    """A feasibility answer (``interop.feasibility.Answer``) and the rules that shaped it."""
    return {
        "dataset": answer.dataset,
        "count": answer.shown,
        "suppressed": answer.suppressed,
        "remaining_queries": answer.remaining,
        "protection": {
            "min_count": policy.min_count,
            "round_to": policy.round_to,
            "noise": policy.noise,
            "quota_queries": policy.quota_queries,
            "quota_hours": policy.quota_hours,
        },
    }
