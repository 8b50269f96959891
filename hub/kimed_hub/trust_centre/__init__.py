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

#: The portal role of the trust centre's staff, and the scope that confers it.
TRUSTEE = "trustee"
OPERATE_SCOPE = "custom:kimed:operate:trust-centre"
