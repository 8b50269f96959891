"""``WorkbenchSpawner``: DockerSpawner with the policies enforced and verified.

What it adds to DockerSpawner, hook by hook:

* locked-down settings from ``policies/container-security.yaml`` (read-only root, no
  capabilities, no-new-privileges, non-root user, /dev/shm size, tmpfs /tmp, one persistent
  home volume per user, ``remove``) and limits from the resource profile the user chose
  among those ``policies/roles.yaml`` allows their groups (``policies/profiles.yaml``);
* spawn options: only a permitted profile name; anything else is refused;
* GPU profiles: devices assigned by the hub, one server per device unless policy says so;
* ``start_object``: compare the created container with the one the policy expects
  (``container_expectations``, ``container_checks``) and refuse to start it on any
  difference; on podman hosts, initialise it, compare the runtime spec podman wrote
  (``oci_spec_checks``), write the egress rules (``firewall.py``) and only then start it.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import docker.errors
from dockerspawner import DockerSpawner
from jupyterhub.scopes import get_scopes_for
from tornado import web
from traitlets import Bool, Dict, Integer, List, Tuple, Unicode, default

from . import container_checks, firewall, gpus, oci_spec_checks, package_index, server_plan
from .access.grants import GrantsUnavailable, data_mount_path
from .consent_audit import ConsentAuditRefused, confirm
from .container_expectations import (
    ExpectedContainer,
    SpawnFacts,
    expected_container,
    host_has_cgroup_v1,
    seccomp_file,
    seccomp_option,
)
from .data_grants import MOUNTS_STATE_KEY, SYNTHETIC_SCOPE, DataMount, granted_mounts
from .database import default_url
from .host_ports import HOST_PORTS
from .interop.consent_mount import VIEWS
from .interop.consent_prune import prune_views
from .locked_container import OFFLINE_ENV, InitFailed, locked_host_config, podman_init
from .paths import state_dir
from .patient_poll import PatientPoll
from .policies import (
    ResourceProfile,
    SecurityProfile,
    resource_profiles,
    seccomp_profile,
    security_profile,
)
from .portal_address import portal_env
from .production.mode import gateway_port
from .runtime import reported_kind
from .server_images import ImageCurrency
from .spawn_admission import SpawnAdmission

#: Keys of this spawner's additions to the server state (``get_state``).
GPUS_STATE_KEY = "kimed_gpus"
PORT_STATE_KEY = "kimed_host_port"


class SpawnRefused(Exception):
    """A spawn stopped for a security reason; ``jupyterhub_message`` is shown to the user."""

    def __init__(self, log_message: str, user_message: str):
        super().__init__(log_message)
        self.jupyterhub_message = user_message


class WorkbenchSpawner(SpawnAdmission, PatientPoll, ImageCurrency, DockerSpawner):
    """Spawns locked-down per-user containers and refuses any that are not."""

    policies_dir = Unicode(
        "",
        config=True,
        help="Folder of the reviewed policy files; empty means the project's policies/.",
    )
    site_host_config = Dict(
        config=True,
        help="""Operator additions to the container's host config, merged AFTER the policy.
        Anything here that weakens a required control makes every spawn fail verification;
        use it for harmless additions (e.g. extra labels), not to relax the profile.""",
    )
    egress_firewall = Bool(
        True,
        config=True,
        help="""On podman hosts (slirp4netns networking), write egress rules into each
        container's network namespace before it starts. Turning this off leaves every
        loopback port of the host reachable from user code: never do so in production.""",
    )
    consent_view_grace = Integer(
        600,
        config=True,
        help="Seconds a new consent view is kept although no container mounts it yet (a "
        "spawn may have made it and not yet created its container); older views that no "
        "container mounts and no spawn reuses are removed after each start.",
    )
    host_port_range = Tuple(
        Integer(),
        Integer(),
        default_value=(20000, 29999),
        config=True,
        help="Host loopback ports user servers are published on (see host_ports.py).",
    )
    runtime_kind = Unicode(
        "podman", config=True, help="'docker' or 'podman': decides how GPUs are attached."
    )
    image_variants = Dict(
        Unicode(),
        config=True,
        help="""Image reference per image variant named in profiles.yaml ('cpu', 'gpu').
        The 'cpu' entry defaults to ``image``.""",
    )
    dataset_root = Unicode(
        "",
        config=True,
        help="""Host folder with one sub-folder per dataset (its identifier); an ACTIVE
        access grant mounts that sub-folder read-only at /data/<identifier>.""",
    )
    portal_db_url = Unicode(
        "",
        config=True,
        help="""The portal's database, read (only) for the user's grants at each spawn;
        empty means its default (``KIMED_PORTAL_DB_URL``, else SQLite in the hub's data
        folder). A database that cannot be read refuses the spawn.""",
    )
    consent_audit_url = Unicode(
        "",
        config=True,
        help="""The portal's consent audit endpoint; set by the hub's configuration at each
        start with :attr:`consent_audit_token` (consent_audit.py). Without them a
        consent-filtered mount is refused.""",
    )
    consent_audit_token = Unicode("", config=True, help="The hub's own token for it.")
    gpu_devices = List(
        Unicode(),
        config=True,
        help="GPU device IDs this hub may assign; default: what nvidia-smi lists on the host.",
    )

    # Set at each start() from the user's choice (see choose_profile and _assign_gpus).
    chosen_profile: ResourceProfile | None = None
    assigned_gpus: tuple[str, ...] = ()
    data_mounts: tuple[DataMount, ...] = ()
    _image_id: str | None = None  # the runtime's ID of ``image`` (set by _require_image)

    @default("gpu_devices")
    def _default_gpu_devices(self) -> list[str]:
        return gpus.detect_gpu_ids()

    # -- policies --------------------------------------------------------------------------

    def _policies(self) -> Path | None:
        return Path(self.policies_dir) if self.policies_dir else None

    @property
    def profile(self) -> SecurityProfile:
        """The security profile, validated (re-read when the policy file changes)."""
        return security_profile(self._policies())

    def allowed_profiles(self) -> list[ResourceProfile]:
        """Resource profiles this user's groups may use, in the policy's order."""
        return server_plan.allowed_profiles((g.name for g in self.user.groups), self._policies())

    # -- locked-down defaults --------------------------------------------------------------

    @default("remove")
    def _default_remove(self) -> bool:
        # A stopped container restarted later would keep its old settings and old token.
        return True

    @default("prefix")
    def _default_prefix(self) -> str:
        return "kimed"

    @default("volumes")
    def _default_volumes(self) -> dict[str, str]:
        return {self.profile.home_volume_template: self.profile.home_mount}

    @default("extra_host_config")
    def _default_extra_host_config(self):
        return lambda spawner: spawner.locked_host_config()

    @default("extra_create_kwargs")
    def _default_extra_create_kwargs(self):
        return lambda spawner: {
            "user": f"{spawner.profile.uid}:{spawner.profile.gid}",
            "working_dir": spawner.profile.home_mount,
        }

    def locked_host_config(self) -> dict[str, Any]:
        """Host-config settings from the policies, then the operator's ``site_host_config``."""
        config = {
            **locked_host_config(
                self.profile,
                self.chosen_profile,
                seccomp_option(
                    self.runtime_kind, seccomp_profile(self._policies()), self._seccomp_path()
                ),
            ),
            **gpus.gpu_host_config(self.runtime_kind, list(self.assigned_gpus)),
        }
        if not self.use_internal_ip:
            config["port_bindings"] = {self.port: (self.host_ip, self._reserve_host_port())}
        config.update(self.site_host_config)
        return config

    def _reserve_host_port(self) -> int:
        self._release_host_port()
        low, high = self.host_port_range
        port = HOST_PORTS.reserve(self.host_ip, low, high)
        if port is None:
            raise SpawnRefused(
                f"no free host port in {low}-{high}",
                "The workbench has no free port for your server right now; try again shortly.",
            )
        self._host_port = port
        return port

    def _release_host_port(self) -> None:
        HOST_PORTS.release(getattr(self, "_host_port", None))
        self._host_port = None

    # -- spawn options: a permitted profile, nothing else -----------------------------------

    @default("options_form")
    def _default_options_form(self):
        return lambda spawner: spawner.profile_form()

    def profile_form(self) -> str:
        """Radio buttons for the user's permitted profiles; no form if there is one or none."""
        allowed = self.allowed_profiles()
        if len(allowed) < 2:
            return ""
        default = resource_profiles(self._policies()).default
        items = [
            f'<label class="form-check"><input class="form-check-input" type="radio" '
            f'name="profile" value="{p.name}"{" checked" if p.name == default else ""}> '
            f"<strong>{html.escape(p.display_name)}</strong>: {html.escape(p.description)}</label>"
            for p in allowed
        ]
        return "<fieldset><legend>Resources</legend>" + "".join(items) + "</fieldset>"

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, str]:
        return {"profile": formdata.get("profile", [""])[0]}

    def choose_profile(self, options: dict[str, Any]) -> ResourceProfile:
        """The profile named in ``options`` (or the default), if this user may use it:
        decided by ``server_plan.choose_profile``, shared with the Kubernetes spawner
        (400 for any other option, 403 for a profile the user's groups do not allow)."""
        groups = (g.name for g in self.user.groups)
        return server_plan.choose_profile(options, groups, self._policies())

    # -- start: profile, GPUs, verification, egress rules -----------------------------------

    def prepare_start(self) -> None:
        """Choose the profile from the spawn options, apply its limits, assign GPUs."""
        try:
            self.chosen_profile = self.choose_profile(self.user_options or {})
        except web.HTTPError:
            # JupyterHub keeps a spawn's options for the next spawn; refused ones must not
            # come back to haunt a later plain "start my server".
            self.user_options = {}
            if self.orm_spawner is not None:
                self.orm_spawner.user_options = {}
            raise
        self.mem_limit, self.cpu_limit = self.chosen_profile.memory, self.chosen_profile.cpus
        self.image = self._image_for(self.chosen_profile)
        self.assigned_gpus = tuple(self._assign_gpus(self.chosen_profile))

    async def start(self):
        """Prepare from policy and options, wait for a start slot (spawn_admission.py),
        then start as DockerSpawner does."""
        self.prepare_start()
        try:
            started = await self.start_admitted(self._start_container)
        except BaseException:
            self._release_resources()
            raise
        await self._prune_consent_views()  # the new container now holds its views
        return started

    async def _prune_consent_views(self) -> None:
        """Remove consent views no container mounts and no spawn will reuse
        (``interop.consent_prune``). Never fails a spawn: problems are logged."""
        if not self.dataset_root:
            return
        try:
            containers = await self.docker("containers", all=True)
            mounted = {m.get("Source", "") for c in containers for m in c.get("Mounts") or ()}
            views = Path(self.dataset_root) / VIEWS
            grace = self.consent_view_grace
            removed = await asyncio.to_thread(prune_views, views, mounted, grace=grace)
        except Exception as exc:  # noqa: BLE001 - old views are only disk space
            self.log.warning("pruning consent views failed (kept them): %s", exc)
            return
        if removed:
            self.log.info("consent views no longer mounted removed: %s", len(removed))

    async def _start_container(self):
        await self._mount_granted_data()
        await self._require_image()
        return await super().start()

    async def _mount_granted_data(self) -> None:
        """Read-only mounts for the user's ACTIVE grants and, if they may read the catalogue,
        its synthetic versions; read now (data_grants.py). An unreadable portal database
        stops the spawn: it must never look like "no grants" (or like old ones)."""
        if not self.dataset_root:
            self.data_mounts = ()
        else:
            self.data_mounts = tuple(await self._granted_mounts())
        self.read_only_volumes = {str(m.host_path): m.container_path for m in self.data_mounts}
        if self.data_mounts:
            self.log.info(
                "%s gets %s", self.user.name, [m.container_path for m in self.data_mounts]
            )

    async def _granted_mounts(self) -> list[DataMount]:
        """data_grants.granted_mounts for this user; what stops the spawn, as refusals."""
        synthetic = SYNTHETIC_SCOPE in get_scopes_for(self.user.orm_user)
        try:
            return await asyncio.to_thread(
                granted_mounts,
                self.user.name,
                Path(self.dataset_root),
                self.portal_db_url or default_url(),
                synthetic,
                self._audit_consent_view,
            )
        except ConsentAuditRefused as exc:
            raise SpawnRefused(
                f"consent audit for {self.user.name}: {exc}",
                "Your server was not started: the portal did not confirm the audit entry "
                "for your consent-filtered data, and such data is never mounted without "
                "one. Please try again later or tell your administrator.",
            ) from exc
        except GrantsUnavailable as exc:
            raise SpawnRefused(
                str(exc),
                "Your server was not started: the workbench could not read your data "
                "access grants. Please tell your administrator (the hub log says why).",
            ) from exc

    def _audit_consent_view(self, username: str, dataset: str, view: Path, *_counts) -> None:
        """Have the portal audit a consent-filtered mount before it happens; the portal
        recomputes the counts itself, so the hub's are not sent (consent_audit.py)."""
        confirm(self.consent_audit_url, self.consent_audit_token, username, dataset, view)

    def _image_for(self, profile: ResourceProfile) -> str:
        """The image of the profile's variant; the 'cpu' variant is the configured image."""
        if not hasattr(self, "_configured_image"):  # before any profile replaced it
            self._configured_image = self.image
        variants = {"cpu": self._configured_image, **self.image_variants}
        if profile.image_variant not in variants:
            raise SpawnRefused(
                f"no image configured for variant {profile.image_variant!r}",
                f"The software image for the {profile.display_name} profile is not installed on "
                "this workbench; ask your administrator (kimed image build --gpu).",
            )
        return variants[profile.image_variant]

    async def _require_image(self) -> None:
        """A clear refusal when the profile's image was never built on this host; keeps the
        runtime's ID of the image for the verification."""
        try:
            self._image_id = (await self.docker("inspect_image", self.image))["Id"]
        except docker.errors.NotFound as exc:
            variant = self.chosen_profile.image_variant
            build = "kimed image build" + ("" if variant == "cpu" else f" --{variant}")
            raise SpawnRefused(
                f"image {self.image} is not built on this host",
                f"The software image for the {self.chosen_profile.display_name} profile is "
                f"not installed on this workbench yet; ask your administrator ({build}).",
            ) from exc

    async def pull_image(self, image):
        """Nothing to pull (no registry is reachable, pull_policy 'never'), and
        :meth:`_require_image` has just checked the image: skip DockerSpawner's second
        inspect of it (one runtime call less per spawn)."""

    def _assign_gpus(self, profile: ResourceProfile) -> list[str]:
        if not profile.gpus:
            return []
        try:
            return gpus.POOL.assign(
                self._holder,
                profile.gpus,
                self.gpu_devices,
                resource_profiles(self._policies()).gpu_sharing,
            )
        except gpus.NoGpuAvailable as exc:
            raise SpawnRefused(
                str(exc),
                f"No GPU is free right now: {exc} Try again later or choose a CPU profile.",
            ) from exc

    @property
    def _holder(self) -> str:
        return f"{self.user.name}/{self.name}"

    def _release_resources(self) -> None:
        self._release_host_port()
        gpus.POOL.release(self._holder)

    async def stop(self, now: bool = False):
        """Stop the server and give its host port and GPUs back."""
        try:
            await super().stop(now=now)
        finally:
            self._release_resources()

    # -- state that survives a hub restart ------------------------------------------------

    def get_state(self) -> dict[str, Any]:
        """DockerSpawner's state plus what this server holds: its dataset mounts (read by
        the portal's reconciliation), its GPUs and its host port (rebuilt into the hub's
        allocation tables by :meth:`load_state` after a restart)."""
        state = super().get_state()
        state[MOUNTS_STATE_KEY] = {m.dataset: m.reason for m in self.data_mounts}
        if self.assigned_gpus:
            state[GPUS_STATE_KEY] = list(self.assigned_gpus)
        if getattr(self, "_host_port", None):
            state[PORT_STATE_KEY] = self._host_port
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore a running server's record after a hub restart, and claim its GPUs and
        port again, so that no device or port is handed out twice."""
        super().load_state(state)
        root = Path(self.dataset_root or ".")
        self.data_mounts = tuple(
            DataMount(name, root / name, data_mount_path(name), why)
            for name, why in sorted((state.get(MOUNTS_STATE_KEY) or {}).items())
        )
        self.assigned_gpus = tuple(state.get(GPUS_STATE_KEY) or ())
        if self.assigned_gpus:
            gpus.POOL.claim(self._holder, list(self.assigned_gpus))
        port = state.get(PORT_STATE_KEY)
        if port:
            HOST_PORTS.claim(int(port))
            self._host_port = int(port)
        if self.assigned_gpus or port:
            self.log.info(
                "%s holds GPUs %s and host port %s (from its saved state)",
                self._holder,
                list(self.assigned_gpus),
                port,
            )

    def clear_state(self) -> None:
        """Forget the stopped server's record (its resources were released by stop)."""
        super().clear_state()
        self.data_mounts = ()
        self.assigned_gpus = ()

    def _seccomp_path(self) -> str:
        """podman reads the profile from a file: the content-addressed copy in .kimed/."""
        if self.runtime_kind == "docker":
            return ""
        return str(seccomp_file(seccomp_profile(self._policies()), state_dir() / "seccomp"))

    async def expected_container(self) -> ExpectedContainer:
        """What this user's container must look like: the policy, the chosen profile and
        what this spawn assigned (GPUs, grants); the runtime's own view of the image, the
        network and its own kind. The spawner's image/network/runtime traits are not
        consulted."""
        facts = SpawnFacts(
            runtime_kind=await self._reported_runtime_kind(),
            home_volume=self._render_templates(self.profile.home_volume_template),
            gpus=tuple(self.assigned_gpus),
            data_mounts=tuple((str(m.host_path), m.container_path) for m in self.data_mounts),
            image_id=self._image_id,
            network_internal=await self._network_internal(),
            egress_rules=self.egress_firewall and self.uses_slirp4netns,
            seccomp_path=self._seccomp_path(),
            cgroup_v1=host_has_cgroup_v1(),
        )
        security = self.profile
        return expected_container(
            security, self.chosen_profile, seccomp_profile(self._policies()), facts
        )

    async def _reported_runtime_kind(self) -> str:
        """'podman' or 'docker' as the runtime reports itself (runtime.reported_kind), so
        that the expectation does not rest on the ``runtime_kind`` setting."""
        return await asyncio.to_thread(reported_kind, self.client)

    async def _network_internal(self) -> bool | None:
        """Docker hosts: the runtime's "Internal" flag of the container's network (a network
        reused by name must still be internal); None for slirp4netns."""
        if self.uses_slirp4netns:
            return None
        try:
            network = await self.docker("inspect_network", str(self.network_name))
        except docker.errors.APIError:
            return False
        return bool(network.get("Internal"))

    def get_env(self) -> dict[str, str]:
        """DockerSpawner's environment, libraries told to stay offline (OFFLINE_ENV), pip's
        settings for the workbench's package index (package_index.pip_env) and the portal's
        address for the widgets (portal_address.portal_env)."""
        env = {**super().get_env(), **OFFLINE_ENV}
        token = env.get("JUPYTERHUB_API_TOKEN", "")
        proxy = self.peer_ports()["proxy"]
        env.update(package_index.pip_env(self.hub_connect_url, proxy, token))
        env.update(portal_env(self.hub_connect_url, proxy))
        return env

    def peer_ports(self) -> dict[str, int]:
        """Where the policy's allowed peers listen on the host, from the hub's own objects
        (never a configurable trait, so a site file cannot point the egress rules at
        another port): the hub API's port, and the proxy's public port, or with TLS the
        port of the containers' gateway the hub runs as a service (production/mode.py)."""
        settings = self.user.settings
        proxy = gateway_port(settings.get("services") or {})
        if proxy is None:
            proxy = urlparse(settings["proxy"].public_url).port
        return {"hub_api": self.hub.port, "proxy": proxy}

    async def start_object(self):
        """Verify the created container against the policy, on podman also the runtime spec
        podman wrote, close its egress, then start it."""
        expected = await self.expected_container()
        inspect = await self.docker("inspect_container", self.container_id)
        problems = container_checks.verify_container(inspect, expected)
        if expected.runtime_kind != self.runtime_kind:  # the podman checks below would be skipped
            problems.append(
                f"runtime: the runtime reports itself as {expected.runtime_kind}, the "
                f"spawner's runtime_kind is {self.runtime_kind}"
            )
        if problems:
            await self._refuse(
                f"container {self.container_name} lacks required controls: " + "; ".join(problems)
            )
        pid = await self._podman_init(expected) if self.runtime_kind == "podman" else None
        if expected.egress_rules:
            await self._close_egress(pid)
        await super().start_object()

    @property
    def uses_slirp4netns(self) -> bool:
        return str(self.network_name).startswith("slirp4netns")

    async def _podman_init(self, expected: ExpectedContainer) -> int:
        """podman ``init`` creates the namespaces and the runtime spec without running the
        image's process: the spec is compared with the policy (oci_spec_checks) and the
        egress rules go in before anything in the container can run."""
        try:
            spec, pid = await asyncio.to_thread(podman_init, self.client, self.container_id)
        except InitFailed as exc:
            await self._refuse(f"{self.container_name}: {exc}")
        problems = oci_spec_checks.verify_oci_spec(spec, expected)
        if problems:
            await self._refuse(
                f"container {self.container_name} lacks required controls in its runtime "
                "spec: " + "; ".join(problems)
            )
        return pid

    async def _close_egress(self, pid: int | None) -> None:
        """The egress rules in the container's network namespace: the host ports of the
        policy's ``network.allowed_peers`` only."""
        try:
            allowed = firewall.peer_ports(self.profile.allowed_peers, self.peer_ports())
            if pid is None:
                raise firewall.FirewallError("egress rules need podman (slirp4netns networking)")
            await asyncio.to_thread(firewall.apply_egress_rules, pid, allowed)
        except firewall.FirewallError as exc:
            await self._refuse(str(exc))

    async def _refuse(self, log_message: str) -> None:
        """Remove the unfit container, log why, and stop the spawn with a clear message."""
        self.log.error("Refusing to start %s: %s", self.user.name, log_message)
        try:
            await self.remove_object()
        except Exception as exc:  # the refusal matters more than the clean-up
            self.log.warning("could not remove refused container: %s", exc)
        raise SpawnRefused(
            log_message,
            "Your server was not started because its container did not pass the workbench's "
            "security checks. Nothing was lost; please tell your administrator "
            f"(reason: {log_message}).",
        )
