"""A contents manager that never leaves the home: no path whose real path is elsewhere.

Jupyter's file manager checks that a path stays under its root *as written*
(``os.path.abspath``), not where it leads: a symlink ``~/pw -> /etc/passwd`` or
``~/data -> /data/<dataset>`` is served like any file of the home. This manager resolves
every path (``os.path.realpath``) and refuses, with the airlock message, any path that
ends outside the root's real path, for reading, listing, saving, renaming and deleting.
Reads are checked again on the opened file descriptor (``/proc/self/fd``), so swapping a
file for a symlink between the check and the read does not help.

What it cannot see: a hardlink has no "real" other name, so ``realpath`` cannot tell it
apart. Inside the container that is not a gap: ``link(2)`` across mount points fails
(EXDEV), and the home is its own volume, so a hardlink in the home can only name another
file of the same home (tests/integration/test_workspace_exits.py shows the EXDEV).
Anything the server could read, the user's kernel (same uid) can copy into the home
anyway; then the contents API's size and type limits (``handlers.py``) apply to the copy.
This manager keeps the *server* from being a direct path to files outside the home (the
image, ``/data`` mounts, ``/tmp``).
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from contextvars import ContextVar

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web
from traitlets import Unicode

# Set while Jupyter lists a directory: an entry that leaves the home is then skipped
# (Jupyter's listing loop silently skips entries raising EACCES), instead of failing the
# whole listing. Everywhere else the same path gets the 403 with the airlock message.
_LISTING: ContextVar[bool] = ContextVar("kimed_exits_listing", default=False)
# No path in the message: tornado formats an HTTPError's message with %, and paths may hold %.
_OUTSIDE = "This path leads outside your home folder, which is all this server serves."


class OutsideHome(web.HTTPError):
    """A path whose real path is not under the contents root (403)."""


class ConfinedContentsManager(AsyncLargeFileManager):
    """Jupyter's default contents manager, confined to the real path of its root."""

    refusal_message = Unicode(
        "Results leave this workspace through the airlock.",
        config=True,
        help="What a refused path is told; kimed_exits sets it to the policy's airlock message.",
    )

    def _real_root(self) -> str:
        return os.path.realpath(self.root_dir)

    def _inside(self, real: str) -> bool:
        root = self._real_root()
        return real == root or real.startswith(root + os.sep)

    def _get_os_path(self, path):
        """Jupyter's mapping, then refuse a path whose real path leaves the root."""
        os_path = super()._get_os_path(path)
        if not self._inside(os.path.realpath(os_path)):
            self.log.warning("kimed_exits: refused %r: its real path leaves the home", path)
            raise OutsideHome(403, f"{_OUTSIDE} {self.refusal_message}")
        return os_path

    @contextmanager
    def open(self, os_path, *args, **kwargs):
        """Open, then check where the opened descriptor really is (no check-then-use race)."""
        with super().open(os_path, *args, **kwargs) as handle:
            where = _descriptor_path(handle.fileno())
            if where is None or not self._inside(where):
                self.log.warning("kimed_exits: refused %r: opened %r", os_path, where)
                raise OutsideHome(403, f"{_OUTSIDE} {self.refusal_message}")
            yield handle

    async def _dir_model(self, path, content=True):
        token = _LISTING.set(True)
        try:
            return await super()._dir_model(path, content=content)
        finally:
            _LISTING.reset(token)

    async def get(self, path, content=True, type=None, format=None, require_hash=False):
        """Jupyter's ``get``; inside a listing, an entry outside the home is left out."""
        try:
            return await super().get(path, content, type, format, require_hash)
        except OutsideHome:
            if _LISTING.get() and not content:
                raise PermissionError(errno.EACCES, "outside the home", path) from None
            raise


def _descriptor_path(fd: int) -> str | None:
    """The real path of an open descriptor, or None where /proc cannot tell (refused)."""
    try:
        where = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
    return where if where.startswith("/") else None
