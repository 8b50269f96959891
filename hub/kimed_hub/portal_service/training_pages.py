"""The training pages: the course catalogue for trainees, workshops for instructors.

``training/courses``: every course (title and description in the page language), the
caller's progress and feedback, and for trainees "Start the course" (the material goes
into their home) and "Check my work". ``training/workshops``: the instructor's workshops
and the form to create one (refused forms come back with the message and the values).
``training/workshops/<slug>``: participants with the live state of their servers,
pre-start, collect, grade, new passwords, tear down. Each action is the same
``training_ops`` function the REST API calls.
"""

from __future__ import annotations

from datetime import date

from tornado import web

from ..errors import PortalError
from ..training import load_catalogue
from ..training.errors import WorkshopInputError
from . import training_ops as ops
from .pages import PageHandler
from .training_api import RUN_WORKSHOPS, run_action, training_of
from .training_views import STATUS_COLOURS, TEARDOWN_QUESTION, csv_href

SLUG = r"([0-9a-f]{4})"
COURSE = r"([a-z][a-z0-9-]{1,39})"


class TrainingPage(PageHandler):
    """Shared: the Training object and the template helpers."""

    @property
    def training(self) -> ops.Training:
        return training_of(self.portal)

    def get_template_namespace(self) -> dict:
        namespace = super().get_template_namespace()
        namespace.update(
            colours=STATUS_COLOURS, csv_href=csv_href, TEARDOWN_QUESTION=TEARDOWN_QUESTION
        )
        return namespace


class CoursesPage(TrainingPage):
    """``training/courses``: catalogue, progress, start and check."""

    @web.authenticated
    async def get(self) -> None:
        await self.show()

    async def show(self, started: str | None = None, checked: str | None = None) -> None:
        me = self.current_user["name"]
        results = await self.call(self.training.store.results, me)
        workshops = await self.call(self.training.store.workshops_of_trainee, me)
        model = await self.training.hub.user(me) or {}
        trainee = self.training.policy.trainee_group in (model.get("groups") or [])
        self.render(
            "training_courses.html",
            courses=load_catalogue().values(),
            results=results,
            workshops=workshops,
            trainee=trainee,
            nav="courses",
            started=started,
            checked=checked,
        )

    @web.authenticated
    async def post(self, course_id: str, action: str) -> None:
        me = self.current_user["name"]
        if action == "start":
            await ops.start_course(self.training, me, course_id)
            await self.show(started=course_id)
        else:
            await ops.check_course(self.training, me, course_id)
            await self.show(checked=course_id)


class WorkshopsPage(TrainingPage):
    """``training/workshops``: the instructor's workshops and the create form."""

    @web.authenticated
    async def get(self) -> None:
        self.require(RUN_WORKSHOPS)
        await self.show({}, None)

    async def show(self, values: dict, error: PortalError | None) -> None:
        found = await self.call(self.training.store.workshops_of, self.current_user["name"])
        self.set_status(error.http_status if error else 200)
        self.render(
            "training_workshops.html",
            workshops=found,
            courses=load_catalogue().values(),
            values=values,
            error=error,
            today=date.today(),
            nav="workshops",
            max_participants=self.training.policy.max_participants,
        )

    @web.authenticated
    async def post(self) -> None:
        self.require(RUN_WORKSHOPS)
        values = self.form_values()
        try:
            found, logins = await ops.create_workshop(
                self.training, self.current_user["name"], values, date.today()
            )
        except WorkshopInputError as error:
            await self.show(values, error)
            return
        await WorkshopPage.show(self, found, logins=logins, done="create")


class WorkshopPage(TrainingPage):
    """``training/workshops/<slug>``: live status, actions, results."""

    @web.authenticated
    async def get(self, slug: str) -> None:
        self.require(RUN_WORKSHOPS)
        found = await self.call(self.training.store.owned, slug, self.current_user["name"])
        await self.show(found, done=self.get_argument("done", ""))

    async def show(self, found, logins=None, done="") -> None:
        status = await ops.live_status(self.training, found)
        results = await self.call(self.training.store.results, None, found.slug)
        points: dict[str, list] = {}
        for r in results:
            got, total = points.get(r.username, [0, 0])
            points[r.username] = [got + (r.points if r.passed else 0), total + r.points]
        csv = (
            ops.logins_csv(found, logins, self.training.hub.public_url + "/hub/login")
            if logins
            else ""
        )
        course = load_catalogue().get(found.course_id)
        self.render(
            "training_workshop.html",
            workshop=found,
            status=status,
            results=results,
            points=points,
            logins=logins,
            csv=csv,
            done=done,
            course=course,
            refresh=any(s["server"] == "starting" for s in status),
            nav="workshops",
        )

    @web.authenticated
    async def post(self, slug: str, action: str) -> None:
        self.require(RUN_WORKSHOPS)
        me = self.current_user["name"]
        found = await self.call(self.training.store.owned, slug, me)
        answer = await run_action(self.training, found, me, action)
        if action == "logins":
            await self.show(found, logins=answer["logins"], done=action)
            return
        self.redirect(self.link(f"training/workshops/{slug}", done=action))


ROUTES = [
    ("training/courses", CoursesPage),
    (f"training/courses/{COURSE}/(start|check)", CoursesPage),
    ("training/workshops", WorkshopsPage),
    (f"training/workshops/{SLUG}", WorkshopPage),
    (f"training/workshops/{SLUG}/(prestart|collect|grade|logins|teardown)", WorkshopPage),
]
