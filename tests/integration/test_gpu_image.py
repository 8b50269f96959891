"""The GPU image variant: same recipe, PyTorch's CUDA build, and it still runs on a CPU.

The GPU image (``kimed image build --gpu``) downloads several GB of NVIDIA wheels once
and is 8 GB, so neither CI nor ``./bin/workbench test`` builds it; this test runs where
an operator built it and is skipped (with the command to build it) elsewhere. It proves
the switch gives the CUDA build of torch with MONAI and the demonstrators' library, and
that the container runs on a host without a GPU (the CPU fallback). It does not prove
anything on a GPU: tests/integration/test_gpu.py does that on a GPU host.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from kimed_hub.images import singleuser_image_ref
from kimed_hub.images._common import container_cli, image_exists
from kimed_hub.images.singleuser import repository

pytestmark = pytest.mark.integration

PROBE = """
import json, torch, monai
from monai.data import MetaTensor
from monai.transforms import Spacing
import kimed_demos.deface
volume = MetaTensor(torch.rand(1, 16, 16, 16), affine=torch.eye(4))
print(json.dumps({
    "torch": torch.__version__, "cuda": torch.version.cuda,
    "cudnn": torch.backends.cudnn.version(), "device_seen": torch.cuda.is_available(),
    "resampled": list(Spacing(pixdim=(2, 2, 2))(volume).shape),
}))
"""


def _gpu_image() -> str | None:
    """The GPU image of the current inputs, else the last one built, else None."""
    for ref in (singleuser_image_ref("gpu"), f"{repository('gpu')}:latest"):
        if image_exists(ref):
            return ref
    return None


@pytest.mark.skipif(
    _gpu_image() is None,
    reason="GPU image not built on this host (`.venv/bin/kimed image build --gpu` downloads "
    "the CUDA wheels once, about 9 minutes, 8 GB image); CI does not build it",
)
def test_gpu_image_has_cuda_torch_and_runs_without_a_gpu():
    ref = _gpu_image()
    # Locked down as the spawner does it: no network, read-only root, no capabilities.
    command = [
        container_cli(),
        "run",
        "--rm",
        "--network=none",
        "--read-only",
        "--cap-drop=all",
        "--security-opt=no-new-privileges",
        "--user=1000:100",
        ref,
        "/opt/kernels/python-imaging/bin/python",
        "-c",
        PROBE,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["torch"].endswith("+cu130") and seen["cuda"].startswith("13.")
    assert seen["cudnn"] and not seen["device_seen"]  # no GPU here: the CPU fallback
    assert seen["resampled"] == [1, 8, 8, 8]
