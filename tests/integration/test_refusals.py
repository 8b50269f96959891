"""Fail closed: a bad policy stops start-up; an unfit container is never started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.runtime import runtime_client

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


# A host device that exists here (the container may not have any).
HOST_DEVICE = next(
    d for d in ("/dev/mem", "/dev/kmsg", "/dev/vda", "/dev/null") if Path(d).exists()
)
# An operator's site file that weakens controls: each must stop the spawn, named.
WEAKENING_SITE = {
    "WorkbenchSpawner": {
        "site_host_config": {
            "devices": [f"{HOST_DEVICE}:{HOST_DEVICE}:r"],
            "security_opt": ["no-new-privileges", "seccomp=unconfined"],
            "binds": {"/": {"bind": "/data/host", "mode": "ro"}},
            "read_only": False,
        },
        "egress_firewall": False,
        "image": "localhost/kimed-singleuser:latest",
    }
}
NAMED = [
    f"devices: host device {HOST_DEVICE} is not allowed",
    "seccomp: applies 'unconfined', not the policy's profile",
    "mounts: bind mount of / at /data/host is not allowed",
    "read-only root: the root filesystem is writable",
    "egress firewall: off on a slirp4netns network",
    "image: runs 'localhost/kimed-singleuser:latest' is not tagged with a content hash",
]


def test_site_overrides_weakening_controls_are_refused_on_the_real_runtime(make_hub):
    """The real runtime's inspect document of a container created with the overrides:
    each weakened control is named, the user is told, the container is removed."""
    hub = make_hub(site_config=WEAKENING_SITE)
    hub.start()
    user = hub.login("researcher")
    with pytest.raises(RuntimeError, match="spawn of researcher failed"):
        user.spawn(timeout=120)
    log = hub.log_tail(200)
    assert "lacks required controls" in log
    missing = [phrase for phrase in NAMED if phrase not in log]
    assert not missing, log
    progress = user.api("GET", "/users/researcher/server/progress", timeout=30)
    events = [line for line in progress.text.splitlines() if line.startswith("data:")]
    assert events and "security checks" in events[-1], progress.text
    page = user.session.get(f"{hub.url}/hub/spawn-pending/researcher", timeout=30)
    assert "did not pass the workbench" in page.text, page.text[-2000:]
    assert "seccomp" in page.text  # the reason reaches the user
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
