"""JupyterHub configuration of the KIMed Workbench: thin wiring over ``kimed_hub``.

All decisions live in the ``kimed_hub`` package and in ``policies/``; see
``kimed_hub/config.py`` for what is set and why. Operators change deployment settings
with ``KIMED_*`` environment variables or a site YAML named by ``KIMED_SITE_CONFIG``.
"""

from kimed_hub.config import configure

configure(c)  # noqa: F821 (``c`` is provided by JupyterHub)
