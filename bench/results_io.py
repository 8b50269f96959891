"""Where every benchmark keeps what it measured: ``bench/results/<name>.json`` (+ ``.md``).

Shared by the scripts in bench/ (each run as ``python bench/<script>.py``, which puts this
folder on ``sys.path``). The results folder is gitignored: figures belong in notes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def save_results(name: str, data: Any, table: str | None = None) -> Path:
    """Write ``data`` as JSON (and ``table`` as markdown); say where; return the JSON path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    if table is not None:
        (RESULTS / f"{name}.md").write_text(table + "\n")
    print(f"results written to {path}" + (" and .md" if table is not None else ""))
    return path
