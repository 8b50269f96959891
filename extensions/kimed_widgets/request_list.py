""" "My requests": the caller's access requests with their state, refreshed on demand."""

from __future__ import annotations

import ipywidgets as widgets

from . import render
from .client import PortalClient
from .ui import Notice, button, guarded


class MyRequests(widgets.VBox):
    """A table of ``GET requests`` (id linked to the request's portal page, title,
    datasets, state badge, last change) with a refresh button."""

    def __init__(self, client: PortalClient | None = None):
        self.client = client or PortalClient()
        self.requests: list[dict] = []
        self.notice = Notice()
        self.table = widgets.HTML()
        self.refresh_button = button("Refresh", self.refresh, icon="refresh")
        super().__init__([self.refresh_button, self.notice, self.table])
        self.refresh()

    @guarded
    def refresh(self) -> None:
        """Ask the portal again and redraw the table."""
        self.requests = self.client.my_requests()
        self.notice.clear()
        self.table.value = render.requests_table(self.requests, self.link)

    def link(self, request_id: str) -> str:
        """The request's page in the portal (where stewards' comments and history show)."""
        return self.client.page_path(f"requests/{request_id}")

    def states(self) -> dict[str, str]:
        """Request id → state, as the table shows them (the effective state)."""
        return {
            render.request_id(item): str(item.get("effective_state") or item.get("state", ""))
            for item in self.requests
        }


def my_requests(client: PortalClient | None = None):
    """The caller's access requests and their states (display it as a cell's last line)."""
    return MyRequests(client)
