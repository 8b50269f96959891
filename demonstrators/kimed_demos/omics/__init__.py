"""OMICS demonstrator: single-cell RNA-seq analysis of PBMCs with scanpy.

`pipeline` loads a dataset (by default the 700-cell PBMC set that scanpy ships, so nothing is
downloaded), summarises and filters on QC metrics, builds the neighbour graph, clusters
(Leiden via igraph, else Louvain), embeds with UMAP and ranks marker genes; `plots` draws
and saves the figures. notebooks/omics_single_cell.ipynb calls these.
"""
