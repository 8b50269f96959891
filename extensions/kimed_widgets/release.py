"""The airlock in a notebook: ask for files of your home to be released, and see before
asking which cells of a table would fail the disclosure checks.

* :func:`release_request` lists the files of a folder of your home as the airlock sees
  them (``GET airlock/home``: links and types the policy does not allow are shown but
  cannot be picked), takes a justification (and optionally the notebook that produced
  the files, which the airlock re-runs), and submits (``POST airlock/requests``). It then
  shows the automated checks per file: the rule and the cell, never the value.
* :func:`what_would_fail` runs the airlock's rules (ACRO, via
  :func:`kimed_demos.disclosure.check_my_table`) on a table in the kernel, before it is
  written and requested, and shows the failing cells and rules (never their values).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from . import render
from .client import PortalClient
from .ui import Notice, button, guarded

#: Check status → badge colours (as the portal's request page colours them).
CHECK_COLOURS = {
    "pass": ("#d7f0dd", "#1b5e20"),
    "review": ("#fff1c7", "#7a5b00"),
    "fail": ("#fbdada", "#8a1c1c"),
    "blocked": ("#424242", "#ffffff"),
}


class ReleaseRequest(widgets.VBox):
    """Pick files of a home folder, justify, submit; the checks' result per file."""

    def __init__(self, client: PortalClient | None = None, folder: str = "", notebook: str = ""):
        self.client = client or PortalClient()
        self.notice = Notice()
        self.folder = widgets.Text(value=folder, description="Folder", placeholder="(home)")
        self.files = widgets.SelectMultiple(options=[], description="Files", rows=8)
        self.not_requestable = widgets.HTML()
        self.title = widgets.Text(description="Title")
        self.justification = widgets.Textarea(
            description="Justification",
            placeholder="Why each file must leave the workbench and what it shows",
            layout=widgets.Layout(width="90%", height="6em"),
        )
        self.notebook = widgets.Text(
            value=notebook, description="Notebook", placeholder="analysis.ipynb (re-run)"
        )
        self.list_button = button("List files", self.refresh, icon="folder-open")
        self.submit_button = button("Request release", self.submit, button_style="primary")
        self.result = widgets.HTML()
        self.created: dict | None = None
        super().__init__(
            [
                widgets.HBox([self.folder, self.list_button]),
                self.files,
                self.not_requestable,
                self.title,
                self.justification,
                self.notebook,
                self.submit_button,
                self.notice,
                self.result,
            ]
        )
        self.refresh()

    @guarded
    def refresh(self) -> None:
        """List the folder again (what the airlock sees, links included)."""
        listing = self.client.airlock_home(self.folder.value.strip("/"))
        entries = listing.get("entries", [])
        self.files.options = [e["path"] for e in entries if e.get("requestable")]
        others = [e for e in entries if not e.get("requestable") and e.get("kind") != "folder"]
        self.not_requestable.value = render_not_requestable(others)
        self.notice.clear()

    @guarded
    def submit(self) -> None:
        """Ask for the chosen files' release; show the request and its checks."""
        if not self.files.value:
            self.notice.error("Choose at least one file to release.")
            return
        self.created = self.client.create_export(
            files=list(self.files.value),
            justification=self.justification.value,
            title=self.title.value,
            notebook=self.notebook.value.strip() or None,
        )
        ident = render.request_id(self.created)
        self.notice.info(
            f"{ident} is {self.created.get('state')}: two output checkers review it now. "
            "Its page in the portal shows their decision; only you can download what they "
            "release."
        )
        self.result.value = render_export(self.created, self.client.page_path(f"airlock/{ident}"))


def render_not_requestable(entries: list[dict]) -> str:
    """Files the airlock will not take from this folder, and why."""
    if not entries:
        return ""
    why = {"link": "a link: never released", "other": "not a plain file"}
    items = [
        f"<li><code>{render.text(e.get('name'))}</code>: "
        f"{render.text(why.get(e.get('kind'), 'a file type the policy does not allow'))}</li>"
        for e in entries
    ]
    summary = "<summary>Not requestable</summary>"
    return f'<details class="kimed-not-requestable">{summary}<ul>{"".join(items)}</ul></details>'


def render_export(export: dict, link: str) -> str:
    """A submitted request: each file's automated checks (rules and cells, no values)."""
    rows = []
    for entry in export.get("file_details", []):
        if entry.get("role") != "output":
            continue
        status = str(entry.get("check_status", ""))
        colours = CHECK_COLOURS.get(status, ("#e8e8e8", "#424242"))
        findings = "".join(_finding(f) for f in entry.get("findings", []))
        rows.append(
            f'<tr class="kimed-export-file"><td><code>{render.text(entry.get("name"))}</code></td>'
            f"<td>{render.badge(status, colours, 'check')}</td><td><ul>{findings}</ul></td></tr>"
        )
    ident = render.request_id(export)
    head = f'<p><a href="{render.text(link)}" target="_blank">{render.text(ident)}</a> '
    head += render.state_badge(str(export.get("state", ""))) + "</p>"
    table = "<tr><th>file</th><th>checks</th><th>findings (rule and cell)</th></tr>"
    return f'{head}<table class="kimed-export">{table}{"".join(rows)}</table>'


def _finding(finding: dict) -> str:
    cells = ", ".join(
        f"row {render.text(c.get('row'))} / column {render.text(c.get('column'))}"
        for c in finding.get("cells", [])
    )
    message = render.text(finding.get("message") or finding.get("rule"))
    return f"<li><b>{message}</b>{': ' + cells if cells else ''}</li>"


def release_request(client: PortalClient | None = None, folder: str = "", notebook: str = ""):
    """Ask for files of your home to be released (display it as a cell's last line)."""
    return ReleaseRequest(client, folder, notebook)


class WhatWouldFail(widgets.VBox):
    """The airlock's rules on a table in the kernel: the verdict and the failing cells."""

    def __init__(self, check: Any):
        self.check = check
        self.verdict = widgets.HTML(
            render.message("info" if check.passed else "error", check.summary())
        )
        self.cells = widgets.HTML(render_failing_cells(check.cells()))
        super().__init__([self.verdict, self.cells])


def render_failing_cells(cells: list[dict]) -> str:
    """The failing cells: row and column labels and the rules (never the value)."""
    if not cells:
        return "<p>No cell would fail: the table can be requested as it is.</p>"
    rows = "".join(
        f'<tr class="kimed-failing-cell"><td>{render.text(c["row"])}</td>'
        f"<td>{render.text(c['column'])}</td><td>{render.text(', '.join(c['rules']))}</td></tr>"
        for c in cells
    )
    head = "<tr><th>row</th><th>column</th><th>would fail</th></tr>"
    return f'<table class="kimed-what-would-fail">{head}{rows}</table>'


def what_would_fail(data, index: str, columns: str | None = None, **options: Any) -> WhatWouldFail:
    """Which cells of the table ``data`` makes (counts by ``index`` and ``columns``, or
    ``aggfunc`` of ``values``) the airlock would refuse, and why; see
    :func:`kimed_demos.disclosure.check_my_table` for the options (``values``,
    ``aggfunc``, ``policy``). Needs ACRO: the *Python 3 (base)* kernel has it."""
    try:
        from kimed_demos.disclosure import check_my_table
    except ImportError as missing:
        raise RuntimeError(
            f"The disclosure checks need ACRO and kimed_demos ({missing}); use the "
            "'Python 3 (base)' kernel, which has both."
        ) from None
    return WhatWouldFail(check_my_table(data, index, columns, **options))
