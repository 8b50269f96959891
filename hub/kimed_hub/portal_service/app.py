"""The portal service process: shared objects, routes, ``main``.

Routes live next to their handlers (``api.ROUTES``, ``pages.ROUTES``), relative to the
service prefix (``/services/portal/``); this module only joins them and starts Tornado
on the loopback address the hub gave (``JUPYTERHUB_SERVICE_URL``).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from tornado import ioloop, web

from ..access import AccessRequests
from ..access.grants import GrantsReader
from ..airlock import ExportRequests
from ..airlock.homes import FolderHomes, VolumeHomes
from ..airlock.rerun_container import ContainerRerun
from ..airlock.rerun_plan import requester_profile
from ..catalogue import CatalogueStore, load_demo_catalogue
from ..data_grants import granted_mounts
from ..host_ports import bind_host
from ..interop.feasibility_service import FeasibilityService
from ..paths import dataset_root
from ..policies import ResourceProfile
from ..portal_address import SERVICE_PREFIX
from ..synthesis.rows import released_synthetic_versions
from ..trust_centre.service import TrustCentre
from .auth import MAX_BODY_BYTES
from .enforcement import enforce_round
from .hub_api import HubServers, user_model
from .training_wiring import training_from_env
from .wiring import DB_URL_ENV, EXPIRE_EVERY_DEFAULT

log = logging.getLogger("kimed.portal")


@dataclass
class Portal:
    """What every handler shares: the catalogue store, the access-request service, the
    grants model the spawner uses, the hub's API (to stop servers whose grant ended), the
    airlock (export requests, with the users' home volumes it snapshots from; None when
    not configured), the synthesis jobs (None without the airlock), the feasibility
    counts (on the imported datasets under ``KIMED_DATA_DIR``, audited in the same
    store) and the trust centre (its own folder for identifiers and keys; the same audit
    log)."""

    store: CatalogueStore
    requests: AccessRequests
    grants: GrantsReader
    hub: HubServers = field(default_factory=HubServers)
    airlock: ExportRequests | None = None
    homes: VolumeHomes | FolderHomes | None = None
    training: Any = None  # training_ops.Training: courses and workshops
    feasibility: FeasibilityService | None = None
    synthesis: Any = None  # synthesis.SynthesisJobs: synthetic versions (needs the airlock)
    trust_centre: TrustCentre | None = None  # its own folder (KIMED_TRUST_CENTRE_DIR)

    def __post_init__(self) -> None:
        if self.feasibility is None:
            self.feasibility = FeasibilityService(self.store, dataset_root())
        if self.trust_centre is None:
            self.trust_centre = TrustCentre(self.store, dataset_root())


def make_app(portal: Portal, prefix: str = SERVICE_PREFIX) -> web.Application:
    """The Tornado application with every route under ``prefix``."""
    # local: handlers import this module's Portal
    from . import (
        api,
        page_feasibility,
        pages,
        pages_airlock,
        pages_synthesis,
        training_api,
        training_pages,
    )

    routes = [(prefix + "oauth_callback", HubOAuthCallbackHandler)]
    routes += [
        (prefix + pattern, handler, {"portal": portal})
        for pattern, handler in [
            *training_api.ROUTES,  # before api.ROUTES, which ends with a catch-all
            *api.ROUTES,
            *pages.ROUTES,
            *pages_airlock.ROUTES,
            *pages_synthesis.ROUTES,
            *page_feasibility.ROUTES,
            *training_pages.ROUTES,
        ]
    ]
    return web.Application(
        routes,
        cookie_secret=os.urandom(32),
        xsrf_cookies=True,  # forms on the pages; token-authenticated API calls are exempt
        template_path=str(Path(__file__).parent / "templates"),
        static_path=str(Path(__file__).parent / "static"),
        static_url_prefix=prefix + "static/",
        hub_auth=HubOAuth(cache_max_age=60),
    )


def main(argv: list[str] | None = None) -> None:
    """Run the service where the hub says (``JUPYTERHUB_SERVICE_URL``), on the database
    ``KIMED_PORTAL_DB_URL`` names (the environment only: it may carry a password)."""
    parser = arguments()
    _serve(parser, parser.parse_args(argv), os.environ.get(DB_URL_ENV, ""))


def arguments() -> argparse.ArgumentParser:
    """The service's command-line options (``values.services`` renders them for a
    cluster)."""
    parser = argparse.ArgumentParser(prog="kimed_hub.portal_service", description=__doc__)
    parser.add_argument("--policies-dir", type=Path, help="folder of the policy files")
    parser.add_argument(
        "--load-demo", action="store_true", help="load the fictional demo catalogue at start"
    )
    parser.add_argument(
        "--expire-every",
        type=float,
        default=EXPIRE_EVERY_DEFAULT,
        help="seconds between runs that expire grants past their end and stop their servers",
    )
    parser.add_argument("--airlock-dir", type=Path, help="the airlock's snapshots and releases")
    parser.add_argument("--runtime-url", help="the container runtime holding the home volumes")
    parser.add_argument("--home-volume", help="home volume name, e.g. kimed-home-{username}")
    parser.add_argument("--homes-dir", type=Path, help="homes as <dir>/<user> (development)")
    parser.add_argument("--rerun-image", help="the single-user image the re-run uses")
    parser.add_argument("--rerun-gpu-image", help="its GPU variant (GPU profiles' re-runs)")
    parser.add_argument("--container-prefix", default="kimed", help="names of re-run containers")
    parser.add_argument("--dataset-root", type=Path, help="dataset folders (grants, re-run)")
    parser.add_argument(
        "--runtime-kind",
        default="podman",
        choices=["podman", "docker", "kubernetes"],
        help="where re-runs and synthesis jobs run (kubernetes: as Jobs, k8s.job_runners)",
    )
    parser.add_argument("--k8s-namespace", default="kimed", help="the Jobs' namespace")
    parser.add_argument("--k8s-credentials", type=Path, help="the portal's token folder")
    parser.add_argument("--seccomp-dir", type=Path, help="the spawner's seccomp copies")
    return parser


def _serve(parser: argparse.ArgumentParser, args: argparse.Namespace, db_url: str) -> None:
    """Build the portal from the parsed options and serve it until stopped."""
    if not db_url:
        parser.error(f"set {DB_URL_ENV} (the portal's SQLAlchemy URL) in the environment")
    logging.basicConfig(level=logging.INFO, format="[%(name)s %(asctime)s] %(message)s")
    store = CatalogueStore(db_url)
    if args.load_demo:
        # Idempotent: unchanged records are not rewritten; released synthetic versions stay.
        load_demo_catalogue(store, keep=released_synthetic_versions(store.db))
    portal = Portal(store, AccessRequests(store), GrantsReader(db_url))
    portal.training = training_from_env(store)
    if args.airlock_dir:
        portal.airlock = ExportRequests(
            store, args.airlock_dir, args.policies_dir, rerunner=rerunner_from(args, db_url)
        )
        portal.homes = (
            FolderHomes(args.homes_dir)
            if args.homes_dir
            else VolumeHomes(args.runtime_url, args.home_volume, prefix="")
        )
        warm_disclosure_checks()
        portal.synthesis = synthesis_from(args, store, portal.airlock)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", SERVICE_PREFIX)
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8098"))
    # Bodies a little over the API's limit still reach the handlers, which answer 413
    # with a message; far larger ones are cut off by Tornado before they are read.
    make_app(portal, prefix).listen(url.port, bind_host(url), max_body_size=4 * MAX_BODY_BYTES)
    start_enforcement(portal, args.expire_every)
    log.info("portal on %s (database: %s)", url.geturl(), store.backend)
    ioloop.IOLoop.current().start()


def warm_disclosure_checks() -> threading.Thread:
    """Import ACRO in the background (statsmodels and scipy: 4-20 s on a busy 2-core
    host), so that the first submission's checks do not wait for it."""

    def load() -> None:
        try:
            from kimed_demos.disclosure import load_acro

            load_acro()
        except Exception:  # noqa: BLE001 - the first check imports it again and says why
            log.exception("importing ACRO for the airlock's checks failed")

    thread = threading.Thread(target=load, name="airlock-warm-acro", daemon=True)
    thread.start()
    return thread


def rerunner_from(args: argparse.Namespace, db_url: str) -> ContainerRerun | None:
    """The server-side re-run when the runtime and the image are known (else None: the
    airlock works without it and says so); on Kubernetes, as Jobs."""
    kubernetes = args.runtime_kind == "kubernetes"
    if not ((args.runtime_url or kubernetes) and args.rerun_image and args.dataset_root):
        log.warning("no server-side re-run: --runtime-url, --rerun-image, --dataset-root")
        return None

    def mounts_for(username: str) -> list:
        # What the requester's server would mount now, synthetic versions included.
        return granted_mounts(username, args.dataset_root, db_url, synthetic=True)

    def profile_for(username: str) -> ResourceProfile:
        # The profile they last spawned with, if their groups (asked now) permit it.
        return requester_profile(username, user_model(username), args.policies_dir)

    if kubernetes:
        from ..k8s.job_runners import KubeRerun

        return KubeRerun(
            kube_api_factory(args),
            {"cpu": args.rerun_image}
            | ({"gpu": args.rerun_gpu_image} if args.rerun_gpu_image else {}),
            args.k8s_namespace,
            args.dataset_root,
            mounts_for,
            profile_for,
            args.policies_dir,
        )
    return ContainerRerun(
        args.runtime_url,
        args.rerun_image,
        args.container_prefix,
        mounts_for,
        args.policies_dir,
        runtime_kind=args.runtime_kind,
        seccomp_dir=args.seccomp_dir,
        profile_for=profile_for,
        image_variants={"gpu": args.rerun_gpu_image} if args.rerun_gpu_image else {},
    )


def synthesis_from(args: argparse.Namespace, store: CatalogueStore, airlock):
    """Synthesis jobs beside the airlock's folder, run in the re-run's image and runtime
    (without them, jobs cannot start and say so)."""
    from ..synthesis import SynthesisJobs

    return SynthesisJobs(
        store,
        args.airlock_dir.parent / "synthesis",
        args.dataset_root or dataset_root(),
        args.policies_dir,
        runner=synthesis_runner(args),
        airlock=airlock,
    )


def synthesis_runner(args: argparse.Namespace):
    """The synthesis jobs' runner: Jobs on Kubernetes, else locked containers of the
    runtime (None without a runtime or image: jobs cannot start and say so)."""
    from ..synthesis import SynthesisContainer

    if args.runtime_kind == "kubernetes" and args.rerun_image:
        from ..k8s.job_runners import KubeSynthesis

        root = args.dataset_root or dataset_root()
        factory = kube_api_factory(args)
        return KubeSynthesis(factory, args.rerun_image, args.k8s_namespace, root, args.policies_dir)
    if args.runtime_url and args.rerun_image:
        return SynthesisContainer(
            args.runtime_url,
            args.rerun_image,
            args.container_prefix,
            args.policies_dir,
            runtime_kind=args.runtime_kind,
            seccomp_dir=args.seccomp_dir,
        )
    return None


def kube_api_factory(args: argparse.Namespace):
    """A new API connection per run, with the portal's own token (``k8s.rbac``)."""
    from ..k8s.job_api import KubeJobsApi

    if not args.k8s_credentials:
        raise SystemExit("--runtime-kind kubernetes needs --k8s-credentials (the token folder)")
    return lambda: KubeJobsApi(args.k8s_namespace, args.k8s_credentials)


def start_enforcement(portal: Portal, every: float) -> ioloop.PeriodicCallback:
    """Every ``every`` seconds (and once now): record EXPIRED for grants past their end,
    then stop every running server holding a dataset without an ACTIVE grant
    (``enforcement.enforce_round``); a stop that failed is found again next time."""

    async def tick() -> None:
        try:
            expired, done = await enforce_round(portal.requests, portal.grants, portal.hub)
        except Exception:  # noqa: BLE001 - log and try again at the next tick
            log.exception("enforcing grants failed; trying again in %s s", every)
            return
        if expired:
            log.info("grants expired: %s", ", ".join(expired))
        if done.failed:
            log.warning("not stopped yet (retried in %s s): %s", every, ", ".join(done.failed))

    ioloop.IOLoop.current().add_callback(tick)
    # Tornado awaits tick before scheduling the next one, so runs never overlap.
    callback = ioloop.PeriodicCallback(tick, every * 1000)
    callback.start()
    return callback
