"""Helpers shared by the image build steps: input hashing, progress lines, logged commands,
and the few image queries the steps need from the container CLI."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import runtime
from ..paths import state_dir

# Mixed into every image key. Bump it when the build code changes what an image contains
# (the recipes are hashed anyway), so that every host rebuilds once.
KEY_VERSION = "kimed-images-2"
LOG_TAIL_LINES = 40
PREFIX = "[kimed image]"


class ImageBuildError(RuntimeError):
    """A build step failed; the message says what went wrong, where, and what to do."""


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks (wheels can be tens of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recipe_files(folder: Path) -> dict[str, Path]:
    """Every regular file below ``folder`` by its relative POSIX path, skipping caches and
    hidden files (editor swap files must not change an image key)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if path.is_file():
            files[relative.as_posix()] = path
    return files


def inputs_hash(files: dict[str, Path], extra: Iterable[str] = ()) -> str:
    """A sha256 over file names and contents plus ``extra`` strings: the key of an image.

    Names are hashed with contents so that renaming a recipe file changes the key; each
    part is length-prefixed so no two different input sets can hash the same bytes."""
    digest = hashlib.sha256()
    parts = [KEY_VERSION]
    for name in sorted(files):
        parts += [f"file:{name}", file_sha256(files[name])]
    parts += [f"extra:{item}" for item in extra]
    for part in parts:
        data = part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def build_dir() -> Path:
    """Scratch space for rootfs trees, build contexts and logs (under the state dir)."""
    path = state_dir() / "build"
    (path / "logs").mkdir(parents=True, exist_ok=True)
    return path


def verbose() -> bool:
    """True when ``KIMED_VERBOSE=1``: stream build tool output instead of capturing it."""
    return os.environ.get("KIMED_VERBOSE") == "1"


@dataclass
class Step:
    """One progress line: what the step does, and the outcome the body fills in."""

    what: str
    outcome: str = "done"
    seconds: float = 0.0


@contextmanager
def step(what: str, progress: bool, announce: bool = False) -> Iterator[Step]:
    """Time a build step and print one line for it when it ends (``what: outcome (1.2 s)``).

    ``announce`` also prints a line when it starts, for steps that take minutes, so that
    nobody wonders whether the build hangs."""
    record = Step(what)
    if progress and announce:
        print(f"{PREFIX} {what} ...", flush=True)
    started = time.monotonic()
    try:
        yield record
    except BaseException:
        record.outcome = "FAILED"
        raise
    finally:
        record.seconds = time.monotonic() - started
        if progress:
            print(f"{PREFIX} {what}: {record.outcome} ({record.seconds:.1f} s)", flush=True)


def container_cli() -> str:
    """The container CLI (``podman`` or ``docker``) for the detected runtime; it must be on
    PATH. Image builds need only the CLI, not the API socket."""
    cli = runtime.detect().cli
    if shutil.which(cli) is None:
        raise ImageBuildError(
            f"`{cli}` is not installed. On Debian run `apt-get install podman runc "
            "slirp4netns` (or let kimed_hub.runtime.ensure_runtime() do it), or install a "
            "Docker engine and set KIMED_RUNTIME=docker."
        )
    return cli


def inspect_image(ref: str) -> dict | None:
    """The image's inspect record (``Id``, ``Created``, ``Size``, labels...), or None when
    no image has that reference."""
    result = subprocess.run(
        [container_cli(), "image", "inspect", ref], capture_output=True, text=True
    )
    if result.returncode != 0:
        return None
    records = json.loads(result.stdout)
    return records[0] if records else None


def image_exists(ref: str) -> bool:
    """True when an image with exactly this reference exists locally."""
    return inspect_image(ref) is not None


def run_logged(
    argv: list[str],
    log_path: Path,
    what: str,
    stdin: int | IO[bytes] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a build command, writing its output to ``log_path`` (and to stdout when
    verbose). On failure raise an error with the log's last lines and its path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        log.write(f"$ {' '.join(argv)}\n".encode())
        proc = subprocess.Popen(
            argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if verbose():
                sys.stdout.buffer.write(line)
                sys.stdout.flush()
        returncode = proc.wait()
    if returncode != 0:
        raise ImageBuildError(
            f"{what} failed (exit status {returncode}). Last {LOG_TAIL_LINES} lines of "
            f"{log_path}:\n{log_tail(log_path)}\n(Full log: {log_path}; "
            "set KIMED_VERBOSE=1 to stream it.)"
        )


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file, decoded leniently."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (free on one filesystem), else copy it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or links not allowed
        shutil.copy2(source, target)


def assemble_context(
    label: str, key: str, files: dict[str, Path], wheelhouses: dict[str, Path]
) -> Path:
    """A new build context folder holding ``files`` (by their path in the context) and
    ``wheels/<env>/`` for each wheelhouse, hard-linked where possible (wheelhouses are
    hundreds of MB; links cost nothing). The folder is new for every build, so two builds
    at once (two test runs) never share one; the caller deletes it."""
    context = Path(tempfile.mkdtemp(prefix=f"context-{label}-{key[:12]}-", dir=build_dir()))
    for name, path in files.items():
        link_or_copy(path, context / name)
    for env_name, folder in wheelhouses.items():
        (context / "wheels" / env_name).mkdir(parents=True, exist_ok=True)
        for wheel in folder.iterdir():
            link_or_copy(wheel, context / "wheels" / env_name / wheel.name)
    return context


def build_argv(
    ref: str,
    context: Path,
    build_args: dict[str, str],
    labels: dict[str, str],
    no_cache: bool = False,
    target: str | None = None,
) -> list[str]:
    """The build command for ``context/Containerfile``. ``--network=none`` makes every RUN
    step offline; podman also gets ``--pull=never`` since its default would ask a registry
    about the local base."""
    cli = container_cli()
    argv = [cli, "build", "--network=none", "-f", str(context / "Containerfile"), "-t", ref]
    for name, value in build_args.items():
        argv += ["--build-arg", f"{name}={value}"]
    for name, value in labels.items():
        argv += ["--label", f"{name}={value}"]
    if cli == "podman":
        argv.append("--pull=never")
    if no_cache:
        argv.append("--no-cache")
    if target:
        argv += ["--target", target]
    return [*argv, str(context)]
