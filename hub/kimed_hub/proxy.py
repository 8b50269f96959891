"""configurable-http-proxy, JupyterHub's public proxy, installed from npm into the state folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .paths import state_dir

CHP_VERSION = "5.3.0"


def proxy_command() -> Path:
    """Where the project's own configurable-http-proxy lives (after :func:`ensure_proxy`)."""
    return state_dir() / "node" / "node_modules" / ".bin" / "configurable-http-proxy"


def ensure_proxy() -> Path:
    """Install configurable-http-proxy (pinned) with npm unless it is already there."""
    command = proxy_command()
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is needed to install configurable-http-proxy: apt-get install -y nodejs npm"
        )
    prefix = command.parents[2]
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(prefix),
            "--no-audit",
            "--no-fund",
            "--silent",
            f"configurable-http-proxy@{CHP_VERSION}",
        ],
        check=True,
    )
    return command
