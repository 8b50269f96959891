"""One synthesis job from start to finish: check the input, synthesise, measure, write.

Every check of the input happens before anything is written, so bad input leaves the
output folder untouched. Results are written into ``OUT/.partial/`` and renamed into
place at the end (report.json last, so its presence means the result is complete); a
crash removes ``.partial``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from . import figures, report, tables
from .measure import measure_all
from .methods import VERSION, method_module
from .policy import load_policy, method_settings
from .progress import log
from .spec import JobSpec, SynthesisInputError


def run_job(spec: JobSpec) -> dict:
    """Run ``spec``; return the report. Raises :class:`SynthesisInputError` on bad input."""
    timings: dict[str, float] = {}
    timer = step_timer(timings)
    out = _check_out(Path(spec.out))
    policy = load_policy(spec.policy)
    settings = method_settings(policy, spec.method)
    path = tables.find_table(spec.source, spec.table)
    with timer("read"):
        frame = tables.read_table(path)
    info = tables.describe(frame)
    _check_request(spec, frame, info, settings)
    module = method_module(spec.method)
    real = tables.prepare(frame, info)
    train, holdout = tables.split_holdout(real, policy["evaluation"]["holdout_share"], spec.seed)
    shape = f"{len(real)} rows, {len(info.columns)} columns"
    log(f"{path.name}: {shape}; {spec.method} learns from {len(train)} rows")
    with timer("fit"):
        model = module.fit(train, info, settings, spec.seed)
    with timer("sample"):
        synth = tables.finish(model.sample(spec.rows or len(real), spec.seed + 1), info)
    log("measuring fidelity, utility and privacy")
    measured = measure_all(
        train, holdout, _as_read(synth, info), info, policy, spec.target, spec.seed, timer
    )
    source_name = str(path.relative_to(spec.source)) if Path(spec.source).is_dir() else path.name
    result = report.build(
        spec, VERSION, source_name, info, len(real), len(synth), measured, timings, _peak_mb()
    )
    _write(
        out,
        synth,
        result,
        lambda folder: figures.draw_all(train, synth, info, measured.details, folder),
    )
    log(
        "passed every threshold" if result["passed"] else f"failed: {', '.join(result['failures'])}"
    )
    return result


def _check_out(out: Path) -> Path:
    if not out.is_dir():
        raise SynthesisInputError(f"output folder {out} does not exist; create an empty folder")
    if any(out.iterdir()):
        raise SynthesisInputError(f"output folder {out} is not empty; give an empty folder")
    if not os.access(out, os.W_OK):
        raise SynthesisInputError(f"output folder {out} is not writable")
    return out


def _check_request(spec: JobSpec, frame, info, settings: dict) -> None:
    if spec.target is not None and spec.target not in info.columns:
        why = " (left out as an identifier)" if spec.target in info.dropped else ""
        raise SynthesisInputError(
            f"target {spec.target!r} is not a column of the table{why}; "
            f"columns: {', '.join(map(str, info.columns))}"
        )
    if len(frame) < settings["min_rows"]:
        raise SynthesisInputError(
            f"method {spec.method!r} needs at least {settings['min_rows']} rows (policy); "
            f"the table has {len(frame)}: choose another method"
        )
    if spec.rows is not None and spec.rows < 1:
        raise SynthesisInputError(f"--rows must be at least 1 (got {spec.rows})")


def _as_read(synth, info):
    """The synthetic table as a reader of synthetic.csv sees it (integers as floats)."""
    return tables.prepare(synth, info)


def _write(out: Path, synth, result: dict, draw) -> None:
    partial = out / ".partial"
    try:
        partial.mkdir()
        synth.to_csv(partial / "synthetic.csv", index=False)
        drawn = draw(partial / "figures")
        (partial / "report.html").write_text(report.render_html(result, drawn))
        (partial / "report.json").write_text(json.dumps(result, indent=2, default=str))
        for name in ("synthetic.csv", "figures", "report.html", "report.json"):
            (partial / name).rename(out / name)
        partial.rmdir()
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def step_timer(timings: dict[str, float]):
    """A context manager factory: ``with timer("fit"):`` adds the step's seconds."""

    @contextmanager
    def timer(step: str):
        start = time.perf_counter()
        yield
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start

    return timer


def _peak_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
