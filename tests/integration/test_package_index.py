"""The in-environment package index with the real hub, a real locked container and the
container's own pip: an allowlisted package installs (with its dependencies) and imports
(in a new kernel); a package that is not allowlisted fails with a message saying how to ask for it;
a role without the index's scope is told so; nothing reaches beyond the index.

The hub runs with a copy of the policies in which the researcher role (and so the
researcher's server token) holds ``access:services!service=package-index``: the scope
this feature asks policies/roles.yaml to grant (see docs/kernels-and-packages.md).
"""

from __future__ import annotations

import json

import pytest

from kimed_hub.package_index.app import REQUIRED_SCOPE
from kimed_hub.testing import Canary

from .test_kernels import run_in_kernel

pytestmark = pytest.mark.integration

PIP = """
import json, subprocess, sys
result = subprocess.run([sys.executable, "-m", "pip", "install", *ARGS],
                        capture_output=True, text=True, timeout=240)
print(json.dumps({"rc": result.returncode, "out": result.stdout + result.stderr}))
"""


def pip_install(user, *args: str, kernel: str = "python-base") -> dict:
    """``pip install ARGS`` inside the user's container, in ``kernel``'s environment."""
    output = run_in_kernel(user, kernel, f"ARGS = {list(args)!r}\n" + PIP)
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def index_hub(hub_diagnostics):
    """The session's hub: policies/roles.yaml grants the index to researchers."""
    return hub_diagnostics


def test_pip_install_through_the_index_in_a_locked_container(index_hub) -> None:
    researcher = index_hub.login("researcher")
    researcher.spawn()
    canary = Canary()
    try:
        # The canary is offered to pip as an extra index: the container's egress rules
        # must keep pip from reaching it, and the install must still succeed.
        extra = f"http://10.0.2.2:{canary.port}/simple/"
        trusted = f"10.0.2.2:{canary.port}"  # else pip would not even try it
        allowed = pip_install(
            researcher,
            "lifelines",
            "--extra-index-url",
            extra,
            "--trusted-host",
            trusted,
            "--retries",
            "0",
        )
    finally:
        canary.close()
    assert allowed["rc"] == 0, allowed["out"]
    proxy = f"10.0.2.2:{index_hub.public_port}/services/package-index/simple/"
    assert f"Looking in indexes: http://__token__:****@{proxy}" in allowed["out"]
    assert "Successfully installed" in allowed["out"] and "lifelines-0.30.3" in allowed["out"]
    assert "autograd" in allowed["out"]  # a dependency the kernel did not have
    assert canary.hits == 0

    # Importable, from the user's home, not from the read-only kernel.
    where = run_in_kernel(
        researcher,
        "python-base",
        "import lifelines; print(lifelines.__version__, lifelines.__file__)",
    ).split()
    assert where[0] == "0.30.3"
    assert where[1].startswith("/home/jovyan/.local/kernels/python-base/lib/python3.11/")

    refused = pip_install(researcher, "tensorflow")
    assert refused["rc"] != 0
    assert "'tensorflow' is not on the KIMed Workbench package allowlist" in refused["out"]
    assert "To ask for it" in refused["out"], refused["out"]
    assert "No matching distribution found for tensorflow" in refused["out"]

    # Each kernel keeps its own additions: the text kernel does not see lifelines.
    other = run_in_kernel(
        researcher, "python-text", "import importlib.util as u; print(u.find_spec('lifelines'))"
    )
    assert other.strip() == "None"
    researcher.stop_server()


def test_a_role_without_the_scope_is_told_so(index_hub) -> None:
    # Data stewards curate metadata; their role does not include installing packages.
    steward = index_hub.login("steward")
    steward.spawn()
    denied = pip_install(steward, "lifelines")
    assert denied["rc"] != 0
    assert "The package index is not open to your role" in denied["out"], denied["out"]
    assert REQUIRED_SCOPE in denied["out"]
    steward.stop_server()
