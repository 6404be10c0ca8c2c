"""The funding arithmetic: the clinical director's funded time and pay, and the leads' costs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pcndocs import years
from pcndocs.profile.model import (
    ClinicalDirector,
    Lead,
    LocalResponsibility,
    Practice,
    Profile,
)
from pcndocs.rules.facts import Confidence, Facts, Rate

MONTHS_IN_YEAR = 12
# Why a stream's yearly amount cannot be worked out from the profile.
UNKNOWN_AMOUNT = {
    "iif": "what the network earns depends on its results, so it is not shown",
    "capacity_and_access": "it was paid on the network's results, so it is not shown",
    "other": "a local source, whose amount the profile does not give",
}


@dataclass(frozen=True)
class Amount:
    """A sum in pounds: one figure, or a low to high range where only that is known."""

    low: float
    high: float
    indicative: bool  # unconfirmed, or the network's own figure

    @property
    def exact(self) -> bool:
        """Return whether the sum is one figure rather than a range."""
        return self.low == self.high


NETWORK_FIGURE = "the network's own figure"
STATED = "stated in the profile"  # the working of a sum the network states whole


@dataclass(frozen=True)
class RateUsed:
    """A per-patient rate (or a range of rates) and how far it can be trusted."""

    low: float
    high: float
    confidence: Confidence
    set_by_network: bool
    source: str  # the sources, in the words a document prints for this confidence
    note: str | None = None  # the caveat the data keeps beside the figure
    months: int = MONTHS_IN_YEAR  # paid for part of the year only: rate × months ÷ 12
    brief_source: str | None = None  # the sources as a one-page summary prints them

    @property
    def indicative(self) -> bool:
        """Return whether documents must call the figure an estimate or the network's own."""
        return self.confidence == "estimate" or self.set_by_network

    def times(self, patients: int) -> Amount:
        """Return the rate applied to a number of patients, for the months it was paid."""
        part = self.months / MONTHS_IN_YEAR
        return Amount(self.low * patients * part, self.high * patients * part, self.indicative)


@dataclass(frozen=True)
class StreamFunds:
    """What the network receives from one funding stream in its contract year, where known."""

    stream: str  # a stream id of funding.yaml, or "cd_payment"
    title: str  # the stream's name in the contract year, as the documents print it
    amount: Amount | None  # what the network receives from it this year; None: not known
    working: str  # how the amount is worked out, or why it cannot be
    source: str  # the rate's sources, worded for its confidence
    confidence: Confidence = "confirmed"  # how sure the rate is: confirmed, reported or an estimate
    note: str | None = None  # the caveat the data keeps beside the rate, in one line
    brief_source: str | None = None  # the sources as a one-page summary prints them

    @property
    def estimate(self) -> bool:
        """Return whether the amount rests on an estimate (not the network's own figure)."""
        return self.confidence == "estimate" and self.source != NETWORK_FIGURE

    @property
    def network_figure(self) -> bool:
        """Return whether the amount is the network's own figure."""
        return self.source == NETWORK_FIGURE

    @property
    def stated(self) -> bool:
        """Return whether the network states the amount whole (not a rate pcndocs applies)."""
        return self.working == STATED


@dataclass(frozen=True)
class DirectorShare:
    """One joint director's share of the benchmark time."""

    director: ClinicalDirector  # the director, as the profile gives them
    share: float  # their fraction of the benchmark: the shares add up to 1
    funded_sessions_per_week: float  # their part of the benchmark, in sessions a week


@dataclass(frozen=True)
class DirectorPay:
    """What the network pays one director: their agreed sessions at the agreed rate."""

    director: ClinicalDirector  # the director, as the profile gives them
    session_rate: float | None  # pounds a session, where the pay is set by the session
    per_week: float | None  # their pay a week
    per_year: float | None  # None: the pay is still to be agreed


@dataclass(frozen=True)
class DirectorFunding:
    """The national benchmark for the director's time, the payment where there was one, the pay.

    The benchmark (0.25 WTE per 50,000 patients) was the basis of a separate payment until
    `last_paid`; from the year after, the director is paid from Core PCN Funding and the
    basis is a benchmark only.
    """

    year: str  # the contract year, such as 2026/27
    months: int  # the months the year's payments cover: 12, or 9 in 2019/20
    period: str | None  # those months' dates where the year is not a whole one
    population: int  # the network's registered patients the benchmark is worked from
    basis_wte: float  # the benchmark's time: 0.25 WTE ...
    basis_patients: int  # ... per this many registered patients: 50,000
    funded_wte: float  # the benchmark worked out for this network, in WTE
    full_time_sessions: int  # sessions a week that make full time
    funded_sessions_per_week: float  # the benchmark for this network, in sessions a week
    funded_minutes_per_week: int  # the same, in minutes a week
    payment_made: bool  # a separate clinical director payment exists in this year
    last_paid: str  # the last year a separate clinical director payment was made
    payment: StreamFunds | None  # that payment's sum, where it exists
    agreed_sessions_per_week: float  # the sessions a week agreed for all the directors
    local_sessions_per_week: float  # the extra sessions a week the local duties take
    shares: tuple[DirectorShare, ...]  # each director's share of the benchmark time
    pay: tuple[DirectorPay, ...]  # each director's pay, by the week and the year
    paid_from: str  # the stream id the directors are paid from

    @property
    def sessions_over_funding(self) -> float:
        """Return agreed (plus local) sessions a week beyond the benchmark, or 0."""
        over = self.agreed_sessions_per_week + self.local_sessions_per_week
        return max(0.0, over - self.funded_sessions_per_week)

    @property
    def pay_per_year(self) -> float | None:
        """Return every director's yearly pay together, or None while any is to be agreed.

        None too when no director is named yet (a blank profile): nothing is agreed, not £0.
        """
        amounts = [p.per_year for p in self.pay]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum(a or 0 for a in amounts)


@dataclass(frozen=True)
class LeadCost:
    """One lead's time and yearly cost."""

    lead: Lead  # the lead, as the profile gives them
    sessions_per_year: float  # the lead's sessions in a year
    cost_per_year: float  # what those sessions cost in a year, in pounds


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

    leads: tuple[LeadCost, ...]  # each lead's time and cost a year
    by_stream: dict[str, float]  # the leads' cost a year, by funding stream id

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


@dataclass(frozen=True)
class VotingWeight:
    """A member practice's share of the votes when votes are weighted by list size."""

    practice: Practice  # the member practice
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


def _trimmed(value: float, places: int) -> str:
    """Return a number to at most `places` decimals, without trailing zeros: 2.5, 1, 2.66."""
    return f"{value:,.{places}f}".rstrip("0").rstrip(".") if places else f"{value:,.0f}"


def sessions_text(value: float, places: int = 2, fixed: bool = False) -> str:
    """Return sessions as a PCN manager writes them: '1 session', '2.5 sessions', '2.66 sessions'.

    Every document and `check` use this one form, so a figure the profile states (1.5) and
    one worked out (2.66) never appear side by side as '1.50' and '2.66' or '1.00' and '2.5'.
    `fixed` keeps every decimal place, for a table column of worked-out figures that add up
    ('1.60', '1.06', '2.66'), where a trimmed '1.6' would stand out.
    """
    text = f"{value:,.{places}f}" if fixed else _trimmed(value, places)
    return f"{text} session{'' if text == '1' else 's'}"


def sessions_number(value: float, places: int = 2) -> str:
    """Return a count of sessions without its unit, in the form of `sessions_text`: 1.5, 1."""
    return _trimmed(value, places)


def wte_text(value: float) -> str:
    """Return a whole-time equivalent to 4 decimals at most, as the working shows: '0.2956 WTE'."""
    return f"{_trimmed(value, 4)} WTE"


def funded_wte(population: int, facts: Facts) -> float:
    """Return the whole-time equivalent funded for a population: 0.25 per 50,000 patients."""
    basis = facts.funding.cd_basis
    return float(basis.wte) * population / basis.per_registered_patients


def funded_sessions(population: int, facts: Facts) -> float:
    """Return the sessions a week funded for a population (a full-time week is 9 sessions)."""
    return funded_wte(population, facts) * facts.funding.session.full_time_sessions_per_week


def contract_year(profile: Profile, facts: Facts) -> str:
    """Return the profile's contract year; a blank profile without one uses the latest known."""
    return profile.contract_year or facts.funding.latest


def payment_made(year: str, facts: Facts) -> bool:
    """Return whether a separate clinical director payment was made in a contract year."""
    return not years.later(year, facts.funding.cd_basis.last_paid)


def _rate(rate: Rate) -> RateUsed:
    low = rate.value if rate.value is not None else rate.low
    high = rate.value if rate.value is not None else rate.high
    return RateUsed(
        float(low or 0),
        float(high or 0),
        rate.confidence,
        False,
        rate.cited,
        rate.note,
        rate.months,
        rate.cited_briefly,
    )


def _own(value: float) -> RateUsed:
    return RateUsed(value, value, "confirmed", True, NETWORK_FIGURE)


def _pence(value: float) -> str:
    """Return a rate in pounds as people write money: £1.50 (not £1.5), £0.72963 as it is."""
    return f"£{value:.2f}" if round(value, 2) == value else f"£{value:g}"


def _per_patient(rate: RateUsed, patients: int, who: str) -> str:
    part = f" × {rate.months}/12 months" if rate.months != MONTHS_IN_YEAR else ""
    if rate.low == rate.high:
        return f"{_pence(rate.low)} × {patients:,} {who}{part}"
    return f"{_pence(rate.low)} to {_pence(rate.high)} × {patients:,} {who}{part}"


def _funds(stream: str, title: str, rate: RateUsed, amount: Amount, working: str) -> StreamFunds:
    return StreamFunds(
        stream, title, amount, working, rate.source, rate.confidence, rate.note, rate.brief_source
    )


def stream_funds(profile: Profile, facts: Facts) -> dict[str, StreamFunds]:
    """Return what the network receives from each stream in its year, where it can be known.

    The clinical director payment appears as "cd_payment" in the years it was made. Every
    other stream of the year is listed, its amount None where no figure is held or stated.
    """
    year = contract_year(profile, facts)
    national = facts.funding_year(year)
    own = profile.funding
    patients = profile.population
    adjusted = own.adjusted_population
    found: dict[str, StreamFunds] = {}
    if payment_made(year, facts):
        cd = (
            _own(own.cd_rate_per_patient)
            if own.cd_rate_per_patient is not None
            else (_rate(national.cd_payment) if national.cd_payment else None)
        )
        if cd is not None:
            found["cd_payment"] = _funds(
                "cd_payment",
                "Clinical director payment",
                cd,
                cd.times(patients),
                _per_patient(cd, patients, "registered patients")
                + (
                    f", for the {national.months} months {national.period}"
                    if national.period
                    else ""
                ),
            )
    for stream in facts.funding.streams:
        if not stream.exists_in(year):
            continue
        title = stream.name_in(year).title
        amount: Amount | None = None
        working = UNKNOWN_AMOUNT.get(stream.id, "its amount is not held")
        source = stream.cited
        if stream.id == "core":
            found[stream.id] = _core(profile, facts, year, title)
            continue
        elif stream.id == "leadership_and_management":
            lm = (
                _own(own.leadership_and_management_rate_per_patient)
                if own.leadership_and_management_rate_per_patient is not None
                else _rate(national.leadership_and_management_payment)
                if national.leadership_and_management_payment
                else None
            )
            if lm is None:
                working = f"no rate is held for {year}"
            elif adjusted is None:
                working = (
                    f"£{lm.low:g} for each patient of the adjusted population, which the profile "
                    "does not give (funding.adjusted_population)"
                )
                source = lm.source
            else:
                found[stream.id] = _funds(
                    stream.id,
                    title,
                    lm,
                    lm.times(adjusted),
                    _per_patient(lm, adjusted, "adjusted population"),
                )
                continue
        found[stream.id] = StreamFunds(stream.id, title, amount, working, source, stream.confidence)
    return found


def _core(profile: Profile, facts: Facts, year: str, title: str) -> StreamFunds:
    """Return the core funding of the year, how it is worked out, and its sources."""
    own = profile.funding
    national = facts.funding_year(year)
    patients = profile.population
    merged = not payment_made(year, facts)
    if merged and own.core_pcn_funding is not None:
        stated = own.core_pcn_funding
        return StreamFunds("core", title, Amount(stated, stated, True), STATED, NETWORK_FIGURE)
    parts = own_core_parts(profile)
    if merged and parts is not None:
        return _own_core_parts(*parts, profile, title)
    if own.core_rate_per_patient is not None and merged:
        return _own_core_pcn_funding(own.core_rate_per_patient, profile, facts, title)
    if own.core_rate_per_patient is not None:
        rate = _own(own.core_rate_per_patient)
        working = _per_patient(rate, patients, "registered patients")
        return _funds("core", title, rate, rate.times(patients), working)
    if not merged and national.core_payment is not None:
        rate = _rate(national.core_payment)
        working = _per_patient(rate, patients, "registered patients")
        return _funds("core", title, rate, rate.times(patients), working)
    pcn = national.core_pcn_funding
    if pcn is None:
        return StreamFunds(
            "core",
            title,
            None,
            f"no national rate had been published for {year} when these facts were checked "
            f"({facts.checked:%-d %B %Y}): the profile can state the network's own figure",
            national.cited,
            national.confidence,
            national.note,
        )
    first = pcn.first_published
    earlier = f"First published as £{first.value:g} ({first.cited})." if first else None
    confidence: Confidence = "estimate" if pcn.split_estimate else pcn.confidence
    source, brief = pcn.cited, pcn.cited_briefly
    if pcn.split_estimate and not pcn.estimate and pcn.split_source is not None:
        # The rate is national, but its two parts are ours: the sum is an estimate.
        split = f"but its split between registered and adjusted patients is {pcn.split_source}"
        source = f"an estimate: the rate of £{pcn.value:g} a patient is from {pcn.cited}, {split}"
        brief = f"an estimate: £{pcn.value:g} a patient ({pcn.cited_briefly}), {split}"
    note = " ".join(n for n in (pcn.note, earlier) if n)
    registered = f"£{pcn.registered_part:g} × {patients:,} registered patients"
    if own.adjusted_population is None:
        return StreamFunds(
            "core",
            title,
            None,
            f"{registered}, plus £{pcn.adjusted_part:g} for each patient of the adjusted "
            "population, which the profile does not give",
            source,
            confidence,
            note,
            brief,
        )
    total = (
        float(pcn.registered_part) * patients + float(pcn.adjusted_part) * own.adjusted_population
    )
    return StreamFunds(
        "core",
        title,
        Amount(total, total, pcn.split_estimate),
        f"{registered} + £{pcn.adjusted_part:g} × {own.adjusted_population:,} adjusted population",
        source,
        confidence,
        note,
        brief,
    )


def own_core_parts(profile: Profile) -> tuple[float, float] | None:
    """Return the two parts of the network's own Core PCN Funding rate, if it states both.

    From 2024/25 Core PCN Funding is paid partly for each registered patient and partly for
    each patient of the adjusted population; a network that states both parts (funding.
    core_rate_per_registered_patient and core_rate_per_adjusted_patient) needs no split of
    ours. One part alone is not used: `check` says so.
    """
    own = profile.funding
    registered, adjusted = own.core_rate_per_registered_patient, own.core_rate_per_adjusted_patient
    if registered is None or adjusted is None:
        return None
    return registered, adjusted


def own_rate(profile: Profile) -> bool:
    """Return whether the profile states the network's own core rate: one figure, or two parts."""
    return profile.funding.core_rate_per_patient is not None or own_core_parts(profile) is not None


def _own_core_parts(
    registered: float, adjusted: float, profile: Profile, title: str
) -> StreamFunds:
    """Return Core PCN Funding at the two parts of the network's own rate: its own figure."""
    patients, population = profile.population, profile.funding.adjusted_population
    on_registered = f"{_pence(registered)} × {patients:,} registered patients"
    if population is None:
        working = (
            f"{on_registered}, plus {_pence(adjusted)} for each patient of the adjusted "
            "population, which the profile does not give"
        )
        return StreamFunds("core", title, None, working, NETWORK_FIGURE)
    total = registered * patients + adjusted * population
    working = f"{on_registered} + {_pence(adjusted)} × {population:,} adjusted population"
    return StreamFunds("core", title, Amount(total, total, True), working, NETWORK_FIGURE)


def _own_core_pcn_funding(rate: float, profile: Profile, facts: Facts, title: str) -> StreamFunds:
    """Return Core PCN Funding at the network's own rate a patient, split as the national one.

    From 2024/25 Core PCN Funding is paid partly for each registered patient and partly for
    each patient of the adjusted population. A network that gives one rate a patient gives
    neither part, so pcndocs splits it as the first national rate was split, and the sum is
    an estimate, said to be one, with the source of the split. A network that knows its sum
    states it whole (funding.core_pcn_funding).
    """
    basis_year, basis = next(
        (year, national.core_pcn_funding)
        for year, national in facts.funding.years.items()
        if national.core_pcn_funding is not None
    )
    share = float(basis.registered_part) / float(basis.value)
    # Each part to 4 places, as the documents print it, so the working adds up as read.
    registered = round(rate * share, 4)
    adjusted = round(rate - registered, 4)
    first = basis.first_published or basis
    split = (
        f"split as the national rate of {basis_year} was: {share:.0%} for each registered "
        f"patient and {1 - share:.0%} for each patient of the adjusted population"
    )
    own = f"an estimate: the network's own rate of {_pence(rate)} a patient, {split}"
    source, brief = f"{own} ({first.cited})", f"{own} ({first.cited_briefly})"
    patients, population = profile.population, profile.funding.adjusted_population
    if population is None:
        working = (
            f"{_pence(rate)} a patient, paid partly for each of the {patients:,} registered "
            "patients and partly for each patient of the adjusted population, which the profile "
            "does not give"
        )
        return StreamFunds("core", title, None, working, source, "estimate", None, brief)
    total = registered * patients + adjusted * population
    working = (
        f"£{registered:.4f} × {patients:,} registered patients + £{adjusted:.4f} × "
        f"{population:,} adjusted population"
    )
    return StreamFunds(
        "core", title, Amount(total, total, True), working, source, "estimate", None, brief
    )


def director_pay(director: ClinicalDirector, facts: Facts) -> DirectorPay:
    """Return a director's pay: a yearly sum, or agreed sessions × rate × weeks paid a year."""
    weeks = facts.funding.session.weeks_paid_per_year
    if director.annual_pay is not None:
        return DirectorPay(director, None, director.annual_pay / weeks, director.annual_pay)
    if director.session_rate is None or director.sessions_per_week is None:
        return DirectorPay(director, director.session_rate, None, None)
    week = director.session_rate * director.sessions_per_week
    return DirectorPay(director, director.session_rate, week, week * weeks)


def director_funding(profile: Profile, facts: Facts) -> DirectorFunding:
    """Return the benchmark, the payment where there was one, and the pay of the director(s)."""
    basis = facts.funding.cd_basis
    session = facts.funding.session
    year = contract_year(profile, facts)
    national = facts.funding_year(year)
    population = profile.population
    sessions = funded_sessions(population, facts)
    directors = profile.clinical_directors
    made = payment_made(year, facts)
    local = sum(
        item.sessions_per_week
        for item in profile.local_cd_responsibilities
        if isinstance(item, LocalResponsibility)
    )
    return DirectorFunding(
        year=year,
        months=national.months,
        period=national.period,
        population=population,
        basis_wte=float(basis.wte),
        basis_patients=basis.per_registered_patients,
        funded_wte=funded_wte(population, facts),
        full_time_sessions=session.full_time_sessions_per_week,
        funded_sessions_per_week=sessions,
        funded_minutes_per_week=round(sessions * session.length_minutes),
        payment_made=made,
        last_paid=basis.last_paid,
        payment=stream_funds(profile, facts).get("cd_payment") if made else None,
        agreed_sessions_per_week=sum(d.sessions_per_week or 0 for d in directors),
        local_sessions_per_week=local,
        shares=tuple(
            DirectorShare(d, share, sessions * share)
            for d, share in zip(directors, _shares(directors), strict=True)
        ),
        pay=tuple(director_pay(d, facts) for d in directors),
        paid_from="cd_payment" if made else "core",
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
