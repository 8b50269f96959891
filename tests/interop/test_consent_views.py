"""Pruning of consent views: what no container mounts and no spawn reuses goes; a view
mounted now, one just made, and the view today's spawns of a grant reuse always stay.

Real views made by ``consent_mount`` (read-only, as the spawner leaves them); the set of
mounted paths is given here. tests/integration/test_mii_consent.py runs the spawner's
pruning against the runtime's real mounts."""

from __future__ import annotations

import os
import shutil
import time
from datetime import date

from kimed_hub.interop.consent_mount import VIEWS, consent_mount
from kimed_hub.interop.consent_prune import prune_views, stale_views

TODAY = date(2025, 6, 30)


def _view(folder, views, start, day, old=True):
    path, _ = consent_mount("mii-demo", folder, start, views, today=day)
    if old:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    return path


def test_only_unmounted_views_that_no_spawn_reuses_are_removed(imported, tmp_path):
    (tmp_path / "mii-demo").symlink_to(imported.folder)  # policies/mii-consent.yaml names it
    folder, views = tmp_path / "mii-demo", tmp_path / VIEWS
    grant_a, grant_b = date(2024, 1, 1), date(2025, 2, 1)
    old_a = _view(folder, views, grant_a, date(2025, 6, 28))
    mounted_a = _view(folder, views, grant_a, date(2025, 6, 29))
    today_a = _view(folder, views, grant_a, TODAY)
    ended_b = _view(folder, views, grant_b, date(2025, 6, 1))  # an ended grant's last view
    fresh = _view(folder, views, grant_b, date(2025, 6, 2), old=False)  # a spawn in flight
    earlier_import = today_a.with_name(today_a.name[:-12] + "0" * 12)  # same day, old data
    shutil.copytree(today_a, earlier_import)
    os.utime(earlier_import, (time.time() - 3600, time.time() - 3600))
    mounted = {str(mounted_a), "/var/lib/containers/storage/volumes/x/_data"}

    stale = stale_views(views, mounted, today=TODAY)
    assert sorted(stale) == sorted([old_a, ended_b, earlier_import])
    assert prune_views(views, mounted, today=TODAY) == stale
    left = {p.name for p in (views / "mii-demo").iterdir()}
    assert left == {mounted_a.name, today_a.name, fresh.name}
    assert (mounted_a / "patient.parquet").is_file()  # untouched, still read-only

    # The next day, with no container left, none of them is reused: all go.
    later = prune_views(views, set(), today=date(2025, 7, 1), now=time.time() + 3600)
    assert sorted(later) == sorted([fresh, mounted_a, today_a])
    assert not list((views / "mii-demo").iterdir())


def test_views_of_a_dataset_no_longer_covered_go_and_missing_roots_are_fine(imported, tmp_path):
    (tmp_path / "mii-demo").symlink_to(imported.folder)
    view = _view(tmp_path / "mii-demo", tmp_path / VIEWS, date(2024, 1, 1), date.today())
    assert stale_views(tmp_path / VIEWS, set()) == []  # today's view of the current import
    (tmp_path / "mii-demo").unlink()  # the dataset left this host: no spawn mounts it
    assert prune_views(tmp_path / VIEWS, set()) == [view]
    assert prune_views(tmp_path / "missing", set()) == []
