"""The identifying fields (IDAT) the trust centre knows, and how they are normalised.

Holders deliver these columns; the names are fixed so that every holder's delivery, the
policy (``policies/trust-centre.yaml``) and the encodings speak of the same fields.
Normalisation makes spelling conventions agree before any comparison (case, umlauts and
ß, accents, spaces and hyphens): "Müller-Lüdenscheidt" and "MUELLER LUEDENSCHEIDT" are
the same name; typos are left for the similarity measures.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

LOCAL_ID = "patient_id"  # the holder-local patient id (in IDAT and MDAT)
GIVEN_NAME = "given_name"
FAMILY_NAME = "family_name"
BIRTH_DATE = "birth_date"  # ISO 8601 (YYYY-MM-DD)
SEX = "sex"
POSTCODE = "postcode"
#: Every identifying field a delivery may carry (besides the local id).
IDAT_FIELDS = (GIVEN_NAME, FAMILY_NAME, BIRTH_DATE, SEX, POSTCODE)

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_LETTERS = re.compile(r"[^a-z]")


def normal_name(value: str) -> str:
    """Lower case, umlauts spelled out, accents and everything but letters dropped."""
    text = str(value).strip().lower().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_LETTERS.sub("", text)


def normalised(idat: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """The local id and ``fields`` of a delivery, normalised as strings (missing: "")."""
    out = pd.DataFrame({LOCAL_ID: idat[LOCAL_ID].astype(str)})
    for field in fields:
        values = idat[field].fillna("").astype(str)
        if field in (GIVEN_NAME, FAMILY_NAME):
            # Names repeat: normalise each distinct one once.
            values = values.map({v: normal_name(v) for v in values.unique()})
        else:
            values = values.str.strip().str.lower()
        out[field] = values
    return out
