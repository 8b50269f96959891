"""``python -m kimed_hub.production.gateway``: the containers' plain-HTTP way to the
package index and the portal when the public port serves TLS (production/mode.py).

Code in a user's container calls ``http://<host>:<proxy_port>/services/<name>/...``
(pip's index URL, the widgets' portal URL). With TLS on the public port that cannot work:
the site's certificate names the site, not the address a container sees the host by. This
gateway listens on the host's 127.0.0.1 (containers reach it through slirp4netns' host
loopback; their egress rules allow exactly this port) and forwards requests for the named
services' prefixes, and nothing else, to the services' own loopback addresses, streaming
the answer back (wheels can be large). The services check every caller's token
themselves, as behind the public proxy.
"""

from __future__ import annotations

import argparse
import logging

from tornado import httpclient, httputil, ioloop, web

#: Hop-by-hop headers (RFC 9110 7.6.1): never forwarded.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Forward(web.RequestHandler):
    """Forward one request to the service whose prefix its path starts with."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, routes: list[tuple[str, str]]) -> None:
        self.routes = routes

    def _target(self) -> str:
        for prefix, url in self.routes:
            if self.request.path.startswith(prefix):
                return url.rstrip("/") + self.request.uri
        raise web.HTTPError(404, "not a service this gateway serves")

    async def _forward(self, *_args) -> None:
        self.clear()  # no default headers of our own: the service's answer is the answer
        method = self.request.method
        request = httpclient.HTTPRequest(
            self._target(),
            method=method,
            headers=self._forwarded_headers(),
            body=self.request.body if method in BODY_METHODS else None,
            allow_nonstandard_methods=True,
            follow_redirects=False,
            decompress_response=False,
            header_callback=self._on_header,
            streaming_callback=self._on_chunk,
            request_timeout=3600,
        )
        try:
            await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:
            raise web.HTTPError(502, f"service unreachable: {exc}") from exc
        self.finish()

    def _forwarded_headers(self) -> httputil.HTTPHeaders:
        headers = httputil.HTTPHeaders()
        for name, value in self.request.headers.get_all():
            if name.lower() not in HOP_BY_HOP:
                headers.add(name, value)
        return headers

    def _on_header(self, line: str) -> None:
        line = line.strip()
        if line.startswith("HTTP/"):
            self.clear()  # a new status line (e.g. after 100 Continue)
            self._seen: set[str] = set()
            parts = line.split(" ", 2)
            self.set_status(int(parts[1]), parts[2] if len(parts) > 2 else None)
        elif ":" in line:
            name, value = (part.strip() for part in line.split(":", 1))
            if name.lower() in HOP_BY_HOP:
                return
            # the first of a name replaces Tornado's default (Server, Date, Content-Type);
            # repeats (Set-Cookie) are kept
            (self.add_header if name.lower() in self._seen else self.set_header)(name, value)
            self._seen.add(name.lower())

    def _on_chunk(self, chunk: bytes) -> None:
        self.write(chunk)
        self.flush()

    get = head = post = put = patch = delete = options = _forward


def make_app(routes: list[tuple[str, str]]) -> web.Application:
    """The gateway's application: every path through :class:`Forward`."""
    return web.Application([(r"/.*", Forward, {"routes": routes})])


def main(argv: list[str] | None = None) -> None:
    """Listen on 127.0.0.1:PORT and forward PREFIX=URL routes."""
    parser = argparse.ArgumentParser(prog="kimed_hub.production.gateway", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--route",
        action="append",
        required=True,
        help="PREFIX=URL, e.g. /services/portal/=http://127.0.0.1:8098",
    )
    args = parser.parse_args(argv)
    routes = [tuple(r.split("=", 1)) for r in args.route]
    logging.basicConfig(level=logging.INFO, format="[%(name)s %(asctime)s] %(message)s")
    make_app(routes).listen(args.port, "127.0.0.1", max_body_size=1 << 30)
    logging.getLogger(__name__).info("container gateway on 127.0.0.1:%s for %s", args.port, routes)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
