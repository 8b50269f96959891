"""The access-request workflow on both backends: every path, every refusal, the grants."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kimed_hub.access.workflow import Actor, State
from kimed_hub.errors import (
    BadInput,
    Conflict,
    ConflictOfInterest,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

from .samples import application, dataset

ALICE = Actor.of("alice", "applicant")  # applicant
BOB = Actor.of("bob", "applicant", "steward", "committee")  # on alice's team, also staff
STEWARD = Actor.of("sven", "steward")
COMMITTEE = Actor.of("clara", "committee")
EVE = Actor.of("eve", "applicant")  # an unrelated applicant
NOW = datetime.now(UTC)


@pytest.fixture
def flow(store, requests_):
    """The service with ``ct-thorax-test`` in the catalogue."""
    store.put_dataset(dataset(), actor="sven")
    return requests_


def approved(flow, conditions: str = "") -> str:
    request = flow.create(ALICE, application())
    flow.submit(request.request_id, ALICE)
    flow.start_check(request.request_id, STEWARD)
    flow.forward(request.request_id, STEWARD)
    if conditions:
        flow.decide(request.request_id, COMMITTEE, "APPROVED_WITH_CONDITIONS", "ok if", conditions)
        flow.accept_conditions(request.request_id, ALICE)
    else:
        flow.decide(request.request_id, COMMITTEE, State.APPROVED, "approved")
    return request.request_id


def test_happy_path_to_an_active_grant_and_its_history(flow):
    request_id = approved(flow)
    granted = flow.activate(
        request_id, STEWARD, NOW - timedelta(minutes=1), NOW + timedelta(days=30)
    )
    assert granted.state == State.ACTIVE and granted.valid_until > NOW
    grants = flow.active_grants("alice")
    assert [(g.dataset, g.request_id, g.mount_path) for g in grants] == [
        ("ct-thorax-test", request_id, "/data/ct-thorax-test")
    ]
    assert [g.dataset for g in flow.active_grants("bob")] == ["ct-thorax-test"]  # team member
    assert flow.active_grants("eve") == []
    steps = [(e.actor, e.action, e.details.get("to")) for e in flow.history(request_id)]
    assert steps == [
        ("alice", "request.create", "DRAFT"),
        ("alice", "request.submit", "SUBMITTED"),
        ("sven", "request.start_check", "FORMAL_CHECK"),
        ("sven", "request.forward", "COMMITTEE_REVIEW"),
        ("clara", "request.decide", "APPROVED"),
        ("sven", "request.activate", "ACTIVE"),
    ]


def test_grants_are_limited_to_their_dates_and_expire_by_themselves(flow):
    request_id = approved(flow)
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=10)
    flow.activate(request_id, STEWARD, start, end)
    assert flow.active_grants("alice", at=start - timedelta(seconds=1)) == []
    assert flow.active_grants("alice", at=end - timedelta(seconds=1))
    assert flow.active_grants("alice", at=end) == []
    later = end + timedelta(days=1)
    assert flow.get(request_id).effective_state(later) == State.EXPIRED
    assert flow.expire_due(at=later) == [request_id]
    assert flow.get(request_id).state == State.EXPIRED
    assert flow.history(request_id)[-1].actor == "system"
    with pytest.raises(BadInput, match="time zone"):
        flow.active_grants("alice", at=datetime(2030, 1, 1))


def test_nobody_decides_on_a_request_they_are_part_of(flow):
    request = flow.create(ALICE, application(members=("bob",)))
    flow.submit(request.request_id, ALICE)
    with pytest.raises(ConflictOfInterest, match="bob is part of this request") as caught:
        flow.start_check(request.request_id, BOB)
    assert caught.value.http_status == 403
    flow.start_check(request.request_id, STEWARD)
    flow.forward(request.request_id, STEWARD)
    for action in (
        lambda: flow.decide(request.request_id, BOB, "APPROVED", "self-approval"),
        lambda: flow.comment(request.request_id, BOB, "looks good to me"),
    ):
        with pytest.raises(ConflictOfInterest):
            action()
    applicant_as_staff = Actor.of("alice", "applicant", "committee")
    with pytest.raises(ConflictOfInterest):
        flow.decide(request.request_id, applicant_as_staff, "APPROVED", "mine")
    assert flow.get(request.request_id).state == State.COMMITTEE_REVIEW


def test_roles_and_ownership_are_enforced(flow):
    with pytest.raises(PermissionDenied, match="no applicant role"):
        flow.create(STEWARD, application("sven"))
    request = flow.create(ALICE, application())
    with pytest.raises(NotFound):  # someone else's draft: not even visible to eve
        flow.submit(request.request_id, EVE)
    flow.submit(request.request_id, ALICE)
    with pytest.raises(PermissionDenied, match="only the applicant"):
        flow.withdraw(request.request_id, Actor.of("sven", "steward", "applicant"))
    with pytest.raises(PermissionDenied, match="needs the steward role"):
        flow.start_check(request.request_id, ALICE)
    with pytest.raises(BadInput, match="people.applicant.username must be alice"):
        flow.edit(request.request_id, ALICE, application("mallory"))


def test_illegal_transitions_name_the_state_and_the_allowed_actions(flow):
    request = flow.create(ALICE, application())
    with pytest.raises(IllegalTransition) as caught:
        flow.activate(request.request_id, STEWARD)
    message = str(caught.value)
    assert f"Request {request.request_id} is DRAFT" in message
    assert "'activate' is not possible" in message
    assert "Allowed next actions: edit, submit, withdraw." in message
    assert caught.value.http_status == 409
    flow.withdraw(request.request_id, ALICE)
    with pytest.raises(IllegalTransition, match="none \\(final state\\)"):
        flow.submit(request.request_id, ALICE)
    with pytest.raises(NotFound):
        flow.submit("AR-999999", ALICE)


def test_incomplete_applications_list_what_is_missing_and_stay_drafts(flow):
    draft = replace(application(), terms_accepted_by=["alice"])
    draft.project.lay_summary = ""
    draft.data.datasets = ["ct-thorax-test", "no-such-dataset"]
    request = flow.create(ALICE, draft)
    with pytest.raises(ValidationFailed) as caught:
        flow.submit(request.request_id, ALICE)
    problems = {v.field: v.message for v in caught.value.violations}
    assert problems["project.lay_summary"] == "is required"
    assert "bob has not accepted" in problems["terms_accepted_by"]
    assert "no-such-dataset is not in the catalogue" in problems["data.datasets"]
    assert flow.get(request.request_id).state == State.DRAFT
    with pytest.raises(ValidationFailed, match="legal-basis code"):
        flow.create(
            ALICE, replace(application(), data=replace(application().data, legal_basis="because"))
        )


def test_returned_requests_are_amended_and_resubmitted_as_a_new_version(flow):
    request = flow.create(ALICE, application())
    flow.submit(request.request_id, ALICE)
    flow.start_check(request.request_id, STEWARD)
    with pytest.raises(BadInput, match="needs a comment"):
        flow.return_for_changes(request.request_id, STEWARD, " ")
    flow.return_for_changes(request.request_id, STEWARD, "Bitte Ethikvotum ergänzen")
    amended = application()
    amended.project.methods = "RetinaNet, externe Validierung"
    flow.edit(request.request_id, ALICE, amended)
    resubmitted = flow.resubmit(request.request_id, ALICE, "Votum ergänzt")
    assert (resubmitted.state, resubmitted.version) == (State.SUBMITTED, 2)
    assert resubmitted.application.project.methods.endswith("externe Validierung")
    flow.start_check(request.request_id, STEWARD)
    flow.forward(request.request_id, STEWARD)
    back = flow.decide(request.request_id, COMMITTEE, "RETURNED", "Stichprobe begründen")
    assert back.state == State.RETURNED


def test_decisions_conditions_withdrawal_and_rejection(flow):
    with_conditions = approved(flow, conditions="Nur aggregierte Ausgaben")
    assert flow.get(with_conditions).state == State.APPROVED
    assert flow.get(with_conditions).conditions == "Nur aggregierte Ausgaben"
    with pytest.raises(BadInput, match="conditions are given exactly"):
        flow.decide(with_conditions, COMMITTEE, "APPROVED_WITH_CONDITIONS", "x")
    request = flow.create(ALICE, application())
    flow.submit(request.request_id, ALICE)
    flow.start_check(request.request_id, STEWARD)
    flow.forward(request.request_id, STEWARD)
    flow.decide(request.request_id, COMMITTEE, "APPROVED_WITH_CONDITIONS", "ok", "Nur Aggregate")
    assert flow.decline_conditions(request.request_id, ALICE).state == State.WITHDRAWN
    rejected = flow.create(ALICE, application())
    flow.submit(rejected.request_id, ALICE)
    flow.start_check(rejected.request_id, STEWARD)
    assert flow.reject(rejected.request_id, STEWARD, "außerhalb des Zwecks").state == State.REJECTED
    with pytest.raises(BadInput, match="outcome must be one of"):
        flow.decide(rejected.request_id, COMMITTEE, "MAYBE", "hm")


def test_revoke_and_close_end_the_grant_at_once(flow):
    first, second = approved(flow), approved(flow)
    for request_id in (first, second):
        flow.activate(request_id, STEWARD, NOW - timedelta(hours=1), NOW + timedelta(days=5))
    flow.revoke(first, COMMITTEE, "Verstoß gegen die Nutzungsbedingungen")
    assert [g.request_id for g in flow.active_grants("alice")] == [second]
    flow.close(second, ALICE, "Projekt beendet")
    assert flow.active_grants("alice") == []
    assert flow.get(second).state == State.CLOSED


def test_an_amendment_replaces_the_grant_only_when_it_is_activated(flow, store):
    store.put_dataset(dataset("mrt-test"), actor="sven")
    original = approved(flow)
    flow.activate(original, STEWARD, NOW - timedelta(hours=1), NOW + timedelta(days=5))
    amendment = flow.request_amendment(original, ALICE)
    assert (amendment.state, amendment.amends) == (State.DRAFT, original)
    with pytest.raises(Conflict, match="already has an open amendment"):
        flow.request_amendment(original, ALICE)
    flow.edit(amendment.request_id, ALICE, application(datasets=["ct-thorax-test", "mrt-test"]))
    flow.submit(amendment.request_id, ALICE)
    assert {g.dataset for g in flow.active_grants("alice")} == {"ct-thorax-test"}  # still running
    flow.start_check(amendment.request_id, STEWARD)
    flow.forward(amendment.request_id, STEWARD)
    flow.decide(amendment.request_id, COMMITTEE, "APPROVED", "erweitert")
    flow.activate(
        amendment.request_id, STEWARD, NOW - timedelta(minutes=1), NOW + timedelta(days=5)
    )
    assert flow.get(original).state == State.CLOSED
    assert "superseded by" in flow.history(original)[-1].details["comment"]
    grants = flow.active_grants("alice")
    assert {g.dataset for g in grants} == {"ct-thorax-test", "mrt-test"}
    assert {g.request_id for g in grants} == {amendment.request_id}


def test_lists_queues_and_offered_actions(flow):
    request = flow.create(ALICE, application())
    flow.submit(request.request_id, ALICE)
    assert [r.request_id for r in flow.list_for("bob")] == [request.request_id]
    assert [r.request_id for r in flow.queue(State.SUBMITTED)] == [request.request_id]
    assert flow.allowed_actions(request.request_id, ALICE) == ["withdraw"]
    assert flow.allowed_actions(request.request_id, STEWARD) == ["start_check"]
    assert flow.allowed_actions(request.request_id, BOB) == []  # on the team: no decisions
    # A reviewer's queue leaves out the requests they are part of: not work for them.
    assert [r.request_id for r in flow.queue_for(STEWARD)] == [request.request_id]
    assert flow.queue_for(BOB) == [] and flow.queue_for(ALICE) == []


def test_activation_needs_a_future_end(flow):
    request_id = approved(flow)
    with pytest.raises(BadInput, match="end after its start and in the future"):
        flow.activate(request_id, STEWARD, NOW, NOW - timedelta(days=1))
    assert flow.get(request_id).state == State.APPROVED


# --- who may close, who sees what (workflow.RULES["close"], workflow.VISIBLE_FROM) ------------

CAROL = Actor.of("carol", "applicant")  # a plain team member


def active(flow, members=("bob", "carol")) -> str:
    request = flow.create(ALICE, application(members=members))
    flow.submit(request.request_id, ALICE)
    flow.start_check(request.request_id, STEWARD)
    flow.forward(request.request_id, STEWARD)
    flow.decide(request.request_id, COMMITTEE, State.APPROVED, "approved")
    flow.activate(request.request_id, STEWARD, NOW - timedelta(minutes=1), NOW + timedelta(days=9))
    return request.request_id


def test_only_the_applicant_or_an_outside_steward_may_close(flow):
    request_id = active(flow)
    with pytest.raises(PermissionDenied, match=r"only the applicant \(alice\) or a steward"):
        flow.close(request_id, CAROL, "I am done")  # team member, applicant role
    with pytest.raises(PermissionDenied, match="needs the applicant or steward role"):
        flow.close(request_id, COMMITTEE, "over")
    with pytest.raises(ConflictOfInterest):
        flow.close(request_id, Actor.of("bob", "steward"), "over")  # steward on the team
    assert flow.get(request_id).state == State.ACTIVE
    assert "close" not in flow.allowed_actions(request_id, CAROL)
    assert "close" in flow.allowed_actions(request_id, ALICE)
    assert flow.close(request_id, STEWARD, "project finished").state == State.CLOSED
    second = active(flow)
    assert flow.close(second, ALICE, "finished early").state == State.CLOSED


def seen_by(flow, request_id) -> set[str]:
    """Who of the cast may see the request, by get_for, history_for and their lists."""
    cast = {"alice": ALICE, "carol": CAROL, "sven": STEWARD, "clara": COMMITTEE, "eve": EVE}
    seen = set()
    for name, actor in cast.items():
        try:
            flow.get_for(request_id, actor)
        except NotFound:
            with pytest.raises(NotFound):
                flow.history_for(request_id, actor)
            continue
        assert flow.history_for(request_id, actor)
        seen.add(name)
    listed = {
        n for n in ("alice", "carol") if request_id in {r.request_id for r in flow.list_for(n)}
    }
    assert listed == seen & {"alice", "carol"}
    return seen


def test_the_visibility_matrix_follows_the_stage(flow):
    draft = flow.create(ALICE, application(members=("carol",))).request_id
    assert seen_by(flow, draft) == {"alice"}  # a draft is the applicant's own
    flow.submit(draft, ALICE)
    assert seen_by(flow, draft) == {"alice", "carol", "sven"}
    flow.start_check(draft, STEWARD)
    flow.return_for_changes(draft, STEWARD, "add the ethics vote")
    assert seen_by(flow, draft) == {"alice", "carol", "sven"}  # RETURNED: still submitted
    flow.resubmit(draft, ALICE)
    flow.start_check(draft, STEWARD)
    assert seen_by(flow, draft) == {"alice", "carol", "sven"}  # committee: not yet
    assert flow.queue(State.FORMAL_CHECK, reviewer=COMMITTEE) == []
    flow.forward(draft, STEWARD)
    assert seen_by(flow, draft) == {"alice", "carol", "sven", "clara"}
    assert [r.request_id for r in flow.queue_for(COMMITTEE)] == [draft]
    flow.decide(draft, COMMITTEE, State.RETURNED, "clarify the aims")
    assert "clara" in seen_by(flow, draft)  # it has been before the committee


def test_a_draft_withdrawn_before_submission_stays_private(flow):
    draft = flow.create(ALICE, application(members=("carol",))).request_id
    flow.withdraw(draft, ALICE, "changed my mind")
    assert seen_by(flow, draft) == {"alice"}
    assert flow.queue(State.WITHDRAWN, reviewer=STEWARD) == []
