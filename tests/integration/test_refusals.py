"""Fail closed: a bad policy stops start-up; an unfit container is never started."""

from __future__ import annotations

import shutil

import pytest
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.testing import runtime_client

pytestmark = pytest.mark.integration


def test_policy_with_missing_field_stops_hub_startup(make_hub, tmp_path):
    broken = tmp_path / "policies"
    shutil.copytree(policies_dir(), broken)
    path = broken / "profiles.yaml"
    data = yaml.safe_load(path.read_text())
    del data["profiles"]["cpu-standard"]["pids"]
    path.write_text(yaml.safe_dump(data))
    hub = make_hub(extra_env={"KIMED_POLICIES_DIR": str(broken)})
    with pytest.raises(RuntimeError, match="hub exited") as error:
        hub.start()
    message = str(error.value) + hub.log_tail(200)
    assert "field 'profiles.cpu-standard.pids': is required" in message


def test_container_lacking_a_control_is_refused(make_hub):
    # An operator's site override that weakens a control: the spawn must not go ahead.
    hub = make_hub(site_config={"WorkbenchSpawner": {"site_host_config": {"read_only": False}}})
    hub.start()
    user = hub.login("researcher")
    with pytest.raises(RuntimeError, match="spawn of researcher failed"):
        user.spawn(timeout=120)
    assert "lacks required controls" in hub.log_tail(200)
    assert "writable root filesystem" in hub.log_tail(200)
    progress = user.api("GET", "/users/researcher/server/progress", timeout=30)
    events = [line for line in progress.text.splitlines() if line.startswith("data:")]
    assert events and "security checks" in events[-1], progress.text
    page = user.session.get(f"{hub.url}/hub/spawn-pending/researcher", timeout=30)
    assert "did not pass the workbench" in page.text, page.text[-2000:]
    names = [n for c in runtime_client().containers(all=True) for n in c["Names"]]
    assert not any(n.lstrip("/").startswith(hub.prefix) for n in names), names


CRAFTED = [
    ("steward", {"image": "localhost/kimed-base:x"}, 400, "set by the workbench's policy"),
    ("researcher", {"profile": "cpu-standard", "mem_limit": "64G"}, 400, "not accepted"),
    ("trainee", {"profile": "gpu"}, 403, "not available to you"),
    ("trainee", {"profile": "cpu-large"}, 403, "not available to you"),
]


@pytest.mark.parametrize(("name", "options", "status", "phrase"), CRAFTED)
def test_crafted_spawn_options_are_refused(hub_diagnostics, name, options, status, phrase):
    user = hub_diagnostics.login(name)
    response = user.api("POST", f"/users/{name}/server", json=options)
    assert response.status_code == status and phrase in response.json()["message"]
    assert not user.server_state()
    # The refused options are not remembered: a plain start afterwards works.
    user.spawn()
    user.stop_server()


def test_crafted_spawn_form_is_refused(hub_diagnostics):
    """The HTML form path too: a trainee posting profile=gpu by hand."""
    user = hub_diagnostics.login("trainee")
    page = user.session.post(
        f"{hub_diagnostics.url}/hub/spawn/trainee",
        data={"profile": "gpu", "_xsrf": user.session.cookies.get("_xsrf", "")},
        timeout=60,
    )
    assert "not available to you" in page.text
    assert not user.server_state()
