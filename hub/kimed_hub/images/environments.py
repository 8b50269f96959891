"""The Python environments the workbench builds offline, each with its own hash lock.

An environment is a ``requirements.in`` (top-level pins) and the ``requirements.lock``
generated from it (every wheel pinned and sha256-locked), plus a wheelhouse folder on this
host holding exactly the locked wheels:

* ``singleuser``: the Jupyter server in ``/opt/venv`` (``docker/singleuser/``);
* one per curated Python kernel, ``kernels/<name>/``, installed as its own venv in
  ``/opt/kernels/<name>`` so that the kernels' dependencies never collide;
* ``hub``: the hub image for Kubernetes (``docker/hub/``): JupyterHub, the project's
  dependencies and KubeSpawner in ``/opt/venv``;
* ``package-index``: what the in-environment package index serves
  (``docker/package-index/``, resolved from ``policies/package-allowlist.yaml`` against
  the default kernel's versions); it is never installed into an image.

A kernel may have a variant lock (``requirements-gpu.lock``: CUDA PyTorch for the GPU
image); the variant only swaps that lock, the recipe stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..paths import docker_dir, project_root, state_dir

VARIANTS = ("cpu", "gpu")
DEFAULT_KERNEL = "python-base"
KERNELS_ROOT = "/opt/kernels"


@dataclass(frozen=True)
class PythonEnv:
    """One hash-locked Python environment and where its wheels are kept."""

    name: str
    folder: Path
    variant: str = "cpu"
    install_path: str | None = None
    # The environment whose pins constrain this one's resolution (shared dependencies
    # then agree with what is installed there).
    constraints_from: str | None = None
    # Lock from package metadata only (pip's dry-run report): for locks whose wheels are
    # too big to download just to lock them (CUDA PyTorch).
    metadata_only: bool = False

    @property
    def stem(self) -> str:
        """``requirements`` or ``requirements-<variant>``."""
        return "requirements" if self.variant == "cpu" else f"requirements-{self.variant}"

    @property
    def in_path(self) -> Path:
        return self.folder / f"{self.stem}.in"

    @property
    def lock_path(self) -> Path:
        return self.folder / f"{self.stem}.lock"

    @property
    def key(self) -> str:
        """The environment's name, with the variant when it is not the CPU one."""
        return self.name if self.variant == "cpu" else f"{self.name}-{self.variant}"

    @property
    def wheelhouse(self) -> Path:
        """Where this environment's locked wheels are kept on this host (uncommitted)."""
        return state_dir() / "wheelhouse" / self.key


def kernels_dir() -> Path:
    """The curated kernels (``kernels/``): one folder each, with a ``kernel.json``."""
    return project_root() / "kernels"


def kernel_names() -> list[str]:
    """Every curated kernel (a folder of ``kernels/`` with a ``kernel.json``), sorted."""
    return sorted(p.parent.name for p in kernels_dir().glob("*/kernel.json"))


def singleuser_env() -> PythonEnv:
    """The Jupyter server's environment (``/opt/venv``)."""
    return PythonEnv("singleuser", docker_dir() / "singleuser", install_path="/opt/venv")


def kernel_env(name: str, variant: str = "cpu") -> PythonEnv:
    """A Python kernel's environment; a variant without its own lock uses the CPU one."""
    check_variant(variant)
    folder = kernels_dir() / name
    env = PythonEnv(name, folder, variant, f"{KERNELS_ROOT}/{name}", metadata_only=variant != "cpu")
    if variant != "cpu" and not env.in_path.is_file():
        return PythonEnv(name, folder, "cpu", env.install_path)
    return env


def python_kernel_envs(variant: str = "cpu") -> list[PythonEnv]:
    """The kernels that are Python environments (those with a ``requirements.in``)."""
    names = [n for n in kernel_names() if (kernels_dir() / n / "requirements.in").is_file()]
    return [kernel_env(name, variant) for name in names]


def image_envs(variant: str = "cpu") -> list[PythonEnv]:
    """Every environment the single-user image installs, for the given variant."""
    return [singleuser_env(), *python_kernel_envs(variant)]


def hub_env() -> PythonEnv:
    """The hub image's environment (``/opt/venv`` of ``kimed-hub``, for Kubernetes)."""
    return PythonEnv("hub", docker_dir() / "hub", install_path="/opt/venv")


def package_index_env() -> PythonEnv:
    """What the in-environment package index serves; resolved against the default kernel."""
    return PythonEnv(
        "package-index", docker_dir() / "package-index", constraints_from=DEFAULT_KERNEL
    )


def all_envs() -> list[PythonEnv]:
    """Every environment with a lock: the single-user image's (both variants), the
    index's and the hub image's."""
    envs = [*image_envs("cpu"), package_index_env(), hub_env()]
    for env in python_kernel_envs("gpu"):
        if env.variant == "gpu":
            envs.append(env)
    return envs


def env_by_name(name: str, variant: str = "cpu") -> PythonEnv:
    """An environment by its name (``singleuser``, a kernel, ``package-index``, ``hub``)."""
    if name == "singleuser":
        return singleuser_env()
    if name == "package-index":
        return package_index_env()
    if name == "hub":
        return hub_env()
    return kernel_env(name, variant)


def check_variant(variant: str) -> str:
    """``variant`` if it is one of VARIANTS, else an error naming the choices."""
    if variant not in VARIANTS:
        raise ValueError(f"image variant {variant!r} is not one of {', '.join(VARIANTS)}")
    return variant
