"""A real browser (Debian chromium via Playwright): log in, reach JupyterLab, screenshot.

The screenshot is kept in ``test-artifacts/`` (CI keeps that folder).
"""

from __future__ import annotations

import pytest

from kimed_hub.paths import project_root

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_login_reaches_jupyterlab(hub_diagnostics, browser):
    hub = hub_diagnostics
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", "instructor")
    page.fill("#password_input", hub.password("instructor"))
    page.click("#login_submit")
    # Instructors may choose between two resource profiles (policies/roles.yaml).
    page.wait_for_selector("#spawn_form", timeout=60_000)
    offered = page.eval_on_selector_all("input[name=profile]", "els => els.map(e => e.value)")
    assert offered == ["cpu-standard", "cpu-large"]
    artifacts = project_root() / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "spawn-profile-choice.png"))
    page.check("input[value=cpu-standard]")
    page.click("#spawn_form [type=submit]")
    page.wait_for_url("**/user/instructor/lab**", timeout=120_000)
    page.wait_for_selector("#jp-main-dock-panel", timeout=90_000)
    page.wait_for_selector(".jp-LauncherCard", timeout=60_000)
    page.screenshot(path=str(artifacts / "jupyterlab-after-login.png"))
    assert "JupyterLab" in page.title()
    page.close()
    hub.login("instructor").stop_server()
