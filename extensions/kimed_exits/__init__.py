"""kimed_exits: the closed exits of the user's Jupyter server (issue 9, "Airlock").

A Jupyter server extension, shipped in the single-user image (``/opt/kimed/lib``) and
enabled by its ``jupyter_server_config.py``, configured from the reviewed policy
``policies/workspace-exits.yaml``: no download or export route, a contents API limited to
what JupyterLab's viewers need, no path out of the home, limited kernel output, terminals
per policy, and JupyterLab's download plugins disabled and locked (``lab_config.py``, at
image build). Threat model: docs/airlock-threat-model.md.

Nothing here imports Jupyter at import time, so the hub can use ``kimed_exits.policy``.
"""


def _jupyter_server_extension_points():
    return [{"module": "kimed_exits.extension"}]
