"""How the hub runs the package index and how pip in a user container finds it.

``service_definition`` is the managed service the hub starts (``configure_package_index``
in config.py adds it); ``pip_env`` is what the spawner adds to each container's
environment. Both are small on purpose: everything else lives in the service.
"""

from __future__ import annotations

import sys
from urllib.parse import urlparse

from ..host_ports import service_port
from ..paths import policies_dir

SERVICE_NAME = "package-index"
SERVICE_PREFIX = f"/services/{SERVICE_NAME}/"
INDEX_PATH = f"{SERVICE_PREFIX}simple/"
PORT_ENV = "KIMED_PACKAGE_INDEX_PORT"


def service_definition() -> dict:
    """The hub-managed service: its command, its loopback URL (routed by the proxy at
    ``/services/package-index/``) and what it serves. Managed services start with an
    almost empty environment, so the wheelhouse and the policies are passed as options."""
    from ..images import package_index_env  # local import: the hub config imports this

    return {
        "name": SERVICE_NAME,
        "url": f"http://127.0.0.1:{service_port(PORT_ENV)}",
        "display": False,
        "command": [
            sys.executable,
            "-m",
            "kimed_hub.package_index",
            "--wheelhouse",
            str(package_index_env().wheelhouse),
            "--policies-dir",
            str(policies_dir()),
        ],
    }


def pip_env(hub_connect_url: str | None, proxy_port: int, token: str) -> dict[str, str]:
    """pip's settings inside a user container: the index through the proxy, on the host
    the container reaches the hub by, with the server's token as basic-auth password.

    The connection is plain HTTP, but it never leaves the host: it goes from the
    container's namespace to the host's loopback (slirp4netns) or the internal bridge."""
    host = urlparse(hub_connect_url or "").hostname
    if not host or not token:
        return {}  # no route to the index known: pip then fails rather than guessing
    netloc = f"{host}:{proxy_port}"
    return {
        "PIP_INDEX_URL": f"http://__token__:{token}@{netloc}{INDEX_PATH}",
        "PIP_TRUSTED_HOST": netloc,  # plain HTTP is fine on this path; pip asks to be told
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",  # no "new pip available" lookups
        "PIP_NO_INPUT": "1",
    }
