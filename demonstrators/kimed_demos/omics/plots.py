"""Figures of the single-cell analysis, written as PNG into the output folder.

Each function saves and closes its figure; the notebook displays the saved PNG, so what
the reader sees is exactly the artefact.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt

from .pipeline import PBMC_MARKERS


def _save(fig, output_dir: str | Path, name: str) -> Path:
    path = Path(output_dir) / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)  # scanpy draws on pyplot figures: close them or they pile up
    return path


def qc_violins(adata, output_dir) -> Path:
    """Violin plots of genes, counts and mitochondrial fraction per cell."""
    import scanpy as sc

    axes = sc.pl.violin(adata, ["n_genes", "n_counts", "percent_mito"], multi_panel=True,
                        jitter=0.4, show=False)  # fmt: skip
    fig = axes.figure if hasattr(axes, "figure") else axes[0].figure
    return _save(fig, output_dir, "qc_violins")


def umap(adata, output_dir) -> Path:
    """UMAP coloured by cluster (and by the shipped cell labels when present)."""
    import scanpy as sc

    colour = ["cluster"] + (["bulk_labels"] if "bulk_labels" in adata.obs else [])
    with warnings.catch_warnings():
        # scanpy 1.11 calls Colormap.set_bad, which matplotlib 3.11 marks as pending
        # deprecation; harmless here, and the test suite turns warnings into errors.
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        fig = sc.pl.umap(adata, color=colour, legend_loc="on data", legend_fontsize=8,
                         return_fig=True, show=False)  # fmt: skip
    return _save(fig, output_dir, "umap")


def marker_dotplot(adata, output_dir) -> Path:
    """Dot plot of the canonical PBMC markers present in the data, by cluster."""
    import scanpy as sc

    use_raw = adata.raw is not None
    present = set((adata.raw if use_raw else adata).var_names)
    genes = {cell: [g for g in markers if g in present] for cell, markers in PBMC_MARKERS.items()}
    plot = sc.pl.dotplot(adata, {c: g for c, g in genes.items() if g}, groupby="cluster",
                         use_raw=use_raw, return_fig=True, show=False)  # fmt: skip
    plot.make_figure()
    return _save(plot.fig, output_dir, "marker_dotplot")
