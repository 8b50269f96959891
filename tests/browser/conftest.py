"""What every browser test shares: Debian chromium driven by Playwright, one per module."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
# Flags that keep chromium from reaching for Google's services (loopback-only machines).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            "Debian chromium is missing: `apt-get install chromium` (kimed test installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def portal_login(browser, hub, username: str, path: str = ""):
    """A fresh browser context (own cookies, as on another PC): open the portal page
    ``path``, get sent to the hub's login form, log in as ``username``, come back."""
    from playwright.sync_api import expect

    portal = "/services/portal/"
    page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
    page.goto(hub.url + portal + path)
    page.wait_for_selector("#username_input")  # the hub's login form, not the portal
    page.fill("#username_input", username)
    page.fill("#password_input", hub.password(username))
    page.click("#login_submit")
    page.wait_for_url(f"**{portal}{path}", timeout=60_000)
    expect(page.locator("#portal-user")).to_have_text(username)
    return page
