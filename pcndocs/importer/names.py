"""Names as people write them, from the capitals of the national files."""

from __future__ import annotations

import functools
import re

# Kept in capitals wherever they appear: health-service and legal abbreviations.
ACRONYMS = frozenset(
    {
        "PCN", "NHS", "GP", "ICB", "CCG", "ICS", "UK", "STP", "LMC", "PMS", "APMS", "GMS",
        "LLP", "CIC", "NE", "SE", "NEL", "IOW", "UCC", "UTC", "OOH", "CQC", "BMA", "QOF", "IIF",
    }
)  # fmt: skip

# Written in lower case unless they open the name or a bracket.
SMALL_WORDS = frozenset(
    {"and", "of", "the", "on", "in", "upon", "with", "at", "by", "for", "under"}
)

# Lower case between two hyphens only, as in Stanford-le-Hope or Weston-super-Mare.
COMPOUND_PARTICLES = SMALL_WORDS | {"le", "la", "les", "en", "an", "sub", "super", "de", "cum"}

# Words without a vowel that are ordinary abbreviations, not acronyms.
VOWELLESS_WORDS = frozenset(
    {
        "DR", "DRS", "MR", "MRS", "MS", "ST", "STS", "RD", "CTR", "CNTR", "HTH", "HLTH",
        "GRP", "LTD", "PL", "SQ", "PK", "CT", "CRT", "BLDG", "GDNS", "SRGY", "MDCL", "PRCT",
    }
)  # fmt: skip

# Before a surname, words of one or two letters after these are initials: Dr GI Jones.
TITLES = frozenset({"DR", "DRS", "MR", "MRS", "MS", "MISS", "PROF"})

_ROMAN = re.compile(r"X{0,3}(IX|IV|V?I{0,3})")
_ORDINAL = re.compile(r"(\d+)(ST|ND|RD|TH)", re.IGNORECASE)
_VOWELS = frozenset("AEIOUY")
# A word is letters and digits with inner or trailing apostrophes (John's, Doctors').
_TOKENS = re.compile(r"[^\W_]+(?:['’][^\W_]*)*|(?:[^\w'’]|_|['’])+")


# Cached: each name is formatted for sorting, for the profile and for the report.
@functools.lru_cache(maxsize=16384)
def format_name(text: str) -> str:
    """Return an organisation name as people write it: `ST JOHN'S PCN` -> `St John's PCN`.

    Whitespace is collapsed; words already in mixed case (LiGA, SEOxHA) are kept as written.
    """
    tokens = _TOKENS.findall(" ".join(text.split()))
    out: list[str] = []
    opens_phrase = True
    initials_may_follow = False
    before_title = False  # the last word was a title: Dr, Drs, Mr...
    for i, token in enumerate(tokens):
        if not _is_word(token):
            out.append(token)
            # A bracket starts a new phrase: "(The Grange)" keeps its capital.
            if "(" in token or "[" in token:
                opens_phrase = True
                initials_may_follow = True  # bracketed doctors: (JA WOOD)
                before_title = False
            continue
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        lower = token.lower()
        between_hyphens = before == "-" and after == "-"
        particles = COMPOUND_PARTICLES if between_hyphens else SMALL_WORDS
        if initials_may_follow and _looks_like_initials(token, tokens[i + 1 :], before_title):
            out.append(token.upper())
            opens_phrase = False
            continue  # DR J H ROBERTS: a chain of initials
        elif not opens_phrase and lower in particles:
            out.append(lower)
        else:
            out.append(_format_word(token))
        opens_phrase = False
        initials_may_follow = token.upper() in TITLES
        before_title = initials_may_follow
    return "".join(out)


def _looks_like_initials(token: str, rest: list[str], after_title: bool = False) -> bool:
    """Return whether a word after a title or bracket is initials: two letters, then a name.

    Straight after a title even a small word is initials: "DR AT BRADFORD'S" is Dr AT
    Bradford's, since a title is followed by a name, never by "at".
    """
    upper = token.upper()
    if not (token.isalpha() and len(token) <= 2) or upper in VOWELLESS_WORDS | TITLES:
        return False
    if (token.lower() in SMALL_WORDS and not after_title) or upper in ACRONYMS:
        return False
    return len(rest) >= 2 and rest[0] in {" ", ". "} and _is_word(rest[1])


def _is_word(token: str) -> bool:
    """Return whether a token is a word rather than spaces and punctuation."""
    return token[0].isalnum()


def _format_word(word: str) -> str:
    """Return one word (letters, digits, apostrophes) in the case people write it."""
    upper = word.upper()
    if upper in ACRONYMS:
        return upper
    if _has_mixed_case(word):
        return word
    if len(upper) > 2 and upper.endswith("S") and upper[:-1] in ACRONYMS:
        return upper[:-1] + "s"  # plural acronyms: GPs, PCNs
    if "'" in word or "’" in word:
        return _format_apostrophe_word(word)
    if any(c.isdigit() for c in word):
        return _format_alphanumeric(word)
    if _ROMAN.fullmatch(upper):
        return upper
    if len(upper) == 1:
        return upper  # an initial, as in DR A PATEL
    if not (_VOWELS & set(upper)) and upper not in VOWELLESS_WORDS and upper.isascii():
        return upper  # no vowel: an acronym such as CFH or BNSSG
    if upper.startswith("MC") and len(upper) > 3:
        return "Mc" + upper[2:].capitalize()
    return upper.capitalize()


def _has_mixed_case(word: str) -> bool:
    """Return whether a word has both capitals and small letters, so was cased by a person."""
    return any(c.isupper() for c in word) and any(c.islower() for c in word)


def _format_apostrophe_word(word: str) -> str:
    """Return a word with apostrophes cased: St John's, O'Connell, P'ship, Doctors'."""
    head, mark, rest = re.split(r"(['’])", word, maxsplit=1)
    if head.upper() in {"O", "D"} and len(rest) > 1 and rest.isalpha():
        return head.upper() + mark + rest.capitalize()
    return _format_word(head) + mark + rest.lower()


def _format_alphanumeric(word: str) -> str:
    """Return a word of letters and digits cased: 4th, A34, LS25, PCN1, Together4Healthcare."""
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        return ordinal.group(1) + ordinal.group(2).lower()
    parts = re.findall(r"\d+|\D+", word)
    # Short letter runs beside digits are codes (roads, postcodes); long ones are words.
    return "".join(
        p.upper()
        if p.isdigit() or len(p) < 4 or not (_VOWELS & set(p.upper()))
        else _format_word(p)
        for p in parts
    )
