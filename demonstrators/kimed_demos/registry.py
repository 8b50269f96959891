"""The demonstrators `kimed demo` knows: one `Demonstrator` entry per notebook.

To add a demonstrator, append one entry to `DEMONSTRATORS`. Its notebook lives in notebooks/,
is stored without outputs, has a cell tagged ``parameters`` that defines at least
``output_dir`` (the runner sets it; every artefact goes there) and, if it can run over many
inputs ("drive-through" batch runs), the parameter named in ``batch_parameter``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Notebook parameter every demonstrator must have; the runner owns its value.
OUTPUT_PARAMETER = "output_dir"
#: The kernel the runner falls back to where a demonstrator's workbench kernel is not
#: installed: on the host, the project venv's own kernel, which has every demo dependency.
HOST_KERNEL = "python3"


@dataclass(frozen=True)
class Demonstrator:
    """One demonstrator: which notebook, in which kernel, with which runner defaults."""

    name: str
    notebook: str  # relative to the project root
    description: str  # one line, shown by `kimed demo list`
    #: The curated workbench kernel (kernels/<name>) the notebook runs in; the runner uses
    #: HOST_KERNEL instead where that kernel is not installed (on the host).
    kernel: str = "python-base"
    runtime: str = "?"  # typical wall time with default parameters, e.g. "40 s"
    #: Values the runner passes unless `-p` overrides them; the notebook's parameters cell
    #: keeps the documented defaults, so this is usually empty.
    parameters: dict[str, Any] = field(default_factory=dict)
    #: Parameter that receives one input path per run in `--batch` mode (None: no batch).
    batch_parameter: str | None = None
    #: Which files of a `--batch` directory are inputs.
    batch_glob: str = "*"

    def notebook_path(self, root: Path) -> Path:
        """The notebook's absolute path under the project root."""
        return root / self.notebook


DEMONSTRATORS: list[Demonstrator] = [
    Demonstrator(
        name="exposome",
        notebook="notebooks/exposome_cohort.ipynb",
        description="Synthetic Saxon cohort x air pollution/heat/green space: linkage, "
        "mixed models, disclosure-checked tables",
        runtime="10 s",
    ),
    Demonstrator(
        name="omics",
        notebook="notebooks/omics_single_cell.ipynb",
        description="Single-cell PBMC analysis with scanpy: QC, Leiden clusters, UMAP, "
        "marker genes",
        runtime="35 s",
        batch_parameter="input_path",
        batch_glob="*.h5ad",
    ),
    Demonstrator(
        name="deid",
        notebook="notebooks/deid_german_clinical.ipynb",
        description="De-identification of German clinical letters (Presidio + spaCy)",
        kernel="python-text",
        runtime="3 min",  # the first run trains the small NER model; later runs reuse it
    ),
    Demonstrator(
        name="deface",
        notebook="notebooks/deface_mri.ipynb",
        description="Defacing of T1 MRI volumes (registration to a head template)",
        kernel="python-imaging",
        runtime="?",
        batch_parameter="input_path",
        batch_glob="*.nii.gz",
    ),
    Demonstrator(
        name="phenotype",
        notebook="notebooks/phenotype.ipynb",
        description="TOP-style phenotyping on fictional MII FHIR data: generate, import, "
        "classify, compare with ground truth (in the workbench: -p dataset_dir /data/<id>)",
        runtime="40 s",
    ),
]


class UnknownDemonstrator(LookupError):
    """A name that no registry entry has."""


def get(name: str) -> Demonstrator:
    """The registered demonstrator called `name`, or `UnknownDemonstrator` listing the names."""
    for demo in DEMONSTRATORS:
        if demo.name == name:
            return demo
    known = ", ".join(d.name for d in DEMONSTRATORS)
    raise UnknownDemonstrator(
        f"no demonstrator called {name!r}; known: {known} (see `kimed demo list`)"
    )
