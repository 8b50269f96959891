"""Command line of the synthesis engine (what the job container runs).

Exit codes: 0 written and every threshold passed; 3 written and at least one threshold
failed (report.json names them); 2 bad input (one line on stderr, nothing written);
anything else a crash.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .job import run_job
from .spec import JobSpec, SynthesisInputError

EXIT_PASSED, EXIT_BAD_INPUT, EXIT_FAILED_THRESHOLDS = 0, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 too; keep it to one line
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def parser() -> argparse.ArgumentParser:
    """The ``run`` command's arguments."""
    main = _Parser(prog="python -m kimed_demos.synthesis")
    commands = main.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="synthesise one table and measure it")
    run.add_argument(
        "--source", required=True, type=Path, help="dataset folder or CSV/Parquet file"
    )
    run.add_argument("--out", required=True, type=Path, help="an empty writable folder")
    run.add_argument("--method", required=True, help="a method the policy allows")
    run.add_argument("--policy", required=True, type=Path, help="policies/synthesis.yaml")
    run.add_argument("--table", help="the table inside the dataset folder (relative path)")
    run.add_argument("--target", help="column the utility measurement predicts")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--rows", type=int, help="synthetic rows (default: as many as real)")
    return main


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = parser().parse_args(argv)
    spec = JobSpec(args.source, args.out, args.method, args.policy, args.table, args.target,
                   args.seed, args.rows)  # fmt: skip
    try:
        result = run_job(spec)
    except SynthesisInputError as exc:
        print(f"synthesis: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_PASSED if result["passed"] else EXIT_FAILED_THRESHOLDS


if __name__ == "__main__":
    sys.exit(main())
