"""The funding arithmetic: the clinical director's funded time and pay, and the leads' costs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pcndocs.facts import Facts, FundingYear
from pcndocs.profile.model import (
    ClinicalDirector,
    Lead,
    LocalResponsibility,
    Practice,
    Profile,
)

MONTHS_IN_YEAR = 12


@dataclass(frozen=True)
class RateUsed:
    """A per-patient rate and how far it can be trusted."""

    value: float | None
    year: str  # the contract year the figure belongs to
    confirmed: bool
    set_by_network: bool
    source: str

    @property
    def indicative(self) -> bool:
        """Return whether documents must call the figure indicative."""
        return not self.confirmed or self.set_by_network or self.value is None


@dataclass(frozen=True)
class DirectorShare:
    """One director's agreed sessions and their share of the funded time and money."""

    director: ClinicalDirector
    share: float
    funded_sessions_per_week: float
    funded_amount: float | None


@dataclass(frozen=True)
class DirectorFunding:
    """What the network receives for its clinical director(s), with the working."""

    population: int
    basis_wte: float
    basis_patients: int
    funded_wte: float
    full_time_sessions: int
    funded_sessions_per_week: float
    funded_hours_per_week: float
    rate: RateUsed
    months: int
    funded_amount: float | None
    agreed_sessions_per_week: float
    local_sessions_per_week: float
    shares: tuple[DirectorShare, ...]

    @property
    def sessions_over_funding(self) -> float:
        """Return agreed (plus local) sessions a week beyond the funded equivalent, or 0."""
        over = self.agreed_sessions_per_week + self.local_sessions_per_week
        return max(0.0, over - self.funded_sessions_per_week)


@dataclass(frozen=True)
class LeadCost:
    """One lead's time and yearly cost."""

    lead: Lead
    sessions_per_year: float
    cost_per_year: float


@dataclass(frozen=True)
class StreamTotal:
    """What the leads paid from one funding stream cost and take, over a year."""

    stream: str
    leads: int
    sessions_per_year: float
    cost_per_year: float


@dataclass(frozen=True)
class LeadershipCosts:
    """The leads' costs, one by one and by funding stream."""

    leads: tuple[LeadCost, ...]
    by_stream: dict[str, float]

    @property
    def total(self) -> float:
        """Return the yearly cost of every lead."""
        return sum(self.by_stream.values())

    @property
    def sessions_per_month(self) -> float:
        """Return the sessions a month of every lead together."""
        return sum(cost.lead.sessions_per_month for cost in self.leads)

    @property
    def sessions_per_year(self) -> float:
        """Return the sessions a year of every lead together."""
        return sum(cost.sessions_per_year for cost in self.leads)

    @property
    def streams(self) -> tuple[StreamTotal, ...]:
        """Return one total per funding stream used, in the order the streams first appear."""
        return tuple(
            StreamTotal(
                stream,
                sum(1 for c in self.leads if c.lead.funding_stream == stream),
                sum(c.sessions_per_year for c in self.leads if c.lead.funding_stream == stream),
                cost,
            )
            for stream, cost in self.by_stream.items()
        )

    def share_of(self, amount: float | None) -> float | None:
        """Return the leads' total cost as a fraction of an amount, or None if there is none."""
        return self.total / amount if amount else None


@dataclass(frozen=True)
class VotingWeight:
    """A member practice's share of the votes when votes are weighted by list size."""

    practice: Practice
    percent: float  # rounded to the places asked for; the shares add up to exactly 100


def voting_weights(practices: Sequence[Practice], places: int = 1) -> tuple[VotingWeight, ...]:
    """Return each practice's share of the votes, in proportion to its list size.

    Shares are rounded by the largest remainder, so the printed shares add up to 100.
    """
    scale = 10**places
    sizes = [p.list_size or 0 for p in practices]  # a blank profile may lack some sizes
    total = sum(sizes) or 1
    exact = [size * 100 * scale / total for size in sizes]
    units = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (units[i] - exact[i], i))
    for i in order[: 100 * scale - sum(units)]:
        units[i] += 1
    return tuple(VotingWeight(p, u / scale) for p, u in zip(practices, units, strict=True))


def funded_wte(population: int, facts: Facts) -> float:
    """Return the whole-time equivalent funded for a population: 0.25 per 50,000 patients."""
    basis = facts.funding.cd_basis
    return float(basis.wte) * population / basis.per_registered_patients


def funded_sessions(population: int, facts: Facts) -> float:
    """Return the sessions a week funded for a population (a full-time week is 9 sessions)."""
    return funded_wte(population, facts) * facts.funding.session.full_time_sessions_per_week


def contract_year(profile: Profile, facts: Facts) -> str:
    """Return the profile's contract year; a blank profile without one uses the latest known."""
    return profile.contract_year or max(facts.funding.years)


def director_rate(profile: Profile, facts: Facts) -> RateUsed:
    """Return the per-patient rate for the clinical director in the profile's contract year."""
    year = contract_year(profile, facts)
    if profile.funding.cd_rate_per_patient is not None:
        return RateUsed(
            profile.funding.cd_rate_per_patient, year, False, True, "set by the network"
        )
    facts_year = facts.funding_year(year)
    if facts_year.cd_rate_per_patient is not None:
        return RateUsed(
            float(facts_year.cd_rate_per_patient),
            year,
            facts_year.confirmed,
            False,
            facts_year.source,
        )
    # No separate rate (merged into core funding from 2024/25): use the latest rate there was,
    # as an indication of what the contribution is worth.
    earlier = [
        (key, item)
        for key, item in facts.funding.years.items()
        if key < year and item.cd_rate_per_patient is not None
    ]
    if not earlier:
        return RateUsed(None, year, False, False, facts_year.source)
    key, item = max(earlier, key=lambda pair: pair[0])
    return RateUsed(float(item.cd_rate_per_patient or 0), key, False, False, item.source)


def director_funding(profile: Profile, facts: Facts) -> DirectorFunding:
    """Return the clinical director funding for a profile: 0.25 WTE per 50,000 patients."""
    basis = facts.funding.cd_basis
    session = facts.funding.session
    population = profile.population
    wte = funded_wte(population, facts)
    full_time = session.full_time_sessions_per_week
    sessions = funded_sessions(population, facts)
    hours = wte * float(session.full_time_hours_per_week)
    rate = director_rate(profile, facts)
    months = _months(facts.funding_year(contract_year(profile, facts)))
    # The 2019/20 rate was set for its nine months, so the rate times the list is the whole sum.
    amount = rate.value * population if rate.value is not None else None
    directors = profile.clinical_directors
    agreed = sum(d.sessions_per_week or 0 for d in directors)
    shares = tuple(
        DirectorShare(
            d,
            share,
            sessions * share,
            amount * share if amount is not None else None,
        )
        for d, share in zip(directors, _shares(directors), strict=True)
    )
    local = sum(
        item.sessions_per_week
        for item in profile.local_cd_responsibilities
        if isinstance(item, LocalResponsibility)
    )
    return DirectorFunding(
        population=population,
        basis_wte=float(basis.wte),
        basis_patients=basis.per_registered_patients,
        funded_wte=wte,
        full_time_sessions=full_time,
        funded_sessions_per_week=sessions,
        funded_hours_per_week=hours,
        rate=rate,
        months=months,
        funded_amount=amount,
        agreed_sessions_per_week=agreed,
        local_sessions_per_week=local,
        shares=shares,
    )


def leadership_costs(profile: Profile) -> LeadershipCosts:
    """Return each lead's yearly cost and the totals by funding stream."""
    costs = tuple(
        LeadCost(
            lead,
            lead.sessions_per_month * MONTHS_IN_YEAR,
            lead.sessions_per_month * MONTHS_IN_YEAR * lead.session_rate,
        )
        for lead in profile.leads
    )
    by_stream: dict[str, float] = defaultdict(float)
    for cost in costs:
        by_stream[cost.lead.funding_stream] += cost.cost_per_year
    return LeadershipCosts(costs, dict(by_stream))


def _shares(directors: list[ClinicalDirector]) -> list[float]:
    """Return each director's share of the funded time: as given, else by sessions."""
    if all(d.funded_share is not None for d in directors):
        return [float(d.funded_share or 0) for d in directors]
    sessions = [d.sessions_per_week or 0 for d in directors]
    total = sum(sessions)
    if total == 0:  # a blank profile: no sessions agreed yet, so share equally
        return [1 / len(directors)] * len(directors)
    return [s / total for s in sessions]


def _months(year: FundingYear) -> int:
    return int(year.months)
