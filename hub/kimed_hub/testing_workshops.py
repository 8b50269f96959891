"""Driving workshops through the portal's REST API, for tests and ``bench/workshop.py``.

Every call goes through the real proxy and the hub's token check, as an instructor's
script would (``/services/portal/api/v1/training/...``).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import requests

from .testing import HubUser

TRAINING_API = "/services/portal/api/v1/training/"


def training_call(user: HubUser, method: str, path: str, **kwargs) -> requests.Response:
    """One training API call as ``user`` (no redirects followed)."""
    return requests.request(
        method,
        f"{user.hub.url}{TRAINING_API}{path}",
        headers={"Authorization": f"token {user.token}"},
        allow_redirects=False,
        timeout=kwargs.pop("timeout", 300),
        **kwargs,
    )


def workshop_fields(trainees: int, course: str = "secure-environment", **changes) -> dict:
    """A valid workshop request starting today, for one day."""
    today = date.today()
    fields = {
        "title": f"Workshop of {trainees}",
        "course": course,
        "starts": str(today),
        "ends": str(today + timedelta(days=1)),
        "new_accounts": trainees,
        "enrol": [],
    }
    fields.update(changes)
    return fields


def create_workshop(instructor: HubUser, trainees: int, **changes) -> dict:
    """Create a workshop; its answer (workshop, logins, csv)."""
    response = training_call(
        instructor, "POST", "workshops", json=workshop_fields(trainees, **changes)
    )
    if response.status_code != 201:
        raise RuntimeError(f"workshop not created: {response.status_code} {response.text}")
    return response.json()


def wait_until_ready(instructor: HubUser, slug: str, timeout: float = 600, poll: float = 1.0):
    """Poll the live view until every participant's server is ready (or active) and has
    its material; return (seconds, last status rows). Raises TimeoutError with the rows."""
    started = time.monotonic()
    rows: list = []
    while time.monotonic() - started < timeout:
        rows = training_call(instructor, "GET", f"workshops/{slug}").json()["participants"]
        if all(
            r["server"] in ("ready", "active") and r["prestart"] == "material given" for r in rows
        ):
            return time.monotonic() - started, rows
        if any(r["prestart"].startswith("failed") for r in rows):
            raise RuntimeError(f"pre-start failed: {rows}")
        time.sleep(poll)
    raise TimeoutError(f"not all ready after {timeout} s: {rows}")
