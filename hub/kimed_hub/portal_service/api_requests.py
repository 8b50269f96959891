"""The access-request endpoints: own requests and review queues, the Five Safes
application, workflow actions (ending a grant stops its holders' servers), history.

Every rule (state, role, applicant-only, conflict of interest, comment needed) is the
portal library's; these handlers only map HTTP to its methods.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from ..access import Role
from ..errors import BadInput, NotFound, PermissionDenied
from . import api_json
from .api_base import API, ID, ApiHandler
from .enforcement import act

#: Longest comment an action takes (it is kept in the audit log for good).
MAX_COMMENT_CHARS = 10_000

#: action → (library method, body fields it takes → the method's keyword). Every rule
#: (state, role, applicant-only, conflict of interest, comment needed) is the library's.
ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "submit": ("submit", {}),
    "resubmit": ("resubmit", {"comment": "comment"}),
    "withdraw": ("withdraw", {"comment": "comment"}),
    "accept_conditions": ("accept_conditions", {}),
    "decline_conditions": ("decline_conditions", {"comment": "comment"}),
    "request_amendment": ("request_amendment", {}),
    "close": ("close", {"comment": "comment"}),
    "start_check": ("start_check", {}),
    "return": ("return_for_changes", {"comment": "comment"}),
    "reject": ("reject", {"comment": "comment"}),
    "forward": ("forward", {"comment": "comment"}),
    "comment": ("comment", {"comment": "comment"}),
    "decide": (
        "decide",
        {"decision": "outcome", "comment": "comment", "conditions": "conditions"},
    ),
    "activate": ("activate", {"valid_from": "start", "valid_until": "end"}),
    "revoke": ("revoke", {"comment": "comment"}),
}
#: Actions whose method needs a comment argument even when none was sent (the library
#: then says the comment is missing).
COMMENT_REQUIRED = {"return", "reject", "comment", "decide", "revoke"}


def _moment(value: Any, name: str, end_of_day: bool) -> datetime:
    """An ISO date-time with zone, or a date (its start, or its end for ``valid_until``)."""
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a date or date-time text, e.g. 2027-12-31.")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{name} {value!r} is not an ISO date or date-time.") from None
    if moment.tzinfo is None:
        raise BadInput(f"{name} {value!r} needs a time zone, e.g. 2027-12-31T23:59:59+00:00.")
    return moment


def action_arguments(action: str, body: dict) -> dict[str, Any]:
    """The library method's keyword arguments from the action's body fields."""
    fields = ACTIONS[action][1]
    args: dict[str, Any] = {"comment": ""} if action in COMMENT_REQUIRED else {}
    for field, keyword in fields.items():
        if field not in body:
            continue
        value = body[field]
        if field in ("valid_from", "valid_until"):
            args[keyword] = _moment(value, field, end_of_day=field == "valid_until")
            continue
        if not isinstance(value, str):
            raise BadInput(f"{field} must be text.")
        if len(value) > MAX_COMMENT_CHARS:
            raise BadInput(f"{field} is longer than {MAX_COMMENT_CHARS:,} characters.")
        args[keyword] = value
    if action == "decide":
        args.setdefault("outcome", "")
    return args


class RequestApiHandler(ApiHandler):
    """Shared by the request endpoints: find a request the caller may see."""

    def visible(self, request_id: str):
        """The request, or NotFound when it does not exist *or* the caller may not see
        it (the same answer, so ids reveal nothing; ``AccessRequests.get_for``)."""
        return self.portal.requests.get_for(request_id, self.actor())

    def detail(self, request_id: str) -> dict:
        workflow = self.portal.requests
        found = self.visible(request_id)
        allowed = workflow.allowed_actions(request_id, self.actor())
        return api_json.request_detail(found, workflow.history(request_id), allowed)


class RequestsHandler(RequestApiHandler):
    """``GET requests`` (own, or ``queue=1``: waiting for the caller's reviewer role);
    ``POST requests``: a new DRAFT."""

    async def get(self) -> None:
        params = self.params("queue")
        queue = self.choice(params, "queue", ("0", "1")) == "1"
        actor, workflow = self.actor(), self.portal.requests
        if not queue:
            found = await self.run(workflow.list_for, actor.name)
        elif actor.roles & {Role.STEWARD, Role.COMMITTEE}:
            found = await self.run(workflow.queue_for, actor)
        else:
            raise PermissionDenied(
                "queue=1 lists what waits for data stewards and committee members; your "
                "role is neither. Leave it out to list your own requests."
            )
        self.finish({"requests": [api_json.request_summary(r) for r in found]})

    async def post(self) -> None:
        self.params()
        body = self.object_body(("application",), required=("application",))
        if not isinstance(body["application"], dict):
            raise BadInput("application must be a JSON object (the Five Safes form).")
        workflow = self.portal.requests
        created = await self.run(workflow.create, self.actor(), body["application"])
        self.set_status(201)
        self.finish(await self.run(self.detail, created.request_id))


class RequestHandler(RequestApiHandler):
    """``GET requests/{id}``; ``PUT requests/{id}``: edit a DRAFT or RETURNED request."""

    async def get(self, request_id: str) -> None:
        self.params()
        self.finish(await self.run(self.detail, request_id))

    async def put(self, request_id: str) -> None:
        self.params()
        body = self.object_body(("application",), required=("application",))
        if not isinstance(body["application"], dict):
            raise BadInput("application must be a JSON object (the Five Safes form).")
        await self.run(self.visible, request_id)
        await self.run(self.portal.requests.edit, request_id, self.actor(), body["application"])
        self.finish(await self.run(self.detail, request_id))


class ActionHandler(RequestApiHandler):
    """``POST requests/{id}/actions/{action}``; ending a grant stops its holders' servers
    (``enforcement.act``, the same function the pages and the CLI use)."""

    async def post(self, request_id: str, action: str) -> None:
        self.params()
        await self.run(self.visible, request_id)
        if action not in ACTIONS:
            raise NotFound(f"There is no action {action!r}; actions: {', '.join(ACTIONS)}.")
        body = self.object_body(tuple(ACTIONS[action][1]))
        args = action_arguments(action, body)
        portal = self.portal
        outcome = await act(
            portal.requests, portal.grants, portal.hub, request_id, action, self.actor(), args
        )
        done = outcome.enforcement
        shown = outcome.request.request_id
        if shown != request_id:
            self.set_status(201)  # request_amendment: the new DRAFT
        self.finish(
            {
                **await self.run(self.detail, shown),
                "stopped_servers": done.stopped if done else [],
                "stop_failed": done.failed if done else [],
            }
        )


class HistoryHandler(RequestApiHandler):
    """``GET requests/{id}/history``: the request's audit entries."""

    async def get(self, request_id: str) -> None:
        self.params()
        entries = await self.run(self.portal.requests.history_for, request_id, self.actor())
        self.finish({"entries": [api_json.audit_entry(e) for e in entries]})


ROUTES = [
    (API + "requests", RequestsHandler),
    (API + f"requests/{ID}", RequestHandler),
    (API + f"requests/{ID}/actions/{ID}", ActionHandler),
    (API + f"requests/{ID}/history", HistoryHandler),
]
