"""The workbench on Kubernetes: Zero to JupyterHub values, extra manifests, a KubeSpawner.

``kimed k8s render OUTDIR`` (``render``) writes, from the same ``policies/`` as the
one-machine set-up, the chart's values (``values``), the manifests the chart does not
make (``manifests``, ``admission``) and the seccomp profile file nodes need.
``spawner.WorkbenchKubeSpawner`` builds each user pod from ``server_plan`` through
``pod``. Nothing here talks to a cluster; docs/kubernetes.md is the operator's guide.
"""
