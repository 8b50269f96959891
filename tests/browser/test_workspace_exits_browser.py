"""JupyterLab's side of the closed exits, in a real browser (Debian chromium, Playwright).

The researcher's server of the real image: the policy's plugins (download, copy download
link, open in a new browser tab, export as, news) are absent from the file browser's
context menu, the File menu and the command palette; re-enabling them through the plugin
manager's API fails, and turning news on in the user's settings has no effect after a
reload; the page never asks for news and talks to nothing but the hub's loopback address.
"Request release…" in the file browser's menu opens the portal's export-request page with
the right-clicked file ticked (the image's kimed-release lab extension).
Expectations come from policies/workspace-exits.yaml.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
import requests

from kimed_exits.policy import load_exits_policy
from kimed_hub.paths import policies_dir, project_root

pytestmark = [pytest.mark.integration, pytest.mark.browser]

POLICY = load_exits_policy(policies_dir() / "workspace-exits.yaml")
# The researcher: the role that may ask for a release (policies/roles.yaml).
USER, DIR = "researcher", "exits-browser"
# Menu labels of the policy's plugins in JupyterLab 4.6 (the commands they add).
CLOSED_LABELS = ("Download", "Copy Download Link", "Open in New Browser Tab")
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


@pytest.fixture(scope="module")
def researcher(hub):
    user = hub.login(USER)
    user.spawn()
    headers = {"Authorization": f"token {user.token}"}
    for path, body in (
        (DIR, {"type": "directory"}),
        (f"{DIR}/note.txt", {"type": "file", "format": "text", "content": "a note"}),
    ):
        requests.put(
            user.server_url(f"api/contents/{path}"), json=body, headers=headers, timeout=30
        ).raise_for_status()
    yield user
    # The reload test turned news on in the user's settings: put them back.
    settings = user.server_url(f"lab/api/settings/{NOTIFICATION}")
    requests.put(settings, json={"raw": "{}"}, headers=headers, timeout=30)
    user.stop_server()


@pytest.fixture(scope="module")
def lab(browser, hub, researcher):
    """A logged-in page on the researcher's JupyterLab, recording every request it makes."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.goto(f"{hub.url}/hub/login?next=/user/{USER}/lab/tree/{DIR}")
    page.fill("#username_input", USER)
    page.fill("#password_input", hub.password(USER))
    page.click("#login_submit")
    _wait_for_lab(page)
    yield page
    page.close()


def _wait_for_lab(page) -> None:
    page.wait_for_url(f"**/user/{USER}/lab**", timeout=120_000)
    page.wait_for_selector("#jp-main-dock-panel", timeout=90_000)
    page.wait_for_selector(".jp-DirListing-item:has-text('note.txt')", timeout=60_000)
    page.wait_for_timeout(2000)  # plugins that start late (announcements) have started


def _menu_labels(page) -> list[str]:
    page.wait_for_selector(".lm-Menu", timeout=10_000)
    labels = page.eval_on_selector_all(
        ".lm-Menu .lm-Menu-itemLabel", "els => els.map(e => e.textContent)"
    )
    page.keyboard.press("Escape")
    return labels


def _page_config(page) -> dict:
    return json.loads(page.eval_on_selector("#jupyter-config-data", "e => e.textContent"))


def test_page_config_disables_and_locks_the_policy_plugins(hub_diagnostics, lab):
    config = _page_config(lab)
    for plugin in POLICY.disabled_plugins:
        assert plugin in config["disabledExtensions"], plugin
        assert plugin in config["lockedExtensions"], plugin


def test_download_entries_absent_from_the_file_context_menu(hub_diagnostics, lab):
    lab.click(".jp-DirListing-item:has-text('note.txt')", button="right")
    lab.wait_for_selector(".lm-Menu", timeout=10_000)
    artifacts = project_root() / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    lab.screenshot(path=str(artifacts / "workspace-exits-file-menu.png"))
    labels = _menu_labels(lab)
    assert "Rename" in labels, labels  # it is the file browser's menu
    assert not set(labels) & set(CLOSED_LABELS), labels


def test_request_release_opens_the_portal_export_page(hub_diagnostics, lab):
    # The one way out, offered where the download entries were: the file browser's menu.
    lab.click(".jp-DirListing-item:has-text('note.txt')", button="right")
    # The open menu's entry (a menu closed by an earlier test may linger in the page).
    entry = lab.locator(".lm-Menu .lm-Menu-item:has-text('Request release…')").last
    entry.wait_for(state="visible", timeout=10_000)
    with lab.expect_popup(timeout=60_000) as opened:
        entry.click()
    portal = opened.value
    portal.wait_for_load_state(timeout=60_000)
    # The entry leads there, through the portal's login, in the user's own session, with
    # the right-clicked file ticked (the page's own checks: test_airlock_api.py).
    assert portal.url.split("?")[0].endswith("/services/portal/airlock/new"), portal.url
    ticked = portal.locator(f"input[name='files'][value='{DIR}/note.txt']")
    ticked.wait_for(timeout=30_000)
    artifacts = project_root() / "test-artifacts"
    portal.screenshot(path=str(artifacts / "workspace-exits-request-release.png"))
    assert ticked.is_checked()
    assert portal.locator("input[name='files']:checked").count() == 1
    assert portal.locator("#preselect-problems").count() == 0
    portal.close()


def test_download_and_export_absent_from_the_file_menu(hub_diagnostics, lab):
    lab.click(".lm-MenuBar-itemLabel:text-is('File')")
    labels = _menu_labels(lab)
    assert "Save All" in labels or "Save" in "".join(labels), labels
    assert "Download" not in labels, labels
    assert not [label for label in labels if label.startswith("Save and Export")], labels


def _palette(page, text: str) -> list[str]:
    page.keyboard.press("Control+Shift+C")
    box = page.wait_for_selector(".lm-CommandPalette-input", timeout=10_000)
    box.fill(text)
    page.wait_for_timeout(500)
    labels = page.eval_on_selector_all(
        ".lm-CommandPalette-itemLabel", "els => els.map(e => e.textContent)"
    )
    box.fill("")
    page.keyboard.press("Escape")
    return labels


def test_download_commands_absent_from_the_command_palette(hub_diagnostics, lab):
    assert _palette(lab, "Rename"), "the palette finds ordinary commands"
    for label in (*CLOSED_LABELS, "Export Notebook"):
        found = _palette(lab, label)
        assert not [item for item in found if label.lower() in item.lower()], (label, found)


def _fetch(page, method: str, path: str, body: dict) -> dict:
    """``fetch`` from the page as JupyterLab does (cookie + XSRF header)."""
    return page.evaluate(
        """async ([method, url, body]) => {
            const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "";
            const headers = {"Content-Type": "application/json",
                             "X-XSRFToken": decodeURIComponent(xsrf)};
            const r = await fetch(url, {method, body: JSON.stringify(body), headers});
            return {status: r.status, text: await r.text()};
        }""",
        [method, f"/user/{USER}/{path}", body],
    )


def test_reenabling_fails_and_news_stays_off_after_reload(hub_diagnostics, lab):
    for plugin in POLICY.disabled_plugins:
        answer = _fetch(lab, "POST", "lab/api/plugins", {"cmd": "enable", "plugin_name": plugin})
        assert not 200 <= answer["status"] < 300, (plugin, answer)
        assert "locked" in answer["text"], answer
    # The user's own settings ask for news and update checks...
    raw = json.dumps({"fetchNews": "true", "checkForUpdates": True})
    saved = _fetch(lab, "PUT", f"lab/api/settings/{NOTIFICATION}", {"raw": raw})
    assert saved["status"] in (200, 204), saved
    lab.requested.clear()
    lab.reload()
    _wait_for_lab(lab)
    # ...and after the reload nothing asks for news, the plugins are still off.
    assert not [url for url in lab.requested if "/lab/api/news" in url], lab.requested
    config = _page_config(lab)
    assert set(POLICY.disabled_plugins) <= set(config["disabledExtensions"])
    lab.click(".jp-DirListing-item:has-text('note.txt')", button="right")
    assert not set(_menu_labels(lab)) & set(CLOSED_LABELS)


def test_no_news_prompt_and_only_loopback_requests(hub_diagnostics, lab, hub):
    assert "official Jupyter news" not in lab.inner_text("body")
    hosts = {urlparse(url).hostname for url in lab.requested if re.match(r"^(https?|wss?)://", url)}
    assert hosts == {urlparse(hub.url).hostname}, hosts
    assert not [url for url in lab.requested if "/lab/api/news" in url]
