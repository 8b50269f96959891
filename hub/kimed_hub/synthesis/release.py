"""A synthesis job's release: only through the airlock, and what happens once released
(a part of :class:`~kimed_hub.synthesis.service.SynthesisJobs`, kept apart to keep
modules small).

1. The steward submits a PASSED job: an export request of the airlock
   (:class:`~kimed_hub.airlock.ExportRequests`) in their name, carrying the synthetic
   table and the report summary (``report.md``), checked automatically and reviewed by
   two independent output checkers who are not on the dataset's project. A job that
   failed a threshold (FAILED_CHECKS) can never be submitted.
2. When the airlock releases it (its release hook, or :meth:`sync_releases` after a
   restart), the table becomes the dataset's synthetic version
   (:mod:`kimed_hub.synthesis.publish`): the catalogue record and the data folder every
   catalogue reader's next server mounts; the job is RELEASED and the job released
   before it for the same dataset SUPERSEDED, in one transaction.
3. A request the checkers did not release (changes requested, rejected, withdrawn)
   returns the job to PASSED: it may be submitted again.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from ..access import Actor
from ..airlock import REQUESTER, ExportRequest, HomeReader, State
from ..errors import BadInput, Conflict, IllegalTransition, NotFound, PortalError
from .model import JobState, SynthesisJob, allowed_from
from .publish import publish_data, readme, synthetic_identifier, synthetic_record
from .rows import locked_row, transition
from .tables import synthesis_jobs

log = logging.getLogger("kimed.synthesis")
#: What the export request carries, in this order (the table first: it is released).
RELEASED_FILES = ("synthetic.csv", "report.md")
#: The airlock's final states in which nothing was released.
NOT_RELEASED = frozenset({State.REJECTED, State.WITHDRAWN, State.CHANGES_REQUESTED})


class AirlockMissing(PortalError):
    """Synthetic tables leave only through the airlock, which this portal lacks."""

    http_status = 503
    code = "airlock_unavailable"


class NeverReleasable(Conflict):
    """A job whose table failed a threshold of the policy: never offered for release."""

    code = "never_releasable"


class ReleaseSteps:
    """Release steps; the host class provides ``get``, ``db``, ``store``, ``airlock``,
    ``access``, ``jobs_dir``, ``dataset_root`` and ``policy``."""

    def submit(self, job_id: str, actor: Actor, justification: str) -> SynthesisJob:
        """PASSED -> SUBMITTED_FOR_RELEASE: an export request (in the steward's name) with
        the synthetic table and the report, submitted to the output checkers."""
        job = self.visible(job_id, actor)
        if job.state == JobState.FAILED_CHECKS:
            failed = "; ".join((job.report or {}).get("failures", [])) or "a threshold"
            raise NeverReleasable(
                f"{job_id} failed the policy's thresholds ({failed}), so its table can never "
                "leave the workbench. Start a new job (another method or seed)."
            )
        if job.state != JobState.PASSED or not job.passed:
            raise IllegalTransition(job_id, "submit", job.state, allowed_from(job.state))
        if self.airlock is None:
            raise AirlockMissing("Synthetic tables leave only through the airlock, which is "
                                 "not configured in this portal; ask the operators.")  # fmt: skip
        sources = [g.request_id for g in self.access.active_grants(job.steward)
                   if g.dataset == job.dataset]  # fmt: skip
        if not sources:
            raise BadInput(f"your grant for {job.dataset} has ended; it cannot be released now.")
        requester = Actor.of(job.steward, REQUESTER)  # the service asks on the steward's behalf
        created = self.airlock.create(
            requester,
            HomeReader(self.jobs_dir / job_id),
            list(RELEASED_FILES),
            justification,
            title=f"Synthetic version of {job.dataset} ({job_id}, {job.method})",
            sources=sources,
        )
        with self.db.write() as conn:
            row = locked_row(conn, job_id)
            details = {"export_request": created.request_id}
            transition(conn, row, "submit", actor.name, details,
                       export_request=created.request_id)  # fmt: skip
        self.airlock.submit(created.request_id, requester)
        return self.get(job_id)

    # --- after the airlock's decision ---------------------------------------------------
    def on_export_released(self, request: ExportRequest) -> None:
        """The airlock's release hook: publish the job this request carries, if any."""
        job_id = self._job_of(request.request_id)
        if job_id is not None:
            self.publish(job_id)

    def sync_releases(self) -> None:
        """Jobs waiting for the airlock: publish the released ones, return the others
        (after a restart, or when a page is shown)."""
        query = select(synthesis_jobs.c.job_id).where(
            synthesis_jobs.c.state == JobState.SUBMITTED_FOR_RELEASE
        )
        with self.db.read() as conn:
            waiting = list(conn.scalars(query))
        for job_id in waiting if self.airlock is not None else []:
            try:
                self._sync(self.get(job_id))
            except Exception:  # noqa: BLE001 - one stuck job must not stop the others
                log.exception("synthesis: could not bring %s up to date", job_id)

    def _sync(self, job: SynthesisJob) -> None:
        try:
            request = self.airlock.get(job.export_request)
        except NotFound:
            request = None
        if request is not None and request.state == State.RELEASED:
            self.publish(job.job_id)
        elif request is None or request.state in NOT_RELEASED:
            state = request.state if request is not None else "missing"
            with self.db.write() as conn:
                row = locked_row(conn, job.job_id)
                transition(conn, row, "return", "system", {"export_request_state": state},
                           export_request=None)  # fmt: skip

    def _job_of(self, request_id: str) -> str | None:
        query = select(synthesis_jobs.c.job_id).where(synthesis_jobs.c.export_request == request_id)
        with self.db.read() as conn:
            return conn.scalar(query)

    def publish(self, job_id: str) -> SynthesisJob:
        """The released table becomes the dataset's synthetic version: record, data
        folder; the job RELEASED, the previously released one SUPERSEDED."""
        job = self.get(job_id)
        if job.state != JobState.SUBMITTED_FOR_RELEASE:
            return job  # published already (the hook and a sync may both get here)
        request = self.airlock.get(job.export_request)
        released = {f.name: f for f in request.released}
        if "synthetic.csv" not in released:
            raise BadInput(f"{request.request_id} did not release the synthetic table")
        source = self.store.get_dataset(job.dataset)
        identifier = synthetic_identifier(
            self.store.synthetic_versions(job.dataset), job.dataset, self.policy.suffix
        )
        record = synthetic_record(source, identifier, job, request.request_id)
        self.store.put_dataset(record, actor=job.steward)
        data_file = self.airlock.storage.released_file(
            request.request_id, released["synthetic.csv"].position
        )
        marker = {"job": job_id, "source": job.dataset, "export_request": request.request_id,
                  "sha256": released["synthetic.csv"].sha256}  # fmt: skip
        publish_data(self.dataset_root, identifier, job.table, data_file,
                     readme(record, job, request.request_id), marker)  # fmt: skip
        self._mark_released(job, identifier)
        return self.get(job_id)

    def _mark_released(self, job: SynthesisJob, identifier: str) -> None:
        older = select(synthesis_jobs.c.job_id).where(
            synthesis_jobs.c.dataset == job.dataset, synthesis_jobs.c.state == JobState.RELEASED
        )
        with self.db.write() as conn:
            for old_id in conn.scalars(older).all():
                transition(conn, locked_row(conn, old_id), "supersede", "system",
                           {"by": job.job_id})  # fmt: skip
            transition(conn, locked_row(conn, job.job_id), "release", "system",
                       {"synthetic_dataset": identifier, "export_request": job.export_request},
                       synthetic_dataset=identifier)  # fmt: skip
