"""Finding a user's home folder on the host, for the snapshot (never a path they chose).

In the workbench each home is a named volume (``policies/container-security.yaml``:
``{prefix}-home-{username}``); the container runtime says where its folder is. The
folder is the volume's root, created by the runtime; the user controls what is inside
it, which :class:`~kimed_hub.airlock.snapshot.HomeReader` never trusts.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput, PortalError
from .snapshot import HomeReader


class RuntimeUnavailable(PortalError):
    """The container runtime holding the homes did not answer (busy or stopped)."""

    http_status = 503
    code = "runtime_unavailable"


class VolumeHomes:
    """Homes as named volumes of a Docker or podman runtime (the workbench's set-up)."""

    def __init__(self, base_url: str, volume_template: str, prefix: str):
        self.base_url, self.template, self.prefix = base_url, volume_template, prefix

    def volume_name(self, username: str) -> str:
        """The home volume's name, as the spawner renders it (DockerSpawner escapes names;
        the workbench's usernames are already safe: lower-case letters, digits, '-')."""
        return self.template.format(prefix=self.prefix, username=username)

    def reader(self, username: str) -> HomeReader:
        """A reader of ``username``'s home; BadInput when the volume does not exist yet,
        RuntimeUnavailable (503) when the runtime does not answer."""
        import requests

        import docker

        try:
            volume = self._volume(docker, username)
        except docker.errors.NotFound:
            raise BadInput(
                f"{username} has no home yet: start your server once, save the files "
                "there, then ask for their release."
            ) from None
        except (docker.errors.DockerException, requests.exceptions.RequestException) as error:
            # A busy runtime times out; the page says so instead of a bare 500.
            raise RuntimeUnavailable(
                f"The container runtime did not answer ({type(error).__name__}); your home "
                "cannot be read right now. Try again in a minute."
            ) from None
        return HomeReader(Path(volume.attrs["Mountpoint"]))

    def _volume(self, docker, username: str):
        client = docker.DockerClient(base_url=self.base_url, timeout=30)
        try:
            return client.volumes.get(self.volume_name(username))
        finally:
            client.close()


class FolderHomes:
    """Homes as ``<root>/<username>`` folders (development and the library's tests)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def reader(self, username: str) -> HomeReader:
        return HomeReader(self.root / username)
