"""The course catalogue (``courses/catalogue.yaml``): which courses exist, in which order
their notebooks come, in which curated kernel they run.

Loaded with the policy loader, so a broken catalogue fails with the same kind of message
as a broken policy (file, field, what to do); a listed notebook that is missing, or one
that names another kernel than its course, fails too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..paths import project_root
from ..policies import PolicyError, load_policy


def courses_dir() -> Path:
    """The course material (``courses/``), or ``KIMED_COURSES_DIR`` for tests."""
    return Path(os.environ.get("KIMED_COURSES_DIR") or project_root() / "courses")


@dataclass(frozen=True)
class Course:
    """One course of the catalogue."""

    id: str
    title: dict[str, str]  # {"en": ..., "de": ...}
    description: dict[str, str]
    kernel: str
    duration_minutes: int
    notebooks: tuple[str, ...]
    folder: Path

    def text(self, field: str, lang: str) -> str:
        """``title`` or ``description`` in ``lang`` (English where German is missing)."""
        values = getattr(self, field)
        return values.get(lang) or values["en"]

    def notebook_paths(self) -> list[Path]:
        """The instructor versions of the notebooks, in course order."""
        return [self.folder / name for name in self.notebooks]


def load_catalogue(directory: Path | None = None) -> dict[str, Course]:
    """Every course by id, in catalogue order; raises PolicyError naming what is wrong."""
    directory = directory or courses_dir()
    data = load_policy("catalogue", directory)
    courses: dict[str, Course] = {}
    for entry in data["courses"]:
        if entry["id"] in courses:
            raise PolicyError(f"{directory}/catalogue.yaml lists course {entry['id']!r} twice.")
        course = Course(
            id=entry["id"],
            title=entry["title"],
            description=entry["description"],
            kernel=entry["kernel"],
            duration_minutes=entry["duration_minutes"],
            notebooks=tuple(entry["notebooks"]),
            folder=directory / entry["id"],
        )
        _check_notebooks(course)
        courses[course.id] = course
    return courses


def _check_notebooks(course: Course) -> None:
    """Every listed notebook exists and names the course's kernel."""
    for path in course.notebook_paths():
        if not path.is_file():
            raise PolicyError(
                f"course {course.id!r} lists {path.name}, but {path} does not exist. "
                "Add the notebook or remove it from courses/catalogue.yaml."
            )
        kernel = json.loads(path.read_text())["metadata"].get("kernelspec", {}).get("name")
        if kernel != course.kernel:
            raise PolicyError(
                f"{path} runs in kernel {kernel!r}, but its course {course.id!r} says "
                f"{course.kernel!r}. Set the notebook's kernel to {course.kernel!r}."
            )


def get_course(course_id: str, directory: Path | None = None) -> Course:
    """One course, or a clear error naming the known ids."""
    catalogue = load_catalogue(directory)
    try:
        return catalogue[course_id]
    except KeyError:
        from .errors import UnknownCourse

        raise UnknownCourse(
            f"There is no course {course_id!r}. Known courses: {', '.join(catalogue)}."
        ) from None
