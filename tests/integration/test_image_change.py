"""After an image change the running server keeps its image, and its user is told.

One hub of its own (the module restarts it). The researcher's server starts from the
current image A. The change of build is simulated as an operator's upgrade looks to the
hub, without building a 4 GB image: the same image is tagged with another content-hash
tag B, the hub is killed (-9, so that it does not stop the servers) and started again
with a site file whose ``WorkbenchSpawner.image`` is B. Then: the server still runs A and
works; the hub's home page says "runs A; restarting it gives you B"; ``kimed image
outdated`` lists the researcher; after a stop and start the server runs B, the notice and
the listing are gone and the home folder is kept.

Not proved here: a real rebuild (other content under the new tag) or a restart under
systemd; a new tag of the same content goes through the same code paths in the hub.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from kimed_hub.runtime import detect, runtime_client
from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics, serve_module_hub
from tests.integration.test_hub_restart import wait_for

pytestmark = pytest.mark.integration

WRITE = "open('/home/jovyan/before-upgrade.txt', 'w').write('kept'); print('written')"
READ = "print(open('/home/jovyan/before-upgrade.txt').read())"
NOTICE = "restarting it gives you"


def home_page(user) -> str:
    response = user.session.get(f"{user.hub.url}/hub/home", timeout=30)
    response.raise_for_status()
    return response.text


def outdated(hub: HubProcess) -> subprocess.CompletedProcess:
    """``kimed image outdated`` as the operator runs it, with the hub's settings."""
    return subprocess.run(
        [sys.executable, "-m", "kimed_hub.cli", "image", "outdated"],
        env=hub.environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def running_images(hub: HubProcess) -> list[str]:
    client = runtime_client()
    containers = client.containers(filters={"name": hub.prefix})
    return [client.inspect_container(c["Id"])["Config"]["Image"] for c in containers]


@pytest.fixture(scope="module")
def new_tag(singleuser_image):
    """Image B: the current image under another content-hash tag; untagged afterwards."""
    repository, _, tag = singleuser_image.rpartition(":")
    other = hashlib.sha256(f"upgrade-of-{tag}".encode()).hexdigest()[:12]
    reference = f"{repository}:{other}"
    cli = detect().cli
    subprocess.run([cli, "tag", singleuser_image, reference], check=True)
    yield reference
    subprocess.run([cli, "untag", singleuser_image, reference], check=False)


@pytest.fixture(scope="module")
def upgrade(request, singleuser_image, new_tag, tmp_path_factory):
    """The hub before and after the upgrade; what was seen before it."""
    hub = HubProcess(tmp_path_factory.mktemp("image-change"), new_prefix())
    served = serve_module_hub(request, hub)
    next(served)  # started; closed (and diagnosed on failure) by the finally below
    try:
        user = hub.login("researcher")
        user.spawn()
        assert user.run_code(WRITE).strip() == "written"
        before = {"home": home_page(user), "outdated": outdated(hub), "images": running_images(hub)}
        hub.process.kill()  # as a crash would: the servers keep running
        hub.process.wait()
        hub.site_config = {"WorkbenchSpawner": {"image": new_tag}}
        hub.start()
        wait_for(lambda: user.server_state().get("ready"), 240, "the server found again")
    except BaseException:
        dump_diagnostics(hub)  # a set-up failure is no failed test: print them here
        next(served, None)
        raise
    try:
        yield {"hub": hub, "user": user, "before": before, "old": singleuser_image}
    finally:
        next(served, None)


def test_before_the_change_nobody_is_told_anything(upgrade):
    before = upgrade["before"]
    assert before["images"] == [upgrade["old"]]
    assert NOTICE not in before["home"]
    assert before["outdated"].returncode == 0, before["outdated"].stderr
    assert "All 1 running server(s) run the image" in before["outdated"].stdout


def test_the_running_server_keeps_its_image_and_its_user_is_told(upgrade, new_tag):
    hub, user, old = upgrade["hub"], upgrade["user"], upgrade["old"]
    assert running_images(hub) == [old]
    assert user.run_code(READ).strip() == "kept"
    page = home_page(user)
    assert NOTICE in page
    assert f"runs the software image <code>{old}</code>" in page
    assert f"gives you <code>{new_tag}</code>" in page


def test_the_operator_lists_users_on_the_old_image(upgrade, new_tag):
    result = outdated(upgrade["hub"])
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("researcher ")]
    assert len(rows) == 1, result.stdout
    assert upgrade["old"] in rows[0] and new_tag in rows[0]
    assert "not built yet" not in rows[0]
    assert "1 of 1 running server(s)" in result.stdout


def test_a_restart_gives_the_new_image_and_keeps_the_home(upgrade, new_tag):
    hub, user = upgrade["hub"], upgrade["user"]
    user.stop_server()
    user.spawn()
    assert running_images(hub) == [new_tag]
    assert user.run_code(READ).strip() == "kept"
    assert NOTICE not in home_page(user)
    assert "All 1 running server(s) run the image" in outdated(hub).stdout
