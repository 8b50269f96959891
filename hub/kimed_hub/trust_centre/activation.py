"""What activating an access request means for the trust centre (called by
``portal_service.enforcement.act``, the one function every workflow action goes through).

Before the activation, a request for datasets of two or more holders is checked: every
holder has delivered identifiers and they share a key (:func:`before_activation`); a
request that cannot be linked is refused then, with the reason, and nothing changes.
After it, the project's pseudonymised, linked tables are written (:func:`after_activation`),
which the spawner mounts instead of the holders' folders. A failure there leaves the
request ACTIVE with nothing mounted for it (the spawner fails closed) and is logged; the
trust centre runs the linkage again with ``POST trust-centre/projects/{id}/link``.
"""

from __future__ import annotations

import logging

from ..paths import dataset_root
from .service import TrustCentre

log = logging.getLogger("kimed.trust-centre")


def before_activation(workflow, request_id: str) -> TrustCentre | None:
    """The trust centre when the request needs linkage (checked now), else None."""
    request = workflow.get(request_id)
    datasets = list(request.application.data.datasets)
    centre = TrustCentre(workflow.store, dataset_root())
    if not centre.needs_linkage(datasets):
        return None
    centre.check_activation(datasets)
    return centre


def after_activation(centre: TrustCentre, workflow, request_id: str, actor: str) -> None:
    """Link the now ACTIVE request's datasets and write its tables (errors logged)."""
    request = workflow.get(request_id)
    try:
        report = centre.link_project(request_id, list(request.application.data.datasets), actor)
    except Exception:  # noqa: BLE001 - the activation stands; the spawner fails closed
        log.exception("linking %s failed; nothing is mounted for it until it is linked", request_id)
        return
    log.info("linked %s: %s", request_id, report)
