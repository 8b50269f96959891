"""Training programme: courses and workshops, without HTTP.

* :mod:`.catalogue`: the course catalogue (``courses/catalogue.yaml``);
* :mod:`.notebooks`: trainee versions (solutions removed) and check cells;
* :mod:`.grading`: running a submission's checks in a locked container;
* :mod:`.workshops`: workshops, participants, submissions and grades (the portal's
  database and its hash-chained audit log).

The portal service (``portal_service.training_pages``, ``training_api``) serves these to
trainees and instructors; see ``docs/instructors.md``.
"""

from .catalogue import Course, courses_dir, get_course, load_catalogue
from .notebooks import check_cells, check_results, trainee_version, with_reference_checks

__all__ = [
    "Course",
    "check_cells",
    "check_results",
    "courses_dir",
    "get_course",
    "load_catalogue",
    "trainee_version",
    "with_reference_checks",
]
