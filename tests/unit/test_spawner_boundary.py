"""The hub/portal boundary: what loading the spawner brings into the hub process.

The spawner may import the policies, the read-only grants model and the container
runtime, never the portal's web layer, its catalogue store or the RDF stack (rdflib,
pyshacl); and the ``workbench`` entry point must load on an install without the
``portal`` extra. Each check runs in a fresh interpreter, so nothing imported by other
tests can hide an import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What the hub process must not load because of the spawner.
FORBIDDEN = (
    "rdflib",
    "pyshacl",
    "kimed_hub.portal_service",
    "kimed_hub.catalogue",
    "kimed_hub.access.requests",
)
#: Blocks the ``portal`` extra's own packages, as if they were not installed.
BLOCK_PORTAL_EXTRA = """
import importlib.abc, sys
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("rdflib", "pyshacl", "psycopg"):
            raise ModuleNotFoundError(f"No module named {name!r} (portal extra absent)")
sys.meta_path.insert(0, NotInstalled())
"""


def run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "hub"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_spawner_imports_neither_the_web_layer_nor_rdf():
    loaded = json.loads(
        run_python("import json, sys, kimed_hub.spawner; print(json.dumps(sorted(sys.modules)))")
    )
    assert "kimed_hub.access.grants" in loaded  # the model it does use
    leaked = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert leaked == []


def test_the_workbench_entry_point_loads_without_the_portal_extra():
    code = BLOCK_PORTAL_EXTRA + (
        "from importlib.metadata import entry_points\n"
        "(point,) = entry_points(group='jupyterhub.spawners', name='workbench')\n"
        "print(point.load().__name__)\n"
    )
    assert run_python(code).strip() == "WorkbenchSpawner"
