"""The portal's web pages (``templates/``), in the hub's look.

Every page is a :class:`PageHandler`: hub login (unauthenticated visitors are sent to the
hub's login and come back), the caller's scopes decide what is shown and allowed, and the
portal library decides everything else; its blocking calls run in a worker thread. A
:class:`~kimed_hub.errors.PortalError` becomes a page with the message and the error's
status; a refused form comes back with the messages next to the fields and every value as
typed.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import date
from functools import partial
from urllib.parse import urlencode

from tornado import web

from ..access import AccessRequest, Role, State
from ..access.workflow import QUEUES, RULES
from ..catalogue import SearchQuery
from ..catalogue.indexing import FACETS
from ..errors import BadInput, NotFound, PortalError, ValidationFailed
from . import api_requests, feasibility_form, page_forms, page_views
from .auth import (
    CHECK_REQUESTS,
    DECIDE_REQUESTS,
    QUERY_FEASIBILITY,
    READ_CATALOGUE,
    REVIEW_EXPORTS,
    RUN_SYNTHESIS,
    SUBMIT_EXPORTS,
    SUBMIT_REQUESTS,
    PortalHandler,
)
from .enforcement import act

REQUEST_ID = r"(AR-[0-9]{1,12})"
SLUG = r"([a-z0-9][a-z0-9-]{0,79})"
#: The queue pages: the scope each needs and the reviewer role whose work it lists.
QUEUE_PAGES = {
    "steward": (CHECK_REQUESTS, Role.STEWARD),
    "committee": (DECIDE_REQUESTS, Role.COMMITTEE),
}
#: The buttons of a request page, in the order they are offered, with their labels.
ACTION_LABELS = {
    "submit": "Submit",
    "resubmit": "Resubmit the amended request",
    "accept_conditions": "Accept the conditions",
    "decline_conditions": "Decline the conditions",
    "start_check": "Start the formal check",
    "forward": "Forward to the committee",
    "return": "Return to the applicant",
    "reject": "Reject",
    "decide": "Decide",
    "activate": "Activate the grant",
    "comment": "Add a comment",
    "request_amendment": "Request an amendment",
    "close": "Close the grant",
    "revoke": "Revoke the grant",
    "withdraw": "Withdraw the request",
}


class PageHandler(PortalHandler):
    """A portal page: the hub's layout, the caller's links, errors rendered as pages."""

    def check_xsrf_cookie(self) -> None:
        """Every form post carries the XSRF token, checked without asking the hub first.

        The API checks XSRF only after identifying the caller (token clients are exempt,
        ``ApiHandler.prepare``); asking the hub from here would block forever on a cookie
        post. Pages are for browsers, so they check the token always; scripts use the API."""
        self.hub_auth.check_xsrf_cookie(self)

    @property
    def lang(self) -> str:
        """The page language: an explicit ``lang`` (``?lang=`` or a form's hidden field)
        wins, else the browser's ``Accept-Language``, else English."""
        chosen = self.get_argument("lang", "")
        if chosen in page_views.LANGUAGES:
            return chosen
        return page_views.preferred_language(self.request.headers.get("Accept-Language", ""))

    @property
    def carry_lang(self) -> bool:
        """Whether links and forms pass the language on: when it is not the default
        English, or English was chosen explicitly (over a German browser)."""
        return self.lang != "en" or self.get_argument("lang", "") == "en"

    def link(self, path: str = "", /, **params: str) -> str:
        """A page's URL under the prefix, keeping the page language (see ``carry_lang``);
        ``path`` is positional-only, so a query parameter may be called ``path`` too."""
        if self.carry_lang:
            params["lang"] = self.lang
        return self.prefix + path + ("?" + urlencode(params) if params else "")

    def lang_href(self, lang: str) -> str:
        """This page in ``lang``: the same path and query, ``lang`` replaced. A form post
        (an error shown after it) switches on the page the form belongs to."""
        path = self.request.path
        if self.request.method != "GET":
            return re.sub(r"/actions/[a-z_]+$", "", path) + "?" + urlencode({"lang": lang})
        params = [
            (k, v.decode(errors="replace"))
            for k, vs in self.request.query_arguments.items()
            for v in vs
            if k != "lang"
        ]
        return path + "?" + urlencode([*params, ("lang", lang)])

    @property
    def prefix(self) -> str:
        """The service's URL prefix (``/services/portal/``): every page link starts here."""
        return self.settings["static_url_prefix"].removesuffix("static/")

    def get_template_namespace(self) -> dict:
        namespace = super().get_template_namespace()
        user = self.current_user or {}
        namespace.update(
            prefix=self.prefix,
            hub_prefix=self.hub_auth.hub_prefix,
            username=user.get("name", ""),
            may_submit=self.may(SUBMIT_REQUESTS),
            may_check=self.may(CHECK_REQUESTS),
            may_decide=self.may(DECIDE_REQUESTS),
            may_read=self.may(READ_CATALOGUE),
            may_export=self.may(SUBMIT_EXPORTS),
            may_review=self.may(REVIEW_EXPORTS),
            may_run_workshops=self.may("custom:kimed:run:workshops"),
            may_synthesize=self.may(RUN_SYNTHESIS),
            lang=self.lang,
            carry_lang=self.carry_lang,
            link=self.link,
            lang_href=self.lang_href,
            _=page_views.translator(self.lang),
            views=page_views,
            nav="",
        )
        return namespace

    async def call(self, function, *args, **kwargs):
        """Run a blocking portal-library call in a worker thread."""
        return await asyncio.to_thread(function, *args, **kwargs)

    def write_portal_error(self, error: PortalError) -> None:
        """The error as a page in the portal's layout, with the error's status."""
        self.render("error.html", status=error.http_status, error=error)

    def write_error(self, status_code: int, **kwargs) -> None:
        """Tornado's own errors (403 for a missing login on a form, 500) as a page too."""
        found = kwargs.get("exc_info", (None, None))[1]
        message = getattr(found, "log_message", None) or self._reason
        if status_code >= 500:
            message = page_views.translator(self.lang)("The portal failed; see its log.")
        error = PortalError(message)
        self.render("error.html", status=status_code, error=error)

    def form_values(self) -> dict[str, str]:
        """The posted form as name → text (the last value of each name)."""
        self.body_bytes()  # 413 for an oversized form
        names = set(self.request.body_arguments) - {"_xsrf", "lang"}
        return {name: self.get_body_argument(name, "") for name in names}

    def visible_request(self, request_id: str) -> AccessRequest:
        """The request if the caller may see it (``workflow.VISIBLE_FROM``); others get
        the same 404 as for a request that does not exist."""
        return self.portal.requests.get_for(request_id, self.actor())


# --- catalogue ------------------------------------------------------------------------------


class SearchPage(PageHandler):
    """``/services/portal/``: search with facets, ranges, sort, pages and filter chips."""

    @web.authenticated
    async def get(self) -> None:
        if not self.may(READ_CATALOGUE) and self.may(REVIEW_EXPORTS):
            # Output checkers see the airlock only: their start page is their queue.
            return self.redirect(self.link("airlock/queue"))
        self.require(READ_CATALOGUE)
        try:
            params = {k: [v.decode() for v in vs] for k, vs in self.request.query_arguments.items()}
        except UnicodeDecodeError:
            raise BadInput("The search parameters are not valid UTF-8.") from None
        query = SearchQuery.from_params(params)
        query = replace(query, lang=self.lang)  # also a German browser's default
        result = await self.call(self.portal.store.search, query)
        self.render("search.html", result=result, query=query, facet_titles=FACETS, nav="portal")


class DatasetPage(PageHandler):
    """``datasets/<id>``: the dataset card, the way to request access and, for imported
    MII data, the feasibility form (``page_feasibility``)."""

    @web.authenticated
    async def get(self, identifier: str) -> None:
        self.require(READ_CATALOGUE)
        await self.show(identifier)

    async def show(self, identifier: str, **feasibility) -> None:
        """Render the card; ``feasibility``: the form's values, answer or error."""
        store = self.portal.store
        record = await self.call(store.get_dataset, identifier)
        synthetic = await self.call(store.synthetic_versions, identifier)
        algorithms = await self.call(store.list_algorithms, trained_on=identifier)
        may_count = self.may(QUERY_FEASIBILITY) and self.portal.feasibility.available(identifier)
        self.render(
            "dataset.html",
            ds=record,
            synthetic=synthetic,
            algorithms=algorithms,
            nav="portal",
            may_count=may_count,
            feas_form=feasibility_form,
            feas_values=feasibility.get("values", {}),
            feas_answer=feasibility.get("answer"),
            feas_error=feasibility.get("error"),
        )


class AlgorithmsPage(PageHandler):
    """``algorithms``: every algorithm record of the registry."""

    @web.authenticated
    async def get(self) -> None:
        self.require(READ_CATALOGUE)
        found = await self.call(self.portal.store.list_algorithms)
        self.render("algorithms.html", algorithms=found, nav="algorithms")


class AlgorithmPage(PageHandler):
    """``algorithms/<id>``: the model card."""

    @web.authenticated
    async def get(self, identifier: str) -> None:
        self.require(READ_CATALOGUE)
        found = await self.call(self.portal.store.get_algorithm, identifier)
        self.render("algorithm.html", algo=found, nav="algorithms")


# --- access requests ------------------------------------------------------------------------


class MyRequestsPage(PageHandler):
    """``requests``: the caller's own requests (as applicant or team member)."""

    @web.authenticated
    async def get(self) -> None:
        found = await self.call(self.portal.requests.list_for, self.actor().name)
        self.render("my_requests.html", found=found, nav="requests")


class RequestFormPage(PageHandler):
    """``requests/new`` and ``requests/<id>/edit``: the application form.

    "Save draft" stores it; "Save and submit" stores it and submits it (or resubmits a
    returned one). Refused input comes back with the messages and everything as typed;
    nothing is stored when the application itself is refused.
    """

    @web.authenticated
    async def get(self, request_id: str | None = None) -> None:
        self.require(SUBMIT_REQUESTS)
        if request_id:
            found = await self.call(self.visible_request, request_id)
            values = page_forms.form_values(found.application)
        else:
            values = {"data.datasets": self.get_query_argument("dataset", "")}
        self.show(request_id, values)

    @web.authenticated
    async def post(self, request_id: str | None = None) -> None:
        self.require(SUBMIT_REQUESTS)
        values = self.form_values()
        data, problems = page_forms.parse_form(values, self.actor().name)
        if problems:
            return self.show(request_id, values, ValidationFailed("the form", problems))
        try:
            request_id = await self.call(self.save, request_id, data)
        except PortalError as error:
            return self.show(request_id, values, error)
        if "submit" in self.request.body_arguments:
            try:
                await self.call(self.submit, request_id)
            except PortalError as error:  # the draft is saved; say what submit needs
                return self.show(request_id, values, error)
        self.redirect(self.link(f"requests/{request_id}"), status=303)

    def save(self, request_id: str | None, data: dict) -> str:
        """Create the draft or replace the application; return the request's id."""
        actor = self.actor()
        if request_id is None:
            return self.portal.requests.create(actor, data).request_id
        self.visible_request(request_id)
        return self.portal.requests.edit(request_id, actor, data).request_id

    def submit(self, request_id: str) -> None:
        """Submit a draft, or resubmit a returned request."""
        found = self.portal.requests.get(request_id)
        if found.state == State.RETURNED:
            self.portal.requests.resubmit(request_id, self.actor())
        else:
            self.portal.requests.submit(request_id, self.actor())

    def show(self, request_id, values: dict, error: PortalError | None = None) -> None:
        """Render the form; with ``error``, its status and messages next to the fields."""
        problems = getattr(error, "violations", [])
        if error is not None:
            self.set_status(error.http_status)
        self.render(
            "request_form.html",
            request_id=request_id,
            values=values,
            error=error,
            errors=page_forms.errors_by_field(problems),
            form=page_forms,
            nav="requests",
        )


class RequestPage(PageHandler):
    """``requests/<id>``: the request, its history and the actions the caller may take."""

    @web.authenticated
    async def get(self, request_id: str) -> None:
        await self.show(request_id)

    async def show(self, request_id: str, error: PortalError | None = None) -> None:
        found = await self.call(self.visible_request, request_id)
        actor = self.actor()
        allowed = await self.call(self.portal.requests.allowed_actions, request_id, actor)
        history = await self.call(self.portal.requests.history, request_id)
        if error is not None:
            self.set_status(error.http_status)
        self.render(
            "request.html",
            req=found,
            actions=[a for a in ACTION_LABELS if a in allowed],
            can_edit="edit" in allowed,
            labels=ACTION_LABELS,
            rules=RULES,
            history=history,
            error=error,
            today=date.today().isoformat(),
            form=page_forms,
            nav="requests",
        )


class ActionPage(RequestPage):
    """``POST requests/<id>/actions/<action>``: take one action, then show the request."""

    @web.authenticated
    async def post(self, request_id: str, action: str) -> None:
        before = await self.call(self.visible_request, request_id)
        if action not in ACTION_LABELS:
            raise NotFound(f"there is no action {action!r}; actions: {', '.join(ACTION_LABELS)}")
        values = {k: v for k, v in self.form_values().items() if v.strip()}
        try:
            shown = await self.act(before, action, api_requests.action_arguments(action, values))
        except PortalError as error:
            return await self.show(request_id, error)
        self.redirect(self.link(f"requests/{shown}"), status=303)

    async def act(self, before: AccessRequest, action: str, arguments: dict) -> str:
        """Take the action and its consequences (``enforcement.act``: a grant that ended
        stops the servers holding it). Returns the request to show next (an amendment is a
        new request)."""
        portal = self.portal
        outcome = await act(
            portal.requests, portal.grants, portal.hub, before.request_id, action,
            self.actor(), arguments,
        )  # fmt: skip
        return outcome.request.request_id


class QueuePage(PageHandler):
    """``queue/steward`` and ``queue/committee``: requests waiting for that role, and the
    active grants it may end."""

    @web.authenticated
    async def get(self, role: str) -> None:
        scope, reviewer = QUEUE_PAGES[role]
        self.require(scope)
        me = self.actor()
        queue = partial(self.portal.requests.queue, reviewer=me)
        waiting = await self.call(queue, *QUEUES[reviewer])
        active = await self.call(queue, State.ACTIVE)
        self.render("queue.html", role=role, waiting=waiting, active=active, me=me, nav=role)


ROUTES = [
    ("", SearchPage),
    (f"datasets/{SLUG}", DatasetPage),
    ("algorithms", AlgorithmsPage),
    (f"algorithms/{SLUG}", AlgorithmPage),
    ("requests", MyRequestsPage),
    ("requests/new", RequestFormPage),
    (f"requests/{REQUEST_ID}", RequestPage),
    (f"requests/{REQUEST_ID}/edit", RequestFormPage),
    (f"requests/{REQUEST_ID}/actions/([a-z_]+)", ActionPage),
    ("queue/(steward|committee)", QueuePage),
]
