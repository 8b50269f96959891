"""PatientPoll (patient_poll.py): a runtime that does not answer is not a stopped server.

A hung podman cannot be produced on demand, so a stand-in base class raises what
docker-py raises then (a read timeout, a failed version check); the real spawner's poll
(DockerSpawner) is what PatientPoll wraps in the workbench. Not proved: the timing of a
real hang (seen in the hub's log on a busy host, see the module docstring)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import docker.errors
import pytest
import requests

from kimed_hub.patient_poll import PatientPoll


class Answers:
    """Stands in for DockerSpawner: its poll() raises or returns what it is given."""

    def __init__(self, outcome):
        self.outcome = outcome

    async def poll(self):
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class Spawner(PatientPoll, Answers):
    def __init__(self, outcome):
        PatientPoll.__init__(self)
        Answers.__init__(self, outcome)
        self.user = SimpleNamespace(name="researcher")


@pytest.mark.parametrize(
    "silence",
    [
        requests.exceptions.ReadTimeout("Read timed out. (read timeout=60)"),
        requests.exceptions.ConnectionError("socket gone"),
        docker.errors.DockerException("Error while fetching server API version: timed out"),
    ],
)
def test_no_answer_means_still_running(silence):
    assert asyncio.run(Spawner(silence).poll()) is None


def test_answers_stand():
    assert asyncio.run(Spawner(0).poll()) == 0  # stopped, exit code 0
    assert asyncio.run(Spawner(None).poll()) is None  # running
    refused = docker.errors.APIError("500 Server Error")
    with pytest.raises(docker.errors.APIError):
        asyncio.run(Spawner(refused).poll())
