"""Integration tests of the real image builds: the single-user image is built (or reused),
then run the way the spawner runs it: read-only root, no capabilities, no network.

The first run on a fresh machine builds everything (about 2 minutes, plus the wheel
download); later runs reuse the images. The offline-rebuild test always rebuilds one image
without the layer cache, into its own tag, and removes it afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from kimed_hub import runtime
from kimed_hub.images import (
    build_singleuser_image,
    ensure_singleuser_image,
    ensure_wheelhouse,
)
from kimed_hub.images._common import inspect_image

pytestmark = pytest.mark.integration

OFFLINE_REF = "localhost/kimed-singleuser:test-offline"
# The spawner's container profile, minus what needs the hub (volumes, ports).
LOCKED_DOWN = [
    "--rm",
    "--read-only",
    "--tmpfs",
    "/tmp",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--user",
    "1000",
    "--network",
    "none",
]

# Runs inside the container: start JupyterLab, fetch /lab, run code in a kernel, stop.
LAB_PROBE = """
import json, subprocess, time, urllib.request
from jupyter_client.manager import start_new_kernel
server = subprocess.Popen(
    ["jupyter", "lab", "--IdentityProvider.token=probe", "--ServerApp.ip=127.0.0.1"],
    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
def get(path):
    request = urllib.request.Request("http://127.0.0.1:8888" + path,
                                     headers={"Authorization": "token probe"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status
for _ in range(120):
    try:
        get("/api/status")
        break
    except OSError:
        time.sleep(0.5)
lab = get("/lab")
manager, client = start_new_kernel(kernel_name="python3", startup_timeout=60)
reply = client.execute_interactive("import ipywidgets; x = ipywidgets.IntSlider(3)", timeout=60)
client.stop_channels()
manager.shutdown_kernel(now=True)
server.terminate()
log = server.communicate(timeout=30)[0]
print(json.dumps({"lab": lab, "kernel": reply["content"]["status"], "log": log}))
"""


def _cli() -> str:
    cli = runtime.detect().cli
    if shutil.which(cli) is None:
        pytest.skip(f"no container CLI ({cli}) on this host")
    return cli


@pytest.fixture(scope="module")
def image() -> str:
    """The single-user image for the current inputs, built if needed."""
    _cli()
    return ensure_singleuser_image()


def _run(image: str, *command: str, options: tuple[str, ...] = ()) -> str:
    result = subprocess.run(
        [_cli(), "run", *LOCKED_DOWN, *options, image, *command],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_second_call_reuses_the_image(image: str) -> None:
    before = inspect_image(image)
    result = build_singleuser_image()
    assert result.ref == image and not result.built
    assert ensure_singleuser_image(progress=False) == image
    after = inspect_image(image)
    assert (after["Id"], after["Created"]) == (before["Id"], before["Created"])
    assert inspect_image("localhost/kimed-singleuser:latest")["Id"] == after["Id"]


def test_image_configuration(image: str) -> None:
    info = inspect_image(image)
    config = info["Config"]
    assert config["User"] == "1000:100" and config["WorkingDir"] == "/home/jovyan"
    assert config["Cmd"] == ["jupyterhub-singleuser"]
    assert "8888/tcp" in config["ExposedPorts"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["PATH"].startswith("/opt/venv/bin:") and env["HOME"] == "/home/jovyan"
    assert env["JUPYTER_RUNTIME_DIR"] == "/tmp/jupyter-runtime"
    labels = config["Labels"]
    assert image.endswith(":" + labels["org.kimed.inputs-hash"][:12])
    assert labels["org.opencontainers.image.title"] == "kimed-singleuser"


def test_runs_locked_down_as_jovyan(image: str) -> None:
    script = (
        "import jupyterlab, ipywidgets, jupyterhub, os; "
        "print(os.getuid(), os.getgid(), jupyterlab.__version__, jupyterhub.__version__)"
    )
    assert _run(image, "python", "-c", script).split() == ["1000", "100", "4.6.6", "6.1.1"]
    assert _run(image, "jupyter", "lab", "--version").strip() == "4.6.6"
    assert _run(image, "stat", "-c", "%u:%g", "/home/jovyan").strip() == "1000:100"


def test_lab_extensions_are_prebuilt(image: str) -> None:
    """The widget manager is a prebuilt extension, so nothing asks for `jupyter lab build`
    (which could not run on a read-only root anyway)."""
    listing = _run(image, "sh", "-c", "jupyter labextension list 2>&1")
    assert "@jupyter-widgets/jupyterlab-manager" in listing and "enabled" in listing
    assert "build" not in listing.lower()


@pytest.fixture
def home_volume() -> Iterator[str]:
    """A throw-away named volume for /home/jovyan, as the spawner gives each user."""
    name = f"kimed-test-images-home-{uuid.uuid4().hex[:8]}"
    subprocess.run([_cli(), "volume", "create", name], check=True, capture_output=True)
    yield name
    subprocess.run([_cli(), "volume", "rm", "-f", name], check=False, capture_output=True)


def test_lab_serves_and_runs_kernels_on_a_read_only_root(image: str, home_volume: str) -> None:
    volume = ("-v", f"{home_volume}:/home/jovyan")
    output = _run(image, "python", "-c", LAB_PROBE, options=volume)
    report = json.loads(output.strip().splitlines()[-1])  # the kernel may print before it
    assert report["lab"] == 200 and report["kernel"] == "ok", report["log"]
    for problem in ("Read-only file system", "Permission denied", "jupyter lab build"):
        assert problem not in report["log"], report["log"]


def test_rebuild_works_with_registries_unreachable(image: str) -> None:
    """With the wheelhouse in place, a full rebuild (no layer cache) succeeds while every
    index pip could use points at a closed loopback port: nothing is downloaded."""
    ensure_wheelhouse(progress=False)  # the precondition: a complete wheelhouse
    unreachable = "http://127.0.0.1:9/"
    env = {
        **os.environ,
        "PIP_INDEX_URL": unreachable,
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "HTTP_PROXY": unreachable,
        "HTTPS_PROXY": unreachable,
        "http_proxy": unreachable,
        "https_proxy": unreachable,
        "NO_PROXY": "",
    }
    script = (
        "import json; from kimed_hub.images import build_singleuser_image as b; "
        f"r = b(ref={OFFLINE_REF!r}, force=True, no_cache=True); print(json.dumps(r.built))"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip().endswith("true")
        assert "download" not in result.stdout, result.stdout
        offline = inspect_image(OFFLINE_REF)
        labels = offline["Config"]["Labels"]
        assert labels == inspect_image(image)["Config"]["Labels"]
        assert offline["Id"] != inspect_image(image)["Id"]
    finally:
        subprocess.run([_cli(), "rmi", "-f", OFFLINE_REF], check=False, capture_output=True)
