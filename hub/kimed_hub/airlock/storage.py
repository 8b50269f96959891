"""Where snapshots and released files live, and how they get there atomically.

Layout under the airlock folder (the hub's data folder, never a user's)::

    snapshots/ER-7/0, 1, ...   what was asked for, copied at request time (mode 0440)
    released/ER-7/0, ...       what was released (copies of approved snapshot files)
    */.staging-*               work in progress; never read, removed by recovery

Publishing is *stage, fsync, rename, commit*: files are written and fsynced into a
staging folder, the folder is renamed to its final name inside the database transaction
that records the new state, and the rename is undone when that transaction fails. A
crash or kill can leave only (a) a staging folder, or (b) a final folder whose
transaction never committed: :meth:`AirlockStorage.recover` removes both, so after a
restart the files on disk match the database again. Readers go through the database
(a request must be RELEASED), so neither leftover is ever served meanwhile.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

_CHUNK = 1024 * 1024


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AirlockStorage:
    """The snapshot and release folders of one airlock."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.snapshots = self.root / "snapshots"
        self.released = self.root / "released"
        for folder in (self.root, self.snapshots, self.released):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    # --- staging ------------------------------------------------------------------------
    def staging(self, area: Path) -> Path:
        """A new, empty staging folder in ``area`` (snapshots or released)."""
        path = area / f".staging-{uuid.uuid4().hex}"
        path.mkdir(mode=0o700)
        return path

    def discard(self, staged: Path) -> None:
        """Remove a staging folder (after a failure)."""
        shutil.rmtree(staged, ignore_errors=True)

    def publish(self, staged: Path, area: Path, request_id: str) -> Path:
        """Rename ``staged`` to ``area/request_id`` (atomic) and make it durable. A
        leftover of a crashed, never-committed attempt under that name is removed first
        (the caller holds the request's row lock, so nothing else owns it)."""
        fsync_dir(staged)
        final = area / request_id
        if final.exists():
            shutil.rmtree(final)
        os.chmod(staged, 0o500)
        os.rename(staged, final)
        fsync_dir(area)
        return final

    def unpublish(self, area: Path, request_id: str) -> None:
        """Undo :meth:`publish` when the transaction that recorded it failed."""
        final = area / request_id
        if final.exists():
            os.chmod(final, 0o700)
            shutil.rmtree(final, ignore_errors=True)

    # --- files --------------------------------------------------------------------------
    def snapshot_file(self, request_id: str, position: int) -> Path:
        return self.snapshots / request_id / str(position)

    def released_file(self, request_id: str, position: int) -> Path:
        return self.released / request_id / str(position)

    def stage_release(self, request_id: str, positions: list[int]) -> Path:
        """Copy the approved snapshot files into a new staging folder, each fsynced. Any
        error (a full disk) removes the staging folder and is raised."""
        staged = self.staging(self.released)
        try:
            for position in positions:
                copy_durably(self.snapshot_file(request_id, position), staged / str(position))
        except BaseException:
            self.discard(staged)
            raise
        return staged

    # --- recovery -----------------------------------------------------------------------
    def recover(self, committed: dict[str, set[str]]) -> list[Path]:
        """Remove staging folders and final folders the database does not know:
        ``committed`` maps "snapshots"/"released" to the request ids that own one."""
        removed = []
        for name, area in (("snapshots", self.snapshots), ("released", self.released)):
            for entry in area.iterdir():
                if entry.name.startswith(".staging-") or entry.name not in committed[name]:
                    os.chmod(entry, 0o700)
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
        return removed


def copy_durably(source: Path, target: Path) -> None:
    """Copy ``source`` to the new file ``target`` (mode 0440) and fsync it."""
    with open(source, "rb") as src:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o440)
        try:
            while chunk := src.read(_CHUNK):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
