"""Unit tests of the image build logic that need no container runtime: input hashing,
the lock file, the apt-sources mirror search and the wheelhouse verification."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from kimed_hub.images import (
    ImageBuildError,
    _common,
    apt_sources,
    base,
    base_image_ref,
    singleuser,
    singleuser_image_ref,
    wheels,
)
from kimed_hub.images.base import load_base_recipe
from kimed_hub.images.wheels import LockedWheel, check_wheelhouse, parse_lock
from kimed_hub.paths import docker_dir

# --- hashing keys the builds -------------------------------------------------------------


@pytest.fixture
def recipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of docker/ that the tests may edit; returns its path."""
    home = tmp_path / "home"
    shutil.copytree(docker_dir(), home / "docker")
    monkeypatch.setenv("KIMED_HOME", str(home))
    monkeypatch.setenv("KIMED_STATE_DIR", str(tmp_path / "state"))
    return home / "docker"


def _refs() -> tuple[str, str]:
    return base_image_ref(), singleuser_image_ref()


def test_refs_have_the_documented_shape(recipes: Path) -> None:
    base, user = _refs()
    assert re.fullmatch(r"localhost/kimed-base:bookworm-[0-9a-f]{12}", base)
    assert re.fullmatch(r"localhost/kimed-singleuser:[0-9a-f]{12}", user)


def test_refs_are_stable_when_nothing_changes(recipes: Path) -> None:
    before = _refs()
    lock = recipes / "singleuser" / "requirements.lock"
    os.utime(lock, (1, 1))  # a new mtime alone is no change
    (recipes / "singleuser" / ".Containerfile.swp").write_text("editor junk")
    (recipes / "singleuser" / "__pycache__").mkdir()
    (recipes / "singleuser" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert _refs() == before


@pytest.mark.parametrize(
    "name", ["Containerfile", "requirements.lock", "jupyter_server_config.py", "requirements.in"]
)
def test_a_changed_single_user_input_changes_only_its_key(recipes: Path, name: str) -> None:
    base, user = _refs()
    with (recipes / "singleuser" / name).open("a") as handle:
        handle.write("\n# changed\n")
    assert _refs()[0] == base
    assert _refs()[1] != user


def test_a_new_file_in_the_single_user_recipe_changes_its_key(recipes: Path) -> None:
    user = singleuser_image_ref()
    (recipes / "singleuser" / "extra.sh").write_text("echo hi\n")
    assert singleuser_image_ref() != user


def test_a_changed_base_recipe_changes_both_keys(recipes: Path) -> None:
    base, user = _refs()
    recipe = recipes / "base" / "recipe.yaml"
    recipe.write_text(recipe.read_text().replace("  - passwd", "  - passwd\n  - less"))
    new_base, new_user = _refs()
    assert new_base != base and new_user != user
    assert "less" in load_base_recipe().include


def test_inputs_hash_separates_names_from_contents(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("xy")
    (tmp_path / "b").write_text("xy")
    one = _common.inputs_hash({"a": tmp_path / "a"})
    assert one != _common.inputs_hash({"b": tmp_path / "b"})
    assert one != _common.inputs_hash({"a": tmp_path / "a"}, ["extra"])
    assert one == _common.inputs_hash({"a": tmp_path / "a"})


def test_missing_debootstrap_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base.shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(ImageBuildError, match="apt-get install debootstrap"):
        base._debootstrap_path()


def test_prune_patterns_may_not_leave_the_rootfs(recipes: Path) -> None:
    recipe = recipes / "base" / "recipe.yaml"
    recipe.write_text(recipe.read_text().replace("  - var/cache/apt/*.bin", "  - ../../etc/*"))
    with pytest.raises(ImageBuildError, match="inside the root filesystem"):
        load_base_recipe()


# --- the lock ------------------------------------------------------------------------------


def test_the_committed_lock_pins_and_hashes_every_wheel() -> None:
    locked = parse_lock(wheels.lock_path().read_text())
    assert len(locked) > 50
    for wheel in locked:
        assert wheel.version and wheel.hashes
        assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in wheel.hashes)
    assert len({w.name for w in locked}) == len(locked)


def test_the_lock_matches_requirements_in() -> None:
    """Every pin in requirements.in appears in the lock at the same version: a lock that
    was not regenerated after an edit fails here."""
    locked = {w.name: w.version for w in parse_lock(wheels.lock_path().read_text())}
    source = (wheels.singleuser_dir() / "requirements.in").read_text()
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s#]+)", source, re.MULTILINE)
    assert pins
    for name, version in pins:
        assert locked.get(wheels.canonical_name(name)) == version, name
    assert locked["jupyterlab"] == "4.6.6" and locked["jupyterhub"] == "6.1.1"


def test_lock_round_trips_through_format_and_parse() -> None:
    entries = [LockedWheel("b-pkg", "2.0", ("b" * 64,)), LockedWheel("a", "1.0", ("a" * 64,))]
    text = wheels.format_lock(entries, load_base_recipe())
    assert text.startswith("# The single-user image's Python packages")
    assert parse_lock(text) == sorted(entries, key=lambda w: w.name)


@pytest.mark.parametrize(
    "entry",
    ["jupyterlab==4.6.6\n", "jupyterlab>=4 --hash=sha256:" + "a" * 64, "x==1 --no-deps"],
)
def test_lock_entries_without_pin_or_hash_are_rejected(entry: str) -> None:
    with pytest.raises(ImageBuildError, match="kimed image lock"):
        parse_lock(entry)


def test_wheel_file_names_give_canonical_name_and_version() -> None:
    assert wheels.wheel_name_version("Jupyter_Server-2.21.1-py3-none-any.whl") == (
        "jupyter-server",
        "2.21.1",
    )
    assert wheels.wheel_name_version("pkg-1.0-1build-cp311-cp311-linux_x86_64.whl") == (
        "pkg",
        "1.0",
    )
    with pytest.raises(ImageBuildError):
        wheels.wheel_name_version("pkg-1.0.tar.gz")


def test_platform_tags_cover_the_glibc_range_with_legacy_aliases() -> None:
    tags = wheels.manylinux_platforms("2.36", "x86_64")
    assert tags[0] == "manylinux_2_36_x86_64" and tags[-1] == "manylinux1_x86_64"
    assert tags.index("manylinux2014_x86_64") == tags.index("manylinux_2_17_x86_64") + 1
    assert "manylinux_2_37_x86_64" not in tags and "manylinux2010_x86_64" in tags


# --- the Debian mirror from apt sources ----------------------------------------------------

ONE_LINE = """\
# security first, so that picking the first line blindly would be wrong
deb http://security.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://packages.example.com/apt bookworm main
deb [ arch=amd64 ] http://ftp.de.debian.org/debian/ bookworm main contrib  # the one
deb http://deb.debian.org/debian bookworm main
"""

DEB822 = """\
Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye
Components: main

Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main

# a comment between stanzas
Types: deb deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: https://mirror.example.org/debian
 http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


@pytest.fixture
def no_mirror_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(apt_sources.MIRROR_ENV, raising=False)


def test_mirror_from_one_line_sources(tmp_path: Path, no_mirror_override: None) -> None:
    path = tmp_path / "sources.list"
    path.write_text(ONE_LINE)
    assert apt_sources.debian_mirror("bookworm", [path]) == "http://ftp.de.debian.org/debian/"


def test_mirror_from_deb822_sources(tmp_path: Path, no_mirror_override: None) -> None:
    path = tmp_path / "debian.sources"
    path.write_text(DEB822)
    assert apt_sources.debian_mirror("bookworm", [path]) == "https://mirror.example.org/debian"
    assert apt_sources.debian_mirror("bullseye", [path]) == "http://deb.debian.org/debian"


def test_mirror_search_follows_apt_file_order(tmp_path: Path, no_mirror_override: None) -> None:
    (tmp_path / "sources.list").write_text("")  # empty, as on deb822-only hosts
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "b.sources").write_text(DEB822)
    (tmp_path / "sources.list.d" / "a.list").write_text(ONE_LINE)
    disabled = tmp_path / "sources.list.d" / "c.list.disabled"
    disabled.write_text("deb http://x/debian bookworm main")
    files = apt_sources.apt_source_files(tmp_path)
    assert [f.name for f in files] == ["sources.list", "a.list", "b.sources"]
    assert apt_sources.debian_mirror("bookworm", files) == "http://ftp.de.debian.org/debian/"


def test_no_mirror_names_the_files_read(tmp_path: Path, no_mirror_override: None) -> None:
    present = tmp_path / "other.list"
    present.write_text("deb https://packages.example.com/apt bookworm main\n")
    with pytest.raises(ImageBuildError) as error:
        apt_sources.debian_mirror("bookworm", [tmp_path / "sources.list", present])
    assert f"{tmp_path / 'sources.list'} (missing)" in str(error.value)
    assert str(present) in str(error.value) and "KIMED_DEBIAN_MIRROR" in str(error.value)


def test_mirror_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(apt_sources.MIRROR_ENV, "http://mirror.site.example/debian")
    assert apt_sources.debian_mirror("bookworm", []) == "http://mirror.site.example/debian"


# --- the wheelhouse ------------------------------------------------------------------------


@pytest.fixture
def wheelhouse(tmp_path: Path) -> tuple[Path, list[LockedWheel]]:
    """A folder with two fake wheels and the lock entries that match them."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    entries = []
    for name, content in (("alpha", b"alpha wheel"), ("beta_pkg", b"beta wheel")):
        (folder / f"{name}-1.0-py3-none-any.whl").write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
        entries.append(LockedWheel(wheels.canonical_name(name), "1.0", (digest,)))
    return folder, entries


def test_a_complete_wheelhouse_verifies(wheelhouse: tuple[Path, list[LockedWheel]]) -> None:
    check = check_wheelhouse(*wheelhouse)
    assert check.missing == [] and check.stray == []


def test_a_corrupted_wheel_is_detected(wheelhouse: tuple[Path, list[LockedWheel]]) -> None:
    folder, entries = wheelhouse
    corrupt = folder / "alpha-1.0-py3-none-any.whl"
    corrupt.write_bytes(b"alpha wheel, truncated")
    check = check_wheelhouse(folder, entries)
    assert check.missing == [entries[0]] and check.stray == [corrupt]


def test_stale_and_renamed_files_are_stray(wheelhouse: tuple[Path, list[LockedWheel]]) -> None:
    folder, entries = wheelhouse
    (folder / "alpha-0.9-py3-none-any.whl").write_bytes(b"old alpha")
    (folder / "beta_pkg-1.0-py3-none-any.whl").rename(folder / "beta_pkg-2.0-py3-none-any.whl")
    check = check_wheelhouse(folder, entries)
    assert check.missing == [entries[1]]
    assert sorted(p.name for p in check.stray) == [
        "alpha-0.9-py3-none-any.whl",
        "beta_pkg-2.0-py3-none-any.whl",
    ]


def _use_lock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, entries: list[LockedWheel]) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(wheels.format_lock(entries, load_base_recipe()))
    monkeypatch.setattr(wheels, "lock_path", lambda: lock)


def test_ensure_wheelhouse_skips_pip_when_complete(
    wheelhouse: tuple[Path, list[LockedWheel]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, entries = wheelhouse
    _use_lock(monkeypatch, tmp_path, entries)
    monkeypatch.setattr(wheels, "wheelhouse_dir", lambda: folder)

    def no_pip(*args: object) -> None:
        raise AssertionError("pip must not run for a complete wheelhouse")

    monkeypatch.setattr(wheels, "_pip_download", no_pip)
    assert wheels.ensure_wheelhouse(progress=False) == folder


def test_ensure_wheelhouse_replaces_a_corrupted_wheel(
    wheelhouse: tuple[Path, list[LockedWheel]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The corrupt file is deleted and pip asked for the lock again (here a stand-in that
    writes the right bytes, as pip would after checking the hash)."""
    folder, entries = wheelhouse
    _use_lock(monkeypatch, tmp_path, entries)
    monkeypatch.setattr(wheels, "wheelhouse_dir", lambda: folder)
    target = folder / "alpha-1.0-py3-none-any.whl"
    target.write_bytes(b"corrupt")
    calls = []

    def fake_pip(args: list[str], log_name: str) -> None:
        calls.append(args)
        assert not target.exists(), "the corrupt file must be gone before pip runs"
        target.write_bytes(b"alpha wheel")

    monkeypatch.setattr(wheels, "_pip_download", fake_pip)
    wheels.ensure_wheelhouse(progress=False)
    assert len(calls) == 1 and "--require-hashes" in calls[0] and "--no-deps" in calls[0]
    assert check_wheelhouse(folder, entries).missing == []


# --- build command and progress lines ------------------------------------------------------


def test_build_command_is_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(singleuser, "container_cli", lambda: "podman")
    argv = singleuser._build_argv("r:tag", "b:tag", "f" * 64, tmp_path, no_cache=False)
    assert "--network=none" in argv and "--pull=never" in argv and "--no-cache" not in argv
    assert argv[argv.index("--build-arg") + 1] == "BASE_IMAGE=b:tag"
    assert f"org.kimed.inputs-hash={'f' * 64}" in argv and argv[-1] == str(tmp_path)


def test_step_prints_outcome_and_time(capsys: pytest.CaptureFixture[str]) -> None:
    with _common.step("thing", progress=True) as line:
        line.outcome = "reused"
    with pytest.raises(ValueError), _common.step("broken", progress=True):
        raise ValueError
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\[kimed image\] thing: reused \(\d+\.\d s\)", out[0])
    assert "broken: FAILED" in out[1]


def test_failed_command_shows_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    script = "for i in $(seq 1 100); do echo line$i; done; exit 3"
    with pytest.raises(ImageBuildError) as error:
        _common.run_logged(["sh", "-c", script], log, "the step")
    message = str(error.value)
    assert "exit status 3" in message and str(log) in message
    assert "line100" in message and "line61" in message and "line60\n" not in message
