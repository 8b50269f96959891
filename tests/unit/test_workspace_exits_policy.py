"""The exits policy (policies/workspace-exits.yaml): the shipped file loads the same way in
the image's loader (kimed_exits.policy) and the hub's (kimed_hub.policies); every broken
variant stops with the field named; the lab config written from it disables and locks
exactly the policy's plugins, and a plugin id JupyterLab does not have fails the build."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kimed_exits.lab_config import (
    RELEASE_EXTENSION,
    install_release_extension,
    page_config,
    write_lab_config,
)
from kimed_exits.lab_config import main as lab_config_main
from kimed_exits.policy import ExitsPolicyError, load_exits_policy, parse_size
from kimed_hub.paths import policies_dir
from kimed_hub.policies import PolicyError, workspace_exits_policy

NAME = "workspace-exits"


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    """A writable copy of policies/ to break on purpose; returns the exits policy's path."""
    target = tmp_path / "policies"
    shutil.copytree(policies_dir(), target)
    return target / f"{NAME}.yaml"


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def _both_refuse(path: Path) -> tuple[str, str]:
    """The image loader's and the hub loader's messages for a broken file (both must fail)."""
    with pytest.raises(ExitsPolicyError) as image_side:
        load_exits_policy(path)
    with pytest.raises(PolicyError) as hub_side:
        workspace_exits_policy(path.parent)
    return str(image_side.value), str(hub_side.value)


def test_shipped_policy_loads_the_same_on_both_sides():
    path = policies_dir() / f"{NAME}.yaml"
    image_side, hub_side = load_exits_policy(path), workspace_exits_policy()
    assert image_side == hub_side
    raw = yaml.safe_load(path.read_text())
    assert image_side.max_upload == parse_size(raw["contents"]["max_upload_size"])
    assert image_side.max_upload <= image_side.max_read_notebook
    assert "airlock" in image_side.airlock_message.lower()
    assert set(image_side.disabled_plugins) == set(raw["lab"]["disabled_plugins"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["output"].pop("max_message_size"), "output.max_message_size"),
        (lambda d: d.pop("airlock_message"), "airlock_message"),
        (lambda d: d["contents"]["max_read_size"].pop("text"), "contents.max_read_size.text"),
        (lambda d: d["terminals"].pop("enabled"), "terminals.enabled"),
        (lambda d: d["lab"].pop("disabled_plugins"), "lab.disabled_plugins"),
    ],
)
def test_missing_field_is_named_by_both_loaders(policy_copy, change, field):
    _edit(policy_copy, change)
    for message in _both_refuse(policy_copy):
        assert f"field '{field}'" in message and "required but missing" in message


def test_unknown_field_is_a_typo(policy_copy):
    _edit(policy_copy, lambda d: d["contents"].update(max_raed_size="1M"))
    for message in _both_refuse(policy_copy):
        assert "contents.max_raed_size" in message and "not a known field" in message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(airlock_message="Downloads are closed, sorry."), "airlock_message"),
        (lambda d: d["contents"].update(max_upload_size="lots"), "contents.max_upload_size"),
        (lambda d: d["lab"].update(disabled_plugins=[]), "lab.disabled_plugins"),
        (lambda d: d["output"].update(iopub_msg_rate_limit=0), "output.iopub_msg_rate_limit"),
        (lambda d: d.update(version=2), "version"),
    ],
)
def test_bad_values_are_refused_with_the_field(policy_copy, change, words):
    _edit(policy_copy, change)
    for message in _both_refuse(policy_copy):
        assert words in message


def test_upload_larger_than_notebook_read_is_refused(policy_copy):
    # A notebook saved through the API must open again: the one rule across fields.
    _edit(policy_copy, lambda d: d["contents"].update(max_upload_size="64M"))
    for message in _both_refuse(policy_copy):
        assert "contents.max_upload_size" in message and "max_read_size.notebook" in message


def test_missing_file_and_bad_yaml(tmp_path, policy_copy):
    with pytest.raises(ExitsPolicyError, match="missing.*rebuild the image"):
        load_exits_policy(tmp_path / "nowhere.yaml")
    policy_copy.write_text("contents: [unclosed\n")
    with pytest.raises(ExitsPolicyError, match="not valid YAML"):
        load_exits_policy(policy_copy)


def _fake_lab(tmp_path: Path, plugin_ids) -> Path:
    """A JupyterLab application folder whose bundle defines ``plugin_ids``."""
    app = tmp_path / "lab"
    (app / "static").mkdir(parents=True)
    body = ",".join(f'{{id:"{plugin}",autoStart:!0}}' for plugin in plugin_ids)
    (app / "static" / "jlab_core.js").write_text(f"var plugins=[{body}];")
    return app


def test_lab_config_disables_and_locks_exactly_the_policy_plugins(tmp_path):
    policy = load_exits_policy(policies_dir() / f"{NAME}.yaml")
    app = _fake_lab(tmp_path, [*policy.disabled_plugins, "@jupyterlab/other-extension:x"])
    written = write_lab_config(policy, tmp_path / "etc", app)
    config = json.loads(written[0].read_text())
    assert config == page_config(policy)
    assert set(config["disabledExtensions"]) == set(policy.disabled_plugins)
    assert set(config["lockedExtensions"]) == set(policy.disabled_plugins)
    assert all(config["lockedExtensions"].values())
    assert json.loads(written[1].read_text()) == policy.settings_overrides
    news = policy.settings_overrides["@jupyterlab/apputils-extension:notification"]
    assert news == {"fetchNews": "false", "checkForUpdates": False}


def test_lab_config_fails_on_a_plugin_the_lab_does_not_have(tmp_path, capsys):
    policy = load_exits_policy(policies_dir() / f"{NAME}.yaml")
    renamed = policy.disabled_plugins[0]
    app = _fake_lab(tmp_path, policy.disabled_plugins[1:])
    with pytest.raises(ExitsPolicyError, match=renamed):
        write_lab_config(policy, tmp_path / "etc", app)
    assert not (tmp_path / "etc" / "labconfig" / "page_config.json").exists()
    # The build step's command line reports it and exits non-zero.
    assert lab_config_main(["--policy", str(tmp_path / "missing.yaml")]) == 1
    assert "kimed_exits:" in capsys.readouterr().err


def test_release_extension_installs_as_a_federated_extension(tmp_path):
    """The "Request release…" lab extension lands where JupyterLab finds federated
    extensions, with the script its package.json names, registering its loader under the
    package's name (what JupyterLab calls: init, then get("./extension"))."""
    target = install_release_extension(tmp_path / "labextensions")
    package = json.loads((target / "package.json").read_text())
    assert target.name == package["name"] == "kimed-release"
    build = package["jupyterlab"]["_build"]
    script = (target / build["load"]).read_text()
    assert build["extension"] == "./extension" and 'module !== "./extension"' in script
    assert 'var NAME = "kimed-release";' in script and "registry[NAME]" in script
    assert install_release_extension(tmp_path / "labextensions") == target  # replaces


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed (no JS check)")
def test_release_extension_script_is_valid_javascript():
    script = RELEASE_EXTENSION / "static" / "remoteEntry.js"
    done = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
