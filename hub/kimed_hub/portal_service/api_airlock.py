"""The airlock's endpoints under ``api/v1/airlock/``: export requests, reviews, downloads.

Every rule (requester only, two independent checkers, blinding, allowlist, limits,
states) is the airlock library's (:mod:`kimed_hub.airlock`); these handlers map HTTP to
it. Files are read from the caller's own home (their home volume, never a path they
send): a request names files relative to the home.
"""

from __future__ import annotations

from ..airlock import CHECKER, ExportRequest
from ..airlock.reviews import visible_reviews
from ..errors import BadInput, NotFound, PermissionDenied, PortalError
from .api_base import API, ID, ApiHandler
from .auth import REVIEW_EXPORTS, SUBMIT_EXPORTS


class AirlockUnavailable(PortalError):
    """The portal runs without an airlock (no folder or home volumes configured)."""

    http_status = 503
    code = "airlock_unavailable"


def airlock_of(portal):
    """The portal's airlock, or a 503 that says how to configure it."""
    if getattr(portal, "airlock", None) is None:
        raise AirlockUnavailable(
            "The airlock is not configured in this portal (it needs --airlock-dir and the "
            "home volumes); ask the operators."
        )
    return portal.airlock


def export_summary(found: ExportRequest) -> dict:
    """A request in a list."""
    return {
        "id": found.request_id,
        "state": found.state,
        "requester": found.requester,
        "title": found.title,
        "files": [f.name for f in found.outputs],
        "predecessor": found.predecessor,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }


def export_detail(found: ExportRequest, viewer: str, allowed: list[str]) -> dict:
    """The whole request as ``viewer`` may see it: files with the automated checks cell by
    cell (rules and cell labels, never values), decisions, and the reviews that blinding
    lets them see."""
    return {
        **export_summary(found),
        "justification": found.justification,
        "sources": found.sources,
        "datasets": found.datasets,
        "thresholds": found.thresholds,
        "file_details": [
            {
                "file": entry.position,
                "name": entry.name,
                "role": entry.role,
                "type": entry.file_type,
                "kind": entry.kind,
                "size": entry.size,
                "sha256": entry.sha256,
                "check_status": entry.check_status,
                "findings": entry.findings,
                "decision": entry.decision,
                "rerun": entry.rerun,
                "releasable": entry.releasable,
                "released": entry in found.released,
            }
            for entry in found.files
        ],
        "reviews": [
            {"reviewer": r.reviewer, "at": r.submitted_at, "votes": r.votes, "comment": r.comment}
            for r in visible_reviews(found, viewer)
        ],
        "reviews_in": len(found.reviews),
        "allowed_actions": allowed,
    }


def allowed_actions(airlock, found: ExportRequest, actor) -> list[str]:
    """What ``actor`` can do with the request now (for buttons and clients)."""
    actions = []
    if actor.name == found.requester:
        actions += {
            "DRAFT": ["submit", "withdraw"],
            "IN_REVIEW": ["withdraw"],
            "CHANGES_REQUESTED": ["resubmit"],
            "APPROVED": ["release"],
        }.get(found.state, [])
    elif found in airlock.queue_for(actor):
        actions.append("review")
    return actions


class AirlockApiHandler(ApiHandler):
    """Shared: the airlock, the caller's view of a request, the caller's home."""

    @property
    def airlock(self):
        return airlock_of(self.portal)

    def detail(self, request_id: str) -> dict:
        actor = self.actor()
        found = self.airlock.visible(request_id, actor)
        return export_detail(found, actor.name, allowed_actions(self.airlock, found, actor))

    def home(self):
        """A reader of the caller's own home (their volume; nothing from the request)."""
        return self.portal.homes.reader(self.caller())


class ExportRequestsHandler(AirlockApiHandler):
    """``GET airlock/requests`` (own, or ``queue=1`` for output checkers);
    ``POST airlock/requests``: a new request from files in the caller's home."""

    async def get(self) -> None:
        params = self.params("queue")
        queue = self.choice(params, "queue", ("0", "1")) == "1"
        actor = self.actor()
        if queue:
            self.require(REVIEW_EXPORTS)
            found = await self.run(self.airlock.queue_for, actor)
        else:
            found = await self.run(self.airlock.list_for, actor.name)
        self.finish({"requests": [export_summary(r) for r in found]})

    async def post(self) -> None:
        self.params()
        self.require(SUBMIT_EXPORTS)
        fields = ("files", "justification", "title", "notebook", "sources", "submit")
        body = self.object_body(fields, required=("files", "justification"))
        for name in ("title", "notebook"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise BadInput(f"{name} must be text.")
        if body.get("sources") is not None and not isinstance(body["sources"], list):
            raise BadInput("sources must be a list of access-request ids.")
        created = await self.run(self._create, body)
        self.set_status(201)
        self.finish(await self.run(self.detail, created.request_id))

    def _create(self, body: dict) -> ExportRequest:
        actor = self.actor()
        created = self.airlock.create(
            actor,
            self.home(),
            body["files"],
            body["justification"],
            title=body.get("title") or "",
            notebook=body.get("notebook") or None,
            sources=body.get("sources"),
        )
        if body.get("submit", False) is True:
            return self.airlock.submit(created.request_id, actor)
        return created


class ExportRequestHandler(AirlockApiHandler):
    """``GET airlock/requests/{id}``: the request as the caller may see it."""

    async def get(self, request_id: str) -> None:
        self.params()
        self.finish(await self.run(self.detail, request_id))


class ExportActionHandler(AirlockApiHandler):
    """``POST airlock/requests/{id}/actions/{action}``: submit, withdraw, resubmit, release."""

    ACTIONS = ("submit", "withdraw", "resubmit", "release")

    async def post(self, request_id: str, action: str) -> None:
        self.params()
        actor = self.actor()
        await self.run(self.airlock.visible, request_id, actor)
        if action not in self.ACTIONS:
            raise NotFound(f"There is no action {action!r}; actions: {', '.join(self.ACTIONS)}.")
        body = self.object_body(("comment", "files", "justification"))
        found = await self.run(self._act, request_id, action, body)
        self.set_status(201 if found.request_id != request_id else 200)
        self.finish(await self.run(self.detail, found.request_id))

    def _act(self, request_id: str, action: str, body: dict) -> ExportRequest:
        actor, airlock = self.actor(), self.airlock
        if action == "submit":
            return airlock.submit(request_id, actor)
        if action == "withdraw":
            comment = body.get("comment", "")
            if not isinstance(comment, str):
                raise BadInput("comment must be text.")
            return airlock.withdraw(request_id, actor, comment)
        if action == "resubmit":
            return airlock.resubmit(
                request_id, actor, self.home(), body.get("files"), body.get("justification")
            )
        found = airlock.get(request_id)
        if found.requester != actor.name:
            raise PermissionDenied("only the requester can ask for a release to be retried")
        return airlock.release(request_id)


class ReviewsHandler(AirlockApiHandler):
    """``POST airlock/requests/{id}/reviews``: an output checker's review."""

    async def post(self, request_id: str) -> None:
        self.params()
        self.require(REVIEW_EXPORTS)
        body = self.object_body(("votes", "comment"), required=("votes",))
        comment = body.get("comment", "")
        actor = self.actor()
        await self.run(self.airlock.visible, request_id, actor)
        await self.run(self.airlock.review, request_id, actor, body["votes"], comment)
        self.finish(await self.run(self.detail, request_id))


class DownloadHandler(AirlockApiHandler):
    """``GET airlock/requests/{id}/download?file=N``: a released file, for its requester
    only (anyone else: 404); each download is an audit event."""

    async def get(self, request_id: str) -> None:
        params = self.params("file")
        position = self.whole_number(params, "file", -1, 0, 10_000)
        data, filename = await self.run(self._read, request_id, position)
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", f'attachment; filename="{_safe(filename)}"')
        self.finish(data)

    def _read(self, request_id: str, position: int) -> tuple[bytes, str]:
        actor = self.actor()
        try:
            found = self.airlock.get(request_id)
            name = next(f.name for f in found.files if f.position == position)
        except (NotFound, StopIteration):
            raise NotFound(f"there is no released file {position} in {request_id!r}") from None
        return self.airlock.download(request_id, name, actor)


class InspectHandler(AirlockApiHandler):
    """``GET airlock/requests/{id}/inspect?file=N``: a file's snapshot for an output checker
    who reviews the request (not the requester or their project; anyone else: 404), shown
    in the browser as its allowed type, sandboxed; each look is an audit event."""

    async def get(self, request_id: str) -> None:
        params = self.params("file")
        position = self.whole_number(params, "file", -1, 0, 10_000)
        data, content_type = await self.run(self._read, request_id, position)
        self.set_header("Content-Type", content_type)
        # The content is the researcher's: never run as a page of the portal's origin.
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'")
        self.set_header("Content-Disposition", "inline")
        self.finish(data)

    def _read(self, request_id: str, position: int) -> tuple[bytes, str]:
        try:
            found = self.airlock.get(request_id)
            entry = next(f for f in found.files if f.position == position)
        except (NotFound, StopIteration):
            raise NotFound(f"there is no file {position} in {request_id!r}") from None
        data, _name = self.airlock.inspect(request_id, entry.name, self.actor())
        kind = next(t for t in self.airlock.policy.file_types if t.name == entry.file_type)
        # Tables and text as plain text (a browser would offer CSV as a download).
        shown = kind.content if kind.content.startswith(("image/", "application/pdf")) else None
        return data, shown or "text/plain; charset=utf-8"


def _safe(filename: str) -> str:
    return "".join(c for c in filename if c.isalnum() or c in "._-") or "download"


class HomeListingHandler(AirlockApiHandler):
    """``GET airlock/home?path=``: the caller's home folder as the airlock sees it (links
    are shown as links and cannot be requested), for the file picker."""

    async def get(self) -> None:
        params = self.params("path")
        self.require(SUBMIT_EXPORTS)
        folder = params.get("path", "").strip("/")
        entries = await self.run(lambda: self.home().listing(folder))
        policy = self.airlock.policy
        for entry in entries:
            entry["requestable"] = entry["kind"] == "file" and bool(policy.file_type(entry["name"]))
        self.finish({"path": folder, "entries": entries})


ROUTES = [
    (API + "airlock/requests", ExportRequestsHandler),
    (API + f"airlock/requests/{ID}", ExportRequestHandler),
    (API + f"airlock/requests/{ID}/actions/{ID}", ExportActionHandler),
    (API + f"airlock/requests/{ID}/reviews", ReviewsHandler),
    (API + f"airlock/requests/{ID}/download", DownloadHandler),
    (API + f"airlock/requests/{ID}/inspect", InspectHandler),
    (API + "airlock/home", HomeListingHandler),
]

__all__ = ["CHECKER", "ROUTES", "airlock_of", "export_detail", "allowed_actions"]
