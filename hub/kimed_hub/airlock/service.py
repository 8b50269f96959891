"""The export-request workflow: create, submit (automated checks), review, release.

Every transition locks the request's row, checks the rule, changes the rows and appends
its audit entry (``export:<id>``) in one transaction. Files move only through
:class:`~kimed_hub.airlock.storage.AirlockStorage` (stage, fsync, rename inside the
transaction), so the folders on disk and the database agree after any crash once
:meth:`ExportRequests.recover` has run (it runs when the service opens).
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from .. import audit
from ..access import AccessRequests, Actor
from ..catalogue.store import CatalogueStore
from ..errors import BadInput, Conflict, IllegalTransition, NotFound, PermissionDenied, TooLarge
from ..policies.airlock import AirlockPolicy, airlock_policy
from .checks import check_file
from .model import FINAL, TRANSITIONS, UNDECIDED, Decision, ExportRequest, State
from .reviews import CHECKER, REQUESTER, check_independent, consolidate, parse_votes
from .rows import dumps, locked_row, to_request
from .service_files import FileSteps
from .service_rerun import SYSTEM, RerunSteps, RerunUnavailable
from .snapshot import HomeReader
from .storage import AirlockStorage
from .tables import ensure_tables, export_files, export_requests, export_reviews

log = logging.getLogger("kimed.airlock")


class ReleaseFailed(Conflict):
    """Writing the released files failed (e.g. a full disk); nothing was released."""

    http_status = 507
    code = "release_failed"


def allowed_from(state: State) -> list[str]:
    """The workflow actions possible from ``state`` (for error messages)."""
    return sorted(a for a, (sources, _) in TRANSITIONS.items() if state in sources)


class ExportRequests(RerunSteps, FileSteps):
    """The airlock on the portal's database, with its files under ``root``."""

    def __init__(
        self,
        store: CatalogueStore,
        root: Path,
        policies_dir: Path | None = None,
        resume: bool = True,
        rerunner=None,
    ):
        """``resume``: after recovery, finish interrupted checks and releases (the
        portal does; tests of crash recovery look at the state before that).
        ``rerunner``: runs request notebooks in fresh locked containers
        (:class:`~kimed_hub.airlock.rerun_container.ContainerRerun`); None: no re-run."""
        self.store, self.db = store, store.db
        self.rerunner = rerunner
        #: Called with each request once it is RELEASED (after the commit): services
        #: whose outputs leave through the airlock, e.g. synthesis jobs, act on it.
        self.release_hooks: list = []
        self._reruns = ThreadPoolExecutor(1, thread_name_prefix="airlock-rerun")
        ensure_tables(self.db)
        self.storage = AirlockStorage(root)
        self.access = AccessRequests(store)
        self.policies_dir = policies_dir
        self.recover(resume)

    @property
    def policy(self) -> AirlockPolicy:
        """The airlock policy now (re-read when the file changes; invalid: PolicyError)."""
        return airlock_policy(self.policies_dir)

    # --- reading --------------------------------------------------------------------------
    def get(self, request_id: str) -> ExportRequest:
        """The request ``request_id``; NotFound if there is none."""
        with self.db.read() as conn:
            return to_request(conn, locked_row(conn, request_id, lock=False))

    def visible(self, request_id: str, actor: Actor) -> ExportRequest:
        """The request if ``actor`` may see it (its requester, or an output checker);
        others get the same NotFound as for a request that does not exist."""
        found = self.get(request_id)
        if actor.name != found.requester and CHECKER not in actor.roles:
            raise NotFound(f"there is no export request {request_id!r}")
        return found

    def list_for(self, username: str) -> list[ExportRequest]:
        """``username``'s own export requests, newest first."""
        query = select(export_requests).where(export_requests.c.requester == username)
        return self._many(query.order_by(export_requests.c.pk.desc()))

    def queue_for(self, actor: Actor) -> list[ExportRequest]:
        """Requests in review that ``actor`` may still review (not theirs, not their
        project's, not reviewed by them yet), oldest first."""
        if CHECKER not in actor.roles:
            return []
        query = select(export_requests).where(export_requests.c.state == State.IN_REVIEW)
        waiting = self._many(query.order_by(export_requests.c.pk))
        return [
            r
            for r in waiting
            if actor.name not in self.party(r) and all(v.reviewer != actor.name for v in r.reviews)
        ]

    def _many(self, query) -> list[ExportRequest]:
        with self.db.read() as conn:
            return [to_request(conn, row) for row in conn.execute(query).all()]

    def history(self, request_id: str) -> list[audit.AuditEntry]:
        """The request's audit entries in order."""
        return self.store.audit_entries(f"export:{request_id}")

    def party(self, request: ExportRequest) -> set[str]:
        """The requester and everyone on the teams of the access requests the data came
        from, as recorded and as those requests stand now (a team may have grown)."""
        people = set(request.party) | {request.requester}
        for source in request.sources:
            try:
                people |= set(self.access.get(source).application.usernames())
            except NotFound:
                continue
        return people

    # --- the requester's actions ----------------------------------------------------------
    def create(
        self,
        actor: Actor,
        home: HomeReader,
        files: list[str],
        justification: str,
        *,
        title: str = "",
        notebook: str | None = None,
        sources: list[str] | None = None,
        predecessor: str | None = None,
    ) -> ExportRequest:
        """A DRAFT with ``files`` copied from ``home`` into its snapshot.

        Everything is checked before anything is stored: the role, the justification,
        the number of files, each file's type (extension), size and kind (no links, no
        special files); on any refusal nothing is kept."""
        if REQUESTER not in actor.roles:
            raise PermissionDenied(f"{actor.name} cannot ask for releases: no requester role")
        policy = self.policy
        text = self._justification(justification, policy)
        wanted = self._files(files, notebook, policy)
        scope = self._scope(actor.name, sources)
        staged = self.storage.staging(self.storage.snapshots)
        try:
            copies = self._snapshot(home, wanted, staged, policy)
            with self.db.write() as conn:
                request_id = self._insert(conn, actor.name, title, text, scope, predecessor)
                self._insert_files(conn, request_id, wanted, copies)
                self.storage.publish(staged, self.storage.snapshots, request_id)
        except BaseException:
            self.storage.discard(staged)
            raise
        return self.get(request_id)

    def _justification(self, text, policy: AirlockPolicy) -> str:
        text = text.strip() if isinstance(text, str) else ""
        low, high = policy.justification_min, policy.justification_max
        if not low <= len(text) <= high:
            raise BadInput(
                f"The justification must say, in {low}-{high:,} characters, why each file "
                "needs to leave the workbench and what it shows; it has "
                f"{len(text)}. Nothing was stored."
            )
        return text

    def _files(self, files, notebook, policy: AirlockPolicy) -> list[tuple[str, str, object]]:
        """[(name, role, file type)]: the outputs, then the notebook if any."""
        if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
            raise BadInput("Name at least one file to release (a list of paths in your home).")
        if len(files) > policy.max_files:
            raise TooLarge(f"{len(files)} files; one request may have {policy.max_files}.")
        if len(set(files)) != len(files) or notebook in files:
            raise BadInput("Each file may be named once.")
        wanted = [(name, "output") for name in files]
        wanted += [(notebook, "notebook")] if notebook else []
        typed = []
        for name, role in wanted:
            kind = policy.file_type(name)
            if kind is None:
                raise BadInput(
                    f"{name}: this file type may not leave the workbench. Allowed: "
                    f"{', '.join(policy.allowed_extensions())}. Nothing was stored."
                )
            if (kind.kind == "notebook") != (role == "notebook"):
                raise BadInput(
                    f"{name}: notebooks are never released; attach the notebook that "
                    "produced the outputs as the request's notebook (it is re-run)."
                    if role == "output"
                    else f"{name} is not a notebook (.ipynb)."
                )
            typed.append((name, role, kind))
        return typed

    def _scope(self, username: str, sources: list[str] | None) -> dict:
        """Which access requests the data came from, who is on them, which datasets and
        data levels (tiers): the source of the conflict-of-interest set and thresholds."""
        if sources is None:
            sources = sorted({g.request_id for g in self.access.active_grants(username)})
        party, datasets, tiers = {username}, set(), set()
        for source in sources:
            try:
                found = self.access.get(source)
            except NotFound:
                raise BadInput(f"sources: there is no access request {source!r}") from None
            app = found.application
            if username not in app.usernames():
                raise BadInput(f"sources: you are not on the team of access request {source}")
            party |= set(app.usernames())
            datasets |= set(app.data.datasets)
            tiers |= {app.data.level} if app.data.level else set()
        return {
            "sources": sorted(sources),
            "party": sorted(party),
            "datasets": sorted(datasets),
            "tiers": sorted(tiers),
        }

    def _snapshot(self, home: HomeReader, wanted, staged: Path, policy: AirlockPolicy):
        copies, total = [], 0
        for position, (name, _role, kind) in enumerate(wanted):
            copy = home.copy(name, staged / str(position), kind.max_size)
            total += copy.size
            if total > policy.max_total_size:
                raise TooLarge(
                    f"The files add up to more than {policy.max_total_size:,} bytes, the "
                    "limit of one request. Split them over several requests."
                )
            copies.append(copy)
        return copies

    def _insert(self, conn: Connection, requester, title, text, scope, predecessor) -> str:
        now = audit.utc_now()
        values = {
            "request_id": f"tmp-{uuid.uuid4().hex[:16]}",
            "state": State.DRAFT,
            "requester": requester,
            "title": (title or "").strip()[:300] or "Export request",
            "justification": text,
            "sources": dumps(scope["sources"]),
            "party": dumps(scope["party"]),
            "datasets": dumps(scope["datasets"]),
            "thresholds": dumps({}),
            "predecessor": predecessor,
            "created_at": now,
            "updated_at": now,
        }
        pk = conn.execute(insert(export_requests).values(**values)).inserted_primary_key[0]
        request_id = f"ER-{pk}"
        conn.execute(
            update(export_requests).where(export_requests.c.pk == pk).values(request_id=request_id)
        )
        return request_id

    def _insert_files(self, conn: Connection, request_id: str, wanted, copies) -> None:
        row = locked_row(conn, request_id)
        rows = [
            {
                "request_pk": row.pk,
                "position": position,
                "name": name,
                "role": role,
                "file_type": kind.name,
                "kind": kind.kind,
                "size": copy.size,
                "sha256": copy.sha256,
                "check_status": "pending",
                "findings": "[]",
            }
            for position, ((name, role, kind), copy) in enumerate(zip(wanted, copies, strict=True))
        ]
        conn.execute(insert(export_files), rows)
        listed = [
            {"name": r["name"], "role": r["role"], "size": r["size"], "sha256": r["sha256"]}
            for r in rows
        ]
        links = {name: c.links for (name, _, _), c in zip(wanted, copies, strict=True)}
        details = {"to": State.DRAFT, "files": listed, "predecessor": row.predecessor}
        if any(n > 1 for n in links.values()):
            details["hard_linked"] = sorted(n for n, count in links.items() if count > 1)
        audit.append(conn, row.requester, "airlock.create", f"export:{request_id}", details)
        if row.predecessor:
            audit.append(
                conn,
                row.requester,
                "airlock.resubmitted",
                f"export:{row.predecessor}",
                {"successor": request_id},
            )

    def submit(self, request_id: str, actor: Actor) -> ExportRequest:
        """DRAFT -> SUBMITTED, then the automated checks: -> CHECKED -> IN_REVIEW."""
        self._owner_transition(request_id, actor, "submit")
        return self.run_checks(request_id)

    def withdraw(self, request_id: str, actor: Actor, comment: str = "") -> ExportRequest:
        """Withdraw a request before it is decided."""
        return self._owner_transition(request_id, actor, "withdraw", comment)

    def resubmit(
        self,
        request_id: str,
        actor: Actor,
        home: HomeReader,
        files: list[str] | None = None,
        justification: str | None = None,
        notebook: str | None = None,
    ) -> ExportRequest:
        """After CHANGES_REQUESTED: a new request with the fixed files (by default the same
        names, read again from the home), linked to this one, and submitted."""
        old = self.get(request_id)
        if old.requester != actor.name:
            raise PermissionDenied(f"only the requester ({old.requester}) can resubmit")
        if old.state != State.CHANGES_REQUESTED:
            raise IllegalTransition(request_id, "resubmit", old.state, allowed_from(old.state))
        successors = select(export_requests.c.request_id).where(
            export_requests.c.predecessor == request_id
        )
        with self.db.read() as conn:
            taken = conn.scalars(successors).first()
        if taken:
            raise Conflict(f"{request_id} was already resubmitted as {taken}")
        old_notebook = next((f.name for f in old.files if f.role == "notebook"), None)
        new = self.create(
            actor,
            home,
            files if files is not None else [f.name for f in old.outputs],
            justification if justification is not None else old.justification,
            title=old.title,
            notebook=notebook if notebook is not None else old_notebook,
            sources=old.sources,
            predecessor=request_id,
        )
        return self.submit(new.request_id, actor)

    def _owner_transition(self, request_id, actor: Actor, action: str, comment: str = ""):
        with self.db.write() as conn:
            row = locked_row(conn, request_id)
            if row.requester != actor.name:
                if CHECKER in actor.roles:
                    raise PermissionDenied(f"only the requester ({row.requester}) can {action}")
                raise NotFound(f"there is no export request {request_id!r}")
            self._transition(conn, row, action, actor.name, {"comment": comment} if comment else {})
        return self.get(request_id)

    def _transition(self, conn, row, action: str, actor: str, details: dict) -> State:
        sources, target = TRANSITIONS[action]
        if State(row.state) not in sources:
            raise IllegalTransition(row.request_id, action, row.state, allowed_from(row.state))
        values = {"state": target, "updated_at": audit.utc_now()}
        conn.execute(update(export_requests).where(export_requests.c.pk == row.pk).values(values))
        entry = {"from": row.state, "to": target, **details}
        audit.append(conn, actor, f"airlock.{action}", f"export:{row.request_id}", entry)
        return target

    # --- the system's step: automated checks ----------------------------------------------
    def run_checks(self, request_id: str) -> ExportRequest:
        """Check every file of a SUBMITTED request, then move it on to review."""
        found = self.get(request_id)
        scope = self._scope_of(found)
        thresholds = self.policy.thresholds(scope["tiers"], found.datasets)
        verdicts = {}
        for entry in found.files:
            kind = self._file_type(entry)
            data = self.storage.snapshot_file(request_id, entry.position).read_bytes()
            verdicts[entry.position] = check_file(data, kind, self.policy, thresholds)
        with self.db.write() as conn:
            row = locked_row(conn, request_id)
            for position, verdict in verdicts.items():
                conn.execute(
                    update(export_files)
                    .where(export_files.c.request_pk == row.pk, export_files.c.position == position)
                    .values(check_status=verdict.status, findings=dumps(verdict.findings))
                )
            conn.execute(
                update(export_requests)
                .where(export_requests.c.pk == row.pk)
                .values(thresholds=dumps(vars(thresholds)))
            )
            summary = {str(p): v.status.value for p, v in verdicts.items()}
            self._transition(conn, row, "check", SYSTEM, {"checks": summary})
            self._transition(conn, locked_row(conn, request_id), "start_review", SYSTEM, {})
        checked = self.get(request_id)
        self._schedule_rerun(checked)
        return checked

    def _file_type(self, entry):
        """The policy's file type of a request's file."""
        return next(t for t in self.policy.file_types if t.name == entry.file_type)

    def _scope_of(self, found: ExportRequest) -> dict:
        tiers = set()
        for source in found.sources:
            try:
                level = self.access.get(source).application.data.level
            except NotFound:
                continue
            tiers |= {level} if level else set()
        return {"tiers": sorted(tiers)}

    # --- the output checkers' action ------------------------------------------------------
    def review(
        self, request_id: str, actor: Actor, votes: dict, comment: str = ""
    ) -> ExportRequest:
        """One independent review; the last one needed decides each file and the request,
        and an approved request is released at once."""
        found = self.get(request_id)
        if found.state != State.IN_REVIEW:
            raise IllegalTransition(request_id, "review", found.state, allowed_from(found.state))
        check_independent(found, actor.name, actor.roles, self.party(found))
        parsed = parse_votes(found, votes)
        if not isinstance(comment, str) or len(comment) > 10_000:
            raise BadInput("comment must be text of at most 10,000 characters")
        with self.db.write() as conn:
            row = locked_row(conn, request_id)
            current = to_request(conn, row)  # again, under the lock: a concurrent review
            if current.state != State.IN_REVIEW:
                raise IllegalTransition(request_id, "review", row.state, allowed_from(row.state))
            check_independent(current, actor.name, actor.roles, self.party(current))
            self._store_review(conn, row, current, actor.name, parsed, comment.strip())
        outcome = self.get(request_id)
        if outcome.state == State.APPROVED:
            try:
                return self.release(request_id)
            except ReleaseFailed as error:
                log.error("release of %s failed; it stays APPROVED: %s", request_id, error)
        return outcome

    def _store_review(self, conn, row, current, reviewer, votes, comment) -> None:
        now = audit.utc_now()
        conn.execute(
            insert(export_reviews).values(
                request_pk=row.pk,
                reviewer=reviewer,
                submitted_at=now,
                votes=dumps(votes),
                comment=comment,
            )
        )
        done = len(current.reviews) + 1
        needed = self.policy.reviews_required
        # The votes stay out of the log entry: other checkers read the request's history,
        # and reviews are blinded until every one is in.
        details = {"review": done, "of": needed, "files": len(votes)}
        self._transition(conn, row, "review", reviewer, details)
        if done < needed:
            return
        reviews = to_request(conn, row).reviews
        state, decisions = consolidate(reviews)
        for name, decision in decisions.items():
            conn.execute(
                update(export_files)
                .where(export_files.c.request_pk == row.pk, export_files.c.name == name)
                .values(decision=decision)
            )
        action = {
            State.APPROVED: "approve",
            State.CHANGES_REQUESTED: "request_changes",
            State.REJECTED: "reject",
        }[state]
        decided = {name: str(d) for name, d in sorted(decisions.items())}
        self._transition(conn, row, action, SYSTEM, {"decisions": decided})

    # --- release and download -------------------------------------------------------------
    def release(self, request_id: str) -> ExportRequest:
        """APPROVED -> RELEASED: copy the approved files (stage, fsync, rename in the same
        transaction). A failure leaves the request APPROVED and no file; retry later."""
        found = self.get(request_id)
        if found.state != State.APPROVED:
            raise IllegalTransition(request_id, "release", found.state, allowed_from(found.state))
        approved = [f for f in found.outputs if f.decision == Decision.APPROVED]
        try:
            staged = self.storage.stage_release(request_id, [f.position for f in approved])
        except OSError as error:
            raise ReleaseFailed(
                f"Releasing {request_id} failed while writing its files "
                f"({error.strerror}); nothing was released and it stays APPROVED. The "
                "operators must free space; the release is retried when the portal restarts "
                "or when it is asked again."
            ) from None
        published = False
        try:
            with self.db.write() as conn:
                row = locked_row(conn, request_id)
                listed = [{"name": f.name, "sha256": f.sha256} for f in approved]
                self._transition(conn, row, "release", SYSTEM, {"files": listed})
                self.storage.publish(staged, self.storage.released, request_id)
                published = True
        except BaseException:
            if published:
                self.storage.unpublish(self.storage.released, request_id)
            else:
                self.storage.discard(staged)
            raise
        released = self.get(request_id)
        for hook in self.release_hooks:
            try:
                hook(released)
            except Exception:  # noqa: BLE001 - released stays released; the hook retries
                log.exception("after releasing %s: %s failed", request_id, hook)
        return released

    # --- recovery -------------------------------------------------------------------------
    def recover(self, resume: bool = True) -> None:
        """Make the folders match the database after a crash, then finish interrupted
        steps: checks of SUBMITTED requests, releases of APPROVED ones, re-runs of
        requests in review that never recorded one."""
        with self.db.read() as conn:
            rows = conn.execute(select(export_requests.c.request_id, export_requests.c.state)).all()
        committed = {
            "snapshots": {r.request_id for r in rows},
            "released": {r.request_id for r in rows if r.state == State.RELEASED},
        }
        for path in self.storage.recover(committed):
            log.warning("airlock recovery removed %s (left by an interrupted step)", path)
        for request_id, state in rows if resume else []:
            try:
                if state == State.SUBMITTED:
                    self.run_checks(request_id)
                elif state == State.APPROVED:
                    self.release(request_id)
                elif state == State.IN_REVIEW:
                    self.resume_rerun(request_id)
            except Exception:  # noqa: BLE001 - one stuck request must not stop the portal
                log.exception("airlock recovery could not finish %s (%s)", request_id, state)


__all__ = ["FINAL", "UNDECIDED", "ExportRequests", "ReleaseFailed", "RerunUnavailable", "SYSTEM"]
