"""Annotated evaluation documents: the inline markup they are written in, and JSONL.

The independent evaluation set (``eval/source/*.txt``, see ``eval/GUIDELINE.md``) is
written by hand with inline marks, ``⟦P:Gotthard Fuchs⟧`` for a patient's name,
``⟦K:Apgar⟧`` for a clinical term that must stay. :func:`parse_markup` turns such a
text into plain text plus character offsets; :func:`build_jsonl` writes the JSONL that
the evaluation reads, and :func:`read_jsonl_folder` reads any folder of such files,
so that users can measure the pipeline on letters of their own.

One JSONL line per document::

    {"id": "...", "text": "...",
     "spans": [{"start": 0, "end": 5, "type": "PERSON", "kind": "patient"}, ...],
     "keep": [{"start": 9, "end": 14}, ...]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

#: Markup code -> (gold type, person kind or ""); K marks a term that must stay.
CODES = {
    "P": ("PERSON", "patient"),
    "R": ("PERSON", "relative"),
    "S": ("PERSON", "staff"),
    "D": ("DATE", ""),
    "I": ("ID", ""),
    "T": ("PHONE", ""),
    "L": ("LOCATION", ""),
    "O": ("ORGANIZATION", ""),
    "A": ("AGE", ""),
    "E": ("EMAIL", ""),
    "W": ("WARD", ""),
}
KEEP = "K"
PERSON_KINDS = ("patient", "relative", "staff")
_MARK = re.compile(r"⟦([A-Z]):([^⟦⟧]+)⟧")
_TITLE = re.compile(r"(?:Dr|Prof|PD|med|Dipl)\.?\s")
EVAL_DIR = Path(__file__).with_name("eval")
EVAL2_DIR = Path(__file__).with_name("eval2")  # second set, written after the first was used
EVAL3_DIR = Path(__file__).with_name("eval3")  # third set, blind: written after both
EVAL4_DIR = Path(__file__).with_name("eval4")  # fourth set, blind: new styles, nobody tunes on it
EVAL5_DIR = Path(__file__).with_name("eval5")  # fifth set, blind: typical letters of many houses
EVAL6_DIR = Path(__file__).with_name("eval6")  # sixth set, measured blind 2026-12-07
EVAL7_DIR = Path(__file__).with_name("eval7")  # seventh set, blind: measured once at session end
EVAL8_DIR = Path(__file__).with_name("eval8")  # eighth set, blind: measured late, once
EVAL9_DIR = Path(__file__).with_name("eval9")  # ninth set, blind: measured first next session
EVAL10_DIR = Path(__file__).with_name("eval10")  # tenth set, blind: measured once, late
EVAL11_DIR = Path(__file__).with_name("eval11")  # eleventh set, blind: measured once, late
EVAL12_DIR = Path(__file__).with_name("eval12")  # twelfth set, blind: measured first next session
_SHAPE = '{"text": ..., "spans": [{"start", "end", "type"}], "keep": [...]}'


@dataclass(frozen=True)
class GoldSpan:
    """An annotated identifier: offsets, gold type and (for PERSON) the person's kind."""

    start: int
    end: int
    type: str
    kind: str = ""


@dataclass(frozen=True)
class GoldDocument:
    """A text with its identifiers and the clinical terms that must stay."""

    id: str
    text: str
    spans: tuple[GoldSpan, ...]
    keep: tuple[tuple[int, int], ...]


def parse_markup(marked: str, doc_id: str = "document") -> GoldDocument:
    """Plain text and offsets from a text with ``⟦CODE:text⟧`` marks.

    Raises ValueError for an unknown code, a stray bracket or a PERSON mark that
    starts with a title (titles are not part of the mention, see the guideline).
    """
    out, spans, keep, position, length = [], [], [], 0, 0
    for match in _MARK.finditer(marked):
        literal = marked[position : match.start()]
        out.append(literal)
        length += len(literal)
        code, inner = match.groups()
        _check_mark(code, inner, doc_id)
        if code == KEEP:
            keep.append((length, length + len(inner)))
        else:
            kind, person = CODES[code]
            spans.append(GoldSpan(length, length + len(inner), kind, person))
        out.append(inner)
        length += len(inner)
        position = match.end()
    out.append(marked[position:])
    text = "".join(out)
    if "⟦" in text or "⟧" in text:
        raise ValueError(f"{doc_id}: unbalanced or nested ⟦ ⟧ mark near {text.find('⟦')}")
    return GoldDocument(doc_id, text, tuple(spans), tuple(keep))


def _check_mark(code: str, inner: str, doc_id: str) -> None:
    """Raise ValueError naming the document for a mark the guideline does not allow."""
    if code != KEEP and code not in CODES:
        raise ValueError(f"{doc_id}: unknown mark code {code!r} in ⟦{code}:{inner}⟧; "
                         f"use one of {sorted(CODES)} or {KEEP}")  # fmt: skip
    if inner != inner.strip():
        raise ValueError(f"{doc_id}: mark ⟦{code}:{inner}⟧ has leading or trailing spaces")
    if code in "PRS" and _TITLE.match(inner):
        raise ValueError(f"{doc_id}: title inside the person mark ⟦{code}:{inner}⟧; "
                         "put titles (Dr., Prof., ...) before the mark")  # fmt: skip


def to_json(doc: GoldDocument) -> str:
    """One JSONL line for ``doc`` (span texts included, for reading and checking)."""
    spans = [{"start": s.start, "end": s.end, "type": s.type, "kind": s.kind,
              "text": doc.text[s.start : s.end]} for s in doc.spans]  # fmt: skip
    keep = [{"start": a, "end": b, "text": doc.text[a:b]} for a, b in doc.keep]
    record = {"id": doc.id, "text": doc.text, "spans": spans, "keep": keep}
    return json.dumps(record, ensure_ascii=False)


def from_json(line: str, where: str) -> GoldDocument:
    """A document from one JSONL line; ValueError saying where and what is wrong."""
    try:
        data = json.loads(line)
        text = data["text"]
        spans = tuple(
            GoldSpan(int(s["start"]), int(s["end"]), str(s["type"]), str(s.get("kind", "")))
            for s in data.get("spans", ())
        )
        keep = tuple((int(k["start"]), int(k["end"])) for k in data.get("keep", ()))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: not an annotated document ({exc}); expected "
                         f"{_SHAPE}") from exc  # fmt: skip
    for span in (*[(s.start, s.end) for s in spans], *keep):
        if not 0 <= span[0] < span[1] <= len(text):
            raise ValueError(f"{where}: span {span} lies outside the text ({len(text)} chars)")
    for s in spans:
        stated = next((x.get("text") for x in data["spans"] if x["start"] == s.start), None)
        if stated is not None and stated != text[s.start : s.end]:
            raise ValueError(f"{where}: span {s.start}-{s.end} says {stated!r} but the text "
                             f"there is {text[s.start : s.end]!r}; fix the offsets")  # fmt: skip
    return GoldDocument(str(data.get("id", where)), text, spans, keep)


def read_jsonl_folder(folder: str | Path) -> list[GoldDocument]:
    """Every document of every ``*.jsonl`` file in ``folder`` (or one file), in name order."""
    folder = Path(folder)
    files = [folder] if folder.is_file() else sorted(folder.glob("*.jsonl"))
    if not files:
        raise ValueError(f"no *.jsonl files in {folder}; write one annotated document per "
                         "line (see kimed_demos/deid/eval/GUIDELINE.md)")  # fmt: skip
    docs = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                docs.append(from_json(line, f"{path.name}:{number}"))
    return docs


def parse_source_folder(folder: str | Path = EVAL_DIR / "source") -> list[GoldDocument]:
    """The marked-up ``*.txt`` documents of ``folder``, parsed, in name order."""
    return [
        parse_markup(path.read_text(encoding="utf-8"), path.stem)
        for path in sorted(Path(folder).glob("*.txt"))
    ]


def build_jsonl(source: str | Path = EVAL_DIR / "source", target: str | Path | None = None) -> Path:
    """Write ``documents.jsonl`` from the marked-up sources; return its path."""
    target = Path(target) if target else EVAL_DIR / "documents.jsonl"
    lines = [to_json(doc) for doc in parse_source_folder(source)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    print(build_jsonl())
