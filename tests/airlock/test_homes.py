"""Finding a home volume (kimed_hub.airlock.homes): a runtime that does not answer is a
503 with a message people can act on, never a bare 500."""

from __future__ import annotations

import pytest

from kimed_hub.airlock.homes import RuntimeUnavailable, VolumeHomes


def test_a_runtime_that_does_not_answer_is_a_503(tmp_path):
    homes = VolumeHomes(f"unix://{tmp_path / 'no-runtime.sock'}", "{prefix}-home-{username}", "t")
    with pytest.raises(RuntimeUnavailable, match="did not answer.*Try again") as refused:
        homes.reader("alice")
    assert refused.value.http_status == 503
