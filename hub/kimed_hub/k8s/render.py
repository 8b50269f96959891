"""``kimed k8s render OUTDIR``: everything a site applies, written from the policies.

OUTDIR gets ``values.yaml`` (for ``helm install -f``), ``manifests.yaml`` (apply before
the chart: namespace, homes and views claims, dataset volumes, portal database,
admission policies, the portal's service account and Role for its Jobs, the runs'
NetworkPolicy) and
``node-files/seccomp/kimed/seccomp-<hash>.json`` (copied to every node's kubelet seccomp
folder; docs/kubernetes.md). The files are written to a sibling folder first and moved
into place at the end, so a failed render never leaves a half-written OUTDIR.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..policies import resource_profiles
from ..server_plan import plan_for_profile
from . import admission, data, job_admission, manifests, pod, rbac
from .values import Site, chart_values

FILES = ("values.yaml", "manifests.yaml")


class RenderError(ValueError):
    """Bad input to the render (an option, the output folder): the message says what to do."""


def extra_manifests(
    site: Site,
    datasets: list[str],
    nfs: tuple[str, str],
    postgres_image: str,
    policies: Path | None = None,
    synthetic: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The manifests beside the chart, in the order they are applied. ``datasets``: those
    with ACTIVE grants; a claim for user pods is made for each that is neither a
    synthetic version (``synthetic``: on the views claim) nor consent-governed (a view)."""
    profiles = resource_profiles(policies)
    plan = plan_for_profile(profiles.profiles[profiles.default], (), policies)
    governed = data.consent_governed(policies)
    claims = [d for d in datasets if d not in {*governed, *synthetic}]
    return [
        manifests.namespace(site),
        manifests.homes_claim(site),
        manifests.views_claim(site),
        *manifests.datasets_export(site, nfs),
        *manifests.dataset_volumes(site, claims, nfs),
        *manifests.portal_database(site, postgres_image),
        *admission.admission_policy(site, plan, governed),
        # the portal's re-runs and synthesis jobs (k8s.job_runners)
        *rbac.portal_rbac(site),
        rbac.jobs_network_policy(site),
        *job_admission.job_admission_policies(site, plan, governed),
    ]


def render(
    outdir: Path,
    site: Site,
    datasets: list[str],
    nfs: tuple[str, str],
    postgres_image: str,
    policies: Path | None = None,
    synthetic: Iterable[str] = (),
) -> Path:
    """Write the values, the extra manifests and the node files into ``outdir``."""
    outdir = Path(outdir)
    if outdir.exists() and not (outdir / "values.yaml").is_file():
        raise RenderError(
            f"{outdir} exists and is not an earlier render (no values.yaml in it); "
            "give a new folder or an earlier render's folder to replace it."
        )
    staging = outdir.with_name(outdir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    values = chart_values(site, policies)
    docs = extra_manifests(site, datasets, nfs, postgres_image, policies, synthetic)
    (staging / "values.yaml").write_text(yaml.safe_dump(values, sort_keys=False))
    (staging / "manifests.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    profiles = resource_profiles(policies)
    plan = plan_for_profile(profiles.profiles[profiles.default], (), policies)
    seccomp = staging / "node-files" / "seccomp" / pod.seccomp_localhost(plan)
    seccomp.parent.mkdir(parents=True)
    seccomp.write_text(plan.seccomp.text)
    if outdir.exists():
        shutil.rmtree(outdir)
    staging.rename(outdir)
    return outdir


def add_parser(commands: argparse._SubParsersAction) -> None:
    """``kimed k8s render``: its options (site facts; security comes from policies/)."""
    k8s = commands.add_parser("k8s", help="Kubernetes (Zero to JupyterHub) configuration")
    sub = k8s.add_subparsers(dest="k8s_command", required=True)
    p = sub.add_parser("render", help="write chart values and extra manifests to OUTDIR")
    p.add_argument("outdir", type=Path)
    p.add_argument("--registry", required=True, help="site registry, e.g. reg.example.org/kimed")
    p.add_argument("--public-url", required=True, help="https://workbench.example.org")
    p.add_argument("--oidc-issuer", required=True, help="the identity provider's issuer URL")
    p.add_argument("--oidc-client-id", default="kimed-workbench")
    p.add_argument("--namespace", default="kimed")
    p.add_argument("--hub-tag", help="default: the local hub image's content hash")
    p.add_argument("--singleuser-tag", help="default: the local build's content hash")
    p.add_argument("--gpu-tag", help="default: the local GPU build's content hash")
    p.add_argument("--home-storage-class", default="", help="a ReadWriteMany class for homes")
    p.add_argument("--homes-capacity", default="1Ti", help="size of the shared homes claim")
    p.add_argument("--dataset-storage-class", default="kimed-datasets")
    p.add_argument("--dataset-nfs", default="nfs.example.org:/datasets", help="SERVER:/PATH")
    p.add_argument("--views-storage-class", default="", help="ReadWriteMany class: views")
    p.add_argument("--views-capacity", default="1Ti", help="size of the derived data claim")
    p.add_argument("--portal-db", default="", help="portal DB URL: a volume per granted dataset")
    p.add_argument("--postgres-image", default="", help="default: REGISTRY/postgres:16")


def run(args: argparse.Namespace) -> int:
    """Render from parsed arguments; print where the files are (exit 2 on bad input)."""
    from ..access.grants import GrantsUnavailable

    try:
        return _run(args)
    except (RenderError, GrantsUnavailable, OSError) as error:
        print(f"kimed k8s render: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from .. import images

    tags = {
        "singleuser": args.singleuser_tag or images.singleuser_image_ref().rsplit(":", 1)[1],
        "gpu": args.gpu_tag or images.singleuser_image_ref("gpu").rsplit(":", 1)[1],
        "hub": args.hub_tag or images.hub_image_ref().rsplit(":", 1)[1],
    }
    server, _, path = args.dataset_nfs.partition(":")
    if not server or not path.startswith("/"):
        raise RenderError(f"--dataset-nfs {args.dataset_nfs!r}: give SERVER:/PATH")
    datasets, synthetic = _catalogue(args.portal_db) if args.portal_db else ([], [])
    site = Site(
        registry=args.registry.rstrip("/"),
        singleuser_tag=tags["singleuser"],
        gpu_tag=tags["gpu"],
        hub_tag=tags["hub"],
        public_url=args.public_url,
        oidc_issuer=args.oidc_issuer,
        oidc_client_id=args.oidc_client_id,
        namespace=args.namespace,
        home_storage_class=args.home_storage_class,
        homes_capacity=args.homes_capacity,
        dataset_storage_class=args.dataset_storage_class,
        views_storage_class=args.views_storage_class,
        views_capacity=args.views_capacity,
    )
    postgres = args.postgres_image or f"{site.registry}/postgres:16"
    out = render(args.outdir, site, datasets, (server, path), postgres, synthetic=synthetic)
    print(f"rendered {', '.join(FILES)} and node-files/ into {out} ({len(datasets)} datasets)")
    return 0


def _catalogue(url: str) -> tuple[list[str], list[str]]:
    """(datasets with ACTIVE grants, the catalogue's synthetic versions) from the portal."""
    from ..access.grants import GrantsReader

    reader = GrantsReader(url)
    try:
        return reader.datasets_in_force(), reader.synthetic_versions()
    finally:
        reader.close()
