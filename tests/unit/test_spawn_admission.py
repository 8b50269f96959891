"""The spawner's side of admission (spawn_admission.py), without containers: a start's
time limit counts from admission, not from the request; progress events tell a waiting
user their place, then the phase. A real HTTP server on loopback stands in for the
single-user server whose answer ends a start."""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
from types import SimpleNamespace

import pytest

from kimed_hub import spawn_queue
from kimed_hub.spawn_admission import SpawnAdmission


@pytest.fixture
def server_port():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()


@pytest.fixture
def queue(monkeypatch):
    fresh = spawn_queue.SpawnQueue(limit=1)
    monkeypatch.setattr("kimed_hub.spawn_admission.SPAWN_QUEUE", fresh)
    return fresh


def spawner(name: str, limit_s: int) -> SpawnAdmission:
    admission = SpawnAdmission(concurrent_starts=1, admitted_start_timeout=limit_s)
    admission.user, admission.name, admission.server = SimpleNamespace(name=name), "", None
    return admission


def test_waiting_in_the_queue_does_not_count_against_the_start(queue, server_port):
    async def scenario():
        first, second = spawner("first", 1), spawner("second", 1)

        async def slow_start():  # holds the only slot 0.8 s, within its own 1 s limit
            await asyncio.sleep(0.8)
            return "127.0.0.1", server_port

        async def quick_start():
            return "127.0.0.1", server_port

        started = time.monotonic()
        one = asyncio.create_task(first.start_admitted(slow_start))
        await asyncio.sleep(0.05)
        two = asyncio.create_task(second.start_admitted(quick_start))
        await asyncio.sleep(0.3)
        waiting = second.progress_event()
        await asyncio.gather(one, two)
        return waiting, time.monotonic() - started, second

    waiting, elapsed, second = asyncio.run(scenario())
    assert waiting["queue_position"] == 1 and "number 1 in the queue" in waiting["message"]
    assert elapsed > 0.8  # the second start waited for the first...
    assert second._ticket.waited > 0.5  # ...in the queue, and still had its full second
    assert [p.name for p in second._clock.phases] == ["queue", "ready"]
    assert second.progress_event()["progress"] == 90  # past the last phase


def test_a_start_that_overruns_its_own_limit_times_out(queue, server_port):
    async def scenario():
        stuck = spawner("stuck", 1)

        async def never_ready():
            await asyncio.sleep(5)

        with pytest.raises(asyncio.TimeoutError):
            await stuck.start_admitted(never_ready)
        return queue.snapshot()

    snapshot = asyncio.run(scenario())
    assert snapshot["starting"] == [] and snapshot["waiting"] == []  # the slot came back


def test_the_progress_stream_ends_once_the_server_answered(queue, server_port):
    """JupyterHub's progress handler waits for the spawner's generator after the spawn:
    one that kept waiting for queue changes held the user's stream open for good."""

    async def scenario():
        done = spawner("done", 1)

        async def quick_start():
            return "127.0.0.1", server_port

        await done.start_admitted(quick_start)
        return await asyncio.wait_for(_collect(done.progress()), timeout=2)

    events = asyncio.run(scenario())
    assert [e["progress"] for e in events] == [90]


async def _collect(stream) -> list[dict]:
    return [event async for event in stream]


def test_a_cancelled_wait_for_a_queue_change_is_cancelled(queue):
    async def scenario():
        waiter = asyncio.create_task(queue.changed(0.05))
        await asyncio.sleep(0.05)  # cancel as its own timeout fires
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(scenario())
