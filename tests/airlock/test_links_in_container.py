"""Links made inside a real locked container never release a host file.

A container of the single-user image with the workbench's locked host config (the
spawner's, ``locked_container.locked_host_config``, seccomp included), the user's home
as a named volume and a dataset read-only at /data, as a user server has them.
Inside it, as the user:
hard links to a file of the image (/etc/passwd), of the dataset and of the Python
installation fail across filesystems (EXDEV); a symbolic link to /etc/passwd can be made
but the airlock refuses it; a hard link to the user's own file in the home works, and
releasing it gives exactly the user's own content (the audit entry names it as hard
linked). The snapshot is taken from the host side, from the volume's folder.
"""

from __future__ import annotations

import json

import pytest

import docker
from kimed_hub.airlock import UnsafeFile
from kimed_hub.airlock.snapshot import HomeReader
from kimed_hub.container_expectations import seccomp_file, seccomp_option
from kimed_hub.errors import BadInput
from kimed_hub.locked_container import locked_host_config
from kimed_hub.paths import state_dir
from kimed_hub.policies import resource_profiles, seccomp_profile, security_profile
from kimed_hub.runtime import detect
from kimed_hub.testing import new_prefix, remove_containers

from .conftest import ALICE, JUSTIFICATION

pytestmark = pytest.mark.integration

#: Run as the user inside the container: try each link, report errno names (or "made").
TRY_LINKS = """
import errno, json, os
os.chdir(os.path.expanduser("~"))
open("mine.csv", "w").write("group,n\\na,40\\nb,52\\n")
tries = {
    "image.csv": ("hard", "/etc/passwd"),
    "data.csv": ("hard", "/data/ct-thorax-test/cohort.csv"),
    "python.csv": ("hard", "/opt/venv/bin/python3"),
    "alias.csv": ("hard", "mine.csv"),
    "pw.csv": ("soft", "/etc/passwd"),
}
seen = {}
for name, (kind, target) in tries.items():
    try:
        (os.link if kind == "hard" else os.symlink)(target, name)
        seen[name] = "made"
    except OSError as error:
        seen[name] = errno.errorcode[error.errno]
print(json.dumps(seen))
"""


@pytest.fixture
def linked_home(singleuser_image, tmp_path):
    """The volume folder (host side) after the user tried the links; what they saw."""
    runtime, prefix = detect(), new_prefix()
    client = docker.APIClient(base_url=runtime.base_url, timeout=300)
    security, profiles, seccomp = security_profile(), resource_profiles(), seccomp_profile()
    limits = profiles.profiles[profiles.default]
    path = str(seccomp_file(seccomp, state_dir() / "seccomp")) if runtime.kind == "podman" else ""
    dataset = tmp_path / "ct-thorax-test"
    dataset.mkdir()
    (dataset / "cohort.csv").write_text("age_group,sex\n18-39,f\n")
    volume = client.create_volume(f"{prefix}-home-alice")
    try:
        host_config = client.create_host_config(
            **locked_host_config(security, limits, seccomp_option(runtime.kind, seccomp, path)),
            mem_limit=limits.memory,
            binds={
                volume["Name"]: {"bind": security.home_mount, "mode": "rw"},
                str(dataset): {"bind": "/data/ct-thorax-test", "mode": "ro"},
            },
            network_mode="none",
        )
        container = client.create_container(
            singleuser_image,
            command=["python3", "-c", TRY_LINKS],
            user=f"{security.uid}:{security.gid}",
            name=f"{prefix}-links",
            host_config=host_config,
        )["Id"]
        client.start(container)
        assert client.wait(container, timeout=300)["StatusCode"] == 0, client.logs(container)
        seen = json.loads(client.logs(container, stderr=False).decode().strip().splitlines()[-1])
        yield volume["Mountpoint"], seen
    finally:
        remove_containers(prefix, volumes=True)
        client.close()


def test_hard_links_out_of_the_home_fail_and_own_ones_release_own_content(linked_home, airlock):
    folder, seen = linked_home
    # Other filesystems: no hard link (EXDEV); the home's own file: linked.
    assert seen == {
        "image.csv": "EXDEV",
        "data.csv": "EXDEV",
        "python.csv": "EXDEV",
        "alias.csv": "made",
        "pw.csv": "made",
    }
    reader = HomeReader(folder)
    with pytest.raises(UnsafeFile, match="symbolic link"):
        airlock.create(ALICE, reader, ["pw.csv"], JUSTIFICATION)
    with pytest.raises(BadInput, match="does not exist"):
        airlock.create(ALICE, reader, ["image.csv"], JUSTIFICATION)
    created = airlock.create(ALICE, reader, ["alias.csv"], JUSTIFICATION)
    snapshot = airlock.storage.snapshot_file(created.request_id, 0).read_text()
    assert snapshot == "group,n\na,40\nb,52\n"  # the user's own content, nothing else
    assert airlock.history(created.request_id)[0].details["hard_linked"] == ["alias.csv"]
