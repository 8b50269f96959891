"""The project's notebook-side code and the demonstrator notebooks, as the single-user
image ships them: ``lib/<package>/`` (copied to ``/opt/kimed/lib``, on every Python
environment's ``sys.path`` through a ``.pth`` file), ``notebooks/`` (copied to
``/opt/kimed/notebooks``, read-only) and the reviewed policies the server itself reads
(``policies/``, copied to ``/opt/kimed/policies``: the exits policy of ``kimed_exits``).

They are files of the build context like the recipe, so they key the image: an edit gives
a new tag. The Containerfile copies them in its last layers, so with a warm layer cache
such a rebuild redoes only those copies, never a kernel.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import policies_dir, project_root
from ._common import recipe_files

#: Python packages of the project that run inside the kernels: package name -> folder in
#: the checkout. ``kimed_widgets`` is shipped once its folder exists.
LIBRARY_PACKAGES = {
    "kimed_demos": "demonstrators/kimed_demos",
    "kimed_widgets": "extensions/kimed_widgets",
    # The server extension closing the download paths; on the server's sys.path like the
    # rest (the kernels see it too, harmlessly: it acts only when a server loads it).
    "kimed_exits": "extensions/kimed_exits",
}
#: Policies the single-user server reads at start (policies/ name, with its schema).
IMAGE_POLICIES = ("workspace-exits",)
IMAGE_LIBRARY = "/opt/kimed/lib"
IMAGE_NOTEBOOKS = "/opt/kimed/notebooks"


def library_packages() -> dict[str, Path]:
    """The library packages present in this checkout (name -> folder)."""
    root = project_root()
    folders = {name: root / folder for name, folder in LIBRARY_PACKAGES.items()}
    return {name: path for name, path in folders.items() if (path / "__init__.py").is_file()}


def library_context_files() -> dict[str, Path]:
    """``lib/<package>/...``, ``notebooks/*.ipynb`` and ``policies/...``, by their path in
    the build context."""
    files = {}
    for name, folder in library_packages().items():
        files.update({f"lib/{name}/{rel}": path for rel, path in recipe_files(folder).items()})
    for notebook in sorted((project_root() / "notebooks").glob("*.ipynb")):
        files[f"notebooks/{notebook.name}"] = notebook
    for name in IMAGE_POLICIES:
        files[f"policies/{name}.yaml"] = policies_dir() / f"{name}.yaml"
        schema = f"schemas/{name}.schema.json"
        files[f"policies/{schema}"] = policies_dir() / schema
    return files
