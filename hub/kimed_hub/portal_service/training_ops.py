"""Workshop and course actions with all their consequences, one function each: pages,
API and tests call these (accounts, groups, servers, material, collection, grading,
teardown), the library records them with their audit entries.

Material: the trainee version of each notebook (no solutions, no outputs) is written into
the trainee's home, ``~/courses/<course>/``, through their own server's contents API,
once their server runs. Nothing is shared between trainees and nothing is world-writable:
each trainee's copy lives in their own home volume. Collection reads the same files back
(size-limited) and grading runs them in a locked container (``training.grading``).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..accounts import add_accounts, remove_accounts
from ..training import get_course, trainee_version
from ..training.errors import WorkshopInputError, WorkshopState
from ..training.grading import GradingSandbox, grade
from ..training.plans import WorkshopPlan, check_plan
from ..training.policy import TrainingPolicy, training_policy
from ..training.store import CLOSED, TrainingStore, Workshop
from .training_hub import TrainingHub

log = logging.getLogger("kimed.portal.training")

#: A server still starting after this many seconds shows as stuck in the live view.
STUCK_AFTER = 180
#: Activity this long after the server became ready shows the trainee at work.
ACTIVE_AFTER = 60


@dataclass
class Training:
    """What the training actions share (``app.Portal.training``)."""

    store: TrainingStore
    hub: TrainingHub
    accounts_file: Path | None  # None: no local accounts (OIDC), so no temporary ones
    volume_template: str = "{prefix}-home-{username}"
    prefix: str = "kimed"
    sandbox: GradingSandbox | None = None  # None: grading unavailable (says why)
    policy: TrainingPolicy = field(default_factory=training_policy)
    #: What the pre-start of each participant is doing (not kept across restarts).
    progress: dict[str, str] = field(default_factory=dict)


def material_path(course_id: str, notebook: str) -> str:
    """Where a course notebook lives in a trainee's home."""
    return f"courses/{course_id}/{notebook}"


# --- create ---------------------------------------------------------------------------


async def create_workshop(training: Training, instructor: str, fields: dict, today: date):
    """Check, then create accounts, groups and the stored workshop; return
    ``(workshop, logins)`` with ``logins`` the temporary accounts' passwords (shown once).
    On any failure everything created so far is removed again."""
    plan = check_plan(fields, training.policy, today)
    await _check_enrolled(training, plan)
    if plan.new_accounts and training.accounts_file is None:
        raise WorkshopInputError(
            "This workbench signs people in through an identity provider, so it cannot make "
            "temporary accounts. Enrol existing trainees instead."
        )
    slug = await asyncio.to_thread(_new_slug, training.store)
    names = [
        f"{training.policy.account_prefix}{slug}{i:02d}" for i in range(1, plan.new_accounts + 1)
    ]
    logins = {name: secrets.token_urlsafe(9) for name in names}
    created: list[str] = []
    group = f"workshop-{slug}"
    try:
        for name in names:
            if await training.hub.user(name) is not None:
                raise WorkshopState(f"An account {name!r} exists already; try again.")
            await training.hub.create_user(name)
            created.append(name)
        if logins:
            await asyncio.to_thread(add_accounts, training.accounts_file, logins)
            await training.hub.add_to_group(training.policy.trainee_group, names)
        await training.hub.create_group(group, [*names, *plan.enrol])
        members = [(n, True) for n in names] + [(n, False) for n in plan.enrol]
        found = await asyncio.to_thread(
            training.store.create_workshop, slug, plan, instructor, members
        )
    except Exception:
        await _undo_create(training, created, group)
        raise
    return found, logins


def _new_slug(store: TrainingStore) -> str:
    while True:
        slug = secrets.token_hex(2)
        if not store.slug_taken(slug):
            return slug


async def _check_enrolled(training: Training, plan: WorkshopPlan) -> None:
    """Enrolled users must exist and be trainees: an instructor gets rights over their
    participants' servers, so researchers' servers can never be enrolled."""
    problems = []
    for name in plan.enrol:
        model = await training.hub.user(name)
        if model is None:
            problems.append(f"enrol: there is no account {name!r}.")
        elif training.policy.trainee_group not in (model.get("groups") or []):
            problems.append(
                f"enrol: {name!r} is not in the group {training.policy.trainee_group!r}."
            )
    if problems:
        raise WorkshopInputError("The workshop was not created:\n  - " + "\n  - ".join(problems))


async def _undo_create(training: Training, created: list[str], group: str) -> None:
    for name in created:
        await training.hub.delete_user(name)
    if created and training.accounts_file:
        await asyncio.to_thread(remove_accounts, training.accounts_file, created)
    await training.hub.delete_group(group)


def logins_csv(workshop: Workshop, logins: dict[str, str], hub_url: str) -> str:
    """The temporary accounts as CSV (username, password, workshop, login address)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "password", "workshop", "login"])
    for name, password in sorted(logins.items()):
        writer.writerow([name, password, workshop.title, hub_url])
    return out.getvalue()


async def reset_logins(training: Training, workshop: Workshop) -> dict[str, str]:
    """New passwords for the workshop's temporary accounts (the old ones stop working)."""
    if workshop.state == CLOSED or training.accounts_file is None:
        raise WorkshopState("This workshop has no temporary accounts any more.")
    members = await asyncio.to_thread(training.store.participants, workshop.slug)
    logins = {name: secrets.token_urlsafe(9) for name, temporary in members if temporary}
    await asyncio.to_thread(add_accounts, training.accounts_file, logins)
    return logins


# --- material, pre-start and the live view ---------------------------------------------


async def give_material(training: Training, username: str, course_id: str) -> list[str]:
    """Write the trainee versions of the course into the trainee's running server,
    leaving notebooks they already have untouched; return the paths written."""
    course = await asyncio.to_thread(get_course, course_id)
    written = []
    for path in course.notebook_paths():
        target = material_path(course.id, path.name)
        if await training.hub.exists(username, target):
            continue
        release = trainee_version(json.loads(path.read_text()))
        await training.hub.put_notebook(username, target, release)
        written.append(target)
    return written


async def prestart(training: Training, workshop: Workshop) -> None:
    """Ask for every participant's server (the hub's spawn queue applies) and give each
    the course material once it is ready; returns at once, the live view follows it."""
    if workshop.state == CLOSED:
        raise WorkshopState("This workshop is closed.")
    members = await asyncio.to_thread(training.store.participants, workshop.slug)
    # A few at a time (policies/training.yaml): twenty simultaneous spawns on a small host
    # all ran past the spawner's timeout, so none became ready.
    gate = asyncio.Semaphore(training.policy.prestart_parallel)
    for name, _ in members:
        training.progress[name] = "requested"
        asyncio.ensure_future(_start_one(training, workshop, name, gate))


async def _start_one(training: Training, workshop: Workshop, name: str, gate) -> None:
    try:
        async with gate:
            await training.hub.start(name)
            training.progress[name] = "starting"
            if not await training.hub.wait(name, ready=True, timeout=STUCK_AFTER * 3):
                training.progress[name] = "failed: the server did not start (see the hub's log)"
                return
        await give_material(training, name, workshop.course_id)
        training.progress[name] = "material given"
    except Exception as error:  # noqa: BLE001 - shown in the live view, logged
        training.progress[name] = f"failed: {error}"[:200]
        log.exception("pre-start of %s for workshop %s failed", name, workshop.slug)


def server_status(model: dict | None, now: datetime) -> str:
    """ready | active | starting | stuck | stopped | gone, from the hub's user model."""
    if model is None:
        return "gone"
    server = (model.get("servers") or {}).get("")
    if not server:
        return "stopped"
    started = _when(server.get("started")) or now
    if not server.get("ready"):
        return "stuck" if (now - started).total_seconds() > STUCK_AFTER else "starting"
    activity = _when(server.get("last_activity") or model.get("last_activity"))
    if activity and (activity - started).total_seconds() > ACTIVE_AFTER:
        return "active"
    return "ready"


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def live_status(training: Training, workshop: Workshop) -> list[dict]:
    """One row per participant: server state and what the pre-start did."""
    members = await asyncio.to_thread(training.store.participants, workshop.slug)
    now = datetime.now(UTC)
    models = await asyncio.gather(*(training.hub.user(n) for n, _ in members))
    return [
        {
            "username": name,
            "temporary": temporary,
            "server": server_status(model, now),
            "prestart": training.progress.get(name, ""),
        }
        for (name, temporary), model in zip(members, models, strict=True)
    ]


# --- collect, grade, tear down ----------------------------------------------------------


async def read_course_work(training: Training, name: str, course_id: str) -> dict:
    """``{notebook: notebook or None}`` from the trainee's home; starts their server
    first when it is stopped (their files are read through it)."""
    course = await asyncio.to_thread(get_course, course_id)
    await training.hub.start(name)
    if not await training.hub.wait(name, ready=True, timeout=STUCK_AFTER):
        raise WorkshopState(f"{name}'s server did not start, so their work cannot be read.")
    limit = training.policy.max_notebook_bytes
    return {
        path.name: await training.hub.read_notebook(
            name, material_path(course.id, path.name), limit
        )
        for path in course.notebook_paths()
    }


async def collect(training: Training, workshop: Workshop, instructor: str) -> dict:
    """Read every participant's notebooks and keep them with the workshop (audited)."""
    if workshop.state == CLOSED:
        raise WorkshopState("This workshop is closed; its collected work is kept as it was.")
    members = await asyncio.to_thread(training.store.participants, workshop.slug)
    collected = {}
    for name, _ in members:
        collected[name] = await read_course_work(training, name, workshop.course_id)
    await asyncio.to_thread(training.store.save_submissions, workshop, instructor, collected)
    return collected


def _sandbox(training: Training) -> GradingSandbox:
    if training.sandbox is None:
        raise WorkshopState(
            "Grading needs the container runtime and the single-user image, which this portal "
            "was started without (see the portal's log)."
        )
    return training.sandbox


async def grade_workshop(training: Training, workshop: Workshop, instructor: str) -> list:
    """Grade the last collection in locked containers, two trainees at a time; keep the
    results (the trainees see them on their course page)."""
    if workshop.state not in ("COLLECTED", "GRADED"):
        raise WorkshopState("Collect the work first; there is nothing to grade yet.")
    sandbox = _sandbox(training)
    course = await asyncio.to_thread(get_course, workshop.course_id)
    handed_in = await asyncio.to_thread(training.store.submissions, workshop.slug)
    gate = asyncio.Semaphore(2)

    async def one(name: str, notebooks: dict) -> list:
        async with gate:
            return await asyncio.to_thread(grade, sandbox, course, name, notebooks)

    graded = [
        r for rs in await asyncio.gather(*(one(n, nb) for n, nb in handed_in.items())) for r in rs
    ]
    await asyncio.to_thread(
        training.store.save_results, instructor, "workshop.grade", graded, workshop.slug
    )
    return graded


async def teardown(training: Training, workshop: Workshop, instructor: str) -> dict:
    """Stop every participant's server, delete the temporary accounts, their passwords
    and home volumes, and the workshop group; keep collected work and results. Audited
    with what was removed; what could not be removed is named there and in the answer."""
    if workshop.state == CLOSED:
        raise WorkshopState("This workshop is already torn down.")
    members = await asyncio.to_thread(training.store.participants, workshop.slug)
    problems: list[str] = []
    for name, _ in members:
        await training.hub.stop(name)
    for name, _ in members:
        if not await training.hub.wait(name, ready=False, timeout=90):
            problems.append(f"{name}: server did not stop")
    temporary = [name for name, temp in members if temp]
    for name in temporary:
        await training.hub.delete_user(name)
    if temporary and training.accounts_file:
        await asyncio.to_thread(remove_accounts, training.accounts_file, temporary)
    problems += await asyncio.to_thread(_remove_volumes, training, temporary)
    await training.hub.delete_group(workshop.group)
    details = {
        "servers_stopped": [n for n, _ in members],
        "accounts_removed": temporary,
        "problems": problems,
    }
    await asyncio.to_thread(
        training.store.set_state, workshop, CLOSED, instructor, "workshop.teardown", details
    )
    for name, _ in members:
        training.progress.pop(name, None)
    return details


def _remove_volumes(training: Training, usernames: list[str]) -> list[str]:
    """Remove the temporary accounts' home volumes; return what could not be removed."""
    if not usernames:
        return []
    if training.sandbox is None:
        return [f"{n}: home volume left (no container runtime)" for n in usernames]
    problems = []
    for name in usernames:
        volume = training.volume_template.format(prefix=training.prefix, username=name)
        try:
            training.sandbox.api().remove_volume(volume, force=True)
        except Exception as error:  # noqa: BLE001 - a missing volume is fine, others named
            if "no such volume" not in str(error).lower() and "not found" not in str(error).lower():
                problems.append(f"{name}: home volume {volume} not removed ({error})")
    return problems


# --- courses on one's own ----------------------------------------------------------------


async def start_course(training: Training, username: str, course_id: str) -> list[str]:
    """A trainee starts a course: their server starts if needed and gets the material."""
    await asyncio.to_thread(get_course, course_id)  # unknown course: 404 before anything
    model = await training.hub.user(username)
    if training.policy.trainee_group not in ((model or {}).get("groups") or []):
        raise WorkshopState(
            f"Courses are started from the trainee role (group {training.policy.trainee_group!r}). "
            "Read the material in the repository's courses/ folder, or ask to join a workshop."
        )
    await training.hub.start(username)
    if not await training.hub.wait(username, ready=True, timeout=STUCK_AFTER):
        raise WorkshopState("Your server did not start in time; try again in a minute.")
    return await give_material(training, username, course_id)


async def check_course(training: Training, username: str, course_id: str) -> list:
    """Grade the trainee's own copy of a course (as a workshop would) and keep it as
    their progress."""
    course = await asyncio.to_thread(get_course, course_id)
    handed_in = await read_course_work(training, username, course.id)
    graded = await asyncio.to_thread(grade, _sandbox(training), course, username, handed_in)
    await asyncio.to_thread(training.store.save_results, username, "course.check", graded, None)
    return graded
