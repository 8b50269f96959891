"""The hub image for Kubernetes, built offline and run the way the chart runs it.

``kimed image build --hub`` builds ``localhost/kimed-hub:HASH12``; these tests render the
unchanged Zero to JupyterHub chart with the values ``kimed k8s render`` writes (hub image
= the image just built), then recreate what the hub Deployment gives its container: its
ConfigMap and Secret files mounted where the Deployment mounts them, its environment, its
user. In that container (no network) the chart's own ``jupyterhub_config.py`` is loaded
with our values, and every class and managed-service command it names is used.

Not proven: that a cluster schedules the pod, that the hub then reaches the Kubernetes
API, the proxy or PostgreSQL (there is no cluster here; the config's loading, the imports
and the services' start-up code are what runs).
"""

from __future__ import annotations

import base64
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from kimed_hub import images
from kimed_hub.images._common import container_cli
from kimed_hub.k8s.rbac import portal_rbac
from kimed_hub.k8s.values import AUTHENTICATOR_CLASS, SPAWNER_CLASS, chart_values
from tests.k8s_chart import SITE, helm_render

pytestmark = pytest.mark.integration

#: The identity provider as the hub pod sees it in this test: a discovery document served
#: on the container's own loopback (the container has no network). The login itself runs
#: against a real OIDC provider in tests/integration/test_oidc*.py, not here.
ISSUER = "http://127.0.0.1:8765/realms/kimed"

# Loads the chart's config the way JupyterHub does (a traitlets Python config file), then
# imports what it names; prints one JSON line for the test to read. First it serves the
# discovery document our extraConfig reads at start-up.
LOAD_CONFIG = """
import importlib, json, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
ISSUER = "@ISSUER@"

class Discovery(BaseHTTPRequestHandler):
    def do_GET(self):
        assert self.path == "/realms/kimed/.well-known/openid-configuration", self.path
        body = json.dumps({
            "issuer": ISSUER,
            "authorization_endpoint": ISSUER + "/protocol/openid-connect/auth",
            "token_endpoint": ISSUER + "/protocol/openid-connect/token",
            "userinfo_endpoint": ISSUER + "/protocol/openid-connect/userinfo",
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

server = HTTPServer(("127.0.0.1", 8765), Discovery)
threading.Thread(target=server.serve_forever, daemon=True).start()
from traitlets.config.loader import PyFileConfigLoader
cfg = PyFileConfigLoader("jupyterhub_config.py", path="/usr/local/etc/jupyterhub").load_config()
hub = cfg.JupyterHub
for dotted in (hub.spawner_class, hub.authenticator_class):
    module, name = dotted.rsplit(".", 1)
    getattr(importlib.import_module(module), name)
print(json.dumps({
    "spawner_class": hub.spawner_class,
    "authenticator_class": hub.authenticator_class,
    "services": hub.services,
    "db_url": hub.db_url,
    "token_url": cfg.KimedOIDCAuthenticator.token_url,
    "consent_audit_url": cfg.WorkbenchKubeSpawner.consent_audit_url,
    "portal_env": next(s for s in hub.services if s["name"] == "portal")["environment"],
}))
""".replace("@ISSUER@", ISSUER)


@pytest.fixture(scope="module")
def hub_image() -> str:
    return images.ensure_hub_image(progress=False)


@pytest.fixture(scope="module")
def hub_pod(hub_image, tmp_path_factory):
    """The rendered hub Deployment's container, and a folder per volume it mounts."""
    name, tag = hub_image.rsplit(":", 1)
    site = replace(SITE, registry=name.rsplit("/", 1)[0], hub_tag=tag, oidc_issuer=ISSUER)
    # the chart's manifests and the portal's token Secret that the hub pod mounts (one
    # of the manifests `kimed k8s render` writes beside the chart)
    docs = [*helm_render(json.loads(json.dumps(chart_values(site)))), *portal_rbac(site)]
    by_kind = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    deployment = by_kind[("Deployment", "hub")]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "hub"]
    assert container["image"] == hub_image
    root = tmp_path_factory.mktemp("hub-pod")
    mounts = []
    for mount in container["volumeMounts"]:
        (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
        folder = root / mount["name"]
        _fill_volume(folder, volume, by_kind)
        source = folder / mount["subPath"] if "subPath" in mount else folder
        if not source.exists():  # a claim's folder (a dataset of the export): present
            source.mkdir(parents=True)
        mounts.append((source, mount["mountPath"], mount.get("readOnly", False)))
    return container, pod, mounts, _service_links([d for d in docs if d["kind"] == "Service"])


def _service_links(services: list[dict]) -> dict[str, str]:
    """The variables the kubelet gives every pod for each Service of its namespace
    (``<NAME>_SERVICE_HOST``/``_PORT``, ``_PORT_<PORTNAME>``); the chart's config reads
    them. Addresses are made up: the container has no network."""
    env = {}
    for number, service in enumerate(services, start=1):
        prefix = service["metadata"]["name"].upper().replace("-", "_") + "_SERVICE"
        env[f"{prefix}_HOST"] = f"10.96.0.{number}"
        ports = service["spec"].get("ports", [])
        if ports:
            env[f"{prefix}_PORT"] = str(ports[0]["port"])
        for port in ports:
            if "name" in port:
                env[f"{prefix}_PORT_{port['name'].upper().replace('-', '_')}"] = str(port["port"])
    return env


def _fill_volume(folder: Path, volume: dict, by_kind: dict) -> None:
    """Write a ConfigMap's or Secret's files as the kubelet would; other volumes (the
    hub's database PVC) become an empty writable folder."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)
    if "configMap" in volume:
        data = by_kind[("ConfigMap", volume["configMap"]["name"])].get("data", {})
        files = {key: value.encode() for key, value in data.items()}
    elif "secret" in volume:
        secret = by_kind[("Secret", volume["secret"]["secretName"])]
        files = {k: base64.b64decode(v) for k, v in secret.get("data", {}).items()}
        if secret.get("type") == "kubernetes.io/service-account-token":
            # filled by the cluster's token controller, not by the manifest
            files |= {"token": b"test-token", "ca.crt": b"", "namespace": b"kimed"}
        files |= {k: v.encode() for k, v in secret.get("stringData", {}).items()}
        items = volume["secret"].get("items")
        if items:
            files = {item["path"]: files[item["key"]] for item in items}
    else:
        return
    for key, content in files.items():
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(content)


def _run_in_hub_pod(hub_pod, argv: list[str], image: str) -> subprocess.CompletedProcess:
    """``argv`` in a container of the hub image shaped like the hub pod, without network."""
    container, pod, mounts, links = hub_pod
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    cmd = [container_cli(), "run", "--rm", "--network=none"]
    if "runAsUser" in security:
        cmd += ["--user", f"{security['runAsUser']}:{security.get('runAsGroup', 1000)}"]
    if security.get("readOnlyRootFilesystem"):
        cmd += ["--read-only"]
    cmd += ["--tmpfs", "/tmp"]
    for source, target, read_only in mounts:
        cmd += ["-v", f"{source}:{target}:{'ro' if read_only else 'rw'}"]
    for name, value in links.items():
        cmd += ["-e", f"{name}={value}"]
    for env in container.get("env", []):
        # literal values as the chart sets them; references to Secrets the operator
        # creates (docs/kubernetes.md) get a placeholder: none of them is read at load
        cmd += ["-e", f"{env['name']}={env.get('value', 'placeholder-from-a-secret')}"]
    return subprocess.run(
        [*cmd, image, *argv], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def loaded(hub_image, hub_pod) -> dict:
    """What the chart's config, loaded in the hub image, says (LOAD_CONFIG's JSON)."""
    result = _run_in_hub_pod(hub_pod, ["python3", "-c", LOAD_CONFIG], hub_image)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_charts_config_loads_our_values_in_the_hub_image(loaded):
    assert loaded["spawner_class"] == SPAWNER_CLASS
    assert loaded["authenticator_class"] == AUTHENTICATOR_CLASS
    names = {service["name"] for service in loaded["services"]}
    assert {"portal", "package-index"} <= names, names
    assert loaded["token_url"] == f"{ISSUER}/protocol/openid-connect/token"
    # consent-filtered mounts: audited by the portal over the pod's loopback, with the
    # hub's own service token; the portal writes views and linked tables to the data root
    assert "kimed-spawner" in names
    assert loaded["consent_audit_url"].startswith("http://127.0.0.1:8098/services/portal/")
    assert loaded["portal_env"]["KIMED_DATA_DIR"] == "/srv/kimed/data"
    assert loaded["portal_env"]["KIMED_STATE_DIR"].startswith("/srv/jupyterhub/")


def test_every_managed_service_command_starts_in_the_hub_image(hub_image, hub_pod, loaded):
    """Each managed service's command (from the chart's loaded config) gets as far as
    parsing its arguments in the image: its module and every import exist there."""
    services = loaded["services"]
    commands = [s["command"] for s in services if s.get("command")]
    assert len(commands) >= 2, services
    for command in commands:
        ran = _run_in_hub_pod(hub_pod, [*command, "--help"], hub_image)
        assert ran.returncode == 0, (command, ran.stderr[-2000:])
        assert ran.stdout.strip(), command  # its help text


def test_the_hub_image_holds_the_policies_and_wheels_the_values_name(hub_image, hub_pod):
    """The paths values.py renders (IMAGE_ROOT) exist in the image, the policies there pass
    the project's own check, and the package index's wheelhouse is complete."""
    script = (
        "import sys; from kimed_hub.policies import check_all; print(check_all()); "
        "from pathlib import Path; "
        "wheels = {p.name for p in Path('/srv/kimed/wheelhouse').glob('*.whl')}; "
        "print(len(wheels))"
    )
    result = _run_in_hub_pod(hub_pod, ["python3", "-c", script], hub_image)
    assert result.returncode == 0, result.stderr[-3000:]
    checked, count = result.stdout.strip().splitlines()[-2:]
    assert "sessions" in checked and "airlock" in checked
    expected = images.wheels.read_lock(images.package_index_env())
    assert int(count) == len(expected)
