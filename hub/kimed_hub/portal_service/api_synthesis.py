"""Synthesis jobs under ``api/v1/synthesis/``: start, list, read, report, submit.

Every rule (steward role, grant, method, table, states, release through the airlock) is
the synthesis library's (:mod:`kimed_hub.synthesis`); these handlers map HTTP to it. A
steward sees only their own jobs; anyone else gets the 404 of a job that does not exist.
"""

from __future__ import annotations

from ..errors import BadInput, NotFound, PortalError
from ..synthesis import JobState, SynthesisJob
from .api_base import API, ID, ApiHandler
from .auth import RUN_SYNTHESIS

#: What the report endpoint serves, by ``format``.
REPORT_TYPES = {
    "json": ("report.json", "application/json; charset=utf-8"),
    "html": ("report.html", "text/html; charset=utf-8"),
    "md": ("report.md", "text/markdown; charset=utf-8"),
}


class SynthesisMissing(PortalError):
    """The portal runs without synthesis jobs (no runtime, image or airlock)."""

    http_status = 503
    code = "synthesis_unavailable"


def jobs_of(portal):
    """The portal's synthesis jobs, or a 503 that says what is missing."""
    if getattr(portal, "synthesis", None) is None:
        raise SynthesisMissing(
            "Synthesis jobs are not configured in this portal (they need the container "
            "runtime, the single-user image and the airlock); ask the operators."
        )
    return portal.synthesis


def job_summary(job: SynthesisJob) -> dict:
    """A job in a list."""
    return {
        "id": job.job_id,
        "state": job.state,
        "dataset": job.dataset,
        "table": job.table,
        "method": job.method,
        "target": job.target,
        "seed": job.seed,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }


def job_detail(job: SynthesisJob) -> dict:
    """The whole job: its outcome, report, files, the container's evidence, release."""
    return {
        **job_summary(job),
        "steward": job.steward,
        "failure": job.failure,
        "passed": job.passed if job.report else None,
        "report": job.report,
        "files": job.files,
        "container": job.container,
        "export_request": job.export_request,
        "synthetic_dataset": job.synthetic_dataset,
        "allowed_actions": ["submit"] if job.state == JobState.PASSED and job.passed else [],
    }


class SynthesisApiHandler(ApiHandler):
    """Shared: the steward's scope and the jobs."""

    @property
    def jobs(self):
        return jobs_of(self.portal)

    def own(self, job_id: str) -> SynthesisJob:
        return self.jobs.visible(job_id, self.actor())


class JobsHandler(SynthesisApiHandler):
    """``GET synthesis/jobs``: the caller's jobs; ``POST``: start one."""

    async def get(self) -> None:
        self.params()
        self.require(RUN_SYNTHESIS)
        found = await self.run(self.jobs.list_for, self.caller())
        self.finish({"jobs": [job_summary(j) for j in found]})

    async def post(self) -> None:
        self.params()
        self.require(RUN_SYNTHESIS)
        fields = ("dataset", "method", "table", "target", "seed")
        body = self.object_body(fields, required=("dataset", "method"))
        for name in ("table", "target"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise BadInput(f"{name} must be text.")
        created = await self.run(
            self.jobs.create,
            self.actor(),
            body["dataset"],
            body["method"],
            table=body.get("table"),
            target=body.get("target") or None,
            seed=body.get("seed"),
        )
        self.set_status(201)
        self.finish(job_detail(created))


class OptionsHandler(SynthesisApiHandler):
    """``GET synthesis/options``: what the caller may choose (granted datasets with
    their tables, the policy's methods)."""

    async def get(self) -> None:
        self.params()
        self.require(RUN_SYNTHESIS)
        self.finish(await self.run(self.jobs.choices, self.actor()))


class JobHandler(SynthesisApiHandler):
    """``GET synthesis/jobs/{id}``: one of the caller's jobs."""

    async def get(self, job_id: str) -> None:
        self.params()
        self.require(RUN_SYNTHESIS)
        await self.run(self.jobs.sync_releases)
        self.finish(job_detail(await self.run(self.own, job_id)))


class ReportHandler(SynthesisApiHandler):
    """``GET synthesis/jobs/{id}/report?format=json|html|md``: the job's report."""

    async def get(self, job_id: str) -> None:
        params = self.params("format")
        kind = self.choice(params, "format", tuple(REPORT_TYPES))
        self.require(RUN_SYNTHESIS)
        name, content_type = REPORT_TYPES[kind]
        data = await self.run(self._read, job_id, name)
        self.set_header("Content-Type", content_type)
        self.set_header("X-Content-Type-Options", "nosniff")
        # The engine's page: shown, never run with the portal's origin (images inline).
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:")
        self.finish(data)

    def _read(self, job_id: str, name: str) -> bytes:
        job = self.own(job_id)
        try:
            return self.jobs.job_file(job, name).read_bytes()
        except NotFound:
            raise NotFound(f"{job_id} has no {name} (it is {job.state})") from None


class SubmitHandler(SynthesisApiHandler):
    """``POST synthesis/jobs/{id}/actions/submit``: a PASSED job's table and report to
    the airlock (an export request for two independent output checkers)."""

    async def post(self, job_id: str) -> None:
        self.params()
        self.require(RUN_SYNTHESIS)
        body = self.object_body(("justification",), required=("justification",))
        done = await self.run(self.jobs.submit, job_id, self.actor(), body["justification"])
        self.finish(job_detail(done))


ROUTES = [
    (API + "synthesis/jobs", JobsHandler),
    (API + "synthesis/options", OptionsHandler),
    (API + f"synthesis/jobs/{ID}", JobHandler),
    (API + f"synthesis/jobs/{ID}/report", ReportHandler),
    (API + f"synthesis/jobs/{ID}/actions/submit", SubmitHandler),
]
