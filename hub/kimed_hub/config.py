"""Everything ``hub/jupyterhub_config.py`` sets, in one function per concern.

Called once at hub start-up. Any invalid policy or setting raises before the hub binds a
port, so a misconfigured workbench never starts half-secured.
"""

from __future__ import annotations

import logging

from . import images
from .accounts import ensure_demo_accounts
from .policy import load_policy, security_profile
from .proxy import proxy_command
from .runtime import ContainerRuntime, detect
from .settings import Settings

log = logging.getLogger(__name__)

# Inside a slirp4netns container this address is the host's 127.0.0.1.
SLIRP_HOST = "10.0.2.2"
DOCKER_USER_NETWORK = "kimed-users"


def configure(c, settings: Settings | None = None) -> None:
    """Set the hub's configuration object ``c`` for this deployment."""
    settings = settings or Settings.from_env()
    security_profile()  # validate now: a bad policy must stop start-up, not the first spawn
    runtime = detect()
    configure_hub(c, settings)
    configure_accounts(c, settings)
    configure_spawner(c, settings, runtime)
    apply_site_config(c, settings)


def configure_hub(c, settings: Settings) -> None:
    """Ports (loopback only), database, secrets, proxy."""
    state = settings.state
    c.JupyterHub.bind_url = settings.public_url
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [str(proxy_command())]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.template_vars = {
        "announcement_login": "KIMed Workbench: secure research workbench"
    }
    c.Spawner.default_url = "/lab"


def configure_accounts(c, settings: Settings) -> None:
    """Local demo accounts and their groups (the embedded default)."""
    accounts = ensure_demo_accounts(settings.state)
    c.JupyterHub.authenticator_class = "kimed-local"
    c.LocalAccountsAuthenticator.accounts_file = str(settings.state / "accounts.json")
    c.Authenticator.allowed_users = set(accounts)
    c.Authenticator.admin_users = {name for name, a in accounts.items() if a.get("admin")}
    groups: dict[str, list[str]] = {}
    for name, account in sorted(accounts.items()):
        for group in account["groups"]:
            groups.setdefault(group, []).append(name)
    c.JupyterHub.load_groups = {group: {"users": users} for group, users in groups.items()}


def configure_spawner(c, settings: Settings, runtime: ContainerRuntime) -> None:
    """WorkbenchSpawner on the detected runtime; the network follows the runtime."""
    c.JupyterHub.spawner_class = "workbench"
    spawner = c.WorkbenchSpawner
    spawner.image = images.singleuser_image_ref()
    spawner.pull_policy = "never"  # images are built locally; no registry is reachable
    spawner.client_kwargs = {"base_url": runtime.base_url}
    spawner.prefix = settings.prefix
    spawner.hub_api_port = settings.hub_port
    spawner.proxy_port = settings.public_port
    spawner.start_timeout = 120
    spawner.http_timeout = 90
    spawner.host_ip = "127.0.0.1"
    if runtime.kind == "podman":
        # shared/PLATFORM.md: slirp4netns, host loopback through 10.0.2.2, egress rules.
        spawner.network_name = "slirp4netns:allow_host_loopback=true"
        spawner.use_internal_ip = False
        spawner.hub_connect_url = f"http://{SLIRP_HOST}:{settings.hub_port}"
    else:
        configure_docker_network(c, settings, runtime)


def configure_docker_network(c, settings: Settings, runtime: ContainerRuntime) -> None:
    """Docker engine hosts: an internal bridge network (no route out); the hub API listens
    on that bridge's gateway so containers reach it and nothing else.

    Not exercised on the project's own machines (no Docker engine there)."""
    import docker  # local import: only Docker hosts need a client at config time

    client = docker.DockerClient(base_url=runtime.base_url)
    existing = client.networks.list(names=[DOCKER_USER_NETWORK])
    network = (
        existing[0]
        if existing
        else client.networks.create(DOCKER_USER_NETWORK, driver="bridge", internal=True)
    )
    gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
    c.JupyterHub.hub_ip = gateway
    spawner = c.WorkbenchSpawner
    spawner.network_name = DOCKER_USER_NETWORK
    spawner.use_internal_ip = True
    spawner.egress_firewall = False  # the internal network has no route out
    spawner.hub_connect_url = f"http://{gateway}:{settings.hub_port}"


def apply_site_config(c, settings: Settings) -> None:
    """The operator's site file, last: ``{Class: {trait: value}}``."""
    for section, values in settings.site_config.items():
        for trait, value in values.items():
            setattr(getattr(c, section), trait, value)


def check_policies() -> list[str]:
    """Validate every policy the hub uses; return their names (raises on the first bad one)."""
    names = ["container-security", "demo-accounts"]
    for name in names:
        load_policy(name)
    return names
