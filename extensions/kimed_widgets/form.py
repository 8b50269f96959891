"""The access-request form: a Five Safes application, saved as a DRAFT and submitted.

``FIELDS`` lists the application's fields as the portal names them
(``hub/kimed_hub/catalogue/application.py``; a test keeps the two in step), grouped by the
Five Safes. :class:`ApplicationDraft` turns field values into the API's application JSON
and the portal's violations back into messages per field; :class:`RequestForm` is the
widget. The portal decides what is complete and valid: the form only shows its verdict
next to the fields, and keeps what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ipywidgets as widgets

from . import render
from .client import PortalClient, PortalRefused
from .ui import Notice, button, guarded


@dataclass(frozen=True)
class Field:
    """One form field: its path in the application, label, kind and choices."""

    path: str
    label: str
    kind: str = "text"  # text, long, date, flag, number, choice, words, people, terms
    options: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""


DATA_LEVELS = (
    ("aggregate statistics only", "aggregate"),
    ("anonymised record-level data", "anonymised-record-level"),
    ("pseudonymised record-level data", "pseudonymised-record-level"),
)
LEGAL_BASES = (
    ("GDPR Art. 6(1)(a) consent", "GDPR-A6-1-a"),
    ("GDPR Art. 6(1)(e) public task", "GDPR-A6-1-e"),
)
SPECIAL_CATEGORY_CONDITIONS = (
    ("GDPR Art. 9(2)(a) explicit consent", "GDPR-A9-2-a"),
    ("GDPR Art. 9(2)(j) research", "GDPR-A9-2-j"),
)
F = Field
GROUPS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    ("Safe people: who will see the data", (
        F("people.applicant.name", "Your name"),
        F("people.applicant.email", "E-mail"),
        F("people.applicant.institution", "Institution"),
        F("people.applicant.ror", "Institution (ROR)", placeholder="https://ror.org/..."),
        F("people.applicant.orcid", "ORCID", placeholder="0000-0000-0000-0000"),
        F("people.applicant.role", "Your role in the project"),
        F("people.applicant.training_completed", "Data-protection training on", "date"),
        F("people.members", "Team members", "people",
          placeholder="one per line: username, name, institution"),
    )),
    ("Safe project: what the data are for", (
        F("project.title", "Project title"),
        F("project.acronym", "Acronym"),
        F("project.lay_summary", "Lay summary", "long"),
        F("project.background", "Background", "long"),
        F("project.aims", "Aims", "long"),
        F("project.methods", "Methods", "long"),
        F("project.project_type", "Project type", placeholder="e.g. doctoral thesis"),
        F("project.funder", "Funder"),
        F("project.funding_reference", "Funding reference"),
        F("project.commercial_interest", "Commercial interest", "flag"),
        F("project.start", "Project start", "date"),
        F("project.end", "Project end", "date"),
        F("project.keywords", "Keywords", "words", placeholder="comma-separated"),
        F("project.publication_plan", "Publication plan", "long"),
    )),
    ("Safe data: which data, on which legal basis", (
        F("data.datasets", "Datasets", "words", placeholder="identifiers, comma-separated"),
        F("data.variables", "Variables", "words", placeholder="comma-separated; empty: all"),
        F("data.inclusion_criteria", "Inclusion criteria", "long"),
        F("data.exclusion_criteria", "Exclusion criteria", "long"),
        F("data.level", "Level of detail", "choice", DATA_LEVELS),
        F("data.linkage", "Linkage with other data", "long"),
        F("data.legal_basis", "Legal basis (Art. 6)", "choice", LEGAL_BASES),
        F("data.special_category_condition", "Health data condition (Art. 9)", "choice",
          SPECIAL_CATEGORY_CONDITIONS),
        F("data.minimisation", "Data minimisation", "long"),
        F("data.ethics.existing", "An ethics vote exists", "flag"),
        F("data.ethics.committee", "Ethics committee"),
        F("data.ethics.number", "Ethics vote number"),
        F("data.ethics.date", "Ethics vote date", "date"),
        F("data.refresh_needed", "Data refreshes needed", "flag"),
    )),
    ("Safe settings: where the data are processed", (
        F("settings.gpu", "Needs a GPU", "flag"),
        F("settings.cpu_cores", "CPU cores (0: standard)", "number"),
        F("settings.memory_gb", "Memory in GB (0: standard)", "number"),
        F("settings.notes", "Notes", "long"),
    )),
    ("Safe outputs: what leaves the workbench", (
        F("outputs.expected_outputs", "Expected outputs", "long"),
        F("outputs.disclosure_control", "Disclosure control", "long"),
        F("outputs.retention_until", "Keep the data until", "date"),
        F("outputs.destruction_method", "Destruction method"),
    )),
    ("Data use terms", (
        F("terms_accepted_by", "I and every team member listed have read and accept the data "
          "use terms", "terms"),
    )),
)  # fmt: skip
FIELDS: tuple[Field, ...] = tuple(f for _title, group in GROUPS for f in group)
#: States in which the applicant may still change the application.
EDITABLE = ("DRAFT", "RETURNED")


def split_words(value: str) -> list[str]:
    """Comma- or line-separated items, stripped, empty ones dropped."""
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def parse_people(value: str) -> list[dict]:
    """Team members, one per line: ``username, name, institution`` (later parts optional)."""
    people = []
    for line in value.splitlines():
        parts = [part.strip() for part in line.split(",", 2)]
        if any(parts):
            parts += [""] * (3 - len(parts))
            people.append(dict(zip(("username", "name", "institution"), parts, strict=True)))
    return people


def format_people(people: list[dict]) -> str:
    return "\n".join(
        ", ".join(p.get(k, "") or "" for k in ("username", "name", "institution")) for p in people
    )


@dataclass
class ApplicationDraft:
    """Field values ⇄ the API's application JSON, and violations ⇄ fields."""

    values: dict[str, Any] = field(default_factory=dict)

    def application(self, applicant: str) -> dict:
        """The application JSON; ``applicant`` is the caller (the terms' first signer)."""
        data: dict = {}
        members = parse_people(self.values.get("people.members", ""))
        for spec in FIELDS:
            value = self.values.get(spec.path)
            if spec.kind == "terms":
                names = [applicant] + [m["username"] for m in members if m["username"]]
                value = names if value else []
            elif spec.kind == "people":
                value = members
            elif spec.kind == "words":
                value = split_words(value or "")
            elif spec.kind == "date":
                value = value.isoformat() if isinstance(value, date) else None
            elif spec.kind == "number":
                value = value or None  # 0 means "the standard profile"
            elif spec.kind == "flag":
                value = bool(value)
            else:
                value = (value or "").strip()
            _put(data, spec.path, value)
        _put(data, "people.applicant.username", applicant)  # the portal checks it is the caller
        return data

    @classmethod
    def from_application(cls, application: dict) -> ApplicationDraft:
        """Field values from a stored application (to continue a draft or an amendment)."""
        values: dict[str, Any] = {}
        for spec in FIELDS:
            value = _get(application, spec.path)
            if spec.kind == "terms":
                value = bool(value)
            elif spec.kind == "people":
                value = format_people(value or [])
            elif spec.kind == "words":
                value = ", ".join(value or [])
            elif spec.kind == "date":
                value = date.fromisoformat(value) if value else None
            elif spec.kind == "number":
                value = value or 0
            values[spec.path] = value
        return cls(values)


def field_of(violation_path: str) -> str | None:
    """The form field a violation belongs to (``people.members[0].name`` → the team
    members field), or None when no field shows it (it then goes in the summary only)."""
    for spec in sorted(FIELDS, key=lambda f: len(f.path), reverse=True):
        rest = violation_path[len(spec.path) :]
        if violation_path.startswith(spec.path) and rest[:1] in ("", ".", "["):
            return spec.path
    return None


def problems_by_field(refusal: PortalRefused) -> dict[str, list[str]]:
    """The portal's violations grouped by form field (unplaced ones under "")."""
    grouped: dict[str, list[str]] = {}
    for violation in refusal.violations:
        where = field_of(violation.field) or ""
        grouped.setdefault(where, []).append(
            violation.message
            if where == violation.field
            else f"{violation.field}: {violation.message}"
        )
    return grouped


def _put(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        data = data.setdefault(name, {})
    data[last] = value


def _get(data: dict, path: str) -> Any:
    for name in path.split("."):
        data = data.get(name) if isinstance(data, dict) else None
    return data


def _control(spec: Field) -> widgets.Widget:
    """The input widget for one field."""
    common = {"style": {"description_width": "220px"}, "layout": {"width": "95%"}}
    label = {"description": spec.label, **common}
    if spec.kind == "long":
        return widgets.Textarea(rows=3, placeholder=spec.placeholder, **label)
    if spec.kind == "people":
        return widgets.Textarea(rows=3, placeholder=spec.placeholder, **label)
    if spec.kind == "date":
        return widgets.DatePicker(**label)
    if spec.kind in ("flag", "terms"):
        return widgets.Checkbox(description=spec.label, indent=True, **common)
    if spec.kind == "number":
        return widgets.BoundedIntText(min=0, max=10_000, **label)
    if spec.kind == "choice":
        return widgets.Dropdown(options=(("— choose —", ""), *spec.options), **label)
    return widgets.Text(placeholder=spec.placeholder, **label)


class RequestForm(widgets.VBox):
    """The access-request form. ``submit()`` saves the DRAFT (created on first use,
    edited after) and submits it; the portal's verdict shows next to each field."""

    def __init__(
        self,
        datasets: list[str] = (),
        client: PortalClient | None = None,
        request_id: str | None = None,
    ):
        self.client = client or PortalClient()
        self.request_id: str | None = None
        self.request: dict | None = None
        self._me = ""  # the caller's username, asked once when first needed
        self.notice = Notice()
        self.controls = {spec.path: _control(spec) for spec in FIELDS}
        self.problems = {spec.path: widgets.HTML() for spec in FIELDS}
        self.controls["data.datasets"].value = ", ".join(datasets)
        sections = [
            widgets.VBox(
                [widgets.VBox([self.controls[s.path], self.problems[s.path]]) for s in group]
            )
            for _title, group in GROUPS
        ]
        self.groups = widgets.Accordion(sections, titles=tuple(t for t, _g in GROUPS))
        self.groups.selected_index = 0
        self.save_button = button("Save draft", self.save, icon="save")
        self.submit_button = button(
            "Submit request", self.submit, button_style="primary", icon="paper-plane"
        )
        super().__init__(
            [
                widgets.HTML("<h3>Access request</h3>"),
                self.groups,
                widgets.HBox([self.save_button, self.submit_button]),
                self.notice,
            ]
        )
        if request_id:
            self.load(request_id)

    # --- state --------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What is in the form now (path → widget value)."""
        return {path: control.value for path, control in self.controls.items()}

    def fill(self, draft: ApplicationDraft) -> None:
        for path, value in draft.values.items():
            if value is not None or isinstance(self.controls[path], widgets.DatePicker):
                self.controls[path].value = value

    @guarded
    def load(self, request_id: str) -> None:
        """Continue an existing DRAFT or RETURNED request."""
        self._remember(self.client.access_request(request_id))
        self.fill(ApplicationDraft.from_application(self.request.get("application") or {}))
        self.notice.info(f"Request {self.request_id} is {self.request.get('state')}.")
        self._lock_if_done()

    def _remember(self, answer: dict) -> None:
        self.request, self.request_id = answer, render.request_id(answer)

    # --- actions ------------------------------------------------------------------------
    @guarded
    def save(self) -> None:
        """Store the form as the request's DRAFT (created on first save)."""
        self._save()
        self.notice.info(f"Saved as draft {self.request_id}. Submit it when it is complete.")

    @guarded
    def submit(self) -> None:
        """Save, then submit (or resubmit a RETURNED request); show the new state."""
        self._save()
        action = "resubmit" if self.request.get("state") == "RETURNED" else "submit"
        try:
            self._remember(self.client.act(self.request_id, action))
        except PortalRefused as refusal:
            self._show_problems(refusal)
            raise
        self.notice.info(
            f"Request {self.request_id} is {self.request.get('state')}. Follow it with "
            f"my_requests() or on its page {self.client.page_path(f'requests/{self.request_id}')}."
        )
        self._lock_if_done()

    def _save(self) -> None:
        self._show_problems(None)
        application = ApplicationDraft(self.values()).application(self._applicant())
        try:
            if self.request_id is None:
                self._remember(self.client.create_request(application))
            else:
                self._remember(self.client.edit_request(self.request_id, application))
        except PortalRefused as refusal:
            self._show_problems(refusal)
            raise

    def _applicant(self) -> str:
        """The caller's username (asked once): the first name on the accepted terms."""
        if not self._me:
            self._me = self.client.me().get("name", "")
        return self._me

    # --- showing the portal's verdict --------------------------------------------------
    def _show_problems(self, refusal: PortalRefused | None) -> None:
        grouped = problems_by_field(refusal) if refusal else {}
        for path, area in self.problems.items():
            messages = grouped.get(path, [])
            area.value = render.message("error", "\n".join(messages)) if messages else ""

    def _lock_if_done(self) -> None:
        """Once submitted, the form only shows what was sent."""
        done = (self.request or {}).get("state") not in EDITABLE
        self.save_button.disabled = self.submit_button.disabled = done


def request_form(dataset: str | list[str] = (), client: PortalClient | None = None,
                 request_id: str | None = None):  # fmt: skip
    """An access-request form for ``dataset`` (one identifier or a list), or to continue
    the DRAFT/RETURNED request ``request_id`` (display it as a cell's last line)."""
    datasets = [dataset] if isinstance(dataset, str) else list(dataset)
    return RequestForm(datasets, client, request_id=request_id)
