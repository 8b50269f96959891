"""report.json (schema ``kimed-synthesis-report/1``) and a self-contained report.html.

The HTML embeds its figures as PNG data URIs, escapes every value taken from the data
(column names come from the dataset), and carries no script, so a checker can open it
in the airlock without it reaching anything.
"""

from __future__ import annotations

import base64
import html

SCHEMA = "kimed-synthesis-report/1"
ATTACKS = ("singling_out", "linkability", "inference")


def build(spec, method_version: str, table: str, info, rows_real: int, rows_synth: int,
          measured, timings: dict, peak_mb: float) -> dict:  # fmt: skip
    """The report as the contract defines it (plus dropped columns and attack details)."""
    from .measure import failures

    failed = failures(measured.measurements)
    return {
        "schema": SCHEMA, "method": spec.method, "method_version": method_version,
        "seed": spec.seed, "source_table": table, "rows_real": rows_real,
        "rows_synthetic": rows_synth, "columns": info.columns, "dropped_columns": info.dropped,
        "target": spec.target, "passed": not failed, "failures": failed,
        "measurements": measured.measurements,
        "attacks": {k: _attack(measured.details[k]) for k in ATTACKS},
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "peak_memory_mb": round(peak_mb, 1),
    }  # fmt: skip


def _attack(found: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in found.items()}


def render_html(report: dict, figures: dict[str, bytes]) -> str:
    """The report as one HTML page with the figures embedded."""
    e = html.escape
    verdict = (
        "PASSED every threshold" if report["passed"] else "FAILED: " + ", ".join(report["failures"])
    )
    rows = "".join(
        f"<tr class='{_css(m['passed'])}'><td>{e(m['id'])}</td><td>{e(m['label_en'])}<br>"
        f"<small>{e(m['label_de'])}</small></td><td>{_num(m['value'])}</td>"
        f"<td>{'≤' if m['direction'] == 'max' else '≥'} {_num(m['threshold'])}</td>"
        f"<td>{_verdict(m['passed'])}</td></tr>"
        for m in report["measurements"]
    )
    images = "".join(
        f"<h2>{e(name)}</h2><img alt='{e(name)}' src='data:image/png;base64,"
        f"{base64.b64encode(data).decode()}'>"
        for name, data in figures.items()
    )
    dropped = ", ".join(map(str, report["dropped_columns"])) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Synthesis report</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:auto}}td,th{{padding:.3em .6em;
border-bottom:1px solid #ccc;text-align:left}}.fail{{background:#fdd}}.pass{{background:#dfd}}
img{{max-width:100%}}</style></head><body>
<h1>Synthesis report: {e(report["source_table"])}</h1>
<p><b>{e(verdict)}</b></p>
<p>Method {e(report["method"])} (version {e(report["method_version"])}), seed {report["seed"]};
{report["rows_real"]} real rows, {report["rows_synthetic"]} synthetic rows,
{len(report["columns"])} columns; target: {e(str(report["target"]))};
columns left out as identifiers: {e(dropped)}.</p>
<table><tr><th>id</th><th>measurement</th><th>value</th><th>threshold</th><th>result</th></tr>
{rows}</table>{images}</body></html>
"""


def _css(passed) -> str:
    return "pass" if passed is True else "fail"


def _verdict(passed) -> str:
    return {True: "passed", False: "FAILED"}.get(passed, "no value (not passed)")


def _num(value) -> str:
    return "–" if value is None else f"{value:.4g}"
