"""A container runtime that does not answer in time has not stopped anybody's server.

Seen on a busy host (issue 17): the hub restarted after a crash, podman's API took more
than the client's 60 s to answer one ``inspect``, JupyterHub's start-up check took the
exception for "not running", dropped the user's running server from its database and
left the container behind, working but unreachable. ``PatientPoll`` (a mixin for the
spawner) answers "still running" when the runtime times out or cannot be reached; the
next poll (every ``poll_interval`` s) asks again, and a container that is really gone
(the runtime answers 404) is reported stopped as before.
"""

from __future__ import annotations

import docker.errors
import requests
from traitlets.config import LoggingConfigurable

#: What a busy or restarting runtime raises, as opposed to an answer about the container.
NO_ANSWER = (requests.exceptions.Timeout, requests.exceptions.ConnectionError)


class PatientPoll(LoggingConfigurable):
    """Mixin: ``poll()`` treats "the runtime did not answer" as "still running"."""

    async def poll(self):
        try:
            return await super().poll()
        except docker.errors.APIError:
            raise  # the runtime answered: its answer stands
        except (*NO_ANSWER, docker.errors.DockerException) as exc:
            self.log.warning(
                "container runtime did not answer about %s's server (%s); assuming it still "
                "runs, asking again at the next poll",
                self.user.name,
                exc,
            )
            return None
