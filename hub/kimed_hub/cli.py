"""``kimed``: set up, start and check the workbench.

kimed setup            install/verify runtime, proxy and images (idempotent)
kimed up               setup, then run the hub at http://127.0.0.1:8000 (Ctrl-C stops)
kimed test [PYTEST..]  setup, then run the whole test suite
kimed policy check     validate every policy file
kimed image build      build (or reuse) the images (--hub: the Kubernetes hub image);
                       kimed image lock [--env NAME]: refresh the locks
kimed image outdated   running servers whose next start gets another image
kimed clean            remove this workbench's user containers (--volumes: homes too)
kimed install          write systemd units for the hub and the proxy (--enable: start them)
kimed backup FILE      hub and portal databases, secrets, policies into FILE (.tar.gz)
kimed restore FILE     the same back into an empty state folder (--force: replace)
kimed portal verify-audit | load-demo | import FILE | demo-data
kimed portal close | revoke AR-... --comment TEXT [--actor NAME]
                       the portal's database (the hub's: KIMED_PORTAL_DB_URL or beside it)
kimed k8s render OUTDIR --registry R --public-url U --oidc-issuer I --hub-tag T
                       Zero to JupyterHub values and manifests from policies/
kimed data generate-mii OUT | import-fhir SOURCE --dataset ID
                       MII/FHIR data: fictional data, import into a dataset's tables
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import cli_data, cli_trust_centre, images
from .accounts import demo_passwords, ensure_demo_accounts
from .gpus import detect_gpu_ids
from .paths import hub_data_dir, project_root
from .policies import PolicyError, check_all
from .portal_address import SERVICE_PREFIX as PORTAL_PREFIX
from .production import cli as production_cli
from .production.cli import PRODUCTION_COMMANDS
from .proxy import ensure_proxy
from .runtime import RuntimeUnavailable, ensure_runtime
from .settings import Settings, SettingsError


def _step(label: str, action: Callable[[], object]) -> object:
    """Run one set-up step, printing what it is and how long it took."""
    print(f"==> {label} ...", flush=True)
    started = time.monotonic()
    result = action()
    print(f"    {label}: done in {time.monotonic() - started:.1f} s", flush=True)
    return result


def setup() -> None:
    """Everything the hub needs, each step skipped when already in place."""
    _step("policies", check_all)
    _step("container runtime", ensure_runtime)
    _step("configurable-http-proxy", ensure_proxy)
    _step("single-user image", images.ensure_singleuser_image)
    if detect_gpu_ids():  # the CUDA build is several GB: only where a GPU can use it
        _step("GPU single-user image", lambda: images.ensure_singleuser_image(variant="gpu"))


def print_login(settings: Settings) -> None:
    """How to log in: the URL and each demo account's password."""
    accounts = ensure_demo_accounts(settings.state)
    passwords = demo_passwords(settings.state)
    print(f"\nKIMed Workbench: open {settings.public_url} and log in as one of")
    for name, account in accounts.items():
        print(f"  {name:<11} {passwords.get(name, '?'):<14} {account.get('description', '')}")
    print(f"(passwords are kept in {settings.state / 'demo-passwords.txt'}; Ctrl-C stops)")
    print(f"Portal (datasets, algorithms, access requests): {settings.public_url}{PORTAL_PREFIX}\n")


def up() -> None:
    """Set up, then replace this process with the hub (signals go straight to it)."""
    settings = Settings.from_env()
    from traitlets.config import Config

    from .production.mode import configure_mode

    configure_mode(Config(), settings)  # an unsafe production set-up stops here, not later
    setup()
    if settings.portal_demo:  # data folders for the demo catalogue, so grants mount something
        from .portal_service.commands import ensure_demo_data

        _step("demo data folders", lambda: ensure_demo_data(settings.dataset_root))
    print_login(settings)
    config = project_root() / "hub" / "jupyterhub_config.py"
    os.chdir(hub_data_dir())
    os.execv(sys.executable, [sys.executable, "-m", "jupyterhub", "-f", str(config)])


def test(pytest_args: list[str]) -> int:
    """Set up, then run pytest over tests/ (extra arguments pass through)."""
    import pytest

    setup()
    os.chdir(project_root())
    return pytest.main(pytest_args)


def clean(volumes: bool) -> None:
    """Remove this workbench's user containers (``KIMED_PREFIX``-…), and with ``volumes``
    their home volumes too."""
    from .runtime import remove_containers

    prefix = Settings.from_env().prefix + "-"
    remove_containers(prefix, volumes=volumes)
    print(f"removed the containers{' and volumes' if volumes else ''} named {prefix}*")


def image_outdated() -> None:
    """List the running servers whose image is not the one their next start gets (the
    current build's, or the site file's): after ``kimed image build`` and a hub restart,
    who still works in the old image (server_images.py)."""
    from .policies import security_profile
    from .runtime import runtime_client
    from .server_images import built_images, current_images, outdated_report, outdated_servers

    settings = Settings.from_env()
    current = current_images(settings.site_config, built_images())
    client = runtime_client()
    servers, running = outdated_servers(client, settings.prefix + "-", current, security_profile())
    print(outdated_report(servers, running))


def _lock_envs(names: list[str] | None) -> list[images.PythonEnv] | None:
    """The environments `kimed image lock --env NAME ...` names (None: all of them)."""
    if not names:
        return None
    known = {env.key: env for env in images.all_envs()}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(
            f"kimed image lock: no environment named {', '.join(unknown)}; "
            f"choose from {', '.join(sorted(known))}"
        )
    return [known[name] for name in names]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kimed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="install/verify runtime, proxy and images")
    sub.add_parser("up", help="set up and run the workbench")
    sub.add_parser("test", help="set up and run the test suite (arguments go to pytest)")
    sub.add_parser("policy", help="policy files").add_argument("action", choices=["check"])
    image = sub.add_parser("image", help="images")
    image.add_argument("action", choices=["build", "lock", "outdated"])
    image.add_argument("--gpu", action="store_true", help="build the CUDA (GPU) variant")
    image.add_argument(
        "--hub", action="store_true", help="build the hub image for Kubernetes (kimed-hub)"
    )
    image.add_argument(
        "--env", action="append", metavar="NAME", help="lock only this environment (repeatable)"
    )
    sub.add_parser("clean", help="remove user containers").add_argument(
        "--volumes", action="store_true"
    )
    sub.add_parser("demo", help="demonstrators (kimed demo --help)")
    production_cli.add_parsers(sub)
    portal = sub.add_parser("portal", help="the portal's catalogue and audit log")
    actions = portal.add_subparsers(dest="action", required=True)
    actions.add_parser("verify-audit", help="verify the audit log's hash chain (exit 1: broken)")
    actions.add_parser("load-demo", help="load the fictional demo catalogue")
    importing = actions.add_parser("import", help="import a Turtle or JSON-LD file")
    importing.add_argument("file", type=Path)
    importing.add_argument("--actor", default="kimed-cli", help="who the audit log names")
    actions.add_parser("demo-data", help="create the demo datasets' fictional data folders")
    for action, what in (("close", "end an ACTIVE grant early"), ("revoke", "revoke a grant")):
        ending = actions.add_parser(action, help=f"{what} (as a data steward)")
        ending.add_argument("request_id", help="the request, e.g. AR-000007")
        ending.add_argument("--comment", required=action == "revoke", default="")
        ending.add_argument("--actor", default="kimed-cli", help="the steward the audit log names")
    exporting = actions.add_parser("export", help="export records as HealthDCAT-AP RDF")
    exporting.add_argument("identifiers", nargs="*", help="records to export (default: all)")
    exporting.add_argument("--format", default="turtle", choices=["turtle", "json-ld"])
    exporting.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    cli_data.add_parser(sub)
    cli_trust_centre.add_parser(sub)
    from .k8s import render as k8s_render

    k8s_render.add_parser(sub)
    return parser


def portal_command(args: argparse.Namespace) -> int:
    """``kimed portal ...`` on the hub's portal database."""
    from .access.grants import GrantsUnavailable
    from .errors import PortalError
    from .portal_service import commands

    settings = Settings.from_env()
    try:
        if args.action == "verify-audit":
            return commands.verify_audit(settings.portal_db_url)
        if args.action == "load-demo":
            return commands.load_demo(settings.portal_db_url)
        if args.action == "import":
            return commands.import_file(settings.portal_db_url, args.file, args.actor)
        if args.action in ("close", "revoke"):
            return commands.end_grant(
                settings.portal_db_url, args.action, args.request_id, args.actor, args.comment
            )
        if args.action == "export":
            return commands.export_records(
                settings.portal_db_url, args.format, args.identifiers, args.output
            )
        changed = commands.ensure_demo_data(settings.dataset_root)
        print(f"demo data under {settings.dataset_root}: {len(changed)} folder(s) written")
        return 0
    except (PortalError, GrantsUnavailable, OSError, ValueError) as error:
        print(f"kimed portal {args.action}: {error}", file=sys.stderr)
        return 2


def _dispatch(argv: list[str]) -> int:
    # "test" and "demo" pass the rest of the line on untouched (to pytest, to the runner).
    if argv[:1] == ["test"]:
        return test(argv[1:])
    if argv[:1] == ["demo"]:
        from kimed_demos.runner import main as demo_main  # demonstrator deps load only here

        return demo_main(argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "setup":
        setup()
    elif args.command == "up":
        up()
    elif args.command == "policy":
        print("policies valid:", ", ".join(check_all()))
    elif args.command == "image" and args.action == "build" and args.hub:
        print(images.ensure_hub_image())
    elif args.command == "image" and args.action == "build":
        print(images.ensure_singleuser_image(variant="gpu" if args.gpu else "cpu"))
    elif args.command == "image" and args.action == "outdated":
        image_outdated()
    elif args.command == "image":
        print("\n".join(map(str, images.lock_requirements(envs=_lock_envs(args.env)))))
    elif args.command == "clean":
        clean(args.volumes)
    elif args.command == "portal":
        return portal_command(args)
    elif args.command == "data":
        return cli_data.run(args)
    elif args.command == "trust-centre":
        return cli_trust_centre.run(args)
    elif args.command == "k8s":
        from .k8s import render as k8s_render

        return k8s_render.run(args)
    elif args.command in PRODUCTION_COMMANDS:
        return production_cli.run(args)
    return 0


def main(argv: list[str] | None = None) -> int:
    """The ``kimed`` console script; errors people can act on exit with status 2."""
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except (PolicyError, SettingsError, RuntimeUnavailable) as exc:
        print(f"kimed: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
