"""Workshops in the portal database: ownership, collection, results, audit entries."""

from __future__ import annotations

from datetime import date

import pytest

from kimed_hub.audit import entries, verify_audit_log
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.errors import NotFound
from kimed_hub.training.errors import NotYourWorkshop, WorkshopState
from kimed_hub.training.plans import WorkshopPlan
from kimed_hub.training.store import CLOSED, COLLECTED, GRADED, Result, TrainingStore

PLAN = WorkshopPlan("Imaging", "imaging-monai", date(2026, 3, 2), date(2026, 3, 3), 2, ())


@pytest.fixture
def stores(tmp_path):
    catalogue = CatalogueStore(f"sqlite:///{tmp_path / 'portal.sqlite'}")
    yield catalogue, TrainingStore(catalogue.db)
    catalogue.close() if hasattr(catalogue, "close") else catalogue.db.dispose()


def test_workshop_lifecycle_is_stored_and_audited(stores):
    catalogue, store = stores
    members = [("ws1a-01", True), ("ws1a-02", True), ("trainee", False)]
    created = store.create_workshop("1a", PLAN, "instructor", members)
    assert created.group == "workshop-1a" and created.state == "OPEN"
    assert store.participants("1a") == sorted(members)
    assert [w.slug for w in store.workshops_of_trainee("trainee")] == ["1a"]

    handed_in = {
        "ws1a-01": {"01-nifti-and-transforms.ipynb": {"cells": []}},
        "ws1a-02": {"01-nifti-and-transforms.ipynb": None},
    }
    store.save_submissions(created, "instructor", handed_in)
    assert store.workshop("1a").state == COLLECTED
    assert store.submissions("1a") == handed_in

    graded = [
        Result("ws1a-01", "imaging-monai", "01-nifti-and-transforms.ipynb", "ex1", 1, True, ""),
        Result(
            "ws1a-01",
            "imaging-monai",
            "01-nifti-and-transforms.ipynb",
            "ex2",
            1,
            False,
            "AssertionError: Count voxels",
        ),
    ]
    store.save_results("instructor", "workshop.grade", graded, "1a")
    store.save_results("instructor", "workshop.grade", graded[:1], "1a")  # regrade replaces
    assert store.workshop("1a").state == GRADED
    assert [(r.grade_id, r.passed) for r in store.results("ws1a-01")] == [("ex1", True)]

    store.set_state(store.workshop("1a"), CLOSED, "instructor", "workshop.teardown", {})
    assert store.workshop("1a").state == CLOSED and store.workshop("1a").closed_at
    assert store.results(workshop="1a"), "results stay after teardown"
    assert store.workshops_of_trainee("trainee") == []
    with pytest.raises(WorkshopState):
        store.set_state(store.workshop("1a"), CLOSED, "instructor", "workshop.teardown", {})

    actions = [e.action for e in entries(catalogue.db, obj="workshop:1a")]
    assert actions == [
        "workshop.create",
        "workshop.collect",
        "workshop.grade",
        "workshop.grade",
        "workshop.teardown",
    ]
    assert verify_audit_log(catalogue).ok


def test_only_the_workshops_instructor_may_manage_it(stores):
    _, store = stores
    store.create_workshop("2b", PLAN, "instructor", [("ws2b-01", True)])
    assert store.owned("2b", "instructor").slug == "2b"
    with pytest.raises(NotYourWorkshop) as caught:
        store.owned("2b", "instructor2")
    assert caught.value.http_status == 403
    with pytest.raises(NotFound):
        store.owned("nope", "instructor")


def test_self_paced_results_are_kept_apart_from_workshop_results(stores):
    _, store = stores
    mine = Result("trainee", "secure-environment", "01-five-safes.ipynb", "ex1", 1, True, "")
    store.save_results("trainee", "course.check", [mine], None)
    store.save_results("trainee", "course.check", [mine], None)
    assert len(store.results("trainee")) == 1 and store.results("trainee")[0].workshop is None


def test_live_status_from_the_hubs_user_model():
    from datetime import UTC, datetime, timedelta

    from kimed_hub.portal_service.training_ops import server_status

    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def at(seconds_ago: int) -> str:
        return (now - timedelta(seconds=seconds_ago)).isoformat()

    assert server_status(None, now) == "gone"
    assert server_status({"servers": {}}, now) == "stopped"
    starting = {"servers": {"": {"ready": False, "pending": "spawn", "started": at(30)}}}
    assert server_status(starting, now) == "starting"
    starting["servers"][""]["started"] = at(600)
    assert server_status(starting, now) == "stuck"
    ready = {"servers": {"": {"ready": True, "started": at(100), "last_activity": at(95)}}}
    assert server_status(ready, now) == "ready"
    ready["servers"][""]["last_activity"] = at(10)
    assert server_status(ready, now) == "active"
