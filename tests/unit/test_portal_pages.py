"""The portal's pages without a hub: every template renders, forms keep input, errors are
pages with their status, nobody outside a request sees it.

The hub's login is replaced by two headers (who, which scopes) and XSRF is off
(``tests/unit/portal_app.py``): both are proven with the real hub and a real browser in
``tests/browser/test_portal_journey.py``.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import replace

import pytest
import requests

from kimed_hub.access import AccessRequests, Actor, State
from kimed_hub.access.grants import GrantsReader
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.portal_service import pages
from kimed_hub.portal_service.app import Portal
from tests.portal.samples import application, dataset, synthetic
from tests.unit.portal_app import call, served

READ = "custom:kimed:read:catalogue"
RESEARCHER = ("alice", f"{READ},custom:kimed:submit:access-requests")
STEWARD = ("sam", f"{READ},custom:kimed:check:access-requests")
TRAINEE = ("tom", READ)
SOURCE = "ct-thorax-test"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The portal app on a free port, with a dataset, its synthetic version, a request."""
    store = CatalogueStore(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'p.sqlite'}")
    source = dataset(SOURCE)
    store.put_dataset(source, actor="steward")
    store.put_dataset(synthetic(source), actor="steward")
    workflow = AccessRequests(store)
    grants = GrantsReader(store.db.engine.url.render_as_string(hide_password=False))
    with served(Portal(store, workflow, grants)) as url:
        yield url, workflow
    store.close()


def page(portal, who, path="", method="GET", headers=None, **kwargs) -> requests.Response:
    return call(portal[0], who, path, method, headers, **kwargs)


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


COMMITTEE = ("cleo", f"{READ},custom:kimed:decide:access-requests")
TEAM_MEMBER = ("bob", f"{READ},custom:kimed:submit:access-requests")


def test_a_team_member_cannot_close_on_the_page_and_drafts_stay_private(portal):
    """The close rule (applicant or an outside steward) and the visibility matrix hold on
    the pages as in the library: a refused close is a 403 page, the state unchanged."""
    _, workflow = portal
    alice, sam = Actor.of("alice", "applicant"), Actor.of("sam", "steward")
    request_id = workflow.create(alice, application("alice", members=("bob",))).request_id
    path = f"requests/{request_id}"
    for other in (TEAM_MEMBER, STEWARD, COMMITTEE):  # a draft is the applicant's own
        assert page(portal, other, path).status_code == 404
    workflow.submit(request_id, alice)
    assert page(portal, TEAM_MEMBER, path).status_code == 200
    assert page(portal, COMMITTEE, path).status_code == 404  # not before the committee
    workflow.start_check(request_id, sam)
    workflow.forward(request_id, sam)
    assert page(portal, COMMITTEE, path).status_code == 200
    workflow.decide(request_id, Actor.of("cleo", "committee"), State.APPROVED, "ok")
    workflow.activate(request_id, sam)
    assert 'id="do-close"' not in page(portal, TEAM_MEMBER, path).text
    refused = page(portal, TEAM_MEMBER, f"{path}/actions/close", "POST", data={"comment": "x"})
    assert refused.status_code == 403 and "only the applicant (alice)" in refused.text
    assert workflow.get(request_id).state == State.ACTIVE
    assert 'id="do-close"' in page(portal, RESEARCHER, path).text
    closed = page(portal, RESEARCHER, f"{path}/actions/close", "POST", data={"comment": "done"})
    assert closed.status_code == 303 and workflow.get(request_id).state == State.CLOSED


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


# --- German and English ---------------------------------------------------------------------

#: English that must not be left on a German page (nav, form, actions, queues, tables).
ENGLISH_LEFTOVERS = (
    "My requests",
    "Steward queue",
    "Save draft",
    "Save and submit",
    "Safe people",
    "Safe outputs",
    "Team members",
    "Data use terms",
    "Project title",
    "What you can do now",
    "Start the formal check",
    "History",
    "Last change",
    "Nothing is waiting",
    "Active grants",
    "Logout",
    "New access request",
    ">SUBMITTED<",
)


def _no_english(html: str) -> None:
    left = [text for text in ENGLISH_LEFTOVERS if text in html]
    assert not left, f"English on a German page: {left}"


def test_request_pages_and_queue_are_german_and_keep_the_language(portal):
    _, workflow = portal
    form = page(portal, RESEARCHER, "requests/new?lang=de").text
    assert "Neuer Datennutzungsantrag" in form and "Entwurf speichern" in form
    assert "Personen" in form and "Umgebung" in form and "Projekttitel" in form
    assert '<input type="hidden" name="lang" value="de">' in form
    assert 'href="/services/portal/requests?lang=de"' in form  # links keep the language
    assert 'href="/services/portal/requests/new?lang=en"' in form  # the switch, same page
    _no_english(form)
    alice = Actor.of("alice", "applicant")
    request_id = workflow.create(alice, application("alice", members=())).request_id
    workflow.submit(request_id, alice)
    mine = page(portal, RESEARCHER, "requests?lang=de").text
    assert "Meine Datennutzungsanträge" in mine and "Eingereicht" in mine
    assert f'href="/services/portal/requests/{request_id}?lang=de"' in mine
    _no_english(mine)
    steward_view = page(portal, STEWARD, f"requests/{request_id}?lang=de").text
    assert 'id="do-start_check">Formale Prüfung beginnen' in steward_view
    assert "Verlauf" in steward_view and "Antrag im Detail" in steward_view
    _no_english(steward_view)
    queue = page(portal, STEWARD, "queue/steward?lang=de").text
    assert "Eingang Data Stewards" in queue and f'id="row-{request_id}"' in queue
    _no_english(queue)
    # The action form posts the language back: the answer stays German.
    done = page(
        portal, STEWARD, f"requests/{request_id}/actions/start_check", "POST", data={"lang": "de"}
    )
    assert done.status_code == 303
    assert done.headers["Location"] == f"/services/portal/requests/{request_id}?lang=de"
    assert workflow.get(request_id).state == State.FORMAL_CHECK
    refused = page(
        portal, STEWARD, f"requests/{request_id}/actions/reject", "POST", data={"lang": "de"}
    )
    assert refused.status_code == 400 and "Was Sie jetzt tun können" in refused.text


def test_accept_language_chooses_german_and_lang_overrides_it(portal):
    german_browser = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    mine = page(portal, RESEARCHER, "requests", headers=german_browser).text
    assert '<html lang="de">' in mine and "Meine Datennutzungsanträge" in mine
    english = page(portal, RESEARCHER, "requests?lang=en", headers=german_browser).text
    assert '<html lang="en">' in english and "My access requests" in english
    assert 'href="/services/portal/algorithms?lang=en"' in english  # the choice is kept
    plain = page(portal, RESEARCHER, "requests").text
    assert '<html lang="en">' in plain and 'href="/services/portal/algorithms"' in plain
    # The search page too: chips and the language switch keep an explicit English.
    search = page(portal, RESEARCHER, "?q=thorax&lang=en", headers=german_browser).text
    chips = search.split('id="active-filters"', 1)[1].split("</section>", 1)[0]
    assert '<html lang="en">' in search and 'href="/services/portal/?lang=en"' in chips
    switch = page(portal, RESEARCHER, "?q=thorax", headers=german_browser).text
    switch = switch.split('id="lang-switch"', 1)[1].split("</p>", 1)[0]
    assert 'href="/services/portal/?q=thorax&amp;lang=en"' in switch
    english_browser = {"Accept-Language": "en-GB,en;q=0.9,de;q=0.8"}
    assert (
        "My access requests" in page(portal, RESEARCHER, "requests", headers=english_browser).text
    )


def test_german_form_error_keeps_the_input_and_the_language(portal):
    _, workflow = portal
    before = len(workflow.list_for("alice"))
    typed = {"project.title": "Meine Studie", "project.end": "31.12.", "save": "1", "lang": "de"}
    found = page(portal, RESEARCHER, "requests/new", "POST", data=typed)
    assert found.status_code == 422
    html = found.text
    assert "Bitte korrigieren Sie 1 Feld" in html and "es wurde nichts gespeichert" in html
    assert 'value="Meine Studie"' in html and 'value="31.12."' in html
    assert '<input type="hidden" name="lang" value="de">' in html
    _no_english(html)
    assert len(workflow.list_for("alice")) == before


def test_error_page_and_algorithms_are_german(portal):
    missing = page(portal, TRAINEE, "requests/AR-999999?lang=de")
    assert missing.status_code == 404 and "Nicht gefunden" in missing.text
    assert "Zurück zum Katalog" in missing.text
    algorithms = page(portal, TRAINEE, "algorithms?lang=de").text
    assert "<h1>Algorithmen</h1>" in algorithms


def test_every_translated_text_has_german():
    """Each literal passed to ``_()`` in a template, each action label, form label, help
    text and Five Safes heading, and each request state has a German entry."""
    from kimed_hub.portal_service import page_forms, page_views

    templates = pathlib.Path(page_views.__file__).parent / "templates"
    texts = set()
    for template in templates.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        texts |= set(re.findall(r"""\b_\(\s*"([^"]*)"\s*\)""", source))
        texts |= set(re.findall(r"""\b_\(\s*'([^']*)'\s*\)""", source))
    assert len(texts) > 100  # the pattern still finds them
    texts |= set(pages.ACTION_LABELS.values()) | {state.value for state in State}
    for section in page_forms.SECTIONS:
        texts |= {section.title, section.intro}
        for field in section.fields:
            texts |= {field.label, field.help} - {""}
            if field.path == "data.level":
                texts |= {text for _, text in field.options}
    texts |= {field.label for field in page_forms.MEMBER_FIELDS} | {"— choose —"}
    missing = sorted(texts - set(page_views.GERMAN))
    assert not missing, f"no German for: {missing}"


def test_accept_language_parsing():
    from kimed_hub.portal_service.page_views import preferred_language

    assert preferred_language("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert preferred_language("en-US,en;q=0.9,de;q=0.8") == "en"
    assert preferred_language("fr-FR, de;q=0.5") == "de"
    assert preferred_language("de;q=0, en") == "en"
    assert preferred_language("") == "en" and preferred_language("fr") == "en"
