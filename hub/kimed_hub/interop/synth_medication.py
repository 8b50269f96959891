"""How the generator writes drugs: in the statements, or as Medication resources of their own.

The MII Medication module lets a MedicationStatement or MedicationAdministration code its
drug itself (``medicationCodeableConcept``) or name a Medication resource
(``medicationReference``), which is how many DIZ exports do it. ``MedicationForm``
rewrites one simulated patient's resources into the form asked for:

- ``codeable``: as simulated (the default; byte-identical to earlier releases);
- ``shared``: one Medication per ATC code for the whole export, written before the first
  statement that names it (a product catalogue: later statements, bundles included,
  refer back to it);
- ``per-statement``: one Medication per statement (the most Medication resources an
  export can have; what ``bench/fhir.py --own-medications`` measures).
"""

from __future__ import annotations

FORMS = ("codeable", "shared", "per-statement")
USERS = ("MedicationStatement", "MedicationAdministration")


class MedicationForm:
    """Rewrites each patient's resources (in order) into one of :data:`FORMS`."""

    def __init__(self, form: str = "codeable"):
        if form not in FORMS:
            raise ValueError(f"medications {form!r} is not one of {', '.join(FORMS)}")
        self.form, self.written = form, set()

    def apply(self, resources: list[dict]) -> list[dict]:
        """The resources with each drug in this form (new Medications first)."""
        if self.form == "codeable":
            return resources
        medications, out = [], []
        for resource in resources:
            if resource["resourceType"] in USERS and "medicationCodeableConcept" in resource:
                resource = dict(resource)
                concept = resource.pop("medicationCodeableConcept")
                ident = self._ident(resource, concept)
                if ident not in self.written:
                    medications.append({"resourceType": "Medication", "id": ident, "code": concept})
                    self.written.add(ident)
                resource["medicationReference"] = {"reference": f"Medication/{ident}"}
            out.append(resource)
        return medications + out

    def _ident(self, resource: dict, concept: dict) -> str:
        if self.form == "per-statement":
            return f"med-{resource['id']}"
        return f"med-atc-{concept['coding'][0]['code'].lower()}"
