"""A stand-in portal for the widgets' unit tests: a real HTTP server on loopback that
answers with canned JSON in the API contract's shapes and records every call.

What it proves: the client's HTTP handling (headers, encoding, error answers, timeouts,
redirects) and what the widgets send and show for given answers. What it does not
prove: that the real portal answers in these shapes or accepts what the widgets send;
tests/integration/test_widgets.py drives the same widgets against the real portal.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from kimed_widgets import PortalClient

API = "/services/portal/api/v1/"


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    body: object


@dataclass
class Answer:
    """What the stand-in replies: status, body (JSON-encoded unless bytes), headers."""

    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class StubPortal:
    """Routes ``(method, path below the API)`` to answers (or callables of the Call)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], object] = {}
        self.calls: list[Call] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                url = urlsplit(self.path)
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size) if size else b""
                call = Call(
                    self.command,
                    url.path.removeprefix(API),
                    parse_qsl(url.query),
                    dict(self.headers.items()),
                    json.loads(raw) if raw else None,
                )
                stub.calls.append(call)
                answer = stub.routes.get(
                    (self.command, call.path),
                    Answer(404, {"error": "not_found", "message": f"no route {call.path}"}),
                )
                if callable(answer):
                    answer = answer(call)
                time.sleep(answer.delay)
                body = (
                    answer.body
                    if isinstance(answer.body, bytes)
                    else json.dumps(answer.body).encode()
                )
                try:
                    self._reply(answer, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout tests): nothing to answer

            def _reply(self, answer: Answer, body: bytes) -> None:
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_any

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{API}"

    def client(self, **kwargs) -> PortalClient:
        return PortalClient(base_url=self.url, token="secret-token", **kwargs)

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if (c.method, c.path) == (method, path)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal():
    stub = StubPortal()
    yield stub
    stub.close()
