"""The ``kimed`` command line: errors people can act on, arguments passed through."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kimed_hub import cli
from kimed_hub.paths import policies_dir


def test_policy_check_reports_the_field_and_exits_2(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "policies"
    shutil.copytree(policies_dir(), broken)
    (broken / "roles.yaml").write_text("version: 1\n")
    monkeypatch.setenv("KIMED_POLICIES_DIR", str(broken))
    assert cli.main(["policy", "check"]) == 2
    assert "field 'roles': is required" in capsys.readouterr().err


def test_policy_check_passes_on_the_shipped_policies(capsys):
    assert cli.main(["policy", "check"]) == 0
    assert "container-security" in capsys.readouterr().out


def test_test_command_passes_pytest_options_untouched(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "test", lambda args: seen.append(args) or 0)
    assert cli.main(["test", "-x", "-p", "no:cacheprovider", "-m", "not browser"]) == 0
    assert seen == [["-x", "-p", "no:cacheprovider", "-m", "not browser"]]


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_:
        cli.main(["frobnicate"])
    assert exit_.value.code == 2


#: Packages only the ``test`` extra installs: an ``up`` install ([portal] only) lacks them.
TEST_ONLY = (
    "websocket", "pytest", "_pytest", "playwright", "schemathesis", "oidc_provider_mock",
    "openapi_spec_validator", "ipywidgets",
)  # fmt: skip
#: Code that makes them unimportable, as on the ``up`` install.
WITHOUT_TEST_EXTRA = f"""
import importlib.abc, sys
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {TEST_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (test extra absent)")
sys.meta_path.insert(0, NotInstalled())
"""
#: What the operator commands load (the CLI imports some of it only when used).
OPERATOR_MODULES = (
    "kimed_hub.cli", "kimed_hub.runtime", "kimed_hub.images", "kimed_hub.proxy",
    "kimed_hub.portal_service.commands", "kimed_hub.config", "kimed_hub.spawner",
)  # fmt: skip


def run_without_test_extra(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter where the test extra's packages are missing."""
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join([str(root / "hub"), str(root)])
    env = {**os.environ, "PYTHONPATH": path, **env}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_TEST_EXTRA + code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_operator_commands_load_without_the_test_extra():
    """``kimed clean`` used to import the test harness (websocket): it crashed on the
    ``up`` install. The harness stays test-only; the operator commands do without it."""
    imports = "; ".join(f"import {m}" for m in OPERATOR_MODULES)
    done = run_without_test_extra(
        f"{imports}\nimport sys\nassert 'kimed_hub.testing' not in sys.modules\n"
        "from kimed_hub.cli import main\n"
        "for command in (['clean', '--help'], ['portal', 'close', '--help']):\n"
        "    try:\n        main(command)\n    except SystemExit as end:\n"
        "        assert end.code == 0, (command, end.code)\n"
    )
    assert done.returncode == 0, done.stderr
    assert "--volumes" in done.stdout and "--comment" in done.stdout
    blocked = run_without_test_extra("import kimed_hub.testing")  # the blocker works
    assert blocked.returncode != 0 and "test extra absent" in blocked.stderr
