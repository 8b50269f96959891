"""``kimed trust-centre ...``: the trust centre's and the holders' commands.

kimed trust-centre encode IDAT.csv --secret-file FILE --out CLKS.npz   (at the holder)
kimed trust-centre deliver DATASET FILE [--id-column patient_id]     (clear .csv or .npz)
kimed trust-centre demo [--persons N] [--seed S] [--encoded]         (fictional holders)

``encode`` runs at a holder that may not give identifiers to anyone: it writes Bloom-
filter encodings under a secret the holders share and the trust centre never sees.
``deliver`` puts a holder's delivery into the trust centre's folder
(``KIMED_TRUST_CENTRE_DIR``). ``demo`` writes two fictional holders' datasets, catalogue
records and deliveries. Linking happens when a request is activated (docs/trust-centre.md).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from .settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kimed trust-centre`` and its actions on the main parser."""
    centre = sub.add_parser("trust-centre", help="identifiers, encodings, linkage demo")
    actions = centre.add_subparsers(dest="action", required=True)
    enc = actions.add_parser("encode", help="Bloom-filter encodings of identifiers (holder)")
    enc.add_argument("idat", type=Path, help="CSV: patient_id and identifying fields")
    enc.add_argument("--secret-file", type=Path, required=True, help="the holders' secret")
    enc.add_argument("--out", type=Path, required=True, help="the .npz file to deliver")
    deliver = actions.add_parser("deliver", help="keep a holder's delivery for a dataset")
    deliver.add_argument("dataset")
    deliver.add_argument("file", type=Path, help="clear identifiers (.csv) or encodings (.npz)")
    deliver.add_argument("--id-column", default="patient_id", help="the holder's patient id")
    demo = actions.add_parser("demo", help="two fictional holders with an overlap")
    demo.add_argument("--persons", type=int, default=200, help="patients per holder")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--encoded", action="store_true", help="deliver Bloom-filter encodings")


def run(args: argparse.Namespace) -> int:
    """Carry out ``kimed trust-centre <action>``; problems people can fix exit with 2."""
    from .errors import PortalError

    try:
        return {"encode": _encode, "deliver": _deliver, "demo": _demo}[args.action](args)
    except (PortalError, OSError, ValueError, KeyError) as error:
        print(f"kimed trust-centre {args.action}: {error}", file=sys.stderr)
        return 2


def _encode(args: argparse.Namespace) -> int:
    import pandas as pd

    from .trust_centre.bloom import encode

    idat = pd.read_csv(args.idat, dtype=str, keep_default_na=False)
    encoding = encode(idat, args.secret_file.read_bytes().strip())
    encoding.save(args.out)
    print(f"{args.out}: {len(encoding.ids)} encodings (key check {encoding.check})")
    return 0


def _deliver(args: argparse.Namespace) -> int:
    import pandas as pd

    from .trust_centre.bloom import Encoding
    from .trust_centre.store import TrustCentreStore

    files = TrustCentreStore()
    if args.file.suffix == ".npz":
        count = files.deliver_encoded(args.dataset, Encoding.load(args.file))
    else:
        idat = pd.read_csv(args.file, dtype=str, keep_default_na=False)
        count = files.deliver_clear(args.dataset, idat, args.id_column)
    print(f"{args.dataset}: {count} records delivered to {files.root}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    import secrets

    from .catalogue import CatalogueStore
    from .trust_centre.demo_setup import HOLDERS, install_demo
    from .trust_centre.store import TrustCentreStore

    settings = Settings.from_env()
    secret = secrets.token_bytes(32) if args.encoded else None
    with closing(CatalogueStore(settings.portal_db_url)) as store:
        install_demo(
            store, settings.dataset_root, TrustCentreStore(), args.persons, seed=args.seed,
            secret=secret,
        )  # fmt: skip
    names = ", ".join(h.dataset for h in HOLDERS)
    print(f"demo holders {names}: {args.persons} patients each under {settings.dataset_root}")
    return 0
