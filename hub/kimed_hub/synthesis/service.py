"""Synthesis jobs on the portal's database: start, run in a locked container, store.

A data steward (the ``custom:kimed:run:synthesis-jobs`` scope, granted by
``policies/roles.yaml``) starts a job for a dataset they hold an ACTIVE grant to,
choosing a method of ``policies/synthesis.yaml``, a table of the dataset's folder and
optionally a target column. Everything is checked before anything is stored; the job is
QUEUED, then run one at a time in the background by the ``runner``
(:class:`~kimed_hub.synthesis.container.SynthesisContainer`). Its files are stored under
``<root>/jobs/<job id>/`` (staged, then renamed in the transaction that records the
outcome). Every transition is an audit event (``synthesis:<id>``) on the shared log.
Release (airlock hand-off, catalogue record, supersession) is in
:mod:`kimed_hub.synthesis.release`.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import insert, select, update

from .. import audit
from ..access import AccessRequests, Actor
from ..airlock.storage import fsync_dir
from ..catalogue.store import CatalogueStore
from ..errors import BadInput, Conflict, NotFound, PermissionDenied, PortalError
from ..policies.synthesis import SynthesisPolicy, synthesis_policy
from .container import FAILED_CHECKS, PASSED, JobRequest
from .model import ACTIVE, SYNTHESIZER, JobState, SynthesisJob
from .release import ReleaseSteps
from .report import report_markdown
from .rows import dumps, locked_row, to_job, transition
from .sources import check_column, find_table, tables_of
from .tables import ensure_tables, synthesis_jobs

log = logging.getLogger("kimed.synthesis")
#: Who the audit log names for the service's own steps (runs, outcomes).
SYSTEM = "system"


class SynthesisUnavailable(PortalError):
    """The portal runs without synthesis jobs (no runtime or image configured)."""

    http_status = 503
    code = "synthesis_unavailable"


class SynthesisJobs(ReleaseSteps):
    """Synthesis jobs on the portal's database, with their files under ``root``."""

    def __init__(
        self,
        store: CatalogueStore,
        root: Path,
        dataset_root: Path,
        policies_dir: Path | None = None,
        runner=None,
        airlock=None,
        resume: bool = True,
    ):
        """``runner``: runs jobs in locked containers (None: jobs cannot run, and starting
        one says so); ``airlock``: the portal's :class:`~kimed_hub.airlock.ExportRequests`
        (release goes only through it)."""
        self.store, self.db = store, store.db
        self.root, self.dataset_root = Path(root), Path(dataset_root)
        self.jobs_dir = self.root / "jobs"
        self.jobs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.policies_dir, self.runner, self.airlock = policies_dir, runner, airlock
        self.access = AccessRequests(store)
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="synthesis")
        ensure_tables(self.db)
        if airlock is not None:
            airlock.release_hooks.append(self.on_export_released)
        self.recover(resume)

    @property
    def policy(self) -> SynthesisPolicy:
        """The synthesis policy now (re-read when the file changes; invalid: PolicyError)."""
        return synthesis_policy(self.policies_dir)

    # --- reading ------------------------------------------------------------------------
    def get(self, job_id: str) -> SynthesisJob:
        """The job ``job_id``; NotFound if there is none."""
        with self.db.read() as conn:
            return to_job(locked_row(conn, job_id, lock=False))

    def visible(self, job_id: str, actor: Actor) -> SynthesisJob:
        """The job if ``actor`` started it; others get the NotFound of a missing job."""
        found = self.get(job_id)
        if found.steward != actor.name:
            raise NotFound(f"there is no synthesis job {job_id!r}")
        return found

    def list_for(self, username: str) -> list[SynthesisJob]:
        """``username``'s jobs, newest first."""
        query = select(synthesis_jobs).where(synthesis_jobs.c.steward == username)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(synthesis_jobs.c.pk.desc())).all()
        return [to_job(row) for row in rows]

    def history(self, job_id: str) -> list[audit.AuditEntry]:
        """The job's audit entries in order."""
        return self.store.audit_entries(f"synthesis:{job_id}")

    def job_file(self, job: SynthesisJob, name: str) -> Path:
        """One of the files the job wrote (NotFound for anything else)."""
        if name not in job.files:
            raise NotFound(f"{job.job_id} has no file {name!r}; it has {', '.join(job.files)}")
        return self.jobs_dir / job.job_id / name

    def choices(self, actor: Actor) -> dict:
        """What the new-job form offers ``actor``: their granted datasets with their
        tables, and the policy's methods."""
        datasets = {}
        for grant in self.access.active_grants(actor.name):
            datasets[grant.dataset] = tables_of(self.dataset_root / grant.dataset)
        methods = [
            {"name": m.name, "label_en": m.label_en, "label_de": m.label_de}
            for m in self.policy.methods.values()
        ]
        return {"datasets": datasets, "methods": methods}

    # --- starting a job -----------------------------------------------------------------
    def create(
        self,
        actor: Actor,
        dataset,
        method,
        table=None,
        target=None,
        seed=None,
    ) -> SynthesisJob:
        """A QUEUED job, after every check (role, grant, method, table, target, queue);
        on any refusal nothing is stored."""
        if SYNTHESIZER not in actor.roles:
            raise PermissionDenied(
                f"{actor.name} cannot run synthesis jobs: only data stewards can "
                "(custom:kimed:run:synthesis-jobs)"
            )
        if self.runner is None:
            raise SynthesisUnavailable(
                "Synthesis jobs are not configured in this portal (they need the container "
                "runtime and the single-user image); ask the operators."
            )
        policy = self.policy
        spec = self._checked(actor, policy, dataset, method, table, target, seed)
        with self.db.write() as conn:
            waiting = conn.execute(
                select(synthesis_jobs.c.pk).where(synthesis_jobs.c.state.in_(list(ACTIVE)))
            ).all()
            if len(waiting) >= policy.max_waiting:
                raise Conflict(
                    f"{len(waiting)} synthesis jobs are queued or running, the most the "
                    "policy allows; start this one when one of them has finished."
                )
            job_id = self._insert(conn, actor.name, spec)
        self._worker.submit(self._run_logged, job_id)
        return self.get(job_id)

    def _checked(self, actor: Actor, policy, dataset, method, table, target, seed) -> dict:
        """The job's fields, each checked; BadInput/PermissionDenied naming the problem."""
        if not isinstance(dataset, str) or not dataset:
            raise BadInput("dataset: name the dataset to synthesise (its identifier).")
        granted = {g.dataset: g for g in self.access.active_grants(actor.name)}
        if dataset not in granted:
            raise PermissionDenied(
                f"dataset {dataset!r}: you hold no active access grant for it, so no job can "
                f"read it. Datasets you may use: {', '.join(sorted(granted)) or 'none'}."
            )
        if not isinstance(method, str) or method not in policy.methods:
            raise BadInput(
                f"method {method!r} is not one of the policy's methods: "
                f"{', '.join(sorted(policy.methods))}."
            )
        folder = self.dataset_root / dataset
        chosen = find_table(folder, table, policy.max_table_size)
        if target is not None:
            check_column(folder / chosen, target)
        if seed is None:
            seed = policy.default_seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
            raise BadInput("seed must be a whole number from 0 to 2147483647.")
        return {"dataset": dataset, "method": method, "table": chosen, "target": target,
                "seed": seed, "grant": granted[dataset].request_id}  # fmt: skip

    def _insert(self, conn, steward: str, spec: dict) -> str:
        now = audit.utc_now()
        values = {
            "job_id": f"tmp-{uuid.uuid4().hex[:16]}",
            "state": JobState.QUEUED,
            "steward": steward,
            "dataset": spec["dataset"],
            "table_path": spec["table"],
            "method": spec["method"],
            "target": spec["target"],
            "seed": spec["seed"],
            "failure": "",
            "files": "[]",
            "created_at": now,
            "updated_at": now,
        }
        pk = conn.execute(insert(synthesis_jobs).values(**values)).inserted_primary_key[0]
        job_id = f"SJ-{pk}"
        conn.execute(update(synthesis_jobs).where(synthesis_jobs.c.pk == pk).values(job_id=job_id))
        details = {k: spec[k] for k in ("dataset", "method", "table", "target", "seed", "grant")}
        audit.append(conn, steward, "synthesis.create", f"synthesis:{job_id}", details)
        return job_id

    # --- running it (the background worker) ---------------------------------------------
    def run(self, job_id: str) -> SynthesisJob:
        """Run the job in a fresh locked container and record the outcome."""
        with self.db.write() as conn:
            transition(conn, locked_row(conn, job_id), "start", SYSTEM, {})
        job, policy = self.get(job_id), self.policy
        request = JobRequest(
            job_id=job.job_id,
            dataset=job.dataset,
            source=self.dataset_root / job.dataset,
            policy_file=(self.policies_dir or _policies()) / "synthesis.yaml",
            method=policy.methods[job.method],
            table=job.table,
            target=job.target,
            seed=job.seed,
        )
        with tempfile.TemporaryDirectory(prefix="kimed-synth-") as scratch:
            outcome = self.runner.run(
                request, policy.timeout, Path(scratch), policy.max_output_size
            )
            if outcome.status in (PASSED, FAILED_CHECKS):
                return self._record(job_id, outcome, Path(scratch))
        why = _failure(outcome.status, outcome.message, policy.timeout)
        return self.fail(job_id, why, outcome.container)

    def _record(self, job_id: str, outcome, scratch: Path) -> SynthesisJob:
        """Store the files and the report; PASSED only when the engine said so in both the
        exit status and the report (a disagreement is FAILED_CHECKS, never a release)."""
        report = json.loads((scratch / "report.json").read_text(encoding="utf-8"))
        passed = outcome.status == PASSED and report.get("passed") is True
        (scratch / "report.md").write_text(report_markdown(report, job_id), encoding="utf-8")
        names = sorted([*outcome.files, "report.md"])
        staged = self.jobs_dir / f".staging-{uuid.uuid4().hex}"
        shutil.copytree(scratch, staged)
        fsync_dir(staged)
        try:
            with self.db.write() as conn:
                row = locked_row(conn, job_id)
                conn.execute(
                    update(synthesis_jobs)
                    .where(synthesis_jobs.c.pk == row.pk)
                    .values(report=dumps(report), files=dumps(names),
                            container=dumps(outcome.container))
                )  # fmt: skip
                details = {"passed": passed, "failures": report.get("failures", []),
                           "container": outcome.container}  # fmt: skip
                transition(conn, row, "pass" if passed else "fail_checks", SYSTEM, details)
                staged.rename(self.jobs_dir / job_id)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return self.get(job_id)

    def fail(self, job_id: str, why: str, container: dict | None = None) -> SynthesisJob:
        """Record that the job FAILED and why (no data values)."""
        with self.db.write() as conn:
            row = locked_row(conn, job_id)
            conn.execute(
                update(synthesis_jobs)
                .where(synthesis_jobs.c.pk == row.pk)
                .values(failure=why[:2000], container=dumps(container) if container else None)
            )
            transition(conn, row, "fail", SYSTEM, {"failure": why[:2000]})
        return self.get(job_id)

    def _run_logged(self, job_id: str) -> None:
        try:
            self.run(job_id)
        except Exception as error:  # noqa: BLE001 - recorded on the job instead
            log.exception("synthesis job %s failed", job_id)
            try:
                self.fail(job_id, f"the job could not run: {error}")
            except Exception:  # noqa: BLE001
                log.exception("could not record the failure of %s", job_id)

    # --- recovery -----------------------------------------------------------------------
    def recover(self, resume: bool = True) -> None:
        """After a restart: leftovers of interrupted stores are removed; jobs that were
        queued or running are queued again; releases the airlock finished meanwhile are
        published (:meth:`sync_releases`)."""
        for entry in self.jobs_dir.iterdir():
            if entry.name.startswith(".staging-"):
                shutil.rmtree(entry, ignore_errors=True)
        if not resume:
            return
        query = select(synthesis_jobs.c.job_id).where(synthesis_jobs.c.state.in_(list(ACTIVE)))
        with self.db.read() as conn:
            waiting = list(conn.scalars(query.order_by(synthesis_jobs.c.pk)))
        for job_id in waiting if self.runner is not None else []:
            shutil.rmtree(self.jobs_dir / job_id, ignore_errors=True)
            self._worker.submit(self._run_logged, job_id)
        self.sync_releases()


def _failure(status: int | None, message: str, timeout: int) -> str:
    """Why a run failed, in words a steward can act on (no data values)."""
    if status is None:
        return f"the job did not finish within {timeout} s (the policy's jobs.timeout)"
    if status == 2:
        return f"the engine refused the input: {message or 'no message'}"
    return f"the synthesis engine crashed (exit status {status}); the portal's log has details"


def _policies() -> Path:
    from ..paths import policies_dir

    return policies_dir()
