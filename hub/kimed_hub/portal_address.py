"""Where the portal service lives, for those outside it: the hub's wiring and the spawner.

Kept apart from :mod:`kimed_hub.portal_service` (the web layer) so that the spawner can
tell containers the portal's address without importing the service (see
``docs/portal.md``, "The hub/portal boundary").
"""

from __future__ import annotations

from urllib.parse import urlparse

SERVICE_NAME = "portal"
SERVICE_PREFIX = f"/services/{SERVICE_NAME}/"
API_PATH = f"{SERVICE_PREFIX}api/v1/"


def portal_env(hub_connect_url: str | None, proxy_port: int) -> dict[str, str]:
    """``KIMED_PORTAL_URL`` inside a user container: the portal's API through the proxy,
    on the host address the container reaches the hub by. The widgets send the server's
    own token ($JUPYTERHUB_API_TOKEN) with each call."""
    host = urlparse(hub_connect_url or "").hostname
    if not host:
        return {}  # no route known: the widgets then say the portal is not reachable
    return {"KIMED_PORTAL_URL": f"http://{host}:{proxy_port}{API_PATH}"}
