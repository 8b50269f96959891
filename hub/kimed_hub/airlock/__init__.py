"""The airlock: results leave the workbench only as reviewed export requests (no HTTP).

    airlock = ExportRequests(store, root)            # store: a catalogue.CatalogueStore
    request = airlock.create(actor, HomeReader(home), ["out/table.csv"], "why ...")
    airlock.submit(request.request_id, actor)        # automated checks (ACRO), to review
    airlock.review(request.request_id, checker, {"out/table.csv": "approve"})

Two independent output checkers decide per file; an approved request is released at
once; its requester downloads the released files. Every step is an event on the shared
audit log (``export:<id>``). See ``docs/airlock.md``.
"""

from .model import CheckStatus, Decision, ExportFile, ExportRequest, Review, State, Vote
from .reviews import CHECKER, REQUESTER
from .service import ExportRequests, ReleaseFailed
from .snapshot import HomeReader, UnsafeFile

__all__ = [
    "CHECKER",
    "REQUESTER",
    "CheckStatus",
    "Decision",
    "ExportFile",
    "ExportRequest",
    "ExportRequests",
    "HomeReader",
    "ReleaseFailed",
    "Review",
    "State",
    "UnsafeFile",
    "Vote",
]
