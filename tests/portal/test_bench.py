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


def test_copies_reach_the_size_and_are_searchable_and_kept(tmp_path, capsys):
    """``--generate`` fills a part and copies it in SQL (full-text index rebuilt, triggers
    back); ``--keep`` reuses the catalogue on the next run instead of filling it again."""
    from kimed_hub.catalogue.search import SearchQuery
    from kimed_hub.catalogue.store import CatalogueStore

    spec = importlib.util.spec_from_file_location("portal_search_bench", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = ["--sizes", "120", "--generate", "40", "--queries", "3", "--keep", str(tmp_path)]
    [first] = bench.main([*args, "--output", str(tmp_path / "a.json")])
    assert first["generated"] == 40
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue-120.sqlite'}")
    try:
        assert len(store.dataset_identifiers()) == 120
        found = store.search(SearchQuery(text="generated", page_size=100)).total
        assert found == 120  # every copy is in the full-text index
        before = store.dataset_identifiers()
    finally:
        store.close()
    [again] = bench.main([*args, "--output", str(tmp_path / "b.json")])
    assert again["copy_s"] == first["copy_s"]  # read from the marker, not copied again
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue-120.sqlite'}")
    try:
        assert store.dataset_identifiers() == before
    finally:
        store.close()
