"""Everything ``hub/jupyterhub_config.py`` sets, in one function per concern.

Called once at hub start-up. Any invalid policy or setting raises before the hub binds a
port, so a misconfigured workbench never starts half-secured. Config code only sets.
"""

from __future__ import annotations

import sys

from . import images
from .identity import configure_identity
from .policies import RolesPolicy, SessionsPolicy, check_all, roles_policy, sessions_policy
from .proxy import proxy_command
from .runtime import ContainerRuntime, detect
from .settings import Settings

# Inside a slirp4netns container this address is the host's 127.0.0.1.
SLIRP_HOST = "10.0.2.2"
DOCKER_USER_NETWORK = "kimed-users"
# What a server's own token needs whatever else it gets (JupyterHub's "server" role).
SERVER_BASE_SCOPES = ["users:activity!user", "access:servers!server"]
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


def configure(c, settings: Settings | None = None) -> None:
    """Set the hub's configuration object ``c`` for this deployment."""
    settings = settings or Settings.from_env()
    check_all()  # every policy, and the rules across them: fail before binding a port
    roles, sessions = roles_policy(), sessions_policy()
    runtime = detect()
    configure_hub(c, settings)
    configure_identity(c, settings, roles, sessions)
    configure_roles(c, roles)
    configure_sessions(c, sessions)
    configure_services(c, settings, sessions)
    configure_spawner(c, settings, runtime, roles)
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


def configure_roles(c, roles: RolesPolicy) -> None:
    """Custom scopes and roles from policies/roles.yaml, plus the managed services' roles."""
    c.JupyterHub.custom_scopes = roles.hub_custom_scopes()
    from .portal_service.wiring import SERVICE_NAME, SERVICE_SCOPES, training_service_scopes

    culler = {"name": "kimed-idle-culler", "scopes": CULLER_SCOPES, "services": ["idle-culler"]}
    from .training.policy import training_policy

    scopes = [*SERVICE_SCOPES, *training_service_scopes(training_policy().trainee_group)]
    portal = {"name": "kimed-portal", "scopes": scopes, "services": [SERVICE_NAME]}
    c.JupyterHub.load_roles = [*roles.hub_roles(), culler, portal]


def configure_sessions(c, sessions: SessionsPolicy) -> None:
    """Servers per user (the idle culler's timeouts: idle_culler_service)."""
    c.JupyterHub.allow_named_servers = sessions.named_servers
    c.JupyterHub.named_server_limit_per_user = sessions.max_running_per_user


def configure_services(c, settings: Settings, sessions: SessionsPolicy) -> None:
    """The managed services, set once: the idle culler, the package index (routed by the
    proxy at /services/package-index/; the spawner gives pip its URL) and the portal
    (/services/portal/; the spawner reads its grants and gives the widgets its URL).
    Their roles: configure_roles."""
    from . import package_index, portal_service
    from .portal_service.training_wiring import training_environment

    c.JupyterHub.services = [
        idle_culler_service(sessions),
        package_index.service_definition(),
        portal_service.service_definition(
            settings.portal_db_url,
            settings.portal_demo,
            portal_service.airlock_options(settings.prefix, detect().base_url),
            training_environment(settings),
        ),
    ]


def idle_culler_service(sessions: SessionsPolicy) -> dict:
    """jupyterhub-idle-culler with the timeouts of policies/sessions.yaml."""
    return {
        "name": "idle-culler",
        "display": False,
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={sessions.idle_timeout}",
            f"--cull-every={sessions.cull_every}",
            f"--max-age={sessions.max_age}",
        ],
    }


def configure_spawner(c, settings: Settings, runtime: ContainerRuntime, roles: RolesPolicy) -> None:
    """WorkbenchSpawner on the detected runtime; the network follows the runtime."""
    c.JupyterHub.spawner_class = "workbench"
    spawner = c.WorkbenchSpawner
    spawner.image = images.singleuser_image_ref()
    spawner.image_variants = {"gpu": images.singleuser_image_ref("gpu")}
    spawner.dataset_root = str(settings.dataset_root)
    spawner.portal_db_url = settings.portal_db_url
    spawner.pull_policy = "never"  # images are built locally; no registry is reachable
    spawner.client_kwargs = {"base_url": runtime.base_url}
    spawner.runtime_kind = runtime.kind
    spawner.prefix = settings.prefix
    spawner.hub_api_port = settings.hub_port
    spawner.proxy_port = settings.public_port
    spawner.start_timeout = 120
    spawner.http_timeout = 90
    spawner.host_ip = "127.0.0.1"
    spawner.server_token_scopes = [*SERVER_BASE_SCOPES, *roles.server_token_scopes]
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
    network.reload()
    if not network.attrs.get("Internal"):
        # Reused by name: it must still have no route out (the spawner checks it again
        # at every spawn, since the egress firewall is off on this network).
        raise RuntimeError(
            f"Docker network {DOCKER_USER_NETWORK!r} exists but is not internal, so user "
            f"containers on it could reach the internet. Remove it (docker network rm "
            f"{DOCKER_USER_NETWORK}) and start again; the workbench creates it internal."
        )
    gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
    c.JupyterHub.hub_ip = gateway
    spawner = c.WorkbenchSpawner
    spawner.network_name = DOCKER_USER_NETWORK
    spawner.use_internal_ip = True
    spawner.egress_firewall = False  # verified internal here and at every spawn
    spawner.hub_connect_url = f"http://{gateway}:{settings.hub_port}"


def apply_site_config(c, settings: Settings) -> None:
    """The operator's site file, last: ``{Class: {trait: value}}``."""
    for section, values in settings.site_config.items():
        for trait, value in values.items():
            setattr(getattr(c, section), trait, value)
