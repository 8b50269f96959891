"""The airlock's pages: my export requests, a new request (files picked from the home),
the output checkers' queue, and one request with its checks, reviews and downloads.

The same library calls as the API (``api_airlock``); a refused form comes back with its
message and the status of the error, and nothing is stored.
"""

from __future__ import annotations

from tornado import web

from ..airlock import Vote
from ..airlock.reviews import visible_reviews
from ..errors import BadInput, NotFound, PortalError
from .api_airlock import airlock_of, allowed_actions
from .auth import REVIEW_EXPORTS, SUBMIT_EXPORTS
from .pages import PageHandler

EXPORT_ID = r"(ER-[0-9]{1,12})"


class AirlockPage(PageHandler):
    """Shared by the airlock pages."""

    @property
    def airlock(self):
        return airlock_of(self.portal)


class MyExportsPage(AirlockPage):
    """``airlock``: the caller's export requests."""

    @web.authenticated
    async def get(self) -> None:
        self.require(SUBMIT_EXPORTS)
        found = await self.call(self.airlock.list_for, self.actor().name)
        self.render("airlock_list.html", found=found, queue=False, nav="airlock")


class QueuePage(AirlockPage):
    """``airlock/queue``: requests waiting for the caller's independent review."""

    @web.authenticated
    async def get(self) -> None:
        self.require(REVIEW_EXPORTS)
        found = await self.call(self.airlock.queue_for, self.actor())
        self.render("airlock_list.html", found=found, queue=True, nav="airlock-queue")


class NewExportPage(AirlockPage):
    """``airlock/new``: pick files from the home (links are shown and cannot be picked),
    give a justification, submit. ``?file=<path>`` (repeated) preselects files, as
    JupyterLab's "Request release…" does for the right-clicked ones: each is checked as
    the request would check it (a plain path in the home, an existing regular file, an
    allowed type within its size limit); a notebook becomes the request's notebook; the
    page names every path it refused and why (answered with 400)."""

    @web.authenticated
    async def get(self) -> None:
        self.require(SUBMIT_EXPORTS)
        values = {"path": self.get_query_argument("path", "").strip("/")}
        asked = self.get_query_arguments("file")
        chosen, problems = await self.call(self._preselect, asked, values) if asked else ([], [])
        await self.show(values, chosen=chosen, problems=problems)

    def _home(self):
        """The caller's home reader, looked up once per page (one runtime call: a busy
        runtime answers slowly)."""
        if getattr(self, "_reader", None) is None:
            self._reader = self.portal.homes.reader(self.actor().name)
        return self._reader

    def _preselect(self, asked: list[str], values: dict) -> tuple[list[str], list[str]]:
        """The files of ``asked`` that may be requested, and what is wrong with the others;
        sets the notebook and (without ``path``) the folder shown to the first file's."""
        limit = self.airlock.policy.max_files + 1  # the outputs and one notebook
        if len(asked) > limit:
            return [], [f"{len(asked)} files named; one request may have {limit - 1}."]
        try:
            home = self._home()
        except PortalError as error:
            return [], [str(error)]
        chosen, problems = [], []
        for name in dict.fromkeys(asked):  # each once, in the order given
            try:
                role = self.airlock.requestable(home, name)
            except PortalError as error:
                problems.append(str(error))
                continue
            if role == "output":
                chosen.append(name)
            elif values.get("notebook"):
                problems.append(f"{name}: a request has one notebook ({values['notebook']}).")
            else:
                values["notebook"] = name
        if chosen and not values["path"]:
            values["path"] = chosen[0].rpartition("/")[0]
        return chosen, problems

    @web.authenticated
    async def post(self) -> None:
        self.require(SUBMIT_EXPORTS)
        values = self.form_values()
        files = self.get_body_arguments("files")
        actor = self.actor()
        try:
            created = await self.call(self._create, actor, files, values)
        except PortalError as error:
            return await self.show(values, error, files)
        self.redirect(self.link(f"airlock/{created.request_id}"), status=303)

    def _create(self, actor, files, values):
        home = self.portal.homes.reader(actor.name)
        created = self.airlock.create(
            actor,
            home,
            files,
            values.get("justification", ""),
            title=values.get("title", ""),
            notebook=values.get("notebook") or None,
        )
        return self.airlock.submit(created.request_id, actor)

    async def show(self, values, error=None, chosen=(), problems=()) -> None:
        folder = values.get("path", "")
        try:
            entries = await self.call(self._listing, folder)
        except PortalError as problem:
            entries, error = [], error or problem
        if error is not None:
            self.set_status(error.http_status)
        elif problems:
            self.set_status(400)
        listed = {e["path"] for e in entries}
        self.render(
            "airlock_new.html",
            values=values,
            entries=entries,
            folder=folder,
            chosen=set(chosen),
            elsewhere=[name for name in chosen if name not in listed],  # other folders
            problems=problems,
            error=error,
            allowed=self.airlock.policy.allowed_extensions(),
            nav="airlock",
        )

    def _listing(self, folder: str) -> list[dict]:
        entries = self._home().listing(folder)
        policy = self.airlock.policy
        for entry in entries:
            entry["path"] = f"{folder}/{entry['name']}" if folder else entry["name"]
            entry["requestable"] = entry["kind"] == "file" and bool(policy.file_type(entry["name"]))
        return entries


class ExportPage(AirlockPage):
    """``airlock/ER-n``: the request, each file's checks cell by cell, the decisions, the
    reviews blinding allows, the caller's possible actions and downloads."""

    @web.authenticated
    async def get(self, request_id: str) -> None:
        await self.show(request_id)

    async def show(self, request_id: str, error: PortalError | None = None) -> None:
        actor = self.actor()
        found = await self.call(self.airlock.visible, request_id, actor)
        allowed = await self.call(allowed_actions, self.airlock, found, actor)
        history = await self.call(self.airlock.history, request_id)
        if error is not None:
            self.set_status(error.http_status)
        self.render(
            "airlock_request.html",
            req=found,
            reviews=visible_reviews(found, actor.name),
            allowed=allowed,
            history=history,
            error=error,
            votes=[v.value for v in Vote],
            is_requester=actor.name == found.requester,
            can_inspect="review" in allowed or any(r.reviewer == actor.name for r in found.reviews),
            nav="airlock-queue" if actor.name != found.requester else "airlock",
        )


class ExportActionPage(ExportPage):
    """``POST airlock/ER-n/actions/<action>``: withdraw, resubmit, release, review."""

    @web.authenticated
    async def post(self, request_id: str, action: str) -> None:
        actor = self.actor()
        await self.call(self.airlock.visible, request_id, actor)
        values = self.form_values()
        try:
            shown = await self.call(self._act, request_id, action, actor, values)
        except PortalError as error:
            return await self.show(request_id, error)
        self.redirect(self.link(f"airlock/{shown}"), status=303)

    def _act(self, request_id, action, actor, values) -> str:
        airlock = self.airlock
        if action == "review":
            votes = {}
            for entry in airlock.get(request_id).outputs:
                vote = values.get(f"vote-{entry.position}", "")
                reason = values.get(f"reason-{entry.position}", "")
                votes[entry.name] = {"vote": vote, "reason": reason}
            airlock.review(request_id, actor, votes, values.get("comment", ""))
            return request_id
        if action == "withdraw":
            return airlock.withdraw(request_id, actor, values.get("comment", "")).request_id
        if action == "resubmit":
            home = self.portal.homes.reader(actor.name)
            return airlock.resubmit(request_id, actor, home).request_id
        if action == "release":
            if airlock.get(request_id).requester != actor.name:
                raise NotFound(f"there is no export request {request_id!r}")
            return airlock.release(request_id).request_id
        raise BadInput(f"there is no action {action!r}")


ROUTES = [
    ("airlock", MyExportsPage),
    ("airlock/new", NewExportPage),
    ("airlock/queue", QueuePage),
    (f"airlock/{EXPORT_ID}", ExportPage),
    (f"airlock/{EXPORT_ID}/actions/(withdraw|resubmit|release|review)", ExportActionPage),
]
