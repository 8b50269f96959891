"""The engine's command line: exit codes, what it writes, and bad input.

Runs the real engine in-process (``main``) on the generated table of conftest.py. The
planted leak replaces the method's model with one that hands out real training rows: the
measurements and the exit code are the real ones.
"""

from __future__ import annotations

import json

import pytest

from kimed_demos.synthesis.__main__ import main

from .conftest import POLICY, known_table

FINAL_FILES = {"synthetic.csv", "report.json", "report.html", "figures"}


def run(source, out, method="gaussian_copula", *extra, policy=POLICY) -> int:
    return main(["run", "--source", str(source), "--out", str(out), "--method", method,
                 "--policy", str(policy), *extra])  # fmt: skip


@pytest.fixture(scope="module")
def good_run(known_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("good")
    code = run(known_csv, out, "gaussian_copula", "--target", "outcome")
    return code, out


def test_a_good_synthesis_passes_and_writes_every_file(good_run):
    code, out = good_run
    report = json.loads((out / "report.json").read_text())
    assert code == 0, report["failures"]
    assert {p.name for p in out.iterdir()} == FINAL_FILES
    assert report["schema"] == "kimed-synthesis-report/1"
    assert report["passed"] is True and report["failures"] == []
    assert report["rows_real"] == 1500 and report["rows_synthetic"] == 1500
    assert report["columns"] == ["x", "y", "age", "group", "site", "outcome"]
    assert {f.name for f in (out / "figures").iterdir()} == {
        "marginals.png",
        "associations.png",
        "dcr.png",
    }


def test_the_report_lists_every_measurement_with_its_policy_threshold(good_run):
    import yaml

    report = json.loads((good_run[1] / "report.json").read_text())
    thresholds = yaml.safe_load(POLICY.read_text())["thresholds"]
    assert [m["id"] for m in report["measurements"]] == list(thresholds)
    for m in report["measurements"]:
        assert m["threshold"] == thresholds[m["id"]]["threshold"]
        assert m["dimension"] in {"fidelity", "utility", "privacy"}
        assert m["label_de"] and m["label_en"]


def test_the_html_report_is_self_contained(good_run):
    page = (good_run[1] / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "<script" not in page
    assert "src='http" not in page and 'src="http' not in page and "url(" not in page


def test_integers_stay_integers(good_run):
    import pandas as pd

    synthetic = pd.read_csv(good_run[1] / "synthetic.csv")
    assert synthetic["age"].dtype.kind == "i"
    assert set(synthetic["group"]) <= {"low", "mid", "high"}


LEAK_METHOD = (
    "  planted_leak: {kernel: python-base, min_rows: 50, label_en: leak, label_de: Leck}\n"
)


def _with_leak(policy_dir, in_schema: bool):
    """The policy plus the planted_leak method (as SERVICE's job container test does it),
    and, if ``in_schema``, a schema that allows it: the reviewed schema refuses it."""
    import json

    if in_schema:
        schema_path = policy_dir / "schemas" / "synthesis.schema.json"
        schema = json.loads(schema_path.read_text())
        schema["properties"]["methods"]["properties"]["planted_leak"] = {"$ref": "#/$defs/method"}
        schema_path.write_text(json.dumps(schema))
    policy = policy_dir / "synthesis.yaml"
    policy.write_text(policy.read_text().replace("methods:\n", "methods:\n" + LEAK_METHOD, 1))
    return policy


def test_a_planted_leak_fails_the_privacy_thresholds_with_exit_3(known_csv, tmp_path, policy_dir):
    out = tmp_path / "out"
    out.mkdir()
    policy = _with_leak(policy_dir, in_schema=True)
    code = run(known_csv, out, "planted_leak", "--target", "outcome", policy=policy)
    report = json.loads((out / "report.json").read_text())
    assert code == 3
    assert report["passed"] is False
    privacy = {m["id"] for m in report["measurements"] if m["dimension"] == "privacy"}
    failed_privacy = set(report["failures"]) & privacy
    assert privacy == failed_privacy, "every privacy measurement must catch copied rows"


def test_the_reviewed_schema_refuses_the_planted_leak(known_csv, tmp_path, capsys, policy_dir):
    policy = _with_leak(policy_dir, in_schema=False)
    message = _bad(capsys, tmp_path, known_csv, "planted_leak", policy=policy)
    assert "is invalid" in message and "planted_leak" in message


def _bad(capsys, tmp_path, *args, **kwargs) -> str:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    before = sorted(out.iterdir())
    assert run(*args[:1], out, *args[1:], **kwargs) == 2
    assert sorted(out.iterdir()) == before, "bad input must leave OUT untouched"
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1, error
    return error[0]


def test_unknown_method(known_csv, tmp_path, capsys):
    message = _bad(capsys, tmp_path, known_csv, "magic")
    assert "unknown synthesis method 'magic'" in message and "gaussian_copula" in message


def test_missing_table(known_csv, tmp_path, capsys):
    message = _bad(capsys, tmp_path, known_csv, "cart", "--table", "nothere.csv")
    assert "table 'nothere.csv' is not in" in message and "cohort.csv" in message


def test_folder_with_two_tables_needs_table(tmp_path, capsys):
    source = tmp_path / "two"
    source.mkdir()
    for name in ("a.csv", "b.csv"):
        known_table(60).to_csv(source / name, index=False)
    message = _bad(capsys, tmp_path, source, "cart")
    assert "--table" in message and "a.csv, b.csv" in message


def test_empty_table(tmp_path, capsys):
    source = tmp_path / "empty.csv"
    source.write_text("x,y,group\n")
    assert "is empty (0 rows" in _bad(capsys, tmp_path, source, "cart")


def test_target_not_a_column(known_csv, tmp_path, capsys):
    message = _bad(capsys, tmp_path, known_csv, "cart", "--target", "death")
    assert "target 'death' is not a column" in message and "outcome" in message


def test_too_few_rows_for_the_deep_model(tmp_path, capsys):
    source = tmp_path / "small.csv"
    known_table(200).to_csv(source, index=False)
    message = _bad(capsys, tmp_path, source, "tvae")
    assert "needs at least 1000 rows (policy)" in message


def test_non_empty_out(known_csv, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("keep me")
    assert run(known_csv, out, "cart") == 2
    assert [p.name for p in out.iterdir()] == ["earlier.txt"]
    assert "is not empty" in capsys.readouterr().err


def test_invalid_policy_fails_closed(known_csv, tmp_path, capsys, policy_dir):
    policy = policy_dir / "synthesis.yaml"
    policy.write_text(policy.read_text().replace("threshold: 0.01,", "threshold: lots,"))
    message = _bad(capsys, tmp_path, known_csv, "cart", policy=policy)
    assert (
        "synthesis policy" in message
        and "is invalid" in message
        and "exact_copies_share" in message
    )


def test_policy_without_schema_fails_closed(known_csv, tmp_path, capsys, policy_dir):
    (policy_dir / "schemas" / "synthesis.schema.json").unlink()
    message = _bad(capsys, tmp_path, known_csv, "cart", policy=policy_dir / "synthesis.yaml")
    assert "synthesis.schema.json is missing" in message


def test_identifier_and_empty_columns_are_left_out_and_named(tmp_path):
    table = known_table(300)
    table.insert(0, "patient_id", [f"P{i:05d}" for i in range(len(table))])
    table["unused"] = float("nan")
    table.to_csv(tmp_path / "with_ids.csv", index=False)
    out = tmp_path / "out"
    out.mkdir()
    run(tmp_path / "with_ids.csv", out, "gaussian_copula")
    report = json.loads((out / "report.json").read_text())
    assert report["dropped_columns"] == ["patient_id", "unused"]
    assert "patient_id" not in (out / "synthetic.csv").read_text().splitlines()[0]


def test_a_broken_engine_module_is_a_crash_not_bad_input(monkeypatch):
    """An ImportError inside our own package must not be blamed on the user's kernel."""
    import importlib

    from kimed_demos.synthesis.methods import method_module

    def broken(name):
        raise ModuleNotFoundError(
            "No module named 'kimed_demos.synthesis.gone'", name="kimed_demos.synthesis.gone"
        )

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        method_module("cart")
