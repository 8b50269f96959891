"""The KIMed Portal as a hub-managed service: web pages, REST API, grants in force.

The libraries (:mod:`kimed_hub.catalogue`, :mod:`kimed_hub.access`) hold every rule;
this package only speaks HTTP and asks the hub who is calling. The hub starts it (``python -m
kimed_hub.portal_service``) and the proxy routes it at ``/services/portal/``, so browsers
and user containers reach it the same way as the hub (containers reach only the hub API
and the proxy).

* ``wiring.py``: the hub's service definition (its address: ``kimed_hub.portal_address``);
* ``auth.py``: the base handler: hub login (OAuth cookie or token), the caller as an
  :class:`~kimed_hub.access.Actor`, scope checks, errors as JSON or pages;
* ``app.py``: routes and ``main``;
* ``api.py`` (+ ``api_base.py``, ``api_catalogue.py``, ``api_requests.py``, ``api_json.py``,
  ``api_airlock.py``):
  the REST API (``openapi.yaml`` next to it documents it);
* ``pages.py`` + ``templates/``: the web pages in the hub's look.
"""

from ..portal_address import SERVICE_NAME, SERVICE_PREFIX
from .wiring import airlock_options, service_definition

__all__ = ["SERVICE_NAME", "SERVICE_PREFIX", "airlock_options", "service_definition"]
