"""A small tabular variational autoencoder (TVAE, Xu et al. 2019), written with torch.

Rows are encoded as: each number's normal score (through its empirical distribution, as
in the copula, plus a missing flag when the column has gaps) and each category one-hot.
An encoder (two layers of 128) maps a row to a latent Gaussian; a decoder maps a latent
draw back to the numbers' means (with one learnt spread per number) and the categories'
logits. The loss is the reconstruction error (Gaussian for numbers, cross-entropy for
categories) plus the KL divergence of the latent code from a standard normal. Sampling
decodes standard-normal draws, adds each number's learnt spread, draws categories from
their softmax and maps numbers back through the real empirical quantiles.

It runs in the python-imaging kernel (torch, CPU), on tables of at least the policy's
``min_rows``: a deep model on a few hundred rows memorises them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from scipy import stats
from torch import nn

from ..progress import log
from ..tables import TableInfo
from .copula import _rank_scores


@dataclass
class Layout:
    """Where each column lives in the encoded row."""

    numbers: dict[str, np.ndarray]  # sorted real values
    flags: list[str]  # numbers with missing values (a 0/1 flag column each)
    cats: dict[str, list[str]]  # categories incl. None for missing

    @property
    def width(self) -> int:
        return len(self.numbers) + len(self.flags) + sum(len(c) for c in self.cats.values())


class _VAE(nn.Module):
    def __init__(self, width: int, latent: int, hidden: int = 128):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU()
        )
        self.mu, self.logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(
            nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, width),
        )  # fmt: skip
        self.log_sigma = nn.Parameter(torch.full((width,), -1.0))

    def forward(self, rows):
        hidden = self.encoder(rows)
        mu, logvar = self.mu(hidden), self.logvar(hidden).clamp(-10, 10)
        latent = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decoder(latent), mu, logvar


@dataclass
class TvaeModel:
    """A trained TVAE and the layout to decode its output."""

    info: TableInfo
    layout: Layout
    net: _VAE
    latent: int

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` synthetic rows."""
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        with torch.no_grad():
            out = self.net.decoder(torch.randn(n, self.latent))
        return _decode(out, self.net.log_sigma.detach(), self.layout, self.info, rng)


def fit(train: pd.DataFrame, info: TableInfo, settings: dict, seed: int) -> TvaeModel:
    """Train the TVAE on the training rows for the policy's number of epochs."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    layout, encoded = _encode(train, info, rng)
    net = _VAE(layout.width, settings["latent_dim"])
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
    data = torch.tensor(encoded, dtype=torch.float32)
    batch, epochs = min(settings["batch_size"], len(data)), settings["epochs"]
    for epoch in range(1, epochs + 1):
        total = 0.0
        for index in torch.randperm(len(data)).split(batch):
            optimiser.zero_grad()
            loss = _loss(net, data[index], layout)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
        if epoch % max(1, epochs // 10) == 0 or epoch == epochs:
            log(f"tvae: epoch {epoch}/{epochs}, loss {total / len(data):.3f}")
    return TvaeModel(info, layout, net.eval(), settings["latent_dim"])


def _encode(train: pd.DataFrame, info: TableInfo, rng) -> tuple[Layout, np.ndarray]:
    numbers = {n: np.sort(train[n].dropna().to_numpy(float)) for n in info.numeric}
    flags = [n for n in info.numeric if train[n].isna().any()]
    cats = {n: list(train[n].value_counts(dropna=False).index) for n in info.categorical}
    parts = [_rank_scores(train[n].to_numpy(float), rng)[:, None] for n in numbers]
    parts += [train[n].isna().to_numpy(float)[:, None] for n in flags]
    for name, labels in cats.items():
        codes = pd.Categorical(train[name], categories=[c for c in labels if not pd.isna(c)]).codes
        codes = np.where(
            codes < 0, [i for i, c in enumerate(labels) if pd.isna(c)][:1] or [0], codes
        )
        parts.append(np.eye(len(labels))[codes])
    return Layout(numbers, flags, cats), np.hstack(parts)


def _loss(net: _VAE, rows: torch.Tensor, layout: Layout) -> torch.Tensor:
    out, mu, logvar = net(rows)
    k = len(layout.numbers)
    sigma = net.log_sigma[:k]
    loss = (((rows[:, :k] - out[:, :k]) ** 2) / (2 * torch.exp(2 * sigma)) + sigma).sum()
    start = k
    if layout.flags:
        end = start + len(layout.flags)
        loss = loss + nn.functional.binary_cross_entropy_with_logits(
            out[:, start:end], rows[:, start:end], reduction="sum"
        )
        start = end
    for labels in layout.cats.values():
        end = start + len(labels)
        loss = loss + nn.functional.cross_entropy(
            out[:, start:end], rows[:, start:end].argmax(1), reduction="sum"
        )
        start = end
    kl = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp())
    return (loss + kl) / len(rows)


def _decode(
    out: torch.Tensor, log_sigma: torch.Tensor, layout: Layout, info: TableInfo, rng
) -> pd.DataFrame:
    k = len(layout.numbers)
    scores = (out[:, :k] + torch.randn_like(out[:, :k]) * torch.exp(log_sigma[:k])).numpy()
    columns = {}
    for j, (name, values) in enumerate(layout.numbers.items()):
        columns[name] = np.quantile(values, stats.norm.cdf(scores[:, j]))
    start = k
    for name in layout.flags:
        missing = rng.uniform(size=len(out)) < torch.sigmoid(out[:, start]).numpy()
        columns[name] = np.where(missing, np.nan, columns[name])
        start += 1
    for name, labels in layout.cats.items():
        probabilities = torch.softmax(out[:, start : start + len(labels)], 1).numpy()
        cumulative = probabilities.cumsum(1)
        drawn = (rng.uniform(size=(len(out), 1)) > cumulative).sum(1).clip(0, len(labels) - 1)
        columns[name] = np.asarray(labels, dtype=object)[drawn]
        start += len(labels)
    return pd.DataFrame(columns)[info.columns]
