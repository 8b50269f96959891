"""JupyterLab's side of the closed exits, written into the image from the policy.

``python -m kimed_exits.lab_config`` runs once in the image build (Containerfile) and
writes, at system level (root-owned, on the read-only root at run time):

* ``/etc/jupyter/labconfig/page_config.json``: the policy's plugins in
  ``disabledExtensions`` *and* ``lockedExtensions``. JupyterLab's plugin manager refuses
  to toggle a locked plugin, and the image sets ``JUPYTER_CONFIG_DIR=/etc/jupyter``, so no
  ``page_config.json`` in the home is ever read (the user-level config directory is this
  root-owned one);
* ``<sys.prefix>/share/jupyter/lab/settings/overrides.json``: the policy's settings
  defaults (news and update checks off);
* ``<sys.prefix>/share/jupyter/labextensions/kimed-release/``: the "Request release…"
  entry of the file browser's context menu, which opens the portal's export-request page
  with the right-clicked files preselected (``labextension/``: a federated extension
  written by hand, no build step; ``extensions/README.md`` says why).

It first checks that every listed id is a plugin of the installed JupyterLab: a plugin
renamed by an upgrade would otherwise stay enabled without anyone noticing, so the build
fails instead. At server start :func:`check_lab_config` (called by the extension) verifies
that JupyterLab's effective page config disables and locks every listed plugin.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from .policy import IMAGE_POLICY, ExitsPolicy, ExitsPolicyError, load_exits_policy

SYSTEM_CONFIG = Path("/etc/jupyter")
#: The "Request release…" lab extension shipped in this package, and its name.
RELEASE_EXTENSION = Path(__file__).parent / "labextension"
RELEASE_EXTENSION_NAME = "kimed-release"


def lab_app_dir() -> Path:
    """The installed JupyterLab's application folder (``static/``, ``settings/``)."""
    return Path(sys.prefix) / "share" / "jupyter" / "lab"


def page_config(policy: ExitsPolicy) -> dict:
    """The ``page_config.json`` that disables and locks the policy's plugins."""
    plugins = dict.fromkeys(policy.disabled_plugins, True)
    return {"disabledExtensions": plugins, "lockedExtensions": dict(plugins)}


def unknown_plugins(policy: ExitsPolicy, app_dir: Path) -> list[str]:
    """The policy's plugin ids that occur nowhere in the installed JupyterLab's bundle."""
    bundle = "".join(p.read_text(errors="replace") for p in (app_dir / "static").glob("*.js"))
    if not bundle:
        raise ExitsPolicyError(f"no JupyterLab bundle in {app_dir / 'static'}")
    return [plugin for plugin in policy.disabled_plugins if f'"{plugin}"' not in bundle]


def write_lab_config(policy: ExitsPolicy, config_dir: Path, app_dir: Path) -> list[Path]:
    """Check the plugin ids, then write page_config.json and overrides.json."""
    if missing := unknown_plugins(policy, app_dir):
        raise ExitsPolicyError(
            "lab.disabled_plugins names plugins the installed JupyterLab does not have: "
            + ", ".join(missing)
            + ". Find their new ids (grep the bundle in share/jupyter/lab/static) and "
            "update policies/workspace-exits.yaml."
        )
    targets = {
        config_dir / "labconfig" / "page_config.json": page_config(policy),
        app_dir / "settings" / "overrides.json": policy.settings_overrides,
    }
    for path, data in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return list(targets)


def install_release_extension(labextensions: Path) -> Path:
    """Copy the "Request release…" extension into ``labextensions`` (a folder JupyterLab
    reads federated extensions from), replacing an older copy."""
    target = labextensions / RELEASE_EXTENSION_NAME
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(RELEASE_EXTENSION, target)
    return target


def check_lab_config(policy: ExitsPolicy) -> list[str]:
    """The policy's plugins that JupyterLab's effective page config does not disable and
    lock (empty when all is in place). Reads the config as JupyterLab does at start."""
    from jupyterlab_server.config import get_page_config

    effective = get_page_config([], str(lab_app_dir() / "settings"))
    disabled = set(effective.get("disabledExtensions", []))
    locked = set(effective.get("lockedExtensions", []))
    return [p for p in policy.disabled_plugins if p not in disabled or p not in locked]


def main(argv: list[str] | None = None) -> int:
    """Command line for the image build; exits non-zero with the reason on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", default=str(IMAGE_POLICY))
    parser.add_argument("--config-dir", default=str(SYSTEM_CONFIG))
    args = parser.parse_args(argv)
    try:
        policy = load_exits_policy(args.policy)
        written = write_lab_config(policy, Path(args.config_dir), lab_app_dir())
        written.append(install_release_extension(lab_app_dir().parent / "labextensions"))
    except ExitsPolicyError as exc:
        print(f"kimed_exits: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"kimed_exits: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
