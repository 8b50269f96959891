"""Integration tests of the real image builds: the single-user image (server and curated
kernels) is built (or reused), then run the way the spawner runs it: read-only root, no
capabilities, no network.

The first run on a fresh machine builds everything (about 8 minutes on 2 cores, plus the
wheel download); later runs reuse the images (seconds). The offline-rebuild test always
rebuilds one kernel's stage without the layer cache, with every registry unreachable,
into its own tag, and removes it afterwards (bench/image_build.py times the full cold
build).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from kimed_hub import runtime
from kimed_hub.images import (
    all_envs,
    build_singleuser_image,
    ensure_sbom,
    ensure_singleuser_image,
    ensure_wheelhouse,
    image_envs,
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
manager, client = start_new_kernel(kernel_name="python-base", startup_timeout=120)
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


def test_unchanged_inputs_cost_seconds_in_a_new_process(image: str) -> None:
    """What `kimed setup` pays when nothing changed: no build, no download."""
    script = "import kimed_hub.images as i; print(i.ensure_singleuser_image())"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(image) and "build" not in result.stdout
    assert time.monotonic() - started < 15


def test_image_configuration(image: str) -> None:
    info = inspect_image(image)
    config = info["Config"]
    assert config["User"] == "1000:100" and config["WorkingDir"] == "/home/jovyan"
    assert config["Cmd"] == ["jupyterhub-singleuser"]
    assert "8888/tcp" in config["ExposedPorts"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["PATH"].startswith("/opt/venv/bin:") and env["HOME"] == "/home/jovyan"
    assert config["Labels"]["org.kimed.variant"] == "cpu"
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
    """The widget manager and the airlock's "Request release…" entry (kimed-release) are
    prebuilt extensions, so nothing asks for `jupyter lab build` (which could not run on a
    read-only root anyway)."""
    listing = _run(image, "sh", "-c", "jupyter labextension list 2>&1")
    assert "@jupyter-widgets/jupyterlab-manager" in listing and "enabled" in listing
    assert re.search(r"kimed-release v\S+ \S*enabled", listing), listing
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


def test_kernel_venvs_are_separate_and_user_installs_go_home(image: str, home_volume: str) -> None:
    script = (
        "import json, subprocess\n"
        "out = {}\n"
        "for k in ('python-base', 'python-imaging', 'python-text'):\n"
        "    py = f'/opt/kernels/{k}/bin/python'\n"
        "    out[k] = subprocess.run([py, '-c', 'import sys, kimed_user_site as u; '\n"
        "        'print(sys.prefix, u.USER_SITE in sys.path)'], capture_output=True,\n"
        "        text=True).stdout.split()\n"
        "    out[k].append(subprocess.run([py, '-m', 'pip', 'config', 'get', 'install.prefix'],\n"
        "        capture_output=True, text=True).stdout.strip())\n"
        "print(json.dumps(out))\n"
    )
    home = ("-v", f"{home_volume}:/home/jovyan")
    seen = json.loads(_run(image, "python3", "-c", script, options=home).splitlines()[-1])
    for kernel, (prefix, on_path, pip_prefix) in seen.items():
        assert prefix == f"/opt/kernels/{kernel}" and on_path == "True"
        assert pip_prefix == f"/home/jovyan/.local/kernels/{kernel}"


def test_the_sbom_lists_every_environment_and_debian(image: str) -> None:
    document = json.loads(ensure_sbom(image, progress=False).read_text())
    assert document["bomFormat"] == "CycloneDX"
    refs = {c["bom-ref"] for c in document["components"]}
    for env in image_envs():
        name = "singleuser" if env.name == "singleuser" else env.name
        assert any(r.startswith(f"{name}:pypi:") for r in refs), env.name
    assert any(r.startswith("python-imaging:pypi:torch@2.13.0+cpu") for r in refs)
    assert any(r.startswith("deb:r-base-core@") for r in refs)
    hashed = [c for c in document["components"] if c["purl"].startswith("pkg:pypi/")]
    assert all(c.get("hashes") for c in hashed), [c["bom-ref"] for c in hashed if "hashes" not in c]


def test_rebuild_works_with_registries_unreachable(image: str) -> None:
    """With the wheelhouses in place, every wheelhouse checks out and a kernel's stage
    rebuilds from scratch (no layer cache) while every index pip could use points at a
    closed loopback port: nothing is downloaded."""
    for env in all_envs():  # the precondition: complete wheelhouses
        if env.variant == "cpu":
            ensure_wheelhouse(progress=False, env=env)
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
        f"r = b(ref={OFFLINE_REF!r}, force=True, no_cache=True, target='kernel-python-text'); "
        "print(json.dumps(r.built))"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip().endswith("true")
        assert "download" not in result.stdout, result.stdout
        offline = inspect_image(OFFLINE_REF)
        key = "org.kimed.inputs-hash"
        assert offline["Config"]["Labels"][key] == inspect_image(image)["Config"]["Labels"][key]
        assert offline["Id"] != inspect_image(image)["Id"]
        check = "import presidio_analyzer, spacy; print(spacy.__version__)"
        seen = _run(OFFLINE_REF, "/opt/kernels/python-text/bin/python", "-c", check)
        assert seen.strip() == "3.8.18"
    finally:
        subprocess.run([_cli(), "rmi", "-f", OFFLINE_REF], check=False, capture_output=True)


def test_pip_in_the_image_never_looks_for_pypi(image: str) -> None:
    """Without the hub's PIP_INDEX_URL, pip's only index is a closed loopback port."""
    script = "pip config list; pip download --no-deps --retries 0 -d /tmp/x tableone; true"
    out = _run(image, "sh", "-c", script + " 2>&1")
    assert "global.index-url='http://127.0.0.1:9/" in out
    assert "Looking in indexes: http://127.0.0.1:9/" in out and "pypi.org" not in out


LATE_REF = "localhost/kimed-singleuser:test-late-layers"


def test_a_library_edit_rebuilds_only_the_late_layers(image: str, tmp_path) -> None:
    """kimed_demos is copied into the image's last layers: an edited copy of the checkout
    (KIMED_HOME; same state folder, so the same wheelhouses) gets a new key, and its
    build reuses every cached layer up to the library, kernels included, in seconds."""
    from kimed_hub.paths import project_root, state_dir

    copy = tmp_path / "checkout"
    for folder in ("docker", "kernels", "demonstrators", "notebooks", "extensions", "policies"):
        shutil.copytree(project_root() / folder, copy / folder, ignore=shutil.ignore_patterns(
            "__pycache__", ".*"))  # fmt: skip
    with (copy / "demonstrators" / "kimed_demos" / "locations.py").open("a") as handle:
        handle.write(f"\n# edited by test_image_build ({uuid.uuid4().hex})\n")
    env = {**os.environ, "KIMED_HOME": str(copy), "KIMED_STATE_DIR": str(state_dir())}
    script = (
        "import json; from kimed_hub.images import build_singleuser_image as b; "
        f"r = b(ref={LATE_REF!r}, progress=False); print(json.dumps([r.built, r.seconds]))"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout + result.stderr
        built, seconds = json.loads(result.stdout.strip().splitlines()[-1])
        edited, original = inspect_image(LATE_REF), inspect_image(image)
        assert built and edited["Id"] != original["Id"]
        layers, before = edited["RootFS"]["Layers"], original["RootFS"]["Layers"]
        shared = next(
            (i for i, (a, b) in enumerate(zip(layers, before, strict=False)) if a != b),
            len(layers),
        )
        # Only the copies of lib/, notebooks/, kimed-demo and policies/ and the lab config
        # written from the exits policy (kimed_exits.lab_config) are new layers.
        assert len(layers) == len(before) and shared >= len(layers) - 5, (shared, len(layers))
        print(f"warm rebuild after a library edit: {seconds:.1f} s")
        assert seconds < 180, seconds
        probe = "import kimed_demos.locations as l; print(open(l.__file__).read()[-120:])"
        seen = _run(LATE_REF, "/opt/kernels/python-text/bin/python", "-c", probe)
        assert "edited by test_image_build" in seen
    finally:
        subprocess.run([_cli(), "rmi", "-f", LATE_REF], check=False, capture_output=True)


def test_the_server_starts_without_building_an_iri_grammar(image: str) -> None:
    """jupyterhub-singleuser imports jsonschema (through jupyter_events); with rfc3987-syntax
    installed that import costs ~1.2 CPU-s per server start (wheels.LEFT_OUT)."""
    script = (
        "import sys, jupyterhub.singleuser, jsonschema; "
        "print(sorted(m for m in sys.modules if m.startswith('rfc3987_syntax')))"
    )
    assert _run(image, "python", "-c", script).strip() == "[]"
