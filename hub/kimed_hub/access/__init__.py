"""Access to data: requests, the workflow rules they follow, and the grants they end in
(no HTTP here; the portal service serves it).

    requests = AccessRequests(store)          # store: a catalogue.CatalogueStore
    requests.active_grants("alice")

Every transition is an event on the shared audit log (:mod:`kimed_hub.audit`). See
``docs/portal.md`` for the state machine.
"""

from .application import Application
from .requests import AccessRequests
from .rows import AccessRequest, Grant
from .workflow import Actor, Role, State

__all__ = ["AccessRequest", "AccessRequests", "Actor", "Application", "Grant", "Role", "State"]
