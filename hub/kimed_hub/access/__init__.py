"""Access to data: requests, the workflow rules they follow, and the grants they end in
(no HTTP here; the portal service serves it).

    requests = AccessRequests(store)          # store: a catalogue.CatalogueStore
    requests.active_grants("alice")

Every transition is an event on the shared audit log (:mod:`kimed_hub.audit`). See
``docs/portal.md`` for the state machine.

The names below load on first use (PEP 562), so that ``kimed_hub.access.grants``, the
read-only grants model the hub's spawner imports, comes without the workflow service and
the catalogue store (RDF, SHACL) behind it.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "AccessRequest": "rows",
    "AccessRequests": "requests",
    "Actor": "workflow",
    "Application": "application",
    "Grant": "grants",
    "Role": "workflow",
    "State": "workflow",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
