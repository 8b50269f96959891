"""The image-change notice and the operator's list, without a hub (server_images.py).

The real hub, container and restart are in tests/integration/test_image_change.py; these
check the decisions: when a server counts as changed, what the banner says (escaped), and
which image a hub started now would use.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from tornado import web

from kimed_hub.server_images import (
    ImageCurrency,
    OutdatedServer,
    current_images,
    image_notice,
    outdated_report,
)

A, B = "localhost/kimed-singleuser:aaaaaaaaaaaa", "localhost/kimed-singleuser:bbbbbbbbbbbb"


class Base:
    def clear_state(self):
        pass


class Spawner(ImageCurrency, Base):
    """The mixin over the two spawner methods it calls (the profile choice, its image)."""

    def __init__(self, running, upcoming, active=True, refuse=None):
        self.running_image, self._upcoming, self.active, self._refuse = (
            running,
            upcoming,
            active,
            refuse,
        )
        self.user_options, self.log = {}, logging.getLogger("test")
        self.user = SimpleNamespace(name="researcher")

    def choose_profile(self, options):
        if self._refuse:
            raise self._refuse
        return "cpu-standard"

    def _image_for(self, profile):
        return self._upcoming


def test_a_server_counts_as_changed_only_when_running_and_different():
    assert Spawner(A, B).image_change() == (A, B)
    assert Spawner(A, A).image_change() is None
    assert Spawner(A, B, active=False).image_change() is None
    assert Spawner(None, B).image_change() is None  # not known: say nothing
    # a profile the user may no longer use: the start says why, the banner stays silent
    assert Spawner(A, B, refuse=web.HTTPError(403)).image_change() is None


def test_clear_state_forgets_the_image():
    spawner = Spawner(A, B)
    spawner.clear_state()
    assert spawner.running_image is None


def test_the_banner_names_each_changed_server_escaped():
    user = SimpleNamespace(
        spawners={"": Spawner(A, B), "gpu": Spawner("<x>:1", B), "x": Spawner(B, B)}
    )
    notice = image_notice(user)
    assert f"Your server runs the software image <code>{A}</code>" in notice
    assert f"restarting it gives you <code>{B}</code>" in notice
    assert "Your server 'gpu' runs the software image <code>&lt;x&gt;:1</code>" in notice
    assert "'x'" not in notice
    assert image_notice(None) is None
    assert image_notice(SimpleNamespace(spawners={"": Spawner(A, A)})) is None


def test_the_site_file_decides_over_the_build_as_in_the_hub():
    built = {"cpu": A, "gpu": "localhost/kimed-singleuser-gpu:cccccccccccc"}
    assert current_images({}, built) == built
    site = {"WorkbenchSpawner": {"image": B, "image_variants": {"gpu": "g:dddddddddddd"}}}
    assert current_images(site, built) == {"cpu": B, "gpu": "g:dddddddddddd"}


def test_the_report_says_what_to_do():
    assert "All 3 running server(s)" in outdated_report([], 3)
    servers = [
        OutdatedServer("ana", "", "kimed-ana", A, B, upcoming_built=False),
        OutdatedServer("bo", "gpu", "kimed-bo--gpu", "other:1", None, upcoming_built=False),
    ]
    text = outdated_report(servers, 5)
    assert "not built yet: kimed image build" in text
    assert "not an image the policy names" in text
    assert "2 of 5 running server(s)" in text
