"""The Kubernetes API calls a run needs, synchronously (the portal runs jobs in a worker
thread), through ``kubernetes_asyncio`` (installed with KubeSpawner; no new dependency).

Exactly what the portal's Role allows (``rbac.portal_rbac``): create, get and delete
Jobs; list pods of a Job and read their logs. Credentials: the portal's own service
account token, mounted into the hub pod from its Secret (``rbac.PORTAL_TOKEN_MOUNT``),
never the hub's account (which may create any pod).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

#: How a Job's pods are labelled by the Job controller.
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"


class JobRefused(RuntimeError):
    """The API server refused the Job (admission, quota, RBAC); the message is its own."""


class KubeJobsApi:
    """Jobs and their pods in one namespace, with the token and CA in ``credentials``
    (``token``, ``ca.crt``: the service account token Secret's keys)."""

    def __init__(self, namespace: str, credentials: Path | None = None, configuration=None):
        """``configuration``: a ready ``kubernetes_asyncio`` Configuration instead of the
        in-cluster one from ``credentials`` (tests talk to a loopback stand-in)."""
        self.namespace = namespace
        self._loop = asyncio.new_event_loop()
        self._client = self._loop.run_until_complete(self._connect(credentials, configuration))

    @staticmethod
    async def _connect(credentials: Path | None, configuration):
        from kubernetes_asyncio import client
        from kubernetes_asyncio.config.incluster_config import InClusterConfigLoader

        if configuration is None:
            configuration = client.Configuration()
            InClusterConfigLoader(
                token_filename=str(Path(credentials) / "token"),
                cert_filename=str(Path(credentials) / "ca.crt"),
            ).load_and_set(configuration)
        return client.ApiClient(configuration)

    def _call(self, coroutine, missing_ok: bool = True):
        """Run one API call; a 404 is None where the object may be gone (reads, deletes),
        and a refusal for a create (a missing namespace must not look like success)."""
        from kubernetes_asyncio.client.exceptions import ApiException

        try:
            return self._loop.run_until_complete(coroutine)
        except ApiException as error:
            if error.status == 404 and missing_ok:
                return None
            raise JobRefused(_message(error)) from None

    def create_job(self, manifest: dict, dry_run: bool = False) -> None:
        """Create the Job (``dry_run``: admission only, nothing is made)."""
        from kubernetes_asyncio import client

        extra = {"dry_run": "All"} if dry_run else {}
        batch = client.BatchV1Api(self._client)
        self._call(batch.create_namespaced_job(self.namespace, manifest, **extra), missing_ok=False)

    def job_status(self, name: str) -> dict:
        """The Job's ``status`` as a plain dict ({} when it is gone)."""
        from kubernetes_asyncio import client

        job = self._call(client.BatchV1Api(self._client).read_namespaced_job_status(
            name, self.namespace
        ))  # fmt: skip
        return self._client.sanitize_for_serialization(job.status) if job else {}

    def pods(self, name: str) -> list[dict]:
        """The Job's pods as plain dicts."""
        from kubernetes_asyncio import client

        found = self._call(client.CoreV1Api(self._client).list_namespaced_pod(
            self.namespace, label_selector=f"{JOB_NAME_LABEL}={name}"
        ))  # fmt: skip
        return self._client.sanitize_for_serialization(found.items) if found else []

    def pod_log(self, pod: str, tail: int) -> str:
        """The last ``tail`` lines the pod's container wrote."""
        from kubernetes_asyncio import client

        core = client.CoreV1Api(self._client)
        return self._call(core.read_namespaced_pod_log(pod, self.namespace, tail_lines=tail)) or ""

    def delete_job(self, name: str) -> None:
        """Delete the Job and (in the background) its pods; a Job already gone is fine."""
        from kubernetes_asyncio import client

        batch = client.BatchV1Api(self._client)
        self._call(
            batch.delete_namespaced_job(name, self.namespace, propagation_policy="Background")
        )

    def close(self) -> None:
        """Close the connection and the loop."""
        self._loop.run_until_complete(self._client.close())
        self._loop.close()


def _message(error) -> str:
    """The API server's own message (an admission rule's, for a refused pod)."""
    try:
        return str(json.loads(error.body).get("message") or error.reason)
    except (TypeError, ValueError, AttributeError):
        return f"{error.status} {error.reason}"
