"""The 13 districts of Saxony (10 Landkreise, 3 kreisfreie Städte) the synthetic cohort lives in.

Populations are rounded, approximate figures; they only weight where synthetic participants
live. ``urban`` marks the three kreisfreie Städte, which the generator gives more traffic
pollution and a slightly higher depression baseline (the area-level confounder).
"""

from __future__ import annotations

import pandas as pd

# (name, approximate population in thousands, kreisfreie Stadt?)
_SAXON_DISTRICTS = [
    ("Chemnitz", 245, True),
    ("Dresden", 565, True),
    ("Leipzig", 615, True),
    ("Bautzen", 295, False),
    ("Erzgebirgskreis", 325, False),
    ("Görlitz", 250, False),
    ("Landkreis Leipzig", 260, False),
    ("Meißen", 240, False),
    ("Mittelsachsen", 300, False),
    ("Nordsachsen", 195, False),
    ("Sächsische Schweiz-Osterzgebirge", 245, False),
    ("Vogtlandkreis", 220, False),
    ("Zwickau", 310, False),
]


def saxon_districts() -> pd.DataFrame:
    """One row per district: area, population_k, urban (bool), weight (population share)."""
    frame = pd.DataFrame(_SAXON_DISTRICTS, columns=["area", "population_k", "urban"])
    frame["weight"] = frame["population_k"] / frame["population_k"].sum()
    return frame
