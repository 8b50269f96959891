"""The whole access journey in a real browser (Debian chromium via Playwright), one hub.

A researcher finds a dataset in the portal, requests it with the Five Safes form; a data
steward checks and forwards it, a committee member approves it, the steward activates
it; the researcher's next server has ``/data/<dataset>`` read-only; the steward revokes
the grant, the portal stops the running server, and the next server has no such folder.
Also: the form shows a server-side error next to the field and keeps what was typed,
and nobody outside a request sees its page.

Screenshots of every step are kept in ``test-artifacts/portal-journey/`` (CI keeps that
folder). Each person has their own browser context (own cookies), as on separate PCs.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from playwright.sync_api import Page, expect

from kimed_hub.paths import project_root
from kimed_hub.testing import HubProcess, new_prefix
from tests.browser.conftest import portal_login
from tests.conftest import serve_module_hub
from tests.integration.portal_helpers import data_probe

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DATASET = "roentgen-thorax-chemnitz"  # in the demo catalogue the hub's portal loads
PORTAL = "/services/portal/"
ARTIFACTS = project_root() / "test-artifacts" / "portal-journey"
#: The grant test's probe (lists /data, reads README.txt, tries to write), for our dataset.
PROBE = data_probe(DATASET)
#: What the researcher types into the request form (field id → value).
APPLICATION = {
    "#f-people-applicant-name": "Rita Researcher",
    "#f-people-applicant-email": "rita@uni-leipzig.kimed.example.org",
    "#f-people-applicant-institution": "Universität Leipzig (fiktiv)",
    "#f-project-title": "Lungenrundherde im Röntgenbild",
    "#f-project-lay_summary": "Wir prüfen, ob KI Rundherde im Röntgen-Thorax findet.",
    "#f-project-aims": "Sensitivität und Spezifität messen",
    "#f-project-methods": "CNN, fünffache Kreuzvalidierung",
    "#f-project-start": "2025-01-01",
    "#f-project-end": "2030-12-31",
    "#f-data-minimisation": "Nur Thorax-Aufnahmen mit Befund",
    "#f-outputs-expected_outputs": "Publikation, Modellgewichte",
    "#f-outputs-disclosure_control": "Ausgabeprüfung vor jedem Export",
    "#f-outputs-retention_until": "2031-12-31",
    "#f-outputs-destruction_method": "Löschung nach Projektende",
}


@pytest.fixture(scope="module")
def portal_hub(singleuser_image, tmp_path_factory, request):
    """One hub for the module; its data folder holds the (fictional) dataset's files."""
    root = tmp_path_factory.mktemp("portal-journey")
    folder = root / "data" / DATASET
    folder.mkdir(parents=True)
    (folder / "README.txt").write_text("fictional chest X-ray sample")
    hub = HubProcess(root / "hub", new_prefix(), extra_env={"KIMED_DATA_DIR": str(folder.parent)})
    yield from serve_module_hub(request, hub, ARTIFACTS)


def login(browser, hub: HubProcess, username: str) -> Page:
    """A fresh browser context logged in to the portal's start page."""
    return portal_login(browser, hub, username)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def act(page: Page, action: str, state: str, comment: str = "") -> None:
    """Press an action button on the request page (with a comment) and check the state."""
    if comment:
        page.fill(f"#comment-{action}", comment)
    page.click(f"#do-{action}")
    expect(page.locator("#request-state")).to_have_text(state)


#: The pages × the demo roles, written out by hand (like the API's matrix in
#: tests/integration/test_authorization_matrix.py): the roles that get the page (200);
#: everyone else gets 403. The output checker reaches the portal for the airlock (its
#: pages: tests/browser/test_airlock_journey.py): the start page sends it to its queue
#: (302), it sees its own (empty) list of access requests, as over the API, and nothing
#: of the catalogue.
PORTAL_USERS = {"researcher", "trainee", "instructor", "steward", "committee", "auditor", "admin"}
PAGES = [
    ("", PORTAL_USERS),
    (f"datasets/{DATASET}", PORTAL_USERS),
    ("algorithms", PORTAL_USERS),
    ("requests", PORTAL_USERS | {"checker"}),
    ("requests/new", {"researcher"}),
    ("queue/steward", {"steward"}),
    ("queue/committee", {"committee"}),
]


def test_page_matrix_every_role(portal_hub):
    tokens = {role: _auth(portal_hub.login(role)) for role in [*PORTAL_USERS, "checker"]}
    wrong = []
    for path, allowed in PAGES:
        for role, headers in sorted(tokens.items()):
            url = f"{portal_hub.url}{PORTAL}{path}"
            status = requests.get(
                url, headers=headers, allow_redirects=False, timeout=30
            ).status_code
            expected = 200 if role in allowed else 403
            if (path, role) == ("", "checker"):
                expected = 302  # to the airlock's queue
            if status != expected:
                wrong.append(f"{role} GET {PORTAL}{path}: {status}")
    assert not wrong, "\n".join(wrong)


def test_form_error_is_shown_next_to_the_field_and_input_is_kept(portal_hub, browser):
    page = login(browser, portal_hub, "researcher")
    page.goto(f"{portal_hub.url}{PORTAL}requests")
    before = page.locator("#my-requests tbody tr").count()
    page.goto(f"{portal_hub.url}{PORTAL}requests/new?dataset={DATASET}")
    page.fill("#f-project-title", "Meine Studie")
    page.fill("#f-people-applicant-email", "rita-at-example")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#save-draft")
    assert answer.value.status == 422
    expect(page.locator("#f-people-applicant-email-error")).to_contain_text(
        "is not an e-mail address"
    )
    expect(page.locator("#portal-error")).to_contain_text("nothing was stored")
    assert page.input_value("#f-project-title") == "Meine Studie"
    assert page.input_value("#f-people-applicant-email") == "rita-at-example"
    assert page.input_value("#f-data-datasets") == DATASET
    shot(page, "00-form-error-keeps-input")
    page.goto(f"{portal_hub.url}{PORTAL}requests")
    assert page.locator("#my-requests tbody tr").count() == before  # nothing stored
    page.context.close()


def test_a_request_page_is_refused_to_someone_outside_it(portal_hub):
    researcher, trainee = portal_hub.login("researcher"), portal_hub.login("trainee")
    portal = portal_hub.url + PORTAL
    draft = {"people": {"applicant": {"name": "Rita"}}, "project": {"title": "Nur fürs Team"}}
    created = requests.post(
        portal + "api/v1/requests",
        json={"application": draft},
        headers=_auth(researcher),
        timeout=30,
    )
    assert created.status_code == 201, created.text
    page = f"{portal}requests/{created.json()['id']}"
    assert "Nur fürs Team" in requests.get(page, headers=_auth(researcher), timeout=30).text
    refused = requests.get(page, headers=_auth(trainee), timeout=30)
    assert refused.status_code == 404
    assert "there is no access request" in refused.text and "Nur fürs Team" not in refused.text


def _auth(user) -> dict[str, str]:
    return {"Authorization": f"token {user.token}"}


def test_access_journey_in_the_browser(portal_hub, browser):
    hub, timings, started = portal_hub, {}, time.monotonic()

    # The researcher finds the dataset: text, a facet, the synthetic version marked.
    researcher = login(browser, hub, "researcher")
    shot(researcher, "01-search")
    researcher.fill("#q", "Röntgen Thorax")
    researcher.click("#search-button")
    expect(researcher.locator("#hit-roentgen-thorax-chemnitz-synthetisch")).to_contain_text(
        "synthetic — not for inference"
    )
    researcher.check("#facet-modality-XR")  # applies at once
    expect(researcher.locator("#active-filters")).to_contain_text("Modality: X-ray")
    expect(researcher.locator(f"#hit-{DATASET}")).to_be_visible()
    shot(researcher, "02-search-results")
    researcher.click(f"#hit-{DATASET} a")
    expect(researcher.locator("#synthetic-versions")).to_contain_text(f"{DATASET}-synthetisch")
    shot(researcher, "03-dataset")

    # ... and requests it.
    researcher.click("#request-access")
    assert researcher.input_value("#f-data-datasets") == DATASET
    for selector, value in APPLICATION.items():
        researcher.fill(selector, value)
    researcher.select_option("#f-data-level", "pseudonymised-record-level")
    researcher.select_option("#f-data-legal_basis", "GDPR-A6-1-e")
    researcher.select_option("#f-data-special_category_condition", "GDPR-A9-2-j")
    researcher.check("#f-terms_accepted_by")
    shot(researcher, "04-request-form")
    researcher.click("#save-submit")
    expect(researcher.locator("#request-state")).to_have_text("SUBMITTED")
    request_id = researcher.inner_text("#request-id")
    shot(researcher, "05-submitted")
    timings["request submitted"] = time.monotonic() - started

    # The data steward checks it and forwards it to the committee.
    steward = login(browser, hub, "steward")
    steward.goto(f"{hub.url}{PORTAL}queue/steward")
    steward.click(f"#row-{request_id} a")
    act(steward, "start_check", "FORMAL_CHECK")
    act(steward, "forward", "COMMITTEE_REVIEW", "Formal vollständig.")
    shot(steward, "06-forwarded")

    # A committee member approves it.
    committee = login(browser, hub, "committee")
    committee.goto(f"{hub.url}{PORTAL}queue/committee")
    committee.click(f"#row-{request_id} a")
    committee.select_option("#decision", "APPROVED")
    act(committee, "decide", "APPROVED", "Zweck und Umfang angemessen.")
    shot(committee, "07-approved")

    # The steward activates the grant.
    steward.reload()
    act(steward, "activate", "ACTIVE")
    expect(steward.locator("#grant")).to_contain_text(f"/data/{DATASET}")
    shot(steward, "08-active")
    timings["grant active"] = time.monotonic() - started

    # The researcher's next server has the data, read-only.
    user = hub.login("researcher")
    user.spawn()
    seen = json.loads(user.run_code(PROBE))
    assert seen["listing"] == [DATASET] and seen["content"] == "fictional chest X-ray sample"
    assert seen["write"] in ("OSError", "PermissionError")  # read-only mount
    timings["server with data"] = time.monotonic() - started

    # The steward revokes it: the portal stops the running server at once ...
    act(steward, "revoke", "REVOKED", "Einwilligung zurückgezogen.")
    shot(steward, "09-revoked")
    deadline = time.monotonic() + 60
    while user.server_state() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not user.server_state(), "the portal did not stop the server of a revoked grant"
    timings["server stopped"] = time.monotonic() - started

    # ... and the next server has no /data at all.
    user.spawn()
    assert json.loads(user.run_code(PROBE)) == {"listing": None}
    user.stop_server()
    researcher.goto(f"{hub.url}{PORTAL}requests")
    expect(researcher.locator(f"#row-{request_id}")).to_contain_text("REVOKED")
    shot(researcher, "10-my-requests")
    for context in (researcher.context, steward.context, committee.context):
        context.close()
    timings["total"] = time.monotonic() - started
    print("journey timings (s):", {k: round(v, 1) for k, v in timings.items()})
