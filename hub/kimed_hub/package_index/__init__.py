"""The in-environment package index: ``pip install`` inside user containers, no internet.

A hub-managed service (``python -m kimed_hub.package_index``) serving a PEP 503 "simple"
index of the projects ``policies/package-allowlist.yaml`` approves, with their
dependencies, from the package index's wheelhouse (``.kimed/wheelhouse/package-index/``,
built offline from ``docker/package-index/requirements.lock``). The proxy routes it at
``/services/package-index/``; containers reach the proxy (and nothing else), and pip
authenticates with the server's own token as the basic-auth password. The service checks
that token with the hub and requires ``access:services!service=package-index``.

* ``catalog.py``: which wheels are served (allowlist + dependency closure) and why not;
* ``app.py``: the Tornado handlers and the service's ``main``;
* ``wiring.py``: the hub's service definition and the spawner's pip environment.
"""

from .wiring import INDEX_PATH, SERVICE_NAME, SERVICE_PREFIX, pip_env, service_definition

__all__ = ["INDEX_PATH", "SERVICE_NAME", "SERVICE_PREFIX", "pip_env", "service_definition"]
