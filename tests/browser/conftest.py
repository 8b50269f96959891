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
