"""The airlock's journey in a real browser (Debian chromium via Playwright), one hub.

A researcher's code in their own server writes a table with a small cell and a figure
into their home; in the portal they ask for both to be released; the automated checks
flag the small cell (rule and cell, never the value); two output checkers, each in their
own browser context, look at the files and ask for changes independently (the second
sees neither the first's vote nor its reason before voting); the researcher fixes the
table in their server and resubmits; two checkers approve independently; the researcher
downloads the released table, and a third user gets 404 for it. The refusals through
the pages: an output checker reviewing their own request, a checker from the
requester's project, and a checker voting twice (a second tab with the form) each get
the form's error page, and nothing is recorded.

Screenshots of every step are kept in ``test-artifacts/airlock-journey/``.
"""

from __future__ import annotations

import json
import os

import pytest
import requests
from playwright.sync_api import Page, expect

import docker
from kimed_hub.paths import project_root
from kimed_hub.runtime import runtime_client
from kimed_hub.testing import HubProcess, new_prefix
from tests.browser.conftest import portal_login
from tests.conftest import serve_module_hub
from tests.integration.portal_helpers import act, apply, ok, policies_with_accounts, portal

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PORTAL = "/services/portal/"
ARTIFACTS = project_root() / "test-artifacts" / "airlock-journey"
EXTRA = [
    {"username": "checker2", "groups": ["output-checkers"], "description": "2nd checker"},
    {"username": "teamchecker", "groups": ["output-checkers"], "description": "on the team"},
    {
        "username": "selfchecker",
        "groups": ["researchers", "output-checkers"],
        "description": "a researcher who is also an output checker",
    },
]
WHY = "Table 2 and figure 1 of the paper: counts by age group and sex, for the journal."
#: Run in the researcher's own server (kernel python-base): the outputs of an analysis.
WRITE_OUTPUTS = """
import json, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
out = os.path.expanduser("~/out")
os.makedirs(out, exist_ok=True)
table = pd.DataFrame({"age_group": ["18-39", "18-39", "40-64", "40-64"],
                      "sex": ["f", "m", "f", "m"], "n": [25, 3, 42, 38]})
table.to_csv(f"{out}/table.csv", index=False)
figure, axes = plt.subplots(figsize=(4, 3))
axes.bar(["18-39", "40-64"], [28, 80])
figure.savefig(f"{out}/figure.png")
print(json.dumps(sorted(os.listdir(out))))
"""
#: The fix: the sexes merged, so no cell is below the threshold.
FIX_TABLE = """
import os
import pandas as pd
path = os.path.expanduser("~/out/table.csv")
pd.read_csv(path).groupby("age_group", as_index=False)["n"].sum().to_csv(path, index=False)
print(open(path).read())
"""
FIXED = "age_group,n\n18-39,28\n40-64,80\n"
TABLE, FIGURE = "out/table.csv", "out/figure.png"


@pytest.fixture(scope="module")
def airlock_hub(singleuser_image, tmp_path_factory, request):
    """One hub for the module, with a second checker, a checker on the researcher's team
    and a researcher who is also an output checker."""
    policies = policies_with_accounts(tmp_path_factory.mktemp("policies"), EXTRA)
    hub = HubProcess(
        tmp_path_factory.mktemp("airlock-journey"),
        new_prefix(),
        extra_env={"KIMED_POLICIES_DIR": str(policies)},
    )
    yield from serve_module_hub(request, hub, ARTIFACTS)


@pytest.fixture(scope="module")
def team_grant(airlock_hub) -> str:
    """An ACTIVE access request of the researcher whose team includes ``teamchecker``
    (set up by API: the access journey has its own browser test)."""
    users = {n: airlock_hub.login(n) for n in ("researcher", "steward", "committee")}
    request_id = apply(users["researcher"], members=("teamchecker",))
    act(users["steward"], request_id, "start_check")
    act(users["steward"], request_id, "forward", comment="complete")
    act(users["committee"], request_id, "decide", decision="APPROVED", comment="sound")
    act(users["steward"], request_id, "activate")
    return request_id


def login(browser, hub: HubProcess, username: str) -> Page:
    """A fresh browser context logged in to the airlock (checkers: their queue)."""
    return portal_login(
        browser, hub, username, "airlock/queue" if "checker" in username else "airlock"
    )


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def file_row(page: Page, name: str):
    return page.locator(f".export-file[data-name='{name}']")


def open_from_queue(page: Page, hub: HubProcess, request_id: str) -> None:
    page.goto(f"{hub.url}{PORTAL}airlock/queue")
    page.click(f"#airlock-queue a:text-is('{request_id}')")
    expect(page.locator("h1")).to_contain_text(request_id)


def vote(page: Page, votes: dict[str, tuple[str, str]], screenshot: str = "") -> None:
    """Fill the review form (file name -> (vote, reason)) and submit it."""
    for name, (choice, reason) in votes.items():
        legend = page.locator(f"code:text-is('{name}')")
        fieldset = page.locator("#review-form fieldset", has=legend)
        fieldset.locator("select.vote").select_option(choice)
        fieldset.locator("input.reason").fill(reason)
    if screenshot:
        shot(page, screenshot)
    page.click("#submit-review")


def post_crafted_form(page: Page, hub: HubProcess, path: str, fields: dict[str, str]):
    """Submit a form the page does not offer (as someone editing the page would), with
    the session's own XSRF token; the response of the page it lands on."""
    # The portal's own token: of the _xsrf cookies sent to the portal, the most specific.
    cookies = [c for c in page.context.cookies(hub.url + PORTAL) if c["name"] == "_xsrf"]
    token = max(cookies, key=lambda c: len(c["path"]))["value"]
    script = """([action, fields]) => {
        const form = document.createElement("form");
        form.method = "post"; form.action = action;
        for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value;
            form.appendChild(input);
        }
        document.body.appendChild(form); form.submit();
    }"""
    with page.expect_navigation() as landed:
        page.evaluate(script, [hub.url + PORTAL + path, {"_xsrf": token, **fields}])
    return landed.value


def put_home_file(hub: HubProcess, username: str, name: str, text: str) -> None:
    """Write ``name`` into ``username``'s home volume from the host (created if new)."""
    client, volume_name = runtime_client(), f"{hub.prefix}-home-{username}"
    try:
        volume = client.inspect_volume(volume_name)
    except docker.errors.NotFound:
        volume = client.create_volume(volume_name)
    path = os.path.join(volume["Mountpoint"], name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write(text)


def test_airlock_pages_per_role(airlock_hub):
    """Who gets which airlock page (200) and who is refused (403), written out by hand."""
    pages = [("airlock", {"researcher"}), ("airlock/new", {"researcher"}),
             ("airlock/queue", {"checker"})]  # fmt: skip
    roles = ["researcher", "trainee", "steward", "committee", "checker", "auditor", "admin"]
    tokens = {role: airlock_hub.login(role).token for role in roles}
    wrong = []
    for path, allowed in pages:
        for role, token in tokens.items():
            status = _get(airlock_hub, path, token)
            # Without a home volume yet, the new-request page says so (400), else 200.
            expected = (
                ({200, 400} if path == "airlock/new" else {200}) if role in allowed else {403}
            )
            if status not in expected:
                wrong.append(f"{role} GET {path}: {status} (expected {expected})")
    assert not wrong, "\n".join(wrong)


def _get(hub: HubProcess, path: str, token: str) -> int:
    headers = {"Authorization": f"token {token}"}
    return requests.get(
        f"{hub.url}{PORTAL}{path}", headers=headers, allow_redirects=False, timeout=60
    ).status_code


def test_release_journey_in_the_browser(airlock_hub, team_grant, browser):
    hub = airlock_hub
    server = hub.login("researcher")
    server.spawn()
    assert json.loads(server.run_code(WRITE_OUTPUTS, kernel="python-base")) == [
        "figure.png",
        "table.csv",
    ]

    # The researcher asks for the table and the figure; the checks flag the small cell.
    researcher = login(browser, hub, "researcher")
    researcher.click("#new-export")
    researcher.click("#home-files a.home-folder:text-is('out/')")
    researcher.check("input[name=files][value='out/table.csv']")
    researcher.check("input[name=files][value='out/figure.png']")
    researcher.fill("#title", "Table 2 and figure 1")
    researcher.fill("#justification", WHY)
    shot(researcher, "01-request-form")
    researcher.click("#submit-export")
    expect(researcher.locator("#export-state")).to_have_text("IN_REVIEW")
    first = researcher.locator("h1").inner_text().split()[0]
    table = file_row(researcher, "out/table.csv")
    expect(table.locator(".check-status")).to_have_text("fail")
    expect(table.locator(".rule")).to_have_text(["threshold"])  # the only finding
    expect(table.locator(".cell")).to_have_text(["row 18-39 / m, column n"])
    expect(file_row(researcher, "out/figure.png").locator(".check-status")).to_have_text("review")
    shot(researcher, "02-checks-flag-the-small-cell")

    # Two checkers, each on their own, ask for changes; the second is blind to the first.
    checker = login(browser, hub, "checker")
    open_from_queue(checker, hub, first)
    _checker_views_the_files(checker)
    second_tab = checker.context.new_page()  # the same checker, the same form, a 2nd tab
    second_tab.goto(checker.url)
    vote(checker, {TABLE: ("request_changes", "Merge the sexes: 18-39 m is below 10."),
                   FIGURE: ("approve", "")}, "03-first-review")  # fmt: skip
    expect(checker.locator("#portal-error")).to_have_count(0)
    expect(checker.locator(".review")).to_have_count(1)  # their own review only
    expect(checker.locator("#export-state")).to_have_text("IN_REVIEW")  # one review: undecided
    _refused_twice(second_tab, first)

    checker2 = login(browser, hub, "checker2")
    open_from_queue(checker2, hub, first)
    expect(checker2.locator(".review")).to_have_count(0)
    assert "Merge the sexes" not in checker2.content()
    expect(researcher.locator(".inspect")).to_have_count(0)  # the requester has downloads
    expect(file_row(checker2, "out/table.csv").locator(".decision")).to_have_text("")
    shot(checker2, "04-second-checker-sees-no-first-vote")
    vote(checker2, {TABLE: ("request_changes", "18-39 m is too small."), FIGURE: ("approve", "")})
    expect(checker2.locator("#export-state")).to_have_text("CHANGES_REQUESTED")
    expect(checker2.locator(".review")).to_have_count(2)  # decided: both visible now

    # The researcher reads the reasons, fixes the table in the server and resubmits.
    researcher.reload()
    expect(researcher.locator("#export-state")).to_have_text("CHANGES_REQUESTED")
    expect(researcher.locator(".review")).to_contain_text(["Merge the sexes", "too small"])
    assert server.run_code(FIX_TABLE, kernel="python-base").strip() == FIXED.strip()
    researcher.click("#action-resubmit")
    expect(researcher.locator("#export-state")).to_have_text("IN_REVIEW")
    second = researcher.locator("h1").inner_text().split()[0]
    assert second != first
    expect(researcher.locator("h1 + p")).to_contain_text(f"resubmits {first}")
    expect(file_row(researcher, "out/table.csv").locator(".check-status")).to_have_text("pass")
    shot(researcher, "05-resubmitted")

    # Two checkers approve independently.
    open_from_queue(checker2, hub, second)
    vote(checker2, {TABLE: ("approve", ""), FIGURE: ("approve_with_comment", "Axis labels fine.")})
    expect(checker2.locator("#export-state")).to_have_text("IN_REVIEW")
    open_from_queue(checker, hub, second)
    expect(checker.locator(".review")).to_have_count(0)
    assert "Axis labels" not in checker.content()
    vote(checker, {TABLE: ("approve", ""), FIGURE: ("approve", "")})
    expect(checker.locator("#export-state")).to_have_text("RELEASED")
    expect(checker.locator(".download")).to_have_count(0)  # only the requester downloads

    # The researcher downloads the released table; a third user gets 404.
    researcher.reload()
    expect(researcher.locator("#export-state")).to_have_text("RELEASED")
    shot(researcher, "06-released")
    with researcher.expect_download() as download:
        file_row(researcher, "out/table.csv").locator(".download").click()
    assert open(download.value.path()).read() == FIXED
    link = file_row(researcher, "out/table.csv").locator(".download").get_attribute("href")
    for other in ("selfchecker", "checker2"):  # a researcher, a checker who saw it
        page = login(browser, hub, other)
        assert page.goto(hub.url + link).status == 404
        page.context.close()
    server.stop_server()
    for page in (researcher, checker, checker2):
        page.context.close()


def _checker_views_the_files(checker: Page) -> None:
    """The checker opens the table (as text) and the figure (as a PNG) in new tabs."""
    with checker.context.expect_page() as opened:
        file_row(checker, TABLE).locator(".inspect").click()
    view = opened.value
    view.wait_for_load_state()
    assert "18-39,m,3" in view.inner_text("body")  # the checker sees what they judge
    view.close()
    figure = file_row(checker, FIGURE).locator(".inspect").get_attribute("href")
    answer = checker.context.request.get(checker.url.split(PORTAL)[0] + figure)
    assert answer.status == 200 and answer.headers["content-type"] == "image/png"
    assert answer.body().startswith(b"\x89PNG")


def _refused_twice(tab: Page, request_id: str) -> None:
    """The checker's second tab still shows the form; submitting it is refused."""
    with tab.expect_response(lambda r: r.request.method == "POST") as answer:
        vote(tab, {TABLE: ("approve_with_comment", "changed my mind"), FIGURE: ("approve", "")})
    assert answer.value.status == 409
    expect(tab.locator("#portal-error")).to_contain_text(f"has already reviewed {request_id}")
    shot(tab, "03b-second-vote-refused")
    tab.close()


def _refused_review(browser, hub, username: str, request_id: str, words: str, name: str):
    page = login(browser, hub, username)
    page.goto(f"{hub.url}{PORTAL}airlock/queue")
    expect(page.locator(f"a:text-is('{request_id}')")).to_have_count(0)
    page.goto(f"{hub.url}{PORTAL}airlock/{request_id}")
    expect(page.locator("#review-form")).to_have_count(0)
    form = {"vote-0": "approve", "reason-0": "", "comment": ""}  # each has one file
    landed = post_crafted_form(page, hub, f"airlock/{request_id}/actions/review", form)
    assert landed.status == 403
    expect(page.locator("#portal-error")).to_contain_text(words)
    shot(page, f"{name}-refused")
    return page


def test_refusals_through_the_pages(airlock_hub, team_grant, browser):
    hub = airlock_hub
    # A researcher who is also an output checker asks for a release, and so does the
    # researcher (files written to their home volumes from the host, as a server would).
    put_home_file(hub, "selfchecker", "out/counts.csv", "group,n\na,40\nb,52\n")
    put_home_file(hub, "researcher", "out/other.csv", "group,n\na,40\nb,52\n")
    mine = ok(
        portal(hub.login("selfchecker"), "POST", "airlock/requests",
               json={"files": ["out/counts.csv"], "justification": WHY, "submit": True}),
        201,
    )["id"]  # fmt: skip
    theirs = ok(
        portal(hub.login("researcher"), "POST", "airlock/requests",
               json={"files": ["out/other.csv"], "justification": WHY, "submit": True}),
        201,
    )["id"]  # fmt: skip
    # Self-review, and a checker on the requester's project: not in their queue, no form
    # on the page, and the form crafted anyway is refused with the rule's message.
    pages = [
        _refused_review(browser, hub, "selfchecker", mine, "cannot review it", "07-self-review"),
        _refused_review(
            browser, hub, "teamchecker", theirs, "member of the project", "08-team-checker"
        ),
    ]

    # Nothing of it was recorded: both requests still wait for two reviews.
    checker = hub.login("checker")
    for request_id in (mine, theirs):
        found = ok(portal(checker, "GET", f"airlock/requests/{request_id}"))
        assert found["state"] == "IN_REVIEW" and found["reviews_in"] == 0, found
    for page in pages:
        page.context.close()
