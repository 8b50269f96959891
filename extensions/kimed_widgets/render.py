"""What the widgets show, as HTML strings built from the portal's JSON (no widgets here).

Kept apart from the widgets so that what a researcher sees can be tested as plain text,
and so that every view marks synthetic data and states the same way. Everything that
comes from the portal is escaped: catalogue text is data, never markup.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

SYNTHETIC_BADGE = "synthetic — not for inference"
#: Badge colours (background, text) by access level and request state.
ACCESS_COLOURS = {
    "PUBLIC": ("#d7f0dd", "#1b5e20"),
    "RESTRICTED": ("#fff1c7", "#7a5b00"),
    "NON_PUBLIC": ("#fbdada", "#8a1c1c"),
}
_WAITING = ("#e3ecfa", "#1a3d7c")
_GOOD = ("#d7f0dd", "#1b5e20")
_BAD = ("#fbdada", "#8a1c1c")
_ENDED = ("#e8e8e8", "#424242")
STATE_COLOURS = {
    "DRAFT": ("#f3f3f3", "#424242"),
    "SUBMITTED": _WAITING,
    "FORMAL_CHECK": _WAITING,
    "COMMITTEE_REVIEW": _WAITING,
    "RETURNED": ("#fff1c7", "#7a5b00"),
    "APPROVED": _GOOD,
    "APPROVED_WITH_CONDITIONS": ("#fff1c7", "#7a5b00"),
    "ACTIVE": _GOOD,
    "REJECTED": _BAD,
    "REVOKED": _BAD,
    "WITHDRAWN": _ENDED,
    "EXPIRED": _ENDED,
    "CLOSED": _ENDED,
}


def text(value: Any) -> str:
    """Escaped text; None and missing values show as nothing."""
    return "" if value is None else escape(str(value))


def pick(value: Any, lang: str) -> str:
    """A de/en text in ``lang``, falling back to the other language (records need both,
    but drafts of other kinds may not)."""
    if isinstance(value, dict):
        other = "de" if lang == "en" else "en"
        return str(value.get(lang) or value.get(other) or "")
    return "" if value is None else str(value)


def badge(label: str, colours: tuple[str, str], kind: str) -> str:
    """A small coloured label; ``kind`` is a CSS class so tests and styles can find it."""
    background, colour = colours
    return (
        f'<span class="kimed-badge kimed-{kind}" style="background:{background};'
        f"color:{colour};border-radius:4px;padding:1px 6px;font-size:85%;"
        f'white-space:nowrap">{text(label)}</span>'
    )


def synthetic_badge() -> str:
    """The mark on every synthetic dataset, wherever it is shown."""
    return badge(SYNTHETIC_BADGE, ("#ffe0b2", "#8a4b00"), "synthetic")


def access_badge(level: str) -> str:
    return badge(level.replace("_", " ").lower(), ACCESS_COLOURS.get(level, _ENDED), "access")


def state_badge(state: str) -> str:
    return badge(state, STATE_COLOURS.get(state, _ENDED), "state")


def span(low: Any, high: Any, unit: str = "") -> str:
    """``low–high unit``, with open ends left empty; nothing when both are unknown."""
    if low in (None, "") and high in (None, ""):
        return ""
    return f"{text(low)}–{text(high)}{' ' + unit if unit else ''}"


def count(value: Any) -> str:
    """A count with thousands separators (or nothing when unknown)."""
    return f"{value:,}" if isinstance(value, int) else ""


def facts(pairs: list[tuple[str, str]]) -> str:
    """``label: value`` items of the pairs that have a value, separated by dots."""
    shown = [f"{text(label)}: {value}" for label, value in pairs if value]
    return " · ".join(shown)


def hit(item: dict) -> str:
    """One search result: title, badges, summary and key facts."""
    marks = [access_badge(item.get("access_rights", ""))]
    if item.get("is_synthetic") or item.get("not_for_inference"):
        marks.append(synthetic_badge())
    details = facts(
        [
            ("individuals", count(item.get("number_of_individuals"))),
            ("age", span(item.get("min_age"), item.get("max_age"))),
            ("time", span(item.get("time_start"), item.get("time_end"))),
        ]
    )
    return (
        f'<div class="kimed-hit"><b>{text(item.get("title"))}</b> '
        f"<code>{text(item.get('identifier'))}</code> {' '.join(marks)}"
        f"<div>{text(item.get('summary'))}</div>"
        f'<div style="color:#555;font-size:90%">{details}</div></div>'
    )


def is_synthetic(record: dict) -> bool:
    """A dataset record is a synthetic version when it is typed SYNTHETIC_DATA."""
    return "SYNTHETIC_DATA" in (record.get("dataset_types") or [])


def dataset_card(record: dict, lang: str = "en") -> str:
    """A dataset record as a card: what it is, who holds it, its size and its variables."""
    synthetic = is_synthetic(record)
    marks = [access_badge(record.get("access_rights", ""))]
    if synthetic:
        marks.append(synthetic_badge())
    temporal = record.get("temporal") or {}
    custodian = (record.get("custodian") or {}).get("name", "")
    rows = [
        ("Identifier", f"<code>{text(record.get('identifier'))}</code>"),
        ("Data holder", text(custodian)),
        ("Modalities", text(", ".join(record.get("modalities") or []))),
        ("Health categories", text(", ".join(record.get("health_categories") or []))),
        ("Data model / standards", text(", ".join(record.get("standards") or []))),
        ("Coding systems", text(", ".join(record.get("coding_systems") or []))),
        ("Individuals", count(record.get("number_of_individuals"))),
        ("Records", count(record.get("number_of_records"))),
        ("Age", span(record.get("min_age"), record.get("max_age"), "years")),
        ("Time span", span(temporal.get("start"), temporal.get("end") or "ongoing")),
        ("Keywords", text(", ".join(record.get("keywords") or []))),
        ("Derived from", text(record.get("derived_from"))),
        ("Synthetic versions", _ids(record.get("synthetic_versions"))),
        ("Algorithms trained on it", _ids(record.get("algorithms"))),
        ("Version", text(record.get("version"))),
    ]
    table = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{label}</th><td>{value}</td></tr>"
        for label, value in rows
        if value
    )
    warning = (
        "<p><b>Synthetic data:</b> use it to build and test pipelines; never for "
        "inference about real people.</p>"
        if synthetic
        else ""
    )
    return (
        f'<div class="kimed-card"><h3>{text(pick(record.get("title"), lang))} '
        f"{' '.join(marks)}</h3>{warning}"
        f"<p>{text(pick(record.get('description'), lang))}</p>"
        f"<table>{table}</table>{_variables(record.get('variables') or [])}</div>"
    )


def _ids(values: list | None) -> str:
    return ", ".join(f"<code>{text(v)}</code>" for v in values or [])


def _variables(variables: list[dict], limit: int = 50) -> str:
    """The first variables as a table (records may list thousands)."""
    if not variables:
        return ""
    rows = "".join(
        f"<tr><td><code>{text(v.get('name'))}</code></td><td>{text(v.get('title'))}</td>"
        f"<td>{text(v.get('datatype'))}</td><td>{text(v.get('description'))}</td></tr>"
        for v in variables[:limit]
    )
    more = f"<p>… and {len(variables) - limit} more</p>" if len(variables) > limit else ""
    return (
        f"<details><summary>Variables ({len(variables)})</summary><table>"
        f"<tr><th>name</th><th>title</th><th>type</th><th>description</th></tr>{rows}"
        f"</table>{more}</details>"
    )


def request_id(item: dict) -> str:
    """A request's id (``id`` in the API; ``request_id`` as the library names it)."""
    return str(item.get("id") or item.get("request_id") or "")


def requests_table(items: list[dict], link) -> str:
    """The caller's requests: id (linked to its portal page), title, datasets, state.

    The state shown is the effective one: an ACTIVE grant past its end date is EXPIRED
    even before the portal's periodic expiry records it."""
    if not items:
        return "<p>You have no access requests yet.</p>"
    rows = []
    for item in items:
        ident = request_id(item)
        state = str(item.get("effective_state") or item.get("state", ""))
        rows.append(
            f'<tr class="kimed-request"><td><a href="{text(link(ident))}" target="_blank">'
            f"{text(ident)}</a></td><td>{text(item.get('title'))}</td>"
            f"<td>{_ids(item.get('datasets'))}</td><td>{state_badge(state)}</td>"
            f"<td>{text(item.get('updated_at'))}</td></tr>"
        )
    head = "<tr><th>request</th><th>title</th><th>datasets</th><th>state</th><th>updated</th></tr>"
    return f'<table class="kimed-requests">{head}{"".join(rows)}</table>'


def feasibility_answer(answer: dict) -> str:
    """A feasibility answer: the protected count, what protects it, the questions left."""
    shown, rules = text(answer.get("count")), answer.get("protection") or {}
    note = " (suppressed: fewer than the smallest count shown)" if answer.get("suppressed") else ""
    protection = (
        f"counts below {text(rules.get('min_count'))} are not shown; others carry noise of "
        f"at most ±{text(rules.get('noise'))} and are rounded to "
        f"{text(rules.get('round_to'))}"
    )
    return (
        f'<div class="kimed-feasibility"><p>Patients meeting the criteria: <b>{shown}</b>'
        f"{note}</p><p>{protection}; {text(answer.get('remaining_queries'))} questions left "
        f"in this {text(rules.get('quota_hours'))}-hour period.</p></div>"
    )


def message(kind: str, body: str) -> str:
    """An error or information line (``kind``: error, info); ``body`` is plain text."""
    colour = {"error": "#8a1c1c", "info": "#1a3d7c"}.get(kind, "#424242")
    lines = "<br>".join(text(line) for line in body.splitlines())
    return f'<div class="kimed-{kind}" style="color:{colour}">{lines}</div>'


def plain(markup: str) -> str:
    """What a person reads in ``markup``: tags dropped, line breaks kept, entities decoded."""
    return unescape(
        re.sub(r"<[^>]+>", "", re.sub(r"<br>|</(?:p|div|tr|h3)>", "\n", markup))
    ).strip()
