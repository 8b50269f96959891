"""What the server-side re-run runs as: the requester's resource profile and the data
grants in force at re-run time (never what held at submission).

A re-run reproduces the requester's own working conditions, so that a notebook that ran
in their server runs here too and a notebook that needed more than they may use does
not:

* the profile is the one the requester last started their server with (JupyterHub keeps
  each server's ``user_options``, stopped servers included), permitted to their groups
  *now* by ``policies/roles.yaml`` (:func:`kimed_hub.server_plan.allowed_profiles`, the
  spawners' own rule); it decides the image variant, the CPU, memory and process limits
  and the number of GPUs;
* a GPU profile gets devices no other container of the workbench holds (the hub's pool
  lives in the hub process, so the portal asks the runtime which devices are in use);
* every dataset the request's data came from must have an ACTIVE grant for the
  requester now: a grant revoked, expired or closed since the submission stops the
  re-run, and the reviewers read why.

Each refusal is a :class:`RerunBlocked` whose message is written for the reviewers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import PortalError
from ..gpus import gpus_in_inspect
from ..policies import ResourceProfile, resource_profiles
from ..server_plan import allowed_profiles


class RerunBlocked(PortalError):
    """The re-run cannot run as the requester would now (profile, GPUs or grants)."""

    http_status = 409
    code = "rerun_blocked"


@dataclass(frozen=True)
class RerunPlan:
    """The profile, the image of its variant and the GPUs one re-run gets."""

    profile: ResourceProfile
    image: str
    gpus: tuple[str, ...] = ()
    image_id: str | None = None  # the runtime's ID of ``image``, once looked up


def requester_profile(
    username: str, user_model: dict | None, policies: Path | None = None
) -> ResourceProfile:
    """The profile ``username`` last started their default server with (the hub's user
    model with stopped servers included: ``GET /users/{name}?include_stopped_servers``),
    if their groups may still use it; the policy's default profile when they never chose
    one. A user the hub does not know, or a profile no longer permitted: RerunBlocked."""
    if not user_model:
        raise RerunBlocked(
            f"The hub has no user {username!r}, so the re-run cannot take their profile "
            "and groups; reviewers judge without it."
        )
    server = (user_model.get("servers") or {}).get("") or {}
    chosen = (server.get("user_options") or {}).get("profile")
    name = chosen if isinstance(chosen, str) and chosen else resource_profiles(policies).default
    # The spawners' own rule (roles.yaml), applied to the groups the user has now.
    allowed = {p.name: p for p in allowed_profiles(user_model.get("groups") or [], policies)}
    if name not in allowed:
        raise RerunBlocked(
            f"{username}'s server last ran with the resource profile {name!r}, which their "
            f"groups no longer allow (they allow {sorted(allowed) or 'none'}); the re-run "
            "never uses resources the requester may not use."
        )
    return allowed[name]


def plan_rerun(
    profile: ResourceProfile,
    images: dict[str, str],
    inventory: Iterable[str] = (),
    containers: Iterable[dict] = (),
    sharing: bool | None = None,
    policies: Path | None = None,
) -> RerunPlan:
    """The re-run's image (``images``: variant -> reference) and GPUs for ``profile``:
    GPUs from ``inventory`` (the host's device IDs) that none of ``containers`` (inspect
    documents of the workbench's containers) holds, unless the policy allows sharing."""
    image = profile_image(profile, images)
    if not profile.gpus:
        return RerunPlan(profile, image)
    if sharing is None:
        sharing = resource_profiles(policies).gpu_sharing
    held = {d for c in containers for d in gpus_in_inspect(c)}
    devices = list(inventory)
    free = devices if sharing else [d for d in devices if d not in held]
    if len(free) < profile.gpus:
        raise RerunBlocked(
            f"The requester's profile {profile.display_name!r} needs {profile.gpus} GPU(s); "
            f"{len(free)} of the host's {len(devices)} are free now. The re-run can be "
            "started again later (POST .../rerun)."
        )
    return RerunPlan(profile, image, tuple(free[: profile.gpus]))


def profile_image(profile: ResourceProfile, images: dict[str, str]) -> str:
    """The image of the profile's variant (``images``: variant -> reference)."""
    image = images.get(profile.image_variant)
    if not image:
        raise RerunBlocked(
            f"The requester's profile {profile.display_name!r} needs the "
            f"{profile.image_variant!r} software image, which is not installed here "
            "(kimed image build --gpu); the re-run cannot reproduce their server."
        )
    return image


def grant_problems(
    datasets: Iterable[str], active: dict[str, str], states: dict[str, str]
) -> list[str]:
    """Why datasets the request's data came from cannot be mounted now: ``active`` maps
    each dataset with an ACTIVE grant for the requester to its access request, ``states``
    maps the request's source access requests to their state now (REVOKED, EXPIRED...)."""
    problems = []
    for dataset in sorted(set(datasets) - set(active)):
        why = ", ".join(f"{source} is {state}" for source, state in sorted(states.items()))
        problems.append(f"{dataset} (no ACTIVE grant now{': ' + why if why else ''})")
    return problems
