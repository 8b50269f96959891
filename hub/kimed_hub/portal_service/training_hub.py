"""The hub's REST API as the training service uses it: accounts, groups, servers, and
the trainees' files through the proxy (JupyterHub's contents API of their own server).

The portal calls the hub with its own service token; its role
(``wiring.training_service_scopes``) lets it create and delete users and groups, and
start, stop and mint tokens for members of the trainee group only (``servers!group=...``,
``tokens!group=...``). A trainee's server checks ``access:servers`` itself and does not
resolve group filters, so files are read and written with a short-lived token of the
trainee's own, limited to their own server (``access:servers!user=<name>``): the portal
never holds a credential for a researcher's server.
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
    #: Short-lived per-trainee tokens for their own server: {name: (token, expires at)}.
    _tokens: dict = field(default_factory=dict)

    async def call(self, method: str, url: str, body=None, ok=(200, 201, 202, 204), token=None):
        """``(status, JSON answer)``; 404 comes back as ``(404, {})``, other errors raise."""
        request = HTTPRequest(
            url,
            method=method,
            headers={
                "Authorization": f"token {token or self.token}",
                "Content-Type": "application/json",
            },
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
        self._tokens.pop(name, None)
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
        try:
            await self.call(
                "POST", self.api(f"/users/{quote(name)}/server"), {}, ok=(201, 202, 400)
            )
        except HubCallFailed as error:
            # A busy hub may answer after our timeout while the spawn goes on: waiting for
            # the server (``wait``) decides whether it started.
            if "Timeout" not in str(error):
                raise

    async def stop(self, name: str) -> None:
        await self.call("DELETE", self.api(f"/users/{quote(name)}/server"), ok=(202, 204, 400))

    async def wait(self, name: str, ready: bool, timeout: float) -> bool:
        """Wait until the server is ready (``ready``) or gone (not ``ready``). Waiting for
        ready ends early (False) when a spawn that was under way is gone: the hub gave up."""
        deadline, seen = time.monotonic() + timeout, False
        while time.monotonic() < deadline:
            model = await self.user(name) or {}
            server = (model.get("servers") or {}).get("")
            if ready and server and server.get("ready"):
                return True
            if not ready and not server:
                return True
            if ready and seen and not server:
                return False
            seen = seen or bool(server)
            await asyncio.sleep(1)
        return False

    # --- files in the trainee's home (their own server's contents API) -------------------
    def contents(self, name: str, path: str) -> str:
        return f"{self.public_url.rstrip('/')}/user/{quote(name)}/api/contents/{quote(path)}"

    async def server_token(self, name: str) -> str:
        """A token of ``name``'s own for their server only, valid ten minutes (reused
        while more than two are left)."""
        token, until = self._tokens.get(name, ("", 0.0))
        if time.monotonic() < until - 120:
            return token
        body = {
            "scopes": [f"access:servers!user={name}"],
            "expires_in": 600,
            "note": "kimed training: course material and collection",
        }
        _, answer = await self.call("POST", self.api(f"/users/{quote(name)}/tokens"), body)
        self._tokens[name] = (answer["token"], time.monotonic() + 600)
        return answer["token"]

    async def files(self, method: str, name: str, path: str, query: str = "", body=None):
        """A contents-API call on ``name``'s server with their server token."""
        token = await self.server_token(name)
        return await self.call(method, self.contents(name, path) + query, body, token=token)

    async def exists(self, name: str, path: str) -> bool:
        code, _ = await self.files("GET", name, path, "?content=0")
        return code != 404

    async def put_notebook(self, name: str, path: str, notebook: dict) -> None:
        """Write a notebook (folders along the path are created first)."""
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if not await self.exists(name, folder):
                await self.files("PUT", name, folder, body={"type": "directory"})
        body = {"type": "notebook", "format": "json", "content": notebook}
        await self.files("PUT", name, path, body=body)

    async def read_notebook(self, name: str, path: str, max_bytes: int) -> dict | None:
        """The notebook at ``path`` (None if there is none); larger ones are refused
        before their content is read."""
        code, meta = await self.files("GET", name, path, "?content=0")
        if code == 404:
            return None
        if (meta.get("size") or 0) > max_bytes:
            raise SubmissionTooLarge(
                f"{name}'s {path} has {meta['size']:,} bytes; the grader reads at most "
                f"{max_bytes:,} (policies/training.yaml). Ask them to clear large outputs."
            )
        _, model = await self.files("GET", name, path, "?content=1&type=notebook")
        return model.get("content")
