"""Jupyter Server defaults baked into the KIMed single-user image.

Installed as /opt/venv/etc/jupyter/jupyter_server_config.py (the environment's own config
path). The hub's spawner passes per-user settings (base URL, token, service URL) in the
environment; these are the image's defaults for a container with a read-only root and no
route to the internet.
"""

import os

c = get_config()  # noqa: F821 (injected by Jupyter's config loader)

# Listen on every interface of the container's own network namespace, so that a published
# port reaches the server (the spawner publishes it on the host's 127.0.0.1 only). When
# spawned by JupyterHub, jupyterhub-singleuser takes ip and port from
# JUPYTERHUB_SERVICE_URL; these defaults cover running the image by hand.
c.ServerApp.ip = "0.0.0.0"
c.ServerApp.port = 8888
c.ServerApp.open_browser = False

# The closed exits (extensions/kimed_exits, configured from policies/workspace-exits.yaml,
# which the image holds in /opt/kimed/policies). Any extension that fails to load stops
# the server rather than leaving it running without it (fail closed); kimed_exits also
# exits on its own when its policy is missing or invalid.
c.ServerApp.jpserver_extensions = {"kimed_exits": True}
c.ServerApp.reraise_server_extension_failures = True

# Jupyter's data directory is read-only in the image (JUPYTER_DATA_DIR, Containerfile);
# the notebook trust database and signing key stay where they always were, in the home
# (created here: Jupyter made it as the data directory before, and the notary does not).
_TRUST_DIR = os.path.expanduser("~/.local/share/jupyter")
os.makedirs(_TRUST_DIR, mode=0o700, exist_ok=True)
c.NotebookNotary.data_dir = _TRUST_DIR

# No internet in here: don't fetch JupyterLab's news feed or check for updates (the lab
# side is off too: the announcements plugin is disabled and locked by kimed_exits).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# Extensions come only from the image (the root filesystem is read-only and there is no
# package index): show installed extensions, offer no install button.
c.LabApp.extension_manager = "readonly"

# The curated kernels (kernels/, one venv each in /opt/kernels/) are the only kernels: the
# server's own Python (/opt/venv: Jupyter, no data science packages) is not offered, and a
# new notebook or console starts the default kernel, python-base.
c.KernelSpecManager.ensure_native_kernel = False
c.MultiKernelManager.default_kernel_name = "python-base"

# The server holds the user's hub tokens and its cookie secret; kernels and terminals
# (user code, same uid) must not read its memory through /proc/<pid>/mem or attach to it.
# The seccomp profile (policies/seccomp.json) denies ptrace and process_vm_*; a
# non-dumpable process also has its /proc files owned by root and refuses ptrace-mode
# access to anyone without CAP_SYS_PTRACE (nobody here). Kernels are exec'd children and
# dumpable again: they are the user's own. Fail closed if the kernel refuses.
import ctypes  # noqa: E402 (this file is executed as config)

PR_SET_DUMPABLE = 4
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed in the Jupyter server")
