"""The portal's web pages (``templates/``), in the hub's look."""

from __future__ import annotations

ROUTES: list = []
