"""Where a user's data mounts live on the cluster: the one-machine decision, translated.

What a user's server mounts is decided by :func:`kimed_hub.data_grants.granted_mounts`,
the same function the one-machine spawner calls: ACTIVE grants, open synthetic
versions, MII broad-consent views (``interop.consent_mount``) and the trust centre's
linked project tables. It runs in the hub pod on the hub's data root
(:data:`HUB_DATA_ROOT`, the ReadWriteMany claim :data:`VIEWS_CLAIM`), laid out as on
one machine:

* ``<root>/<dataset>``: a source dataset, a link (:func:`link_sources`) to its folder of
  the NFS export, which the hub pod mounts whole and read-only at :data:`EXPORT_MOUNT`
  (claim :data:`DATASETS_CLAIM`); a record without a folder there is left out and
  logged, as on one machine;
* ``<root>/.consent-views/<dataset>/<view>``, ``<root>/.linked/<project>/<dataset>`` and
  ``<root>/<synthetic version>``: folders the hub and the portal write.

:func:`locate` translates each mount into a claim and a ``subPath`` of it: a source
dataset (a link into the export) is its own read-only claim (``kimed-dataset-<id>``),
everything else a folder of the views claim, reached through the user's own folder of
links (:func:`user_links`, ``.users/<username>/<dataset>``), so that the admission
policy can tie every views mount to the pod's user as it does for homes. A
consent-governed dataset (``policies/mii-consent.yaml``) is never mounted unfiltered:
:func:`locate` refuses it, the render makes no claim for it and the admission policy
refuses a pod that names one (``admission.data_rules``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..data_grants import DataMount
from ..interop.consent_mount import POLICY as CONSENT_POLICY
from ..policies import load_policy
from .pod import SAFE_USERNAME

#: The PersistentVolumeClaim of a source dataset (one per dataset with ACTIVE grants).
DATASET_CLAIM = "kimed-dataset-{dataset}"
#: The whole datasets export, read-only: mounted by the hub pod only, never a user pod.
DATASETS_CLAIM = "kimed-datasets"
#: What the workbench derives from the datasets (consent views, linked project tables,
#: synthetic versions): written by the hub pod, mounted read-only (a subPath) by users.
VIEWS_CLAIM = "kimed-views"
#: The hub pod's data root (``KIMED_DATA_DIR``): the views claim, with a link to each
#: source dataset's folder of the export at ``<root>/<dataset>``.
HUB_DATA_ROOT = "/srv/kimed/data"
#: Where the hub pod mounts the whole datasets export, read-only.
EXPORT_MOUNT = "/srv/kimed/export"
#: A dataset identifier's shape (``catalogue.model.IDENTIFIER_RE``; the spawner's side
#: does not import the catalogue).
IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class UnmountableData(RuntimeError):
    """A mount that has no place on the cluster; the message says why and what to do."""


@dataclass(frozen=True)
class DataSource:
    """A granted mount as a claim (and a folder of it; "" for the claim's root)."""

    dataset: str
    claim: str
    sub_path: str
    container_path: str
    reason: str = ""  # as DataMount.reason: "grant AR-…", "synthetic version"


def consent_governed(policies: Path | None = None) -> list[str]:
    """The datasets ``policies/mii-consent.yaml`` governs: mounted only as a view."""
    return sorted(load_policy(CONSENT_POLICY, policies)["datasets"])


def link_sources(root: Path, export: Path) -> list[str]:
    """Link ``<root>/<dataset>`` to ``<export>/<dataset>`` for every dataset folder of
    the export not linked yet (run at hub start and before each spawn, so a dataset the
    holder adds is found without a restart); the names linked now. A folder of the same
    name on the root (a synthetic version) is left alone."""
    root, export = Path(root), Path(export)
    if not export.is_dir():
        return []
    made = []
    for folder in sorted(export.iterdir()):
        link = root / folder.name
        if IDENTIFIER.match(folder.name) and not (link.is_symlink() or link.exists()):
            try:
                link.symlink_to(folder, target_is_directory=True)
            except FileExistsError:  # a concurrent spawn linked it a moment ago
                continue
            made.append(folder.name)
    return made


def locate(mount: DataMount, root: Path, governed: Iterable[str]) -> DataSource:
    """The claim and subPath of ``mount`` (a host path under ``root``, the hub pod's data
    root). Raises :class:`UnmountableData` for a path outside the layout and for the
    unfiltered folder of a consent-governed dataset."""
    try:
        relative = PurePosixPath(Path(mount.host_path).relative_to(root).as_posix())
    except ValueError:
        raise UnmountableData(
            f"{mount.dataset}: {mount.host_path} is not under the data root {root}; "
            "only the data root's folders can be mounted on Kubernetes"
        ) from None
    parts = relative.parts
    if not parts or ".." in parts:
        raise UnmountableData(f"{mount.dataset}: {mount.host_path} names no dataset folder")
    if parts == (mount.dataset,) and mount.dataset in set(governed):
        raise UnmountableData(
            f"{mount.dataset} is governed by MII broad consent (policies/{CONSENT_POLICY}"
            ".yaml) but its unfiltered folder was to be mounted (it holds no consent "
            "data?): re-import it with its Consent resources, or take it out of the policy"
        )
    if parts == (mount.dataset,) and Path(mount.host_path).is_symlink():  # into the export
        claim = DATASET_CLAIM.format(dataset=mount.dataset)
        return DataSource(mount.dataset, claim, "", mount.container_path, mount.reason)
    sub_path = relative.as_posix()
    return DataSource(mount.dataset, VIEWS_CLAIM, sub_path, mount.container_path, mount.reason)


def data_volumes(located: Iterable[DataSource]) -> tuple[list[dict], list[dict]]:
    """Volumes and mounts for the located data, all read-only: one volume per source
    dataset claim, one for the views claim (each view a subPath of it)."""
    volumes: dict[str, dict] = {}
    mounts = []
    for source in sorted(located, key=lambda s: s.container_path):
        name = "data-views" if source.claim == VIEWS_CLAIM else f"data-{source.dataset}"
        volumes[name] = {
            "name": name,
            "persistentVolumeClaim": {"claimName": source.claim, "readOnly": True},
        }
        mount = {"name": name, "mountPath": source.container_path, "readOnly": True}
        if source.sub_path:
            mount["subPath"] = source.sub_path
        mounts.append(mount)
    return list(volumes.values()), mounts


#: Where the hub links each user's views-claim folders: ``.users/<username>/<dataset>``.
USERS = ".users"
#: Locked runs' folders on the views claim (k8s.job); a run reaches a view through a
#: link in ``.runs/<run>/data/`` (job_run), so pruning must count those too.
RUNS = ".runs"
#: The one shape of a views-claim subPath in a user pod (the admission policy also ties
#: ``<username>`` to the pod's user). Identifiers: ``catalogue.model.IDENTIFIER_RE``.
USER_SUBPATH = f"^[.]{USERS[1:]}/[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$"


def user_links(root: Path, username: str, located: Iterable[DataSource]) -> list[DataSource]:
    """Give ``username`` their own folder of links on the views claim and mount through
    it: ``<root>/.users/<username>/<dataset>`` -> the view, linked table folder or
    synthetic version. A consent view is shared by every grant with the same start, so
    only this per-user folder lets the admission policy refuse another user's data (the
    kubelet resolves a subPath's links and requires the result inside the volume).
    Links of datasets no longer granted are removed; a running pod keeps what it got."""
    if not SAFE_USERNAME.match(username):
        raise UnmountableData(f"username {username!r} cannot name a folder of links")
    folder = Path(root) / USERS / username
    folder.mkdir(parents=True, exist_ok=True)
    out, linked = [], set()
    for source in located:
        if source.claim != VIEWS_CLAIM:
            out.append(source)
            continue
        link = folder / source.dataset
        _replace_link(link, os.path.relpath(Path(root) / source.sub_path, folder))
        linked.add(source.dataset)
        out.append(replace(source, sub_path=f"{USERS}/{username}/{source.dataset}"))
    for stale in folder.iterdir():
        if stale.name not in linked and stale.is_symlink():
            stale.unlink()
    return out


def linked_targets(root: Path) -> set[str]:
    """Every folder a user's or a running locked run's link leads to (``<root>/...``, not
    resolved further): what running pods mount, for ``consent_prune.prune_views``; a
    user's links go at stop, a run's with its folder."""
    targets = set()
    links = [*(Path(root) / USERS).glob("*/*"), *(Path(root) / RUNS).glob("*/data/*")]
    for link in links:
        if link.is_symlink():
            targets.add(os.path.normpath(link.parent / os.readlink(link)))
    return targets


def drop_user_links(root: Path, username: str) -> None:
    """Remove ``username``'s links (their server stopped: its pod is gone)."""
    if not SAFE_USERNAME.match(username):
        return
    folder = Path(root) / USERS / username
    for link in folder.glob("*") if folder.is_dir() else ():
        if link.is_symlink():
            link.unlink()


def _replace_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` in one step (a new link renamed over the old)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    fresh = link.with_name(f".{link.name}.new")
    fresh.unlink(missing_ok=True)
    fresh.symlink_to(target, target_is_directory=True)
    os.replace(fresh, link)
