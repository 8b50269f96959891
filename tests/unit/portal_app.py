"""The portal's Tornado app on a loopback port without a hub, for page and API tests.

The hub's login is replaced by two headers (``X-Test-User``, ``X-Test-Scopes``) and
XSRF checks of form posts are off: both are proven with the real hub and a real browser
(``tests/browser/test_portal_journey.py``, ``tests/integration``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from tornado.ioloop import IOLoop

from kimed_hub.portal_service import auth, pages
from kimed_hub.portal_service.app import Portal, make_app
from kimed_hub.testing import free_port


def fake_login(handler):
    """The caller named by the test's headers (None: not logged in). With ``X-Test-Token``
    the call counts as token-authenticated (no XSRF check), as the hub's token logins do."""
    name = handler.request.headers.get("X-Test-User")
    handler._token_authenticated = "X-Test-Token" in handler.request.headers
    scopes = handler.request.headers.get("X-Test-Scopes", "")
    return {"name": name, "scopes": scopes.split(",")} if name else None


@contextmanager
def served(portal: Portal) -> Iterator[str]:
    """Serve ``portal`` on a free port in a thread; yields ``.../services/portal/``."""
    port, ready, loop_box = free_port(), threading.Event(), {}

    def serve():
        asyncio.set_event_loop(asyncio.new_event_loop())
        make_app(portal).listen(port, "127.0.0.1")
        loop_box["loop"] = IOLoop.current()
        ready.set()
        loop_box["loop"].start()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth.PortalHandler, "get_current_user", fake_login)
        patch.setattr(pages.PageHandler, "check_xsrf_cookie", lambda handler: None)
        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)
        try:
            yield f"http://127.0.0.1:{port}/services/portal/"
        finally:
            loop_box["loop"].add_callback(loop_box["loop"].stop)


def call(url: str, who, path="", method="GET", headers=None, **kwargs) -> requests.Response:
    """One request as ``who`` (name, comma-separated scopes; None: no login)."""
    headers = dict(headers or {})
    headers.update({"X-Test-User": who[0], "X-Test-Scopes": who[1]} if who else {})
    return requests.request(
        method, url + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
    )
