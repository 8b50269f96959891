"""Shared fixtures: a real hub on free loopback ports, logged-in users, clean-up by prefix.

Integration tests need the container runtime and the single-user image; ``kimed test``
(the README's test command) sets both up first. Run without them, they fail with the
set-up step to run rather than skipping, so CI can never pass by skipping them.
"""

from __future__ import annotations

import pytest

from kimed_hub import images
from kimed_hub.runtime import detect, runtime_client
from kimed_hub.testing import HubProcess, new_prefix


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request) -> bool:
    return any(
        getattr(request.node, f"report_{p}", None) and getattr(request.node, f"report_{p}").failed
        for p in ("setup", "call")
    )


def dump_diagnostics(hub: HubProcess) -> None:
    """Print the hub's log and the logs of this run's containers (shown for failed tests)."""
    print(f"\n----- hub log ({hub.log_path}) -----\n{hub.log_tail(120)}")
    client = runtime_client()
    for container in client.containers(all=True):
        names = [n.lstrip("/") for n in container.get("Names", [])]
        if any(n.startswith(hub.prefix) for n in names):
            logs = client.logs(container["Id"], tail=60).decode(errors="replace")
            print(f"----- container {names[0]} -----\n{logs}")


def serve_module_hub(request, hub: HubProcess, artifacts=None):
    """Start ``hub`` for a module's tests and yield it; its diagnostics are printed when a
    test of the module failed, and it is closed even when the diagnostics themselves fail
    (a runtime too busy to answer). Use as ``yield from serve_module_hub(...)``."""
    failed_before = request.session.testsfailed
    try:
        hub.start()
        if artifacts is not None:
            artifacts.mkdir(parents=True, exist_ok=True)
        yield hub
        if request.session.testsfailed > failed_before:
            dump_diagnostics(hub)
    finally:
        hub.close()


@pytest.fixture(scope="session")
def singleuser_image() -> str:
    """The single-user image, built or reused (seconds when inputs are unchanged)."""
    detect()
    try:
        return images.ensure_singleuser_image(progress=False)
    except Exception as exc:  # pragma: no cover - shows the set-up step to run
        pytest.fail(f"single-user image unavailable ({exc}); run `kimed setup` first")


@pytest.fixture(scope="session")
def hub(singleuser_image, tmp_path_factory):
    """One real hub for the session, removed with its containers and volumes afterwards."""
    with HubProcess(tmp_path_factory.mktemp("hub"), new_prefix()).start() as process:
        yield process


@pytest.fixture
def hub_diagnostics(request, hub):
    """Use in integration tests: on failure, prints the hub and container logs."""
    yield hub
    if _failed(request):
        dump_diagnostics(hub)


@pytest.fixture
def make_hub(singleuser_image, tmp_path, request):
    """Factory for extra hubs with their own settings (stopped and cleaned afterwards)."""
    started: list[HubProcess] = []

    def factory(**kwargs) -> HubProcess:
        process = HubProcess(tmp_path / f"hub{len(started)}", new_prefix(), **kwargs)
        started.append(process)
        return process

    yield factory
    for process in started:
        if _failed(request):
            dump_diagnostics(process)
        process.close()
