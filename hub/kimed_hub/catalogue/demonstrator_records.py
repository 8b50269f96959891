"""Algorithm records for the workbench's own demonstrators (notebooks/, kimed demo).

Unlike the fictional demo catalogue these describe real, runnable project artefacts; the
metric values are the ones measured and documented in docs/demonstrators/. They are added
to the catalogue with the demo records (``demo.load_demo_catalogue``) and validated like
every record (``CatalogueStore.prepare``, SHACL included).
"""

from __future__ import annotations

from .algorithm import Algorithm, Metric, TensorSpec

PROJECT = "KIMed Workbench"
SOFTWARE = {"kimed-workbench": "0.1.0"}


def demonstrator_algorithms() -> list[Algorithm]:
    """One record per demonstrator: de-identification, defacing, exposome, OMICS, phenotypes."""
    return [
        Algorithm(
            identifier="kimed-demo-deid",
            name="Demonstrator: De-Identifikation deutscher klinischer Texte",
            version="0.1.0",
            task="Erkennen und Ersetzen von Namen, Daten, Orten, KVNR, LANR, BSNR, IBAN u. a.",
            description="presidio mit aktivierten deutschen Erkennern und einem eigenen, auf "
            "einem generierten Korpus trainierten spaCy-NER (kimed demo run deid).",
            intended_use="Zeigen, wie Texte im Workbench pseudonymisiert werden (Batch-Lauf).",
            out_of_scope_use="Freigabe echter Texte ohne Prüfung an annotierten echten Briefen.",
            inputs=[TensorSpec(name="letter", kind="text", format="text/plain")],
            outputs=[TensorSpec(name="deidentified", kind="text", format="text/plain")],
            data_source="Generierter Korpus (Faker de_DE, Debian-Wortliste), getrennte "
            "Vorlagenfamilien für Training und Test.",
            metrics=[
                Metric(name="span_f1_all_heldout", value=0.910, dataset="held-out templates"),
                Metric(name="span_f1_person_heldout", value=0.796, dataset="held-out templates"),
            ],
            limitations="Namen in ungesehenen Layouts werden teils übersehen.",
            bias="Synthetisches Korpus; keine echten Briefe im Training.",
            licence="BSD-3-Clause",
            authors=[PROJECT],
            software={**SOFTWARE, "presidio-analyzer": "2.2.366", "spacy": "3.8.18"},
        ),
        Algorithm(
            identifier="kimed-demo-deface",
            name="Demonstrator: Defacing von Kopf-MRT mit Qualitätskontrolle",
            version="0.1.0",
            task="Entfernen des Gesichts aus T1-Kopf-MRT, automatische QC",
            description="SimpleITK-Affinregistrierung einer Kopfvorlage, MONAI-Warping der "
            "Gesichtsmaske, QC: kein Hirnvoxel verändert, Gesicht entfernt.",
            intended_use="Defacing vor Weitergabe von Bilddaten innerhalb des Workbench.",
            out_of_scope_use="Nicht-T1-Kontraste, bereits entfernte Gesichter.",
            inputs=[TensorSpec(name="t1", kind="image", format="nifti", modality="MR")],
            outputs=[TensorSpec(name="defaced", kind="image", format="nifti", modality="MR")],
            data_source="Colin27 (mricron-data), pydeface-Vorlage und Gesichtsmaske.",
            metrics=[Metric(name="face_dice_simulated", value=0.97, dataset="simulated")],
            limitations="QC-Schwellen aus einem echten Kopf und simulierten Varianten.",
            bias="Eine Vorlage (Erwachsene); Kinder und atypische Anatomie nicht geprüft.",
            licence="BSD-3-Clause",
            authors=[PROJECT],
            software={**SOFTWARE, "monai": "1.6.1", "SimpleITK": "2.5.7"},
        ),
        Algorithm(
            identifier="kimed-demo-exposome",
            name="Demonstrator: Exposom × Kohorte (psychische Gesundheit)",
            version="0.1.0",
            task="Verknüpfung nach Ort und Zeit, gemischte Modelle, Offenlegungsprüfung",
            description="Synthetische sächsische Kohorte und Umweltreihen mit bekanntem "
            "Effekt; lineares gemischtes Modell mit Kreis-Zufallsachsenabschnitt.",
            intended_use="Methodik zeigen; jede Tabelle besteht die Offenlegungsprüfung.",
            out_of_scope_use="Inhaltliche Schlüsse: die Daten sind synthetisch.",
            inputs=[TensorSpec(name="cohort", kind="table", format="text/csv")],
            outputs=[TensorSpec(name="estimates", kind="table", format="text/csv")],
            data_source="Generiert vom Projekt (numpy/pandas).",
            metrics=[Metric(name="ci_coverage_true_beta", value=0.95, dataset="40 seeds")],
            limitations="Ein Besuch je Person; logistisches Modell mit festen Kreiseffekten.",
            bias="Synthetische Daten: Verzerrungen echter Kohorten fehlen.",
            licence="BSD-3-Clause",
            authors=[PROJECT],
            software={**SOFTWARE, "statsmodels": "0.15.0"},
        ),
        Algorithm(
            identifier="kimed-demo-omics",
            name="Demonstrator: Einzelzell-Analyse (PBMC)",
            version="0.1.0",
            task="QC, Nachbarschaftsgraph, Leiden-Clustering, Markergene",
            description="scanpy auf pbmc68k_reduced (im Paket enthalten, offline).",
            intended_use="Einstieg in OMICS-Auswertungen im Workbench.",
            out_of_scope_use="Diagnostische Aussagen über Patientinnen und Patienten.",
            inputs=[TensorSpec(name="counts", kind="table", format="h5ad")],
            outputs=[TensorSpec(name="clusters", kind="table", format="text/csv")],
            data_source="scanpy.datasets.pbmc68k_reduced",
            limitations="Ein kleiner, vorverarbeiteter Datensatz (700 Zellen).",
            bias="Zellen eines Spenders; keine Populationsaussagen.",
            licence="BSD-3-Clause",
            authors=[PROJECT],
            software={**SOFTWARE, "scanpy": "1.11.5"},
        ),
        Algorithm(
            identifier="kimed-demo-phenotype",
            name="Demonstrator: Phänotypisierung im TOP-Stil auf MII-Kerndatensatz-Daten",
            version="0.1.0",
            task="Regelbasierte Klassifikation von Patientinnen und Patienten in Phänotypen",
            description="Geprüfte Phänotyp-Definitionen (einzelne Codes und Laborwerte, "
            "abgeleiteter BMI, Häufigkeiten in Zeitfenstern, UND/ODER/NICHT) über den "
            "Tabellen eines FHIR-Imports (kimed_demos.phenotype.engine; dieselbe "
            "Engine beantwortet die Machbarkeitsanfragen). kimed demo run phenotype.",
            intended_use="Kohorten aus MII-Kerndatensatz-Daten bilden; Machbarkeitszählungen.",
            out_of_scope_use="Klinische Diagnosen; Definitionen ohne fachliche Prüfung.",
            inputs=[TensorSpec(name="fhir_tables", kind="table", format="parquet")],
            outputs=[TensorSpec(name="phenotypes", kind="table", format="text/csv")],
            data_source="Fiktive MII-Daten des Projektgenerators (kimed data generate-mii) "
            "mit bekannter Phänotyp-Zugehörigkeit.",
            metrics=[
                Metric(
                    name="patients_classified_differently",
                    value=0.0,
                    dataset="generated ground truth (1,000 patients, seed 1)",
                )
            ],
            limitations="Genau nur, soweit die Definitionen die Kodierpraxis treffen; "
            "nicht kodierte Diagnosen erkennt nur die Labor-Definition.",
            bias="Generierte Daten: Kodier- und Dokumentationslücken echter Häuser fehlen.",
            licence="BSD-3-Clause",
            authors=[PROJECT],
            software={**SOFTWARE, "pandas": "2.3.3"},
        ),
    ]
