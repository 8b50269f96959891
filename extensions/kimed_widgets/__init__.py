"""KIMed portal widgets for notebooks (ipywidgets 8).

In a workbench server they reach the portal with the server's own token; nothing to set::

    from kimed_widgets import search, dataset_card, request_form, my_requests
    search()                                   # catalogue search with facets
    dataset_card("roentgen-thorax-chemnitz")   # one dataset's card
    request_form(dataset="roentgen-thorax-chemnitz")
    my_requests()                              # your requests and their states
    feasibility("mii-demo")                    # patient counts before access (MII data)
    release_request(folder="out")              # ask for files of your home to be released
    what_would_fail(df, "age_group", "sex")    # which cells the airlock would refuse

Elsewhere pass ``client=PortalClient(base_url=..., token=...)``. Errors show as messages
in the widget; calling the client directly raises :class:`PortalUnavailable` or
:class:`PortalRefused` with the portal's message.
"""

from .card import DatasetCard, dataset_card
from .client import PortalCallFailed, PortalClient, PortalRefused, PortalUnavailable
from .feasibility import Feasibility, feasibility
from .form import RequestForm, request_form
from .release import ReleaseRequest, WhatWouldFail, release_request, what_would_fail
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
    "ReleaseRequest",
    "RequestForm",
    "WhatWouldFail",
    "dataset_card",
    "feasibility",
    "my_requests",
    "release_request",
    "request_form",
    "search",
    "what_would_fail",
]
