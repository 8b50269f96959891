"""``kimed up`` (what the README's first command ends in): prints how to log in, writes
the demo datasets' fictional files, serves the hub and the portal, and stops cleanly on
Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from kimed_hub.testing import free_port

pytestmark = pytest.mark.integration


def test_up_prints_logins_serves_and_stops_on_ctrl_c(singleuser_image, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "KIMED_HUB_DATA_DIR": str(tmp_path),
        "KIMED_DATA_DIR": str(tmp_path / "data"),
        "KIMED_PUBLIC_PORT": str(port),
        "KIMED_HUB_PORT": str(free_port()),
        "KIMED_PROXY_API_PORT": str(free_port()),
        "KIMED_PREFIX": f"kimedup{port}",
    }
    up = subprocess.Popen(
        [sys.executable, "-m", "kimed_hub.cli", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, ready = time.monotonic() + 120, False
        while time.monotonic() < deadline and not ready:
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/hub/api/", timeout=2).ok
            except requests.ConnectionError:
                time.sleep(0.5)
        assert ready, "hub did not answer"
        page = requests.get(f"http://127.0.0.1:{port}/hub/login", timeout=10)
        assert page.ok and "username_input" in page.text
        portal = requests.get(
            f"http://127.0.0.1:{port}/services/portal/", timeout=10, allow_redirects=False
        )
        assert portal.status_code == 302 and "oauth2/authorize" in portal.headers["Location"]
    finally:
        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=60)
    assert up.returncode == 0, output[-3000:]
    assert f"open http://127.0.0.1:{port} and log in as one of" in output
    assert f"http://127.0.0.1:{port}/services/portal/" in output
    demo = tmp_path / "data" / "ct-thorax-lungenrundherde-leipzig"  # a demo catalogue dataset
    assert (demo / "README.txt").is_file() and (demo / "data.csv").is_file()
    passwords = dict(
        line.split(" ", 1) for line in (tmp_path / "demo-passwords.txt").read_text().splitlines()
    )
    for name in ("researcher", "trainee", "instructor", "steward", "checker", "admin"):
        assert f"{name} " in output and passwords[name] in output


def test_clean_removes_this_workbenchs_containers_without_the_test_extra(singleuser_image):
    """``kimed clean --volumes`` on an install without the test extra (its packages made
    unimportable, tests/unit/test_cli.py): this prefix's container and volume go, another
    prefix's stay."""
    from tests.unit.test_cli import run_without_test_extra

    mine, other = f"kimedclean{free_port()}", f"kimedkeep{free_port()}"
    for prefix in (mine, other):
        subprocess.run(["podman", "volume", "create", f"{prefix}-home-x"], check=True)
        subprocess.run(
            ["podman", "create", "--name", f"{prefix}-x", singleuser_image, "true"], check=True
        )
    done = run_without_test_extra(
        "import sys\nfrom kimed_hub.cli import main\nsys.exit(main(['clean', '--volumes']))",
        KIMED_PREFIX=mine,
    )
    assert done.returncode == 0, done.stderr
    names = subprocess.run(
        ["podman", "ps", "-a", "--format", "{{.Names}}"], capture_output=True, text=True
    ).stdout.split()
    volumes = subprocess.run(
        ["podman", "volume", "ls", "--format", "{{.Name}}"], capture_output=True, text=True
    ).stdout.split()
    assert f"{mine}-x" not in names and f"{mine}-home-x" not in volumes
    assert f"{other}-x" in names and f"{other}-home-x" in volumes
    subprocess.run(["podman", "rm", "-f", f"{other}-x"], check=True)
    subprocess.run(["podman", "volume", "rm", "-f", f"{other}-home-x"], check=True)
