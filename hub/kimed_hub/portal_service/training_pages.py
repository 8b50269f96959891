"""The training pages (courses for trainees, workshops for instructors)."""

ROUTES: list = []
