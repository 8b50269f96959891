"""Per-project de-identification policy choices that are not a matter of accuracy.

Ages: HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)(C)) removes only ages over 89, which
are rare enough to single a person out; ages up to 89 stay because dosing, risk scores
and most research questions need them. A project whose letters go to a smaller or more
exposed audience can remove every age (``"all"``). The default is ``"over89"``: the
de-identified letters of a research SPE stay clinically usable, and the other
quasi-identifiers (dates, places) are removed anyway, so an age alone no longer links
a letter to a person. The choice is made per project (``Deidentifier(age_policy=...)``).
"""

from __future__ import annotations

import re

AGE_POLICIES = ("over89", "all")
DEFAULT_AGE_POLICY = "over89"
_NUMBER = re.compile(r"\d+")


def check_age_policy(policy: str) -> str:
    """Return ``policy`` if known, else raise ValueError listing the choices."""
    if policy not in AGE_POLICIES:
        raise ValueError(f"unknown age policy {policy!r}; use one of {AGE_POLICIES} "
                         "(over89: HIPAA Safe Harbor, all: every age)")  # fmt: skip
    return policy


def age_is_identifying(text: str, policy: str) -> bool:
    """True if the age written in ``text`` must be removed under ``policy``."""
    check_age_policy(policy)
    if policy == "all":
        return True
    number = _NUMBER.search(text)
    return number is not None and int(number.group()) > 89
