"""Taking the request snapshot without trusting the user's files.

The user controls everything inside their home: names, symbolic links, hard links,
FIFOs, device-less special files. The hub reads it from the host side (the home volume's
folder, which podman or Docker name), so one followed link could make the hub copy a
host file into a release. :class:`HomeReader` therefore never resolves a path: it opens
the home's root folder once, walks each path component with ``openat`` and
``O_NOFOLLOW`` (a link anywhere in the path is refused, ``ELOOP``), opens the file with
``O_NONBLOCK`` (a FIFO cannot make it hang), and accepts only a regular file by
``fstat`` on the open descriptor, from which it then reads: there is no second lookup a
swapped file could slip into.

Hard links: a hard link names an inode of the *same filesystem*. The home is its own
volume, and inside the container the user can only link files of that volume (``/data``
and the image are other filesystems, ``EXDEV``), so a hard link in the home can only
point at content the user put in their home anyway; the file's link count is recorded
for the checkers all the same. Limits on size and number come from the policy; a file
is read at most to its limit plus one byte.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput, TooLarge

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_CHUNK = 1024 * 1024
MAX_PATH_CHARS = 1024


class UnsafeFile(BadInput):
    """A requested path is not a plain file inside the home (a link, a folder, a FIFO)."""

    code = "unsafe_file"


def check_relative_path(name: str) -> list[str]:
    """The path's components; BadInput unless it is a plain relative path in the home."""
    if not isinstance(name, str) or not name or len(name) > MAX_PATH_CHARS or "\x00" in name:
        raise BadInput(f"{name!r} is not a file name in your home (1-{MAX_PATH_CHARS} characters).")
    parts = name.split("/")
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise BadInput(
            f"{name!r}: give the path relative to your home folder, without '..', '.' or "
            "empty parts, e.g. results/table.csv."
        )
    return parts


@dataclass(frozen=True)
class SnapshotCopy:
    """One file copied into a snapshot: where, how big, its SHA-256, its link count."""

    path: Path
    size: int
    sha256: str
    links: int
    head: bytes


class HomeReader:
    """Reads files under one home folder (a host path) without following any link."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _open_root(self) -> int:
        try:
            return os.open(self.root, _DIR_FLAGS)
        except OSError as error:
            raise BadInput(
                f"Your home folder cannot be read ({os.strerror(error.errno)}). Start your "
                "server once so that it exists, then ask again."
            ) from None

    def open(self, name: str) -> tuple[int, os.stat_result]:
        """An open descriptor of the regular file ``name`` and its ``fstat``; the caller
        closes it. UnsafeFile for links, folders and special files; BadInput if missing."""
        parts = check_relative_path(name)
        fd = self._open_root()
        try:
            for part in parts[:-1]:
                fd = _descend(fd, part, name, _DIR_FLAGS)
            fd = _descend(fd, parts[-1], name, _FILE_FLAGS)
            info = os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise UnsafeFile(f"{name} is not a regular file; only files can be released.")
        return fd, info

    def copy(self, name: str, target: Path, limit: int) -> SnapshotCopy:
        """Copy ``name`` to ``target`` (new file, mode 0440, fsynced) while hashing it.

        TooLarge when it has more than ``limit`` bytes (nothing is left at ``target``)."""
        fd, info = self.open(name)
        digest, size, head = hashlib.sha256(), 0, b""
        try:
            out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o440)
            try:
                while chunk := os.read(fd, _CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(
                            f"{name} is larger than {limit:,} bytes, the policy's limit for "
                            "its type. Release a smaller file (fewer rows, a compressed figure)."
                        )
                    head = head if len(head) >= 65536 else (head + chunk)[:65536]
                    digest.update(chunk)
                    os.write(out, chunk)
                os.fsync(out)
            finally:
                os.close(out)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)
        return SnapshotCopy(target, size, digest.hexdigest(), info.st_nlink, head)

    def listing(self, folder: str = "") -> list[dict]:
        """The entries of ``folder`` (relative; "" = the home): name, kind, size. Links
        are listed as links (never followed), so the picker shows what the airlock sees."""
        fd = self._open_root()
        try:
            for part in check_relative_path(folder) if folder else []:
                fd = _descend(fd, part, folder, _DIR_FLAGS)
            with os.scandir(fd) as entries:
                return sorted((_entry(e) for e in entries), key=lambda e: (e["kind"], e["name"]))
        finally:
            os.close(fd)


def _step(fd: int, part: str, name: str, flags: int) -> int:
    """Open ``part`` under the directory ``fd`` without following links (``fd`` stays
    open: the caller closes it, on success and on error alike)."""
    try:
        return os.open(part, flags, dir_fd=fd)
    except OSError as error:
        # O_DIRECTORY on a link says ENOTDIR, O_NOFOLLOW on a file link ELOOP: ask which.
        if error.errno in (errno.ELOOP, errno.EMLINK) or _is_link(fd, part):
            raise UnsafeFile(
                f"{name}: {part} is a symbolic link. The airlock never follows links; copy "
                "the file itself into your home and ask again."
            ) from None
        if error.errno == errno.ENOENT:
            raise BadInput(f"{name} does not exist in your home.") from None
        if error.errno == errno.ENOTDIR:
            raise BadInput(f"{name}: {part} is not a folder.") from None
        if error.errno == errno.EISDIR:
            raise UnsafeFile(f"{name} is a folder; choose the files in it.") from None
        raise BadInput(f"{name} cannot be read: {os.strerror(error.errno)}.") from None


def _is_link(fd: int, part: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _descend(fd: int, part: str, name: str, flags: int) -> int:
    """``_step`` that hands over: the parent ``fd`` is closed once the child is open."""
    child = _step(fd, part, name, flags)
    os.close(fd)
    return child


def _entry(entry: os.DirEntry) -> dict:
    info = entry.stat(follow_symlinks=False)
    if stat.S_ISLNK(info.st_mode):
        kind = "link"
    elif stat.S_ISDIR(info.st_mode):
        kind = "folder"
    elif stat.S_ISREG(info.st_mode):
        kind = "file"
    else:
        kind = "other"
    return {"name": entry.name, "kind": kind, "size": info.st_size if kind == "file" else None}
