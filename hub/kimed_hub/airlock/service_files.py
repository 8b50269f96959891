"""Reading a request's files: the requester downloads what was released, an output
checker inspects what they are to judge; and whether a file of a home may be asked for at
all, before a request is made (a part of
:class:`~kimed_hub.airlock.service.ExportRequests`, kept apart to keep modules small).

Both read the airlock's own copies (never a home), check them against the SHA-256
recorded at request time, and are audit events. Anyone else gets the same NotFound as for
a file that does not exist.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .. import audit
from ..access import Actor
from ..errors import BadInput, Conflict, NotFound, TooLarge
from .model import ExportFile, ExportRequest
from .reviews import CHECKER
from .snapshot import HomeReader


class FileSteps:
    """File reads; the host class provides ``get``, ``storage``, ``db``, ``party``,
    ``policy`` and ``queue_for``."""

    def download(self, request_id: str, name: str, actor: Actor) -> tuple[bytes, str]:
        """A released file's content for its requester (an audit event each time).
        Anyone else, or a file not released, gets NotFound."""
        found, entry = self._entry(request_id, name, "released file")
        if actor.name != found.requester or entry not in found.released:
            raise NotFound(f"there is no released file {name!r} in {request_id!r}")
        path = self.storage.released_file(request_id, entry.position)
        return self._read(path, found, entry, actor, "airlock.download")

    def inspect(self, request_id: str, name: str, actor: Actor) -> tuple[bytes, str]:
        """A file's snapshot for an output checker who reviews the request or may review
        it (never the requester or their project: the same rule as for voting), so that
        figures and text get the person's look the policy asks for. An audit event."""
        found, entry = self._entry(request_id, name, "file")
        reviewed = any(r.reviewer == actor.name for r in found.reviews)
        may = CHECKER in actor.roles and actor.name not in self.party(found)
        if not may or not (reviewed or found in self.queue_for(actor)):
            raise NotFound(f"there is no file {name!r} in {request_id!r} for you to inspect")
        path = self.storage.snapshot_file(request_id, entry.position)
        return self._read(path, found, entry, actor, "airlock.inspect")

    def requestable(self, home: HomeReader, name: str) -> str:
        """Whether ``name`` could be asked for as it is now: "output", or "notebook" (the
        request's notebook, re-run, never released). Else the PortalError that creating
        the request would raise: not a plain path in the home, missing, a link, a folder
        or special file, a type the policy does not allow, larger than its type's limit.
        Reads nothing but the file's metadata; for pages that preselect files."""
        kind = self.policy.file_type(name) if isinstance(name, str) else None
        fd, info = home.open(name)  # the snapshot's own rules: no link, a regular file
        os.close(fd)
        if kind is None:
            raise BadInput(
                f"{name}: this file type may not leave the workbench. Allowed: "
                f"{', '.join(self.policy.allowed_extensions())}."
            )
        if info.st_size > kind.max_size:
            raise TooLarge(
                f"{name} is larger than {kind.max_size:,} bytes, the limit for its type."
            )
        return "notebook" if kind.kind == "notebook" else "output"

    def _entry(self, request_id: str, name: str, what: str) -> tuple[ExportRequest, ExportFile]:
        try:
            found = self.get(request_id)
            return found, found.file(name)
        except (NotFound, KeyError):
            raise NotFound(f"there is no {what} {name!r} in {request_id!r}") from None

    def _read(self, path: Path, found, entry, actor: Actor, action: str) -> tuple[bytes, str]:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise Conflict(
                f"{entry.name} in {found.request_id} does not match its recorded hash; ask "
                "the operators"
            )
        with self.db.write() as conn:
            details = {"file": entry.name, "sha256": entry.sha256}
            audit.append(conn, actor.name, action, f"export:{found.request_id}", details)
        return data, entry.name.rsplit("/", 1)[-1]
