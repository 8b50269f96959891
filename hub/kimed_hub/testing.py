"""A real hub for tests and benchmarks: start it, log in as a user, spawn, run code.

Used by ``tests/`` and ``bench/`` alike, so both measure the same thing. Each
:class:`HubProcess` runs ``jupyterhub`` with the project's own config in a subprocess, on
free loopback ports, with its own data folder and container prefix; :func:`remove_containers`
cleans up by that prefix (containers and, on request, home volumes).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import websocket
import yaml

from .paths import project_root
from .runtime import remove_containers

#: How long a test hub may take to answer (seconds). A hub is up in seconds on an idle
#: machine, but on a loaded 2-core one its start (database, portal, proxy) can take
#: minutes; this is the one place that says how long to wait (KIMED_HUB_START_TIMEOUT
#: overrides it). A hub that exits fails at once, whatever the timeout.
HUB_START_TIMEOUT = float(os.environ.get("KIMED_HUB_START_TIMEOUT", "300"))


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HubProcess:
    """One real JupyterHub (with its proxy) running the workbench configuration."""

    def __init__(
        self,
        data_dir: Path,
        prefix: str,
        site_config: dict[str, Any] | None = None,
        extra_env: dict[str, str] | None = None,
    ):
        self.data_dir = Path(data_dir)
        self.extra_env = extra_env or {}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.public_port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.site_config = site_config
        self.log_path = self.data_dir / "jupyterhub.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.extra_env.get("KIMED_TLS_CERT") else "http"
        return f"{scheme}://127.0.0.1:{self.public_port}"

    @property
    def verify(self) -> str | bool:
        """What clients trust: the hub's own certificate when it serves TLS (production
        tests make one for 127.0.0.1), else the default."""
        return self.extra_env.get("KIMED_TLS_CERT") or True

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "KIMED_HUB_DATA_DIR": str(self.data_dir),
            "KIMED_PUBLIC_PORT": str(self.public_port),
            "KIMED_HUB_PORT": str(self.hub_port),
            "KIMED_PROXY_API_PORT": str(self.api_port),
            "KIMED_PREFIX": self.prefix,
            # Each test hub has its own (empty) dataset folders, so what a server mounts
            # never depends on demo data an earlier `kimed up` left on this host.
            "KIMED_DATA_DIR": str(self.data_dir / "datasets"),
            **self.extra_env,
        }
        if self.site_config:
            site = self.data_dir / "site.yaml"
            site.write_text(yaml.safe_dump(self.site_config))
            env["KIMED_SITE_CONFIG"] = str(site)
        return env

    def start(self, timeout: float | None = None) -> HubProcess:
        """Start the hub and wait until its API answers through the proxy (at most
        ``timeout`` seconds, by default :data:`HUB_START_TIMEOUT`)."""
        timeout = HUB_START_TIMEOUT if timeout is None else timeout
        config = project_root() / "hub" / "jupyterhub_config.py"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=self.data_dir,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                answer = requests.get(f"{self.url}/hub/api/", timeout=2, verify=self.verify)
                if answer.status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or too busy starting to answer within 2 s
            time.sleep(0.3)
        raise TimeoutError(f"hub not up after {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 60) -> None:
        """Ctrl-C the hub (as an operator would) and wait for a clean exit."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        """Stop the hub and remove everything it ran: its containers and home volumes."""
        self.stop()
        remove_containers(self.prefix, volumes=True)

    def __enter__(self) -> HubProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def password(self, username: str) -> str:
        """The generated demo password of ``username``."""
        for line in (self.data_dir / "demo-passwords.txt").read_text().splitlines():
            name, _, password = line.partition(" ")
            if name == username:
                return password
        raise KeyError(username)

    def login(self, username: str) -> HubUser:
        """Log in through the hub's login form, as a browser does."""
        return HubUser(self, username, self.password(username))


def _session(hub: HubProcess) -> requests.Session:
    """A browser-like session that trusts the hub's own certificate when it has one. (With
    ``REQUESTS_CA_BUNDLE`` in the environment, requests would let it override
    ``session.verify``: a TLS hub's session ignores the environment.)"""
    session = requests.Session()
    session.verify = hub.verify
    session.trust_env = hub.verify is True
    return session


class HubUser:
    """A logged-in user: a browser-like session plus an API token of their own."""

    def __init__(self, hub: HubProcess, username: str, password: str):
        self.hub, self.name = hub, username
        self.session = _session(hub)
        self.session.get(f"{hub.url}/hub/login", timeout=10)
        response = self.session.post(
            f"{hub.url}/hub/login?next=",
            data={
                "username": username,
                "password": password,
                "_xsrf": self.session.cookies.get("_xsrf", ""),
            },
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise PermissionError(f"login of {username} failed: HTTP {response.status_code}")
        self.token = self._new_token()

    @classmethod
    def with_session(cls, hub: HubProcess, username: str, session: requests.Session) -> HubUser:
        """A user who logged in some other way (an identity provider's form, say)."""
        user = cls.__new__(cls)
        user.hub, user.name, user.session = hub, username, session
        user.token = user._new_token()
        return user

    @classmethod
    def with_token(cls, hub: HubProcess, username: str, token: str) -> HubUser:
        """A user known only by an API token (one an admin made for them, say)."""
        user = cls.__new__(cls)
        user.hub, user.name, user.session, user.token = hub, username, _session(hub), token
        return user

    def user_token(self, username: str) -> str:
        """A new API token for ``username``, made with this (admin) user's rights."""
        response = self.api(
            "POST", f"/users/{username}/tokens", json={"note": "kimed bench", "expires_in": 7200}
        )
        response.raise_for_status()
        return response.json()["token"]

    def _new_token(self) -> str:
        response = self.session.post(
            f"{self.hub.url}/hub/api/users/{self.name}/tokens",
            json={"note": "kimed tests", "expires_in": 3600},
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf", "")},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["token"]

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the hub API (``/hub/api`` + path) with this user's token."""
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return requests.request(
            method,
            f"{self.hub.url}/hub/api{path}",
            headers=headers,
            timeout=kwargs.pop("timeout", 30),
            verify=self.hub.verify,
            **kwargs,
        )

    def server_state(self) -> dict[str, Any]:
        return self.api("GET", f"/users/{self.name}").json()["servers"].get("", {})

    def spawn(self, timeout: float = 180) -> float:
        """Request a server and wait until the hub reports it ready; seconds it took."""
        started = time.monotonic()
        response = self.api("POST", f"/users/{self.name}/server")
        if response.status_code not in (201, 202):
            raise RuntimeError(
                f"spawn of {self.name} failed: HTTP {response.status_code} {response.text}"
            )
        return self.wait_ready(started, timeout)

    def wait_ready(self, started: float, timeout: float = 180, every: float = 0.1) -> float:
        """Poll the hub every ``every`` s until the server is ready (or its spawn failed)."""
        while time.monotonic() - started < timeout:
            state = self.server_state()
            if state.get("ready"):
                return time.monotonic() - started
            if (
                not state.get("pending")
                and not state.get("ready")
                and time.monotonic() - started > 2
            ):
                raise RuntimeError(f"spawn of {self.name} failed:\n{self.hub.log_tail()}")
            time.sleep(every)
        raise TimeoutError(
            f"server of {self.name} not ready in {timeout} s:\n{self.hub.log_tail()}"
        )

    def progress_events(self, into: list[dict] | None = None, timeout: float = 300) -> list[dict]:
        """The spawn's progress events, as the spawn-pending page receives them (the hub's
        event stream), until the last one (ready or failed); appended to ``into`` as they
        come, so another thread can watch. One open request instead of status polling."""
        events = [] if into is None else into
        deadline = time.monotonic() + timeout
        response = self.api(
            "GET", f"/users/{self.name}/server/progress", stream=True, timeout=timeout
        )
        # the hub writes an empty keep-alive every 8 s, so a read never times out: the
        # deadline is checked per line
        for line in response.iter_lines(decode_unicode=True):
            if time.monotonic() > deadline:
                response.close()
                raise TimeoutError(f"{self.name}'s progress stream still open after {timeout} s")
            if line and line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("ready") or events[-1].get("failed"):
                    break
        return events

    def stop_server(self, timeout: float = 180) -> None:
        # The hub answers the DELETE once the container stopped or its slow-stop timeout
        # passed; with several test runs sharing a 2-core machine and its podman service
        # that has taken over a minute (seen in test_workspace_exits*).
        self.api("DELETE", f"/users/{self.name}/server", timeout=timeout)
        deadline = time.monotonic() + timeout
        while self.server_state() and time.monotonic() < deadline:
            time.sleep(0.3)

    def server_url(self, path: str = "") -> str:
        return f"{self.hub.url}/user/{self.name}/{path}"

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET a path of the user's own server through the proxy, with their token."""
        return requests.get(
            self.server_url(path),
            headers={"Authorization": f"token {self.token}"},
            timeout=30,
            verify=self.hub.verify,
            **kwargs,
        )

    def run_code(self, code: str, timeout: float = 60, kernel: str | None = None) -> str:
        """Run ``code`` in a new kernel (``kernel``, else the server's default) over its
        websocket; return stdout (raise on error). The kernel is shut down afterwards."""
        return self.run_cells([code], timeout, kernel)[0]

    def run_cells(self, cells: list[str], timeout: float = 60, kernel: str | None = None):
        """Run ``cells`` one after another in one new kernel, as a notebook does; return
        each cell's stdout (raise on the first error). The kernel is shut down afterwards."""
        headers = {"Authorization": f"token {self.token}"}
        body = {"name": kernel} if kernel else {}
        created = requests.post(
            self.server_url("api/kernels"),
            headers=headers,
            json=body,
            timeout=120,
            verify=self.hub.verify,
        )
        created.raise_for_status()
        kernel_id = created.json()["id"]
        ws_url = (
            self.hub.url.replace("http", "ws")
            + f"/user/{self.name}/api/kernels/{kernel_id}/channels"
        )
        try:
            return [_execute(ws_url, headers, code, timeout, self.hub.verify) for code in cells]
        finally:
            requests.delete(
                self.server_url(f"api/kernels/{kernel_id}"),
                headers=headers,
                timeout=60,
                verify=self.hub.verify,
            )


def _execute(
    ws_url: str, headers: dict[str, str], code: str, timeout: float, verify: str | bool = True
) -> str:
    """Send one execute_request and collect its stream output until the kernel is done."""
    conn = websocket.create_connection(
        ws_url,
        header=[f"{k}: {v}" for k, v in headers.items()],
        timeout=timeout,
        sslopt={"ca_certs": verify} if isinstance(verify, str) else None,
    )
    msg_id = uuid.uuid4().hex
    conn.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "test",
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                },
            }
        )
    )
    # The reply comes on the shell channel, output on iopub: their order is not fixed, so
    # the cell is done only when both the reply and iopub's "idle" for it have arrived.
    out, deadline = [], time.monotonic() + timeout
    replied = idle = False
    try:
        while time.monotonic() < deadline and not (replied and idle):
            msg = json.loads(conn.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise RuntimeError(f"{content['ename']}: {content['evalue']}")
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        if not (replied and idle):
            raise TimeoutError("the cell did not finish (reply and idle) within the timeout")
        return "".join(out)
    finally:
        conn.close()


class Canary:
    """A listener on a host loopback port that no container may reach; counts connections.

    Proves "no egress": a test offers the port to code in a container and asserts both
    that the attempt failed and that the listener saw nothing."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
        self.sock.bind((address, 0))  # "::1": the host's IPv6 loopback
        self.sock.listen(8)
        self.port, self.hits = self.sock.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def new_prefix(kind: str = "t") -> str:
    """A container prefix unique to this run, so runs never touch each other's servers."""
    return f"kimed{kind}{uuid.uuid4().hex[:6]}"
