"""The dataset card and "my requests" against the stand-in portal; the HTML helpers."""

from __future__ import annotations

import re

from kimed_widgets import dataset_card, my_requests, render
from kimed_widgets.form import RequestForm
from kimed_widgets.ui import Notice, guarded

from . import shapes
from .conftest import Answer


def test_card_shows_the_record_and_offers_a_request(portal):
    portal.routes[("GET", "datasets/ct-thorax-test")] = Answer(body=shapes.record())
    card = dataset_card("ct-thorax-test", client=portal.client(), lang="de")
    text = render.plain(card.body.value)
    assert "CT Thorax Lungenrundherde (fiktiv)" in text  # the record's German title
    assert "4,210" in text and "40–85 years" in text and "2016-01-01–2023-12-31" in text
    assert "ct-thorax-test-synth" in text and "lung-nodule-detector" in text
    assert "nodule_diameter_mm" in text  # variables
    assert render.SYNTHETIC_BADGE not in text
    assert portal.calls[0].params == [("lang", "de")]
    card.request_button.click()
    (request_form,) = card.form_area.children
    assert isinstance(request_form, RequestForm)
    assert request_form.controls["data.datasets"].value == "ct-thorax-test"


def test_synthetic_card_is_marked_and_not_requestable(portal):
    portal.routes[("GET", "datasets/ct-thorax-test-synth")] = Answer(body=shapes.record(True))
    card = dataset_card("ct-thorax-test-synth", client=portal.client())
    text = render.plain(card.body.value)
    assert render.SYNTHETIC_BADGE in text and "never for inference" in text
    assert card.request_button.layout.display == "none"


def test_unknown_dataset_shows_the_portals_message(portal):
    portal.routes[("GET", "datasets/nope")] = Answer(
        404, {"error": "not_found", "message": "there is no dataset 'nope'"}
    )
    card = dataset_card("nope", client=portal.client())
    assert card.notice.shown == "there is no dataset 'nope'"
    assert card.body.value == ""


def test_catalogue_text_is_escaped(portal):
    record = shapes.record()
    record["title"]["en"] = "<script>alert(1)</script>"
    portal.routes[("GET", "datasets/ct-thorax-test")] = Answer(body=record)
    card = dataset_card("ct-thorax-test", client=portal.client())
    assert "<script>" not in card.body.value and "&lt;script&gt;" in card.body.value


def test_my_requests_lists_states_with_links_and_refreshes(portal):
    answers = iter(
        [
            [shapes.request_summary("AR-000001", "DRAFT")],
            [shapes.request_summary("AR-000001", "ACTIVE", effective_state="EXPIRED")],
        ]
    )
    portal.routes[("GET", "requests")] = lambda call: Answer(body={"requests": next(answers)})
    widget = my_requests(client=portal.client())
    assert widget.states() == {"AR-000001": "DRAFT"}
    assert 'href="/services/portal/requests/AR-000001"' in widget.table.value
    assert "ct-thorax-test" in render.plain(widget.table.value)
    widget.refresh_button.click()
    assert widget.states() == {"AR-000001": "EXPIRED"}  # past its end date: not ACTIVE
    assert re.search(r'class="kimed-badge kimed-state"[^>]*>EXPIRED<', widget.table.value)


def test_my_requests_when_there_are_none_and_when_the_portal_is_down(portal):
    portal.routes[("GET", "requests")] = Answer(body={"requests": []})
    widget = my_requests(client=portal.client())
    assert "no access requests yet" in render.plain(widget.table.value)
    portal.routes[("GET", "requests")] = Answer(502, b"Bad Gateway", {"Content-Type": "text/html"})
    widget.refresh_button.click()
    assert "had a problem answering (HTTP 502" in widget.notice.shown


def test_a_bug_in_a_handler_shows_as_a_message_not_a_traceback():
    class Broken:
        notice = Notice()

        @guarded
        def handler(self):
            return {}["missing"]

    broken = Broken()
    assert broken.handler() is None
    assert broken.notice.shown.startswith("The widget failed unexpectedly (KeyError: 'missing')")
