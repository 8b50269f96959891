"""The single-cell analysis steps, each a small function over an AnnData object."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Canonical PBMC marker genes (used to name clusters and to test the clustering).
PBMC_MARKERS = {
    "B cells": ["CD79A", "CD79B", "MS4A1"],
    "NK cells": ["NKG7", "GNLY", "GZMB"],
    "CD14+ monocytes": ["LYZ", "CD14", "S100A8", "S100A9"],
    "FCGR3A+ monocytes": ["FCGR3A", "LST1", "AIF1"],
    "dendritic cells": ["FCER1A", "CST3", "HLA-DQA1"],
    "T cells": ["CD3D", "CD3E", "IL7R", "LDHB"],
    "megakaryocytes": ["PPBP", "PF4"],
    "plasma cells": ["IGJ", "JCHAIN", "MZB1", "TNFRSF17"],
    "plasmacytoid DCs": ["PLD4", "SERPINF1", "LILRA4"],
    "CD34+ progenitors": ["CD34", "PRSS57"],
}


@dataclass
class QcResult:
    """How many cells QC kept, and the thresholds used."""

    cells_before: int
    cells_after: int
    min_genes: int
    max_percent_mito: float


def load(input_path: str = ""):
    """An AnnData from an .h5ad file, or scanpy's bundled PBMC set when `input_path` is ""."""
    import scanpy as sc

    if not input_path:
        return sc.datasets.pbmc68k_reduced()  # ships inside scanpy: no download
    adata = sc.read_h5ad(input_path)
    if adata.n_obs < 50:
        raise ValueError(f"{input_path}: only {adata.n_obs} cells; need at least 50 to cluster")
    return adata


def add_qc_metrics(adata) -> pd.DataFrame:
    """Ensure ``n_genes``, ``n_counts`` and ``percent_mito`` per cell; return their summary.

    The bundled PBMC set carries them from its raw counts (its matrix is normalised and
    scaled). Other inputs get them from scanpy's QC on ``.raw`` if present, else on ``.X``,
    which should then hold counts: scaled values are negative and make no QC sense.
    """
    import scanpy as sc

    if not {"n_genes", "n_counts", "percent_mito"} <= set(adata.obs.columns):
        source = adata.raw.to_adata() if adata.raw is not None else adata.copy()
        source.var["mito"] = source.var_names.str.upper().str.startswith("MT-")
        metrics, _ = sc.pp.calculate_qc_metrics(
            source, qc_vars=["mito"], percent_top=None, inplace=False
        )
        adata.obs["n_genes"] = metrics["n_genes_by_counts"].to_numpy()
        adata.obs["n_counts"] = metrics["total_counts"].to_numpy()
        adata.obs["percent_mito"] = metrics["pct_counts_mito"].to_numpy() / 100
    return adata.obs[["n_genes", "n_counts", "percent_mito"]].describe().round(3)


def filter_cells(adata, min_genes: int = 200, max_percent_mito: float = 0.1):
    """Drop cells with too few detected genes or too many mitochondrial reads (dying cells)."""
    keep = (adata.obs["n_genes"] >= min_genes) & (adata.obs["percent_mito"] <= max_percent_mito)
    qc = QcResult(adata.n_obs, int(keep.sum()), min_genes, max_percent_mito)
    return adata[keep.to_numpy()].copy(), qc


def clustering_method() -> str:
    """'leiden' if python-igraph is installed (scanpy's igraph flavour), else 'louvain'."""
    if importlib.util.find_spec("igraph"):
        return "leiden"
    if importlib.util.find_spec("louvain"):
        return "louvain"
    raise ImportError("clustering needs igraph (or louvain): pip install 'kimed-workbench[demo]'")


def cluster(adata, n_neighbors=15, n_pcs=30, resolution=1.0, seed=0) -> str:
    """PCA, kNN graph, community detection into ``obs['cluster']`` and UMAP; returns method."""
    import scanpy as sc

    sc.pp.pca(adata, n_comps=n_pcs, random_state=seed)
    sc.pp.neighbors(adata, n_neighbors=n_neighbors, n_pcs=n_pcs, random_state=seed)
    method = clustering_method()
    if method == "leiden":
        sc.tl.leiden(adata, resolution=resolution, flavor="igraph", n_iterations=2,
                     directed=False, random_state=seed, key_added="cluster")  # fmt: skip
    else:
        sc.tl.louvain(adata, resolution=resolution, random_state=seed, key_added="cluster")
    sc.tl.umap(adata, random_state=seed)
    return method


def rank_markers(adata, n_genes: int = 10) -> pd.DataFrame:
    """Top marker genes per cluster (Wilcoxon on log-normalised expression): one row each."""
    import scanpy as sc

    use_raw = adata.raw is not None  # the scaled matrix is for PCA; markers want log data
    sc.tl.rank_genes_groups(adata, "cluster", method="wilcoxon", use_raw=use_raw)
    table = sc.get.rank_genes_groups_df(adata, group=None)
    top = table.groupby("group", observed=True).head(n_genes).copy()
    top["rank"] = top.groupby("group", observed=True).cumcount() + 1
    top = top.rename(columns={"group": "cluster", "names": "gene"})
    return top[["cluster", "rank", "gene", "scores", "logfoldchanges", "pvals_adj"]]


def annotate(markers: pd.DataFrame, known: dict[str, list[str]] = PBMC_MARKERS) -> pd.DataFrame:
    """Name each cluster by the known marker set most represented in its top genes."""
    rows = []
    for cluster_id, genes in markers.groupby("cluster", observed=True)["gene"]:
        hits = {cell: sorted(set(genes) & set(m)) for cell, m in known.items()}
        best = max(hits, key=lambda cell: len(hits[cell]))
        label = best if hits[best] else "unassigned"
        rows.append({"cluster": cluster_id, "cell_type": label, "markers": ", ".join(hits[best])})
    return pd.DataFrame(rows)


def cluster_sizes(adata) -> pd.DataFrame:
    """Cells per cluster (cells, not persons: no disclosure threshold applies)."""
    sizes = adata.obs["cluster"].value_counts().sort_index()
    return sizes.rename_axis("cluster").rename("cells").reset_index()


def save_results(output_dir, tables: dict[str, pd.DataFrame], metrics: dict) -> list[Path]:
    """Write tables/<name>.csv for each table and metrics.json; returns the paths."""
    folder = Path(output_dir)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        paths.append(folder / "tables" / f"{name}.csv")
        table.to_csv(paths[-1], index=False)
    paths.append(folder / "metrics.json")
    paths[-1].write_text(json.dumps(metrics, indent=2, default=str) + "\n")
    return paths
