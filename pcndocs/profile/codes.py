"""The shapes of the NHS codes a profile holds: one definition each, for the profile model,
its checks between keys, the importer of the national files and compare's redlines."""

from __future__ import annotations

import re

# A GP practice's ODS code: a letter and five digits (A81001, Y02657). [0-9], not \d, which
# would take other scripts' digits too.
PRACTICE_CODE = re.compile(r"[A-Z][0-9]{5}")
# A Primary Care Network's code: U and five digits (U35980).
PCN_CODE = re.compile(r"U[0-9]{5}")
# Any organisation's ODS code: a practice's (A81001), a trust's (RXX) or another provider's.
ORGANISATION_CODE = re.compile(r"[A-Z0-9]{3,6}")


def is_practice_code(code: str) -> bool:
    """Return whether a code, trimmed and in capitals, has the shape of a practice's ODS code."""
    return PRACTICE_CODE.fullmatch(code) is not None


def normalise_code(code: str) -> str:
    """Return a code as the national files write it: trimmed and in capitals (u35980 -> U35980)."""
    return code.strip().upper()
