"""``KubeJobsApi``'s HTTP calls, made by the real ``kubernetes_asyncio`` client to a
stand-in API server on a loopback port (plain HTTP; it answers as the API server's
documentation says, recording what it was asked).

Proves: the paths, verbs and query parameters the runner's calls become (dry run, the
Job's pods by the Job controller's label, the log's tail, background deletion), that an
admission refusal's own message reaches the runner, and that a Job already gone is no
error. NOT proven: a real API server's answers, TLS with the service account's CA, RBAC.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from kimed_hub.k8s.job_api import JobRefused, KubeJobsApi

NS = "kimed"
DENIED = "ValidatingAdmissionPolicy 'kimed-jobs' denied request: KIMed policy (runs): no retries"


class StandIn(BaseHTTPRequestHandler):
    """Answers the five calls; ``refused`` Jobs get the API server's 422 Status."""

    seen: list = []

    def _answer(self, code: int, body, kind: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> tuple[str, dict]:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.seen.append((self.command, url.path, parse_qs(url.query), body))
        return url.path, body

    def do_POST(self):  # noqa: N802 - http.server's naming
        path, body = self._record()
        if "/namespaces/missing/" in path:
            return self._answer(404, {"kind": "Status", "code": 404, "reason": "NotFound"})
        if body["metadata"]["name"] == "refused":
            status = {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                      "message": DENIED, "reason": "Invalid", "code": 422}  # fmt: skip
            return self._answer(422, status)
        return self._answer(201, body)

    def do_GET(self):  # noqa: N802
        path, _ = self._record()
        if path.endswith("/log"):
            return self._answer(200, "line 1\nline 2\n", "text/plain")
        if path.endswith("/status"):
            condition = {"type": "Complete", "status": "True"}
            job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "run-1"},
                   "status": {"conditions": [condition], "succeeded": 1}}  # fmt: skip
            return self._answer(200, job)
        terminated = {"exitCode": 3, "reason": "Error"}
        status = {"name": "run", "image": "img", "imageID": "sha", "ready": False,
                  "restartCount": 0, "state": {"terminated": terminated}}  # fmt: skip
        pod = {"metadata": {"name": "run-1-abcde"}, "status": {"containerStatuses": [status]}}
        return self._answer(200, {"apiVersion": "v1", "kind": "PodList", "items": [pod]})

    def do_DELETE(self):  # noqa: N802
        path, _ = self._record()
        if path.endswith("/gone"):
            return self._answer(404, {"kind": "Status", "code": 404, "reason": "NotFound"})
        return self._answer(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def api():
    from kubernetes_asyncio import client

    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    configuration = client.Configuration(host=f"http://127.0.0.1:{server.server_port}")
    jobs = KubeJobsApi(NS, configuration=configuration)
    yield jobs
    jobs.close()
    server.shutdown()


def test_the_runners_calls_as_http(api):
    StandIn.seen.clear()
    manifest = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "run-1"}}
    api.create_job(manifest, dry_run=True)
    api.create_job(manifest)
    assert api.job_status("run-1")["conditions"][0]["type"] == "Complete"
    (pod,) = api.pods("run-1")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    assert api.pod_log("run-1-abcde", 5) == "line 1\nline 2\n"
    api.delete_job("run-1")
    asked = [(m, p, q) for m, p, q, _ in StandIn.seen]
    assert asked == [
        ("POST", f"/apis/batch/v1/namespaces/{NS}/jobs", {"dryRun": ["All"]}),
        ("POST", f"/apis/batch/v1/namespaces/{NS}/jobs", {}),
        ("GET", f"/apis/batch/v1/namespaces/{NS}/jobs/run-1/status", {}),
        ("GET", f"/api/v1/namespaces/{NS}/pods",
         {"labelSelector": ["batch.kubernetes.io/job-name=run-1"]}),
        ("GET", f"/api/v1/namespaces/{NS}/pods/run-1-abcde/log", {"tailLines": ["5"]}),
        # Background: the Job's pod is deleted with it
        ("DELETE", f"/apis/batch/v1/namespaces/{NS}/jobs/run-1",
         {"propagationPolicy": ["Background"]}),
    ]  # fmt: skip
    assert StandIn.seen[1][3] == manifest  # the Job as built


def test_an_admission_refusal_reaches_the_runner_with_its_message(api):
    with pytest.raises(JobRefused, match="no retries"):
        api.create_job({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "refused"}})


def test_deleting_a_job_that_is_gone_is_no_error(api):
    api.delete_job("gone")


def test_creating_a_job_in_a_missing_namespace_is_refused_not_ignored(api):
    """A 404 means "already gone" only for reads and deletes: a create that 404s (the
    namespace does not exist) must not look like a Job that was made."""
    from kubernetes_asyncio import client

    lost = KubeJobsApi(
        "missing", configuration=client.Configuration(host=api._client.configuration.host)
    )
    try:
        with pytest.raises(JobRefused):
            lost.create_job(
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "run-2"}}
            )
    finally:
        lost.close()
