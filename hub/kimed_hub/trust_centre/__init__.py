"""The trust centre (Treuhandstelle): identifying data kept apart from medical data,
project-specific pseudonyms, and record linkage across data holders.

Library modules, no HTTP (the portal's ``api_trust_centre`` serves them):

* ``identifiers``: the identifying fields and their normalisation;
* ``store``: the trust centre's own folder (deliveries, master key, project links);
* ``pseudonyms``: keyed, project-specific pseudonyms (HMAC);
* ``bloom``, ``bloom_match``: Bloom-filter encodings made at the holder, Dice matching
  with LSH blocking at the trust centre (privacy-preserving record linkage);
* ``probabilistic``: Fellegi-Sunter linkage of clear identifiers (Splink);
* ``matching``, ``linkage``: one-to-one assignment, clusters, linkage of a project;
* ``tables``: the pseudonymised, linked tables a project mounts (every column checked);
* ``service``, ``activation``: the audited actions, and what activating a request does;
* ``policy``: ``policies/trust-centre.yaml``; ``demo``, ``demo_setup``: generated holders.

See docs/trust-centre.md.
"""

import os
from pathlib import Path

#: The portal role of the trust centre's staff, and the scope that confers it.
TRUSTEE = "trustee"
OPERATE_SCOPE = "custom:kimed:operate:trust-centre"
#: The trust centre's own folder (identifiers, master key, project links).
DIR_ENV = "KIMED_TRUST_CENTRE_DIR"


def trust_centre_dir() -> Path:
    """Where the trust centre keeps its files: ``KIMED_TRUST_CENTRE_DIR``, else
    ``<hub data>/trust-centre`` (light: the hub's config calls it for the portal)."""
    from ..paths import hub_data_dir

    return Path(os.environ.get(DIR_ENV) or hub_data_dir() / "trust-centre")
