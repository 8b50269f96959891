"""The notebook widgets against the real portal: a real hub, real logins, real tokens.

The widgets run in this test process (ipywidgets work without a frontend): each is
driven as a researcher would drive it, by setting control values and clicking buttons,
with ``KIMED_PORTAL_URL`` pointing at the hub's proxy and the user's own hub token, so
every call passes the proxy, the hub's token check and the portal's scope checks. The
portal was started by the hub with the demo catalogue. The last test imports the widgets
inside a spawned server's kernel and uses the server's own token and portal address.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from kimed_hub.catalogue.demo import demo_records
from kimed_hub.catalogue.model import Dataset
from kimed_hub.catalogue.vocab import vocabularies
from kimed_hub.serde import to_data
from kimed_widgets import PortalClient, dataset_card, my_requests, render, request_form, search
from kimed_widgets.form import ApplicationDraft
from tests.integration.portal_helpers import API, DEMO_DATASET, portal
from tests.portal.samples import application

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def users(hub):
    return {role: hub.login(role) for role in ("researcher", "trainee", "checker")}


@pytest.fixture
def as_user(hub_diagnostics, users, monkeypatch):
    """Point the widgets at the hub's portal with ``role``'s token, as the spawner does
    for a server ($KIMED_PORTAL_URL, $JUPYTERHUB_API_TOKEN); no client is passed."""

    def use(role: str) -> PortalClient:
        monkeypatch.setenv("KIMED_PORTAL_URL", f"{hub_diagnostics.url}{API}")
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", users[role].token)
        return PortalClient()

    return use


@cache
def demo_datasets() -> dict[str, Dataset]:
    """The datasets of the shipped demo files (what the hub's portal loaded at start);
    expectations are computed from them. Other tests of the session may add records, so
    counts are lower bounds."""
    records = demo_records("https://kimed.example.org/catalogue/")
    return {r.identifier: r for r in records if isinstance(r, Dataset)}


def demo_dataset(identifier: str) -> Dataset:
    return demo_datasets()[identifier]


def hit_texts(widget) -> list[str]:
    return [render.plain(row.children[0].value) for row in widget.hits.children]


def test_search_facets_narrow_and_synthetic_versions_are_marked(as_user):
    as_user("researcher")
    widget = search(page_size=50)
    assert widget.notice.shown == ""
    everything = widget.result["total"]
    assert everything >= len(demo_datasets())
    ct = widget.facet_boxes["modality"]["CT"]
    ct_count = int(ct.description.rsplit("(", 1)[1].rstrip(")"))
    ct.value = True
    assert 0 < widget.result["total"] == ct_count < everything
    assert all("CT" in hit["facets"]["modality"] for hit in widget.result["hits"])
    ct_label = vocabularies().label("modality", "CT", "en")
    assert [c.description for c in widget.chips.children] == [f"Modality: {ct_label} ✕"]
    widget.chips.children[0].click()
    assert widget.result["total"] == everything and not widget.chips.children
    widget.facet_boxes["dataset_type"]["SYNTHETIC_DATA"].value = True
    texts = hit_texts(widget)
    assert texts and all(render.SYNTHETIC_BADGE in text for text in texts)
    synthetic = {i for i, record in demo_datasets().items() if record.is_synthetic}
    assert synthetic <= {hit["identifier"] for hit in widget.result["hits"]}


def test_text_search_finds_the_demo_dataset_and_opens_its_card(as_user):
    as_user("researcher")
    expected = demo_dataset(DEMO_DATASET)
    widget = search()
    widget.text.value = expected.title.en.split("(")[0]
    ids = [hit["identifier"] for hit in widget.result["hits"]]
    assert DEMO_DATASET in ids
    widget.hits.children[ids.index(DEMO_DATASET)].children[1].click()  # "details"
    (card,) = widget.detail.children
    assert expected.title.en in render.plain(card.body.value)


def test_dataset_card_shows_the_demo_record(as_user):
    as_user("researcher")
    expected = demo_dataset(DEMO_DATASET)
    card = dataset_card(DEMO_DATASET, lang="de")
    text = render.plain(card.body.value)
    assert card.notice.shown == ""
    assert expected.title.de in text and expected.custodian.name in text
    assert f"{expected.number_of_individuals:,}" in text
    assert render.SYNTHETIC_BADGE not in text and card.request_button.layout.display is None
    synthetic = next(r for r in demo_datasets().values() if r.is_synthetic)
    synthetic_card = dataset_card(synthetic.identifier)
    assert render.SYNTHETIC_BADGE in render.plain(synthetic_card.body.value)
    assert synthetic.identifier in render.plain(dataset_card(synthetic.derived_from).body.value)


def test_unknown_dataset_shows_the_portals_message(as_user):
    as_user("researcher")
    card = dataset_card("no-such-dataset")
    assert "no-such-dataset" in card.notice.shown and card.body.value == ""


def test_request_form_submits_and_my_requests_shows_it(as_user, users):
    client = as_user("researcher")
    widget = request_form(dataset=DEMO_DATASET)
    filled = ApplicationDraft.from_application(
        to_data(application("researcher", members=(), datasets=[DEMO_DATASET]))
    )
    widget.fill(filled)
    # First an incomplete try: the portal's verdict appears by field, input stays.
    widget.controls["project.lay_summary"].value = ""
    widget.submit_button.click()
    assert "is required" in render.plain(widget.problems["project.lay_summary"].value)
    assert widget.controls["project.title"].value == filled.values["project.title"]
    draft_id = widget.request_id
    assert client.access_request(draft_id)["state"] == "DRAFT"  # saved, not submitted
    # Completed, the same draft is submitted.
    widget.controls["project.lay_summary"].value = "Wir prüfen, ob KI Rundherde findet."
    widget.submit_button.click()
    assert widget.request_id == draft_id
    assert f"Request {draft_id} is SUBMITTED" in widget.notice.shown
    assert widget.submit_button.disabled
    listed = {item["id"]: item for item in client.my_requests()}
    assert listed[draft_id]["state"] == "SUBMITTED"
    assert listed[draft_id]["datasets"] == [DEMO_DATASET]
    mine = my_requests()
    assert mine.states()[draft_id] == "SUBMITTED"
    assert f'href="/services/portal/requests/{draft_id}"' in mine.table.value


def test_trainee_is_refused_with_the_portals_message(as_user, users):
    client = as_user("trainee")
    before = client.my_requests()
    widget = request_form(dataset=DEMO_DATASET)
    widget.controls["project.title"].value = "Kursprojekt"
    widget.save_button.click()
    # The same call made directly: the widget shows the portal's own words.
    body = {"application": {"project": {"title": "Kursprojekt"}}}
    direct = portal(users["trainee"], "POST", "requests", json=body)
    assert direct.status_code == 403
    assert widget.notice.shown == direct.json()["message"] != ""
    assert widget.request_id is None and client.my_requests() == before  # nothing stored
    assert search().result["total"] > 0  # reading the catalogue is allowed


def test_role_without_catalogue_access_sees_why(as_user):
    # The output checker reaches the portal for the airlock only: no catalogue scope.
    as_user("checker")
    widget = search()
    assert "read:catalogue" in widget.notice.shown
    assert widget.hits.children == ()


def test_widgets_in_a_spawned_servers_kernel(hub_diagnostics, users):
    """Inside the container: the image's kernel imports the widgets, which find the
    portal and authenticate with the server's own environment (nothing passed in)."""
    researcher = users["researcher"]
    researcher.spawn()
    try:
        code = (
            "import json, os\n"
            "from kimed_widgets import search, my_requests, dataset_card, render\n"
            "s = search()\n"
            f"card = dataset_card({DEMO_DATASET!r})\n"
            "answer = {'url': os.environ.get('KIMED_PORTAL_URL', ''),\n"
            "  'error': s.notice.shown + card.notice.shown + my_requests().notice.shown,\n"
            "  'total': (s.result or {}).get('total'),\n"
            "  'card': render.plain(card.body.value)}\n"
            "print(json.dumps(answer))\n"
        )
        answer = json.loads(researcher.run_code(code, timeout=120))
    finally:
        researcher.stop_server()
    assert answer["url"].endswith(API)
    assert answer["error"] == ""
    assert answer["total"] >= len(demo_datasets())
    assert demo_dataset(DEMO_DATASET).title.en in answer["card"]
