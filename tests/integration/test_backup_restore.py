"""Backup, wipe, restore: the workbench comes back with its accounts, requests and grants.

A hub with a dataset folder; the researcher's request goes the whole way to ACTIVE
through the portal API (steward, committee). ``kimed backup`` runs while the hub serves;
the hub is stopped and its state folder deleted; ``kimed restore`` writes the archive into
a fresh, empty state folder and the hub starts there. Then the audit chain verifies
(``kimed portal verify-audit``), the researcher logs in with the old password, the request
is still ACTIVE and the dataset is mounted in their new server. Dataset folders and home
volumes are not part of a backup (docs/operators.md); the test keeps the dataset folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics
from tests.integration.portal_helpers import DEMO_DATASET, data_probe, grant, ok, portal

pytestmark = pytest.mark.integration


def kimed(hub: HubProcess, *args: str) -> subprocess.CompletedProcess:
    """The ``kimed`` CLI with the hub's own settings (its state folder and portal)."""
    return subprocess.run(
        [sys.executable, "-m", "kimed_hub.cli", *args],
        env=hub.environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / DEMO_DATASET).mkdir()
    (data / DEMO_DATASET / "README.txt").write_text("fictional")
    return data


def test_backup_wipe_restore_keeps_audit_accounts_and_grants(singleuser_image, tmp_path, datasets):
    env, prefix = {"KIMED_DATA_DIR": str(datasets)}, new_prefix()
    first = HubProcess(tmp_path / "state-before", prefix, extra_env=env).start()
    try:
        people = {r: first.login(r) for r in ("researcher", "steward", "committee")}
        request_id = grant(people["researcher"], people["steward"], people["committee"])
        archive = tmp_path / "backups" / "kimed.tar.gz"
        made = kimed(first, "backup", str(archive))
        assert made.returncode == 0, made.stderr
    except BaseException:
        dump_diagnostics(first)
        raise
    finally:
        first.stop()
    shutil.rmtree(first.data_dir)  # the wipe

    with HubProcess(tmp_path / "state-after", prefix, extra_env=env) as second:
        restored = kimed(second, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        audit = kimed(second, "portal", "verify-audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        again = kimed(second, "restore", str(archive))  # never over live or existing state
        assert again.returncode == 2 and "already has a hub database" in again.stderr
        second.start()
        try:
            researcher = second.login("researcher")  # the password from before the wipe
            assert ok(portal(researcher, "GET", f"requests/{request_id}"))["state"] == "ACTIVE"
            researcher.spawn()
            seen = json.loads(researcher.run_code(data_probe(DEMO_DATASET)))
            assert seen["listing"] == [DEMO_DATASET] and seen["content"] == "fictional"
        except BaseException:
            dump_diagnostics(second)
            raise
