"""The idle culler (a managed service) stops an idle server after the policy's timeout."""

from __future__ import annotations

import shutil
import time

import pytest
import yaml

from kimed_hub.paths import policies_dir

pytestmark = pytest.mark.integration


def test_idle_server_is_culled_after_policy_timeout(make_hub, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(policies_dir(), policies)
    sessions = yaml.safe_load((policies / "sessions.yaml").read_text())
    sessions["idle_culler"].update(timeout=5, every=2)
    (policies / "sessions.yaml").write_text(yaml.safe_dump(sessions))
    hub = make_hub(extra_env={"KIMED_POLICIES_DIR": str(policies)}).start()
    user = hub.login("trainee")
    user.spawn()
    started = time.monotonic()
    while user.server_state() and time.monotonic() - started < 90:
        time.sleep(1)
    assert not user.server_state(), "server still running 90 s after a 5 s idle timeout"
    assert "Culling server" in hub.log_tail(400)
