"""The closed exits, over HTTP, against a real user server of the real image.

One server for the module (the trainee's), started *after* its home was given a hostile
Jupyter config (``~/.jupyter`` and ``~/.local/etc/jupyter``: kimed_exits switched off,
Jupyter's plain contents manager, the download plugins unlocked), so every test also shows
that nothing in the home configures the server. Requests go through the proxy with the
user's own token (and, for /files/, the user's browser cookies through the OAuth dance).
Expectations (sizes, the message, terminals) come from policies/workspace-exits.yaml, the
file the image carries.
"""

from __future__ import annotations

import json
import textwrap

import pytest
import requests
import yaml

from kimed_exits.policy import load_exits_policy
from kimed_hub.paths import policies_dir

pytestmark = pytest.mark.integration

POLICY_PATH = policies_dir() / "workspace-exits.yaml"
POLICY = load_exits_policy(POLICY_PATH)
MESSAGE = POLICY.airlock_message
DIR = "exits-test"
# A 1x1 PNG: a binary type of the policy's allowlist, for the image viewer.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0g"
    "AAAABJRU5ErkJggg=="
)

HOSTILE_CONFIG = f"""
import json, os, pathlib
server = ("c.ServerApp.jpserver_extensions = {{'kimed_exits': False}}\\n"
          "c.ServerApp.contents_manager_class = "
          "'jupyter_server.services.contents.largefilemanager.AsyncLargeFileManager'\\n")
unlock = {{p: False for p in {list(POLICY.disabled_plugins)!r}}}
page = json.dumps({{"disabledExtensions": unlock, "lockedExtensions": unlock}})
for base in (pathlib.Path.home() / ".jupyter", pathlib.Path.home() / ".local/etc/jupyter"):
    (base / "labconfig").mkdir(parents=True, exist_ok=True)
    (base / "jupyter_server_config.py").write_text(server)
    (base / "labconfig" / "page_config.json").write_text(page)
print("hostile config written")
"""

FILES = f"""
import os, pathlib, base64, errno, json
d = pathlib.Path.home() / "{DIR}"
d.mkdir(exist_ok=True)
(d / "small.txt").write_text("hello from the workspace\\n")
(d / "big.txt").write_text("a" * ({POLICY.max_read_text} + 1))
(d / "data.bin").write_bytes(os.urandom(2048))
(d / "pixel.png").write_bytes(base64.b64decode("{PNG}"))
for name, target in (("pw", "/etc/passwd"), ("etc", "/etc"), ("tmp", "/tmp")):
    if not (d / name).is_symlink():
        os.symlink(target, d / name)
# Hardlinks out of the home: link(2) across mount points must fail (EXDEV), or the
# kernel's protected_hardlinks refuses a file the user does not own (EPERM).
pathlib.Path("/tmp/exits-own.txt").write_text("mine, on the tmpfs")
for source in ("/etc/passwd", "/tmp/exits-own.txt"):
    try:
        os.link(source, d / ("hard-" + os.path.basename(source)))
        print("LINKED", source)
    except OSError as exc:
        print("REFUSED", source, errno.errorcode[exc.errno])
# Files the server would serve raw if Jupyter's data directory were the home's: a
# kernelspec's resources and a labextension's static files.
data = pathlib.Path.home() / ".local/share/jupyter"
(data / "kernels/leak").mkdir(parents=True, exist_ok=True)
spec = {{"argv": ["true"], "display_name": "leak", "language": "x"}}
(data / "kernels/leak/kernel.json").write_text(json.dumps(spec))
(data / "kernels/leak/data.bin").write_bytes(os.urandom(1024))
(data / "labextensions/leak-ext/static").mkdir(parents=True, exist_ok=True)
(data / "labextensions/leak-ext/static/data.js").write_text("var leaked = 1;")
# JupyterLab's workspaces and user settings are files of the home that lab APIs serve raw.
big = '"' + "w" * ({POLICY.max_read_text} + 1) + '"'
lab = pathlib.Path.home() / ".jupyter/lab"
(lab / "workspaces").mkdir(parents=True, exist_ok=True)
(lab / "workspaces/big-2a21.jupyterlab-workspace").write_text(
    '{{"data": {{"x": ' + big + '}}, "metadata": {{"id": "big"}}}}')
"""

CLEAN_HOME = """
import pathlib, shutil
home = pathlib.Path.home()
for base in (home / ".jupyter", home / ".local/etc/jupyter"):
    (base / "jupyter_server_config.py").unlink(missing_ok=True)
    (base / "labconfig" / "page_config.json").unlink(missing_ok=True)
(home / ".jupyter/lab/workspaces/big-2a21.jupyterlab-workspace").unlink(missing_ok=True)
for leak in ("kernels/leak", "labextensions/leak-ext"):
    shutil.rmtree(home / ".local/share/jupyter" / leak, ignore_errors=True)
print("cleaned")
"""


@pytest.fixture(scope="module")
def trainee(hub):
    """The trainee's server, restarted once after the hostile home config was written."""
    user = hub.login("trainee")
    user.spawn()
    assert "hostile config written" in user.run_code(HOSTILE_CONFIG)
    user.stop_server()
    user.spawn()
    user.link_output = user.run_code(FILES)
    yield user
    user.run_code(CLEAN_HOME)
    user.stop_server()


def call(user, method: str, path: str, **kwargs) -> requests.Response:
    """A request to the user's own server with their token, redirects not followed."""
    headers = {"Authorization": f"token {user.token}", **kwargs.pop("headers", {})}
    return requests.request(
        method,
        user.server_url(path),
        headers=headers,
        timeout=60,
        allow_redirects=False,
        **kwargs,
    )


def assert_refused(response: requests.Response, status: int = 403) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.text
    if response.headers.get("Content-Type", "").startswith("application/json"):
        body = response.json()["message"]
    assert MESSAGE in " ".join(body.split()), body[:300]


@pytest.mark.parametrize(
    "path",
    [
        f"files/{DIR}/small.txt",
        f"files/{DIR}/small.txt?download=1",
        f"files/{DIR}/pixel.png",
        f"view/{DIR}/small.txt",
        f"api/contents/{DIR}/small.txt?download=1",
        f"lab/tree/{DIR}/small.txt?download=1",
    ],
)
def test_file_routes_and_download_argument_are_refused(hub_diagnostics, trainee, path):
    assert_refused(call(trainee, "GET", path))


def test_files_refused_with_the_browser_cookie_too(hub_diagnostics, trainee):
    # The user's browser session: hub cookie, then the server's OAuth redirect and cookie.
    response = trainee.session.get(trainee.server_url(f"files/{DIR}/small.txt"), timeout=60)
    assert response.url.endswith(f"/files/{DIR}/small.txt")
    assert_refused(response)


@pytest.fixture(scope="module")
def notebook(trainee):
    """A notebook saved through the contents API, as JupyterLab saves one."""
    content = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "c1",
                "metadata": {},
                "outputs": [],
                "source": "print(6 * 7)",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = f"api/contents/{DIR}/analysis.ipynb"
    saved = call(trainee, "PUT", path, json={"type": "notebook", "content": content})
    assert saved.status_code in (200, 201), saved.text
    return content


@pytest.mark.parametrize("exporter", ["html", "script", "pdf", "notebook"])
def test_nbconvert_downloads_and_exports_are_refused(hub_diagnostics, trainee, notebook, exporter):
    assert_refused(call(trainee, "GET", f"nbconvert/{exporter}/{DIR}/analysis.ipynb?download=true"))
    assert_refused(call(trainee, "GET", f"nbconvert/{exporter}/{DIR}/analysis.ipynb"))
    assert_refused(call(trainee, "POST", f"nbconvert/{exporter}", json=notebook))


def test_notebooks_still_save_and_open(hub_diagnostics, trainee, notebook):
    opened = call(trainee, "GET", f"api/contents/{DIR}/analysis.ipynb")
    assert opened.status_code == 200, opened.text
    assert opened.json()["content"]["cells"][0]["source"] == "print(6 * 7)"
    notebook["cells"][0]["source"] = "print(7 * 6)"
    resaved = call(
        trainee,
        "PUT",
        f"api/contents/{DIR}/analysis.ipynb",
        json={"type": "notebook", "content": notebook},
    )
    assert resaved.status_code == 200, resaved.text
    again = call(trainee, "GET", f"api/contents/{DIR}/analysis.ipynb").json()
    assert again["content"]["cells"][0]["source"] == "print(7 * 6)"


def test_small_text_and_viewer_images_open(hub_diagnostics, trainee):
    text = call(trainee, "GET", f"api/contents/{DIR}/small.txt")
    assert text.status_code == 200 and text.json()["content"] == "hello from the workspace\n"
    image = call(trainee, "GET", f"api/contents/{DIR}/pixel.png")
    assert image.status_code == 200, image.text
    assert (image.json()["format"], image.json()["mimetype"]) == ("base64", "image/png")


def test_reads_over_the_limit_or_of_other_binary_types_are_refused(hub_diagnostics, trainee):
    big = call(trainee, "GET", f"api/contents/{DIR}/big.txt")
    assert_refused(big)
    assert "over this workspace's limit" in big.json()["message"]
    assert_refused(call(trainee, "GET", f"api/contents/{DIR}/data.bin"))
    assert_refused(call(trainee, "GET", f"api/contents/{DIR}/data.bin?format=base64&type=file"))
    # Without content, the file browser still sees both.
    listed = call(trainee, "GET", f"api/contents/{DIR}/big.txt?content=0")
    assert listed.status_code == 200 and listed.json()["size"] == POLICY.max_read_text + 1


def test_symlinks_out_of_the_home_are_refused_and_not_listed(hub_diagnostics, trainee):
    for path in ("pw", "etc", "etc/passwd", "tmp", "tmp/exits-own.txt"):
        assert_refused(call(trainee, "GET", f"api/contents/{DIR}/{path}"))
    assert_refused(
        call(
            trainee,
            "PUT",
            f"api/contents/{DIR}/tmp/planted.txt",
            json={"type": "file", "format": "text", "content": "x"},
        )
    )
    listing = call(trainee, "GET", f"api/contents/{DIR}").json()
    names = {entry["name"] for entry in listing["content"]}
    assert {"small.txt", "big.txt", "pixel.png", "analysis.ipynb"} <= names
    assert not names & {"pw", "etc", "tmp"}, names


def test_hardlinks_out_of_the_home_cannot_be_made(hub_diagnostics, trainee):
    lines = trainee.link_output.splitlines()
    assert "LINKED" not in trainee.link_output, lines
    assert any(line.startswith("REFUSED /etc/passwd E") for line in lines), lines
    assert "REFUSED /tmp/exits-own.txt EXDEV" in lines, lines


def _b64_of(size: int) -> str:
    import base64

    return base64.b64encode(b"\0" * size).decode()


def test_uploads_over_the_limit_are_refused_and_leave_nothing(hub_diagnostics, trainee):
    over = POLICY.max_upload + 1024**2
    path = f"api/contents/{DIR}/upload.bin"
    body = {"type": "file", "format": "base64", "content": _b64_of(over)}
    assert_refused(call(trainee, "PUT", path, json=body))
    assert call(trainee, "GET", f"{path}?content=0").status_code == 404
    # Chunked, as JupyterLab uploads large files: refused at the chunk that crosses the
    # limit, and the unfinished file is removed.
    chunk, chunks = _b64_of(8 * 1024**2), over // (8 * 1024**2) + 1
    for number in range(1, chunks + 1):
        body = {
            "type": "file",
            "format": "base64",
            "content": chunk,
            "chunk": -1 if number == chunks else number,
        }
        response = call(trainee, "PUT", f"api/contents/{DIR}/chunked.bin", json=body)
        if response.status_code == 403:
            break
        assert response.status_code in (200, 201), response.text
    assert_refused(response)
    assert "unfinished upload was removed" in response.json()["message"]
    assert call(trainee, "GET", f"api/contents/{DIR}/chunked.bin?content=0").status_code == 404
    small = {"type": "file", "format": "text", "content": "a small upload"}
    assert call(trainee, "PUT", f"api/contents/{DIR}/upload.txt", json=small).status_code == 201


def test_terminals_follow_the_policy(hub_diagnostics, trainee):
    expected = 200 if POLICY.terminals_enabled else 404
    assert call(trainee, "GET", "api/terminals").status_code == expected


def test_kernel_output_is_limited_by_the_policy(hub_diagnostics, trainee):
    huge = POLICY.max_message_size + 1024
    out = trainee.run_code(
        "from IPython.display import display\n"
        f"display({{'text/plain': 'x' * {huge}}}, raw=True)\nprint('still here')"
    )
    assert "Output not shown" in out and MESSAGE in " ".join(out.split())
    assert out.rstrip().endswith("still here")
    rate = int(POLICY.iopub_data_rate_limit)
    flood = trainee.run_code(f"import sys\nfor _ in range(40): sys.stdout.write('y' * {rate})")
    assert "IOPub data rate exceeded" in flood
    assert f"iopub_data_rate_limit={POLICY.iopub_data_rate_limit}" in flood


@pytest.mark.parametrize(
    "path",
    [
        f"files/{DIR}/small.txt",
        f"nbconvert/html/{DIR}/analysis.ipynb?download=true",
        f"view/{DIR}/small.txt",
        f"api/contents/{DIR}/small.txt",
        f"api/contents/{DIR}/small.txt?download=1",
    ],
)
def test_every_route_needs_authentication(hub_diagnostics, trainee, path):
    # Anonymous: sent to log in (302) or refused (403) before any handler runs, so the
    # airlock message is never reached.
    response = requests.get(trainee.server_url(path), timeout=30, allow_redirects=False)
    assert response.status_code in (302, 403), response.status_code
    assert MESSAGE not in response.text
    if response.status_code == 302:
        assert "/hub/" in response.headers["Location"]


def test_the_home_does_not_configure_the_server(hub_diagnostics, trainee):
    paths = json.loads(
        trainee.run_code(
            "import subprocess\n"
            "print(subprocess.run(['/opt/venv/bin/jupyter', '--paths', '--json'],"
            " capture_output=True, text=True, check=True).stdout)"
        )
    )
    assert not [p for p in paths["config"] if p.startswith("/home/")], paths["config"]
    assert not [p for p in paths["data"] if p.startswith("/home/")], paths["data"]


def test_files_in_the_home_data_dir_are_not_served(hub_diagnostics, trainee):
    # Jupyter serves kernelspec resources and labextension files raw; the home's data
    # directory is not one of its data directories, so what a kernel puts there is not.
    assert "leak" not in call(trainee, "GET", "api/kernelspecs").json()["kernelspecs"]
    assert call(trainee, "GET", "kernelspecs/leak/data.bin").status_code == 404
    assert call(trainee, "GET", "lab/extensions/leak-ext/static/data.js").status_code == 404


def test_lab_workspaces_over_the_limit_are_refused(hub_diagnostics, trainee):
    # Workspaces are files of the home that JupyterLab serves as they are.
    assert_refused(call(trainee, "GET", "lab/api/workspaces/big"))
    assert_refused(call(trainee, "GET", "lab/api/workspaces"))
    assert call(trainee, "GET", "lab/api/settings/@jupyterlab/apputils-extension:themes").ok


def _in_container_server(user, policy_text: str, probe: str) -> dict:
    """Start a second Jupyter server of the image inside the user's container (loopback of
    the container only) with ``policy_text`` as its exits policy; return what it did."""
    code = textwrap.dedent(f"""
        import json, os, pathlib, shutil, subprocess, time, urllib.request, urllib.error
        d = pathlib.Path("/tmp/exits-policy"); (d / "schemas").mkdir(parents=True, exist_ok=True)
        shutil.copy("/opt/kimed/policies/schemas/workspace-exits.schema.json", d / "schemas")
        (d / "p.yaml").write_text({policy_text!r})
        env = {{k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}}
        proc = subprocess.Popen(["/opt/venv/bin/jupyter", "server", "--ip=127.0.0.1",
            "--port=18765", "--IdentityProvider.token=t", "--ServerApp.root_dir=/tmp",
            "--KimedExits.policy_file=" + str(d / "p.yaml")], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        result = {{"codes": {{}}}}
        for _ in range(240):
            if proc.poll() is not None:
                break
            try:
                for path in {probe!r}:
                    req = urllib.request.Request("http://127.0.0.1:18765/" + path,
                                                 headers={{"Authorization": "token t"}})
                    try:
                        result["codes"][path] = urllib.request.urlopen(req, timeout=5).status
                    except urllib.error.HTTPError as exc:
                        result["codes"][path] = exc.code
                break
            except OSError:
                time.sleep(0.5)
        proc.terminate()
        result["log"] = proc.communicate(timeout=60)[0][-4000:]
        result["returncode"] = proc.returncode
        print(json.dumps(result))
    """)
    return json.loads(user.run_code(code, timeout=180))


def test_invalid_policy_stops_the_server(hub_diagnostics, trainee):
    data = yaml.safe_load(POLICY_PATH.read_text())
    del data["output"]["max_message_size"]
    result = _in_container_server(trainee, yaml.safe_dump(data), ["api/contents"])
    assert result["codes"] == {}, result  # it never served
    assert result["returncode"] == 1, result
    assert "kimed_exits: refusing to start" in result["log"]
    assert "field 'output.max_message_size': is required but missing" in result["log"]


def test_terminals_off_in_the_policy_removes_them(hub_diagnostics, trainee):
    data = yaml.safe_load(POLICY_PATH.read_text())
    data["terminals"]["enabled"] = not POLICY.terminals_enabled
    result = _in_container_server(trainee, yaml.safe_dump(data), ["api/terminals", "api/contents"])
    expected = 200 if data["terminals"]["enabled"] else 404
    assert result["codes"] == {"api/terminals": expected, "api/contents": 200}, result
