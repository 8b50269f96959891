"""Calling the portal's REST API as a logged-in hub user, and the access journey by API.

Shared by the portal API, grants and fuzz tests: every call goes through the real proxy
and hub login (``Authorization: token``), as the widgets' calls do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import requests
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.serde import to_data
from kimed_hub.testing import HubUser
from tests.portal.samples import application

API = "/services/portal/api/v1/"
#: A dataset of the shipped demo catalogue (the hub loads it at start).
DEMO_DATASET = "ct-thorax-lungenrundherde-leipzig"


def portal(user: HubUser | None, method: str, path: str, **kwargs) -> requests.Response:
    """One API call as ``user`` (None: without any credential); no redirects followed."""
    hub = kwargs.pop("hub", None) or user.hub
    headers = dict(kwargs.pop("headers", {}))
    if user is not None:
        headers["Authorization"] = f"token {user.token}"
    return requests.request(
        method,
        f"{hub.url}{API}{path}",
        headers=headers,
        allow_redirects=False,
        timeout=kwargs.pop("timeout", 60),
        **kwargs,
    )


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


def application_data(applicant: str, members: tuple[str, ...] = (), dataset=DEMO_DATASET):
    """A complete application (JSON data) for one demo dataset."""
    return to_data(application(applicant, members=members, datasets=[dataset]))


def apply(user: HubUser, members: tuple[str, ...] = ()) -> str:
    """``user`` creates and submits a complete request; its id."""
    created = ok(
        portal(
            user, "POST", "requests", json={"application": application_data(user.name, members)}
        ),
        201,
    )
    assert created["state"] == "DRAFT"
    ok(portal(user, "POST", f"requests/{created['id']}/actions/submit"))
    return created["id"]


def act(user: HubUser, request_id: str, action: str, status: int = 200, **body) -> dict:
    return ok(portal(user, "POST", f"requests/{request_id}/actions/{action}", json=body), status)


def grant(applicant: HubUser, steward: HubUser, committee: HubUser, **activation) -> str:
    """The whole journey to ACTIVE through the API, each step by its role; the id."""
    request_id = apply(applicant)
    act(steward, request_id, "start_check")
    act(steward, request_id, "forward", comment="formally complete")
    act(committee, request_id, "decide", decision="APPROVED", comment="sound plan")
    assert act(steward, request_id, "activate", **activation)["state"] == "ACTIVE"
    return request_id


def data_probe(dataset: str) -> str:
    """Code for a user's kernel: what /data holds, and whether ``dataset`` is readable but
    not writable there; prints JSON ({"listing": None} when there is no /data at all)."""
    return f"""
import json, os
root = '/data/{dataset}'
seen = {{'listing': sorted(os.listdir('/data')) if os.path.isdir('/data') else None}}
if os.path.isdir(root):
    seen['content'] = open(os.path.join(root, 'README.txt')).read()
    try:
        open(os.path.join(root, 'mine.txt'), 'w').write('x')
        seen['write'] = 'allowed'
    except OSError as error:
        seen['write'] = type(error).__name__
print(json.dumps(seen))
"""


def policies_with_accounts(folder: Path, extra: list[dict]) -> Path:
    """A copy of the project's policies in ``folder`` whose demo accounts also hold
    ``extra`` (e.g. a second output checker); pass it as ``KIMED_POLICIES_DIR``."""
    policies = Path(folder) / "policies"
    shutil.copytree(policies_dir(), policies)
    accounts = yaml.safe_load((policies / "demo-accounts.yaml").read_text())
    accounts["accounts"] += extra
    (policies / "demo-accounts.yaml").write_text(yaml.safe_dump(accounts))
    return policies
