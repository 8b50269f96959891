"""The portal's pages without a hub: every template renders, forms keep input, errors are
pages with their status, nobody outside a request sees it.

The hub's login is replaced by two headers (who, which scopes) and XSRF is off: both are
proven with the real hub and a real browser in ``tests/browser/test_portal_journey.py``.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest
import requests
from tornado.ioloop import IOLoop

from kimed_hub.portal import AccessRequests, Actor, CatalogueStore, State
from kimed_hub.portal_service import auth, pages
from kimed_hub.portal_service.app import Portal, make_app
from kimed_hub.testing import free_port
from tests.portal.samples import application, dataset, synthetic

READ = "custom:kimed:read:catalogue"
RESEARCHER = ("alice", f"{READ},custom:kimed:submit:access-requests")
STEWARD = ("sam", f"{READ},custom:kimed:check:access-requests")
TRAINEE = ("tom", READ)
SOURCE = "ct-thorax-test"


def _fake_login(handler):
    name = handler.request.headers.get("X-Test-User")
    scopes = handler.request.headers.get("X-Test-Scopes", "")
    return {"name": name, "scopes": scopes.split(",")} if name else None


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The portal app on a free port, with a dataset, its synthetic version, a request."""
    store = CatalogueStore(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'p.sqlite'}")
    source = dataset(SOURCE)
    store.put_dataset(source, actor="steward")
    store.put_dataset(synthetic(source), actor="steward")
    workflow = AccessRequests(store)
    port, ready = free_port(), threading.Event()
    loop_box = {}

    def serve():
        asyncio.set_event_loop(asyncio.new_event_loop())
        make_app(Portal(store, workflow)).listen(port, "127.0.0.1")
        loop_box["loop"] = IOLoop.current()
        ready.set()
        loop_box["loop"].start()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth.PortalHandler, "get_current_user", _fake_login)
        patch.setattr(pages.PageHandler, "check_xsrf_cookie", lambda handler: None)
        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)
        yield f"http://127.0.0.1:{port}/services/portal/", workflow
        loop_box["loop"].add_callback(loop_box["loop"].stop)
    store.close()


def page(portal, who, path="", method="GET", **kwargs) -> requests.Response:
    url, _ = portal
    headers = {"X-Test-User": who[0], "X-Test-Scopes": who[1]} if who else {}
    return requests.request(
        method, url + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
    )


def test_search_page_shows_hits_facets_chips_and_synthetic_marks(portal):
    found = page(portal, TRAINEE, "?q=lung&modality=CT")
    assert found.status_code == 200
    html = found.text
    assert 'id="hit-ct-thorax-test"' in html and 'id="hit-ct-thorax-test-synth"' in html
    assert html.count("synthetic — not for inference") == 1  # only the synthetic hit
    assert 'id="facet-modality-CT" checked' in html
    assert "Modality: Computed tomography (CT)" in html
    assert 'href="/services/portal/?q=lung"' in html  # the modality chip's remove link
    assert 'href="/hub/static/css/style.min.css"' in html  # the hub's look
    german = page(portal, TRAINEE, "?q=lung&lang=de").text
    assert "Katalog durchsuchen" in german and "synthetisch — nicht für Inferenz" in german


def test_bad_search_parameters_are_a_page_with_the_message(portal):
    found = page(portal, TRAINEE, "?cohort_min=many")
    assert found.status_code == 400
    assert "cohort_min must be a whole number" in found.text and "<nav" in found.text


def test_dataset_card_links_its_synthetic_version_and_back(portal):
    card = page(portal, RESEARCHER, f"datasets/{SOURCE}").text
    assert 'id="request-access"' in card and "nodule_diameter_mm" in card
    assert f'href="/services/portal/datasets/{SOURCE}-synth"' in card
    synth = page(portal, TRAINEE, f"datasets/{SOURCE}-synth").text
    assert 'id="synthetic-banner"' in synth and 'id="derived-from"' in synth
    assert 'id="request-access"' not in synth  # trainees cannot request access
    # Synthetic versions need no request, not even from researchers: the card says where.
    synth = page(portal, RESEARCHER, f"datasets/{SOURCE}-synth").text
    assert 'id="request-access"' not in synth
    assert f"<code>/data/{SOURCE}-synth</code>" in synth
    missing = page(portal, TRAINEE, "datasets/no-such-dataset")
    assert missing.status_code == 404 and "there is no dataset" in missing.text


def test_pages_need_a_login_and_the_right_scope(portal):
    assert page(portal, None, "").status_code in (302, 403)  # to the hub's login
    refused = page(portal, TRAINEE, "queue/steward")
    assert refused.status_code == 403 and "custom:kimed:check:access-requests" in refused.text
    assert page(portal, TRAINEE, "algorithms").status_code == 200


def test_form_error_is_shown_by_the_field_and_nothing_is_stored(portal):
    _, workflow = portal
    typed = {"project.title": "Meine Studie", "people.applicant.email": "not-mail", "save": "1"}
    found = page(portal, RESEARCHER, "requests/new", "POST", data=typed)
    assert found.status_code == 422
    assert 'id="f-people-applicant-email-error">&#x27;not-mail&#x27; is not an e-mail' in found.text
    assert 'value="Meine Studie"' in found.text and 'value="not-mail"' in found.text
    assert workflow.list_for("alice") == []
    bad_date = page(portal, RESEARCHER, "requests/new", "POST", data={"project.end": "31.12."})
    assert bad_date.status_code == 422 and "is not a date like 2025-01-31" in bad_date.text


def test_submitted_request_goes_through_the_pages(portal):
    _, workflow = portal
    form = _as_form(application("alice", members=()))
    created = page(portal, RESEARCHER, "requests/new", "POST", data={**form, "submit": "1"})
    assert created.status_code == 303, created.text
    path = created.headers["Location"].removeprefix("/services/portal/")
    request_id = path.rsplit("/", 1)[1]
    assert workflow.get(request_id).state == State.SUBMITTED
    assert 'id="request-state">SUBMITTED' in page(portal, RESEARCHER, path).text
    assert page(portal, TRAINEE, path).status_code == 404  # not on the team
    steward_view = page(portal, STEWARD, path).text
    assert 'id="do-start_check"' in steward_view and 'id="do-withdraw"' not in steward_view
    assert page(portal, STEWARD, f"{path}/actions/start_check", "POST").status_code == 303
    no_comment = page(portal, STEWARD, f"{path}/actions/reject", "POST", data={"comment": ""})
    assert no_comment.status_code == 400 and "needs a comment" in no_comment.text
    assert workflow.get(request_id).state == State.FORMAL_CHECK
    queue = page(portal, STEWARD, "queue/steward").text
    assert f'id="row-{request_id}"' in queue
    mine = page(portal, RESEARCHER, "requests").text
    assert f'id="row-{request_id}"' in mine and "FORMAL_CHECK" in mine


def test_a_returned_request_is_edited_and_resubmitted_in_the_form(portal):
    _, workflow = portal
    alice, sam = Actor.of("alice", "applicant"), Actor.of("sam", "steward")
    request_id = workflow.create(alice, application("alice", members=())).request_id
    workflow.submit(request_id, alice)
    workflow.start_check(request_id, sam)
    workflow.return_for_changes(request_id, sam, "Bitte Methoden genauer.")
    form_page = page(portal, RESEARCHER, f"requests/{request_id}/edit").text
    assert "Rundherd-Detektion" in form_page
    form = _as_form(application("alice", members=()))
    form["project.methods"] = "RetinaNet, fünffache Kreuzvalidierung"
    sent = page(
        portal, RESEARCHER, f"requests/{request_id}/edit", "POST", data={**form, "submit": "1"}
    )
    assert sent.status_code == 303
    found = workflow.get(request_id)
    assert found.state == State.SUBMITTED and found.version == 2
    assert found.application.project.methods.startswith("RetinaNet, fünffache")


def _as_form(app) -> dict[str, str]:
    from kimed_hub.portal_service.page_forms import form_values

    app = replace(app, data=replace(app.data, ethics=replace(app.data.ethics, existing=False)))
    return {k: v for k, v in form_values(app).items() if v}


def test_oversized_or_malformed_form_input_is_refused_with_a_message(portal):
    _, workflow = portal
    before = len(workflow.list_for("alice"))
    huge = page(portal, RESEARCHER, "requests/new", "POST", data={"project.title": "x" * 5_000_000})
    assert huge.status_code == 413 and "bytes" in huge.text
    too_long = page(portal, RESEARCHER, "requests/new", "POST", data={"project.title": "x" * 400})
    assert too_long.status_code == 413 and "project.title" in too_long.text
    assert len(workflow.list_for("alice")) == before  # nothing stored
    draft = workflow.create(Actor.of("alice", "applicant"), application("alice", members=()))
    path = f"requests/{draft.request_id}/actions/explode"
    unknown = page(portal, RESEARCHER, path, "POST")
    assert unknown.status_code == 404 and "there is no action" in unknown.text
