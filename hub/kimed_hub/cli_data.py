"""``kimed data ...``: MII/FHIR data for the workbench's datasets.

kimed data generate-mii OUT [--patients N] [--seed S] [--format ndjson|bundle]
                         [--medications codeable|shared|per-statement]
kimed data import-fhir FOLDER_OR_BUNDLE --dataset ID [--workers N] [--no-catalogue]
                       [--validate-all]

``import-fhir`` writes the tables into ``<dataset root>/<ID>`` (mounted at /data/<ID> for
grants) and creates or refreshes the dataset's catalogue record in the portal's database.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import closing
from pathlib import Path

from .interop.synth_medication import FORMS
from .settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kimed data`` and its actions on the main parser."""
    data = sub.add_parser("data", help="MII/FHIR data: generate, import (kimed data --help)")
    actions = data.add_subparsers(dest="action", required=True)
    gen = actions.add_parser("generate-mii", help="write fictional MII core-dataset data")
    gen.add_argument("out", type=Path)
    gen.add_argument("--patients", type=int, default=2000)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--format", choices=["ndjson", "bundle"], default="ndjson")
    gen.add_argument("--bundle-size", type=int, default=100, help="patients per bundle")
    gen.add_argument(
        "--medications",
        choices=FORMS,
        default="codeable",
        help="drugs coded in the statements (default), or as Medication resources of their "
        "own: one per ATC code (shared) or one per statement",
    )
    imp = actions.add_parser("import-fhir", help="import FHIR NDJSON or bundles as tables")
    imp.add_argument("source", type=Path)
    imp.add_argument("--dataset", required=True, help="the catalogue identifier (folder name)")
    imp.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    imp.add_argument("--no-catalogue", action="store_true", help="do not touch the catalogue")
    imp.add_argument(
        "--validate-all",
        action="store_true",
        help="the full FHIR R4 structure check (fhir.resources) on every resource, not on 1 "
        "in 20 (every resource always gets the MII checks and the table values' FHIR "
        "formats; about 5 times slower)",
    )
    imp.add_argument("--actor", default="kimed-cli", help="who the audit log names")


def run(args: argparse.Namespace) -> int:
    """Carry out ``kimed data <action>``; problems people can fix exit with status 2."""
    from .interop.importer import ImportFailed

    try:
        if args.action == "generate-mii":
            return _generate(args)
        return _import(args)
    except ImportFailed as error:
        print(f"kimed data import-fhir: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"kimed data {args.action}: {error}", file=sys.stderr)
        return 2


def _generate(args: argparse.Namespace) -> int:
    from .interop.generate import generate_mii

    summary = generate_mii(
        args.out,
        args.patients,
        args.seed,
        args.format,
        args.bundle_size,
        medications=args.medications,
    )
    total = sum(summary["resources"].values())
    print(
        f"{args.out}: {args.patients} fictional patients, {total} resources ({args.format}); "
        f"ground truth in {args.out / 'truth'}"
    )
    return 0


def _print_notices(result) -> None:
    """Accepted resources that analyses will partly miss (also in manifest.json)."""
    total = result.manifest.get("notice_count", 0)
    if total:
        print(f"  {total} notice(s): imported, but analyses will partly miss these:")
        for notice in result.notices[:20]:
            print(f"    {notice}")
        if total > 20:
            print(f"    ... and {total - 20} more (manifest.json lists {len(result.notices)})")


def _import(args: argparse.Namespace) -> int:
    from .catalogue import CatalogueStore
    from .interop.catalogue_record import update_catalogue
    from .interop.importer import import_fhir

    settings = Settings.from_env()
    result = import_fhir(
        args.source,
        args.dataset,
        settings.dataset_root,
        args.workers,
        validate_all=args.validate_all,
    )
    state = "imported" if result.changed else "unchanged (same input as last time)"
    print(
        f"{args.dataset}: {state}: {result.manifest['patients']} patients, "
        f"{result.manifest['resources']} resources -> {result.folder}"
    )
    for name, rows in result.counts.items():
        print(f"  {name:<26} {rows:>9} rows")
    if result.skipped_files:
        print(f"  skipped (not .ndjson/.json): {', '.join(result.skipped_files)}")
    _print_notices(result)
    if not args.no_catalogue:
        with closing(CatalogueStore(settings.portal_db_url)) as store:
            revision = update_catalogue(
                store, args.dataset, result.manifest, result.folder, args.actor
            )
        print(f"  catalogue record {args.dataset}: revision {revision}")
    return 0
