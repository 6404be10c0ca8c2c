"""The contract years and dates the profile's key descriptions state, read from the data.

The descriptions (the help of `pcndocs schema`, of the web form and the comments `new` writes)
say when a payment ended or a rule began. The profile model is built as it is imported, below
the rules that read and check the data (pcndocs/rules/facts.py), so it reads these few words
from the same file here; tests/test_year_words.py holds them equal to what facts.py reads, so
a change to pcndocs/data/funding.yaml changes the help with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pcndocs import years
from pcndocs.resources import read_data


@dataclass(frozen=True)
class YearWords:
    """What the descriptions say of the contract years, as the data gives it."""

    cd_payment_last: str  # the last year of the separate clinical director payment
    core_payment_last: str  # the last year of the core payment ...
    core_payment: str  # ... and its rate per registered patient then, such as "£1.50"
    core_pcn_funding_first: str  # the first year of Core PCN Funding
    leadership_first: str  # the leadership and management payment's first year ...
    leadership_last: str  # ... and its last
    capacity_last: str  # the last year of the capacity and access payments
    no_core_rate: tuple[str, ...]  # the years held with no national rate of Core PCN Funding
    core_rate_needed_from: str  # the first year with no national rate: held, or the next
    latest: str  # the latest contract year the data holds
    variation_first: str  # the first year of Local Variation Agreements ...
    variation_from: date | None  # ... and the day they began
    neighbourhoods_first: str  # the first year footprints are aligned with neighbourhoods


def _funding() -> Any:
    return read_data("funding")


def year_words() -> YearWords:
    """Return the years and dates the descriptions state, from pcndocs/data/funding.yaml."""
    data = _funding()
    by_year: dict[str, Any] = data["years"]
    streams = {stream["id"]: stream for stream in data["streams"]}
    last_paid = data["cd_basis"]["last_paid"]
    core_first = min(
        (y for y, v in by_year.items() if "core_pcn_funding" in v), key=years.parse_key
    )
    core_last = max((y for y, v in by_year.items() if "core_payment" in v), key=years.parse_key)
    latest = max(by_year, key=years.parse_key)
    no_core_rate = tuple(
        y for y, v in by_year.items() if years.later(y, core_last) and "core_pcn_funding" not in v
    )
    return YearWords(
        cd_payment_last=last_paid,
        core_payment_last=core_last,
        core_payment=f"£{by_year[core_last]['core_payment']['value']:.2f}",
        core_pcn_funding_first=core_first,
        leadership_first=streams["leadership_and_management"]["first"],
        leadership_last=streams["leadership_and_management"]["last"],
        capacity_last=streams["capacity_and_access"]["last"],
        no_core_rate=no_core_rate,
        core_rate_needed_from=no_core_rate[0] if no_core_rate else years.following(latest),
        latest=latest,
        variation_first=data["local_variation"]["first"],
        variation_from=data["local_variation"].get("from"),
        neighbourhoods_first=data["neighbourhoods"]["first"],
    )


def long_date(day: date | None) -> str:
    """Return a day as people in England write it: 1 May 2026."""
    return f"{day.day} {day:%B %Y}" if day else ""


WORDS = year_words()
