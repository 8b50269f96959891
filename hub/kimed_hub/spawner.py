"""``WorkbenchSpawner``: DockerSpawner with the security profile enforced and verified.

What it adds to DockerSpawner, hook by hook:

* defaults that are locked down and come from ``policies/container-security.yaml``
  (read-only root, no capabilities, no-new-privileges, non-root user, memory/swap/CPU/pids
  limits, /dev/shm size, tmpfs /tmp, one persistent home volume per user, ``remove``);
* no user choice of image or settings (any spawn option is refused);
* ``start_object``: inspect the created container and refuse to start it when a control is
  missing; on podman hosts, initialise the container's namespaces, write the egress rules
  (``firewall.py``) and only then start it.
"""

from __future__ import annotations

import asyncio
import random
import socket
from pathlib import Path
from typing import Any, ClassVar

from dockerspawner import DockerSpawner
from tornado import web
from traitlets import Bool, Dict, Integer, Tuple, Unicode, default

from . import container_checks, firewall
from .policy import SecurityProfile, security_profile


class SpawnRefused(Exception):
    """A spawn stopped for a security reason; ``jupyterhub_message`` is shown to the user."""

    def __init__(self, log_message: str, user_message: str):
        super().__init__(log_message)
        self.jupyterhub_message = user_message


class WorkbenchSpawner(DockerSpawner):
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
    hub_api_port = Integer(
        8081, config=True, help="Host loopback port of the hub API that containers may reach."
    )
    proxy_port = Integer(
        8000, config=True, help="Host loopback port of the public proxy that containers may reach."
    )

    host_port_range = Tuple(
        Integer(),
        Integer(),
        default_value=(20000, 29999),
        config=True,
        help="""Host loopback ports the spawner publishes user servers on. Kept below the
        kernel's ephemeral range (32768+): letting the runtime pick ports made concurrent
        spawns collide with each other ("address already in use").""",
    )

    # Ports handed out by this hub and not yet released (all spawners share the set).
    _ports_in_use: ClassVar[set[int]] = set()

    # -- locked-down defaults ------------------------------------------------------------

    @property
    def profile(self) -> SecurityProfile:
        """The security profile, validated (re-read when the policy file changes)."""
        return security_profile(Path(self.policies_dir) if self.policies_dir else None)

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
        """Host-config settings from the profile, then the operator's ``site_host_config``."""
        profile = self.profile
        config = {
            "read_only": True,
            "privileged": False,
            "cap_drop": ["ALL"],
            "cap_add": [],
            "security_opt": ["no-new-privileges"],
            "memswap_limit": profile.memory_swap,
            "pids_limit": profile.pids,
            "shm_size": profile.shm_size,
            "tmpfs": {"/tmp": f"size={profile.tmp_size},mode=1777"},
        }
        if not self.use_internal_ip:
            config["port_bindings"] = {self.port: (self.host_ip, self._allocate_host_port())}
        config.update(self.site_host_config)
        return config

    def _allocate_host_port(self) -> int:
        """A free port of ``host_port_range``, reserved until this server stops."""
        self._release_host_port()
        low, high = self.host_port_range
        for port in random.sample(range(low, high + 1), k=min(200, high - low + 1)):
            if port in self._ports_in_use:
                continue
            with socket.socket() as probe:
                try:
                    probe.bind((self.host_ip, port))
                except OSError:
                    continue
            self._ports_in_use.add(port)
            self._host_port = port
            return port
        raise SpawnRefused(
            f"no free host port in {low}-{high}",
            "The workbench has no free port for your server right now; try again shortly.",
        )

    def _release_host_port(self) -> None:
        port = getattr(self, "_host_port", None)
        if port is not None:
            self._ports_in_use.discard(port)
            self._host_port = None

    async def stop(self, now: bool = False):
        """Stop the server and give its host port back."""
        try:
            await super().stop(now=now)
        finally:
            self._release_host_port()

    # -- no user choice ------------------------------------------------------------------

    async def start(self):
        """Refuse any spawn option; take the limits from the policy as it is now."""
        if self.user_options:
            raise web.HTTPError(
                400,
                f"Spawn options {sorted(self.user_options)} are not accepted: the image and "
                "resources of your server are set by the workbench's policy.",
            )
        profile = self.profile  # re-read per spawn, so a reviewed change applies at once
        self.mem_limit, self.cpu_limit = profile.memory, profile.cpus
        return await super().start()

    # -- verification and egress rules before the container runs ------------------------

    def expected_container(self) -> container_checks.Expected:
        """What this user's container must look like, besides the profile's limits."""
        home_volume = self._render_templates(self.profile.home_volume_template)
        return container_checks.Expected(
            image=self.image,
            home_volume=home_volume,
            network_modes=(str(self.network_name).split(":")[0],),
        )

    async def start_object(self):
        """Verify the created container, close its egress, then start it."""
        inspect = await self.docker("inspect_container", self.container_id)
        problems = container_checks.verify_container(
            inspect, self.profile, self.expected_container()
        )
        if problems:
            await self._refuse(
                f"container {self.container_name} lacks required controls: " + "; ".join(problems)
            )
        if self.uses_slirp4netns and self.egress_firewall:
            await self._close_egress()
        await super().start_object()

    @property
    def uses_slirp4netns(self) -> bool:
        return str(self.network_name).startswith("slirp4netns")

    async def _close_egress(self) -> None:
        """podman ``init`` creates the namespaces without running the image's process;
        the rules go in before anything in the container can open a connection."""
        api = self.client
        response = await asyncio.to_thread(
            api.post, api._url("/libpod/containers/{0}/init", self.container_id)
        )
        if response.status_code not in (204, 304):
            await self._refuse(
                f"podman could not initialise {self.container_name}: {response.text}"
            )
        state = (await self.docker("inspect_container", self.container_id))["State"]
        try:
            await asyncio.to_thread(
                firewall.apply_egress_rules, state["Pid"], [self.hub_api_port, self.proxy_port]
            )
        except firewall.FirewallError as exc:
            await self._refuse(str(exc))

    async def _refuse(self, log_message: str) -> None:
        """Remove the unfit container, log why, and stop the spawn with a clear message."""
        self.log.error("Refusing to start %s: %s", self.user.name, log_message)
        self._release_host_port()
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
