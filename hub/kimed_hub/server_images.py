"""After an image change: which servers still run the old image, and telling their users.

A new single-user image (``kimed image build`` after a change of docker/, kernels/, ...,
then a hub restart) never touches running servers: they keep the image they were created
from, and the next start of each gets the new one. Two things make that visible:

* :class:`ImageCurrency`, a mixin of ``WorkbenchSpawner``, knows the image a running
  server was created from (set at create, and read back from the container whenever the
  spawner inspects it, so a hub restart finds it again) and the image its next start
  would get now (the same choice ``start`` makes: the user's profile, its image variant).
  :func:`image_notice` turns differences into the banner of the hub's home and spawn
  pages (``JupyterHub.template_vars``: ``announcement_home``, ``announcement_spawn``).
* :func:`outdated_servers` is ``kimed image outdated``: the operator's list of running
  servers whose image differs from the one the current build (and the site file) gives.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any


class ImageCurrency:
    """Spawner mixin: the running server's image and the image its next start gets."""

    #: The image reference the running container was created from (None: no server).
    running_image: str | None = None

    async def create_object(self):
        """Create the container, remembering which image it is made from."""
        created = await super().create_object()
        self.running_image = self.image
        return created

    async def get_object(self):
        """DockerSpawner's inspect of the container; its image reference is kept (after a
        hub restart this is how the running image becomes known again)."""
        container = await super().get_object()
        if container:
            self.running_image = (container.get("Config") or {}).get("Image") or None
        return container

    def clear_state(self) -> None:
        """Forget the image with the stopped server."""
        super().clear_state()
        self.running_image = None

    def next_image(self) -> str | None:
        """The image a start would use now (the user's saved profile choice, its variant);
        None when that choice is no longer allowed or its variant has no image (the start
        itself then says why)."""
        try:
            return self._image_for(self.choose_profile(self.user_options or {}))
        except Exception as exc:  # noqa: BLE001 - a banner must never break a hub page
            # a profile no longer allowed (HTTP 403) or a variant without an image
            # (SpawnRefused): the start itself says so; nothing to compare with
            self.log.debug("no next image for %s: %s", self.user.name, exc)
            return None

    def image_change(self) -> tuple[str, str] | None:
        """(running image, next image) when a running server's next start changes its
        image; None otherwise (not running, not known, or the same image)."""
        if not self.running_image or not getattr(self, "active", False):
            return None
        upcoming = self.next_image()
        if upcoming and upcoming != self.running_image:
            return self.running_image, upcoming
        return None


def image_notice(user: Any) -> str | None:
    """The home/spawn page banner for ``user`` (HTML, escaped) naming each running server
    whose next start gets another image; None when there is nothing to say. Called by
    JupyterHub for every page it renders (``template_vars``), with ``user`` None when
    nobody is logged in."""
    if user is None:
        return None
    lines = []
    for name, spawner in sorted((getattr(user, "spawners", None) or {}).items()):
        change = spawner.image_change() if hasattr(spawner, "image_change") else None
        if change:
            which = f"Your server {name!r}" if name else "Your server"
            lines.append(
                f"{which} runs the software image <code>{html.escape(change[0])}</code>; "
                f"restarting it gives you <code>{html.escape(change[1])}</code>."
            )
    if not lines:
        return None
    advice = (
        "The workbench's software was updated. Save your work, then stop and start your "
        "server to use the new image (your files in the home folder are kept)."
    )
    return "<br>".join([*lines, advice])


@dataclass(frozen=True)
class OutdatedServer:
    """One running server whose image is not the one its next start gets."""

    user: str
    server: str  # "" for the default server
    container: str
    running: str
    upcoming: str | None  # None: the image is from no repository the policy names
    upcoming_built: bool


def built_images() -> dict[str, str]:
    """The image reference per variant the current build inputs give: the hub's images
    before the site file (config.configure_spawner), computed, never built or queried."""
    from . import images  # local import: the spawner needs none of the build code

    return {"cpu": images.singleuser_image_ref(), "gpu": images.singleuser_image_ref("gpu")}


def current_images(site_config: dict[str, Any], built: dict[str, str]) -> dict[str, str]:
    """The image per variant a hub started now would use: ``built`` (the current build's
    references, :func:`built_images`) with the site file's ``WorkbenchSpawner``
    ``image`` and ``image_variants`` on top, as the hub applies the site file last."""
    site = site_config.get("WorkbenchSpawner") or {}
    refs = {**built, **(site.get("image_variants") or {})}
    if site.get("image"):
        refs["cpu"] = site["image"]
    return refs


def outdated_servers(
    client, prefix: str, current: dict[str, str], security
) -> tuple[list[OutdatedServer], int]:
    """Running containers named ``prefix``-… whose image reference is not the current one
    of their variant (the variant is the policy's repository the reference is from), and
    how many run in all. ``client``: a docker-py APIClient on the runtime."""
    repositories = {security.image_repository(v): v for v in current}
    found, running = [], 0
    for summary in client.containers(filters={"name": prefix}):
        if not any(n.lstrip("/").startswith(prefix) for n in summary.get("Names") or ()):
            continue
        inspect = client.inspect_container(summary["Id"])
        config = inspect.get("Config") or {}
        # only these two variables are read (the rest holds the server's token); a
        # container without them is no user server (an airlock re-run, a grading run)
        pairs = (item.split("=", 1) for item in config.get("Env") or () if "=" in item)
        env = {k: v for k, v in pairs if k in ("JUPYTERHUB_USER", "JUPYTERHUB_SERVER_NAME")}
        if "JUPYTERHUB_USER" not in env:
            continue
        running += 1
        image = str(config.get("Image") or "")
        variant = repositories.get(image.rpartition(":")[0])
        upcoming = current.get(variant) if variant else None
        if upcoming == image:
            continue
        found.append(
            OutdatedServer(
                user=env["JUPYTERHUB_USER"],
                server=env.get("JUPYTERHUB_SERVER_NAME", ""),
                container=inspect.get("Name", "").lstrip("/"),
                running=image,
                upcoming=upcoming,
                upcoming_built=bool(upcoming) and _image_exists(client, upcoming),
            )
        )
    return sorted(found, key=lambda s: (s.user, s.server)), running


def _image_exists(client, reference: str) -> bool:
    import docker.errors  # local import: only the operator command talks to the runtime

    try:
        client.inspect_image(reference)
    except docker.errors.NotFound:
        return False
    return True


def outdated_report(servers: list[OutdatedServer], running: int) -> str:
    """The operator's table, and what to do about it."""
    if not servers:
        return f"All {running} running server(s) run the image their next start gets."
    lines = [f"{'user':<16} {'server':<10} {'runs':<44} next start gets"]
    for s in servers:
        upcoming = s.upcoming or "(not an image the policy names: stop this server)"
        if s.upcoming and not s.upcoming_built:
            upcoming += "  (not built yet: kimed image build)"
        lines.append(f"{s.user:<16} {s.server or '-':<10} {s.running:<44} {upcoming}")
    lines.append(
        f"{len(servers)} of {running} running server(s) run another image than their next "
        "start gets; their users see this on the hub's home page. A restart of the server "
        "(the user's, or the admin page's stop) gives it the new image; homes are kept. "
        "The hub uses a new build only after it is restarted (systemctl restart kimed-hub)."
    )
    return "\n".join(lines)
