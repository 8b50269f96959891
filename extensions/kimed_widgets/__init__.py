"""KIMed portal widgets for notebooks (ipywidgets 8).

In a workbench server they reach the portal with the server's own token; nothing to set::

    from kimed_widgets import search, dataset_card, request_form, my_requests
    search()                                   # catalogue search with facets
    dataset_card("roentgen-thorax-chemnitz")   # one dataset's card
    request_form(dataset="roentgen-thorax-chemnitz")
    my_requests()                              # your requests and their states
    feasibility("mii-demo")                    # patient counts before access (MII data)

Elsewhere pass ``client=PortalClient(base_url=..., token=...)``. Errors show as messages
in the widget; calling the client directly raises :class:`PortalUnavailable` or
:class:`PortalRefused` with the portal's message.
"""

from .card import DatasetCard, dataset_card
from .client import PortalCallFailed, PortalClient, PortalRefused, PortalUnavailable
from .feasibility import Feasibility, feasibility
from .form import RequestForm, request_form
from .request_list import MyRequests, my_requests
from .search import CatalogueSearch, search

__all__ = [
    "CatalogueSearch",
    "DatasetCard",
    "Feasibility",
    "MyRequests",
    "PortalCallFailed",
    "PortalClient",
    "PortalRefused",
    "PortalUnavailable",
    "RequestForm",
    "dataset_card",
    "feasibility",
    "my_requests",
    "request_form",
    "search",
]
