"""The package index service: PEP 503 pages and wheel files, for authenticated servers.

Routes, under the service prefix (``/services/package-index/``):

* ``simple/``: the served projects; ``simple/<project>/``: the project's wheels with their
  sha256 and ``data-requires-python``; ``files/<wheel>``: a served wheel;
* a project that is not served gets a refusal that says why and how to ask for it. pip
  prints nothing of a 404 page at its normal verbosity, but it does print the
  Content-Type of a page it cannot use, as a warning; so pip (known by its User-Agent)
  gets the refusal in a 200 response's Content-Type, every other client a 404 with the
  refusal as its text.

Every request must carry a hub token (pip: basic auth with the token as the password;
others: ``Authorization: token ...``) whose scopes include
``access:services!service=package-index``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth
from tornado import ioloop, web

from ..host_ports import bind_host
from ..policies import PackageAllowlist, package_allowlist
from ..policies.packages import canonical_name
from .catalog import Catalog
from .wiring import SERVICE_NAME, SERVICE_PREFIX

log = logging.getLogger("kimed.package_index")
REQUIRED_SCOPE = f"access:services!service={SERVICE_NAME}"
CHUNK = 1 << 20


class IndexHandler(web.RequestHandler):
    """Common to every page: token authentication with the hub, no caching."""

    tells_pip_in_content_type = True  # index pages; not wheel downloads

    def initialize(self, catalog: Catalog, hub_auth: HubAuth) -> None:
        self.catalog, self.hub_auth = catalog, hub_auth
        self.user_name = "-"

    async def prepare(self) -> None:
        token = request_token(self.request.headers.get("Authorization", ""))
        model = await self.hub_auth.user_for_token(token, sync=False) if token else None
        if not model:
            self.set_header("WWW-Authenticate", 'Basic realm="KIMed package index"')
            self._fail(401, "A hub token is needed (pip gets it from PIP_INDEX_URL).")
        self.user_name = model.get("name", "-")
        if not self.hub_auth.check_scopes({REQUIRED_SCOPE}, model):
            self._fail(
                403,
                f"The package index is not open to your role: this server's token lacks the "
                f"scope {REQUIRED_SCOPE}. Ask the workbench's administrators if you need "
                "to install packages.",
            )

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # a policy change applies at once

    def _fail(self, status: int, message: str) -> None:
        """Stop the request with ``status`` and ``message`` (for pip on a page: see
        ``tell``)."""
        if self.tells_pip_in_content_type and self.is_pip():
            self.tell_pip(message)
        else:
            self.set_status(status)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(message + "\n")
        raise web.Finish()

    def tell_pip(self, message: str) -> None:
        """Answer pip with ``message`` where it shows it: the Content-Type of a page it
        cannot use (pip prints nothing of an error page at its normal verbosity)."""
        one_line = " ".join(message.replace('"', "'").split())
        self.set_header("Content-Type", f'text/plain; kimed-refusal="{one_line}"')
        self.finish(message + "\n")

    def is_pip(self) -> bool:
        return self.request.headers.get("User-Agent", "").startswith("pip/")


class RootHandler(IndexHandler):
    """``simple/``: one link per served project (PEP 503)."""

    def get(self) -> None:
        links = "".join(
            f'<a href="{html.escape(name)}/">{html.escape(name)}</a><br/>\n'
            for name in self.catalog.served()
        )
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(_page("KIMed Workbench package index", links))


class ProjectHandler(IndexHandler):
    """``simple/<project>/``: the served wheels, or a refusal that says what to do."""

    def get(self, name: str) -> None:
        project = canonical_name(name)
        if name != project or not self.request.path.endswith("/"):
            self.redirect(f"{SERVICE_PREFIX}simple/{project}/", permanent=True)
            return
        status = self.catalog.status(project)
        if status != "served":
            self._refuse(project, status)
            return
        links = "".join(_file_link(wheel) for wheel in self.catalog.served()[project])
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(_page(f"Links for {project}", links))

    def _refuse(self, project: str, status: str) -> None:
        message = refusal_message(project, status, self.catalog.allowlist())
        log.info("refused %s to %s (%s)", project, self.user_name, status)
        if self.is_pip():
            self.tell_pip(message)
            return
        self.set_status(404, reason="Not on the package allowlist")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(message + "\n")


class FileHandler(IndexHandler):
    """``files/<wheel>``: a served wheel, streamed; anything else is 404."""

    tells_pip_in_content_type = False  # pip would take a 200 for the wheel itself

    async def get(self, filename: str) -> None:
        wheel = self.catalog.file(filename)
        if wheel is None:
            raise web.HTTPError(404, reason="Not a served file")
        log.info("%s downloads %s", self.user_name, filename)
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Length", str(wheel.path.stat().st_size))
        with wheel.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                self.write(chunk)
                await self.flush()


def refusal_message(project: str, status: str, allowlist: PackageAllowlist) -> str:
    """One line (it travels in an HTTP header): what is wrong and what to do."""
    if status == "approved-missing":
        return (
            f"'{project}' is on the package allowlist but its files are not in this "
            "workbench's package index yet; ask the workbench's operators to run "
            "`kimed image lock` and `kimed setup`."
        )
    return allowlist.refusal(project).replace('"', "'")


def request_token(header: str) -> str | None:
    """The hub token in an Authorization header: basic auth's password (pip sends
    ``__token__:<token>`` from PIP_INDEX_URL), or ``token``/``Bearer`` schemes."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    if scheme.lower() in ("token", "bearer"):
        return value.strip() or None
    return None


def _file_link(wheel) -> str:
    requires = html.escape(wheel.requires_python, quote=True)
    attribute = f' data-requires-python="{requires}"' if requires else ""
    href = f"../../files/{wheel.filename}#sha256={wheel.sha256}"
    return f'<a href="{html.escape(href)}"{attribute}>{html.escape(wheel.filename)}</a><br/>\n'


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html><head>"
        '<meta name="pypi:repository-version" content="1.0">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}</body></html>\n"
    )


def make_app(catalog: Catalog, hub_auth: HubAuth, prefix: str = SERVICE_PREFIX) -> web.Application:
    """The Tornado application with every route under ``prefix``."""
    args = {"catalog": catalog, "hub_auth": hub_auth}
    return web.Application(
        [
            (rf"{prefix}(?:simple/?)?", RootHandler, args),
            (rf"{prefix}simple/([^/]+)/?", ProjectHandler, args),
            (rf"{prefix}files/([^/]+\.whl)", FileHandler, args),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    """Run the service where the hub says (``JUPYTERHUB_SERVICE_URL``)."""
    parser = argparse.ArgumentParser(prog="kimed_hub.package_index", description=__doc__)
    parser.add_argument("--wheelhouse", required=True, type=Path, help="the wheels to serve")
    parser.add_argument("--policies-dir", type=Path, help="folder of the policy files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(name)s %(asctime)s] %(message)s")
    directory = args.policies_dir
    package_allowlist(directory)  # fail at start, not at the first request
    catalog = Catalog(args.wheelhouse, lambda: package_allowlist(directory))
    log.info("serving %d projects from %s", len(catalog.served()), args.wheelhouse)
    hub_auth = HubAuth(access_scopes={REQUIRED_SCOPE}, cache_max_age=60)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", SERVICE_PREFIX)
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8099"))
    make_app(catalog, hub_auth, prefix).listen(url.port, bind_host(url))
    ioloop.IOLoop.current().start()
