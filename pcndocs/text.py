"""The characters no document may hold, shared by the profile loader and the templating."""

from __future__ import annotations

import re

# What XML 1.0 forbids (so a DOCX cannot hold it): C0 controls other than tab, line feed and
# carriage return, lone surrogates, U+FFFE and U+FFFF. Also removed: DEL, the C1 controls
# other than NEL (invisible, and refused by YAML in a file) and a byte order mark.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]"
)
# Of those, the ones that separate text (vertical tab, form feed, the information
# separators): Word writes a vertical tab for a line break, so they become spaces.
SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1f]")
# Line and paragraph breaks of every kind, and tabs: a value of one line has none of them.
BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]+")


def remove_forbidden(text: str) -> str:
    """Return text without the characters that XML forbids or that are invisible controls."""
    return FORBIDDEN.sub("", SEPARATORS.sub(" ", text))


def one_line(text: str) -> str:
    """Return text with every tab and line break made a single space."""
    return BREAKS.sub(" ", text)
