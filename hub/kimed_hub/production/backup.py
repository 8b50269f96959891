"""``kimed backup`` / ``kimed restore``: the hub's database, the portal's database, the
secrets and the policies in one archive; not the users' home volumes (docs/operators.md
says how to back those up).

What goes in (``manifest.json`` lists each file with its SHA-256):

* ``hub/jupyterhub.sqlite``: users, groups, roles, tokens, servers (SQLite online backup,
  consistent while the hub runs);
* ``portal/``: the catalogue, access requests, grants and the audit chain: SQLite as
  above, or PostgreSQL through ``pg_dump --format=custom`` (restored with ``pg_restore``);
* ``secrets/``: the cookie secret, the auth-state key, the local accounts' password hashes
  and the demo passwords, the proxy's token (whichever exist);
* ``policies/``: the reviewed policy files in force.

The archive is written to a temporary file beside the target, flushed to disk and renamed
into place, so a crash never leaves a half-written archive under the target's name. It is
readable by its owner only: it holds secrets. A restore checks every checksum before it
writes anything, refuses to overwrite a live hub's state, and writes each file atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

FORMAT = "kimed-backup/1"
HUB_DB = "jupyterhub.sqlite"
#: Files of the hub data folder that are secrets (kept when present).
SECRET_FILES = (
    "jupyterhub_cookie_secret",
    "crypt_key",
    "accounts.json",
    "demo-passwords.txt",
    "proxy-auth-token",
)


class BackupError(RuntimeError):
    """A backup or restore cannot proceed; the message says why and what to do."""


@dataclass(frozen=True)
class Sources:
    """Where one workbench keeps what a backup holds."""

    state: Path  # the hub data folder (KIMED_HUB_DATA_DIR)
    portal_db_url: str
    policies: Path


# -- backup ------------------------------------------------------------------------------


def backup(sources: Sources, target: Path) -> dict:
    """Write the archive ``target`` (``.tar.gz``); return its manifest."""
    hub_db = sources.state / HUB_DB
    if not hub_db.is_file():
        raise BackupError(f"no hub database at {hub_db}: is KIMED_HUB_DATA_DIR right?")
    with tempfile.TemporaryDirectory(prefix="kimed-backup-") as tmp:
        staging = Path(tmp)
        _sqlite_copy(hub_db, staging / "hub" / HUB_DB)
        portal = _dump_portal(sources.portal_db_url, staging / "portal")
        for name in SECRET_FILES:
            if (sources.state / name).is_file():
                _copy(sources.state / name, staging / "secrets" / name)
        shutil.copytree(sources.policies, staging / "policies")
        manifest = {
            "format": FORMAT,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "portal_backend": portal,
            "files": {
                str(p.relative_to(staging)): _sha256(p)
                for p in sorted(staging.rglob("*"))
                if p.is_file()
            },
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        _write_archive_atomically(staging, target)
    return manifest


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its online backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _dump_portal(url: str, folder: Path) -> str:
    """The portal's database into ``folder``; returns the backend's name."""
    folder.mkdir(parents=True)
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        _sqlite_copy(_sqlite_file(url), folder / "catalogue.sqlite")
        return "sqlite"
    if parsed.scheme.startswith("postgresql"):
        _pg("pg_dump", "--format=custom", f"--file={folder / 'catalogue.pgdump'}", url)
        return "postgresql"
    raise BackupError(f"portal database {parsed.scheme!r}: only SQLite and PostgreSQL are known")


def _sqlite_file(url: str) -> Path:
    """The file of a ``sqlite:///...`` URL, as SQLAlchemy reads it."""
    from sqlalchemy.engine import make_url  # local import: only the CLI needs it

    return Path(make_url(url).database)


def _pg(tool: str, *args: str) -> None:
    """Run pg_dump/pg_restore with a plain libpq URL (SQLAlchemy's '+driver' removed)."""
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is needed for a PostgreSQL portal: apt-get install postgresql-client"
        )
    *options, url = args
    scheme, rest = url.split("://", 1)
    libpq = f"{scheme.split('+')[0]}://{rest}"
    result = subprocess.run([tool, *options, f"--dbname={libpq}"], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _write_archive_atomically(staging: Path, target: Path) -> None:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            os.fchmod(raw.fileno(), 0o600)  # it holds secrets
            with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                for path in sorted(staging.rglob("*")):
                    archive.add(path, arcname=str(path.relative_to(staging)), recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


# -- restore -----------------------------------------------------------------------------


def restore(sources: Sources, archive: Path, force: bool = False) -> dict:
    """Restore ``archive`` into ``sources``' places; return its manifest.

    Refuses while a hub runs on that state, or over an existing hub database unless
    ``force``; restored policies land in ``<state>/restored-policies`` (the policies in
    force are reviewed files in the checkout: compare, then copy them over yourself)."""
    members = _read_verified(archive)
    manifest = json.loads(members.pop("manifest.json"))
    _refuse_live_or_existing(sources.state, force)
    for name, data in members.items():
        top, _, rest = name.partition("/")
        if top == "hub":
            _write_atomically(sources.state / rest, data)
        elif top == "secrets":
            _write_atomically(sources.state / rest, data, mode=0o600)
        elif top == "policies":
            _write_atomically(sources.state / "restored-policies" / rest, data)
    _restore_portal(sources.portal_db_url, manifest["portal_backend"], members)
    return manifest


def _read_verified(archive: Path) -> dict[str, bytes]:
    """Every file of the archive, after checking the manifest's checksums."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup archive")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive ({exc})") from exc
    manifest = json.loads(members.get("manifest.json", b"{}"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: not a {FORMAT} archive (manifest missing or foreign)")
    listed = manifest["files"]
    damaged = [n for n, digest in listed.items() if _digest(members.get(n)) != digest]
    unlisted = sorted(set(members) - set(listed) - {"manifest.json"})
    if damaged or unlisted:
        raise BackupError(
            f"{archive} is damaged: wrong or missing {damaged}, unexpected {unlisted}. "
            "Nothing was restored; use another copy of the backup."
        )
    return members


def _refuse_live_or_existing(state: Path, force: bool) -> None:
    pid_file = state / "jupyterhub.pid"
    if pid_file.is_file() and _alive(pid_file.read_text().strip()):
        raise BackupError(f"a hub is running on {state} (pid file {pid_file}); stop it first")
    if (state / HUB_DB).exists() and not force:
        raise BackupError(
            f"{state} already has a hub database; restore into an empty state folder "
            "(KIMED_HUB_DATA_DIR) or pass --force to replace it"
        )


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _restore_portal(url: str, backend: str, members: dict[str, bytes]) -> None:
    parsed = urlparse(url)
    if backend == "sqlite" and parsed.scheme.startswith("sqlite"):
        _write_atomically(_sqlite_file(url), members["portal/catalogue.sqlite"])
    elif backend == "postgresql" and parsed.scheme.startswith("postgresql"):
        with tempfile.NamedTemporaryFile(suffix=".pgdump") as dump:
            dump.write(members["portal/catalogue.pgdump"])
            dump.flush()
            _pg("pg_restore", "--clean", "--if-exists", "--no-owner", dump.name, url)
    else:
        raise BackupError(
            f"the backup holds a {backend} portal database but the portal is configured for "
            f"{parsed.scheme} (KIMED_PORTAL_DB_URL); configure the same kind and restore again"
        )


def _write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.restoring")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


# -- helpers -----------------------------------------------------------------------------


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _sha256(path: Path) -> str:
    return _digest(path.read_bytes())


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def describe(manifest: dict) -> str:
    """One line for the operator: when, how many files, which backend, which secrets."""
    files = manifest["files"]
    secrets = [n.split("/", 1)[1] for n in files if n.startswith("secrets/")]
    return (
        f"backup of {manifest['created']}: {len(files)} files; portal database: "
        f"{manifest['portal_backend']}; secrets: {', '.join(secrets) or 'none'}"
    )
