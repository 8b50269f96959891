"""REST endpoints of the training programme (``/services/portal/api/v1/training/...``).

Trainees: the course catalogue with their progress, starting a course (material into
their home), checking their work, their results with feedback. Instructors (scope
``custom:kimed:run:workshops``): their workshops, and per workshop pre-start, live status,
collection, grading, new logins and teardown; each action only on workshops they run.
Every action is one ``training_ops`` function, shared with the pages.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from ..errors import PortalError
from ..training import load_catalogue
from ..training.store import Result, Workshop
from . import training_ops as ops
from .api_base import API, ID, ApiHandler

RUN_WORKSHOPS = "custom:kimed:run:workshops"
TRAINING = API + "training/"


class TrainingUnavailable(PortalError):
    """The portal was started without its training part."""

    http_status = 503
    code = "training_unavailable"


def training_of(portal) -> ops.Training:
    """The portal's Training, or a 503 that says it is missing (pages and API alike)."""
    if portal.training is None:
        raise TrainingUnavailable("The portal runs without its training part; see its log.")
    return portal.training


def workshop_json(found: Workshop) -> dict:
    """A workshop as JSON."""
    data = asdict(found)
    data.update(starts=str(found.starts), ends=str(found.ends), group=found.group)
    return data


def result_json(result: Result) -> dict:
    """One check's result as JSON."""
    return asdict(result)


def courses_json(results: list[Result]) -> list[dict]:
    """The catalogue with the caller's points per course."""
    out = []
    for course in load_catalogue().values():
        mine = [r for r in results if r.course_id == course.id]
        out.append(
            {
                "id": course.id,
                "title": course.title,
                "description": course.description,
                "kernel": course.kernel,
                "duration_minutes": course.duration_minutes,
                "notebooks": list(course.notebooks),
                "passed": sum(r.passed for r in mine),
                "checks": len(mine),
            }
        )
    return out


class TrainingApi(ApiHandler):
    """Shared: the Training object, the instructor check."""

    @property
    def training(self) -> ops.Training:
        return training_of(self.portal)

    async def mine(self, slug: str) -> Workshop:
        """The workshop if the caller runs it (403 for another instructor's)."""
        self.require(RUN_WORKSHOPS)
        return await self.run(self.training.store.owned, slug, self.caller())


class CoursesHandler(TrainingApi):
    """``GET training/courses``: the catalogue and the caller's progress."""

    async def get(self) -> None:
        self.params()
        results = await self.run(self.training.store.results, self.caller())
        self.finish({"courses": courses_json(results)})


class CourseActionHandler(TrainingApi):
    """``POST training/courses/<id>/(start|check)``: material into the home; grade it."""

    async def post(self, course_id: str, action: str) -> None:
        self.object_body(())
        if action == "start":
            written = await ops.start_course(self.training, self.caller(), course_id)
            self.finish({"course": course_id, "written": written})
            return
        graded = await ops.check_course(self.training, self.caller(), course_id)
        self.finish({"course": course_id, "results": [result_json(r) for r in graded]})


class MyResultsHandler(TrainingApi):
    """``GET training/results``: the caller's results with feedback."""

    async def get(self) -> None:
        self.params()
        found = await self.run(self.training.store.results, self.caller())
        self.finish({"results": [result_json(r) for r in found]})


class WorkshopsHandler(TrainingApi):
    """``GET/POST training/workshops``: the caller's workshops; create one."""

    async def get(self) -> None:
        self.require(RUN_WORKSHOPS)
        self.params()
        found = await self.run(self.training.store.workshops_of, self.caller())
        self.finish({"workshops": [workshop_json(w) for w in found]})

    async def post(self) -> None:
        self.require(RUN_WORKSHOPS)
        allowed = ("title", "course", "starts", "ends", "new_accounts", "enrol")
        fields = self.object_body(allowed, required=("title", "course", "starts", "ends"))
        found, logins = await ops.create_workshop(
            self.training, self.caller(), fields, date.today()
        )
        self.set_status(201)
        csv = ops.logins_csv(found, logins, self.training.hub.public_url + "/hub/login")
        self.finish({"workshop": workshop_json(found), "logins": logins, "csv": csv})


class WorkshopHandler(TrainingApi):
    """``GET training/workshops/<slug>``: the workshop and its participants' live status."""

    async def get(self, slug: str) -> None:
        found = await self.mine(slug)
        self.params()
        status = await ops.live_status(self.training, found)
        self.finish({"workshop": workshop_json(found), "participants": status})


class WorkshopResultsHandler(TrainingApi):
    """``GET training/workshops/<slug>/results``: every participant's graded checks."""

    async def get(self, slug: str) -> None:
        found = await self.mine(slug)
        self.params()
        graded = await self.run(self.training.store.results, None, found.slug)
        self.finish({"results": [result_json(r) for r in graded]})


class WorkshopActionHandler(TrainingApi):
    """``POST training/workshops/<slug>/<action>``: prestart, collect, grade, logins,
    teardown."""

    async def post(self, slug: str, action: str) -> None:
        found = await self.mine(slug)
        self.object_body(())
        self.finish(await run_action(self.training, found, self.caller(), action))


async def run_action(training: ops.Training, found: Workshop, instructor: str, action: str):
    """One workshop action by name; its JSON answer (pages show the same)."""
    if action == "prestart":
        await ops.prestart(training, found)
        return {"prestart": "requested"}
    if action == "collect":
        collected = await ops.collect(training, found, instructor)
        return {
            "collected": {u: sorted(k for k, v in nbs.items() if v) for u, nbs in collected.items()}
        }
    if action == "grade":
        graded = await ops.grade_workshop(training, found, instructor)
        return {"results": [result_json(r) for r in graded]}
    if action == "logins":
        logins = await ops.reset_logins(training, found)
        return {
            "logins": logins,
            "csv": ops.logins_csv(found, logins, training.hub.public_url + "/hub/login"),
        }
    return {"teardown": await ops.teardown(training, found, instructor)}


ACTIONS = "(prestart|collect|grade|logins|teardown)"
ROUTES = [
    (TRAINING + "courses", CoursesHandler),
    (TRAINING + f"courses/{ID}/(start|check)", CourseActionHandler),
    (TRAINING + "results", MyResultsHandler),
    (TRAINING + "workshops", WorkshopsHandler),
    (TRAINING + f"workshops/{ID}", WorkshopHandler),
    (TRAINING + f"workshops/{ID}/results", WorkshopResultsHandler),
    (TRAINING + f"workshops/{ID}/{ACTIONS}", WorkshopActionHandler),
]
