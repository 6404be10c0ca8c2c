"""The shapes of the codes in the national files."""

from __future__ import annotations

import re

# A GP practice: a letter and five digits (A81001, Y02657).
PRACTICE_CODE = re.compile(r"[A-Z]\d{5}")
# A Primary Care Network: U and five digits (U35980).
PCN_CODE = re.compile(r"U\d{5}")


def is_practice_code(code: str) -> bool:
    """Return whether a partner code has the shape of a GP practice's ODS code."""
    return PRACTICE_CODE.fullmatch(code) is not None


def normalise_code(code: str) -> str:
    """Return a code as the files write it: trimmed and in capitals (u35980 -> U35980)."""
    return code.strip().upper()
