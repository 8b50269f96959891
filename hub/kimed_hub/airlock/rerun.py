"""The server-side re-run's comparison: what a notebook regenerated against what was
submitted.

The notebook runs in a fresh locked container (:mod:`kimed_hub.airlock.rerun_container`);
:func:`compare` then decides per file: exact by SHA-256, else (tables) a tolerant
comparison that names differing rows and columns, never values. The service stores each
result for the reviewers and audits it (``ExportRequests.record_rerun``).
"""

from __future__ import annotations

import hashlib
import io

import pandas as pd


def compare(submitted: bytes, regenerated: bytes | None, kind: str, tolerance: float) -> dict:
    """Whether the regenerated file matches the submitted one: ``{"match", "how", "detail"}``.

    Identical bytes match ("sha256"); tables match when they have the same columns and
    row labels and every number agrees within ``tolerance`` (relative) and every text
    cell is equal ("table"). Details name rows and columns, never values."""
    if regenerated is None:
        return {"match": False, "how": "missing", "detail": "the notebook did not write it"}
    if hashlib.sha256(submitted).digest() == hashlib.sha256(regenerated).digest():
        return {"match": True, "how": "sha256", "detail": "identical"}
    if kind != "table":
        return {"match": False, "how": "sha256", "detail": "the regenerated file differs"}
    return _compare_tables(submitted, regenerated, tolerance)


def _compare_tables(submitted: bytes, regenerated: bytes, tolerance: float) -> dict:
    try:
        old = pd.read_csv(io.BytesIO(submitted), sep=None, engine="python")
        new = pd.read_csv(io.BytesIO(regenerated), sep=None, engine="python")
    except (ValueError, pd.errors.ParserError):
        return {"match": False, "how": "table", "detail": "a table cannot be read"}
    if list(old.columns) != list(new.columns) or old.shape != new.shape:
        return {"match": False, "how": "table", "detail": "the columns or the rows differ"}
    differing = []
    for column in old.columns:
        a, b = old[column], new[column]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            scale = b.abs().clip(lower=1e-300)
            bad = ~(((a - b).abs() <= tolerance * scale) | (a.isna() & b.isna()))
        else:
            bad = a.astype(str) != b.astype(str)
        differing += [f"row {i + 1}, column {column}" for i in bad[bad].index]
    if differing:
        return {"match": False, "how": "table", "detail": "differs at " + "; ".join(differing[:20])}
    return {"match": True, "how": "table", "detail": f"equal within {tolerance:g} (relative)"}
