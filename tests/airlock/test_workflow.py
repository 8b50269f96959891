"""The export-request workflow: every transition on the audit log, independence of the
two reviews, blinding, per-file decisions, resubmission, downloads by the requester only."""

from __future__ import annotations

import pytest

from kimed_hub.airlock import CheckStatus, Decision, State
from kimed_hub.audit import verify_audit_log
from kimed_hub.errors import (
    BadInput,
    Conflict,
    ConflictOfInterest,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    TooLarge,
)

from .conftest import ALICE, ALICE_AS_CHECKER, BOB, CAROL, DAVE, EVE, JUSTIFICATION, PNG, TABLE_OK


def submitted(airlock, reader, files=("out/table.csv",)):
    created = airlock.create(ALICE, reader, list(files), JUSTIFICATION)
    return airlock.submit(created.request_id, ALICE)


def test_happy_path_two_reviews_release_and_download(airlock, reader, store, home):
    request = submitted(airlock, reader, ["out/table.csv", "out/figure.png"])
    assert request.state == State.IN_REVIEW
    table, figure = request.files
    assert table.check_status == CheckStatus.PASS and figure.check_status == CheckStatus.REVIEW
    votes = {"out/table.csv": "approve", "out/figure.png": "approve"}
    after_one = airlock.review(request.request_id, CAROL, votes)
    assert after_one.state == State.IN_REVIEW  # one review never releases
    done = airlock.review(request.request_id, DAVE, votes, "fine")
    assert done.state == State.RELEASED
    assert {f.name for f in done.released} == {"out/table.csv", "out/figure.png"}
    data, filename = airlock.download(request.request_id, "out/table.csv", ALICE)
    assert data == (home / "out" / "table.csv").read_bytes() and filename == "table.csv"
    actions = [e.action for e in airlock.history(request.request_id)]
    assert actions == [
        "airlock.create",
        "airlock.submit",
        "airlock.check",
        "airlock.start_review",
        "airlock.review",
        "airlock.review",
        "airlock.approve",
        "airlock.release",
        "airlock.download",
    ]
    assert verify_audit_log(store).ok


def test_snapshot_is_immutable_to_later_changes_in_the_home(airlock, reader, home):
    request = submitted(airlock, reader)
    (home / "out" / "table.csv").write_text("age_group,n\nx,1\n")  # changed afterwards
    votes = {"out/table.csv": "approve"}
    airlock.review(request.request_id, CAROL, votes)
    airlock.review(request.request_id, DAVE, votes)
    data, _ = airlock.download(request.request_id, "out/table.csv", ALICE)
    assert data.decode().startswith("age_group,sex,n")


@pytest.mark.parametrize(
    ("reviewer", "error"),
    [(ALICE_AS_CHECKER, ConflictOfInterest), (BOB, ConflictOfInterest), (EVE, PermissionDenied)],
    ids=["self-review", "same-project", "not-a-checker"],
)
def test_reviewers_who_are_not_independent_are_refused(airlock, reader, reviewer, error):
    request = submitted(airlock, reader)
    with pytest.raises(error):
        airlock.review(request.request_id, reviewer, {"out/table.csv": "approve"})
    assert airlock.get(request.request_id).reviews == []


def test_a_checker_cannot_vote_twice_and_one_review_never_releases(airlock, reader):
    request = submitted(airlock, reader)
    airlock.review(request.request_id, CAROL, {"out/table.csv": "approve"})
    with pytest.raises(Conflict, match="already reviewed"):
        airlock.review(request.request_id, CAROL, {"out/table.csv": "approve"})
    found = airlock.get(request.request_id)
    assert found.state == State.IN_REVIEW and len(found.reviews) == 1
    with pytest.raises(NotFound):
        airlock.download(request.request_id, "out/table.csv", ALICE)
    assert airlock.queue_for(CAROL) == [] and [r.request_id for r in airlock.queue_for(DAVE)] == [
        request.request_id
    ]


def test_reviews_are_blinded_until_both_are_in(airlock, reader):
    from kimed_hub.airlock.reviews import visible_reviews

    request = submitted(airlock, reader)
    airlock.review(request.request_id, CAROL, {"out/table.csv": "approve"})
    found = airlock.get(request.request_id)
    assert visible_reviews(found, "dave") == [] and visible_reviews(found, "alice") == []
    assert [r.reviewer for r in visible_reviews(found, "carol")] == ["carol"]
    history = airlock.history(request.request_id)
    assert all("votes" not in e.details and "approve" not in str(e.details) for e in history)


def test_unsafe_table_is_flagged_cell_by_cell_without_values(airlock, reader):
    request = submitted(airlock, reader, ["out/small.csv"])
    entry = request.files[0]
    assert entry.check_status == CheckStatus.FAIL
    by_rule = {f["rule"]: f["cells"] for f in entry.findings}
    assert by_rule["threshold"] == [{"row": "18-39 / m", "column": "n"}]
    assert by_rule["zeros"] == [{"row": "40-64 / m", "column": "n"}]
    assert "3" not in str(entry.findings).replace("18-39", "")
    # Approving a failed file is an exception that needs a comment.
    with pytest.raises(BadInput, match="approve_with_comment"):
        airlock.review(request.request_id, CAROL, {"out/small.csv": "approve"})


def test_per_file_decisions_most_restrictive_vote_wins(airlock, reader):
    request = submitted(airlock, reader, ["out/table.csv", "out/figure.png"])
    airlock.review(
        request.request_id,
        CAROL,
        {"out/table.csv": "approve", "out/figure.png": {"vote": "reject", "reason": "n=1 dot"}},
    )
    done = airlock.review(
        request.request_id, DAVE, {"out/table.csv": "approve", "out/figure.png": "approve"}
    )
    assert done.state == State.RELEASED
    decisions = {f.name: f.decision for f in done.files}
    assert decisions == {"out/table.csv": Decision.APPROVED, "out/figure.png": Decision.REJECTED}
    assert [f.name for f in done.released] == ["out/table.csv"]
    with pytest.raises(NotFound):
        airlock.download(request.request_id, "out/figure.png", ALICE)


def test_changes_requested_then_resubmission_links_the_predecessor(airlock, reader, home):
    request = submitted(airlock, reader, ["out/small.csv"])
    fix = {"out/small.csv": {"vote": "request_changes", "reason": "suppress the small cells"}}
    airlock.review(request.request_id, CAROL, fix)
    returned = airlock.review(request.request_id, DAVE, fix)
    assert returned.state == State.CHANGES_REQUESTED
    (home / "out" / "small.csv").write_text("age_group,n\n18-39,56\n40-64,80\n")
    again = airlock.resubmit(request.request_id, ALICE, reader)
    assert again.predecessor == request.request_id and again.state == State.IN_REVIEW
    assert again.files[0].check_status == CheckStatus.PASS
    with pytest.raises(Conflict, match="already resubmitted"):
        airlock.resubmit(request.request_id, ALICE, reader)
    assert [e.action for e in airlock.history(request.request_id)][-1] == "airlock.resubmitted"


def test_withdrawal_before_a_decision_only(airlock, reader):
    request = submitted(airlock, reader)
    with pytest.raises(NotFound):
        airlock.withdraw(request.request_id, EVE)
    assert airlock.withdraw(request.request_id, ALICE, "wrong file").state == State.WITHDRAWN
    with pytest.raises(IllegalTransition):
        airlock.review(request.request_id, CAROL, {"out/table.csv": "approve"})
    with pytest.raises(IllegalTransition):
        airlock.withdraw(request.request_id, ALICE)


@pytest.mark.parametrize(
    ("files", "justification", "error", "message"),
    [
        (["out/run.sh"], JUSTIFICATION, BadInput, "may not leave"),
        (["out/table.csv"], "   ", BadInput, "justification"),
        (["out/missing.csv"], JUSTIFICATION, BadInput, "does not exist"),
        (["../etc/passwd.csv"], JUSTIFICATION, BadInput, "relative"),
        ([], JUSTIFICATION, BadInput, "at least one"),
    ],
    ids=["unknown-type", "empty-justification", "missing", "dotdot", "no-files"],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    airlock, reader, home, files, justification, error, message
):
    (home / "out" / "run.sh").write_text("echo hi\n")
    with pytest.raises(error, match=message):
        airlock.create(ALICE, reader, files, justification)
    assert airlock.list_for("alice") == []
    assert [p.name for p in airlock.storage.snapshots.iterdir()] == []


def test_oversized_file_is_refused_and_nothing_is_stored(airlock, reader, home):
    (home / "out" / "big.txt").write_bytes(b"x" * (1024 * 1024 + 1))  # text: 1M limit
    with pytest.raises(TooLarge):
        airlock.create(ALICE, reader, ["out/big.txt"], JUSTIFICATION)
    assert airlock.list_for("alice") == []
    assert list(airlock.storage.snapshots.iterdir()) == []


def test_content_not_matching_its_type_is_blocked_and_never_approvable(airlock, reader, home):
    (home / "out" / "fake.png").write_text("name,diagnosis\nMax Mustermann,C34.1\n")
    request = submitted(airlock, reader, ["out/fake.png"])
    assert request.files[0].check_status == CheckStatus.BLOCKED
    with pytest.raises(BadInput, match="never"):
        airlock.review(
            request.request_id,
            CAROL,
            {"out/fake.png": {"vote": "approve_with_comment", "reason": "looks fine"}},
        )


def test_record_level_table_fails(airlock, reader, home):
    rows = "\n".join(f"p{i},{i % 90}" for i in range(6000))
    (home / "out" / "micro.csv").write_text("pid,age\n" + rows + "\n")
    entry = submitted(airlock, reader, ["out/micro.csv"]).files[0]
    assert entry.check_status == CheckStatus.FAIL
    assert entry.findings[0]["rule"] == "record-level"


def test_thresholds_follow_the_tier_of_the_source(airlock, reader):
    # The grant is pseudonymised record-level data: the policy's tier raises the threshold.
    request = submitted(airlock, reader)
    assert request.thresholds["threshold"] == 11
    assert request.sources and set(request.party) == {"alice", "bob"}


def test_checkers_inspect_files_they_judge_and_nobody_else_does(airlock, reader):
    request = submitted(airlock, reader, ["out/table.csv", "out/figure.png"])
    data, name = airlock.inspect(request.request_id, "out/figure.png", CAROL)
    assert data == PNG and name == "figure.png"
    for outsider in (ALICE, ALICE_AS_CHECKER, BOB, EVE):  # requester, their team, no checker
        with pytest.raises(NotFound):
            airlock.inspect(request.request_id, "out/figure.png", outsider)
    airlock.review(
        request.request_id, CAROL, {"out/table.csv": "approve", "out/figure.png": "approve"}
    )
    assert airlock.inspect(request.request_id, "out/table.csv", CAROL)[0] == TABLE_OK.encode()
    looks = [e for e in airlock.history(request.request_id) if e.action == "airlock.inspect"]
    assert [(e.actor, e.details["file"]) for e in looks] == [
        ("carol", "out/figure.png"), ("carol", "out/table.csv")
    ]  # fmt: skip
