"""The hub's REST API as the portal uses it: list running servers, stop one, read a
user's groups and last spawn options (the airlock's re-run).

The portal asks with its own service token (``$JUPYTERHUB_API_TOKEN``; its role's
scopes are ``wiring.SERVICE_SCOPES``). Errors are raised, never swallowed here: the
caller (``enforcement.py``) decides what a failed call means.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import requests
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

#: JupyterHub's paginated list format (``items`` and ``_pagination``).
PAGINATED = "application/jupyterhub-pagination+json"
PAGE_SIZE = 200


@dataclass(frozen=True)
class RunningServer:
    """One server the hub reports as running or starting, with its spawner state
    (``None`` when the token may not read it: ``admin:server_state``)."""

    username: str
    name: str
    ready: bool
    state: dict | None

    @property
    def label(self) -> str:
        """``user/server`` ('' is the default server): how logs and answers name it."""
        return f"{self.username}/{self.name}"


@dataclass
class HubServers:
    """List and stop servers through the hub API."""

    api_url: str = field(default_factory=lambda: os.environ.get("JUPYTERHUB_API_URL", ""))
    token: str = field(default_factory=lambda: os.environ.get("JUPYTERHUB_API_TOKEN", ""))
    # The hub polls the server before it stops it, and answers a stop within its
    # slow_stop_timeout; on a loaded host the runtime's answers add to that. A timeout is
    # no loss (the next round retries), but a stop that would have worked is better.
    timeout: float = 90

    async def _call(self, method: str, path: str, accept: str = "application/json"):
        request = HTTPRequest(
            self.api_url.rstrip("/") + path,
            method=method,
            headers={"Authorization": f"token {self.token}", "Accept": accept},
            request_timeout=self.timeout,
            allow_nonstandard_methods=True,
        )
        response = await AsyncHTTPClient().fetch(request)
        return json.loads(response.body) if response.body else {}

    async def running(self) -> list[RunningServer]:
        """Every running or starting server of every user (``GET /users?state=active``,
        page by page)."""
        servers, offset = [], 0
        while True:
            query = urlencode({"state": "active", "offset": offset, "limit": PAGE_SIZE})
            page = await self._call("GET", f"/users?{query}", accept=PAGINATED)
            for user in page.get("items", []):
                for name, model in (user.get("servers") or {}).items():
                    state = model.get("state") if "state" in model else None
                    servers.append(
                        RunningServer(user["name"], name, bool(model.get("ready")), state)
                    )
            following = (page.get("_pagination") or {}).get("next")
            if not following:
                return servers
            offset = following["offset"]

    async def stop(self, username: str, server: str) -> None:
        """Ask the hub to stop one server (it answers before the container is gone); a
        server that is already gone counts as stopped."""
        path = f"/users/{quote(username)}/server"
        if server:
            path = f"/users/{quote(username)}/servers/{quote(server)}"
        try:
            await self._call("DELETE", path)
        except HTTPClientError as error:
            if error.code != 404:
                raise


def user_model(username: str, timeout: float = 60) -> dict | None:
    """The hub's model of ``username`` with stopped servers included (groups, and each
    server's last ``user_options``), or None when the hub has no such user. Synchronous:
    the airlock's re-run asks from its worker thread, outside the portal's event loop.
    Needs ``read:users:groups`` and ``read:servers`` (``wiring.SERVICE_SCOPES``)."""
    api = HubServers()
    response = requests.get(
        f"{api.api_url.rstrip('/')}/users/{quote(username)}",
        params={"include_stopped_servers": "1"},
        headers={"Authorization": f"token {api.token}"},
        timeout=timeout,
    )
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.json()
