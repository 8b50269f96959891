"""The snapshot never follows a link or opens a special file, and records hard links."""

from __future__ import annotations

import os
import threading

import pytest

from kimed_hub.airlock import UnsafeFile
from kimed_hub.errors import BadInput

from .conftest import ALICE, JUSTIFICATION


@pytest.fixture
def outside(tmp_path):
    """A host file outside the home that must never be released."""
    secret = tmp_path / "host-secret.csv"
    secret.write_text("patient,diagnosis\nMax Mustermann,C34.1\n")
    return secret


def test_symlink_to_a_host_file_is_refused(airlock, reader, home, outside):
    os.symlink(outside, home / "out" / "linked.csv")
    with pytest.raises(UnsafeFile, match="symbolic link"):
        airlock.create(ALICE, reader, ["out/linked.csv"], JUSTIFICATION)
    assert airlock.list_for("alice") == [] and list(airlock.storage.snapshots.iterdir()) == []


def test_symlinked_folder_in_the_path_is_refused(airlock, reader, home, outside):
    os.symlink(outside.parent, home / "hostdir")
    with pytest.raises(UnsafeFile, match="hostdir is a symbolic link"):
        airlock.create(ALICE, reader, [f"hostdir/{outside.name}"], JUSTIFICATION)
    assert airlock.list_for("alice") == []


def test_fifo_is_refused_without_hanging(airlock, reader, home):
    os.mkfifo(home / "out" / "pipe.csv")
    result = {}

    def attempt():
        try:
            airlock.create(ALICE, reader, ["out/pipe.csv"], JUSTIFICATION)
        except BadInput as error:
            result["error"] = error

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "opening a FIFO must not block"
    assert isinstance(result.get("error"), UnsafeFile)


def test_folder_is_refused(airlock, reader, home):
    (home / "tables.csv").mkdir()
    with pytest.raises(UnsafeFile, match="not a regular file"):
        airlock.create(ALICE, reader, ["tables.csv"], JUSTIFICATION)


def test_hard_link_inside_the_home_releases_the_users_own_content(airlock, reader, home):
    os.link(home / "out" / "table.csv", home / "out" / "copy.csv")
    created = airlock.create(ALICE, reader, ["out/copy.csv"], JUSTIFICATION)
    assert (
        created.files[0].sha256
        == airlock.create(ALICE, reader, ["out/table.csv"], JUSTIFICATION).files[0].sha256
    )
    entry = airlock.history(created.request_id)[0]
    assert entry.details["hard_linked"] == ["out/copy.csv"]  # checkers are told


def test_listing_shows_links_as_links(reader, home, outside):
    os.symlink(outside, home / "out" / "linked.csv")
    kinds = {e["name"]: e["kind"] for e in reader.listing("out")}
    assert kinds["linked.csv"] == "link" and kinds["table.csv"] == "file"
