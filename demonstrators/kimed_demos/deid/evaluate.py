"""Precision, recall and F1 per entity type, as a table and as a plot.

Two views: span level (a finding counts only with the exact offsets and type of a gold
span) and token level (each word is labelled by the span covering it, so a name found
as "Dr. Koch" instead of "Koch" still earns its token). The ``ANY`` row of the token
view ignores types: its recall is the share of identifying words that were removed,
which is the number that matters for leaks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .analyzer import Finding
from .corpus import Span

_WORD = re.compile(r"\w+")
ANY = "ANY"


@dataclass
class Counts:
    """True positives, false positives and false negatives of one entity type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float | int]:
        """Precision, recall, F1 and support (gold count); 0 where undefined."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f, "support": self.tp + self.fn}


@dataclass
class Evaluation:
    """Span- and token-level counts per entity type."""

    span: dict[str, Counts] = field(default_factory=dict)
    token: dict[str, Counts] = field(default_factory=dict)

    def scores(self, level: str = "span") -> dict[str, dict]:
        """{entity type: {precision, recall, f1, support}} for 'span' or 'token' level."""
        counts = self.span if level == "span" else self.token
        return {label: counts[label].scores() for label in sorted(counts)}

    def micro(self, level: str = "span") -> dict:
        """Scores over all types together (for the token level: the ANY row)."""
        if level == "token":
            return self.token[ANY].scores()
        total = Counts()
        for c in self.span.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total.scores()

    def to_markdown(self) -> str:
        """A markdown table: one row per type, span and token P/R/F1 side by side.

        The last row, ANY, holds the span-level micro average and the type-agnostic
        token scores.
        """
        span, token = self.scores("span"), self.scores("token")
        rows = [(k, span.get(k), token.get(k)) for k in sorted((set(span) | set(token)) - {ANY})]
        rows.append((ANY, self.micro("span"), token.get(ANY)))
        lines = [
            "| entity | support | span P | span R | span F1 | token P | token R | token F1 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, s, t in rows:
            cells = [
                f"{x[k]:.3f}" if x else "-" for x in (s, t) for k in ("precision", "recall", "f1")
            ]
            support = (s or t)["support"]
            lines.append(f"| {label} | {support} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready: per-type scores at both levels plus the micro averages."""
        return {
            "span": self.scores("span"),
            "token": self.scores("token"),
            "span_micro": self.micro("span"),
        }


def _add_span_counts(counts: dict, gold: Sequence[Span], found: Sequence[Finding]) -> None:
    """Exact-match counting of one document."""
    gold_set = {(s.start, s.end, s.label) for s in gold}
    found_set = {(f.start, f.end, f.entity_type) for f in found}
    for key, n in ((gold_set & found_set, "tp"), (found_set - gold_set, "fp"),
                   (gold_set - found_set, "fn")):  # fmt: skip
        for *_, label in key:
            c = counts.setdefault(label, Counts())
            setattr(c, n, getattr(c, n) + 1)


def _word_labels(text: str, spans) -> list[str | None]:
    """Entity type of each word of ``text`` (None outside every span)."""
    labels = []
    for word in _WORD.finditer(text):
        label = None
        for start, end, kind in spans:
            if start < word.end() and word.start() < end:
                label = kind
                break
        labels.append(label)
    return labels


def _add_token_counts(counts: dict, text: str, gold, found) -> None:
    """Word-level counting of one document, per type and for ANY."""
    gold_labels = _word_labels(text, [(s.start, s.end, s.label) for s in gold])
    found_labels = _word_labels(text, [(f.start, f.end, f.entity_type) for f in found])
    tally = Counter()
    for g, p in zip(gold_labels, found_labels, strict=True):
        if g and p == g:
            tally[(g, "tp")] += 1
        else:
            if p:
                tally[(p, "fp")] += 1
            if g:
                tally[(g, "fn")] += 1
        if g or p:
            tally[(ANY, "tp" if g and p else "fp" if p else "fn")] += 1
    for (label, kind), n in tally.items():
        c = counts.setdefault(label, Counts())
        setattr(c, kind, getattr(c, kind) + n)


def evaluate(documents, findings: Sequence[Sequence[Finding]]) -> Evaluation:
    """Compare findings with the gold spans of annotated documents (same order)."""
    if len(documents) != len(findings):
        raise ValueError(
            f"evaluate: {len(documents)} documents but {len(findings)} finding lists; "
            "pass one list of findings per document, in the same order"
        )
    result = Evaluation()
    result.token[ANY] = Counts()
    for doc, found in zip(documents, findings, strict=True):
        _add_span_counts(result.span, doc.spans, found)
        _add_token_counts(result.token, doc.text, doc.spans, found)
    return result


def plot_scores(evaluation: Evaluation, path: str | Path, title: str = "") -> Path:
    """Save a bar chart of span-level precision, recall and F1 per type as PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers or in papermill
    import matplotlib.pyplot as plt

    scores = evaluation.scores("span")
    labels = list(scores)
    fig, ax = plt.subplots(figsize=(max(6, 0.8 * len(labels) + 2), 4.2))
    for i, metric in enumerate(("precision", "recall", "f1")):
        xs = [j + (i - 1) * 0.27 for j in range(len(labels))]
        ax.bar(xs, [scores[k][metric] for k in labels], width=0.27, label=metric)
    ax.set_xticks(range(len(labels)), labels, rotation=40, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("span-level score")
    ax.set_title(title or "De-identification on held-out documents")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_metrics(evaluation: Evaluation, path: str | Path, **extra) -> Path:
    """Write the evaluation (plus ``extra`` fields) as JSON."""
    path = Path(path)
    path.write_text(json.dumps({**evaluation.to_dict(), **extra}, indent=2, ensure_ascii=False))
    return path
