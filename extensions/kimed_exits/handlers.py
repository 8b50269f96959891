"""The server side of the closed exits: refused routes and the limited contents API.

* :class:`ClosedRoute` + :class:`RefusalHandler`: ``/files/``, ``/nbconvert/`` (HTML,
  script, PDF... downloads and exports), ``/view/`` (which shows ``/files/`` in a frame)
  and any request carrying a ``download`` argument answer 403 with the airlock message.
  The rule is put in front of every other route of the web application, so it wins over
  Jupyter's own handlers and any extension's.
* :class:`LimitedContentsHandler`: Jupyter's contents API, serving a file's content only
  for the kinds JupyterLab's viewers need (notebooks, UTF-8 text, the policy's binary
  types) and only up to the policy's size per kind; writes (uploads, chunked uploads,
  saves) only up to the policy's upload size.
* :func:`lab_data_limit`: JupyterLab's workspaces and user settings are files in the home
  that a kernel can fill with anything, served raw by ``/lab/api/workspaces`` and
  ``/lab/api/settings``; answers larger than the text read limit become a 403.

Every handler requires authentication (``tornado.web.authenticated``), as the jupyterlab
extension template does: an anonymous request is sent to log in before anything else.
"""

from __future__ import annotations

import base64
import json
import os
import re

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.contents import handlers as contents_handlers
from tornado import web
from tornado.httputil import HTTPHeaders
from tornado.routing import Matcher, Rule

from .policy import ExitsPolicy

#: Routes that hand a file (or a converted notebook) to the browser as a file.
CLOSED_PREFIXES = ("files", "nbconvert", "view")


class ClosedRoute(Matcher):
    """Matches the closed routes under ``base_url`` and any request with ``download=``."""

    def __init__(self, base_url: str):
        base = re.escape(base_url.rstrip("/"))
        self.pattern = re.compile(rf"^{base}/(?:{'|'.join(CLOSED_PREFIXES)})(?:/|$)")

    def match(self, request):
        # ``download`` is how /files/ and /nbconvert/ are asked for an attachment; nothing
        # else in Jupyter uses it, so its presence alone is refused, whatever its value.
        query = request.query_arguments if hasattr(request, "query_arguments") else {}
        if "download" in query or self.pattern.match(request.path):
            return {}
        return None


def closed_route_rule(base_url: str, policy: ExitsPolicy) -> Rule:
    """The rule that sends closed routes to :class:`RefusalHandler`."""
    return Rule(ClosedRoute(base_url), RefusalHandler, {"message": policy.airlock_message})


class RefusalHandler(JupyterHandler):
    """403 with the airlock message, for every method, after authentication."""

    def initialize(self, message: str):
        self.message = message

    def check_xsrf_cookie(self):
        # A refusal changes nothing, so a POST without an XSRF token gets the same 403
        # with the airlock message rather than Jupyter's XSRF error.
        return None

    def _refuse(self, *args, **kwargs):
        self.log.info("kimed_exits: refused %s %s", self.request.method, self.request.path)
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.message + "\n")

    get = web.authenticated(_refuse)
    head = web.authenticated(_refuse)
    post = web.authenticated(_refuse)
    put = web.authenticated(_refuse)
    patch = web.authenticated(_refuse)
    delete = web.authenticated(_refuse)


class LimitedContentsHandler(contents_handlers.ContentsHandler):
    """Jupyter's contents API with the policy's read and write limits."""

    def initialize(self, policy: ExitsPolicy, **kwargs):
        super().initialize(**kwargs)
        self.policy = policy

    def _refuse(self, why: str) -> None:
        """Answer 403 in the contents API's error shape (written here rather than raised:
        a path may hold a ``%``, which tornado's HTTPError would try to format)."""
        request = self.request
        self.log.warning("kimed_exits: refused %s %s: %s", request.method, request.path, why)
        self.set_status(403)
        self.set_header("Content-Type", "application/json")
        message = f"{why}. {self.policy.airlock_message}"
        self.finish(json.dumps({"message": message, "reason": "closed by the airlock policy"}))

    @web.authenticated
    @authorized
    async def get(self, path=""):
        """Refuse a content read that is too large before reading it, then serve."""
        if self.get_query_argument("content", default="1") == "1":
            if why := self._read_size_problem(path):
                return self._refuse(why)
        return await super().get(path)

    def _read_size_problem(self, path: str) -> str | None:
        """Why ``path`` is too large to read, judged by its size on disk (the cheap check
        that keeps a huge file from being read at all; ``_finish_model`` checks again)."""
        os_path = self.contents_manager._get_os_path(path.strip("/"))  # refuses paths out of home
        if not os.path.isfile(os_path):
            return None
        size, limit = os.stat(os_path).st_size, self._largest_read(path)
        return _too_large(path, size, limit) if size > limit else None

    def _largest_read(self, path: str) -> int:
        if path.endswith(".ipynb"):
            return self.policy.read_limit("notebook")
        return max(self.policy.read_limit("text"), self.policy.read_limit("binary"))

    def _finish_model(self, model, location=True):
        """Check what is actually served (its kind, and its size as read) before sending."""
        if why := self._served_problem(model):
            return self._refuse(why)
        return super()._finish_model(model, location)

    def _served_problem(self, model: dict) -> str | None:
        if model.get("content") is None or model.get("type") == "directory":
            return None
        kind, size = _served(model)
        if kind == "binary" and model.get("mimetype") not in self.policy.binary_mimetypes:
            return (
                f"{model['path']} is a binary file of type {model.get('mimetype')}, "
                "which no viewer of this workspace opens"
            )
        limit = self.policy.read_limit(kind)
        return _too_large(model["path"], size, limit) if size > limit else None

    @web.authenticated
    @authorized
    async def put(self, path=""):
        """Refuse a write whose file would exceed the upload size, then save."""
        model = self.get_json_body() or {}
        if model.get("content") is None:
            return await super().put(path)
        size, appending = _written_size(model), model.get("chunk") not in (None, 1)
        os_path = self.contents_manager._get_os_path(path.strip("/"))  # refuses paths out of home
        if appending and os.path.isfile(os_path):
            size += os.stat(os_path).st_size
        if size <= self.policy.max_upload:
            return await super().put(path)
        removed = ""
        if appending and os.path.isfile(os_path):
            # A later chunk of a chunked upload: the file is that upload's unfinished
            # part (chunk 1 created it), so it goes rather than stay half-written.
            os.remove(os_path)
            removed = " (the unfinished upload was removed)"
        return self._refuse(
            f"{path} would be {_mib(size)}, over the upload limit of "
            f"{_mib(self.policy.max_upload)}{removed}; data come in through access requests"
        )


def contents_handlers_with_limits(base_url: str, policy: ExitsPolicy) -> list[tuple]:
    """Jupyter's contents routes, in Jupyter's order, with the limited handler."""
    routes = []
    for pattern, handler, *rest in contents_handlers.default_handlers:
        if handler is contents_handlers.ContentsHandler:
            handler, rest = LimitedContentsHandler, [{"policy": policy}]
        routes.append((base_url.rstrip("/") + pattern, handler, *rest))
    return routes


def _served(model: dict) -> tuple[str, int]:
    """(kind, bytes) of a model with content: a notebook, UTF-8 text or base64 binary."""
    if model["type"] == "notebook":
        return "notebook", len(json.dumps(model["content"]))
    if model.get("format") == "base64":
        return "binary", len(base64.b64decode(model["content"]))
    return "text", len(model["content"].encode("utf-8"))


def _written_size(model: dict) -> int:
    content = model["content"]
    if model.get("format") == "base64" and isinstance(content, str):
        encoded = "".join(content.split())
        return len(encoded) * 3 // 4 - encoded[-2:].count("=")
    if isinstance(content, str):
        return len(content.encode("utf-8"))
    return len(json.dumps(content))


def _too_large(path: str, size: int, limit: int) -> str:
    return f"{path} is {_mib(size)}, over this workspace's limit of {_mib(limit)} for opening it"


def _mib(size: int) -> str:
    return f"{size / 1024**2:.1f} MiB"


#: JupyterLab API routes whose answers are files of the home (JUPYTERLAB_WORKSPACES_DIR and
#: JUPYTERLAB_SETTINGS_DIR in the image).
LAB_DATA_ROUTES = ("lab/api/workspaces", "lab/api/settings")


def lab_data_limit(base_url: str, policy: ExitsPolicy) -> type[web.OutputTransform]:
    """An output transform refusing a GET on :data:`LAB_DATA_ROUTES` whose answer exceeds
    the text read limit (a transform, because those handlers belong to JupyterLab)."""
    prefixes = tuple(f"{base_url.rstrip('/')}/{route}" for route in LAB_DATA_ROUTES)
    limit = policy.read_limit("text")

    class LabDataLimit(web.OutputTransform):
        def __init__(self, request):
            self.limited = request.method == "GET" and request.path.startswith(prefixes)
            self.sent = 0

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            self.sent = len(chunk)
            if not self.limited or self.sent <= limit:
                return status_code, headers, chunk
            why = f"this answer is {_mib(self.sent)}, over the limit of {_mib(limit)}"
            body = json.dumps({"message": f"{why}. {policy.airlock_message}"}).encode()
            fresh = HTTPHeaders({"Content-Type": "application/json"})
            fresh["Content-Length"] = str(len(body))
            return 403, fresh, body

        def transform_chunk(self, chunk, finishing):
            # A streamed answer cannot change its status any more: it is cut off instead.
            self.sent += len(chunk)
            return chunk if not self.limited or self.sent <= limit else b""

    return LabDataLimit
