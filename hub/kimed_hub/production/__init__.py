"""Running one workbench in production on one machine: systemd units (``systemd.py``),
the production mode's checks and TLS (``mode.py``), backup and restore (``backup.py``).

Admission of spawns (``spawn_queue.py``) and the managed services' supervision
(``service_supervision.py``) sit beside the spawner and the hub config that use them.
"""
