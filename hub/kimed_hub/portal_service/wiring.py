"""How the hub runs the portal service and how notebooks in user containers find it.

``service_definition`` is the managed service the hub starts (config.configure_services);
``portal_env`` is what the spawner adds to each container's environment so the widgets
reach the portal through the proxy with the server's own token.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

from ..host_ports import service_port
from ..paths import policies_dir
from ..settings import SettingsError

SERVICE_NAME = "portal"
SERVICE_PREFIX = f"/services/{SERVICE_NAME}/"
API_PATH = f"{SERVICE_PREFIX}api/v1/"
PORT_ENV = "KIMED_PORTAL_PORT"
#: Seconds between the portal's runs that expire grants past their end date and stop
#: the servers that hold them (``KIMED_PORTAL_EXPIRE_EVERY`` overrides).
EXPIRE_EVERY_ENV = "KIMED_PORTAL_EXPIRE_EVERY"
EXPIRE_EVERY_DEFAULT = 60.0
#: Scopes the portal checks; the hub puts those a user holds into the portal's OAuth
#: tokens (``oauth_client_allowed_scopes``), so the service sees what its caller may do.
PORTAL_SCOPES = [
    "custom:kimed:read:catalogue",
    "custom:kimed:write:catalogue",
    "custom:kimed:submit:access-requests",
    "custom:kimed:check:access-requests",
    "custom:kimed:decide:access-requests",
    "custom:kimed:read:audit-log",
    "custom:kimed:submit:export-requests",
    "custom:kimed:review:export-requests",
    "custom:kimed:run:workshops",
]
#: What the portal itself may do in the hub: see and stop the servers of people whose
#: grant was revoked or expired (their mounts must go at once, not at the next spawn).
#: ``read:servers`` lets it read a named user's servers (GET /users/{name}) and
#: ``delete:servers`` stop them; it cannot start servers, list users or read more.
SERVICE_SCOPES = ["read:servers", "delete:servers"]


def training_service_scopes(trainee_group: str) -> list[str]:
    """What the portal needs in the hub to run workshops (``training_ops``): create and
    delete temporary accounts and workshop groups, read who is in which group, start and
    stop the servers of members of the trainee group, and give those members short-lived
    tokens for their own server (a server does not resolve ``access:servers!group=``, so
    the portal reads and writes course files with the trainee's token): never a
    researcher's server (enrolment refuses anyone outside that group)."""
    return [
        "admin:users",
        "admin:groups",
        "read:users:groups",
        "read:users:activity",
        f"servers!group={trainee_group}",
        f"tokens!group={trainee_group}",
    ]


def expire_every() -> float:
    """``KIMED_PORTAL_EXPIRE_EVERY`` seconds (at least 1), else the default."""
    raw = os.environ.get(EXPIRE_EVERY_ENV, "")
    if not raw:
        return EXPIRE_EVERY_DEFAULT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0
    if not seconds >= 1:
        raise SettingsError(f"{EXPIRE_EVERY_ENV}={raw!r}: give a number of seconds, at least 1.")
    return seconds


def service_definition(
    db_url: str, load_demo: bool, airlock: list[str] = (), environment: dict | None = None
) -> dict:
    """The hub-managed service. Managed services start with an almost empty environment,
    so the database URL, the policies folder and the airlock's options
    (``airlock_options``) are passed as options; ``environment`` adds what the training
    part needs (``training_wiring.training_environment``)."""
    command = [
        sys.executable,
        "-m",
        "kimed_hub.portal_service",
        "--db-url",
        db_url,
        "--policies-dir",
        str(policies_dir()),
        "--expire-every",
        str(expire_every()),
        *airlock,
    ]
    return {
        "name": SERVICE_NAME,
        "url": f"http://127.0.0.1:{service_port(PORT_ENV)}",
        "display": True,
        "info": {"description": "Datasets, algorithms and access requests"},
        "oauth_no_confirm": True,
        # It loads the demo catalogue (SHACL) before it answers: on a busy 2-core host that
        # took over JupyterHub's default 30 s, and the hub then refuses to start.
        "timeout": 120,
        "oauth_client_allowed_scopes": PORTAL_SCOPES,
        "command": command + (["--load-demo"] if load_demo else []),
        "environment": dict(environment or {}),
    }


def airlock_options(prefix: str, runtime_url: str) -> list[str]:
    """The airlock's folder (snapshots, releases: beside the hub's data, never a user's)
    and where the home volumes are (the runtime and the volume names the spawner uses)."""
    from ..paths import hub_data_dir
    from ..policies import security_profile

    template = security_profile().home_volume_template
    return [
        "--airlock-dir",
        str(hub_data_dir() / "airlock"),
        "--runtime-url",
        runtime_url,
        "--home-volume",
        template.replace("{prefix}", prefix),
    ]


def portal_env(hub_connect_url: str | None, proxy_port: int) -> dict[str, str]:
    """``KIMED_PORTAL_URL`` inside a user container: the portal's API through the proxy,
    on the host address the container reaches the hub by. The widgets send the server's
    own token ($JUPYTERHUB_API_TOKEN) with each call."""
    host = urlparse(hub_connect_url or "").hostname
    if not host:
        return {}  # no route known: the widgets then say the portal is not reachable
    return {"KIMED_PORTAL_URL": f"http://{host}:{proxy_port}{API_PATH}"}
