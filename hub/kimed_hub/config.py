"""Everything ``hub/jupyterhub_config.py`` sets, in one function per concern.

Called once at hub start-up. Any invalid policy or setting raises before the hub binds a
port, so a misconfigured workbench never starts half-secured. Config code only sets.
"""

from __future__ import annotations

import sys

from . import images
from .identity import configure_identity
from .policies import (
    RolesPolicy,
    SessionsPolicy,
    check_all,
    roles_policy,
    security_profile,
    sessions_policy,
)
from .production.mode import ContainerGateway, configure_mode, container_gateway
from .production.systemd import configure_proxy_mode
from .proxy import proxy_command
from .runtime import ContainerRuntime, detect
from .server_images import built_images, image_notice
from .service_supervision import supervised
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
    configure_mode(c, settings)  # production: TLS, secure cookies, HSTS, no demo
    configure_proxy_mode(c)  # the proxy in a systemd unit of its own (kimed install)
    configure_identity(c, settings, roles, sessions)
    configure_roles(c, roles)
    configure_sessions(c, sessions)
    services = managed_services(settings, sessions)
    gateway = container_gateway(settings, services)  # with TLS: containers' HTTP way in
    configure_services(c, services, gateway)
    configure_spawner(c, settings, runtime, roles)
    configure_consent_audit(c, services)
    apply_site_config(c, settings)


def configure_hub(c, settings: Settings) -> None:
    """Ports (loopback only), database, secrets, proxy."""
    state = settings.state
    c.JupyterHub.bind_url = settings.bind_url
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [str(proxy_command())]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.template_vars = {
        "announcement_login": "KIMed Workbench: secure research workbench",
        # after an image change: "your server runs X; restarting gives you Y"
        "announcement_home": image_notice,
        "announcement_spawn": image_notice,
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


def configure_consent_audit(c, services: list[dict], spawner_class: str = "WorkbenchSpawner"):
    """The hub's own service token for the portal's consent audit endpoint (a new one at
    every start; consent_audit.py): the service, its role, its scope, and the spawner's
    address and token for the call (``spawner_class``: the Kubernetes values pass
    ``WorkbenchKubeSpawner``)."""
    from .consent_audit import hub_wiring
    from .portal_address import SERVICE_NAME

    portal_url = next(s["url"] for s in services if s["name"] == SERVICE_NAME)
    service, role, scope, spawner = hub_wiring(portal_url)
    c.JupyterHub.services = [*c.JupyterHub.services, service]
    c.JupyterHub.load_roles = [*c.JupyterHub.load_roles, role]
    c.JupyterHub.custom_scopes = {**c.JupyterHub.custom_scopes, **scope}
    for name, value in spawner.items():
        setattr(c[spawner_class], name, value)


def configure_sessions(c, sessions: SessionsPolicy) -> None:
    """Servers per user and admission of spawns (the idle culler's timeouts:
    idle_culler_service). The queue (spawn_queue.py) admits ``concurrent_starts`` at a
    time; JupyterHub's ``concurrent_spawn_limit`` stays the outer guard: beyond
    ``max_pending`` waiting or starting spawns, new ones get HTTP 429 with "Too many users
    trying to log in right now. Try again in ..." and a Retry-After header."""
    c.JupyterHub.allow_named_servers = sessions.named_servers
    c.JupyterHub.named_server_limit_per_user = sessions.max_running_per_user
    c.JupyterHub.concurrent_spawn_limit = sessions.max_pending
    spawner = c.WorkbenchSpawner
    spawner.concurrent_starts = sessions.concurrent_starts
    spawner.admitted_start_timeout = sessions.start_timeout
    spawner.max_queue_wait = sessions.max_queue_wait
    # The hub's own timeout covers the queue wait and the start (spawn_admission.py).
    spawner.start_timeout = sessions.max_queue_wait + sessions.start_timeout


def managed_services(settings: Settings, sessions: SessionsPolicy) -> list[dict]:
    """The managed services: the idle culler, the package index (routed by the proxy at
    /services/package-index/; the spawner gives pip its URL) and the portal
    (/services/portal/; the spawner reads its grants and gives the widgets its URL).
    Their roles: configure_roles."""
    from . import package_index, portal_service
    from .portal_service.training_wiring import training_environment

    return [
        idle_culler_service(sessions),
        package_index.service_definition(),
        portal_service.service_definition(
            settings.portal_db_url,
            settings.portal_demo,
            portal_service.airlock_options(
                settings.prefix,
                detect(),
                images.singleuser_image_ref(),
                settings.dataset_root,
                gpu_image=images.singleuser_image_ref("gpu"),
            ),
            data_dir=settings.dataset_root,
            environment=training_environment(settings),
        ),
    ]


def configure_services(c, services: list[dict], gateway: ContainerGateway | None) -> None:
    """Set the services once, each ending with the hub and within 2 s of SIGINT/SIGTERM
    (service_supervision.py); with TLS, the containers' gateway too (its own launcher)."""
    supervised_services = [{**s, "command": supervised(s["command"])} for s in services]
    c.JupyterHub.services = supervised_services + ([gateway.service] if gateway else [])


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


def configure_spawner(
    c,
    settings: Settings,
    runtime: ContainerRuntime,
    roles: RolesPolicy,
) -> None:
    """WorkbenchSpawner on the detected runtime; the network follows the runtime.
    Containers reach the proxy on the public port, or through the gateway with TLS: the
    spawner reads both from the hub itself (WorkbenchSpawner.peer_ports)."""
    c.JupyterHub.spawner_class = "workbench"
    spawner = c.WorkbenchSpawner
    built = built_images()
    spawner.image = built["cpu"]
    spawner.image_variants = {"gpu": built["gpu"]}
    spawner.dataset_root = str(settings.dataset_root)
    spawner.portal_db_url = settings.portal_db_url
    spawner.pull_policy = "never"  # images are built locally; no registry is reachable
    spawner.client_kwargs = {"base_url": runtime.base_url}
    spawner.runtime_kind = runtime.kind
    spawner.prefix = settings.prefix
    spawner.http_timeout = 90
    spawner.host_ip = "127.0.0.1"
    spawner.server_token_scopes = [*SERVER_BASE_SCOPES, *roles.server_token_scopes]
    if runtime.kind == "podman":
        # shared/PLATFORM.md: slirp4netns, host loopback through 10.0.2.2, egress rules.
        spawner.network_name = slirp4netns_mode(security_profile().allow_ipv6)
        spawner.use_internal_ip = False
        spawner.hub_connect_url = f"http://{SLIRP_HOST}:{settings.hub_port}"
    else:
        configure_docker_network(c, settings, runtime)


def slirp4netns_mode(allow_ipv6: bool) -> str:
    """The podman network mode: host loopback through 10.0.2.2 (only the egress rules'
    ports are open), and, where the policy's ``network.allow_ipv6`` is false, no IPv6 at
    all: slirp4netns otherwise gives the container a global fd00::/64 address, a default
    route, and fd00::2 lands on the host's ::1 (seen here). The egress rules close IPv6
    as well; this takes the address and the route away (tests/integration/test_workbench.py)."""
    return "slirp4netns:allow_host_loopback=true" + ("" if allow_ipv6 else ",enable_ipv6=false")


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
