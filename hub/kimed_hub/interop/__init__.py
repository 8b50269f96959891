"""MII interoperability: FHIR core-dataset data in the workbench (no HTTP here).

- ``generate``: fictional MII core-dataset data (NDJSON or bundles) with ground truth.
- ``importer``: FHIR R4 import into analysis-ready tables (Parquet and CSV).
- ``catalogue_record``: the HealthDCAT-AP record derived from an import.
- ``consent``: MII broad consent honoured at mount time (filtered, read-only copies).
- ``phenotype``: TOP-style phenotype definitions and their evaluation over the tables.
- ``feasibility``: disclosure-protected patient counts before access.

See ``docs/interop.md``.
"""
