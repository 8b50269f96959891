"""The ``kimed`` command line: errors people can act on, arguments passed through."""

from __future__ import annotations

import shutil

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
