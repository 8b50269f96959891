"""`kimed demo`: list the demonstrators and run their notebooks with papermill.

    kimed demo list
    kimed demo show NAME
    kimed demo run NAME [-p KEY VALUE ...] [--output DIR] [--kernel K]
    kimed demo run NAME --batch INPUT_DIR_OR_GLOB [...]
    kimed demo copy [--to DIR]

Inside the workbench the same commands are `kimed-demo ...` (the hub's `kimed` is not in
the image); each notebook runs in its curated kernel (the registry's ``kernel``). On the
host, where those kernels are not installed, the venv's own kernel runs them instead
(``registry.HOST_KERNEL``); ``--kernel`` picks one explicitly.

A run executes the demonstrator's notebook in a temporary folder next to its destination and
moves it into place only when every cell succeeded, so an output folder is never half
written. A failed run keeps the executed notebook, with the traceback in it, in a folder
ending in ``-failed``. Batch ("drive-through") runs execute once per input, keep going after
a failure, print a summary table and exit non-zero if any input failed.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from . import registry
from .locations import in_workbench_image, project_root
from .registry import HOST_KERNEL, OUTPUT_PARAMETER, Demonstrator

#: The command's name in messages: the hub's `kimed demo`, or the image's `kimed-demo`.
PROG = "kimed-demo" if in_workbench_image() else "kimed demo"

#: Parameter names that hold paths: relative values are made absolute, because the
#: notebook runs with its output folder as working directory.
_PATH_SUFFIXES = ("_path", "_dir", "_file")


class DemoError(Exception):
    """Something the user can fix; the message says what and how."""


@dataclass
class RunResult:
    """The outcome of one notebook execution."""

    ok: bool
    folder: Path
    seconds: float
    input: str | None = None
    error: str = ""


# --- what the notebook accepts -------------------------------------------------------------


def notebook_of(demo: Demonstrator) -> Path:
    """The demonstrator's notebook, or an error if it has not been written yet."""
    path = demo.notebook_path(project_root())
    if not path.is_file():
        raise DemoError(
            f"demonstrator {demo.name!r} is registered but its notebook {demo.notebook} does "
            "not exist yet; it cannot run until that notebook is added"
        )
    return path


def notebook_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """The parameters cell as papermill reads it: name -> {inferred_type_name, default, help}."""
    import papermill

    params = papermill.inspect_notebook(str(notebook))
    if OUTPUT_PARAMETER not in params:
        raise DemoError(
            f"{notebook} has no cell tagged 'parameters' defining {OUTPUT_PARAMETER!r}; "
            "every demonstrator notebook must have one (see demonstrators/kimed_demos/registry.py)"
        )
    return params


def default_type(spec: dict[str, Any]) -> str:
    """The parameter's type: its annotation, else the type of its literal default."""
    if spec.get("inferred_type_name", "None") != "None":
        return spec["inferred_type_name"]
    try:
        return type(ast.literal_eval(spec.get("default", "None"))).__name__
    except (ValueError, SyntaxError):
        return "None"  # an expression as default: take the value as given


def coerce_value(name: str, raw: Any, spec: dict[str, Any]) -> Any:
    """Turn a `-p` string into the type of the notebook's default, or explain why it can't."""
    expected = default_type(spec)
    if not isinstance(raw, str) or expected == "str":
        return raw  # registry defaults are already typed; strings stay verbatim
    try:
        value = yaml.safe_load(raw)  # the same rule as papermill's own `-p`
    except yaml.YAMLError:
        value = raw
    if expected == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    wanted = {"int": int, "float": float, "bool": bool}.get(expected)
    wrong_bool = wanted is int and isinstance(value, bool)
    if wanted is not None and (not isinstance(value, wanted) or wrong_bool):
        raise DemoError(
            f"parameter {name!r} expects {expected} (default {spec.get('default')}), "
            f"got {raw!r}; pass e.g. -p {name} {spec.get('default')}"
        )
    return value


def resolve_parameters(
    demo: Demonstrator, accepted: dict[str, dict[str, Any]], given: list[tuple[str, str]]
) -> dict[str, Any]:
    """Registry defaults overridden by `-p` pairs, checked against the parameters cell."""
    values: dict[str, Any] = {}
    for name, raw in [*demo.parameters.items(), *given]:
        if name == OUTPUT_PARAMETER:
            raise DemoError(f"{OUTPUT_PARAMETER!r} is set by the runner; use --output DIR")
        if name not in accepted:
            names = ", ".join(p for p in accepted if p != OUTPUT_PARAMETER)
            raise DemoError(
                f"{demo.name} has no parameter {name!r}; it accepts: {names} "
                f"(`{PROG} show {demo.name}` lists types and defaults)"
            )
        value = coerce_value(name, raw, accepted[name])
        if isinstance(value, str) and value and name.endswith(_PATH_SUFFIXES):
            value = str(Path(value).expanduser().resolve())
        values[name] = value
    return values


def installed_kernels() -> set[str]:
    """The names of the Jupyter kernels this Python's Jupyter finds."""
    from jupyter_client.kernelspec import KernelSpecManager

    return set(KernelSpecManager().find_kernel_specs())


def check_kernel(name: str) -> None:
    """Fail with the install command if the Jupyter kernel `name` is missing."""
    installed = installed_kernels()
    if name not in installed:
        available = ", ".join(sorted(installed)) or "none"
        raise DemoError(
            f"Jupyter kernel {name!r} is not installed (installed: {available}). Install it "
            f"with `{sys.executable} -m ipykernel install --sys-prefix --name {name}` "
            "or pick another with --kernel"
        )


def choose_kernel(demo: Demonstrator, explicit: str | None) -> str:
    """The kernel to run `demo` in: `explicit` (which must exist), else the demonstrator's
    curated workbench kernel, else, where that is not installed (the host), HOST_KERNEL."""
    if explicit:
        check_kernel(explicit)
        return explicit
    installed = installed_kernels()
    if demo.kernel in installed:
        return demo.kernel
    if HOST_KERNEL in installed:
        print(
            f"{PROG}: kernel {demo.kernel!r} is not installed here (outside the workbench); "
            f"running in {HOST_KERNEL!r}",
            file=sys.stderr,
        )
        return HOST_KERNEL
    check_kernel(demo.kernel)  # raises, naming what is installed
    return demo.kernel


# --- output folders ------------------------------------------------------------------------


def default_output(name: str) -> Path:
    """./demo-runs/<name>-<timestamp>/ under the current directory."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return free_name(Path.cwd() / "demo-runs" / f"{name}-{stamp}")  # two runs in one second


def prepare_destination(path: Path) -> Path:
    """An absolute destination that is absent or an empty folder (never overwrite results)."""
    path = path.expanduser().resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise DemoError(f"output folder {path} exists and is not empty; choose another --output")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def free_name(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`, ... whichever does not exist yet."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def move_into_place(src: Path, dst: Path) -> Path:
    """Rename the finished temporary folder to `dst` (an empty `dst` is replaced)."""
    if dst.is_dir() and not any(dst.iterdir()):
        dst.rmdir()
    dst = free_name(dst)
    os.replace(src, dst)  # same parent folder, so an atomic rename
    return dst


# --- execution -----------------------------------------------------------------------------


def describe_failure(exc: BaseException) -> str:
    """One line: the notebook's exception, or what stopped the kernel."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue} (cell {getattr(exc, 'exec_count', '?')})"
    return f"{type(exc).__name__}: {exc}".strip()


def execute(
    demo: Demonstrator,
    params: dict[str, Any],
    kernel: str,
    destination: Path,
    progress: bool = True,
    input_path: str | None = None,
) -> RunResult:
    """Run the notebook once into a temporary folder; move it to `destination` or `-failed`."""
    import papermill

    notebook = notebook_of(demo)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    started = time.monotonic()
    error = ""
    try:
        papermill.execute_notebook(
            str(notebook),
            str(tmp / notebook.name),
            parameters={**params, OUTPUT_PARAMETER: "."},  # "." stays valid after the move
            kernel_name=kernel,
            progress_bar=progress,
            cwd=str(tmp),
        )
    except BaseException as exc:  # noqa: B036 - Ctrl-C also keeps the notebook for debugging
        if not isinstance(exc, Exception):
            move_into_place(tmp, destination.with_name(destination.name + "-failed"))
            raise
        error = describe_failure(exc)
    seconds = time.monotonic() - started
    result = RunResult(not error, tmp, seconds, input_path, error)
    write_run_record(tmp, demo, params, kernel, result)
    final = destination if result.ok else destination.with_name(destination.name + "-failed")
    result.folder = move_into_place(tmp, final)
    return result


def write_run_record(folder: Path, demo: Demonstrator, params: dict, kernel: str, result) -> None:
    """run.json: what ran, with which parameters and kernel, how long, and how it ended."""
    record = {
        "demonstrator": demo.name,
        "notebook": demo.notebook,
        "kernel": kernel,
        "parameters": params,
        "finished": datetime.now().isoformat(timespec="seconds"),
        **{k: v for k, v in asdict(result).items() if k != "folder"},
    }
    (folder / "run.json").write_text(json.dumps(record, indent=2, default=str) + "\n")


# --- batch ("drive-through") runs ----------------------------------------------------------


def batch_inputs(demo: Demonstrator, spec: str) -> list[Path]:
    """The inputs of a batch: a folder's entries matching the demo's glob, or a glob's hits."""
    if demo.batch_parameter is None:
        batchable = ", ".join(d.name for d in registry.DEMONSTRATORS if d.batch_parameter)
        raise DemoError(
            f"{demo.name} takes no input file, so it has no --batch mode (batchable: {batchable})"
        )
    folder = Path(spec).expanduser()
    if folder.is_dir():
        found = folder.glob(demo.batch_glob)
    else:
        found = (Path(p) for p in glob.glob(str(folder), recursive=True))
    inputs = sorted(p.resolve() for p in found if not p.name.startswith("."))
    if not inputs:
        where = f"{spec}/{demo.batch_glob}" if folder.is_dir() else spec
        raise DemoError(f"no inputs found for --batch: nothing matches {where}")
    return inputs


def run_names(inputs: list[Path]) -> list[str]:
    """One folder name per input: its file name without suffixes, made unique and safe."""
    names: list[str] = []
    for path in inputs:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.name.split(".")[0] or path.name)
        name, n = stem, 1
        while name in names:
            n += 1
            name = f"{stem}-{n}"
        names.append(name)
    return names


def run_batch(
    demo: Demonstrator, params: dict[str, Any], kernel: str, inputs: list[Path], root: Path
) -> list[RunResult]:
    """Run once per input under `root`, with an overall progress bar; failures don't stop it."""
    from tqdm import tqdm

    results = []
    bar = tqdm(list(zip(inputs, run_names(inputs), strict=True)), desc=demo.name, unit="input")
    for path, name in bar:
        bar.set_postfix_str(path.name)
        run_params = {**params, demo.batch_parameter: str(path)}
        result = execute(demo, run_params, kernel, root / name, False, str(path))
        results.append(result)
        bar.write(f"{'ok    ' if result.ok else 'FAILED'} {path.name}  {result.error}".rstrip())
    summary = [{**asdict(r), "folder": str(r.folder)} for r in results]
    (root / "batch-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return results


def summary_table(results: list[RunResult]) -> str:
    """A markdown table of a batch: input, status, seconds, folder, error."""
    lines = ["| input | status | seconds | folder | error |", "|---|---|---:|---|---|"]
    for r in results:
        status = "ok" if r.ok else "FAILED"
        name = Path(r.input).name if r.input else "-"
        lines.append(f"| {name} | {status} | {r.seconds:.1f} | {r.folder} | {r.error} |")
    failed = sum(not r.ok for r in results)
    lines.append(f"\n{len(results) - failed} succeeded, {failed} failed")
    return "\n".join(lines)


# --- commands ------------------------------------------------------------------------------


def cmd_list() -> int:
    """Print the registered demonstrators as a table."""
    root = project_root()
    print(f"{'name':<10} {'runtime':<8} {'kernel':<15} {'batch':<9} notebook / description")
    for d in registry.DEMONSTRATORS:
        missing = "" if d.notebook_path(root).is_file() else "  (notebook not written yet)"
        batch = d.batch_glob if d.batch_parameter else "-"
        print(f"{d.name:<10} {d.runtime:<8} {d.kernel:<15} {batch:<9} {d.notebook}{missing}")
        print(f"{'':<45} {d.description}")
    return 0


def cmd_show(name: str) -> int:
    """Print one demonstrator's notebook parameters with types, defaults and help."""
    demo = registry.get(name)
    print(f"{demo.name}: {demo.description}\nnotebook: {demo.notebook}  kernel: {demo.kernel}")
    for pname, spec in notebook_parameters(notebook_of(demo)).items():
        if pname == OUTPUT_PARAMETER:
            continue
        default = demo.parameters.get(pname, spec["default"])
        print(f"  -p {pname:<16} {default_type(spec):<5} = {default!s:<8} {spec['help']}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one demonstrator once, or once per input with --batch."""
    demo = registry.get(args.name)
    accepted = notebook_parameters(notebook_of(demo))
    params = resolve_parameters(demo, accepted, [tuple(p) for p in args.parameter or []])
    kernel = choose_kernel(demo, args.kernel)
    if args.batch is None:
        destination = prepare_destination(args.output or default_output(demo.name))
        result = execute(demo, params, kernel, destination)
        print(f"{'done' if result.ok else 'FAILED'} in {result.seconds:.1f} s: {result.folder}")
        if not result.ok:
            print(f"error: {result.error}\n(the executed notebook in that folder shows where)")
        return 0 if result.ok else 1
    if demo.batch_parameter in params:
        raise DemoError(f"--batch sets {demo.batch_parameter!r} per input; drop -p for it")
    inputs = batch_inputs(demo, args.batch)
    root = prepare_destination(args.output or default_output(f"{demo.name}-batch"))
    root.mkdir(exist_ok=True)
    results = run_batch(demo, params, kernel, inputs, root)
    print(summary_table(results))
    return 0 if all(r.ok for r in results) else 1


def cmd_copy(target: Path | None) -> int:
    """Copy the demonstrator notebooks into a folder of one's own (default ~/demonstrators),
    for interactive use: in the workbench the shipped ones are read-only. Existing files
    are kept, never overwritten, so edits survive a second copy."""
    target = (target or Path.home() / "demonstrators").expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    for demo in registry.DEMONSTRATORS:
        source = demo.notebook_path(project_root())
        if not source.is_file():
            continue
        destination = target / source.name
        if destination.exists():
            print(f"kept     {destination} (exists)")
            continue
        shutil.copyfile(source, destination)  # not copy2: the copy must be writable
        print(f"copied   {destination}  (kernel {demo.kernel})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The `kimed demo` argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the registered demonstrators")
    sub.add_parser("show", help="a demonstrator's parameters").add_argument("name")
    run = sub.add_parser("run", help="execute a demonstrator's notebook")
    run.add_argument("name")
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", metavar=("KEY", "VALUE"),
        help="set a notebook parameter (repeatable; values parsed like YAML)",
    )  # fmt: skip
    run.add_argument("--output", type=Path, help="output folder (default ./demo-runs/NAME-TIME)")
    run.add_argument("--kernel", help="Jupyter kernel (default: the registry's)")
    run.add_argument("--batch", metavar="INPUT_DIR_OR_GLOB", help="run once per input")
    copy = sub.add_parser("copy", help="copy the notebooks into a folder for interactive use")
    copy.add_argument("--to", type=Path, help="destination folder (default ~/demonstrators)")
    return parser


def main(argv: list[str]) -> int:
    """Entry point of `kimed demo`; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help or a usage error: argparse has printed why
        return int(exc.code or 0)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "show":
            return cmd_show(args.name)
        if args.command == "copy":
            return cmd_copy(args.to)
        return cmd_run(args)
    except (DemoError, registry.UnknownDemonstrator) as exc:
        print(f"{PROG}: error: {exc.args[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the partial run is in a -failed folder", file=sys.stderr)
        return 130


if __name__ == "__main__":  # `python -m kimed_demos.runner`, the image's kimed-demo
    sys.exit(main(sys.argv[1:]))
