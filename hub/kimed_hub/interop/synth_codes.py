"""The clinical vocabulary of the fictional MII data: diagnoses, labs, drugs, procedures.

Real codes (ICD-10-GM, LOINC with UCUM units, ATC, OPS) with German displays, and the
numbers the generator draws from: how common each chronic condition is by age, how
conditions raise each other's risk (comorbidity), lab values' distributions with and
without the condition that moves them, and which drugs treat what. The numbers are
plausible orders of magnitude for a German university hospital's adult population, not
estimates from any real data.
"""

from __future__ import annotations

from dataclasses import dataclass

from kimed_demos.phenotype.codes import ATC, ICD10GM, LOINC, OPS


@dataclass(frozen=True)
class Disease:
    """A chronic condition: its ICD-10-GM code, base risk and what raises it."""

    key: str
    code: str
    display: str
    base: float  # yearly-ish prevalence at age 60 without risk factors
    age_slope: float  # multiplicative change per 10 years of age
    raised_by: tuple[tuple[str, float], ...] = ()  # (other condition, odds multiplier)


#: Order matters: a condition may only be raised by conditions drawn before it.
DISEASES = (
    Disease("obesity", "E66.09", "Adipositas durch übermäßige Kalorienzufuhr", 0.22, 1.0),
    Disease(
        "hypertension",
        "I10.90",
        "Essentielle Hypertonie, nicht näher bezeichnet",
        0.35,
        1.5,
        (("obesity", 2.0),),
    ),
    Disease(
        "t2dm",
        "E11.90",
        "Diabetes mellitus, Typ 2: Ohne Komplikationen",
        0.12,
        1.4,
        (("obesity", 3.0), ("hypertension", 1.5)),
    ),
    Disease(
        "ckd",
        "N18.3",
        "Chronische Nierenkrankheit, Stadium 3",
        0.06,
        1.8,
        (("t2dm", 2.5), ("hypertension", 2.0)),
    ),
    Disease(
        "af",
        "I48.9",
        "Vorhofflimmern und Vorhofflattern, nicht näher bezeichnet",
        0.05,
        2.0,
        (("hypertension", 1.6),),
    ),
    Disease(
        "hf",
        "I50.9",
        "Herzinsuffizienz, nicht näher bezeichnet",
        0.04,
        2.0,
        (("hypertension", 1.8), ("af", 2.5), ("ckd", 1.5)),
    ),
    Disease(
        "copd",
        "J44.99",
        "Chronische obstruktive Lungenkrankheit, nicht näher bezeichnet",
        0.07,
        1.4,
    ),
    Disease(
        "depression",
        "F32.9",
        "Depressive Episode, nicht näher bezeichnet",
        0.10,
        0.9,
        (("t2dm", 1.4), ("hf", 1.5)),
    ),
)
#: Acute diagnoses coded at single stays (no effect on labs).
ACUTE = (
    ("J18.9", "Pneumonie, nicht näher bezeichnet"),
    ("S72.00", "Schenkelhalsfraktur: Teil nicht näher bezeichnet"),
    ("K35.8", "Akute Appendizitis, nicht näher bezeichnet"),
    ("I21.4", "Akuter subendokardialer Myokardinfarkt"),
    ("N39.0", "Harnwegsinfektion, Lokalisation nicht näher bezeichnet"),
    ("A09.9", "Gastroenteritis und Kolitis nicht näher bezeichneten Ursprungs"),
)


@dataclass(frozen=True)
class Lab:
    """A lab or vital sign: LOINC code, UCUM unit and value distributions."""

    key: str
    code: str
    display: str
    unit: str
    normal: tuple[float, float]  # mean, sd without the condition
    raised: tuple[str, float, float] | None = None  # condition, mean, sd with it
    decimals: int = 1


LABS = (
    Lab(
        "hba1c",
        "4548-4",
        "Hämoglobin A1c/Hämoglobin.gesamt im Blut",
        "%",
        (5.4, 0.35),
        ("t2dm", 7.6, 1.0),
    ),
    Lab(
        "glucose",
        "2345-7",
        "Glucose [Masse/Volumen] im Serum oder Plasma",
        "mg/dL",
        (95, 12),
        ("t2dm", 160, 40),
        0,
    ),
    Lab(
        "creatinine",
        "2160-0",
        "Creatinin [Masse/Volumen] im Serum oder Plasma",
        "mg/dL",
        (0.9, 0.15),
        ("ckd", 1.9, 0.4),
        2,
    ),
    Lab(
        "potassium",
        "2823-3",
        "Kalium [Stoffmenge/Volumen] im Serum oder Plasma",
        "mmol/L",
        (4.2, 0.35),
    ),
    Lab("hemoglobin", "718-7", "Hämoglobin [Masse/Volumen] im Blut", "g/dL", (14.0, 1.2)),
    Lab(
        "ntprobnp",
        "33762-6",
        "NT-proBNP [Masse/Volumen] im Serum oder Plasma",
        "pg/mL",
        (90, 40),
        ("hf", 2400, 900),
        0,
    ),
    Lab(
        "systolic",
        "8480-6",
        "Systolischer Blutdruck",
        "mm[Hg]",
        (124, 10),
        ("hypertension", 152, 14),
        0,
    ),
)
EGFR = ("33914-3", "Glomeruläre Filtrationsrate/1,73 m² (CKD-EPI)", "mL/min/{1.73_m2}")
WEIGHT = ("29463-7", "Körpergewicht", "kg")
HEIGHT = ("8302-2", "Körpergröße", "cm")

#: Long-term drugs (MedicationStatement) by the condition they treat: (ATC, display, share).
DRUGS = {
    "t2dm": (("A10BA02", "Metformin", 0.7), ("A10AE04", "Insulin glargin", 0.25)),
    "hypertension": (("C09AA05", "Ramipril", 0.55), ("C08CA01", "Amlodipin", 0.35)),
    "af": (("B01AF02", "Apixaban", 0.75), ("C07AB07", "Bisoprolol", 0.6)),
    "hf": (("C03CA01", "Furosemid", 0.8), ("C07AB07", "Bisoprolol", 0.5)),
    "copd": (("R03BB04", "Tiotropiumbromid", 0.7), ("R03AC02", "Salbutamol", 0.6)),
    "depression": (("N06AB06", "Sertralin", 0.6),),
    "ckd": (("C10AA05", "Atorvastatin", 0.4),),
}
#: Drugs given during inpatient stays (MedicationAdministration).
INPATIENT_DRUGS = (
    ("B01AB05", "Enoxaparin"),
    ("N02BB02", "Metamizol-Natrium"),
    ("J01DD04", "Ceftriaxon"),
    ("A02BC02", "Pantoprazol"),
)
#: Procedures (OPS) at inpatient stays: (code, display, share of stays).
PROCEDURES = (
    (
        "8-930",
        "Monitoring von Atmung, Herz und Kreislauf ohne Messung des Pulmonalarteriendrucks",
        0.35,
    ),
    ("3-200", "Native Computertomographie des Schädels", 0.12),
    ("3-222", "Computertomographie des Thorax mit Kontrastmittel", 0.15),
    ("1-632.0", "Diagnostische Ösophagogastroduodenoskopie: Bei normalem Situs", 0.1),
    (
        "1-275.0",
        "Transarterielle Linksherz-Katheteruntersuchung: Koronarangiographie ohne "
        "weitere Maßnahmen",
        0.08,
    ),
    (
        "8-854.2",
        "Hämodialyse: Intermittierend, Antikoagulation mit Heparin oder ohne Antikoagulation",
        0.03,
    ),
)
SYSTEMS = {"condition": ICD10GM, "observation": LOINC, "medication": ATC, "procedure": OPS}
