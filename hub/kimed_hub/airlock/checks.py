"""The automated checks on one snapshotted file: type, size, and disclosure rules.

Tables (CSV, TSV) are parsed and their count cells checked with ACRO's threshold, zero
and missing checks (through ``kimed_demos.disclosure``, the same layer researchers use
in their kernels); columns that hold magnitudes (means, sums) cannot be checked for
dominance without the contributions, so they go to a person (or to the server-side
re-run, which has the microdata). Figures and free text always go to a person. A file
whose content does not match its type is BLOCKED and can never be approved.

Findings name the rule and the cells (row and column labels), never a cell's value.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from ..policies.airlock import AirlockPolicy, FileType, Thresholds
from .filetypes import mismatch
from .model import CheckStatus


@dataclass(frozen=True)
class FileVerdict:
    """The automated verdict on one file."""

    status: CheckStatus
    findings: list[dict]


def disclosure_policy(thresholds: Thresholds):
    """The kernels' :class:`~kimed_demos.disclosure.DisclosurePolicy` for these thresholds."""
    from kimed_demos.disclosure import DisclosurePolicy

    return DisclosurePolicy(
        threshold=thresholds.threshold,
        p_ratio=thresholds.p_ratio,
        nk_n=thresholds.nk_n,
        nk_k=thresholds.nk_k,
        dof_threshold=thresholds.dof_threshold,
        zeros_disclosive=thresholds.zeros_disclosive,
        missing_disclosive=thresholds.missing_disclosive,
    )


def check_file(
    data: bytes, file_type: FileType, policy: AirlockPolicy, thresholds: Thresholds
) -> FileVerdict:
    """Check one file's content (already within its size limit) against the policy."""
    problem = mismatch(file_type.content, data[:65536], data)
    if problem:
        return FileVerdict(CheckStatus.BLOCKED, [_finding("file-type", problem)])
    if file_type.kind == "table":
        return check_table(data, file_type, policy, thresholds)
    why = {
        "figure": "a figure can show small counts or single people; a checker must look at it",
        "text": "free text can say anything; a checker must read it",
        "notebook": "the notebook that produced the outputs: re-run on the server, not released",
    }[file_type.kind]
    return FileVerdict(CheckStatus.REVIEW, [_finding("manual-review", why)])


def _finding(rule: str, message: str, cells: list[dict] | None = None) -> dict:
    return {"rule": rule, "message": message, "cells": cells or []}


def read_table(data: bytes, file_type: FileType) -> pd.DataFrame:
    """The table as text cells (nothing is interpreted yet); ValueError if unreadable."""
    separator = "\t" if file_type.content == "text/tab-separated-values" else None
    return pd.read_csv(
        io.BytesIO(data),
        sep=separator,
        engine="python" if separator is None else "c",
        dtype=str,
        keep_default_na=False,
    )


def check_table(
    data: bytes, file_type: FileType, policy: AirlockPolicy, thresholds: Thresholds
) -> FileVerdict:
    """A table's verdict: too many rows (record-level) fails; count cells by ACRO's rules;
    magnitude columns to a person."""
    try:
        table = read_table(data, file_type)
    except (ValueError, pd.errors.ParserError) as error:
        why = f"the table cannot be read ({str(error).splitlines()[0]}); a checker must look"
        return FileVerdict(CheckStatus.REVIEW, [_finding("unreadable", why)])
    if len(table) > policy.table_max_rows:
        why = (
            f"{len(table):,} rows: more than the {policy.table_max_rows:,} an aggregate "
            "output may have, so this looks like record-level data"
        )
        return FileVerdict(CheckStatus.FAIL, [_finding("record-level", why)])
    labels, counts, magnitudes = classify_columns(table, policy)
    findings = _count_findings(table, labels, counts, thresholds)
    if magnitudes:
        findings.append(
            _finding(
                "magnitude",
                "columns "
                + ", ".join(magnitudes)
                + " hold magnitudes (not counts): dominance (n,k, p%) needs each cell's "
                "contributions; a checker must judge them, or attach the notebook for a re-run",
            )
        )
    failed = any(f["cells"] for f in findings)
    status = (
        CheckStatus.FAIL if failed else (CheckStatus.REVIEW if magnitudes else CheckStatus.PASS)
    )
    return FileVerdict(status, findings)


def classify_columns(table: pd.DataFrame, policy: AirlockPolicy):
    """(label columns, count columns, magnitude columns) of a table of text cells.

    Count columns are those the policy names (``tables.count_columns``); a table with
    none of them counts every whole-number column. Other numeric columns are magnitudes.
    """
    numeric = {}
    for column in table.columns:
        values = pd.to_numeric(table[column].replace("", None), errors="coerce")
        blank = table[column].eq("")
        if values.notna().sum() and (values.notna() | blank).all():
            numeric[column] = values
    labels = [c for c in table.columns if c not in numeric]
    named = [c for c in numeric if str(c).strip().lower() in policy.count_columns]
    if named:
        counts = named
    else:
        counts = [c for c, v in numeric.items() if (v.dropna() % 1 == 0).all() and (v >= 0).all()]
    magnitudes = [c for c in numeric if c not in counts]
    return labels, counts, magnitudes


def _count_findings(
    table: pd.DataFrame, labels: list[str], counts: list[str], thresholds: Thresholds
) -> list[dict]:
    """ACRO's count rules on the count columns, one finding per failed rule."""
    if not counts:
        return []
    from kimed_demos.disclosure import check_counts

    numbers = table[counts].apply(lambda c: pd.to_numeric(c.replace("", None), errors="coerce"))
    numbers.index = _row_labels(table, labels)
    verdict = check_counts(numbers, disclosure_policy(thresholds), "table")
    by_rule: dict[str, list[dict]] = {}
    for cell in verdict.cells():
        for rule in cell["rules"]:
            by_rule.setdefault(rule, []).append({"row": cell["row"], "column": cell["column"]})
    policy = disclosure_policy(thresholds)
    return [_finding(rule, policy.explain(rule), cells) for rule, cells in by_rule.items()]


def _row_labels(table: pd.DataFrame, labels: list[str]) -> pd.Index:
    """Each row's label: its label columns joined, else its row number (from 1)."""
    if not labels:
        return pd.Index([f"row {i + 1}" for i in range(len(table))])
    return pd.Index([" / ".join(map(str, row)) for row in table[labels].itertuples(index=False)])
