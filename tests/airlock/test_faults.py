"""Release under faults: a process killed mid-copy or between rename and commit, and a
full disk (a small tmpfs), leave the request APPROVED, no released or partial file once
the airlock reopens, and an audit log that verifies; the release then succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from kimed_hub.airlock import ExportRequests, State
from kimed_hub.audit import verify_audit_log
from kimed_hub.catalogue.store import CatalogueStore

from .conftest import ALICE, CAROL, JUSTIFICATION

# Run in a child process: the second review approves the request and starts its release,
# which the injected fault kills (SIGKILL: no cleanup handler runs).
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from kimed_hub.airlock import ExportRequests, storage
    from kimed_hub.catalogue.store import CatalogueStore
    from tests.airlock.conftest import DAVE

    url, root, request_id, where = sys.argv[1:5]

    def die(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "mid-copy":
        def half(source, target):  # half the file written, then killed
            data = open(source, "rb").read()
            with open(target, "wb") as out:
                out.write(data[: len(data) // 2]); out.flush(); os.fsync(out.fileno())
            die()
        storage.copy_durably = half
    else:  # renamed into place, transaction not yet committed
        publish = storage.AirlockStorage.publish
        def publish_then_die(self, *args):
            publish(self, *args); die()
        storage.AirlockStorage.publish = publish_then_die
    airlock = ExportRequests(CatalogueStore(url), root)
    airlock.review(request_id, DAVE, {"out/table.csv": "approve", "out/figure.png": "approve"})
    print("NOT KILLED")
    """
)


@pytest.mark.parametrize("where", ["mid-copy", "after-rename"])
def test_killed_release_leaves_the_previous_state_and_no_file(store, airlock, reader, where):
    created = airlock.create(ALICE, reader, ["out/table.csv", "out/figure.png"], JUSTIFICATION)
    request_id = created.request_id
    airlock.submit(request_id, ALICE)
    airlock.review(request_id, CAROL, {"out/table.csv": "approve", "out/figure.png": "approve"})
    url, root = str(store.db.engine.url), str(airlock.storage.root)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, root, request_id, where],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    leftovers = list(airlock.storage.released.iterdir())
    assert leftovers, "the fault should have left something behind to recover from"

    reopened = ExportRequests(CatalogueStore(url), root, resume=False)
    assert reopened.get(request_id).state == State.APPROVED
    assert list(reopened.storage.released.iterdir()) == []  # no partial release anywhere
    assert verify_audit_log(store).ok
    assert [e.action for e in reopened.history(request_id)][-1] == "airlock.approve"

    assert reopened.release(request_id).state == State.RELEASED
    data, _ = reopened.download(request_id, "out/table.csv", ALICE)
    assert data == (reader.root / "out" / "table.csv").read_bytes()
    assert verify_audit_log(store).ok


@pytest.fixture
def small_disk(tmp_path):
    """A 1200 KiB tmpfs for the airlock's files (root only: mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; this test proves nothing without it")
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mountpoint)], check=True
    )
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_full_disk_during_release_leaves_the_previous_state(store, grant, reader, small_disk):
    from kimed_hub.airlock import ReleaseFailed

    (reader.root / "out" / "notes.txt").write_bytes(b"word " * 140_000)  # 700 kB: fits once
    airlock = ExportRequests(store, small_disk / "airlock")
    request_id = airlock.create(ALICE, reader, ["out/notes.txt"], JUSTIFICATION).request_id
    airlock.submit(request_id, ALICE)
    airlock.review(request_id, CAROL, {"out/notes.txt": "approve"})
    from .conftest import DAVE

    after = airlock.review(request_id, DAVE, {"out/notes.txt": "approve"})  # release fails
    assert after.state == State.APPROVED
    assert list(airlock.storage.released.iterdir()) == []
    with pytest.raises(ReleaseFailed, match="No space left"):
        airlock.release(request_id)
    assert list(airlock.storage.released.iterdir()) == []
    assert verify_audit_log(store).ok
