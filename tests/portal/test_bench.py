"""The search benchmark script runs end to end (tiny size) and writes its JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "portal_search.py"


def test_benchmark_runs_and_reports(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("portal_search_bench", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    output = tmp_path / "result.json"
    rows = bench.main(["--sizes", "120", "--queries", "5", "--output", str(output)])
    assert rows[0]["size"] == 120 and rows[0]["text+2facets"]["n"] == 5
    assert json.loads(output.read_text())["results"][0]["browse"]["p95_ms"] >= 0
    assert "| 120 | sqlite |" in capsys.readouterr().out
