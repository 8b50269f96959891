"""The read-only grants model: which datasets a user may have mounted right now.

This is all the hub's spawner knows about access requests. It reads the portal's tables
with plain SQLAlchemy Core SELECTs (the table definitions of :mod:`kimed_hub.database`);
it never creates tables, never writes, and imports neither the catalogue store nor the
RDF stack nor the web layer, so the hub needs only read rights on the portal database
and the ``workbench`` spawner loads on an install without the ``portal`` extra.

A database that cannot be read is an error (:class:`GrantsUnavailable`), never an empty
answer: a wrong URL must not look like "no grants", and a missing SQLite file must not
be created. A grant is ACTIVE and within its dates (a grant past its end date counts as
expired even before the portal records EXPIRED); synthetic versions (catalogue records
derived from a source) are open to everyone who may read the catalogue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..database import access_requests as requests
from ..database import dataset_documents, datasets, request_datasets, request_people
from ..database import datasets as datasets_table
from ..errors import BadInput

#: The state a grant is in while it gives data (workflow.State.ACTIVE, as stored).
ACTIVE = "ACTIVE"
#: Linked projects' pseudonymised tables, beside the datasets (a dot: no dataset's name).
LINKED = ".linked"


class GrantsUnavailable(RuntimeError):
    """The portal's database could not be read; the message says which and what to do."""


@dataclass(frozen=True)
class Grant:
    """A dataset a user may have mounted, read-only, under ``/data/<dataset>``."""

    dataset: str
    request_id: str
    valid_from: datetime
    valid_until: datetime

    @property
    def mount_path(self) -> str:
        """Where the workbench mounts it."""
        return data_mount_path(self.dataset)


def data_mount_path(dataset: str) -> str:
    """Where the workbench mounts a dataset, read-only (the identifier is a safe folder
    name): the same place for grants and for the open synthetic versions."""
    return f"/data/{dataset}"


def linked_folder(dataset_root: Path, project: str) -> Path:
    """Where the trust centre writes project ``project``'s pseudonymised tables (one
    folder per dataset), and where the spawner mounts them from."""
    return Path(dataset_root) / LINKED / project


def stamp(moment: datetime) -> str:
    """Timestamps are stored as fixed-format UTC strings, so they compare as text."""
    if moment.tzinfo is None:
        raise BadInput("times must carry a time zone (e.g. datetime.now(UTC))")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def active_grants_in(conn: Connection, username: str, at: datetime | None = None) -> list[Grant]:
    """The grants of ``username`` at ``at`` (now), one per dataset (the longest-running
    when several requests cover it), on an open connection."""
    moment = stamp(at or datetime.now(UTC))
    query = (
        select(
            requests.c.request_id,
            request_datasets.c.dataset_identifier,
            requests.c.valid_from,
            requests.c.valid_until,
        )
        .join(request_people, request_people.c.request_pk == requests.c.pk)
        .join(request_datasets, request_datasets.c.request_pk == requests.c.pk)
        .where(
            requests.c.state == ACTIVE,
            request_people.c.username == username,
            requests.c.valid_from <= moment,
            requests.c.valid_until > moment,
        )
    )
    best: dict[str, Grant] = {}
    for request_id, dataset, start, end in conn.execute(query):
        grant = Grant(
            dataset, request_id, datetime.fromisoformat(start), datetime.fromisoformat(end)
        )
        if dataset not in best or grant.valid_until > best[dataset].valid_until:
            best[dataset] = grant
    return [best[name] for name in sorted(best)]


def synthetic_versions_in(conn: Connection) -> list[str]:
    """Every synthetic version in the catalogue (open to all who may read it), sorted."""
    query = select(datasets.c.identifier).where(datasets.c.source_identifier.is_not(None))
    return list(conn.scalars(query.order_by(datasets.c.identifier)))


def reasons(grants: list[Grant], synthetic: list[str]) -> dict[str, str]:
    """Dataset → why it may be mounted: ``grant AR-…`` for a grant, else ``synthetic
    version`` (what the spawner records and the reconciliation compares)."""
    entitled = {grant.dataset: f"grant {grant.request_id}" for grant in grants}
    return entitled | {d: "synthetic version" for d in synthetic if d not in entitled}


def _read_only_url(url: str):
    """The URL to connect with: SQLite files opened read-only (``mode=ro``), so a wrong
    path fails instead of creating an empty database; other backends as given."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise GrantsUnavailable(f"the portal database URL is malformed: {exc}") from None
    if parsed.get_backend_name() != "sqlite":
        return parsed
    path = parsed.database or ""
    if not path or path == ":memory:" or not Path(path).is_file():
        raise GrantsUnavailable(
            f"the portal database {path or '(none)'} does not exist; check "
            "KIMED_PORTAL_DB_URL, or start the hub once so the portal service creates it"
        )
    return parsed.set(database=f"file:{path}", query={"mode": "ro", "uri": "true"})


class GrantsReader:
    """Read-only access to the grants in one portal database (an engine per reader)."""

    def __init__(self, url: str):
        if not url:
            raise GrantsUnavailable("no portal database URL given (WorkbenchSpawner.portal_db_url)")
        self.engine = create_engine(_read_only_url(url), pool_pre_ping=True)

    def _read(self, query, *args):
        """``query(conn, *args)`` on a fresh connection; any database error becomes
        :class:`GrantsUnavailable` naming the database (password masked)."""
        try:
            with self.engine.connect() as conn:
                return query(conn, *args)
        except SQLAlchemyError as exc:
            url = self.engine.url.render_as_string(hide_password=True)
            raise GrantsUnavailable(
                f"could not read the grants from the portal database {url}: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            ) from None

    def active_grants(self, username: str) -> list[Grant]:
        """``username``'s grants in force now, one per dataset."""
        return self._read(active_grants_in, username)

    def datasets_in_force(self) -> list[str]:
        """Every dataset someone holds an ACTIVE grant for now (for the Kubernetes
        render: one read-only volume each), sorted."""

        def query(conn: Connection) -> list[str]:
            people = conn.scalars(select(request_people.c.username).distinct()).all()
            return sorted({g.dataset for user in people for g in active_grants_in(conn, user)})

        return self._read(query)

    def synthetic_versions(self) -> list[str]:
        """Every synthetic version in the catalogue."""
        return self._read(synthetic_versions_in)

    def linked_requests(self, request_ids: set[str]) -> set[str]:
        """Which of these requests are mounted only as linked, pseudonymised tables."""
        return self._read(linked_requests_in, request_ids)

    def mounts_for(self, username: str, synthetic: bool, linked: bool = True) -> dict[str, str]:
        """Dataset → why ``username`` may have it: ``grant AR-…`` for their ACTIVE grants,
        plus ``synthetic version`` for every synthetic version when ``synthetic``. With
        ``linked`` False, grants of requests across holders are left out (for a caller
        that cannot mount the trust centre's linked tables: never the holders' own)."""
        grants = self.active_grants(username)
        if not linked:
            held_back = self.linked_requests({grant.request_id for grant in grants})
            grants = [grant for grant in grants if grant.request_id not in held_back]
        return reasons(grants, self.synthetic_versions() if synthetic else [])

    def close(self) -> None:
        """Close the engine's connections."""
        self.engine.dispose()


def holder_of(document: str) -> str:
    """The data holder (custodian) a stored catalogue record names; "" when none."""
    try:
        custodian = json.loads(document).get("custodian") or {}
    except (ValueError, AttributeError):
        return ""
    return str(custodian.get("name") or "").strip()


def holders_in(conn: Connection, datasets: list[str]) -> dict[str, str]:
    """Dataset -> its holder, from the catalogue's stored records (plain SELECT); a
    dataset without a record or without a custodian is its own, unknown holder."""
    query = (
        select(datasets_table.c.identifier, dataset_documents.c.document)
        .join(dataset_documents, dataset_documents.c.dataset_pk == datasets_table.c.pk)
        .where(datasets_table.c.identifier.in_(list(datasets)))
    )
    found = {identifier: holder_of(document) for identifier, document in conn.execute(query)}
    return {d: found.get(d) or f"(unknown holder of {d})" for d in datasets}


def needs_linkage(holders: dict[str, str]) -> bool:
    """Whether a request's datasets come from two or more holders: then its people get
    them only as the trust centre's pseudonymised, linked tables (docs/trust-centre.md),
    never the holders' own folders. The one rule the spawner and the trust centre share."""
    return len(set(holders.values())) >= 2


def request_datasets_in(conn: Connection, request_id: str) -> list[str]:
    """The datasets of one request, sorted."""
    query = (
        select(request_datasets.c.dataset_identifier)
        .join(requests, request_datasets.c.request_pk == requests.c.pk)
        .where(requests.c.request_id == request_id)
    )
    return sorted(conn.scalars(query))


def linked_requests_in(conn: Connection, request_ids: set[str]) -> set[str]:
    """Which of ``request_ids`` need linkage (datasets of two or more holders)."""
    linked = set()
    for request_id in sorted(request_ids):
        if needs_linkage(holders_in(conn, request_datasets_in(conn, request_id))):
            linked.add(request_id)
    return linked
