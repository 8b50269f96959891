"""OMICS: the scanpy pipeline on the bundled PBMC data finds the known immune cell types."""

import pytest

from kimed_demos.omics import pipeline, plots


@pytest.fixture(scope="module")
def analysed():
    """The bundled PBMC data, QC-filtered, clustered and with markers ranked (once)."""
    adata = pipeline.load()
    pipeline.add_qc_metrics(adata)
    adata, qc = pipeline.filter_cells(adata)
    method = pipeline.cluster(adata, seed=0)
    return adata, qc, method, pipeline.rank_markers(adata, n_genes=10)


def test_clustering_gives_a_plausible_number_of_clusters(analysed):
    adata, qc, method, _ = analysed
    assert method == "leiden"  # igraph is a pinned dependency of the demo extra
    assert qc.cells_after == qc.cells_before == 700  # the shipped cells are pre-filtered
    assert 6 <= adata.obs["cluster"].nunique() <= 20
    assert "X_umap" in adata.obsm


@pytest.mark.parametrize(
    "cell_type, genes",
    [("B", {"CD79A", "MS4A1"}), ("monocyte", {"LYZ", "CST3"}), ("NK", {"NKG7", "GNLY"})],
)
def test_known_pbmc_markers_rank_among_top_markers_of_some_cluster(analysed, cell_type, genes):
    markers = analysed[3]
    top5 = markers[markers["rank"] <= 5]
    assert genes & set(top5["gene"]), f"no {cell_type} marker among the top 5 of any cluster"


def test_annotation_names_the_major_cell_types(analysed):
    names = set(pipeline.annotate(analysed[3])["cell_type"])
    assert {"B cells", "NK cells", "CD14+ monocytes", "T cells"} <= names


def test_figures_are_written(analysed, tmp_path):
    adata = analysed[0]
    for draw in (plots.qc_violins, plots.umap, plots.marker_dotplot):
        path = draw(adata, tmp_path)
        assert path.suffix == ".png" and path.stat().st_size > 10_000


def test_h5ad_input_without_qc_columns_gets_them_computed(tmp_path):
    adata = pipeline.load()
    adata.obs = adata.obs.drop(columns=["n_genes", "n_counts", "percent_mito"])
    path = tmp_path / "sample.h5ad"
    adata.write_h5ad(path)
    loaded = pipeline.load(str(path))
    summary = pipeline.add_qc_metrics(loaded)
    assert {"n_genes", "n_counts", "percent_mito"} <= set(summary.columns)
    assert loaded.obs["n_genes"].gt(0).all()


def test_too_small_input_is_refused(tmp_path):
    path = tmp_path / "tiny.h5ad"
    pipeline.load()[:10].copy().write_h5ad(path)
    with pytest.raises(ValueError, match="at least 50"):
        pipeline.load(str(path))
