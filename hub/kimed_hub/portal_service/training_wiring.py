"""How the portal service learns what its training part needs from the hub's settings.

Managed services start with an almost empty environment, so the hub passes these
variables (``training_environment``) and the service builds its :class:`Training` from
them (``training_from_env``): where the proxy is (trainees' files are read through it),
the local accounts file (temporary accounts; absent with OpenID Connect), the container
prefix (home volume names) and runtime, and the single-user image (grading).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..paths import policies_dir, project_root
from ..settings import Settings
from .training_hub import TrainingHub
from .training_ops import Training

log = logging.getLogger("kimed.portal.training")


def training_environment(settings: Settings) -> dict[str, str]:
    """The variables the portal service gets for workshops and grading."""
    from .. import images
    from ..policies import security_profile
    from ..runtime import detect

    env = {
        "KIMED_HOME": str(project_root()),
        "KIMED_POLICIES_DIR": str(policies_dir()),
        "KIMED_PUBLIC_URL": settings.public_url,
        "KIMED_PREFIX": settings.prefix,
        "KIMED_HOME_VOLUME_TEMPLATE": security_profile().home_volume_template,
        "KIMED_SINGLEUSER_IMAGE": images.singleuser_image_ref(),
        "KIMED_RUNTIME_URL": detect().base_url,
    }
    if os.environ.get("KIMED_AUTH", "local") == "local":
        env["KIMED_ACCOUNTS_FILE"] = str(settings.state / "accounts.json")
    return env


def training_from_env(store) -> Training | None:
    """The service's Training (None when the training tables cannot be set up)."""
    from ..training.grading import GradingSandbox
    from ..training.policy import training_policy
    from ..training.store import TrainingStore

    policy = training_policy()
    accounts = os.environ.get("KIMED_ACCOUNTS_FILE")
    training = Training(
        store=TrainingStore(store.db),
        hub=TrainingHub(),
        accounts_file=Path(accounts) if accounts else None,
        volume_template=os.environ.get("KIMED_HOME_VOLUME_TEMPLATE", "{prefix}-home-{username}"),
        prefix=os.environ.get("KIMED_PREFIX", "kimed"),
        policy=policy,
    )
    image, runtime = os.environ.get("KIMED_SINGLEUSER_IMAGE"), os.environ.get("KIMED_RUNTIME_URL")
    if image and runtime:
        training.sandbox = GradingSandbox(None, image, policy, training.prefix, runtime)
    else:
        log.warning("no container runtime or image given: workshops cannot be graded")
    return training
