"""MII broad consent honoured: only patients whose consent permits the use are mounted.

    counts = consented_view(folder, ["2.16...24.5.3.8"], date(2025, 3, 1), out_dir)

A patient is kept when, for every required policy code, the consent provision that
applies on ``on_date`` (the grant's start) is a permit, and no later deny for that code
(a withdrawal) is dated on or before ``as_of`` (the spawn's day): a withdrawal after the
grant started still removes the patient at the next spawn. Among provisions covering the
day, the latest consent (``Consent.dateTime``) wins; at equal times a deny wins. The view
holds every table filtered to the kept patients, in Parquet and CSV, read-only; the
returned counts (never identities) go to the audit log.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .table_files import MANIFEST, csv_form, read_manifest

VIEW_MANIFEST = "consent-view.json"
REASONS = ("no_consent", "not_in_period", "denied", "withdrawn")


@dataclass(frozen=True)
class ConsentCounts:
    """What a consent filter did, in counts only (for the audit log)."""

    patients_total: int
    patients_permitted: int
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> patients
    rows_kept: dict[str, int] = field(default_factory=dict)  # table -> rows

    def as_details(self) -> dict:
        """JSON-ready for an audit entry."""
        return asdict(self)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, UTC)


def _decide(rows: list[dict], on_date: date, as_of: date) -> str | None:
    """None when the provisions of one code permit; else the reason they do not."""
    covering = [
        r
        for r in rows
        if r["status"] == "active"
        and r["period_start"]
        and r["period_start"] <= on_date
        and (r["period_end"] is None or on_date <= r["period_end"])
    ]
    if not covering:
        return "not_in_period"
    winner = max(covering, key=lambda r: (r["time"], r["provision_type"] == "deny"))
    if winner["provision_type"] != "permit":
        earlier = any(r["provision_type"] == "permit" and r["time"] < winner["time"] for r in rows)
        return "withdrawn" if earlier else "denied"
    known = _end_of(max(on_date, as_of))
    later = [
        r for r in rows if r["provision_type"] == "deny" and winner["time"] < r["time"] <= known
    ]
    return "withdrawn" if later else None


def permitted_patients(
    consent: pa.Table, patients: list[str], required: list[str], on_date: date, as_of: date
) -> tuple[set[str], Counter]:
    """The patients whose consent permits every ``required`` code, and why the others not."""
    wanted = consent.filter(pc.is_in(consent["policy_code"], pa.array(required)))
    by_patient: dict[str, dict[str, list[dict]]] = {}
    for row in wanted.to_pylist():
        by_patient.setdefault(row["patient_id"], {}).setdefault(row["policy_code"], []).append(row)
    signed = set(pc.unique(consent["patient_id"]).to_pylist())
    kept, reasons = set(), Counter()
    for patient in patients:
        codes = by_patient.get(patient, {})
        found = None if patient in signed else "no_consent"
        for code in required if found is None else ():
            found = _decide(codes.get(code, []), on_date, as_of)
            if found:
                break
        if found:
            reasons[found] += 1
        else:
            kept.add(patient)
    return kept, reasons


def _view_key(manifest: dict, required: list[str], on_date: date, as_of: date) -> dict:
    return {
        "source": hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest(),
        "required": sorted(required),
        "on_date": on_date.isoformat(),
        "as_of": as_of.isoformat(),
    }


def _write_filtered(source: Path, staging: Path, kept: pa.Array, manifest: dict) -> dict:
    rows = {}
    for name, info in manifest["tables"].items():
        table = pq.read_table(source / info["file"])
        key = "patient_id"
        table = table.filter(pc.is_in(table[key], kept))
        pq.write_table(table, staging / info["file"], compression="zstd")
        pacsv.write_csv(csv_form(table), staging / info["csv"])
        rows[name] = table.num_rows
    return rows


def consented_view(
    dataset_dir: Path,
    required_policies: list[str],
    on_date: date,
    out_dir: Path,
    *,
    as_of: date | None = None,
) -> ConsentCounts:
    """Write into ``out_dir`` the imported tables of ``dataset_dir`` filtered to the
    patients whose MII broad consent permits every code of ``required_policies`` on
    ``on_date`` (withdrawals dated up to ``as_of``, default today, honoured).

    The files are read-only; an ``out_dir`` already holding the same view is left alone
    (same source, codes and days). Raises ``ValueError`` when ``dataset_dir`` is not a
    FHIR import or ``required_policies`` is empty. Returns counts, never identities.
    """
    if not required_policies:
        raise ValueError("required_policies is empty: a consent filter needs the codes")
    manifest = read_manifest(dataset_dir)
    if manifest is None or "consent" not in manifest.get("tables", {}):
        raise ValueError(f"{dataset_dir}: not a FHIR import with a consent table ({MANIFEST})")
    as_of = as_of or date.today()
    key = _view_key(manifest, required_policies, on_date, as_of)
    previous = _read_view(out_dir)
    if previous and previous["key"] == key:
        return ConsentCounts(**previous["counts"])
    dataset_dir, out_dir = Path(dataset_dir), Path(out_dir)
    patients = pq.read_table(dataset_dir / "patient.parquet", columns=["patient_id"])
    consent = pq.read_table(dataset_dir / "consent.parquet")
    all_ids = patients["patient_id"].to_pylist()
    kept, reasons = permitted_patients(consent, all_ids, required_policies, on_date, as_of)
    staging = _staging(out_dir)
    try:
        rows = _write_filtered(dataset_dir, staging, pa.array(sorted(kept), pa.string()), manifest)
        excluded = {r: reasons.get(r, 0) for r in REASONS}
        counts = ConsentCounts(len(all_ids), len(kept), excluded, rows)
        (staging / VIEW_MANIFEST).write_text(json.dumps({"key": key, "counts": asdict(counts)}))
        _replace(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def _read_view(out_dir: Path) -> dict | None:
    path = Path(out_dir) / VIEW_MANIFEST
    return json.loads(path.read_text()) if path.is_file() else None


def _staging(out_dir: Path) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))


def _replace(staging: Path, out_dir: Path) -> None:
    for path in staging.iterdir():
        path.chmod(0o444)
    staging.chmod(0o555)  # read-only for everyone, the owner included
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}-old-{staging.name}")
        out_dir.chmod(0o755)
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        old.chmod(0o755)
        shutil.rmtree(old)
