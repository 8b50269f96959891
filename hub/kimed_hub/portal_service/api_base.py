"""The base of every REST handler: JSON in and out, the caller known before anything runs.

Library calls block (SQLAlchemy, SHACL), so they run in worker threads
(:meth:`ApiHandler.run`) and the service keeps answering meanwhile. Every answer is JSON,
errors included: an API client is never redirected to a login page (401 when no
credential came, 403 when the caller's role gives no access).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ..errors import BadInput, PermissionDenied, PortalError
from .auth import PortalHandler

API = "api/v1/"
#: A path segment in a route (an identifier, a request id, an action).
ID = r"([^/]+)"


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
        await super().prepare()  # the caller, from the hub
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
