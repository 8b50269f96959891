"""A spawn storm larger than the admission limit queues instead of failing.

A hub of its own whose policy lets 2 servers start at once (spawns.concurrent_starts: 2,
with a generous 600 s per start once admitted: the test is about order, and the machine
is shared). Six users ask for their servers 0.4 s apart; the last is a real login (the
demo researcher) watching the progress stream that the spawn-pending page shows. Proved:
every server becomes ready and runs code; the hub admitted them in the order they asked
and never more than 2 at a time (read from the hub's own log, whose timestamps come from
one clock); the waiting user was told their place in the queue and an estimate. Not
proved here: figures at workshop scale (see bench/storm.py).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from datetime import datetime

import pytest
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics

pytestmark = pytest.mark.integration

LIMIT, USERS, GAP_S = 2, 6, 0.4
LOG_TIME = r"\[I (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) "


@pytest.fixture(scope="module")
def queue_hub(singleuser_image, tmp_path_factory):
    policies = tmp_path_factory.mktemp("policies") / "policies"
    shutil.copytree(policies_dir(), policies)
    sessions = yaml.safe_load((policies / "sessions.yaml").read_text())
    # a shared, busy test machine: the limit here is about order, not speed
    sessions["spawns"].update(concurrent_starts=LIMIT, start_timeout=600)
    (policies / "sessions.yaml").write_text(yaml.safe_dump(sessions))
    env = {"KIMED_POLICIES_DIR": str(policies)}
    with HubProcess(tmp_path_factory.mktemp("queue-hub"), new_prefix(), extra_env=env) as hub:
        yield hub.start()


def admissions(log: str) -> dict[str, tuple[datetime, datetime]]:
    """Per server: when the hub admitted it and when it gave its slot back (hub's log)."""
    spans: dict[str, list[datetime]] = {}
    for stamp, name in re.findall(LOG_TIME + r".*admitted (\S+) to start", log):
        spans[name] = [datetime.fromisoformat(stamp)]
    for stamp, name in re.findall(LOG_TIME + r".*spawn phases of (\S+):", log):
        spans[name].append(datetime.fromisoformat(stamp))
    return {name: (times[0], times[-1]) for name, times in spans.items()}


def most_at_once(spans: list[tuple[datetime, datetime]]) -> int:
    """The largest number of spans that overlap at one moment."""
    edges = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def test_storm_beyond_the_limit_queues_in_order_and_all_start(request, queue_hub):
    admin, watcher = queue_hub.login("admin"), queue_hub.login("researcher")
    names = [f"queue-{i}" for i in range(USERS - 1)]
    admin.api("POST", "/users", json={"usernames": names}).raise_for_status()
    admin.api("POST", "/groups/researchers/users", json={"users": names}).raise_for_status()
    order, events, threads = [*names, watcher.name], [], []
    try:
        for name in order:
            thread = threading.Thread(target=admin.api, args=("POST", f"/users/{name}/server"))
            thread.start()
            threads.append(thread)
            time.sleep(GAP_S)
        watcher.progress_events(events, timeout=240)
        for name in order:  # every one ready: none failed or timed out while it waited
            state = admin.api("GET", f"/users/{name}").json()["servers"].get("", {})
            deadline = time.monotonic() + 180
            while not state.get("ready") and time.monotonic() < deadline:
                assert state.get("pending"), f"{name}'s spawn failed:\n{queue_hub.log_tail()}"
                time.sleep(0.5)
                state = admin.api("GET", f"/users/{name}").json()["servers"].get("", {})
        spans = admissions(queue_hub.log_path.read_text())
        assert sorted(spans, key=lambda n: spans[n][0]) == order  # first come, first served
        assert most_at_once(list(spans.values())) <= LIMIT
        ready_rank = sorted(spans, key=lambda n: spans[n][1])  # slot given back when ready
        assert all(abs(ready_rank.index(n) - i) <= LIMIT for i, n in enumerate(order)), ready_rank
        queued = [e for e in events if e.get("queue_position", 0) >= 1]
        assert queued, f"the watcher was never told a queue position: {events}"
        assert "number" in queued[0]["message"] and queued[0]["queue_estimate_seconds"] > 0
        assert events[-1].get("ready"), events[-1]
        assert watcher.run_code("print(6 * 7)").strip() == "42"
    except BaseException:
        dump_diagnostics(queue_hub)
        raise
    finally:
        for thread in threads:
            thread.join(timeout=60)
