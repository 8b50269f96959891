"""Phenotyping demonstrator (TOP style) on fictional MII core-dataset data.

``run_demo`` generates fictional MII data (or takes an imported dataset's folder, e.g.
``/data/mii-demo``), imports it, classifies every patient with the reviewed definitions in
``definitions/`` and writes cohort sizes, a bar chart and, for generated data, the
agreement with the generator's ground truth. The engine itself is
``kimed_hub.interop.phenotype_engine`` (the feasibility counts use the same one), so this
demonstrator runs where ``kimed_hub`` is importable: the host's ``kimed demo run
phenotype``; the workbench image ships only ``kimed_demos``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DEFINITIONS = Path(__file__).with_name("definitions") / "cardiometabolic.yaml"


def prepare_data(output_dir: Path, patients: int, seed: int, dataset_dir: str = "") -> Path:
    """The tables' folder: ``dataset_dir`` if given, else freshly generated and imported."""
    if dataset_dir:
        return Path(dataset_dir)
    from kimed_hub.interop.generate import generate_mii
    from kimed_hub.interop.importer import import_fhir

    export = Path(output_dir) / "export"
    generate_mii(export, patients=patients, seed=seed)
    return import_fhir(export, "mii-demo", root=Path(output_dir) / "datasets").folder


def classify(tables_dir: Path, definitions: Path = DEFINITIONS) -> pd.DataFrame:
    """Patients x phenotypes (booleans) for the definitions."""
    from kimed_hub.interop.phenotype_defs import load_definitions
    from kimed_hub.interop.phenotype_engine import ClinicalTables, Evaluator

    evaluator = Evaluator(ClinicalTables.load(tables_dir), load_definitions(definitions))
    return evaluator.classify()


def agreement(classified: pd.DataFrame, export_dir: Path) -> pd.DataFrame:
    """Per phenotype: engine count, ground-truth count, patients classified differently."""
    from kimed_hub.interop.generate import load_truth

    truth = pd.DataFrame({p["id"]: p["phenotypes"] for p in load_truth(export_dir)["patients"]}).T
    truth = truth.loc[classified.index, classified.columns].astype(bool)
    return pd.DataFrame(
        {"engine": classified.sum(), "truth": truth.sum(), "disagree": (classified != truth).sum()}
    )


def plot_sizes(sizes: pd.Series, path: Path) -> None:
    """A horizontal bar chart of cohort sizes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes.sort_values().plot.barh(ax=ax, color="#3b6ea5")
    ax.set_xlabel("patients")
    ax.set_title("Cohort sizes per phenotype (fictional data)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
