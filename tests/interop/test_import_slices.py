"""The import's shares: NDJSON cut into byte slices that the workers read themselves.

Whatever the slices and the number of workers, the tables are the same bytes, and a
refused resource is named by its file and line in the whole file."""

from __future__ import annotations

import json

import pytest

from kimed_hub.interop import reading
from kimed_hub.interop.importer import ImportFailed, import_fhir
from kimed_hub.interop.processing import process_chunk
from kimed_hub.interop.reading import Item, Slice, slices


def test_slices_end_at_line_ends_and_cover_the_file(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'{"a": 1}\n\n{"b": 2}\r\n{"c": "\xc3\xa4"}\n{"d": 4}')  # no final newline
    for size in (1, 5, 9, 10, 100):
        parts = list(slices(path, size))
        assert parts[0].start == 0 and parts[-1].end == path.stat().st_size
        assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
        data = path.read_bytes()
        assert all(data[p.end - 1 : p.end] == b"\n" for p in parts[:-1])
        numbered, base = [], 0
        for part in parts:
            count, lines = part.read()
            numbered += [(base + n, text.strip()) for n, text, _ in lines]
            base += count
        assert numbered == [(1, '{"a": 1}'), (3, '{"b": 2}'), (4, '{"c": "ä"}'), (5, '{"d": 4}')]


def test_a_line_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'{"a": 1}\n{"b": "\xff"}\n{"c": 3}\n')
    count, lines = Slice(path, 0, path.stat().st_size).read()
    assert count == 3
    assert [(n, problem is None) for n, _, problem in lines] == [(1, True), (2, False), (3, True)]
    assert "not UTF-8" in lines[1][2]


@pytest.fixture(scope="module")
def small_slices():
    """Slices of 20 kB (a few dozen resources) in this module's imports."""
    saved, reading.SLICE_BYTES = reading.SLICE_BYTES, 20_000
    yield
    reading.SLICE_BYTES = saved


def test_tables_are_the_same_bytes_with_two_workers_and_small_slices(
    export, imported, tmp_path, small_slices
):
    again = import_fhir(export, "mii-test", root=tmp_path, workers=2, progress=False)
    assert again.manifest == imported.manifest  # every table file's SHA-256 included
    assert len(list(slices(export / "Observation.ndjson"))) > 10


def test_a_refused_line_deep_in_a_file_is_named_by_its_line(export, tmp_path, small_slices):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("Patient.ndjson", "Encounter.ndjson", "Observation.ndjson"):
        lines = (export / name).read_text().splitlines()
        if name == "Observation.ndjson":
            bad = json.loads(lines[899])
            bad["valueQuantity"]["value"] = True  # Arrow alone would take true as 1.0
            lines[899] = json.dumps(bad)
            lines[1200] = "{not json"
        (source / name).write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFailed) as failed:
        import_fhir(source, "mii-lines", root=tmp_path / "ds", workers=2, progress=False)
    found = {p.where: p for p in failed.value.problems}
    assert set(found) == {"Observation.ndjson:900", "Observation.ndjson:1201"}
    assert found["Observation.ndjson:900"].resource_id == bad["id"]
    assert "valueQuantity.value" in found["Observation.ndjson:900"].reason
    assert "broken JSON line" in found["Observation.ndjson:1201"].reason
    assert not (tmp_path / "ds" / "mii-lines").exists()


def test_a_wrong_json_type_in_a_kept_value_is_found_resource_by_resource(export):
    resources = [json.loads(x) for x in (export / "Patient.ndjson").read_text().splitlines()[:5]]
    resources[3]["gender"] = 1  # Arrow refuses the chunk; the strict pass names the resource
    done = process_chunk([Item(f"p:{i}", json.dumps(r)) for i, r in enumerate(resources)], 10**6)
    assert [(p.where, p.resource_id) for p in done.problems] == [("p:3", resources[3]["id"])]
    assert done.tables["Patient"].num_rows == 4
