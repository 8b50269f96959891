"""The spawn queue (spawn_queue.py): FIFO admission, at most ``limit`` starting at once,
clean leave on cancellation, estimates from measured starts; the phase clock."""

from __future__ import annotations

import asyncio
import os

import pytest

from kimed_hub.spawn_phases import PhaseClock, container_cpu_seconds, process_cpu_seconds
from kimed_hub.spawn_queue import FIRST_GUESS_SECONDS, SpawnQueue, limit_for_host


def run(coro):
    return asyncio.run(coro)


def test_admits_limit_at_once_and_the_rest_in_order():
    async def scenario():
        queue = SpawnQueue(limit=2)
        order, running, peak = [], 0, 0

        async def spawn(name: str, seconds: float):
            nonlocal running, peak
            ticket = await queue.admit(name)
            order.append(name)
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(seconds)
            running -= 1
            queue.release(ticket)

        tasks = []
        for i in range(6):
            tasks.append(asyncio.create_task(spawn(f"u{i}", 0.05)))
            await asyncio.sleep(0)  # each asks in turn, as requests arrive
        await asyncio.gather(*tasks)
        return order, peak, queue.snapshot()

    order, peak, snapshot = run(scenario())
    assert order == [f"u{i}" for i in range(6)]
    assert peak == 2
    assert snapshot["starting"] == [] and snapshot["waiting"] == []


def test_positions_and_estimates_follow_the_line():
    async def scenario():
        queue = SpawnQueue(limit=2)
        first = [await queue.admit(n) for n in ("a", "b")]
        waiting = [asyncio.create_task(queue.admit(n)) for n in ("c", "d", "e")]
        await asyncio.sleep(0)
        tickets = list(queue._waiting)
        positions = [queue.position(t) for t in tickets]
        estimates = [queue.estimate(p) for p in positions]
        for ticket in first:
            queue.release(ticket)
        await asyncio.sleep(0)
        after = [queue.position(t) for t in tickets]
        for task in waiting:
            queue.release(await task)
        return positions, estimates, after, queue.seconds_per_start()

    positions, estimates, after, per_start = run(scenario())
    assert positions == [1, 2, 3]
    # two start at a time: c and d go in the next round, e in the one after
    assert estimates == [FIRST_GUESS_SECONDS, FIRST_GUESS_SECONDS, 2 * FIRST_GUESS_SECONDS]
    assert after == [0, 0, 1]
    assert per_start < 1  # measured now, no longer the first guess


def test_a_cancelled_wait_gives_up_its_place():
    async def scenario():
        queue = SpawnQueue(limit=1)
        holder = await queue.admit("a")
        gone = asyncio.create_task(queue.admit("b"))
        kept = asyncio.create_task(queue.admit("c"))
        await asyncio.sleep(0)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        queue.release(holder)
        ticket = await asyncio.wait_for(kept, 1)
        return ticket.holder, queue.snapshot()

    holder, snapshot = run(scenario())
    assert holder == "c"
    assert snapshot["starting"] == ["c"] and snapshot["waiting"] == []


def test_changed_wakes_waiters_on_release():
    async def scenario():
        queue = SpawnQueue(limit=1)
        ticket = await queue.admit("a")
        waiter = asyncio.create_task(queue.changed(timeout=5))
        await asyncio.sleep(0)
        queue.release(ticket)
        await asyncio.wait_for(waiter, 1)

    run(scenario())


def test_limit_from_host_is_at_least_two():
    assert limit_for_host(1) == 2
    assert limit_for_host(8) == 8
    assert limit_for_host() >= 2


def test_phase_clock_marks_consecutive_phases():
    clock = PhaseClock()
    sum(range(200_000))  # some CPU in the first phase
    clock.mark("queue")
    clock.mark("create")
    assert [p.name for p in clock.phases] == ["queue", "create"]
    assert clock.phases[0].hub_cpu > 0 and all(p.wall >= 0 for p in clock.phases)
    assert clock.next_phase(["queue", "create", "start"]) == "start"
    assert clock.next_phase(["prepare", "create", "ready"]) == "ready"  # prepare skipped
    assert clock.next_phase(["prepare"]) == "prepare" and PhaseClock().next_phase([]) == ""
    assert "queue" in clock.summary() and process_cpu_seconds(os.getpid()) > 0
    assert container_cpu_seconds(os.getpid()) is None or container_cpu_seconds(os.getpid()) > 0
