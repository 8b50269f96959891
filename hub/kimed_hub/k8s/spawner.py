"""``WorkbenchKubeSpawner``: KubeSpawner that builds each pod from the server plan.

At each start (``load_user_options``) it asks :func:`kimed_hub.server_plan.server_plan`
what this user's server gets (the profile their groups allow, limits, GPUs, security
controls) and which data it mounts (``data_grants.granted_mounts``, as on one machine:
grants, synthetic versions, MII consent views, linked project tables), and translates
both with :mod:`kimed_hub.k8s.pod` and :mod:`kimed_hub.k8s.data` (claims and subPaths,
all read-only), AFTER KubeSpawner applied the chosen ``profileList`` entry:
the plan wins over anything in the chart's values. The pod is checked again by the
cluster before it runs: the ValidatingAdmissionPolicy ``kimed`` renders
(``admission.py``), and the namespace's restricted Pod Security level.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jupyterhub.scopes import get_scopes_for
from kubespawner import KubeSpawner
from traitlets import Dict, Unicode, default

from ..access.grants import GrantsUnavailable
from ..consent_audit import ConsentAuditRefused, confirm
from ..data_grants import MOUNTS_STATE_KEY, SYNTHETIC_SCOPE, DataMount, granted_mounts
from ..interop.consent_mount import VIEWS
from ..interop.consent_prune import prune_views
from ..server_plan import ServerPlan, allowed_profiles, choose_profile, server_plan
from . import data, pod


class WorkbenchKubeSpawner(KubeSpawner):
    """User pods as the policies say, whatever the profile list or an option asks for."""

    policies_dir = Unicode(
        "", config=True, help="Folder of the reviewed policy files; empty: the project's."
    )
    image_variants = Dict(
        Unicode(),
        config=True,
        help="Image reference (site registry, content-hash tag) per variant of profiles.yaml.",
    )
    portal_db_url = Unicode(
        "",
        config=True,
        help="""The portal's database, read (only) for the user's grants at each start;
        empty: no dataset is mounted. An unreadable database refuses the spawn.""",
    )
    dataset_root = Unicode(
        data.HUB_DATA_ROOT,
        config=True,
        help="""The hub pod's data root: the views claim, with a link to each source
        dataset's folder of the export (kimed_hub.k8s.data).""",
    )
    export_root = Unicode(
        data.EXPORT_MOUNT,
        config=True,
        help="""Where the hub pod mounts the datasets export (read-only); its folders are
        linked into the data root before each start (kimed_hub.k8s.data).""",
    )
    consent_audit_url = Unicode(
        "",
        config=True,
        help="The portal's consent audit endpoint (set at each hub start; consent_audit.py).",
    )
    consent_audit_token = Unicode("", config=True, help="The hub's own token for it.")

    plan: ServerPlan | None = None

    @default("automount_service_account_token")
    def _no_token(self) -> bool:
        return False  # user code gets no credentials for the Kubernetes API

    def _policies(self) -> Path | None:
        return Path(self.policies_dir) if self.policies_dir else None

    def _groups(self) -> list[str]:
        return [g.name for g in self.user.groups]

    async def granted_mounts(self) -> list[DataMount]:
        """What this user's server mounts now: ``data_grants.granted_mounts`` (the
        one-machine decision: grants, synthetic versions, consent views audited by the
        portal first, linked project tables) on the hub pod's data root."""
        if not self.portal_db_url:
            return []
        scopes = get_scopes_for(self.user.orm_user) if self.user.orm_user else set()
        return await asyncio.to_thread(
            granted_mounts,
            self.user.name,
            Path(self.dataset_root),
            self.portal_db_url,
            SYNTHETIC_SCOPE in scopes,
            self._audit_consent_view,
        )

    def _audit_consent_view(self, username: str, dataset: str, view: Path, *_counts) -> None:
        """The portal audits a consent-filtered mount before it happens (as on one
        machine; consent_audit.py), or the spawn stops."""
        confirm(self.consent_audit_url, self.consent_audit_token, username, dataset, view)

    async def _located_mounts(self) -> list[data.DataSource]:
        """The granted mounts as claims and subPaths (``data.locate``); every refusal
        as a message for the user, the reason in the hub's log."""
        root = Path(self.dataset_root)
        try:
            await asyncio.to_thread(data.link_sources, root, Path(self.export_root))
            mounts = await self.granted_mounts()
            governed = data.consent_governed(self._policies())
            located = [data.locate(m, root, governed) for m in mounts]
            return await asyncio.to_thread(data.user_links, root, self.user.name, located)
        except (GrantsUnavailable, ConsentAuditRefused, data.UnmountableData, OSError) as exc:
            self.log.error("data mounts for %s refused: %s", self.user.name, exc)
            raise RuntimeError(
                f"Your server was not started: the workbench could not prepare your data "
                f"mounts ({exc}). Please tell your administrator."
            ) from exc

    async def load_user_options(self) -> None:
        """KubeSpawner's profile handling, then the plan on top of it (the plan wins)."""
        options = dict(self.user_options or {})
        # Refuses (400/403) before anything is mounted, audited or applied.
        choose_profile(options, self._groups(), self._policies())
        located = await self._located_mounts()
        datasets = [source.dataset for source in located]
        plan = server_plan(options, self._groups(), datasets, self._policies())
        await super().load_user_options()
        self.apply_plan(plan, located)
        self._mount_reasons = {source.dataset: source.reason for source in located}

    def apply_plan(self, plan: ServerPlan, located: list[data.DataSource] = ()) -> None:
        """Set every pod-shaping trait from ``plan`` and its data from ``located``."""
        self.plan = plan
        variant = plan.image_variant
        if variant not in self.image_variants:
            raise RuntimeError(
                f"No image configured for the {plan.profile.display_name} profile (variant "
                f"{variant!r}); the operator sets WorkbenchKubeSpawner.image_variants."
            )
        self.image = self.image_variants[variant]
        for name, value in pod.resource_traits(plan).items():
            setattr(self, name, value)
        self.uid, self.gid, self.fs_gid = plan.uid, plan.gid, plan.gid
        self.privileged = plan.privileged
        self.allow_privilege_escalation = not plan.no_new_privileges
        self.container_security_context = pod.container_security_context(plan)
        self.pod_security_context = pod.pod_security_context(plan)
        self.working_dir = plan.home_mount
        self.storage_pvc_ensure = False  # the shared homes claim is in manifests.yaml
        home, home_mount = pod.home_volume(plan, self.user.name)
        scratch, scratch_mounts = pod.scratch_volumes(plan)
        data_vols, data_mounts = data.data_volumes(located)
        self.volumes = [home, *scratch, *data_vols]
        self.volume_mounts = [home_mount, *scratch_mounts, *data_mounts]
        self.init_containers = []  # nothing may run before the user's container unchecked
        self.extra_containers = []

    async def start(self):
        """KubeSpawner's start, then old consent views removed (the new pod holds its own)."""
        started = await super().start()
        await self._prune_consent_views()
        return started

    async def stop(self, now: bool = False):
        """KubeSpawner's stop; the user's links go with the pod (their views may then be
        pruned once no other pod mounts them)."""
        await super().stop(now=now)
        try:
            await asyncio.to_thread(data.drop_user_links, Path(self.dataset_root), self.user.name)
        except OSError as exc:
            self.log.warning("links of %s kept (%s)", self.user.name, exc)

    async def _prune_consent_views(self) -> None:
        """``interop.consent_prune`` as on one machine, with what users' links lead to as
        the mounted views. Never fails a start: old views are only disk space."""
        root = Path(self.dataset_root)
        try:
            mounted = await asyncio.to_thread(data.linked_targets, root)
            removed = await asyncio.to_thread(prune_views, root / VIEWS, mounted)
        except Exception as exc:  # noqa: BLE001 - logged; the views stay
            self.log.warning("pruning consent views failed (kept them): %s", exc)
            return
        if removed:
            self.log.info("consent views no longer mounted removed: %s", len(removed))

    def _render_options_form(self, profile_list: list[dict]) -> str:
        # Offer only the profiles the user's groups allow; a forged choice is refused in
        # load_user_options (server_plan.choose_profile) anyway.
        names = {p.name for p in allowed_profiles(self._groups(), self._policies())}
        offered = [p for p in profile_list if p.get("slug") in names]
        return super()._render_options_form(offered)

    def get_state(self) -> dict[str, Any]:
        """KubeSpawner's state plus the mounted datasets (read by the portal's
        reconciliation, as with WorkbenchSpawner)."""
        state = super().get_state()
        state[MOUNTS_STATE_KEY] = dict(getattr(self, "_mount_reasons", {}) or {})
        return state
