"""Grants that end take their mounts with them: stop the servers that may hold them.

The spawner mounts a user's ACTIVE grants when a server starts (``data_grants.py``), so
a running server keeps a dataset until it stops. When a grant ends — revoked, closed,
superseded by an amendment, or expired — the portal stops the running servers of every
person the grant covered (the applicant and the team members): any of their servers may
hold the mount, and the next spawn mounts only what is still granted.

The portal asks the hub with its own service token (``$JUPYTERHUB_API_TOKEN``, scopes
``wiring.SERVICE_SCOPES``). A failed stop is logged and reported, never raised: the
grant has ended in the database either way, and the spawner will not mount it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..access import AccessRequest, AccessRequests, State

log = logging.getLogger("kimed.portal")

#: States in which a grant gives no data any more (the spawner's view: not ACTIVE).
GRANT_ENDED = frozenset({State.REVOKED, State.CLOSED, State.EXPIRED})


@dataclass
class HubServers:
    """The hub's REST API for one purpose: list and stop a user's servers."""

    api_url: str = field(default_factory=lambda: os.environ.get("JUPYTERHUB_API_URL", ""))
    token: str = field(default_factory=lambda: os.environ.get("JUPYTERHUB_API_TOKEN", ""))
    timeout: float = 30

    async def _call(self, method: str, path: str) -> tuple[int, dict]:
        request = HTTPRequest(
            self.api_url.rstrip("/") + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
            request_timeout=self.timeout,
            allow_nonstandard_methods=True,
        )
        try:
            response = await AsyncHTTPClient().fetch(request)
        except HTTPClientError as error:
            if error.code == 404:
                return 404, {}
            raise
        return response.code, json.loads(response.body) if response.body else {}

    async def running(self, username: str) -> list[str]:
        """Names of ``username``'s servers that run or are starting ('' is the default)."""
        code, user = await self._call("GET", f"/users/{quote(username)}")
        if code == 404:
            return []  # not a hub user (e.g. a team member who never logged in)
        return sorted((user.get("servers") or {}).keys())

    async def stop(self, username: str, server: str) -> None:
        """Ask the hub to stop one server (it answers before the container is gone)."""
        path = f"/users/{quote(username)}/server"
        if server:
            path = f"/users/{quote(username)}/servers/{quote(server)}"
        await self._call("DELETE", path)


async def stop_servers_of(hub: HubServers, found: AccessRequest, why: str) -> list[str]:
    """Stop every running server of the people ``found`` covered; return ``user/server``
    names stopped. Failures are logged and skipped (see the module's docstring)."""
    stopped = []
    for username in found.application.usernames():
        try:
            for server in await hub.running(username):
                await hub.stop(username, server)
                stopped.append(f"{username}/{server}")
                log.info(
                    "stopped server '%s' of %s: grant %s %s (datasets: %s)",
                    server,
                    username,
                    found.request_id,
                    why,
                    ", ".join(found.application.data.datasets),
                )
        except Exception as error:  # noqa: BLE001 - one user's failure must not stop the rest
            log.error(
                "could not stop the servers of %s after grant %s %s: %s",
                username,
                found.request_id,
                why,
                error,
            )
    return stopped


def ended_grants(before: AccessRequest, after: AccessRequest, workflow: AccessRequests):
    """The requests whose grant an action ended: the request itself when it left ACTIVE,
    and the grant an activated amendment superseded."""
    ended = []
    if before.state == State.ACTIVE and after.state in GRANT_ENDED:
        ended.append(after)
    if before.state != State.ACTIVE and after.state == State.ACTIVE and after.amends:
        parent = workflow.get(after.amends)
        if parent.state in GRANT_ENDED:
            ended.append(parent)
    return ended


async def expire_and_stop(workflow: AccessRequests, hub: HubServers) -> list[str]:
    """Record EXPIRED for grants past their end and stop their holders' servers; return
    the expired request ids. The library call blocks (database), so it runs in a thread."""
    expired = await asyncio.to_thread(workflow.expire_due)
    for request_id in expired:
        found = await asyncio.to_thread(workflow.get, request_id)
        await stop_servers_of(hub, found, "expired")
    return expired
