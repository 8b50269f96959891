"""Write fictional MII core-dataset data: FHIR Bulk Data NDJSON or transaction bundles.

    generate_mii(Path("out"), patients=2000, seed=1)                # out/Patient.ndjson, ...
    generate_mii(Path("out"), patients=200, fmt="bundle")           # out/bundle-00001.json, ...
    generate_mii(Path("out"), medications="shared")   # drugs as Medication resources

Drugs are coded in the statements by default; ``medications`` writes them as Medication
resources of their own instead (``synth_medication``), as many DIZ exports do.

Beside the data, ``truth/ground-truth.json`` records what the simulation decided for each
patient (conditions, consent, the demonstrator's phenotypes): the known answers the tests
and the courses check against. The folder is written in a temporary sibling and renamed
into place, so it is complete or absent; the same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import IO

from tqdm import tqdm

from .synth import SimPatient, simulate
from .synth_medication import MedicationForm
from .synth_truth import phenotype_truth

TRUTH_FILE = Path("truth") / "ground-truth.json"
FORMATS = ("ndjson", "bundle")
GENERATOR_VERSION = "1"


def _line(resource: dict) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def _truth_entry(sim: SimPatient, resources: list[dict]) -> dict:
    consent = sim.consent
    return {
        "id": sim.id,
        "gender": sim.gender,
        "birth_date": sim.birth.isoformat(),
        "conditions": {k: v.isoformat() for k, v in sorted(sim.conditions.items())},
        "coded": sorted(sim.coded),
        "consent": {
            "signed": consent.signed.isoformat() if consent.signed else None,
            "denied": sorted(consent.denied),
            "withdrawn": consent.withdrawn.isoformat() if consent.withdrawn else None,
            "ends": {c: d.isoformat() for c, d in consent.ends.items()},
        },
        "phenotypes": phenotype_truth(resources),
    }


class _NdjsonSink:
    """One ``<ResourceType>.ndjson`` file per resource type (FHIR Bulk Data export)."""

    def __init__(self, folder: Path):
        self.folder, self.files = folder, {}

    def add(self, resources: list[dict]) -> None:
        for resource in resources:
            kind = resource["resourceType"]
            if kind not in self.files:
                self.files[kind] = open(self.folder / f"{kind}.ndjson", "w", encoding="utf-8")
            self.files[kind].write(_line(resource))

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class _BundleSink:
    """Transaction bundles of ``size`` patients each (``bundle-00001.json``, ...)."""

    def __init__(self, folder: Path, size: int):
        self.folder, self.size, self.entries, self.patients, self.number = folder, size, [], 0, 0

    def add(self, resources: list[dict]) -> None:
        for r in resources:
            url = f"{r['resourceType']}/{r['id']}"
            self.entries.append(
                {
                    "fullUrl": f"https://kimed.example.org/fhir/{url}",
                    "resource": r,
                    "request": {"method": "PUT", "url": url},
                }
            )
        self.patients += 1
        if self.patients == self.size:
            self.close()

    def close(self) -> None:
        if not self.entries:
            return
        self.number += 1
        bundle = {"resourceType": "Bundle", "type": "transaction", "entry": self.entries}
        path = self.folder / f"bundle-{self.number:05d}.json"
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(bundle, handle, ensure_ascii=False, separators=(",", ":"))
        self.entries, self.patients = [], 0


def _write_truth(folder: Path, meta: dict, entries: list[dict]) -> None:
    path = folder / TRUTH_FILE
    path.parent.mkdir()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"generator": meta, "patients": entries}, handle, ensure_ascii=False, indent=0)


def generate_mii(
    out: Path,
    patients: int = 2000,
    seed: int = 1,
    fmt: str = "ndjson",
    bundle_size: int = 100,
    progress: bool = True,
    medications: str = "codeable",
) -> dict:
    """Write ``patients`` fictional patients into ``out`` (replaced if it exists), drugs
    in the form ``medications`` (``synth_medication.FORMS``).

    Returns a summary: the generator's parameters and the number of resources per type.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    form = MedicationForm(medications)  # refuses an unknown form before anything is written
    if patients < 1:
        raise ValueError("patients must be at least 1")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would hide the data from the container's user
    try:
        counts = _write_all(staging, patients, seed, (fmt, bundle_size, form), progress)
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {"patients": patients, "seed": seed, "format": fmt, "resources": counts}


def _write_all(
    folder: Path, patients: int, seed: int, shape: tuple, progress: bool
) -> dict[str, int]:
    """Simulate and write every patient; ``shape``: (format, bundle size, drug form)."""
    fmt, bundle_size, form = shape
    sink = _NdjsonSink(folder) if fmt == "ndjson" else _BundleSink(folder, bundle_size)
    counts: Counter[str] = Counter()
    truth = []
    try:
        for index in tqdm(range(patients), desc="patients", unit="pt", disable=not progress):
            sim, resources = simulate(seed, index)
            written = form.apply(resources)
            sink.add(written)
            counts.update(r["resourceType"] for r in written)
            truth.append(_truth_entry(sim, resources))  # the simulation's, form aside
    finally:
        sink.close()
    meta = {
        "name": "kimed-mii-synth",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "patients": patients,
        "format": fmt,
        **({"medications": form.form} if form.form != "codeable" else {}),
        "resources": dict(sorted(counts.items())),
    }
    _write_truth(folder, meta, truth)
    return dict(sorted(counts.items()))


def _swap_into_place(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``; an old ``out`` is removed only after the rename."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{staging.name}")
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old)


def load_truth(folder: Path) -> dict:
    """The ground truth written beside generated data (``truth/ground-truth.json``)."""
    path = Path(folder) / TRUTH_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no ground truth here (was it made by generate_mii?)")
    return json.loads(path.read_text(encoding="utf-8"))


def write_handle(handle: IO[str], resources: list[dict]) -> None:
    """Append resources to an open NDJSON file (for tests that craft their own input)."""
    handle.writelines(_line(r) for r in resources)
