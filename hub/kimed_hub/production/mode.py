"""Production mode (``KIMED_MODE=production``): safe by default, refusing to start otherwise.

What it requires and sets, in one place (config.configure calls :func:`configure_mode`):

* TLS on the public port with the site's certificate: ``KIMED_TLS_CERT`` and
  ``KIMED_TLS_KEY`` become JupyterHub's ``ssl_cert``/``ssl_key``, which the hub hands to
  configurable-http-proxy (``--ssl-cert``/``--ssl-key``); without them production does not
  start. (TLS can also be used in development, e.g. to try it out.) Code in users' containers
  keeps a plain-HTTP way to the package index and the portal through a loopback gateway
  (:func:`container_gateway`).
* cookies: Secure (sent over HTTPS only) on top of JupyterHub's own HttpOnly on its login
  cookies; ``public_url`` is https, so JupyterHub marks them secure itself as well;
* HSTS: ``Strict-Transport-Security`` on every hub response (browsers then refuse plain
  HTTP to this host for a year);
* no demo accounts (``policies/demo-accounts.yaml`` with passwords printed at start) and
  no fictional demo catalogue, unless ``KIMED_ALLOW_DEMO=1`` says so explicitly (a
  training machine, say). People log in through the site's identity provider
  (``KIMED_AUTH=oidc``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from ..host_ports import service_port
from ..service_supervision import supervised
from ..settings import Settings, SettingsError

#: One year, the usual HSTS lifetime (and the minimum for browsers' preload lists).
HSTS = "max-age=31536000; includeSubDomains"
GATEWAY_PORT_ENV = "KIMED_CONTAINER_GATEWAY_PORT"
GATEWAY_SERVICE = "container-gateway"


def production_problems(settings: Settings) -> list[str]:
    """What keeps ``settings`` from being a safe production set-up (empty: none)."""
    if not settings.production:
        return []
    problems = []
    if not settings.tls_cert:
        problems.append(
            "TLS is required: set KIMED_TLS_CERT and KIMED_TLS_KEY to the site's PEM "
            "certificate (with its chain) and private key"
        )
    if not settings.allow_demo:
        if os.environ.get("KIMED_AUTH", "local") == "local":
            problems.append(
                "the local demo accounts (KIMED_AUTH=local) are not for production: set "
                "KIMED_AUTH=oidc with your identity provider (or KIMED_ALLOW_DEMO=1 to "
                "run a demonstration on purpose)"
            )
        if settings.portal_demo:
            problems.append(
                "KIMED_PORTAL_DEMO=1 loads a fictional catalogue: leave it unset (0) in "
                "production, or set KIMED_ALLOW_DEMO=1 to show the demo on purpose"
            )
    return problems


def configure_mode(c, settings: Settings) -> None:
    """Refuse an unsafe production set-up; set TLS, cookies and HSTS where they apply."""
    problems = production_problems(settings)
    if problems:
        raise SettingsError(
            "KIMED_MODE=production, but:\n  - " + "\n  - ".join(problems) + "\n"
            "See docs/operators.md (Production)."
        )
    if settings.tls_cert:
        c.JupyterHub.ssl_cert = str(settings.tls_cert)
        c.JupyterHub.ssl_key = str(settings.tls_key)
        c.JupyterHub.public_url = settings.public_url
    if settings.production:
        c.JupyterHub.tornado_settings = {
            "cookie_options": {"secure": True, "httponly": True},
            "headers": {"Strict-Transport-Security": HSTS},
        }


@dataclass(frozen=True)
class ContainerGateway:
    """Plain HTTP on the host's loopback for code in users' containers (see below)."""

    port: int
    service: dict


def container_gateway(settings: Settings, services: list[dict]) -> ContainerGateway | None:
    """With TLS on the public port, how containers still reach the package index and the
    portal API: pip and the widgets call ``http://<host>:<proxy_port>/services/...`` from
    inside the container, and a certificate for the site's name cannot match the address
    a container sees the host by. The gateway (gateway.py) listens on 127.0.0.1, which
    containers reach through slirp4netns' host loopback and their egress rules allow as
    the policy's ``proxy`` peer (the spawner reads the port from this service's command:
    :func:`gateway_port`), and forwards those services' prefixes, and nothing else, to
    their own loopback URLs. A supervised managed service: it ends with the hub. None
    without TLS."""
    if not settings.tls_cert:
        return None
    port = service_port(GATEWAY_PORT_ENV)
    routes = [f"/services/{s['name']}/={s['url']}" for s in services if s.get("url")]
    command = [sys.executable, "-m", "kimed_hub.production.gateway", f"--port={port}"]
    command += [f"--route={route}" for route in routes]
    service = {"name": GATEWAY_SERVICE, "display": False, "command": supervised(command)}
    return ContainerGateway(port, service)


def gateway_port(services: dict) -> int | None:
    """The port of the containers' gateway among the services the hub runs (JupyterHub's
    service map: name -> Service), read from the command line :func:`container_gateway`
    gave it; None when the hub runs no gateway (no TLS on the public port)."""
    service = services.get(GATEWAY_SERVICE)
    if service is None:
        return None
    for argument in getattr(service, "command", None) or ():
        if argument.startswith("--port="):
            return int(argument.removeprefix("--port="))
    raise ValueError(f"the {GATEWAY_SERVICE} service's command names no --port")
