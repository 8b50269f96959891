"""The curated kernels in a real, locked-down user container spawned by the real hub:
each kernelspec is listed, a cell importing the kernel's key packages runs, MONAI runs a
transform on a small volume, presidio analyses a German sentence, R runs.

Everything runs in the container the spawner makes (read-only root, no capabilities,
the project's seccomp profile, egress closed but for the hub and the proxy), through the
proxy, as a user would; a PyTorch data loader with worker processes and the debugger
(initialize, attach) are checked under the same profile.
"""

from __future__ import annotations

import errno
import json
import time
import uuid

import pytest
import requests
import websocket

from kimed_hub.images import DEFAULT_KERNEL, kernel_names
from kimed_hub.testing import HubUser

pytestmark = pytest.mark.integration

KERNEL_TIMEOUT = 300  # importing torch on a busy 2-core machine takes a while


def run_in_kernel(user: HubUser, kernel: str, code: str, timeout: float = KERNEL_TIMEOUT) -> str:
    """Start kernel ``kernel`` in the user's server, run ``code``, return its stdout
    (raises with the kernel's error), and shut the kernel down."""
    return user.run_code(code, timeout, kernel=kernel)


@pytest.fixture(scope="module")
def steward(hub):
    """A logged-in user with a running server (stopped when the module is done)."""
    user = hub.login("steward")
    user.spawn()
    yield user
    user.stop_server()


def test_every_curated_kernel_is_listed_and_python_base_is_the_default(
    hub_diagnostics, steward
) -> None:
    response = steward.get("api/kernelspecs")
    response.raise_for_status()
    specs = response.json()
    assert sorted(specs["kernelspecs"]) == kernel_names()
    assert specs["default"] == DEFAULT_KERNEL
    assert "python3" not in specs["kernelspecs"]  # the server's own Python is not offered
    # A notebook started without a kernel name gets the default kernel.
    seen = steward.run_code("import sys; print(sys.prefix)")
    assert seen.strip() == f"/opt/kernels/{DEFAULT_KERNEL}"


PYTHON_BASE = """
import json, sys
import pandas, numpy, scipy, statsmodels.api as sm, sklearn, matplotlib, seaborn, acro
import ipywidgets
matplotlib.use("Agg")
import matplotlib.pyplot as plt
frame = pandas.DataFrame({"x": numpy.arange(20.0), "y": numpy.arange(20.0) * 2 + 1})
fit = sm.OLS(frame["y"], sm.add_constant(frame["x"])).fit()
plt.plot(frame["x"], frame["y"]); plt.savefig("/tmp/plot.png")
print(json.dumps({"prefix": sys.prefix, "slope": round(float(fit.params["x"]), 6),
                  "pandas": pandas.__version__, "sklearn": sklearn.__version__}))
"""


def test_python_base_runs_its_key_packages(hub_diagnostics, steward) -> None:
    seen = json.loads(run_in_kernel(steward, "python-base", PYTHON_BASE).strip().splitlines()[-1])
    assert seen["prefix"] == "/opt/kernels/python-base"
    assert seen["slope"] == 2.0
    assert seen["pandas"] == "2.3.3"


PYTHON_IMAGING = """
import json, sys
import numpy as np, torch, monai, nibabel, SimpleITK as sitk
from monai.transforms import Compose, Resize, ScaleIntensity
volume = np.random.default_rng(0).random((1, 16, 16, 16)).astype(np.float32) * 100
out = Compose([ScaleIntensity(), Resize((8, 8, 8))])(volume)
image = nibabel.Nifti1Image(np.asarray(out[0]), np.eye(4))
nibabel.save(image, "/tmp/volume.nii.gz")
smooth = sitk.SmoothingRecursiveGaussian(sitk.ReadImage("/tmp/volume.nii.gz"), 1.0)
print(json.dumps({"prefix": sys.prefix, "shape": list(out.shape),
                  "max": round(float(out.max()), 4), "min": round(float(out.min()), 4),
                  "sitk": list(smooth.GetSize()), "torch": torch.__version__,
                  "cuda_build": torch.version.cuda}))
"""


def test_python_imaging_runs_a_monai_transform_on_a_small_volume(hub_diagnostics, steward) -> None:
    seen = json.loads(run_in_kernel(steward, "python-imaging", PYTHON_IMAGING).splitlines()[-1])
    assert seen["prefix"] == "/opt/kernels/python-imaging"
    assert seen["shape"] == [1, 8, 8, 8]
    assert 0.0 <= seen["min"] < seen["max"] <= 1.0
    assert seen["sitk"] == [8, 8, 8]
    assert seen["torch"].endswith("+cpu") and seen["cuda_build"] is None


PYTHON_TEXT = """
import json, sys
import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import IbanRecognizer, PhoneRecognizer
from presidio_anonymizer import AnonymizerEngine
# spaCy's German pipelines are not on PyPI: a blank German pipeline (tokenizer) and
# presidio's pattern recognizers, as docs/kernels-and-packages.md shows.
spacy.blank("de").to_disk("/tmp/de-blank")
nlp = SpacyNlpEngine(models=[{"lang_code": "de", "model_name": "/tmp/de-blank"}])
registry = RecognizerRegistry(supported_languages=["de"])
registry.add_recognizer(IbanRecognizer(supported_language="de"))
registry.add_recognizer(PhoneRecognizer(supported_language="de", supported_regions=("DE",)))
analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["de"])
text = ("Frau Erika Mustermann (Tel. 0351 4581234, IBAN DE89 3704 0044 0532 0130 00) "
        "wurde heute entlassen.")
found = analyzer.analyze(text=text, language="de")
print(json.dumps({"prefix": sys.prefix, "entities": sorted({r.entity_type for r in found}),
                  "anonymised": AnonymizerEngine().anonymize(
                      text=text, analyzer_results=found).text}))
"""


def test_python_text_analyses_a_german_sentence_with_presidio(hub_diagnostics, steward) -> None:
    seen = json.loads(run_in_kernel(steward, "python-text", PYTHON_TEXT).splitlines()[-1])
    assert seen["prefix"] == "/opt/kernels/python-text"
    assert seen["entities"] == ["IBAN_CODE", "PHONE_NUMBER"]
    assert seen["anonymised"] == (
        "Frau Erika Mustermann (Tel. <PHONE_NUMBER>, IBAN <IBAN_CODE>) wurde heute entlassen."
    )


def test_r_kernel_runs(hub_diagnostics, steward) -> None:
    code = (
        'x <- c(2, 4, 9); cat(sprintf("%s|%.1f|%s\\n", R.version$major, mean(x), '
        'packageVersion("IRkernel") >= "1.0"))'
    )
    major, mean, irkernel = run_in_kernel(steward, "r", code).strip().split("|")
    assert int(major) >= 4 and mean == "5.0" and irkernel == "TRUE"


def test_kernels_cannot_change_their_environment(hub_diagnostics, steward) -> None:
    """The kernels' venvs are part of the read-only root: user code cannot alter them."""
    code = (
        "import os, sys\n"
        "try:\n    open(os.path.join(sys.prefix, 'x'), 'w')\nexcept OSError as e:\n"
        "    print(e.errno)\n"
    )
    assert int(run_in_kernel(steward, "python-text", code)) in (errno.EROFS, errno.EACCES)


NO_FETCH = r"""
import json, socket
attempts = []
_connect, _resolve = socket.socket.connect, socket.getaddrinfo
def recording_connect(self, address):
    attempts.append(str(address))
    return _connect(self, address)
def recording_resolve(host, *args, **kwargs):  # a lookup is already an attempt to go out
    attempts.append(str(host))
    return _resolve(host, *args, **kwargs)
socket.socket.connect, socket.getaddrinfo = recording_connect, recording_resolve
from presidio_analyzer.predefined_recognizers import EmailRecognizer
found = EmailRecognizer().analyze("Kontakt: anna.schmidt@uniklinik-leipzig.de", ["EMAIL_ADDRESS"])
print(json.dumps({"found": len(found), "attempts": attempts}))
"""


def test_presidio_email_check_does_not_try_to_fetch_the_suffix_list(hub_diagnostics, steward):
    """tldextract (behind presidio's e-mail recognizer) is told to use its bundled list
    (spawner OFFLINE_ENV): the container makes no connection attempt at all."""
    seen = json.loads(run_in_kernel(steward, "python-text", NO_FETCH).strip().splitlines()[-1])
    assert seen == {"found": 1, "attempts": []}


DATA_LOADER = """
import json, torch
from torch.utils.data import DataLoader, TensorDataset
data = TensorDataset(torch.arange(64, dtype=torch.float32).reshape(32, 2))
# Worker processes (fork) hand batches back through shared memory (/dev/shm, memfd).
loader = DataLoader(data, batch_size=4, num_workers=2, persistent_workers=False)
batches = [batch[0] for batch in loader]
print(json.dumps({"batches": len(batches), "total": float(torch.cat(batches).sum())}))
"""


def test_pytorch_data_loader_with_worker_processes_runs(hub_diagnostics, steward) -> None:
    """Under the seccomp profile: workers are forked (clone without namespace flags) and
    share tensors through /dev/shm; a denied call there would hang or fail the loader."""
    seen = json.loads(run_in_kernel(steward, "python-imaging", DATA_LOADER).splitlines()[-1])
    assert seen == {"batches": 8, "total": float(sum(range(64)))}


def debug_session(user: HubUser, kernel: str, commands: list[tuple[str, dict]]) -> list[dict]:
    """Send each (command, arguments) as a debug_request on the kernel's control channel,
    as JupyterLab's debugger does; return the debug_reply contents."""
    headers = {"Authorization": f"token {user.token}"}
    created = requests.post(
        user.server_url("api/kernels"), headers=headers, json={"name": kernel}, timeout=120
    )
    created.raise_for_status()
    kernel_id = created.json()["id"]
    url = user.hub.url.replace("http", "ws") + f"/user/{user.name}/api/kernels/{kernel_id}/channels"
    conn = websocket.create_connection(url, header=[f"{k}: {v}" for k, v in headers.items()])
    try:
        return [_debug_request(conn, seq, *command) for seq, command in enumerate(commands, 1)]
    finally:
        conn.close()
        requests.delete(user.server_url(f"api/kernels/{kernel_id}"), headers=headers, timeout=60)


def _debug_request(conn, seq: int, command: str, arguments: dict) -> dict:
    msg_id = uuid.uuid4().hex
    request = {"type": "request", "seq": seq, "command": command, "arguments": arguments}
    header = {"msg_id": msg_id, "msg_type": "debug_request", "username": "t", "version": "5.3"}
    conn.send(
        json.dumps(
            {
                "header": {**header, "session": uuid.uuid4().hex},
                "parent_header": {},
                "metadata": {},
                "channel": "control",
                "content": request,
            }
        )
    )
    deadline = time.monotonic() + KERNEL_TIMEOUT
    while time.monotonic() < deadline:
        msg = json.loads(conn.recv())
        if msg["msg_type"] == "debug_reply" and msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]
    raise TimeoutError(f"no debug_reply to {command}")


INITIALIZE = {
    "clientID": "kimed-tests",
    "adapterID": "python",
    "pathFormat": "path",
    "linesStartAt1": True,
    "columnsStartAt1": True,
    "supportsVariableType": True,
}


def test_debugger_initialises_and_attaches(hub_diagnostics, steward) -> None:
    """The kernel's debugger (debugpy, started in the kernel's own process; it needs no
    ptrace) answers initialize and attach as JupyterLab asks them."""
    replies = debug_session(steward, "python-base", [("initialize", INITIALIZE), ("attach", {})])
    initialize, attach = replies
    assert initialize["success"] is True, initialize
    assert initialize["body"].get("supportsConfigurationDoneRequest") is True
    assert attach["success"] is True, attach
