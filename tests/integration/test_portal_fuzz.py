"""Fuzzing the portal's REST API from its own OpenAPI file (schemathesis), live.

Every operation in ``openapi.yaml`` gets generated requests — valid and invalid
parameters and bodies — sent through the proxy to the portal of the session hub with a
researcher's and with a steward's token. No answer may be a server error, and every
answer must match what the file documents (status code, content type, schema).

The steward run leaves out DELETE: it would remove demo records that later tests (and
the browser journey) use. Deleting is covered by the API and matrix tests.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kimed_hub.portal_service.openapi_records import OPENAPI_FILE
from tests.integration.portal_helpers import API

pytestmark = pytest.mark.integration

#: Generated examples per operation and role; schemathesis adds its coverage cases
#: (boundary values, missing and wrong-typed fields): about 3,600 requests per role.
EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the checkout
    derandomize=True,  # the same requests each run: a failure reproduces
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
schema = schemathesis.openapi.from_path(OPENAPI_FILE)
steward_schema = schema.exclude(method="DELETE")
#: Requests sent per role, and seconds spent (printed at the end, for the docs).
SENT: dict[str, list[float]] = {}


@pytest.fixture(scope="module")
def tokens(hub):
    return {role: hub.login(role).token for role in ("researcher", "steward")}


def call_and_check(case, hub, token: str, role: str) -> None:
    started = time.monotonic()
    response = case.call(
        base_url=f"{hub.url}{API.rstrip('/')}", headers={"Authorization": f"token {token}"}
    )
    SENT.setdefault(role, []).append(time.monotonic() - started)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_fuzz_as_researcher(case, hub, tokens):
    call_and_check(case, hub, tokens["researcher"], "researcher")


@steward_schema.parametrize()
@FUZZ
def test_fuzz_as_steward(case, hub, tokens):
    call_and_check(case, hub, tokens["steward"], "steward")


def test_fuzzing_sent_requests():
    """The fuzz runs above sent requests (runs last in this module: pytest keeps order)."""
    for role in ("researcher", "steward"):
        times = sorted(SENT.get(role, []))
        assert len(times) >= 15, f"{role}: only {len(times)} fuzz requests were sent"
        print(
            f"\nfuzz {role}: {len(times)} requests, "
            f"p50 {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )
