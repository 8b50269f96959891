"""Where a user's data mounts live on the cluster: the one-machine decision, translated.

What a user's server mounts is decided by :func:`kimed_hub.data_grants.granted_mounts`,
the same function the one-machine spawner calls: ACTIVE grants, open synthetic
versions, MII broad-consent views (``interop.consent_mount``) and the trust centre's
linked project tables. It runs in the hub pod on the hub's data root
(:data:`HUB_DATA_ROOT`), laid out as on one machine:

* ``<root>/<dataset>``: a source dataset, the NFS export's folder, mounted read-only into
  the hub pod (one ``subPath`` of the export's claim :data:`DATASETS_CLAIM` each);
* ``<root>/.consent-views/<dataset>/<view>``, ``<root>/.linked/<project>/<dataset>`` and
  ``<root>/<synthetic version>``: written by the hub and the portal onto the
  ReadWriteMany claim :data:`VIEWS_CLAIM`, mounted read-write at the root itself.

:func:`locate` translates each mount into a claim and a ``subPath`` of it: a source
dataset is its own read-only claim (``kimed-dataset-<id>``), everything else a folder of
the views claim. A consent-governed dataset (``policies/mii-consent.yaml``) is never
mounted unfiltered: :func:`locate` refuses it, the render makes no claim for it and the
admission policy refuses a pod that names one (``admission.data_rules``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..access.grants import LINKED
from ..data_grants import DataMount
from ..interop.consent_mount import POLICY as CONSENT_POLICY
from ..interop.consent_mount import VIEWS
from ..policies import load_policy

#: The PersistentVolumeClaim of a source dataset (one per dataset with ACTIVE grants).
DATASET_CLAIM = "kimed-dataset-{dataset}"
#: The whole datasets export, read-only: mounted by the hub pod only, never a user pod.
DATASETS_CLAIM = "kimed-datasets"
#: What the workbench derives from the datasets (consent views, linked project tables,
#: synthetic versions): written by the hub pod, mounted read-only (a subPath) by users.
VIEWS_CLAIM = "kimed-views"
#: The hub pod's data root (``KIMED_DATA_DIR``): the views claim, with every source
#: dataset mounted read-only at ``<root>/<dataset>`` inside it.
HUB_DATA_ROOT = "/srv/kimed/data"


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


def locate(
    mount: DataMount, root: Path, sources: Iterable[str], governed: Iterable[str]
) -> DataSource:
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
    if parts == (mount.dataset,) and mount.dataset in set(sources):
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


#: subPaths of the views claim a user pod may mount, one folder each (never the claim,
#: never all views of a dataset): a consent view, a project's linked table folder, a
#: synthetic version. Dataset identifiers follow ``catalogue.model.IDENTIFIER_RE``.
_ID = "[a-z0-9][a-z0-9-]*"
VIEW_SUBPATHS = (
    f"^[.]{VIEWS[1:]}/{_ID}/[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}_[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}_"
    "[0-9a-f]{12}$",
    f"^[.]{LINKED[1:]}/[A-Za-z0-9][A-Za-z0-9-]*/{_ID}$",
    f"^{_ID}$",
)
