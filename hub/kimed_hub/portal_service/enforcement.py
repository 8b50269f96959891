"""Workflow actions with their consequences, and the reconciliation that keeps mounts
and grants in step.

:func:`act` is the one way an access-workflow action is taken, by the API, the pages and
the CLI alike: the library performs it (state change and audit entry in one
transaction; an activation of datasets of several holders is first checked, then
linked by the trust centre: ``trust_centre.activation``), and when it ended a grant
(revoked, closed, superseded by an amendment), the servers of everyone it covered that
hold a dataset they no longer may have are stopped at once, if a hub is at hand (the
CLI has none; the next round does it).

:func:`reconcile` is the safety net and the retry: it compares every running server's
mounts (recorded by the spawner in its state, read through the hub API with
``admin:server_state``) with the grants in force (``access.grants``, the spawner's own
model) and stops every server that holds a dataset without an ACTIVE grant. It keeps no
work list: each round recomputes from the database and the hub, so a stop that failed
(hub unreachable, token refused) is simply found again and retried at the next round,
never dropped. The portal runs :func:`enforce_round` (expiry, then reconciliation)
every ``KIMED_PORTAL_EXPIRE_EVERY`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from ..access import AccessRequest, AccessRequests, Actor, State
from ..access.grants import GrantsReader
from ..data_grants import MOUNTS_STATE_KEY
from ..trust_centre.activation import after_activation, before_activation
from .hub_api import HubServers, RunningServer

log = logging.getLogger("kimed.portal")

#: States in which a grant gives no data any more (the spawner's view: not ACTIVE).
GRANT_ENDED = frozenset({State.REVOKED, State.CLOSED, State.EXPIRED})


@dataclass
class Enforcement:
    """What a round or an action stopped, and what it could not stop (retried next round)."""

    stopped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """An action's result: the request to show next (an amendment is a new one), the
    grants it ended, and what enforcing that did now (``None``: left to the next round)."""

    request: AccessRequest
    ended: list[AccessRequest]
    enforcement: Enforcement | None


def ended_grants(before: AccessRequest, after: AccessRequest, workflow: AccessRequests):
    """The requests whose grant an action ended: the request itself when it left ACTIVE,
    and the grant an activated amendment superseded."""
    ended = []
    if before.state == State.ACTIVE and after.state in GRANT_ENDED:
        ended.append(after)
    if before.state != State.ACTIVE and after.state == State.ACTIVE and after.amends:
        parent = workflow.get(after.amends)
        if parent.state in GRANT_ENDED:
            ended.append(parent)
    return ended


def _perform(workflow: AccessRequests, request_id, action, actor, arguments):
    before = workflow.get(request_id)
    # A request for datasets of several holders is activated only when the trust centre
    # can link it (checked first), and its linked tables are written right after.
    # Only for an actor who may activate it: anyone else gets the workflow's own refusal.
    activating = action == "activate" and action in workflow.allowed_actions(request_id, actor)
    centre = before_activation(workflow, request_id) if activating else None
    shown = workflow.perform(action, request_id, actor, **arguments)
    after = workflow.get(request_id)
    if centre is not None and after.state == State.ACTIVE:
        after_activation(centre, workflow, request_id, actor.name)
    return shown, ended_grants(before, after, workflow)


async def act(
    workflow: AccessRequests,
    reader: GrantsReader,
    hub: HubServers | None,
    request_id: str,
    action: str,
    actor: Actor,
    arguments: dict,
) -> Outcome:
    """Take ``action`` on the request as ``actor``; when it ended a grant, stop the servers
    of the people it covered that hold a dataset they may no longer have. Library errors
    (refusals) propagate; a failed stop does not: the grant has ended, the spawner will
    not mount it again, and the next reconciliation round retries the stop."""
    shown, ended = await asyncio.to_thread(_perform, workflow, request_id, action, actor, arguments)
    if not ended or hub is None:
        return Outcome(shown, ended, None)
    people = {name for grant in ended for name in grant.application.usernames()}
    why = ", ".join(f"grant {g.request_id} ended ({g.state})" for g in ended)
    return Outcome(shown, ended, await reconcile(hub, reader, people, why))


def _not_granted(server: RunningServer, allowed: dict[str, str]) -> list[str] | None:
    """Datasets the server holds without a grant now; None when nothing needs doing
    (all granted, or a server still starting that has not read its grants yet)."""
    mounts = (server.state or {}).get(MOUNTS_STATE_KEY)
    if mounts is None:
        # Started by a spawner that kept no record (or still starting): its mounts are
        # unknown. A ready one is stopped (fail closed); a starting one reads the
        # grants in force itself.
        return ["(mounts unknown)"] if server.ready else None
    missing = sorted(set(mounts) - set(allowed))
    return missing or None


async def reconcile(
    hub: HubServers, reader: GrantsReader, only: set[str] | None = None, why: str = ""
) -> Enforcement:
    """Stop every running server (of ``only`` these users, else of everyone) that holds a
    dataset mount without an ACTIVE grant. Failures are logged and reported, never
    raised past one server: the next round finds them again."""
    result = Enforcement()
    try:
        servers = await hub.running()
    except Exception as error:  # noqa: BLE001 - reported; the next round asks again
        log.error("reconciliation: could not list the running servers: %s", error)
        result.failed.append("(list)")
        return result
    for server in servers:
        if only is not None and server.username not in only:
            continue
        if server.state is None:
            log.error(
                "reconciliation: the hub gave no state for %s: the portal's token needs "
                "admin:server_state (wiring.SERVICE_SCOPES)",
                server.label,
            )
            result.failed.append(server.label)
            continue
        allowed = await asyncio.to_thread(reader.mounts_for, server.username, True)
        missing = _not_granted(server, allowed)
        if missing:
            await _stop(hub, server, missing, why, result)
    return result


async def _stop(hub, server: RunningServer, missing, why: str, result: Enforcement) -> None:
    try:
        await hub.stop(server.username, server.name)
    except Exception as error:  # noqa: BLE001 - one server's failure must not stop the rest
        log.error(
            "could not stop server '%s' of %s (holds %s without an ACTIVE grant): %s; "
            "retrying at the next reconciliation round",
            server.name,
            server.username,
            ", ".join(missing),
            error,
        )
        result.failed.append(server.label)
        return
    log.info(
        "stopped server '%s' of %s: holds %s without an ACTIVE grant%s",
        server.name,
        server.username,
        ", ".join(missing),
        f" ({why})" if why else "",
    )
    result.stopped.append(server.label)


async def enforce_round(
    workflow: AccessRequests, reader: GrantsReader, hub: HubServers
) -> tuple[list[str], Enforcement]:
    """One periodic round: record EXPIRED for grants past their end, then reconcile every
    running server with the grants in force. Returns the expired ids and what was done."""
    expired = await asyncio.to_thread(workflow.expire_due)
    why = f"expired: {', '.join(expired)}" if expired else ""
    return expired, await reconcile(hub, reader, None, why)
