"""The request form: its fields are the portal's application fields, what it builds is an
application the portal library accepts, and it shows the portal's verdict per field."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date

from kimed_hub.access import application as portal_application
from kimed_hub.access.application import Application, submission_problems
from kimed_hub.catalogue.vocab import vocabularies
from kimed_hub.serde import from_data, to_data
from kimed_widgets import form, render
from kimed_widgets.form import FIELDS, ApplicationDraft, field_of, request_form
from tests.portal import samples

from . import shapes
from .conftest import Answer

#: Application fields the form leaves out, and why: the portal sets the applicant's
#: username from the login; registration numbers are rare in research teams (the portal
#: page has them); the environment is always the workbench. Members are one field.
NOT_IN_FORM = {
    "people.applicant.username",
    "people.applicant.professional_registration",
    "settings.environment",
}


def leaf_paths(cls: type, prefix: str = "") -> set[str]:
    """Every field path of a dataclass tree; lists of dataclasses count as one field."""
    paths = set()
    for spec, hint in zip(
        dataclasses.fields(cls), typing.get_type_hints(cls).values(), strict=True
    ):
        path = f"{prefix}{spec.name}"
        if dataclasses.is_dataclass(hint):
            paths |= leaf_paths(hint, path + ".")
        else:
            paths.add(path)
    return paths


def test_form_fields_are_the_applications_fields():
    in_form = {spec.path for spec in FIELDS}
    assert in_form <= leaf_paths(Application)  # no field the portal does not know
    assert leaf_paths(Application) - in_form == NOT_IN_FORM  # new fields get noticed


def test_choices_are_the_portals_codes():
    assert [value for _label, value in form.DATA_LEVELS] == list(portal_application.DATA_LEVELS)
    offered = [v for _l, v in form.LEGAL_BASES + form.SPECIAL_CATEGORY_CONDITIONS]
    assert sorted(offered) == vocabularies().codes("legal-basis")


def test_a_filled_form_is_an_application_the_portal_accepts():
    sample = samples.application("alice", members=("bob",))
    draft = ApplicationDraft.from_application(to_data(sample))
    built = from_data(Application, draft.application("alice"), "application")
    assert submission_problems(built, "alice") == []
    assert built.people.members[0].username == "bob"
    assert built.terms_accepted_by == ["alice", "bob"]
    assert built.project.start == date(2025, 1, 1)
    assert built.data.ethics.number == "123/25-ek"


def test_an_empty_form_is_a_draft_the_portal_accepts():
    built = from_data(Application, ApplicationDraft().application("alice"), "application")
    assert built.settings.cpu_cores is None and built.terms_accepted_by == []
    problems = {v.field for v in submission_problems(built, "alice")}
    assert {"project.title", "data.datasets", "outputs.retention_until"} <= problems


def test_violations_find_their_field():
    assert field_of("people.members[2].name") == "people.members"
    assert field_of("data.ethics.date") == "data.ethics.date"
    assert field_of("data.ethics") is None  # no single field: shown in the summary
    assert field_of("terms_accepted_by") == "terms_accepted_by"


def fill(widget, **values) -> None:
    for path, value in values.items():
        widget.controls[path.replace("__", ".")].value = value


def problems_shown(widget) -> dict[str, str]:
    return {path: render.plain(area.value) for path, area in widget.problems.items() if area.value}


def test_refused_submission_shows_messages_by_field_and_keeps_input(portal):
    portal.routes[("GET", "me")] = Answer(body={"name": "alice"})
    portal.routes[("POST", "requests")] = Answer(201, shapes.access_request())
    portal.routes[("PUT", "requests/AR-000001")] = Answer(body=shapes.access_request())
    portal.routes[("POST", "requests/AR-000001/actions/submit")] = Answer(
        422,
        {
            "error": "validation_failed",
            "message": "request AR-000001 is not valid (2 problem(s))",
            "violations": [
                {"field": "project.lay_summary", "message": "is required"},
                {"field": "people.members[0].institution", "message": "is required"},
            ],
        },
    )
    widget = request_form(dataset="ct-thorax-test", client=portal.client())
    fill(widget, project__title="Rundherde", people__members="bob, Bob")
    widget.submit_button.click()
    assert problems_shown(widget) == {
        "project.lay_summary": "is required",
        "people.members": "people.members[0].institution: is required",
    }
    assert "not valid (2 problem(s))" in widget.notice.shown
    assert widget.controls["project.title"].value == "Rundherde"  # input kept
    sent = portal.calls_to("POST", "requests")[0].body["application"]
    assert sent["data"]["datasets"] == ["ct-thorax-test"]
    assert sent["people"]["members"] == [{"username": "bob", "name": "Bob", "institution": ""}]
    # The second try edits the same draft instead of creating another one.
    fill(widget, project__lay_summary="Wir prüfen KI.")
    widget.submit_button.click()
    assert len(portal.calls_to("POST", "requests")) == 1
    edited = portal.calls_to("PUT", "requests/AR-000001")[0].body["application"]
    assert edited["project"]["lay_summary"] == "Wir prüfen KI."


def test_submitted_request_locks_the_form_and_links_its_page(portal):
    portal.routes[("GET", "me")] = Answer(body={"name": "alice"})
    portal.routes[("POST", "requests")] = Answer(201, shapes.access_request())
    portal.routes[("POST", "requests/AR-000001/actions/submit")] = Answer(
        body=shapes.access_request(state="SUBMITTED")
    )
    widget = request_form(dataset=["ct-thorax-test"], client=portal.client())
    widget.controls["terms_accepted_by"].value = True
    widget.submit_button.click()
    assert problems_shown(widget) == {}
    assert "Request AR-000001 is SUBMITTED" in widget.notice.shown
    assert "/services/portal/requests/AR-000001" in widget.notice.shown
    assert widget.submit_button.disabled and widget.save_button.disabled
    assert portal.calls_to("POST", "requests")[0].body["application"]["terms_accepted_by"] == [
        "alice"
    ]


def test_a_returned_request_is_loaded_and_resubmitted(portal):
    returned = shapes.access_request(state="RETURNED")
    portal.routes[("GET", "requests/AR-000001")] = Answer(body=returned)
    portal.routes[("GET", "me")] = Answer(body={"name": "alice"})
    portal.routes[("PUT", "requests/AR-000001")] = Answer(body=returned)
    portal.routes[("POST", "requests/AR-000001/actions/resubmit")] = Answer(
        body=shapes.access_request(state="SUBMITTED")
    )
    widget = request_form(request_id="AR-000001", client=portal.client())
    assert widget.controls["project.title"].value == "Rundherd-Detektion"
    assert widget.controls["data.ethics.date"].value == date(2024, 12, 1)
    widget.submit_button.click()
    assert portal.calls_to("POST", "requests/AR-000001/actions/resubmit")
    assert "is SUBMITTED" in widget.notice.shown


def test_refusal_of_the_caller_shows_the_portals_message(portal):
    message = "This needs the permission custom:kimed:submit:access-requests, which ..."
    portal.routes[("GET", "me")] = Answer(body={"name": "tina"})
    portal.routes[("POST", "requests")] = Answer(403, {"error": "forbidden", "message": message})
    widget = request_form(dataset="ct-thorax-test", client=portal.client())
    widget.save_button.click()
    assert widget.notice.shown == message
    assert problems_shown(widget) == {}
