"""Contract years ("2026/27"): the one place that knows how they are written and compared.

A contract year runs from 1 April to 31 March. The Network Contract DES began in 2019/20, so
no earlier year is accepted; a later year than the national facts hold is accepted, and its
figures are then the network's own (see `checks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

FIRST_YEAR = 2019
"""The first year of the Network Contract DES: 2019/20 (from 1 July 2019)."""

_PATTERN = re.compile(r"^([0-9]{4})/([0-9]{2})$")


@dataclass(frozen=True, order=True)
class ContractYear:
    """A contract year, ordered by its first calendar year."""

    first: int

    def __str__(self) -> str:
        return f"{self.first}/{(self.first + 1) % 100:02d}"

    @property
    def starts(self) -> date:
        """Return 1 April of the year's first calendar year."""
        return date(self.first, 4, 1)

    @property
    def ends(self) -> date:
        """Return 31 March of the year's second calendar year."""
        return date(self.first + 1, 3, 31)

    @property
    def list_date(self) -> date:
        """Return 1 January of the year's first calendar year, the date lists are counted on."""
        return date(self.first, 1, 1)


def parse(text: str) -> ContractYear | None:
    """Return the contract year text names ("2026/27"), or None if it is not one."""
    match = _PATTERN.match(text.strip())
    if match is None:
        return None
    first = int(match.group(1))
    if (first + 1) % 100 != int(match.group(2)):
        return None
    return ContractYear(first)


def problem(text: str) -> str | None:
    """Return why text is not an acceptable contract year, or None if it is one."""
    year = parse(text)
    if year is None:
        return f"expected a contract year such as 2026/27 (two years in a row), got '{text}'"
    if year.first < FIRST_YEAR:
        return f"expected 2019/20 or later (the Network Contract DES began then), got '{text}'"
    return None


def checked(text: str) -> str:
    """Return a contract year's text, stripped; raise ValueError saying why if it is not one.

    The one check of a contract year's text: the profile model's, and `pcndocs new`'s.
    """
    wrong = problem(text)
    if wrong:
        raise ValueError(wrong)
    return text.strip()


def is_contract_year(text: str) -> bool:
    """Return whether text is a well-formed contract year from 2019/20 on."""
    return problem(text) is None


def containing(day: date) -> ContractYear:
    """Return the contract year a date falls in: each year starts on 1 April."""
    return ContractYear(day.year if day.month >= 4 else day.year - 1)


def counted_on(list_date: date) -> ContractYear:
    """Return the contract year whose funding counts lists on this date's 1 January.

    2021-01-01 -> 2021/22: the year from April 2021 uses the list at 1 January 2021.
    """
    return ContractYear(list_date.year)


def later(a: str, b: str) -> bool:
    """Return whether contract year a comes after b (both well formed)."""
    return _key(a) > _key(b)


def at_least(year: str, since: str) -> bool:
    """Return whether contract year `year` is `since` or later (both well formed)."""
    return _key(year) >= _key(since)


def within(year: str, first: str | None, last: str | None) -> bool:
    """Return whether a year lies between first and last, either end open when None."""
    return (first is None or at_least(year, first)) and (last is None or at_least(last, year))


def _key(text: str) -> int:
    year = parse(text)
    if year is None:
        raise ValueError(f"not a contract year: {text!r}")
    return year.first


def parse_key(text: str) -> int:
    """Return a sort key for a well-formed contract year: its first calendar year."""
    return _key(text)


def following(text: str) -> str:
    """Return the contract year after a well-formed one: 2023/24 -> 2024/25."""
    return str(ContractYear(_key(text) + 1))
