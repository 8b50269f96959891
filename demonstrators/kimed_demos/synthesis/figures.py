"""The report's plots: marginals, association heatmaps (real, synthetic, difference) and
the distance-to-closest-record histogram. Each is written as a PNG and returned as bytes
so the HTML report can embed it."""

from __future__ import annotations

import io
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display in the container
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

MAX_MARGINALS = 12


def draw_all(real, synth, info, details: dict, folder: Path) -> dict[str, bytes]:
    """Write every figure into ``folder``; return {file name: PNG bytes}."""
    figures = {
        "marginals.png": _marginals(real, synth, info),
        "associations.png": _associations(details["assoc_real"], details["assoc_synth"]),
        "dcr.png": _dcr(details["dcr"]),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in figures.items():
        (folder / name).write_bytes(data)
    return figures


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _marginals(real, synth, info) -> bytes:
    names = info.columns[:MAX_MARGINALS]
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    figure, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        if name in info.categorical:
            shares = real[name].fillna("<missing>").value_counts(normalize=True).head(10)
            synth_shares = synth[name].fillna("<missing>").value_counts(normalize=True)
            x = np.arange(len(shares))
            ax.bar(x - 0.2, shares.to_numpy(), 0.4, label="real")
            ax.bar(
                x + 0.2,
                synth_shares.reindex(shares.index).fillna(0).to_numpy(),
                0.4,
                label="synthetic",
            )
            ax.set_xticks(x, [str(v)[:8] for v in shares.index], rotation=45, fontsize=7)
        else:
            values = real[name].dropna().to_numpy(float)
            bins = np.histogram_bin_edges(values, bins=30)
            ax.hist(values, bins=bins, alpha=0.5, density=True, label="real")
            ax.hist(
                synth[name].dropna().to_numpy(float),
                bins=bins,
                alpha=0.5,
                density=True,
                label="synthetic",
            )
        ax.set_title(str(name)[:30], fontsize=9)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    figure.suptitle("Marginal distributions: real vs synthetic")
    return _png(figure)


def _associations(real, synth) -> bytes:
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for ax, (title, matrix, cmap, low) in zip(axes, [
        ("real", real, "coolwarm", -1), ("synthetic", synth, "coolwarm", -1),
        ("|real - synthetic|", (real - synth).abs(), "Reds", 0),
    ], strict=True):  # fmt: skip
        image = ax.imshow(matrix.to_numpy(), cmap=cmap, vmin=low, vmax=1)
        ax.set_title(f"Associations: {title}")
        ticks = np.arange(len(matrix))
        labels = [str(c)[:12] for c in matrix.columns] if len(matrix) <= 30 else []
        ax.set_xticks(ticks if labels else [], labels, rotation=90, fontsize=6)
        ax.set_yticks(ticks if labels else [], labels, fontsize=6)
        figure.colorbar(image, ax=ax, shrink=0.8)
    return _png(figure)


def _dcr(found: dict) -> bytes:
    figure, ax = plt.subplots(figsize=(6, 3.5))
    both = np.concatenate([found["to_train"], found["to_holdout"]])
    bins = np.histogram_bin_edges(both, bins=40)
    ax.hist(found["to_train"], bins=bins, alpha=0.5, label="to closest training row")
    ax.hist(found["to_holdout"], bins=bins, alpha=0.5, label="to closest holdout row")
    ax.set_xlabel("Gower distance (sum over columns)")
    ax.set_ylabel("synthetic rows")
    ax.set_title(f"Distance to closest record (closer to training: {found['share']:.2f})")
    ax.legend(fontsize=8)
    return _png(figure)
