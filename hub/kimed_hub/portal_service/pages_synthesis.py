"""The synthesis pages: my jobs, a new job, and one job with its report and release.

The same library calls as the API (``api_synthesis``); a refused form comes back with
its message and the error's status, and nothing is stored.
"""

from __future__ import annotations

from tornado import web

from ..errors import BadInput, PortalError
from ..synthesis.report import threshold
from .api_synthesis import jobs_of
from .auth import RUN_SYNTHESIS
from .pages import PageHandler

JOB_ID = r"(SJ-[0-9]{1,12})"


class SynthesisPage(PageHandler):
    """Shared by the synthesis pages: the steward's scope and the jobs."""

    @property
    def jobs(self):
        return jobs_of(self.portal)


class MyJobsPage(SynthesisPage):
    """``synthesis``: the caller's jobs."""

    @web.authenticated
    async def get(self) -> None:
        self.require(RUN_SYNTHESIS)
        found = await self.call(self.jobs.list_for, self.actor().name)
        self.render("synthesis_list.html", found=found, nav="synthesis")


class NewJobPage(SynthesisPage):
    """``synthesis/new``: dataset (of the caller's grants), table, method, target, seed."""

    @web.authenticated
    async def get(self) -> None:
        self.require(RUN_SYNTHESIS)
        await self.show({"dataset": self.get_query_argument("dataset", "")})

    @web.authenticated
    async def post(self) -> None:
        self.require(RUN_SYNTHESIS)
        values = self.form_values()
        try:
            created = await self.call(self._create, values)
        except PortalError as error:
            return await self.show(values, error)
        self.redirect(self.link(f"synthesis/{created.job_id}"), status=303)

    def _create(self, values: dict):
        seed = values.get("seed", "").strip()
        if seed and not (seed.isascii() and seed.isdigit()):
            raise BadInput("seed must be a whole number from 0 to 2147483647.")
        return self.jobs.create(
            self.actor(),
            values.get("dataset", ""),
            values.get("method", ""),
            table=values.get("table") or None,
            target=values.get("target", "").strip() or None,
            seed=int(seed) if seed else None,
        )

    async def show(self, values: dict, error: PortalError | None = None) -> None:
        choices = await self.call(self.jobs.choices, self.actor())
        if error is not None:
            self.set_status(error.http_status)
        self.render(
            "synthesis_new.html", values=values, choices=choices, error=error, nav="synthesis"
        )


class JobPage(SynthesisPage):
    """``synthesis/SJ-n``: the job, its report and measurements, the container's evidence,
    the release form (PASSED only) and its history."""

    @web.authenticated
    async def get(self, job_id: str) -> None:
        self.require(RUN_SYNTHESIS)
        await self.show(job_id)

    async def show(self, job_id: str, error: PortalError | None = None, values=None) -> None:
        await self.call(self.jobs.sync_releases)
        job = await self.call(self.jobs.visible, job_id, self.actor())
        history = await self.call(self.jobs.history, job_id)
        if error is not None:
            self.set_status(error.http_status)
        self.render(
            "synthesis_job.html",
            job=job,
            history=history,
            error=error,
            values=values or {},
            threshold=threshold,
            nav="synthesis",
        )


class SubmitJobPage(JobPage):
    """``POST synthesis/SJ-n/actions/submit``: to the airlock with a justification."""

    @web.authenticated
    async def post(self, job_id: str) -> None:
        self.require(RUN_SYNTHESIS)
        values = self.form_values()
        try:
            await self.call(self.jobs.submit, job_id, self.actor(), values.get("justification", ""))
        except PortalError as error:
            return await self.show(job_id, error, values)
        self.redirect(self.link(f"synthesis/{job_id}"), status=303)


ROUTES = [
    ("synthesis", MyJobsPage),
    ("synthesis/new", NewJobPage),
    (f"synthesis/{JOB_ID}", JobPage),
    (f"synthesis/{JOB_ID}/actions/submit", SubmitJobPage),
]
