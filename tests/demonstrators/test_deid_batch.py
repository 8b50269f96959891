"""Drive-through mode over a folder of .txt letters."""

import json

import pytest

from kimed_demos.deid import deidentify_folder, generate_corpus, write_corpus


def test_folder_in_deidentified_folder_and_metrics_out(tmp_path, patterns_only):
    docs = generate_corpus("heldout", 6, seed=11)
    write_corpus(docs, tmp_path / "in")
    (tmp_path / "in" / "empty.txt").write_text("")
    metrics = deidentify_folder(tmp_path / "in", tmp_path / "out", patterns_only, progress=False)
    outputs = sorted(p.name for p in (tmp_path / "out").glob("*.txt"))
    assert outputs == sorted(p.name for p in (tmp_path / "in").glob("*.txt"))
    assert metrics["documents"] == 7 and metrics["empty_files"] == ["empty.txt"]
    assert metrics["findings_per_entity"]["DATE"] > 0
    assert metrics["evaluation"]["span"]["DATE"]["recall"] > 0.9
    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == metrics
    for doc, path in zip(docs, sorted((tmp_path / "out").glob("0*.txt")), strict=True):
        text = path.read_text()
        dates = [t for label, t in doc.entities() if label == "DATE"]
        assert not [d for d in dates if d in text]


def test_folder_errors_say_what_to_do(tmp_path, patterns_only):
    with pytest.raises(ValueError, match="does not exist"):
        deidentify_folder(tmp_path / "missing", tmp_path / "out", patterns_only)
    (tmp_path / "in").mkdir()
    with pytest.raises(ValueError, match="no .txt files"):
        deidentify_folder(tmp_path / "in", tmp_path / "out", patterns_only)
    (tmp_path / "in" / "a.txt").write_bytes("Herr M\xfcller".encode("latin-1"))
    with pytest.raises(ValueError, match="overwrite the originals"):
        deidentify_folder(tmp_path / "in", tmp_path / "in", patterns_only)
    with pytest.raises(ValueError, match="not UTF-8.*iconv"):
        deidentify_folder(tmp_path / "in", tmp_path / "out", patterns_only)
