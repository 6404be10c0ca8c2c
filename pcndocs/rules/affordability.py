"""What each funding stream pays for, beside what it holds: the board's affordability view."""

from __future__ import annotations

from dataclasses import dataclass

from pcndocs import years
from pcndocs.profile.model import Profile
from pcndocs.rules.facts import Facts
from pcndocs.rules.funding import DirectorFunding, LeadershipCosts, StreamFunds, stream_funds


def stream_note(stream: str, year: str, facts: Facts) -> str | None:
    """Return why a funding stream is not paid in a contract year, or None if it is paid."""
    item = facts.stream(stream)
    if item.exists_in(year):
        return None
    if item.first is not None and years.later(item.first, year):
        return f"not paid in {year}: it began in {item.first}."
    return f"not paid in {year}: it ended in {item.last}. {item.replaced_by or ''}".strip()


def stream_title(stream: str, year: str, facts: Facts, short: bool = False) -> str:
    """Return a funding stream's name as it was in a contract year."""
    name = facts.stream(stream).name_in(year)
    return name.short_title if short else name.title


@dataclass(frozen=True)
class Charge:
    """One funding stream in the board's affordability view: what it pays, what it holds."""

    stream: str  # the funding stream's id, such as core
    title: str  # the funding stream's name in the contract year
    short_title: str  # the stream's short name, where a table has little room
    pays_directors: bool  # the directors are paid from this stream
    directors: float | None  # the directors' pay, on the stream that pays them; None: unknown
    leads: float  # what the leads paid from this stream cost a year, in pounds
    lead_names: tuple[str, ...]  # the names of those leads
    funds: StreamFunds | None  # what the network receives from the stream, where known
    note: str | None  # why the stream is not paid this year
    missing: str | None = None  # why no amount is shown for the stream, in the board's words

    @property
    def total(self) -> float | None:
        """Return what the stream pays for, or None while the directors' pay is unknown."""
        if self.pays_directors and self.directors is None:
            return None
        return (self.directors or 0) + self.leads

    @property
    def share(self) -> float | None:
        """Return what the stream pays for as a fraction of what it holds, where both are known."""
        total = self.total
        amount = self.funds.amount if self.funds else None
        if total is None or amount is None or not amount.exact or amount.low == 0:
            return None
        return total / amount.low


def affordability(
    profile: Profile, facts: Facts, funding: DirectorFunding, costs: LeadershipCosts
) -> tuple[Charge, ...]:
    """Return, per funding stream used, the pay and costs charged to it and what it holds.

    The directors' stream comes first; the leads' streams follow in the order they appear.
    Nothing compares the leads with the directors' money: each stream stands on its own.
    Costs are for the contract year's months: 9 in 2019/20, which began on 1 July 2019.
    """
    year = funding.year
    part = funding.months / 12
    pay = funding.pay_per_year * part if funding.pay_per_year is not None else None
    funds = stream_funds(profile, facts)
    order = [funding.paid_from] + [s for s in costs.by_stream if s != funding.paid_from]
    charges = []
    for stream in order:
        leads = [c.lead.name for c in costs.leads if c.lead.funding_stream == stream]
        if stream != funding.paid_from and not leads:
            continue
        title = funds[stream].title if stream in funds else stream_title(stream, year, facts)
        charges.append(
            Charge(
                stream=stream,
                title=title,
                short_title=title
                if stream == "cd_payment"
                else stream_title(stream, year, facts, True),
                pays_directors=stream == funding.paid_from,
                directors=pay if stream == funding.paid_from else 0.0,
                leads=costs.by_stream.get(stream, 0.0) * part,
                lead_names=tuple(leads),
                funds=funds.get(stream),
                note=None if stream == "cd_payment" else stream_note(stream, year, facts),
                missing=why_no_amount(stream, funds.get(stream), year, profile),
            )
        )
    return tuple(charges)


def why_no_amount(
    stream: str, funds: StreamFunds | None, year: str, profile: Profile
) -> str | None:
    """Return, in plain words for the board, why a stream's amount for the year is not shown.

    None when the amount is shown. The summary puts this in the cell where the amount would be,
    so no cell of the table is left for the reader to guess at.
    """
    if funds is not None and funds.amount is not None:
        return None
    if funds is None:
        return f"None: the stream is not paid in {year}"
    if stream == "iif":
        return "Not known in advance: it depends on what the network earns"
    if stream == "capacity_and_access":
        return "Not known in advance: it depended on the network’s results"
    if stream == "other":
        return "Not stated: a local source the member practices agree"
    if profile.funding.adjusted_population is None and "adjusted population" in funds.working:
        return "Not worked out: the profile does not give the adjusted population"
    return f"Not known: no national rate for {year}, and the network states none"
