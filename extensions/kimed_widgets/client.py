"""A small client for the portal's REST API, as the notebook widgets use it.

Inside a user's server the portal is reached through the proxy at ``$KIMED_PORTAL_URL``
with the server's own token (``$JUPYTERHUB_API_TOKEN``); both can be given explicitly
(tests, scripts on the host). Only the standard library is used, so every kernel can
import the widgets without extra packages.

Every failure becomes one of two exceptions with a message a person can act on:
:class:`PortalUnavailable` (no answer, no address, a server error) and
:class:`PortalRefused` (the portal said no: 4xx, with its own message and, for invalid
input, the list of violations).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib import error, request
from urllib.parse import quote, urlencode, urlparse

URL_ENV = "KIMED_PORTAL_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
DEFAULT_TIMEOUT = 20.0
#: Most bytes of an answer the client reads: a page of results or a record is far less.
MAX_ANSWER_BYTES = 16 * 1024 * 1024


class PortalCallFailed(Exception):
    """Base of the client's errors: ``str(error)`` is the message to show."""


class PortalUnavailable(PortalCallFailed):
    """The portal could not be asked or did not answer properly (nothing was decided)."""


@dataclass
class Violation:
    """One problem the portal found in submitted data: a field path and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class PortalRefused(PortalCallFailed):
    """The portal answered with a 4xx: the call was understood and refused."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "",
        violations: Iterable[Violation] = (),
    ):
        self.status, self.code, self.message = status, code, message
        self.violations = list(violations)
        super().__init__(message)


@dataclass
class PortalClient:
    """Calls ``<base_url><path>`` with ``Authorization: token <token>``; JSON in and out.

    ``base_url`` defaults to ``$KIMED_PORTAL_URL`` (``.../services/portal/api/v1/``),
    ``token`` to ``$JUPYTERHUB_API_TOKEN``.
    """

    base_url: str = field(default_factory=lambda: os.environ.get(URL_ENV, ""))
    token: str = field(default_factory=lambda: os.environ.get(TOKEN_ENV, ""), repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        if self.base_url and not self.base_url.endswith("/"):
            self.base_url += "/"

    # --- the portal's pages (for links shown in widgets) ------------------------------
    def page_path(self, path: str = "") -> str:
        """A portal page's path on the hub's origin (``/services/portal/<path>``).

        Only the path: in a container the API address names the container's route to the
        host (e.g. 10.0.2.2), which the researcher's browser cannot reach; the browser
        shows the notebook on the hub's own origin, where the same path works."""
        api_path = urlparse(self.base_url).path
        root = api_path.rsplit("api/v1/", 1)[0] if "api/v1/" in api_path else api_path
        return (root or "/") + path

    # --- the API, one method per endpoint the widgets use -----------------------------
    def me(self) -> dict:
        """``GET me``: the caller's name, roles and portal scopes."""
        return self.call("GET", "me")

    def search(self, params: Iterable[tuple[str, str]]) -> dict:
        """``GET datasets?...``: a page of hits with facets and active filters."""
        return self.call("GET", "datasets", params=params)

    def dataset(self, identifier: str, lang: str = "en") -> dict:
        """``GET datasets/{id}``: the record plus synthetic versions and algorithms."""
        return self.call("GET", f"datasets/{_segment(identifier)}", params=[("lang", lang)])

    def my_requests(self) -> list[dict]:
        """``GET requests``: the caller's own requests (as applicant or team member)."""
        return self.call("GET", "requests").get("requests", [])

    def access_request(self, request_id: str) -> dict:
        """``GET requests/{id}``: one request with the caller's allowed actions."""
        return self.call("GET", f"requests/{_segment(request_id)}")

    def create_request(self, application: dict) -> dict:
        """``POST requests``: a new DRAFT with ``application``."""
        return self.call("POST", "requests", body={"application": application})

    def edit_request(self, request_id: str, application: dict) -> dict:
        """``PUT requests/{id}``: replace the application of a DRAFT or RETURNED request."""
        path = f"requests/{_segment(request_id)}"
        return self.call("PUT", path, body={"application": application})

    def act(self, request_id: str, action: str, **fields: Any) -> dict:
        """``POST requests/{id}/actions/{action}`` (submit, withdraw, ...)."""
        path = f"requests/{_segment(request_id)}/actions/{_segment(action)}"
        return self.call("POST", path, body=fields)

    def feasibility(
        self, identifier: str, criteria: list[dict], reference_date: str | None = None
    ) -> dict:
        """``POST datasets/{id}/feasibility``: the protected patient count for criteria
        rows (kind, codes, min, max, unit, from, to, at_least, within_days, exclude)."""
        body: dict[str, Any] = {"criteria": criteria}
        if reference_date:
            body["reference_date"] = reference_date
        return self.call("POST", f"datasets/{_segment(identifier)}/feasibility", body=body)

    def airlock_home(self, path: str = "") -> dict:
        """``GET airlock/home?path=``: a folder of the caller's home as the airlock sees
        it (each entry: name, path, kind, size, requestable)."""
        listing = self.call("GET", "airlock/home", params=[("path", path)] if path else [])
        folder = listing.get("path", "")
        for entry in listing.get("entries", []):
            entry.setdefault("path", f"{folder}/{entry['name']}" if folder else entry["name"])
        return listing

    def create_export(
        self, files: list[str], justification: str, title: str = "", notebook: str | None = None
    ) -> dict:
        """``POST airlock/requests`` (submitted at once): the request with its checks."""
        body = {"files": files, "justification": justification, "title": title, "submit": True}
        if notebook:
            body["notebook"] = notebook
        return self.call("POST", "airlock/requests", body=body)

    # --- transport --------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        params: Iterable[tuple[str, str]] = (),
        body: Any = None,
    ) -> Any:
        """One API call; the decoded JSON answer, or PortalUnavailable / PortalRefused."""
        if not self.base_url:
            raise PortalUnavailable(
                f"The portal's address is not set (${URL_ENV}). In a workbench server it is "
                "set for you; elsewhere pass base_url=... (…/services/portal/api/v1/)."
            )
        url = self.base_url + path + (f"?{urlencode(list(params))}" if params else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = request.Request(url, data=data, headers=headers, method=method)
        try:
            with _OPENER.open(req, timeout=self.timeout) as answer:
                return _decode(answer.read(MAX_ANSWER_BYTES + 1), answer.status, url)
        except error.HTTPError as refusal:
            with refusal:
                raw = refusal.read(MAX_ANSWER_BYTES)
            raise _failure(refusal.code, refusal.reason, raw) from None
        except (error.URLError, OSError) as problem:
            # urllib wraps connect timeouts in URLError; read timeouts arrive bare.
            reason = getattr(problem, "reason", problem)
            if isinstance(reason, TimeoutError):
                raise PortalUnavailable(
                    f"The portal ({self.base_url}) did not answer within {self.timeout:g} s. "
                    "Try again in a moment."
                ) from None
            raise PortalUnavailable(
                f"The portal ({self.base_url}) cannot be reached: {reason}."
            ) from None


class _NoRedirects(request.HTTPRedirectHandler):
    """A redirect from the API means "log in first" (no or an expired token): following
    it would only fetch the hub's login page, so it is reported instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


_OPENER = request.build_opener(_NoRedirects())


def _segment(value: str) -> str:
    """One path segment: identifiers never add path levels."""
    return quote(str(value), safe="")


def _decode(raw: bytes, status: int, url: str) -> Any:
    if len(raw) > MAX_ANSWER_BYTES:
        raise PortalUnavailable(f"The portal's answer from {url} is too large to show.")
    if status == 204 or not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise PortalUnavailable(
            f"The portal's answer from {url} is not JSON (HTTP {status}); is "
            f"${URL_ENV} the portal's API address (…/services/portal/api/v1/)?"
        ) from None


def _failure(status: int, reason: str, raw: bytes) -> PortalCallFailed:
    """The exception for an HTTP error answer, with the portal's own message if it sent one."""
    if 300 <= status < 400:
        return PortalRefused(
            status,
            "The portal asked for a login: the token is missing or no longer valid. "
            f"Restart your server, or pass a valid token (${TOKEN_ENV}).",
            "login_required",
        )
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    message = str(data.get("message") or reason or "no message")
    if status >= 500:
        return PortalUnavailable(
            f"The portal had a problem answering (HTTP {status}: {message}). "
            "Try again later; if it persists, tell the workbench's administrators."
        )
    violations = [
        Violation(str(v.get("field", "")), str(v.get("message", "")))
        for v in data.get("violations") or []
        if isinstance(v, dict)
    ]
    return PortalRefused(status, message, str(data.get("error", "")), violations)
