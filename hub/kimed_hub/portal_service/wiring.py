"""How the hub runs the portal service and how notebooks in user containers find it.

``service_definition`` is the managed service the hub starts (config.configure_services);
what each container's environment gets so the widgets reach the portal is in
:mod:`kimed_hub.portal_address` (the spawner imports that, never this package).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..host_ports import service_port
from ..paths import dataset_root, policies_dir, state_dir
from ..portal_address import SERVICE_NAME
from ..settings import SettingsError
from ..trust_centre import DIR_ENV as TRUST_CENTRE_DIR_ENV
from ..trust_centre import trust_centre_dir

PORT_ENV = "KIMED_PORTAL_PORT"
#: The portal's database URL, in the service's environment only (never on its command line).
DB_URL_ENV = "KIMED_PORTAL_DB_URL"
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
    "custom:kimed:query:feasibility",
    "custom:kimed:run:workshops",
    "custom:kimed:run:synthesis-jobs",
    "custom:kimed:operate:trust-centre",
]
#: What the portal itself may do in the hub, for the reconciliation of running servers
#: with the grants in force (``enforcement.py``): list the users with running servers
#: (``list:users``), see their servers (``read:servers``) and the mounts the spawner
#: recorded in each server's state (``admin:server_state``; the state also holds the
#: container id, GPUs and port, nothing secret), and stop them (``delete:servers``). It
#: cannot start servers, read tokens, change users or groups. The airlock's re-run reads a
#: requester's groups (``read:users:groups``) and last spawn options (``read:servers``) to
#: run their notebook with the profile their groups permit (``airlock.rerun_plan``).
SERVICE_SCOPES = [
    "list:users",
    "read:servers",
    "admin:server_state",
    "delete:servers",
    "read:users:groups",
]


#: Seconds the hub waits for the portal to answer after starting it (JupyterHub's default,
#: 30 s, is too short on a loaded 2-core machine: importing the policy validation alone
#: took 27 s there); the hub gives up and exits past it.
START_TIMEOUT = 180


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
    db_url: str,
    load_demo: bool,
    airlock: list[str] = (),
    data_dir: Path | None = None,
    environment: dict | None = None,
) -> dict:
    """The hub-managed service. Managed services start with an almost empty environment:
    the database URL, which may carry a password, goes into the service's environment
    (``KIMED_PORTAL_DB_URL``; the hub logs the command line, never the environment), and
    so do the dataset folders (feasibility counts read the imported tables), the state
    folder (the feasibility noise key) and the trust centre's folder; the policies
    folder, the periods and the airlock's options (``airlock_options``) are plain
    options; ``environment`` adds what the training part needs
    (``training_wiring.training_environment``)."""
    command = [
        sys.executable,
        "-m",
        "kimed_hub.portal_service",
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
        "oauth_client_allowed_scopes": PORTAL_SCOPES,
        "timeout": START_TIMEOUT,
        "command": command + (["--load-demo"] if load_demo else []),
        "environment": {
            **(environment or {}),
            DB_URL_ENV: db_url,
            "KIMED_DATA_DIR": str(data_dir or dataset_root()),
            "KIMED_STATE_DIR": str(state_dir()),
            # The trust centre's folder (identifiers, key): the portal's process only.
            TRUST_CENTRE_DIR_ENV: str(trust_centre_dir()),
        },
    }


def airlock_options(
    prefix: str, runtime, image: str, dataset_root: Path, gpu_image: str = ""
) -> list[str]:
    """The airlock's folder (snapshots, releases: beside the hub's data, never a user's),
    where the home volumes are (the runtime, a ``runtime.ContainerRuntime``, and the volume
    names the spawner uses), and what the server-side re-run needs: the single-user
    image, the container name prefix, the dataset folders (the requester's grants are
    mounted read-only) and the spawner's copy of the seccomp profile; ``gpu_image``: the
    GPU variant, for requesters whose profile is a GPU profile."""
    from ..paths import hub_data_dir, state_dir
    from ..policies import security_profile

    template = security_profile().home_volume_template
    return [
        "--airlock-dir",
        str(hub_data_dir() / "airlock"),
        "--runtime-url",
        runtime.base_url,
        "--runtime-kind",
        runtime.kind,
        "--home-volume",
        template.replace("{prefix}", prefix),
        "--rerun-image",
        image,
        "--container-prefix",
        prefix,
        "--dataset-root",
        str(dataset_root),
        "--seccomp-dir",
        str(state_dir() / "seccomp"),
        *(["--rerun-gpu-image", gpu_image] if gpu_image else []),
    ]
