"""Project-specific pseudonyms, keyed so that only the trust centre can make them.

    key = project_key(master, "AR-2026-0007")
    pseudonym(key, ("klinikum-a", "KL-0595799"))   # "P7KQ2M..." the same every time

A project's key is HMAC-SHA256 of its id under the trust centre's master secret, so
every project has its own key without a key file per project, and nobody without the
master secret can compute or invert a pseudonym. The pseudonym of a person is the HMAC of
the record that represents their linked cluster under the project's key: the same person
gets the same pseudonym in every table of one project, and unrelated pseudonyms in two
projects (two keys), so two projects' tables cannot be joined with each other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

#: Characters of the pseudonym (base32: 5 bits each, so 80 bits).
LENGTH = 16


def project_key(master: bytes, project: str) -> bytes:
    """The key of one project (an access request id)."""
    return hmac.new(master, b"project:" + project.encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, record: tuple[str, str]) -> str:
    """The pseudonym for the cluster that ``record`` (dataset, local id) represents."""
    message = "\x00".join(record).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "P" + base64.b32encode(digest).decode()[: LENGTH - 1]
