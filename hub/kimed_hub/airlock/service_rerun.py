"""The server-side re-run's steps of the export-request workflow (a part of
:class:`~kimed_hub.airlock.service.ExportRequests`, kept apart to keep modules small).

After the automated checks, a request that carries a notebook is re-run in the
background (one at a time) by the airlock's ``rerunner``
(:class:`~kimed_hub.airlock.rerun_container.ContainerRerun`) with the requester's profile
and the grants in force at re-run time; the result per output file
(:func:`~kimed_hub.airlock.rerun.compare`), and what the container was, are stored for the
reviewers and audited. A dataset of the request without an ACTIVE grant now, or a profile
the requester may no longer use, stops the re-run with the reason as its result.
"""

from __future__ import annotations

import logging

from sqlalchemy import update

from .. import audit
from ..errors import BadInput, IllegalTransition, NotFound, PortalError
from .model import FINAL, ExportRequest
from .rerun import compare
from .rerun_plan import RerunBlocked, grant_problems
from .rows import dumps, locked_row
from .tables import export_files

log = logging.getLogger("kimed.airlock")
#: Who the audit log names for the airlock's own steps (checks, re-runs, releases).
SYSTEM = "system"


class RerunUnavailable(PortalError):
    """The portal runs without the server-side re-run (no runtime or image configured)."""

    http_status = 503
    code = "rerun_unavailable"


class RerunSteps:
    """Re-run steps; the host class provides ``get``, ``storage``, ``policy``, ``db``,
    ``rerunner`` and ``_reruns`` (a one-worker executor)."""

    # --- the server-side re-run ---------------------------------------------------------
    def notebook_of(self, found: ExportRequest):
        """The request's notebook entry, or None."""
        return next((f for f in found.files if f.role == "notebook"), None)

    def rerun(self, request_id: str) -> ExportRequest:
        """Execute the request's notebook in a fresh locked container (the airlock's
        ``rerunner``, :class:`~kimed_hub.airlock.rerun_container.ContainerRerun`) and
        record, per output, whether it regenerated the submitted file."""
        if self.rerunner is None:
            raise RerunUnavailable(
                "The server-side re-run is not configured in this portal (it needs the "
                "container runtime and the single-user image); reviewers judge without it."
            )
        found = self.get(request_id)
        notebook = self.notebook_of(found)
        if notebook is None:
            raise BadInput(f"{request_id} carries no notebook, so there is nothing to re-run.")
        if found.state in FINAL:
            raise IllegalTransition(request_id, "rerun", found.state, [])
        data = self.storage.snapshot_file(request_id, notebook.position).read_bytes()
        limits = {f.name: self._file_type(f).max_size for f in found.outputs}
        try:
            self._require_grants(found)
            outcome = self.rerunner.run(
                request_id,
                found.requester,
                (notebook.name, data),
                limits,
                self.policy.rerun_timeout,
            )
        except RerunBlocked as blocked:
            return self.record_rerun(request_id, {}, f"not re-run: {blocked}")
        return self.record_rerun(
            request_id, outcome.regenerated, outcome.failure, outcome.environment
        )

    def _require_grants(self, found: ExportRequest) -> None:
        """RerunBlocked unless every dataset the request's data came from has an ACTIVE
        grant for the requester now (read at re-run time, not at submission)."""
        active = {g.dataset: g.request_id for g in self.access.active_grants(found.requester)}
        states = {}
        for source in found.sources:
            try:
                states[source] = str(self.access.get(source).state)
            except NotFound:
                states[source] = "gone"
        problems = grant_problems(found.datasets, active, states)
        if problems:
            raise RerunBlocked(
                f"{found.requester} no longer holds the data the notebook reads: "
                + "; ".join(problems)
                + ". The re-run runs with the grants in force now, so it was not started."
            )

    def _schedule_rerun(self, found: ExportRequest) -> None:
        """After the checks: re-run the notebook in the background (one at a time, so a
        burst of requests queues instead of starting many containers)."""
        if self.rerunner is None or self.notebook_of(found) is None:
            return
        self._reruns.submit(self._rerun_logged, found.request_id)

    def resume_rerun(self, request_id: str) -> None:
        """After a restart: a re-run that was queued or running when the portal stopped
        (no output has a result) is queued again."""
        found = self.get(request_id)
        if not any(f.rerun for f in found.outputs):
            self._schedule_rerun(found)

    def _rerun_logged(self, request_id: str) -> None:
        try:
            self.rerun(request_id)
        except Exception as error:  # noqa: BLE001 - recorded for the reviewers instead
            log.exception("the re-run of %s failed", request_id)
            try:
                self.record_rerun(request_id, {}, f"the re-run could not run: {error}")
            except Exception:  # noqa: BLE001 - e.g. the request was withdrawn meanwhile
                log.exception("could not record the failed re-run of %s", request_id)

    def record_rerun(
        self,
        request_id: str,
        regenerated: dict[str, bytes | None],
        failure: str = "",
        environment: dict | None = None,
    ) -> ExportRequest:
        """Store, per output file, whether the notebook's re-run regenerated it (see
        :mod:`kimed_hub.airlock.rerun`); ``failure``: why the notebook did not run to the
        end (outputs it wrote before are still compared); ``environment``: the container
        it ran in (profile, limits, GPUs, datasets). Reviewers see the result. An audit
        event."""
        found = self.get(request_id)
        tolerance = self.policy.rerun_tolerance
        with self.db.write() as conn:
            row = locked_row(conn, request_id)
            results = {}
            for entry in found.outputs:
                data = self.storage.snapshot_file(request_id, entry.position).read_bytes()
                result = compare(data, regenerated.get(entry.name), entry.kind, tolerance)
                if failure and result["how"] == "missing":
                    result["detail"] = failure
                if environment:
                    result["environment"] = environment
                results[entry.name] = result["match"]
                conn.execute(
                    update(export_files)
                    .where(export_files.c.request_pk == row.pk)
                    .where(export_files.c.position == entry.position)
                    .values(rerun=dumps(result))
                )
            details = {"match": results, **({"failure": failure} if failure else {})}
            details |= {"environment": environment} if environment else {}
            audit.append(conn, SYSTEM, "airlock.rerun", f"export:{request_id}", details)
        return self.get(request_id)
