"""Unit tests of the image build logic that need no container runtime: input hashing,
the locks of every environment (server, kernels, package index, GPU variant), the
apt-sources mirror search, the wheelhouse verification and the SBOM generator."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from kimed_hub import images
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
from kimed_hub.images import base as base_module
from kimed_hub.images.base import load_base_recipe
from kimed_hub.images.environments import PythonEnv, kernels_dir
from kimed_hub.images.wheels import LockedWheel, check_wheelhouse, parse_lock
from kimed_hub.paths import docker_dir, policies_dir

# --- hashing keys the builds -------------------------------------------------------------


@pytest.fixture
def recipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of docker/, kernels/ and policies/ (the image ships the exits policy)
    that the tests may edit; returns docker/."""
    home = tmp_path / "home"
    shutil.copytree(docker_dir(), home / "docker")
    shutil.copytree(kernels_dir(), home / "kernels")
    shutil.copytree(policies_dir(), home / "policies")
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


def _env_with_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: list[LockedWheel], wheels_from: Path
) -> PythonEnv:
    """An environment whose lock holds ``entries`` and whose wheelhouse (under a private
    state folder) starts as a copy of ``wheels_from``."""
    monkeypatch.setenv("KIMED_STATE_DIR", str(tmp_path / "state"))
    env = PythonEnv("testenv", tmp_path / "recipe")
    env.folder.mkdir()
    env.lock_path.write_text(wheels.format_lock(entries, load_base_recipe()))
    shutil.copytree(wheels_from, env.wheelhouse)
    return env


def test_ensure_wheelhouse_skips_pip_when_complete(
    wheelhouse: tuple[Path, list[LockedWheel]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, entries = wheelhouse
    env = _env_with_lock(tmp_path, monkeypatch, entries, folder)

    def no_pip(*args: object) -> None:
        raise AssertionError("pip must not run for a complete wheelhouse")

    monkeypatch.setattr(wheels, "_pip_download", no_pip)
    assert wheels.ensure_wheelhouse(progress=False, env=env) == env.wheelhouse


def test_ensure_wheelhouse_replaces_a_corrupted_wheel(
    wheelhouse: tuple[Path, list[LockedWheel]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The corrupt file is deleted and pip asked for the lock again (here a stand-in that
    writes the right bytes, as pip would after checking the hash)."""
    folder, entries = wheelhouse
    env = _env_with_lock(tmp_path, monkeypatch, entries, folder)
    target = env.wheelhouse / "alpha-1.0-py3-none-any.whl"
    target.write_bytes(b"corrupt")
    calls = []

    def fake_pip(args: list[str], log_name: str) -> None:
        calls.append(args)
        assert not target.exists(), "the corrupt file must be gone before pip runs"
        target.write_bytes(b"alpha wheel")

    monkeypatch.setattr(wheels, "_pip_download", fake_pip)
    wheels.ensure_wheelhouse(progress=False, env=env)
    assert len(calls) == 1 and "--require-hashes" in calls[0] and "--no-deps" in calls[0]
    assert str(env.lock_path) in calls[0]
    assert check_wheelhouse(env.wheelhouse, entries).missing == []


def test_wheels_another_environment_holds_are_linked_not_downloaded(
    wheelhouse: tuple[Path, list[LockedWheel]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, entries = wheelhouse
    env = _env_with_lock(tmp_path, monkeypatch, entries, folder)
    shutil.move(env.wheelhouse, env.wheelhouse.parent / "sibling")
    (env.wheelhouse.parent / "sibling" / "alpha-1.0-py3-none-any.whl").write_bytes(b"other")
    downloads = []
    monkeypatch.setattr(wheels, "_pip_download", lambda args, log: downloads.append(args))
    with pytest.raises(ImageBuildError, match="alpha==1.0"):
        wheels.ensure_wheelhouse(progress=False, env=env)  # alpha's bytes were wrong there
    assert len(downloads) == 1
    assert [p.name for p in env.wheelhouse.iterdir()] == ["beta_pkg-1.0-py3-none-any.whl"]


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


# --- kernels, variants, the package index's lock ---------------------------------------------


def test_every_locked_environment_pins_and_hashes_every_wheel() -> None:
    for env in images.all_envs():
        locked = parse_lock(env.lock_path.read_text(), str(env.lock_path))
        assert locked, env.key
        assert len({w.name for w in locked}) == len(locked), env.key
        source = env.in_path.read_text()
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)===?([^\s#]+)", source, re.M):
            assert {w.name: w.version for w in locked}.get(wheels.canonical_name(name)) == (
                version
            ), f"{env.lock_path}: {name} (run `kimed image lock`)"


def test_the_curated_kernels_are_the_documented_ones() -> None:
    assert images.kernel_names() == ["python-base", "python-imaging", "python-text", "r"]
    assert [e.name for e in images.python_kernel_envs()] == [
        "python-base",
        "python-imaging",
        "python-text",
    ]
    assert images.DEFAULT_KERNEL == "python-base"
    config = (docker_dir() / "singleuser" / "jupyter_server_config.py").read_text()
    assert 'default_kernel_name = "python-base"' in config


@pytest.mark.parametrize("name", ["python-base", "python-imaging", "python-text"])
def test_python_kernel_specs_run_their_own_venv(name: str) -> None:
    spec = json.loads((kernels_dir() / name / "kernel.json").read_text())
    assert spec["argv"][0] == f"/opt/kernels/{name}/bin/python"
    assert spec["argv"][1:] == ["-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert spec["language"] == "python"
    locked = {w.name for w in parse_lock((kernels_dir() / name / "requirements.lock").read_text())}
    assert {"ipykernel", "ipywidgets"} <= locked


def test_key_packages_of_each_kernel_are_locked() -> None:
    def names(kernel: str, lock: str = "requirements.lock") -> set[str]:
        return {w.name for w in parse_lock((kernels_dir() / kernel / lock).read_text())}

    assert {
        "pandas",
        "numpy",
        "scipy",
        "statsmodels",
        "scikit-learn",
        "matplotlib",
        "seaborn",
        "acro",
    } <= names("python-base")
    assert {"torch", "monai", "nibabel", "simpleitk"} <= names("python-imaging")
    assert {"presidio-analyzer", "presidio-anonymizer", "spacy"} <= names("python-text")
    assert "r-cran-irkernel" in (kernels_dir() / "r" / "debian-packages.txt").read_text()


def test_cpu_image_has_cpu_torch_and_gpu_image_cuda_torch() -> None:
    cpu = {
        w.name: w.version
        for w in parse_lock((kernels_dir() / "python-imaging" / "requirements.lock").read_text())
    }
    gpu = {
        w.name: w.version
        for w in parse_lock(
            (kernels_dir() / "python-imaging" / "requirements-gpu.lock").read_text()
        )
    }
    assert cpu["torch"].endswith("+cpu") and not any(n.startswith("nvidia-") for n in cpu)
    assert gpu["torch"] == cpu["torch"].removesuffix("+cpu")
    assert any(n.startswith("nvidia-") for n in gpu)


def test_containerfile_builds_every_python_kernel_in_its_own_stage() -> None:
    text = (docker_dir() / "singleuser" / "Containerfile").read_text()
    for env in images.python_kernel_envs():
        assert f"AS kernel-{env.name}\n" in text
        assert f"source=wheels/{env.name},target=/wheels" in text
        assert f"COPY --from=kernel-{env.name} {env.install_path} {env.install_path}" in text
    assert "source=wheels/singleuser,target=/wheels" in text


def test_the_gpu_switch_swaps_only_the_imaging_lock(recipes: Path) -> None:
    cpu, gpu = singleuser_image_ref("cpu"), singleuser_image_ref("gpu")
    assert re.fullmatch(r"localhost/kimed-singleuser-gpu:[0-9a-f]{12}", gpu)
    files = singleuser.context_files("gpu")
    assert files["kernels/python-imaging/requirements.lock"].name == "requirements-gpu.lock"
    assert files["kernels/python-base/requirements.lock"].name == "requirements.lock"
    assert "kernels/python-imaging/requirements-gpu.lock" not in files
    gpu_lock = recipes.parent / "kernels" / "python-imaging" / "requirements-gpu.lock"
    gpu_lock.write_text(gpu_lock.read_text() + "\n# changed\n")
    assert singleuser_image_ref("cpu") == cpu and singleuser_image_ref("gpu") != gpu
    with pytest.raises(ValueError, match="variant"):
        singleuser_image_ref("tpu")


def test_kernel_changes_rebuild_the_image_and_debian_lists_the_base(recipes: Path) -> None:
    base, user = _refs()
    spec = recipes.parent / "kernels" / "python-text" / "kernel.json"
    spec.write_text(spec.read_text().replace("text:", "text -"))
    assert _refs()[0] == base and _refs()[1] != user
    debs = recipes.parent / "kernels" / "r" / "debian-packages.txt"
    debs.write_text(debs.read_text() + "r-cran-data.table\n")
    assert _refs()[0] != base
    assert "r-cran-data.table" in base_module.kernel_debian_packages()


def test_package_index_lock_is_resolved_against_the_default_kernel() -> None:
    env = images.package_index_env()
    assert env.constraints_from == images.DEFAULT_KERNEL
    base = {
        w.name: w.version
        for w in parse_lock((kernels_dir() / "python-base" / "requirements.lock").read_text())
    }
    for wheel in parse_lock(env.lock_path.read_text()):
        if wheel.name in base:
            assert wheel.version == base[wheel.name], wheel.name


# --- SBOM --------------------------------------------------------------------------------------


def _sbom_module():
    spec = importlib.util.spec_from_file_location(
        "kimed_sbom", docker_dir() / "singleuser" / "sbom.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sbom_lists_debian_packages_and_every_environment(tmp_path: Path) -> None:
    """The generator on a made-up root: dpkg status, a server venv and a kernel venv."""
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(
        "Package: r-base-core\nStatus: install ok installed\nArchitecture: amd64\n"
        "Version: 4.2.2.20221110-2\nDescription: GNU R\n continued line\n\n"
        "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n"
    )
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text('VERSION_ID="12"\n')
    for prefix, lock in (
        ("opt/venv", "opt/kimed/requirements.lock"),
        ("opt/kernels/python-base", "opt/kimed/kernels/python-base/requirements.lock"),
    ):
        site = tmp_path / prefix / "lib/python3.11/site-packages"
        (site / "Numpy-2.3.5.dist-info").mkdir(parents=True)
        (site / "Numpy-2.3.5.dist-info/METADATA").write_text(
            "Metadata-Version: 2.1\nName: Numpy\nVersion: 2.3.5\nLicense-Expression: BSD-3-Clause\n"
        )
        (tmp_path / prefix / "pyvenv.cfg").write_text("home = /usr/bin\n")
        (tmp_path / lock).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / lock).write_text("numpy==2.3.5 \\\n    --hash=sha256:" + "ab" * 32 + "\n")
    pip_info = tmp_path / "opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info"
    pip_info.mkdir()
    (pip_info / "METADATA").write_text("Metadata-Version: 2.1\nName: pip\nVersion: 23.0.1\n")
    (tmp_path / "usr/share/python-wheels").mkdir(parents=True)  # ensurepip's, from Debian
    (tmp_path / "usr/share/python-wheels/pip-23.0.1-py3-none-any.whl").write_bytes(b"pip")
    document = _sbom_module().sbom(tmp_path, "cpu")
    assert document["bomFormat"] == "CycloneDX" and document["specVersion"] == "1.5"
    assert document["serialNumber"].startswith("urn:uuid:")
    components = {c["bom-ref"]: c for c in document["components"]}
    assert len(components) == len(document["components"]) == 4  # bom-refs are unique
    pip = components["singleuser:pypi:pip@23.0.1"]
    assert pip["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(b"pip").hexdigest()}]
    deb = components["deb:r-base-core@4.2.2.20221110-2"]
    assert deb["purl"] == "pkg:deb/debian/r-base-core@4.2.2.20221110-2?arch=amd64&distro=debian-12"
    numpy = components["python-base:pypi:numpy@2.3.5"]
    assert numpy["purl"] == "pkg:pypi/numpy@2.3.5"
    assert numpy["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert numpy["licenses"] == [{"expression": "BSD-3-Clause"}]
    assert {"name": "kimed:environment", "value": "/opt/kernels/python-base"} in numpy["properties"]
    assert "singleuser:pypi:numpy@2.3.5" in components


def test_sbom_files_are_named_by_the_image_tag(recipes: Path) -> None:
    path = images.sbom_path("localhost/kimed-singleuser-gpu:0123456789ab")
    assert path.name == "kimed-singleuser-gpu-0123456789ab.cdx.json"
    assert path.parent == images.sbom_dir()


def test_the_hub_image_pins_what_the_project_needs_at_the_same_versions() -> None:
    """docker/hub/requirements.in lists the project's runtime dependencies again (the
    image installs from a lock, not from pyproject.toml): every exact pin of the core
    dependencies and of the extras the hub pod runs (portal, interop, and KubeSpawner of
    k8s) must be there at the same version, so an upgrade in one place cannot be forgotten
    in the other."""
    import tomllib

    project = tomllib.loads((docker_dir().parent / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    needed = [*project["dependencies"], *extras["portal"], *extras["interop"]]
    needed += [r for r in extras["k8s"] if r.startswith("jupyterhub-kubespawner")]
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9._\[\]-]+)==([^\s#]+)",
            (docker_dir() / "hub" / "requirements.in").read_text(),
            re.M,
        )
    )
    pins = {wheels.canonical_name(name.split("[")[0]): version for name, version in pins.items()}
    missing = []
    for requirement in needed:
        match = re.match(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;]+)$", requirement)
        if match and pins.get(wheels.canonical_name(match[1])) != match[3]:
            missing.append(requirement)
    assert missing == [], "add to docker/hub/requirements.in, then `kimed image lock --env hub`"


# -- projects left out of every lock (wheels.LEFT_OUT) -----------------------------------


def test_format_lock_drops_the_left_out_projects() -> None:
    kept = LockedWheel("jsonschema", "4.25.1", ("a" * 64,))
    dropped = [LockedWheel(name, "1.0", ("b" * 64,)) for name in wheels.LEFT_OUT]
    text = wheels.format_lock([*dropped, kept], load_base_recipe())
    assert [w.name for w in parse_lock(text)] == ["jsonschema"]


@pytest.mark.parametrize("recipe", ["singleuser", "hub"])
def test_image_locks_leave_out_and_install_with_no_deps(recipe: str) -> None:
    """A left-out project must be in no lock, and the lock must be installed with
    --no-deps: otherwise pip would fetch the missing project (and fail offline)."""
    folder = docker_dir() / recipe
    names = {w.name for w in parse_lock((folder / "requirements.lock").read_text())}
    assert not names & set(wheels.LEFT_OUT)
    install = re.search(
        r"pip install (.*?)-r /opt/kimed/requirements.lock",
        (folder / "Containerfile").read_text(),
        re.S,
    )
    assert install and "--no-deps" in install.group(1)


def test_the_host_venv_lacks_the_left_out_projects() -> None:
    """bin/workbench removes them after installing the project (jsonschema would otherwise
    spend ~1.2 CPU-s building an IRI grammar in every kimed command and service start)."""
    present = [name for name in wheels.LEFT_OUT if importlib.util.find_spec(name.replace("-", "_"))]
    assert not present, f"{present} installed: run bin/workbench (or pip uninstall them)"
