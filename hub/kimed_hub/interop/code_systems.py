"""Older and second code-system URIs in DIZ exports: normalise or refuse, as reviewed.

    canonical("http://fhir.de/CodeSystem/dimdi/icd-10-gm")  # the BfArM URI
    refused("http://hl7.org/fhir/sid/icd-10")                # (use, why) or None

What a receiver does with each URI is data, not code: ``policies/fhir-code-systems.yaml``
(schema-checked, failing closed: a broken file stops every import with the policy
loader's message). ``normalise`` entries name the same code system under an older URI
(DIMDI's before its merger into the BfArM) or a second name (WHO's ATC), so the tables
keep the coding under the current URI and record the URI as written; ``refuse`` entries
are other systems whose codes cannot stand for the profile's (WHO ICD-10 for
ICD-10-GM). Loaded once per process (import workers included).
"""

from __future__ import annotations

from functools import cache

from kimed_demos.phenotype.codes import CODE_SHAPES

from ..policies import PolicyError, load_policy

POLICY = "fhir-code-systems"


@cache
def _policy() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """(normalised URI -> current URI, refused URI -> (URI to use, why))."""
    systems = load_policy(POLICY)["systems"]
    problems = [
        f"'{uri}': use {entry['use']!r} is no code system the import knows"
        for uri, entry in systems.items()
        if entry["use"] not in CODE_SHAPES
    ]
    problems += [
        f"'{uri}' is a current URI, not an older one" for uri in systems if uri in CODE_SHAPES
    ]
    if problems:
        raise PolicyError(
            f"policy policies/{POLICY}.yaml is invalid, so nothing is imported: "
            + "; ".join(problems)
            + ". Name a current URI from kimed_demos/phenotype/codes.py in 'use'."
        )
    normalised = {u: e["use"] for u, e in systems.items() if e["action"] == "normalise"}
    refused = {u: (e["use"], e["why"]) for u, e in systems.items() if e["action"] == "refuse"}
    return normalised, refused


def canonical(system: str | None) -> str | None:
    """The current URI for ``system`` (itself when the policy does not normalise it)."""
    return _policy()[0].get(system, system)


def refused(system: str | None) -> tuple[str, str] | None:
    """(URI to use, why) when the policy refuses ``system``; None otherwise."""
    return _policy()[1].get(system)


def normalised_systems() -> dict[str, str]:
    """Every URI the policy normalises, with its current URI (for docs and checks)."""
    return dict(_policy()[0])
