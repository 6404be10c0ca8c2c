"""Each figure a document prints, with its standing and sources, in the words a reader sees.

One list serves the leadership summary, the job description and `pcndocs facts`, so a
figure is called the same thing, with the same sources, wherever it appears: a confirmed
figure names its specification, a reported one who reported it, an estimate says it is one,
and a figure pcndocs works out says so and shows its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pcndocs.rules.facts import Facts
from pcndocs.rules.funding import (
    DirectorFunding,
    StreamFunds,
    sessions_text,
    wte_text,
)

Standing = Literal[
    "confirmed", "reported", "estimate", "worked out", "network's own", "not published"
]
# Rates whose sum the network can state itself, and the key of the profile that states it.
OWN_FIGURE_KEYS = {
    "cd_payment": "funding.cd_rate_per_patient",
    "leadership_and_management": "funding.leadership_and_management_rate_per_patient",
    "core": "funding.core_pcn_funding",
}


@dataclass(frozen=True)
class FigureLine:
    """One figure as a document states it, with where it comes from."""

    label: str  # what the figure is: "Core PCN Funding for 2025/26"
    value: str  # the figure as printed: "£177,960"; empty where none can be shown
    standing: Standing  # how sure the figure is, or that it is worked out or the network's
    sources: str  # the sources, worded for the standing
    working: str | None = None  # the inputs of a worked-out figure, or the rate × patients
    note: str | None = None  # the caveat the data keeps beside the figure, in one line
    brief_sources: str | None = None  # the sources as the one-page summary prints them

    @property
    def sentence(self) -> str:
        """Return what the document says of the figure, after its label and value."""
        working = f"{self.working[0].upper()}{self.working[1:]}. " if self.working else ""
        if self.standing == "worked out":
            text = f"Worked out by pcndocs: {self.working}, on the basis of {self.sources}."
        elif self.standing == "network's own":
            if not self.working:
                text = "The network's own figure, as stated in its profile"
            elif self.value:
                text = f"{working}Worked out by pcndocs at the network's own rate, as its profile "
                text += "states it"
            else:  # a rate the profile states, without what it is paid on
                text = f"{working}The network's own rate, as its profile states it"
            text += f"; {self.sources}." if self.sources else "."
        elif self.standing == "not published":
            text = f"{self.sources}."
        elif self.standing == "estimate":
            text = (
                f"{working}This is {self.sources}; the network's own figure should be used "
                "where it has one."
            )
        else:
            text = f"{working}Source: {self.sources}."
        return f"{text} {self.note}" if self.note else text

    @property
    def brief(self) -> str:
        """Return the figure's standing and sources in a few words, for a one-page summary.

        A confirmed figure names its specification alone, and the caveat is its first sentence.
        """
        sources = self.brief_sources or self.sources
        if self.standing == "worked out":
            text = f"worked out by pcndocs, on the basis of {sources}"
        elif self.standing == "network's own":
            own = "at the network's own rate" if self.working else "the network's own figure"
            text = own + (f"; {sources}" if sources else "")
        elif self.standing == "estimate":
            text = f"{sources}; the network's own figure should be used where it has one"
        else:
            text = sources
        text = f"{text[0].upper()}{text[1:]}."
        first = self.note.split(". ")[0].rstrip(".") + "." if self.note else None
        return f"{text} {first}" if first else text


def money(value: float) -> str:
    """Return pounds as the documents print them: £1,234."""
    return f"£{value:,.0f}"


def _amount_text(funds: StreamFunds) -> str:
    amount = funds.amount
    if amount is None:
        return ""
    if amount.exact:
        return money(amount.low)
    return f"{money(amount.low)} to {money(amount.high)}"


def stream_line(funds: StreamFunds, year: str, facts: Facts) -> FigureLine:
    """Return what the documents say of one stream's sum for the year, and its sources."""
    label = f"{funds.title} for {year}"
    if funds.network_figure:
        unpublished = (
            ""
            if _national_rate(funds.stream, year, facts)
            else f"no national rate for {year} had been published when these facts were "
            f"checked ({facts.checked:%-d %B %Y})"
        )
        working = None if funds.stated else funds.working
        return FigureLine(label, _amount_text(funds), "network's own", unpublished, working)
    if funds.amount is None and "published" in funds.working:
        return FigureLine(
            label,
            "",
            "not published",
            f"No national figure for {year} had been published when these facts were checked "
            f"({facts.checked:%-d %B %Y}), so the network is to state its own figure",
        )
    standing: Standing = funds.confidence
    return FigureLine(
        label,
        _amount_text(funds),
        standing,
        funds.source,
        funds.working,
        funds.note,
        funds.brief_source,
    )


def _national_rate(stream: str, year: str, facts: Facts) -> bool:
    """Return whether the facts hold a national rate for a stream's sum in a year."""
    national = facts.funding_year(year)
    if stream == "cd_payment":
        return national.cd_payment is not None
    if stream == "leadership_and_management":
        return national.leadership_and_management_payment is not None
    return national.core_payment is not None or national.core_pcn_funding is not None


def benchmark_line(funding: DirectorFunding, facts: Facts) -> FigureLine:
    """Return the line on the director's benchmark time: worked out, on the 2019/20 basis."""
    basis = facts.funding.cd_basis
    if funding.payment_made:
        label = "Funded time of the clinical director"
    else:
        label = f"Level of time funded until {funding.last_paid}, kept as a guide"
    spec = basis.source.refs[0]  # the specification's section; the LMC only repeats it
    if funding.population <= 0:  # no list size yet: no figure, never "0 sessions"
        return FigureLine(
            label,
            "",
            "worked out",
            str(spec),
            f"{funding.basis_wte:g} WTE for every {funding.basis_patients:,} registered "
            "patients, once the practices' list sizes are known",
        )
    return FigureLine(
        label,
        f"{sessions_text(funding.funded_sessions_per_week)} a week "
        f"({wte_text(funding.funded_wte)})",
        "worked out",
        str(spec),
        f"{funding.basis_wte:g} WTE × {funding.population:,} registered patients ÷ "
        f"{funding.basis_patients:,} = {wte_text(funding.funded_wte)}, × "
        f"{funding.full_time_sessions} sessions in a full-time week",
    )


def year_line(year: str, facts: Facts) -> FigureLine:
    """Return the year's own caveat (the 2020/21 uplift, 2019/20's nine months), sourced."""
    national = facts.funding_year(year)
    return FigureLine(
        f"About {year}",
        "",
        national.confidence,
        national.source.worded(national.confidence),
        national.note.rstrip("."),
        brief_sources=national.source.worded(national.confidence, brief=True),
    )


def figure_lines(
    year: str,
    funds: Sequence[StreamFunds],
    funding: DirectorFunding,
    facts: Facts,
    costs_shown: bool,
) -> list[FigureLine]:
    """Return every figure of a document's funding section, each with its standing.

    `funds` are the streams whose sums the document prints; `costs_shown` adds the line on
    the leads' costs and shares, which pcndocs works out from the network's own figures.
    """
    lines = [benchmark_line(funding, facts)]
    seen: set[str] = set()
    for item in funds:
        if item.stream in OWN_FIGURE_KEYS and item.stream not in seen:
            seen.add(item.stream)
            lines.append(stream_line(item, year, facts))
    if facts.funding_year(year).held:
        lines.append(year_line(year, facts))
    if costs_shown:
        lines.append(
            FigureLine(
                "Costs and shares",
                "",
                "worked out",
                "the sessions and rates the member practices agreed",
                "each cost is the agreed sessions × the agreed rate; each share is a cost as a "
                "part of the stream's sum",
            )
        )
    return lines
