"""Generated catalogue records for the search benchmark and scale tests (clearly fictional).

The records are valid catalogue datasets (they pass the SHACL shapes) with realistic
variety: bilingual titles built from disease, body site and modality, descriptions with
a large vocabulary, facet values with uneven (Zipf-like) frequencies, cohort sizes over
five orders of magnitude and a few percent synthetic versions. Same ``seed``, same records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from .model import (
    Agent,
    ContactPoint,
    Dataset,
    Distribution,
    Generator,
    LangText,
    Period,
    Variable,
)
from .vocab import vocabularies

DISEASES = [
    ("Lungenkarzinom", "lung carcinoma"),
    ("Herzinsuffizienz", "heart failure"),
    ("Schlaganfall", "stroke"),
    ("Diabetes mellitus Typ 2", "type 2 diabetes"),
    ("Mammakarzinom", "breast carcinoma"),
    ("Kolorektales Karzinom", "colorectal carcinoma"),
    ("Sepsis", "sepsis"),
    ("Vorhofflimmern", "atrial fibrillation"),
    ("COPD", "COPD"),
    ("Multiple Sklerose", "multiple sclerosis"),
    ("Glioblastom", "glioblastoma"),
    ("Prostatakarzinom", "prostate carcinoma"),
    ("Epilepsie", "epilepsy"),
    ("Chronische Nierenerkrankung", "chronic kidney disease"),
    ("Asthma", "asthma"),
    ("Morbus Crohn", "Crohn's disease"),
    ("Rheumatoide Arthritis", "rheumatoid arthritis"),
    ("Demenz", "dementia"),
    ("Depression", "depression"),
    ("Lymphom", "lymphoma"),
    ("Hepatozelluläres Karzinom", "hepatocellular carcinoma"),
    ("Pneumonie", "pneumonia"),
    ("Adipositas", "obesity"),
    ("Osteoporose", "osteoporosis"),
    ("Melanom", "melanoma"),
]
SITES = [
    ("Thorax", "chest"),
    ("Abdomen", "abdomen"),
    ("Kopf", "head"),
    ("Herz", "heart"),
    ("Becken", "pelvis"),
    ("Wirbelsäule", "spine"),
    ("Leber", "liver"),
    ("Niere", "kidney"),
    ("Brust", "breast"),
    ("Blut", "blood"),
    ("Haut", "skin"),
    ("Gehirn", "brain"),
]
CITIES = [
    "Leipzig",
    "Dresden",
    "Chemnitz",
    "Zwickau",
    "Plauen",
    "Görlitz",
    "Freiberg",
    "Bautzen",
    "Pirna",
    "Meißen",
    "Riesa",
    "Torgau",
    "Döbeln",
    "Annaberg",
    "Aue",
    "Hoyerswerda",
]
KINDS = ["Klinikum", "Universitätsklinikum", "Kreiskrankenhaus", "Forschungszentrum", "Register"]
SYLLABLES = "ka ri to me sa lu ne po di ga fe mo ru ti la be zo ke ni va".split()
CODED = {
    "modality": [
        ("CT", 20),
        ("MR", 16),
        ("XR", 14),
        ("TABULAR", 12),
        ("TEXT", 8),
        ("SM", 6),
        ("GENOMICS", 6),
        ("ECG", 5),
        ("WEARABLE", 4),
        ("US", 4),
        ("PT", 3),
        ("MG", 2),
    ],
    "health-category": [
        ("EHRS", 40),
        ("RQSH", 10),
        ("HGPD", 8),
        ("HPML", 6),
        ("PGEH", 6),
        ("EMRD", 5),
        ("MRMR", 5),
        ("PHDR", 4),
        ("DIOH", 4),
        ("EINS", 4),
    ],
    "coding-system": [
        ("ICD-10-NAT", 30),
        ("SNOMED-CT", 20),
        ("LOINC", 15),
        ("OPS", 10),
        ("ATC", 8),
        ("ICD-O", 6),
        ("HPO", 4),
        ("UCUM", 4),
        ("ORPHACODE", 2),
    ],
    "standard": [("OMOP-CDM", 20), ("FHIR", 20), ("DICOM", 18), ("OPENEHR", 4), ("CDA", 3)],
}


class RecordFactory:
    """Makes generated datasets; ``make(i)`` is deterministic for a given seed and i."""

    def __init__(self, seed: int = 1):
        self.seed = seed
        rng = random.Random(seed)
        self.words = sorted(
            {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(6000)}
        )
        self.variables = [
            f"{rng.choice(self.words)}_{rng.choice(['wert', 'code', 'datum', 'score'])}"
            for _ in range(800)
        ]
        self.custodians = [f"{k} {c} (fiktiv)" for c in CITIES for k in KINDS]
        self.uac = Agent("KIMed Nutzungs- und Zugangskomitee (fiktiv)", "zugang@kimed.example.org")
        self.publisher = Agent("KIMed Workbench (fiktiv)", "katalog@kimed.example.org")

    def make(self, i: int, synthetic_of: Dataset | None = None) -> Dataset:
        """Dataset number ``i`` (a synthetic version of ``synthetic_of`` when given)."""
        rng = random.Random(self.seed * 1_000_003 + i)
        ds = Dataset(
            identifier=f"gen-{i:07d}",
            access_rights="NON_PUBLIC",
            provenance=LangText("Generierter Benchmark-Datensatz.", "Generated benchmark record."),
            publisher=self.publisher,
            access_body=self.uac,
            contact_point=ContactPoint("Datenmanagement", "daten@kimed.example.org"),
            spatial=["DE-SN"],
            legal_bases=["GDPR-A9-2-j"],
            personal_data=["HealthRecord"],
            distributions=[
                Distribution(
                    "Antrag",
                    f"https://kimed.example.org/portal/antrag/gen-{i:07d}",
                    "CSV",
                    licence="KIMED-DUA",
                )
            ],
            **self._described(rng),
            **self._coded(rng),
        )
        ds.number_of_records = ds.number_of_individuals * rng.randint(1, 5)
        return self._synthetic(ds, synthetic_of, i) if synthetic_of else ds

    def _described(self, rng: random.Random) -> dict:
        """Title, description, keywords, holder, population and time span."""
        disease, site, city = rng.choice(DISEASES), rng.choice(SITES), rng.choice(CITIES)
        modality = _weighted(rng, "modality")
        de, en = (vocabularies().label("modality", modality, lang) for lang in ("de", "en"))
        year = rng.randint(2000, 2022)
        holder = self.custodians[min(int(rng.paretovariate(1.2)) - 1, len(self.custodians) - 1)]
        end = date(min(year + rng.randint(1, 10), 2025), 12, 31) if rng.random() < 0.85 else None
        return {
            "title": LangText(
                f"{disease[0]}: {de}, {site[0]} – {city} {year} (generiert, fiktiv)",
                f"{disease[1]}: {en}, {site[1]} – {city} {year} (generated, fictional)",
            ),
            "description": LangText(
                self._text(rng, disease[0], de, city), self._text(rng, disease[1], en, city)
            ),
            "keywords": [disease[0], disease[1], site[0], site[1], "generiert"],
            "modalities": [modality],
            "custodian": Agent(holder),
            "population_coverage": LangText(f"Patienten in {city}", f"Patients in {city}"),
            "temporal": Period(date(year, 1, 1), end),
        }

    def _coded(self, rng: random.Random) -> dict:
        """Categories, coding systems, standard, size, ages and variables."""
        return {
            "health_categories": sorted(
                {_weighted(rng, "health-category") for _ in range(rng.randint(1, 2))}
            ),
            "coding_systems": sorted(
                {_weighted(rng, "coding-system") for _ in range(rng.randint(1, 3))}
            ),
            "standards": [_weighted(rng, "standard")] if rng.random() < 0.8 else [],
            "number_of_individuals": int(10 ** rng.uniform(1.7, 6.2)),
            "min_age": rng.choice([0, 0, 18, 18, 18, 40, 50]),
            "max_age": rng.choice([65, 80, 90, 99, 100]),
            "variables": [Variable(v) for v in rng.sample(self.variables, rng.randint(3, 25))],
        }

    def _text(self, rng: random.Random, disease: str, modality: str, city: str) -> str:
        filler = " ".join(rng.choices(self.words, k=rng.randint(25, 60)))
        return f"Fiktiv / fictional. {disease} – {modality} ({city}). {filler}."

    def _synthetic(self, ds: Dataset, source: Dataset, i: int) -> Dataset:
        ds.dataset_types, ds.access_rights = ["SYNTHETIC_DATA"], "PUBLIC"
        ds.derived_from = source.identifier
        ds.generator = Generator("synthpop", "1.8-0", i, "method=cart")
        ds.title = LangText(f"{source.title.de} – synthetisch", f"{source.title.en} – synthetic")
        return ds


def _weighted(rng: random.Random, scheme: str) -> str:
    codes, weights = zip(*CODED[scheme], strict=True)
    return rng.choices(codes, weights=weights)[0]


def generate_datasets(
    n: int, seed: int = 1, synthetic_share: float = 0.03, start: int = 0
) -> Iterator[Dataset]:
    """``n`` datasets numbered from ``start``; ``synthetic_share`` are synthetic versions."""
    factory = RecordFactory(seed)
    rng = random.Random(seed)
    sources: list[Dataset] = []
    for i in range(start, start + n):
        if sources and rng.random() < synthetic_share:
            yield factory.make(i, synthetic_of=rng.choice(sources))
            continue
        record = factory.make(i)
        if len(sources) < 1000:  # a bounded pool keeps memory flat at a million records
            sources.append(record)
        yield record
