"""The portal's REST API under ``/services/portal/api/v1/`` (documented in openapi.yaml).

Each handler maps to one method of the portal library; the library checks the rules and
raises :class:`~kimed_hub.portal.PortalError` subclasses, which the base handler turns
into 4xx JSON answers. Library calls block (SQLAlchemy, SHACL), so they run in worker
threads (:meth:`ApiHandler.run`) and the service keeps answering meanwhile.

Every answer is JSON, errors included: an API client is never redirected to a login
page (401 when no credential came, 403 when the caller's role gives no access).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ..portal import (
    BadInput,
    NotFound,
    PermissionDenied,
    PortalError,
    Role,
    SearchQuery,
    verify_audit_log,
)
from ..portal.serde import to_data
from . import api_json
from .auth import READ_AUDIT, READ_CATALOGUE, ROLE_SCOPES, WRITE_CATALOGUE, PortalHandler
from .enforcement import ended_grants, stop_servers_of

API = "api/v1/"
OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")
#: Longest comment an action takes (it is kept in the audit log for good).
MAX_COMMENT_CHARS = 10_000
#: RDF formats and their media types (export and import).
RDF_TYPES = {"turtle": "text/turtle", "json-ld": "application/ld+json"}


class NotLoggedIn(PortalError):
    """No hub credential came with the request."""

    http_status = 401
    code = "not_authenticated"


class UnsupportedMediaType(PortalError):
    """The body's Content-Type is not one the endpoint reads."""

    http_status = 415
    code = "unsupported_media_type"


class ApiHandler(PortalHandler):
    """JSON in, JSON out; the caller is identified before any handler method runs."""

    def check_xsrf_cookie(self) -> None:
        """Tornado checks XSRF before ``prepare``, before anyone asked the hub who calls;
        :meth:`prepare` checks it once the caller is known (asking the hub synchronously
        from here blocks forever on cookie logins)."""

    async def prepare(self) -> None:
        # Ask the hub without blocking the event loop; the answer is cached on the handler,
        # so current_user below (synchronous) reads it from there.
        await self.hub_auth.get_user(self, sync=False)
        if self.current_user is None:
            if getattr(self, "_cached_hub_user", None):
                raise PermissionDenied(
                    "Your role gives no access to the portal (it needs "
                    "access:services!service=portal). Ask the workbench's administrators."
                )
            self.set_header("WWW-Authenticate", "token")
            raise NotLoggedIn(
                "Log in to the workbench first, or send 'Authorization: token <your hub "
                "token>' (in a notebook: $JUPYTERHUB_API_TOKEN)."
            )
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Browsers (the portal's cookie) must send X-XSRFToken with every change;
            # token-authenticated calls are exempt (JupyterHub's own rule).
            self.hub_auth.check_xsrf_cookie(self)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Tornado's own errors (XSRF, unknown method, crashes) as JSON too."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(error, "log_message", None) or self._reason
        if status_code >= 500:
            message = "The portal failed to answer; the error is in its log. Try again later."
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": f"http_{status_code}", "message": message}))

    async def run(self, function, *args, **kwargs) -> Any:
        """A blocking library call in a worker thread."""
        return await asyncio.to_thread(function, *args, **kwargs)

    # --- query parameters -----------------------------------------------------------------
    def query_lists(self) -> dict[str, list[str]]:
        """All query parameters as text lists (400 for bytes that are not UTF-8)."""
        try:
            return {
                name: [value.decode("utf-8") for value in values]
                for name, values in self.request.query_arguments.items()
            }
        except UnicodeDecodeError:
            raise BadInput("Query parameters must be UTF-8 text.") from None

    def params(self, *allowed: str) -> dict[str, str]:
        """The query parameters, each at most once and each one this endpoint takes."""
        given = self.query_lists()
        unknown = sorted(set(given) - set(allowed))
        if unknown:
            takes = ", ".join(allowed) if allowed else "none"
            raise BadInput(
                f"Unknown query parameter(s): {', '.join(unknown)}; this takes: {takes}."
            )
        repeated = sorted(name for name, values in given.items() if len(values) > 1)
        if repeated:
            raise BadInput(f"Give each of these query parameters once: {', '.join(repeated)}.")
        return {name: values[0] for name, values in given.items()}

    def choice(self, params: dict[str, str], name: str, options: tuple[str, ...]) -> str:
        """One of ``options`` (the first is the default)."""
        value = params.get(name) or options[0]
        if value not in options:
            raise BadInput(f"{name} must be one of {', '.join(options)}; got {value!r}.")
        return value

    @staticmethod
    def whole_number(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
        raw = params.get(name, "")
        if raw == "":
            return default
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise BadInput(f"{name} must be a whole number from {low} to {high}; got {raw!r}.")
        return int(raw)

    # --- bodies --------------------------------------------------------------------------
    def object_body(self, allowed: tuple[str, ...], *, required: tuple[str, ...] = ()) -> dict:
        """The body as a JSON object with only ``allowed`` keys (no body: ``{}``)."""
        data = self.json_body() if required or self.request.body.strip() else {}
        if not isinstance(data, dict):
            raise BadInput("The request body must be a JSON object.")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise BadInput(
                f"Unknown field(s) {', '.join(unknown)}; this takes: {', '.join(allowed)}."
            )
        missing = [name for name in required if name not in data]
        if missing:
            raise BadInput(f"Missing field(s): {', '.join(missing)}.")
        return data

    def caller(self) -> str:
        return self.current_user["name"]

    def record_put(self, identifier: str, kind: str) -> tuple[dict, int | None]:
        """A PUT's record (its identifier the URL's) and ``expected_revision``, if given."""
        params = self.params("expected_revision")
        expected = None
        if "expected_revision" in params:
            expected = self.whole_number(params, "expected_revision", 0, 0, 2**31 - 1)
        record = self.json_body()
        if not isinstance(record, dict):
            raise BadInput(f"The request body must be {kind} record (a JSON object).")
        if record.setdefault("identifier", identifier) != identifier:
            raise BadInput(
                f"The record's identifier {record['identifier']!r} differs from the URL's "
                f"{identifier!r}; to rename, create the new record and delete the old one."
            )
        return record, expected

    def written(self, identifier: str, existed: bool, revision: int) -> None:
        """Answer a PUT: 201 for a new record, 200 for a replaced one."""
        self.set_status(200 if existed else 201)
        self.finish({"identifier": identifier, "revision": revision})


class MeHandler(ApiHandler):
    """``GET me``: who the portal thinks the caller is and what they may do."""

    def get(self) -> None:
        self.params()
        actor = self.actor()
        self.finish(
            {
                "name": actor.name,
                "roles": sorted(actor.roles),
                "scopes": sorted(s for s in self.scopes if s.startswith("custom:kimed:")),
                "known_roles": sorted(ROLE_SCOPES),
            }
        )


class OpenApiHandler(ApiHandler):
    """``GET openapi.yaml``: this API's description, for anyone with portal access."""

    def get(self) -> None:
        self.params()
        self.set_header("Content-Type", "application/yaml; charset=utf-8")
        self.finish(OPENAPI_FILE.read_bytes())


class NoRouteHandler(ApiHandler):
    """Anything else under ``api/v1/``: a JSON 404 (after the login check)."""

    async def prepare(self) -> None:
        await super().prepare()
        raise NotFound(f"There is no API endpoint {self.request.path}; see api/v1/openapi.yaml.")


# --- catalogue ----------------------------------------------------------------------------


class SearchHandler(ApiHandler):
    """``GET datasets``: full text, facets, ranges, sorted pages (``SearchQuery``)."""

    async def get(self) -> None:
        self.require(READ_CATALOGUE)
        query = SearchQuery.from_params(self.query_lists())
        self.finish(api_json.search_result(await self.run(self.portal.store.search, query)))


class DatasetHandler(ApiHandler):
    """``GET/PUT/DELETE datasets/{id}``."""

    async def get(self, identifier: str) -> None:
        self.require(READ_CATALOGUE)
        lang = self.choice(self.params("lang"), "lang", ("en", "de"))
        store = self.portal.store

        def load() -> dict:
            record = store.get_dataset(identifier)
            models = [algo.identifier for algo in store.list_algorithms(trained_on=identifier)]
            return api_json.dataset(record, store.synthetic_versions(identifier), models, lang)

        self.finish(await self.run(load))

    async def put(self, identifier: str) -> None:
        self.require(WRITE_CATALOGUE)
        record, expected = self.record_put(identifier, "a dataset")
        store = self.portal.store
        existed = await self.run(store.dataset_revision, identifier)
        revision = await self.run(
            store.put_dataset, record, actor=self.caller(), expected_revision=expected
        )
        self.written(identifier, bool(existed), revision)

    async def delete(self, identifier: str) -> None:
        self.require(WRITE_CATALOGUE)
        self.params()
        await self.run(self.portal.store.delete_dataset, identifier, actor=self.caller())
        self.finish({"identifier": identifier, "deleted": True})


class ImportHandler(ApiHandler):
    """``POST datasets/import``: a Turtle or JSON-LD document, all its records or none."""

    async def post(self) -> None:
        self.require(WRITE_CATALOGUE)
        self.params()
        media = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        formats = {media_type: fmt for fmt, media_type in RDF_TYPES.items()}
        if media not in formats:
            raise UnsupportedMediaType(
                f"Send the records as text/turtle or application/ld+json, not {media or 'no'} "
                "Content-Type."
            )
        body = self.body_bytes()
        if not body.strip():
            raise BadInput("The request needs a Turtle or JSON-LD body.")
        store = self.portal.store
        imported = await self.run(store.import_rdf, body, formats[media], actor=self.caller())
        self.finish({"imported": imported})


class RdfHandler(ApiHandler):
    """``GET catalogue`` and ``GET datasets/{id}/rdf``: DCAT as Turtle or JSON-LD."""

    async def get(self, identifier: str | None = None) -> None:
        self.require(READ_CATALOGUE)
        fmt = self.choice(self.params("format"), "format", tuple(RDF_TYPES))
        store = self.portal.store

        def export() -> str:
            if identifier is None:
                return store.export_rdf(fmt)
            store.get_dataset(identifier)  # NotFound rather than an empty catalogue
            return store.export_rdf(fmt, [identifier])

        text = await self.run(export)
        self.set_header("Content-Type", f"{RDF_TYPES[fmt]}; charset=utf-8")
        self.finish(text)


class AlgorithmsHandler(ApiHandler):
    """``GET algorithms`` (``trained_on``: those trained on one dataset)."""

    async def get(self) -> None:
        self.require(READ_CATALOGUE)
        trained_on = self.params("trained_on").get("trained_on") or None
        found = await self.run(self.portal.store.list_algorithms, trained_on=trained_on)
        self.finish({"algorithms": [to_data(algo) for algo in found]})


class AlgorithmHandler(ApiHandler):
    """``GET/PUT algorithms/{id}``."""

    async def get(self, identifier: str) -> None:
        self.require(READ_CATALOGUE)
        self.params()
        self.finish(to_data(await self.run(self.portal.store.get_algorithm, identifier)))

    async def put(self, identifier: str) -> None:
        self.require(WRITE_CATALOGUE)
        record, expected = self.record_put(identifier, "an algorithm")
        store = self.portal.store

        def write() -> tuple[bool, int]:
            try:
                store.get_algorithm(identifier)
                existed = True
            except NotFound:
                existed = False
            return existed, store.put_algorithm(
                record, actor=self.caller(), expected_revision=expected
            )

        self.written(identifier, *await self.run(write))


# --- access requests ----------------------------------------------------------------------

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
        it (the same answer, so ids reveal nothing)."""
        workflow = self.portal.requests
        found = workflow.get(request_id)
        if not found.visible_to(self.actor()):
            raise NotFound(f"there is no access request {request_id!r}")
        return found

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
    """``POST requests/{id}/actions/{action}``; ending a grant stops its holders' servers."""

    async def post(self, request_id: str, action: str) -> None:
        self.params()
        before = await self.run(self.visible, request_id)
        if action not in ACTIONS:
            raise NotFound(f"There is no action {action!r}; actions: {', '.join(ACTIONS)}.")
        method, fields = ACTIONS[action]
        body = self.object_body(tuple(fields))
        args = action_arguments(action, body)
        workflow = self.portal.requests
        after = await self.run(getattr(workflow, method), request_id, self.actor(), **args)
        stopped = []
        current = await self.run(workflow.get, request_id)
        for ended in await self.run(ended_grants, before, current, workflow):
            stopped += await stop_servers_of(self.portal.hub, ended, f"ended ({ended.state})")
        if after.request_id != request_id:
            self.set_status(201)  # request_amendment: the new DRAFT
        self.finish({**await self.run(self.detail, after.request_id), "stopped_servers": stopped})


class HistoryHandler(RequestApiHandler):
    """``GET requests/{id}/history``: the request's audit entries."""

    async def get(self, request_id: str) -> None:
        self.params()
        await self.run(self.visible, request_id)
        entries = await self.run(self.portal.requests.history, request_id)
        self.finish({"entries": [api_json.audit_entry(e) for e in entries]})


# --- audit --------------------------------------------------------------------------------


class AuditHandler(ApiHandler):
    """``GET audit?after=&limit=``: the log in order, a page at a time."""

    async def get(self) -> None:
        self.require(READ_AUDIT)
        params = self.params("after", "limit")
        after = self.whole_number(params, "after", 0, 0, 2**62)
        limit = self.whole_number(params, "limit", 100, 1, 1000)
        found = await self.run(self.portal.store.audit_entries, after=after, limit=limit)
        self.finish(
            {
                "entries": [api_json.audit_entry(e) for e in found],
                "next_after": found[-1].seq if found else after,
            }
        )


class AuditVerifyHandler(ApiHandler):
    """``GET audit/verify``: check the whole hash chain (``ok`` false names where it breaks)."""

    async def get(self) -> None:
        self.require(READ_AUDIT)
        self.params()
        self.finish(api_json.audit_report(await self.run(verify_audit_log, self.portal.store)))


ID = r"([^/]+)"
ROUTES = [
    (API + "me", MeHandler),
    (API + "openapi.yaml", OpenApiHandler),
    (API + "datasets", SearchHandler),
    (API + "datasets/import", ImportHandler),
    (API + f"datasets/{ID}", DatasetHandler),
    (API + f"datasets/{ID}/rdf", RdfHandler),
    (API + "catalogue", RdfHandler),
    (API + "algorithms", AlgorithmsHandler),
    (API + f"algorithms/{ID}", AlgorithmHandler),
    (API + "requests", RequestsHandler),
    (API + f"requests/{ID}", RequestHandler),
    (API + f"requests/{ID}/actions/{ID}", ActionHandler),
    (API + f"requests/{ID}/history", HistoryHandler),
    (API + "audit", AuditHandler),
    (API + "audit/verify", AuditVerifyHandler),
    (API + ".*", NoRouteHandler),
]
