"""The trust centre's demo: two fictional holders with an overlap of patients.

``install_demo`` writes, for each holder, its medical tables into the dataset folder
(``<dataset root>/<dataset>/patients.csv``: local id and clinical values, no
identifier), its catalogue record (the holder as custodian, so a request for both is a
request across holders) and its identifiers into the trust centre's store, in clear or,
with ``secret``, as Bloom-filter encodings made as a holder would. ``kimed trust-centre
demo`` runs it; the integration tests and ``bench/linkage.py`` use the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .bloom import encode
from .demo import HolderData, generate_holders
from .store import TrustCentreStore


@dataclass(frozen=True)
class DemoHolder:
    """A fictional holder and the dataset it offers."""

    dataset: str
    name: str
    email: str


_MAIL = "kimed.example.org"
HOLDERS = (
    DemoHolder("linkage-demo-klinikum", "Klinikum Nordstadt (fiktiv)", f"daten@nord.{_MAIL}"),
    DemoHolder("linkage-demo-praxisnetz", "Praxisnetz Elbtal (fiktiv)", f"daten@elbtal.{_MAIL}"),
)
_ACCESS_BODY = ("KIMed Nutzungs- und Zugangskomitee (fiktiv)", f"zugang@{_MAIL}")


def demo_record(holder: DemoHolder, patients: int):
    """A complete (fictional) catalogue record for a holder's demo dataset."""
    from ..catalogue.model import Agent, ContactPoint, Dataset, Distribution, LangText, Period

    return Dataset(
        identifier=holder.dataset,
        title=LangText(f"Verknüpfungsdemo: {holder.name}", f"Linkage demo: {holder.name}"),
        description=LangText(
            "Fiktive Behandlungsdaten; über die Treuhandstelle mit anderen Haltern verknüpfbar.",
            "Fictional treatment data; linkable with other holders through the trust centre.",
        ),
        health_categories=["EHRS"],
        keywords=["Treuhandstelle", "record linkage"],
        modalities=["TABULAR"],
        publisher=Agent(holder.name, holder.email),
        custodian=Agent(holder.name, holder.email),
        access_body=Agent(
            "KIMed Nutzungs- und Zugangskomitee (fiktiv)", "zugang@kimed.example.org"
        ),
        contact_point=ContactPoint("Datenmanagement", holder.email),
        provenance=LangText("Generiert (fiktiv)", "Generated (fictional)"),
        coding_systems=["ICD-10"],
        min_age=18,
        max_age=95,
        population_coverage=LangText("Erwachsene Patienten", "Adult patients"),
        number_of_individuals=patients,
        number_of_records=patients,
        temporal=Period(date(2020, 1, 1), date(2024, 12, 31)),
        spatial=["DE-SN"],
        legal_bases=["GDPR-A9-2-j"],
        personal_data=["HealthRecord"],
        distributions=[
            Distribution(
                "Antrag",
                f"https://kimed.example.org/portal/antrag/{holder.dataset}",
                "CSV",
                licence="KIMED-DUA",
            )
        ],
    )


def install_demo(
    catalogue,
    dataset_root: Path,
    files: TrustCentreStore,
    persons: int = 200,
    overlap: float = 0.5,
    seed: int = 0,
    secret: bytes | None = None,
    actor: str = "kimed-cli",
) -> list[HolderData]:
    """Write the demo holders' data, records and deliveries; the generated data (with
    the ground truth)."""
    data = generate_holders([h.dataset for h in HOLDERS], persons, overlap, seed)
    for holder, generated in zip(HOLDERS, data, strict=True):
        folder = Path(dataset_root) / holder.dataset
        folder.mkdir(parents=True, exist_ok=True)
        generated.mdat.to_csv(folder / "patients.csv", index=False)
        (folder / "README.txt").write_text(
            f"{holder.name}: fictional treatment data keyed by the holder's patient id.\n"
        )
        if secret is None:
            files.deliver_clear(holder.dataset, generated.idat)
        else:
            files.deliver_encoded(holder.dataset, encode(generated.idat, secret))
    catalogue.put_records([demo_record(h, persons) for h in HOLDERS], actor=actor)
    return data
