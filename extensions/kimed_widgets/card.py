"""A dataset's card: the record as the portal holds it, with a way to request access."""

from __future__ import annotations

import ipywidgets as widgets

from . import render
from .client import PortalClient
from .form import RequestForm
from .ui import Notice, button, guarded


class DatasetCard(widgets.VBox):
    """Shows ``GET datasets/{identifier}``; "Request access" opens the request form.

    Synthetic versions carry the "not for inference" mark and offer no request button:
    they are open to every researcher."""

    def __init__(self, identifier: str, client: PortalClient | None = None, lang: str = "en"):
        self.identifier, self.lang = identifier, lang
        self.client = client or PortalClient()
        self.record: dict | None = None
        self.notice = Notice()
        self.body = widgets.HTML()
        self.request_button = button("Request access", self.open_form, icon="key")
        self.request_button.layout.display = "none"
        self.form_area = widgets.VBox()
        super().__init__([self.notice, self.body, self.request_button, self.form_area])
        self.load()

    @guarded
    def load(self) -> None:
        """Fetch the record and draw the card."""
        self.record = self.client.dataset(self.identifier, lang=self.lang)
        self.notice.clear()
        self.body.value = render.dataset_card(self.record, self.lang)
        requestable = not render.is_synthetic(self.record)
        self.request_button.layout.display = None if requestable else "none"

    @guarded
    def open_form(self) -> None:
        """The access-request form for this dataset, below the card."""
        self.form_area.children = [RequestForm(datasets=[self.identifier], client=self.client)]


def dataset_card(identifier: str, client: PortalClient | None = None, lang: str = "en"):
    """A card for one catalogue dataset (display it as the last line of a notebook cell)."""
    return DatasetCard(identifier, client, lang=lang)
