"""Pruning of consent views: what no container mounts and no spawn reuses goes; a view
mounted now, one just made, and today's newest view of each grant always stay.

Real folders made by ``consent_mount`` (read-only, as the spawner leaves them); the set
of mounted paths is given here. The spawner's integration test
(tests/integration/test_mii_consent.py) checks it against the runtime's real mounts."""

from __future__ import annotations

import os
import time
from datetime import date

from kimed_hub.interop.consent_mount import consent_mount, prune_views, stale_views

TODAY = date(2025, 6, 30)


def _view(imported, views, start, day):
    path, _ = consent_mount("mii-demo", imported.folder, start, views, today=day)
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def test_only_unmounted_views_that_no_spawn_reuses_are_removed(imported, tmp_path):
    views = tmp_path / ".consent-views"
    grant_a, grant_b = date(2024, 1, 1), date(2025, 2, 1)
    old_a = _view(imported, views, grant_a, date(2025, 6, 28))
    mounted_a = _view(imported, views, grant_a, date(2025, 6, 29))
    today_a = _view(imported, views, grant_a, TODAY)
    old_b = _view(imported, views, grant_b, date(2025, 6, 1))  # an ended grant's last view
    # Made just now: a spawn may not have created its container yet.
    fresh, _ = consent_mount("mii-demo", imported.folder, grant_b, views, today=TODAY)
    mounted = {str(mounted_a), "/var/lib/containers/storage/volumes/x/_data"}
    stale = stale_views(views, mounted, today=TODAY)
    assert sorted(stale) == sorted([old_a, old_b])
    assert prune_views(views, mounted, today=TODAY) == stale
    left = sorted(p.name for p in (views / "mii-demo").iterdir())
    assert left == sorted(p.name for p in (mounted_a, today_a, fresh))
    assert (mounted_a / "patient.parquet").is_file()  # untouched, still read-only
    # Tomorrow, once its container is gone, the mounted view goes too; today's stays
    # only while it is the newest of its grant and from the current day.
    later = prune_views(views, set(), today=date(2025, 7, 1), now=time.time() + 3600)
    assert sorted(later) == sorted([mounted_a, today_a, fresh])
    assert not any(p for p in (views / "mii-demo").iterdir())


def test_nothing_to_prune_without_views(tmp_path):
    assert prune_views(tmp_path / "missing", set()) == []
