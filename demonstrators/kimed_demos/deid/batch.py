"""Drive-through mode: a folder of .txt letters in, de-identified letters and metrics out.

``deidentify_folder`` reads every ``*.txt`` (UTF-8), de-identifies them in batches
with a progress bar, writes each result under the same name into the output folder
and a ``metrics.json`` beside them: counts, throughput, findings per entity type and,
where every input has a gold ``.ann.json`` sidecar (as :func:`~.corpus.write_corpus`
writes), precision/recall/F1 against it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from .corpus import AnnotatedDocument, read_gold_spans
from .deidentify import Deidentifier
from .evaluate import evaluate


def _input_files(input_dir: Path, output_dir: Path) -> list[Path]:
    """The .txt files to process; ValueError for a missing, empty or unsafe set-up."""
    if not input_dir.is_dir():
        raise ValueError(f"input folder {input_dir} does not exist or is not a folder")
    if output_dir.resolve() == input_dir.resolve():
        raise ValueError(
            f"output folder {output_dir} is the input folder: de-identified files would "
            "overwrite the originals; choose another output folder"
        )
    files = sorted(input_dir.glob("*.txt"))
    if not files:
        raise ValueError(f"no .txt files in {input_dir}; put one letter per .txt file there")
    return files


def _read(path: Path) -> str:
    """A file's text as UTF-8, or a ValueError naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 ({error.reason}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from error


def deidentify_folder(
    input_dir: str | Path, output_dir: str | Path, deidentifier: Deidentifier, progress=True
) -> dict:
    """De-identify every ``*.txt`` in ``input_dir`` into ``output_dir``; return the metrics.

    Empty files are copied as they are and listed under ``empty_files``.
    """
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    files = _input_files(input_dir, output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    texts = {path: _read(path) for path in files}
    work = [p for p in files if texts[p].strip()]
    start = time.perf_counter()
    found = deidentifier.findings_many([texts[p] for p in work], progress=progress)
    analysed = time.perf_counter()
    found_by_path = dict(zip(work, found, strict=True))
    for path in files:
        result = texts[path]
        if path in found_by_path:
            result = deidentifier.anonymizer.anonymize(result, found_by_path[path])
        (output_dir / path.name).write_text(result, encoding="utf-8")
    done = time.perf_counter()
    metrics = {
        "documents": len(files),
        "empty_files": [p.name for p in files if p not in work],
        "characters": sum(len(t) for t in texts.values()),
        "seconds_analysis": round(analysed - start, 3),
        "seconds_total": round(done - start, 3),
        "documents_per_second": round(len(work) / max(done - start, 1e-9), 1),
        "findings_per_entity": dict(Counter(f.entity_type for fs in found for f in fs)),
    }
    gold = [read_gold_spans(p) for p in work]
    if work and all(g is not None for g in gold):
        docs = [AnnotatedDocument(texts[p], g, "", "", "") for p, g in zip(work, gold, strict=True)]
        metrics["evaluation"] = evaluate(docs, found).to_dict()
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    return metrics
