"""What the server-side re-run runs as (kimed_hub.airlock.rerun_plan), at unit level: the
requester's last profile if their groups permit it now, its image variant, free GPUs.

The GPU cases use device IDs and inspect documents written here: this host has no GPU,
so they prove the plan (which devices a re-run would be given), not that a GPU attaches.
The real run on CPU with a non-default profile is in test_rerun_container.py.
"""

from __future__ import annotations

import pytest

from kimed_hub.airlock.rerun_plan import (
    RerunBlocked,
    grant_problems,
    plan_rerun,
    requester_profile,
)
from kimed_hub.gpus import gpu_host_config
from kimed_hub.policies import resource_profiles

IMAGES = {"cpu": "localhost/kimed-singleuser:abc", "gpu": "localhost/kimed-singleuser-gpu:def"}


def model(groups: list[str], profile: str | None = None, stopped: bool = True) -> dict:
    """A hub user model as ``GET /users/{name}?include_stopped_servers`` returns it."""
    options = {"profile": profile} if profile else {}
    return {
        "name": "alice",
        "groups": groups,
        "servers": {"": {"stopped": stopped, "user_options": options}},
    }


def test_last_chosen_profile_if_groups_permit_it():
    profile = requester_profile("alice", model(["researchers"], "cpu-large"))
    assert profile.name == "cpu-large"
    assert (profile.cpus, profile.memory) == (2.0, 12 * 1024**3)


def test_no_choice_means_the_default_profile():
    default = resource_profiles().default
    assert requester_profile("alice", model(["researchers"])).name == default
    no_server = {"name": "alice", "groups": ["researchers"], "servers": {}}
    assert requester_profile("alice", no_server).name == default


def test_profile_no_longer_permitted_blocks_with_reason():
    # alice once ran cpu-large; she is now only in a group allowed cpu-standard.
    with pytest.raises(RerunBlocked, match="cpu-large.*no longer allow.*cpu-standard"):
        requester_profile("alice", model(["output-checkers"], "cpu-large"))
    with pytest.raises(RerunBlocked, match="'gpu'"):
        requester_profile("alice", model(["trainees"], "gpu"))
    assert requester_profile("alice", model(["researchers"], "gpu")).gpus == 1


def test_unknown_user_blocks():
    with pytest.raises(RerunBlocked, match="no user 'ghost'"):
        requester_profile("ghost", None)


def test_cpu_profile_plan_has_no_gpus():
    profile = requester_profile("alice", model(["researchers"], "cpu-large"))
    plan = plan_rerun(profile, IMAGES, inventory=["0"], sharing=False)
    assert plan.image == IMAGES["cpu"] and plan.gpus == ()


def test_gpu_profile_gets_the_gpu_image_and_a_free_device():
    gpu = resource_profiles().profiles["gpu"]
    held = {"HostConfig": {"Devices": [{"PathOnHost": "nvidia.com/gpu=0"}]}}
    plan = plan_rerun(gpu, IMAGES, inventory=["0", "1"], containers=[held], sharing=False)
    assert plan.image == IMAGES["gpu"] and plan.gpus == ("1",)
    assert gpu_host_config("podman", list(plan.gpus)) == {"devices": ["nvidia.com/gpu=1"]}
    docker_held = {"HostConfig": {"DeviceRequests": [{"DeviceIDs": ["1"]}]}}
    shared = plan_rerun(gpu, IMAGES, ["0", "1"], [held, docker_held], sharing=True)
    assert shared.gpus == ("0",)  # sharing allowed: held devices count as free


def test_gpu_profile_without_a_free_gpu_blocks():
    gpu = resource_profiles().profiles["gpu"]
    held = {"HostConfig": {"DeviceRequests": [{"DeviceIDs": ["0"]}]}}
    with pytest.raises(RerunBlocked, match="needs 1 GPU.*0 of the host's 1 are free"):
        plan_rerun(gpu, IMAGES, ["0"], [held], sharing=False)
    with pytest.raises(RerunBlocked, match="0 of the host's 0"):
        plan_rerun(gpu, IMAGES, [], [], sharing=False)  # this host: no GPU at all


def test_missing_image_variant_blocks():
    gpu = resource_profiles().profiles["gpu"]
    with pytest.raises(RerunBlocked, match="'gpu' software image"):
        plan_rerun(gpu, {"cpu": IMAGES["cpu"]}, ["0"], sharing=False)


def test_grant_problems_name_dataset_and_source_state():
    assert grant_problems(["ct"], {"ct": "AR-1"}, {"AR-1": "ACTIVE"}) == []
    assert grant_problems(["ct", "mr"], {"mr": "AR-2"}, {"AR-1": "REVOKED"}) == [
        "ct (no ACTIVE grant now: AR-1 is REVOKED)"
    ]
    assert grant_problems([], {}, {}) == []
