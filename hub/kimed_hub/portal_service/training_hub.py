"""The hub's REST API as the training service uses it: accounts, groups, servers, and
the trainees' files through the proxy (JupyterHub's contents API of their own server).

The portal calls with its own service token; its role (``wiring.SERVICE_SCOPES``) lets
it create and delete users and groups, start, stop and read the servers of members of
the trainee group, and nobody else's (``servers!group=...``, ``access:servers!group=...``).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..training.errors import SubmissionTooLarge


class HubCallFailed(RuntimeError):
    """The hub or a trainee's server answered with an error the caller cannot fix."""


@dataclass
class TrainingHub:
    """Hub API (``JUPYTERHUB_API_URL``) and the public proxy (``KIMED_PUBLIC_URL``)."""

    api_url: str = field(default_factory=lambda: os.environ.get("JUPYTERHUB_API_URL", ""))
    public_url: str = field(default_factory=lambda: os.environ.get("KIMED_PUBLIC_URL", ""))
    token: str = field(default_factory=lambda: os.environ.get("JUPYTERHUB_API_TOKEN", ""))
    timeout: float = 60

    async def call(self, method: str, url: str, body=None, ok=(200, 201, 202, 204)):
        """``(status, JSON answer)``; 404 comes back as ``(404, {})``, other errors raise."""
        request = HTTPRequest(
            url,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            body=None if body is None else json.dumps(body),
            request_timeout=self.timeout,
            allow_nonstandard_methods=True,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except HTTPClientError as error:  # connection-level failures
            raise HubCallFailed(f"{method} {url}: {error}") from None
        if response.code == 404:
            return 404, {}
        if response.code not in ok:
            text = (response.body or b"")[:300].decode(errors="replace")
            raise HubCallFailed(f"{method} {url} answered {response.code}: {text}")
        return response.code, json.loads(response.body) if response.body else {}

    def api(self, path: str) -> str:
        return self.api_url.rstrip("/") + path

    # --- users and groups ---------------------------------------------------------------
    async def user(self, name: str) -> dict | None:
        """The user model (servers, groups, last activity), or None when there is none."""
        code, model = await self.call("GET", self.api(f"/users/{quote(name)}"))
        return None if code == 404 else model

    async def create_user(self, name: str) -> None:
        await self.call("POST", self.api(f"/users/{quote(name)}"), {})

    async def delete_user(self, name: str) -> None:
        await self.call("DELETE", self.api(f"/users/{quote(name)}"))

    async def create_group(self, group: str, users: list[str]) -> None:
        await self.call("POST", self.api(f"/groups/{quote(group)}"), {"users": users})

    async def add_to_group(self, group: str, users: list[str]) -> None:
        await self.call("POST", self.api(f"/groups/{quote(group)}/users"), {"users": users})

    async def delete_group(self, group: str) -> None:
        await self.call("DELETE", self.api(f"/groups/{quote(group)}"))

    # --- servers ------------------------------------------------------------------------
    async def start(self, name: str) -> None:
        """Ask for the user's default server (the spawn queue decides when it starts);
        a server that already runs or starts is left as it is."""
        await self.call("POST", self.api(f"/users/{quote(name)}/server"), {}, ok=(201, 202, 400))

    async def stop(self, name: str) -> None:
        await self.call("DELETE", self.api(f"/users/{quote(name)}/server"), ok=(202, 204, 400))

    async def wait(self, name: str, ready: bool, timeout: float) -> bool:
        """Wait until the server is ready (``ready``) or gone (not ``ready``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = await self.user(name) or {}
            server = (model.get("servers") or {}).get("")
            if ready and server and server.get("ready"):
                return True
            if not ready and not server:
                return True
            await asyncio.sleep(1)
        return False

    # --- files in the trainee's home (their own server's contents API) -------------------
    def contents(self, name: str, path: str) -> str:
        return f"{self.public_url.rstrip('/')}/user/{quote(name)}/api/contents/{quote(path)}"

    async def exists(self, name: str, path: str) -> bool:
        code, _ = await self.call("GET", self.contents(name, path) + "?content=0")
        return code != 404

    async def put_notebook(self, name: str, path: str, notebook: dict) -> None:
        """Write a notebook (folders along the path are created first)."""
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if not await self.exists(name, folder):
                await self.call("PUT", self.contents(name, folder), {"type": "directory"})
        body = {"type": "notebook", "format": "json", "content": notebook}
        await self.call("PUT", self.contents(name, path), body)

    async def read_notebook(self, name: str, path: str, max_bytes: int) -> dict | None:
        """The notebook at ``path`` (None if there is none); larger ones are refused
        before their content is read."""
        code, meta = await self.call("GET", self.contents(name, path) + "?content=0")
        if code == 404:
            return None
        if (meta.get("size") or 0) > max_bytes:
            raise SubmissionTooLarge(
                f"{name}'s {path} has {meta['size']:,} bytes; the grader reads at most "
                f"{max_bytes:,} (policies/training.yaml). Ask them to clear large outputs."
            )
        _, model = await self.call("GET", self.contents(name, path) + "?content=1&type=notebook")
        return model.get("content")
