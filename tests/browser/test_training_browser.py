"""The training pages in a real browser: an instructor creates a workshop (a refused form
first), pre-starts it and watches the live view, collects, grades and tears it down; a
trainee starts a course and checks their work on the German course page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from kimed_hub.testing import HubProcess, new_prefix
from kimed_hub.training import check_cells, load_catalogue
from tests.conftest import dump_diagnostics

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PORTAL = "/services/portal/"


def checks_of(course_id: str) -> int:
    """How many graded checks the course has."""
    course = load_catalogue()[course_id]
    return sum(len(check_cells(json.loads(p.read_text()))) for p in course.notebook_paths())


@pytest.fixture(scope="module")
def training_hub(singleuser_image, tmp_path_factory, request):
    hub = HubProcess(tmp_path_factory.mktemp("training-browser"), new_prefix()).start()
    failed_before = request.session.testsfailed
    yield hub
    if request.session.testsfailed > failed_before:
        dump_diagnostics(hub)
    hub.close()


def login(browser, hub: HubProcess, username: str, path: str) -> Page:
    page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
    page.goto(hub.url + PORTAL + path)
    page.wait_for_selector("#username_input")
    page.fill("#username_input", username)
    page.fill("#password_input", hub.password(username))
    page.click("#login_submit")
    page.wait_for_url(f"**{PORTAL}{path}*", timeout=60_000)
    return page


def _servers(page: Page, url: str) -> list[str]:
    """The live view's server states; the page also refreshes itself while servers start,
    so a navigation of our own may be cut short by it: try again then."""
    for _ in range(3):
        try:
            page.goto(url)
            return page.locator("#participants .participant").evaluate_all(
                "rows => rows.map(r => r.dataset.server)"
            )
        except PlaywrightError:
            page.wait_for_timeout(1000)
    return []


def test_instructor_runs_a_workshop_in_the_browser(training_hub, browser):
    page = login(browser, training_hub, "instructor", "training/workshops")
    expect(page.locator("#no-workshops")).to_be_visible()
    page.fill("#title", "Geheimhaltung kompakt")
    page.select_option("#course", "disclosure-control")
    page.fill("#new_accounts", "31")
    page.click("#create-workshop")
    expect(page.locator("#workshop-error")).to_contain_text("at most 30 per workshop")
    expect(page.locator("#title")).to_have_value("Geheimhaltung kompakt")  # values kept
    expect(page.locator("#no-workshops")).to_be_visible()  # nothing created

    page.fill("#new_accounts", "2")
    page.click("#create-workshop")
    expect(page.locator("#workshop-title")).to_have_text("Geheimhaltung kompakt")
    expect(page.locator("#logins .login")).to_have_count(2)
    assert page.locator("#logins-csv").get_attribute("href").startswith("data:text/csv")

    page.click("#action-prestart")
    expect(page.locator("#workshop-done")).to_contain_text("prestart")
    workshop_url = page.url.split("?")[0]
    for _ in range(120):
        servers = _servers(page, workshop_url)
        if servers and all(s in ("ready", "active") for s in servers):
            break
        page.wait_for_timeout(5000)
    assert all(s in ("ready", "active") for s in servers), servers
    page.goto(workshop_url)

    page.click("#action-collect")
    expect(page.locator("#workshop-state")).to_have_text("COLLECTED")
    page.click("#action-grade")
    expect(page.locator("#workshop-state")).to_have_text("GRADED", timeout=120_000)
    expect(page.locator("#results .result")).to_have_count(2 * checks_of("disclosure-control"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#action-teardown")
    expect(page.locator("#workshop-state")).to_have_text("CLOSED", timeout=120_000)
    expect(page.locator("#participants .participant[data-server='gone']")).to_have_count(2)
    expect(page.locator("#results .result")).to_have_count(2 * checks_of("disclosure-control"))


def test_trainee_starts_and_checks_a_course_in_german(training_hub, browser):
    page = login(browser, training_hub, "trainee", "training/courses?lang=de")
    expect(page.locator("h1")).to_have_text("Kurskatalog")
    card = page.locator("#course-secure-environment")
    expect(card.locator("h2")).to_have_text("Arbeiten in der sicheren Verarbeitungsumgebung")
    # starting the course starts the trainee's server first: the answer can take minutes
    with page.expect_navigation(timeout=300_000):
        page.click("#start-secure-environment", timeout=300_000)
    expect(page.locator("#course-started")).to_contain_text(
        "courses/secure-environment/", timeout=180_000
    )
    with page.expect_navigation(timeout=300_000):
        page.click("#check-secure-environment", timeout=300_000)
    expect(page.locator("#course-checked")).to_be_visible(timeout=180_000)
    progress = page.locator("#course-secure-environment .course-progress")
    expect(progress).to_have_text(re.compile(rf"0 / {checks_of('secure-environment')}"))
    expect(page.locator("#course-secure-environment .result").first).to_contain_text(
        "Not attempted"
    )
