"""``kimed install``, ``kimed backup FILE``, ``kimed restore FILE``: production on one
machine (systemd.py, backup.py; docs/operators.md, Production)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..paths import policies_dir
from ..settings import Settings
from . import backup, systemd

PRODUCTION_COMMANDS = ("install", "backup", "restore")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the three commands on the main parser."""
    install = sub.add_parser("install", help="write systemd units for hub and proxy")
    install.add_argument("--unit-dir", type=Path, default=Path("/etc/systemd/system"))
    install.add_argument("--env-dir", type=Path, default=Path("/etc/kimed"))
    install.add_argument("--enable", action="store_true", help="daemon-reload, enable, start")
    sub.add_parser("backup", help="back up databases, secrets, policies").add_argument(
        "file", type=Path
    )
    restore = sub.add_parser("restore", help="restore a backup into the state folder")
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true", help="replace an existing hub database")


def run(args: argparse.Namespace) -> int:
    """Carry out the command; problems people can fix exit with status 2."""
    settings = Settings.from_env()
    if args.command == "install":
        target = systemd.Install(args.unit_dir, args.env_dir)
        for path in systemd.install(settings, target, enable=args.enable):
            print(f"wrote {path}")
        return 0
    sources = backup.Sources(settings.state, settings.portal_db_url, policies_dir())
    try:
        if args.command == "backup":
            print(f"wrote {args.file}: {backup.describe(backup.backup(sources, args.file))}")
        else:
            manifest = backup.restore(sources, args.file, force=args.force)
            print(f"restored into {settings.state}: {backup.describe(manifest)}")
    except backup.BackupError as error:
        print(f"kimed {args.command}: {error}", file=sys.stderr)
        return 2
    return 0
