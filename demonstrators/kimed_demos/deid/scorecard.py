"""The headline evaluation: how well identifiers are removed from annotated letters.

Unlike :mod:`.evaluate` (exact spans of the generator's own annotations), this asks
what matters for a leak, on any folder of annotated JSONL documents (:mod:`.evalset`):

- entity recall: share of annotated identifiers that any finding overlaps;
- whole-mention removal: person mentions of which *every* word is covered, per kind
  (patient, relative, staff), and documents in which a patient's or relative's name
  word survives;
- precision: share of findings that overlap an identifier;
- clinical terms that must stay but were (partly) removed;
- recall per type (dates, identifiers, phone numbers, ...) and documents per second.

Run it on your own letters::

    python -m kimed_demos.deid.scorecard FOLDER [--model-dir DIR] [--age-policy all]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .analyzer import Finding
from .evalset import EVAL_DIR, PERSON_KINDS, GoldDocument, GoldSpan, read_jsonl_folder
from .policy import AGE_POLICIES, DEFAULT_AGE_POLICY, age_is_identifying

_WORD = re.compile(r"\w+")
#: Project and user type names folded into the evaluation's gold types.
TYPE_GROUPS = {
    "CASE_NUMBER": "ID", "DE_HEALTH_INSURANCE": "ID", "DE_LANR": "ID", "DE_BSNR": "ID",
    "IBAN_CODE": "ID", "DE_RVNR": "ID", "PHONE_NUMBER": "PHONE", "DE_PLZ": "LOCATION",
    "EMAIL_ADDRESS": "EMAIL", "URL": "EMAIL",  # eval3's guideline marks web addresses as E
}  # fmt: skip
#: Goals of issue 11, shown beside the measured figures.
GOALS = {"recall": 0.95, "whole": 0.97, "precision": 0.90, "keep_removed": 2, "type": 0.97}


def _covered(start: int, end: int, found: Sequence[Finding]) -> bool:
    """True if any finding overlaps [start, end)."""
    return any(f.start < end and start < f.end for f in found)


@dataclass
class Scorecard:
    """Counts behind the table; ratios are computed on demand."""

    documents: int = 0
    seconds: float = 0.0
    found_by_type: Counter = field(default_factory=Counter)
    gold_by_type: Counter = field(default_factory=Counter)
    whole: Counter = field(default_factory=Counter)
    mentions: Counter = field(default_factory=Counter)
    leaking_docs: list[str] = field(default_factory=list)
    findings: int = 0
    true_findings: int = 0
    keep_total: int = 0
    keep_removed: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    def recall(self, kind: str | None = None) -> float:
        """Overlap recall of one gold type, or of all together."""
        hit = self.found_by_type[kind] if kind else sum(self.found_by_type.values())
        total = self.gold_by_type[kind] if kind else sum(self.gold_by_type.values())
        return hit / total if total else 1.0

    def precision(self) -> float:
        """Share of findings that overlap an identifier (or an ignored age)."""
        return self.true_findings / self.findings if self.findings else 1.0

    def to_dict(self) -> dict:
        """JSON-ready figures."""
        return {
            "documents": self.documents,
            "identifiers": sum(self.gold_by_type.values()),
            "entity_recall": self.recall(),
            "precision": self.precision(),
            "whole_mentions": {k: [self.whole[k], self.mentions[k]] for k in PERSON_KINDS},
            "documents_with_surviving_patient_or_relative_name": len(self.leaking_docs),
            "keep_terms_removed": [len(self.keep_removed), self.keep_total],
            "recall_by_type": {k: self.recall(k) for k in sorted(self.gold_by_type)},
            "docs_per_s": self.documents / self.seconds if self.seconds else None,
        }

    def to_markdown(self) -> str:
        """The issue's table: measured figure beside the goal."""
        pr = self.whole["patient"] + self.whole["relative"]
        pr_total = self.mentions["patient"] + self.mentions["relative"]
        rows = [
            ("entity recall (any overlap)", f"{self.recall():.3f}", f"≥ {GOALS['recall']}"),
            ("person mentions with every word removed: patients and relatives",
             f"{pr} of {pr_total}", f"≥ {GOALS['whole']}"),
            ("person mentions with every word removed: staff",
             f"{self.whole['staff']} of {self.mentions['staff']}", f"≥ {GOALS['whole']}"),
            ("documents in which a patient's or relative's name word survives",
             f"{len(self.leaking_docs)} of {self.documents}", "0"),
            ("precision", f"{self.precision():.3f}", f"≥ {GOALS['precision']}"),
            ("clinical terms wrongly removed", f"{len(self.keep_removed)} of {self.keep_total}",
             f"≤ {GOALS['keep_removed']}"),
        ]  # fmt: skip
        for kind in sorted(self.gold_by_type):
            rows.append((f"recall {kind} ({self.gold_by_type[kind]})",
                         f"{self.recall(kind):.3f}", f"≥ {GOALS['type']}"))  # fmt: skip
        if self.seconds:
            rows.append(("documents/s (wall clock)", f"{self.documents / self.seconds:.0f}", ""))
        lines = ["| | measured | goal |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
        return "\n".join(lines)


def _gold_type(span: GoldSpan) -> str:
    """The evaluation's type for a gold span (CASE_NUMBER -> ID, ...)."""
    return TYPE_GROUPS.get(span.type, span.type)


def _score_person(card: Scorecard, doc: GoldDocument, span: GoldSpan, found) -> bool:
    """Count whole-mention removal of one person mention; False if a word survives."""
    kind = span.kind if span.kind in PERSON_KINDS else "staff"
    words = [(span.start + m.start(), span.start + m.end())
             for m in _WORD.finditer(doc.text[span.start : span.end])]  # fmt: skip
    complete = all(_covered(a, b, found) for a, b in words)
    if not complete:
        left = [doc.text[a:b] for a, b in words if not _covered(a, b, found)]
        card.partial.append(f"{doc.id}: {kind} {doc.text[span.start : span.end]!r} keeps {left}")
    card.mentions[kind] += 1
    card.whole[kind] += complete
    return complete or kind == "staff"


def score_document(card: Scorecard, doc: GoldDocument, found: Sequence[Finding], age_policy: str):
    """Add one document's counts to ``card``."""
    card.documents += 1
    counted, ignored = [], []
    for span in doc.spans:
        text = doc.text[span.start : span.end]
        if span.type == "AGE" and not age_is_identifying(text, age_policy):
            ignored.append(span)
        else:
            counted.append(span)
    leak = False
    for span in counted:
        kind = _gold_type(span)
        card.gold_by_type[kind] += 1
        if _covered(span.start, span.end, found):
            card.found_by_type[kind] += 1
        else:
            card.misses.append(f"{doc.id}: {kind} {doc.text[span.start : span.end]!r}")
        if kind == "PERSON" and not _score_person(card, doc, span, found):
            leak = True
    if leak:
        card.leaking_docs.append(doc.id)
    for f in found:
        card.findings += 1
        if any(s.start < f.end and f.start < s.end for s in doc.spans):
            card.true_findings += 1
        else:
            card.false_positives.append(f"{doc.id}: {f.entity_type} {doc.text[f.start : f.end]!r}")
    for start, end in doc.keep:
        card.keep_total += 1
        if _covered(start, end, found):
            card.keep_removed.append(f"{doc.id}: {doc.text[start:end]!r}")


def score(
    docs: Sequence[GoldDocument],
    findings: Sequence[Sequence[Finding]],
    age_policy: str = DEFAULT_AGE_POLICY,
    seconds: float = 0.0,
) -> Scorecard:
    """A scorecard for ``findings`` (one list per document, same order) on ``docs``."""
    if len(docs) != len(findings):
        raise ValueError(f"score: {len(docs)} documents but {len(findings)} finding lists")
    card = Scorecard(seconds=seconds)
    for doc, found in zip(docs, findings, strict=True):
        score_document(card, doc, found, age_policy)
    return card


def evaluate_folder(folder, deidentifier, age_policy: str | None = None) -> Scorecard:
    """Run ``deidentifier`` over the annotated documents of ``folder`` and score it."""
    docs = read_jsonl_folder(folder)
    policy = age_policy or getattr(deidentifier, "age_policy", DEFAULT_AGE_POLICY)
    deidentifier.findings_many([docs[0].text])  # warm-up: word lists and patterns load once
    start = time.perf_counter()
    found = deidentifier.findings_many([d.text for d in docs])
    return score(docs, found, policy, time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kimed_demos.deid.scorecard FOLDER``: print the table for FOLDER."""
    from .deidentify import Deidentifier
    from .model import ensure_model

    parser = argparse.ArgumentParser(description="De-identification scorecard on annotated JSONL")
    parser.add_argument("folder", nargs="?", default=str(EVAL_DIR),
                        help="annotated *.jsonl (default: the independent set)")  # fmt: skip
    parser.add_argument("--model-dir", help="trained model folder (default: train or use cache)")
    parser.add_argument("--patterns-only", action="store_true", help="no NER model")
    parser.add_argument("--age-policy", choices=AGE_POLICIES, default=DEFAULT_AGE_POLICY)
    parser.add_argument("--show", action="store_true", help="list misses and wrong removals")
    args = parser.parse_args(argv)
    model = None if args.patterns_only else Path(args.model_dir or ensure_model())
    deid = Deidentifier(model, age_policy=args.age_policy)
    card = evaluate_folder(args.folder, deid, args.age_policy)
    print(card.to_markdown())
    if args.show:
        for title, items in (("missed", card.misses), ("names not removed whole", card.partial),
                             ("clinical terms removed", card.keep_removed),
                             ("false positives", card.false_positives)):  # fmt: skip
            print(f"\n{title} ({len(items)}):\n" + "\n".join(f"  {x}" for x in items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
