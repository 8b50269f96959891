"""The engine's report (``report.json``, schema ``kimed-synthesis-report/1``) as the
output checkers read it: a Markdown summary attached to the export request.

Only what the report holds at aggregate level is written: the method, row counts,
columns and each measurement with its threshold and verdict. No row of data.
"""

from __future__ import annotations

SCHEMA = "kimed-synthesis-report/1"
BOUND = {"max": "≤", "min": "≥"}


def report_markdown(report: dict, job_id: str) -> str:
    """A Markdown summary of ``report`` for the export request of ``job_id``."""
    lines = [
        f"# Synthesis report for {job_id}",
        "",
        f"- method: {report.get('method')} {report.get('method_version', '')}".rstrip(),
        f"- seed: {report.get('seed')}",
        f"- source table: {report.get('source_table')}",
        f"- rows: {report.get('rows_real')} real, {report.get('rows_synthetic')} synthetic",
        f"- columns: {', '.join(map(str, report.get('columns', [])))}",
        f"- target: {report.get('target') or '(none)'}",
        f"- all thresholds passed: {'yes' if report.get('passed') else 'NO'}",
        "",
        "| dimension | measurement | value | threshold | passed |",
        "|---|---|---|---|---|",
    ]
    for m in report.get("measurements", []):
        lines.append(
            f"| {m.get('dimension')} | {m.get('label_en', m.get('id'))} | "
            f"{_number(m.get('value'))} | {threshold(m)} | {_verdict(m.get('passed'))} |"
        )
    if report.get("failures"):
        lines += ["", "Failed: " + "; ".join(map(str, report["failures"]))]
    return "\n".join(lines) + "\n"


def threshold(measurement: dict) -> str:
    """'≤ 0.1' or '' (no threshold)."""
    limit = measurement.get("threshold")
    if limit is None:
        return ""
    return f"{BOUND.get(measurement.get('direction') or '', '')} {_number(limit)}".strip()


def _number(value) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else "–"


def _verdict(passed) -> str:
    return {True: "yes", False: "NO"}.get(passed, "–")
