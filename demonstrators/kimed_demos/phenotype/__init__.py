"""Phenotyping demonstrator (TOP style) on MII core-dataset tables, and its engine.

The engine is pure Python over pandas and runs wherever this package does: in the
workbench's kernels (the image ships ``kimed_demos``) and on the host, where
``kimed_hub``'s feasibility counts import the same modules:

- ``codes``: the MII core dataset's code systems (the importer's and generator's too),
- ``formula``: derived phenotypes' arithmetic, parsed with ``ast``, never executed,
- ``defs``: definitions as reviewed YAML, checked fail-closed,
- ``engine``: ``ClinicalTables`` (Parquet, or CSV where pyarrow is missing) and
  ``Evaluator`` (patients x phenotypes).

``run_demo``'s helpers below either take an imported dataset's folder (e.g. the mounted,
consent-filtered ``/data/mii-demo`` in a user's server) or, on the host, generate
fictional MII data and import it (that needs ``kimed_hub``), classify every patient and,
for generated data, compare with the generator's ground truth. pandas is imported inside
the functions, so the hub's importer can read ``codes`` without loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DEFINITIONS = Path(__file__).with_name("definitions") / "cardiometabolic.yaml"


def prepare_data(output_dir: Path, patients: int, seed: int, dataset_dir: str = "") -> Path:
    """The tables' folder: ``dataset_dir`` if given, else freshly generated and imported
    (host only: generating and importing need ``kimed_hub``)."""
    if dataset_dir:
        folder = Path(dataset_dir)
        if not (folder / "patient.csv").is_file():
            raise FileNotFoundError(
                f"{folder} holds no imported FHIR tables (no patient.csv); give the folder "
                "of an imported MII dataset, e.g. /data/mii-demo with an ACTIVE grant"
            )
        return folder
    try:
        from kimed_hub.interop.generate import generate_mii
        from kimed_hub.interop.importer import import_fhir
    except ImportError as error:
        raise RuntimeError(
            "generating fictional MII data needs kimed_hub, which only the host has; in the "
            "workbench set dataset_dir to an imported dataset you hold a grant for "
            "(kimed-demo run phenotype -p dataset_dir /data/mii-demo)"
        ) from error
    export = Path(output_dir) / "export"
    generate_mii(export, patients=patients, seed=seed)
    return import_fhir(export, "mii-demo", root=Path(output_dir) / "datasets").folder


def classify(tables_dir: Path, definitions: Path = DEFINITIONS) -> pd.DataFrame:
    """Patients x phenotypes (booleans) for the definitions."""
    from .defs import load_definitions
    from .engine import ClinicalTables, Evaluator

    evaluator = Evaluator(ClinicalTables.load(tables_dir), load_definitions(definitions))
    return evaluator.classify()


def agreement(classified: pd.DataFrame, export_dir: Path) -> pd.DataFrame:
    """Per phenotype: engine count, ground-truth count, patients classified differently."""
    import pandas as pd

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
