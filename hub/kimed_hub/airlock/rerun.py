"""The server-side re-run: compare what a notebook regenerates with what was submitted.

A request may carry the notebook that produced its outputs. The airlock is meant to run
it with papermill in a fresh locked container of the requester's profile and grants (no
network), collect ACRO's results and compare the regenerated outputs with the snapshot.
What exists: :func:`compare` (exact by SHA-256, else a tolerant table comparison that
names differing rows and columns, never values), :func:`execute_notebook` (papermill in
a folder, for a notebook the caller trusts) and :meth:`record` on the service side
(:func:`record_rerun`), which stores each file's result for the reviewers and audits it.
What does NOT exist yet: starting the fresh locked container from the airlock
(:func:`run_in_container` raises :class:`RerunNotWired`), so requests show no re-run
result unless an operator records one.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd

from ..errors import PortalError


class RerunNotWired(PortalError):
    """The re-run in a fresh locked container is not implemented yet."""

    http_status = 501
    code = "rerun_not_wired"


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


def execute_notebook(notebook: Path, workdir: Path, timeout: int, kernel: str = "python3") -> Path:
    """Run ``notebook`` with papermill in ``workdir`` (its outputs land there); the
    executed copy's path. Only for notebooks the caller trusts: this runs in the calling
    process's environment. The airlock itself must use :func:`run_in_container`."""
    import papermill

    executed = workdir / f"executed-{notebook.name}"
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        cwd=str(workdir),
        kernel_name=kernel,
        execution_timeout=timeout,
        progress_bar=False,
    )
    return executed


def run_in_container(request_id: str) -> None:
    """Run a request's notebook in a fresh locked container of the requester's profile
    and grants. Not wired yet: raises :class:`RerunNotWired` with what to do instead."""
    raise RerunNotWired(
        f"The server-side re-run of {request_id} is not available yet: starting a fresh "
        "locked container for it is not wired into the airlock. Reviewers must judge the "
        "outputs without a re-run; the comparison itself (kimed_hub.airlock.rerun.compare) "
        "exists and is tested."
    )
