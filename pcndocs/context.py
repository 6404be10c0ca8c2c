"""Builds what a template sees: the profile plus the figures and facts computed from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from pcndocs import voting, years
from pcndocs.checks import assumed_values
from pcndocs.citations import FigureLine, figure_lines, year_line
from pcndocs.facts import (
    AnnexE,
    Citation,
    Confidence,
    DutiesOfYear,
    Facts,
    Item,
    JobDescriptionFacts,
    Note,
    PersonSpecRow,
    Session,
    SessionCount,
    SourceRef,
    Stream,
    Workstream,
    WorkstreamFacts,
    YearNote,
)
from pcndocs.funding import (
    DirectorFunding,
    LeadershipCosts,
    StreamFunds,
    VotingWeight,
    contract_year,
    director_funding,
    leadership_costs,
    stream_funds,
    voting_weights,
)
from pcndocs.profile.model import (
    Appointment,
    ClinicalDirector,
    CustomWorkstream,
    DocumentControl,
    Governance,
    JobDescription,
    Lead,
    LocalResponsibility,
    Majority,
    Network,
    Practice,
    Profile,
)
from pcndocs.templating import Markdown, Placeholder, escape_markdown

DES_SPECIFICATION = "Network Contract DES specification"
# From this year the service specifications are merged into one (pcn-facts.md, High).
MERGED_SPECIFICATIONS_FROM = "2024/25"
# Sources as the data files name them, and as a reader of a document can look them up.
_SOURCE_NAMES = (
    (
        re.compile(r"Clinical leads blog \(seed 000\)"),
        "THC Primary Care, clinical leads blog, 2022",
    ),
    (re.compile(r"\(seed 000, after "), "(THC Primary Care, after "),
    (re.compile(r"LMC briefing \(seed 001\)"), "LMC briefing on the PCN clinical director role"),
    (re.compile(r" ?\(seed \d+\)"), ""),
)
METHOD_NAMES = {
    "selection": "selection",
    "election": "election",
    "selection_and_election": "selection followed by election",
}


# Stand-ins for what a blank profile does not say yet: every value prints as a placeholder.
# Each names what it stands for, so still-to-agree.txt can say which value is missing.
BLANK_PRACTICE = Practice.model_construct(
    name=Placeholder("a member practice"),
    ods_code=Placeholder("its ODS code"),
    list_size=None,
    signatory=None,
)
BLANK_PAYEE = Practice.model_construct(
    name=Placeholder("the nominated payee"),
    ods_code=Placeholder("the nominated payee's ODS code"),
    list_size=None,
    signatory=None,
)
BLANK_DIRECTOR_PRACTICE = Practice.model_construct(
    name=Placeholder("the clinical director's practice"),
    ods_code=Placeholder("the clinical director's practice"),
    list_size=None,
    signatory=None,
)
BLANK_DIRECTOR = ClinicalDirector.model_construct(
    name=Placeholder("the clinical director's name"),
    profession=Placeholder("the clinical director's profession"),
    practice=Placeholder("the practice's ODS code"),
    sessions_per_week=None,
    start_date=None,
    funded_share=None,
)


@dataclass(frozen=True)
class WorkstreamView:
    """A workstream as documents show it, whether built in or defined in the profile."""

    id: str
    title: str
    summary: str
    clinical: bool
    checklist: tuple[str, ...]
    source: str | Citation  # where the work began (or "agreed by the network")
    since: str | None
    custom: bool
    specification: str | None = None  # the national specification to read this year
    confidence: Confidence = "confirmed"
    notes: tuple[YearNote, ...] = ()  # changes from a later year that apply this year

    @property
    def cited(self) -> str:
        """Return the work's sources in the words its confidence needs."""
        if isinstance(self.source, Citation):
            return self.source.worded(self.confidence)
        return self.source


@dataclass(frozen=True)
class LeadView:
    """A lead with their workstream, practice and yearly cost resolved."""

    lead: Lead
    workstream: WorkstreamView
    practice: Practice | None
    sessions_per_year: float | None  # None only for the blank lead of a starter pack
    cost_per_year: float | None
    funding_stream_name: str
    hours_per_month: float | None
    stream_note: str | None = None  # why the stream is not paid in the profile's year


@dataclass(frozen=True)
class Term:
    """A clinical director's current term of office: its first and last day, where known."""

    director: ClinicalDirector
    start: date | None
    end: date | None


@dataclass(frozen=True)
class VoteFigures:
    """The thresholds of one voting rule, in votes: practices, or registered patients."""

    weighted: bool
    complete: bool  # False when a weighted vote lacks a practice's list size (blank builds)
    total: int  # every vote: the number of practices, or all their registered patients
    quorum: int  # votes that must take part for a vote to count
    to_carry: int  # votes that carry a decision when every vote is cast
    to_remove: int  # votes that remove a director (appointment rules only)
    blockers: tuple[Practice, ...]  # a practice whose absence alone leaves no quorum
    carriers: tuple[Practice, ...]  # a practice whose votes alone carry a decision


@dataclass(frozen=True)
class AppointmentFigures:
    """The numbers Schedule 1's appointment clauses quote, worked out for this network."""

    practices: int
    weighted: bool
    weights: tuple[VotingWeight, ...]  # every practice's share of the votes, if weighted
    quorum_practices: int  # practices that must take part, one practice one vote
    majority_votes: int  # votes a candidate needs to win when every practice votes
    removal_votes: int  # practices that must agree to remove a director
    uses_panel: bool
    uses_ballot: bool
    terms: tuple[Term, ...]
    figures: VoteFigures  # the thresholds in votes, weighted or not
    tie_break_applies: bool  # False: a tie gives no one two thirds or unanimity
    process_days: int  # from the notice to the vote or the panel
    reappointment_days: int  # how long before a term ends the process starts


# Not validated: a blank lead's time and rate are still to be agreed.
_BLANK_LEAD_FIELDS: dict[str, Any] = {
    "name": Placeholder("the lead's name"),
    "kind": "clinical",
    "workstream": "blank",
    "practice": None,
    "role": None,
    "sessions_per_month": None,
    "session_rate": None,
    "funding_stream": "core",
    "reimbursed_to": "practice",
    "start_date": None,
}
# A starter pack for a network with no leads yet still holds a lead's two documents, blank.
BLANK_LEAD = LeadView(
    lead=Lead.model_construct(**_BLANK_LEAD_FIELDS),
    workstream=WorkstreamView(
        id="blank",
        title=Placeholder("the workstream"),
        summary=Placeholder("what the workstream covers"),
        clinical=True,
        checklist=(),
        source="agreed by the network",
        since=None,
        custom=True,
    ),
    practice=None,
    sessions_per_year=None,
    cost_per_year=None,
    funding_stream_name=Placeholder("the funding stream"),
    hours_per_month=None,
)


def readable_source(source: str | Citation | SourceRef) -> str:
    """Return a source as a reader can look it up, without the project's own file names.

    A citation of the data files names each source as its register does; a text (a user's
    template may cite its own words) has the old project names replaced.
    """
    if not isinstance(source, str):
        return str(source)
    for pattern, name in _SOURCE_NAMES:
        source = pattern.sub(name, source)
    return source


def cite_all(sources: Iterable[str | Citation]) -> str:
    """Return several facts' sources as one list, each source named once, in order."""
    named: list[str] = []
    for source in sources:
        parts = (
            [str(ref) for ref in source.refs]
            if isinstance(source, Citation)
            else [readable_source(source)]
        )
        named += [part for part in parts if part not in named]
    return "; ".join(named)


def figure(value: float | None, places: int = 2) -> str:
    """Return a number with no more decimal places than it needs: 2, 1.5, 2.25."""
    if value is None:
        return Placeholder("")
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def join_and(items: Iterable[object]) -> str:
    """Return items as English lists them: 'a', 'a and b', 'a, b and c'.

    If any item is Markdown (a placeholder), the result is Markdown, the other items escaped.
    """
    items = list(items)
    markdown = any(isinstance(item, Markdown) for item in items)
    words = [
        str(item) if isinstance(item, Markdown) or not markdown else escape_markdown(str(item))
        for item in items
    ]
    text = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
    return Markdown(text) if markdown else text


def votes_needed(majority: Majority, voters: int) -> int:
    """Return how many of a number of equal votes a majority rule needs."""
    if majority == "simple":
        return voters // 2 + 1
    if majority == "two_thirds":
        return -(-2 * voters // 3)
    return voters


def percent_of(percent: int, whole: int) -> int:
    """Return the smallest whole number that is at least percent% of whole."""
    return -(-percent * whole // 100)


def term_end(start: date, years: int) -> date:
    """Return the last day of a term of whole years that begins on start."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February, in a year that has none
        anniversary = start.replace(year=start.year + years, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def vote_figures(
    practices: Sequence[Practice],
    weighted: bool,
    quorum_percent: int,
    majority: Majority,
    removal: Majority = "unanimous",
) -> VoteFigures:
    """Return a voting rule's quorum and majorities in votes, and who can block or carry."""
    sizes = [p.list_size for p in practices]
    complete = not weighted or all(size is not None for size in sizes)
    weights = [(size or 0) if weighted else 1 for size in sizes]
    total = sum(weights)
    return VoteFigures(
        weighted=weighted,
        complete=complete,
        total=total,
        quorum=voting.votes_for_quorum(quorum_percent, total),
        to_carry=voting.votes_to_carry(majority, total),
        to_remove=voting.votes_to_carry(removal, total),
        # Only a weighted vote gives one practice more say than another: with one vote each,
        # the figures above already say how many practices block or carry.
        blockers=tuple(
            p
            for p, w in zip(practices, weights, strict=True)
            if weighted
            and complete
            and len(practices) > 1
            and voting.can_block_quorum(w, total, quorum_percent)
        ),
        carriers=tuple(
            p
            for p, w in zip(practices, weights, strict=True)
            if weighted
            and complete
            and len(practices) > 1
            and voting.can_carry_alone(w, total, majority)
        ),
    )


def appointment_figures(
    profile: Profile, directors: Sequence[ClinicalDirector]
) -> AppointmentFigures:
    """Return the quorum, majorities, voting weights and terms of the appointment process."""
    rules = profile.appointment
    count = len(profile.practices)
    weighted = rules.voting == "list_size_weighted"
    figures = vote_figures(
        profile.practices, weighted, rules.quorum_percent, rules.majority, rules.removal_majority
    )
    return AppointmentFigures(
        figures=figures,
        tie_break_applies=voting.tie_break_applies(rules.majority),
        process_days=voting.process_days(rules.notice_days, rules.nomination_days),
        reappointment_days=voting.reappointment_days(rules.notice_days, rules.nomination_days),
        practices=count,
        weighted=weighted,
        weights=voting_weights(profile.practices) if weighted else (),
        quorum_practices=percent_of(rules.quorum_percent, count),
        majority_votes=votes_needed(rules.majority, count),
        removal_votes=votes_needed(rules.removal_majority, count),
        uses_panel=rules.method in ("selection", "selection_and_election"),
        uses_ballot=rules.method in ("election", "selection_and_election"),
        terms=tuple(
            Term(
                d, d.start_date, term_end(d.start_date, rules.term_years) if d.start_date else None
            )
            for d in directors
        ),
    )


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

    stream: str
    title: str
    pays_directors: bool
    directors: float | None  # the directors' pay, on the stream that pays them; None: unknown
    leads: float
    lead_names: tuple[str, ...]
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
        return "Not known in advance: it depended on the network's results"
    if stream == "other":
        return "Not stated: a local source the member practices agree"
    if profile.funding.adjusted_population is None and "adjusted population" in funds.working:
        return "Not worked out: the profile does not give the adjusted population"
    return f"Not known: no national rate for {year}, and the network states none"


@dataclass(frozen=True)
class PersonSpecArea:
    """One area of the person specification: its criteria, each marked essential or not."""

    category: str
    rows: tuple[PersonSpecRow, ...]


def person_spec_areas(facts: Facts) -> list[PersonSpecArea]:
    """Return the person specification by area, in the data's order, essential ones first."""
    areas: dict[str, list[PersonSpecRow]] = {}
    for row in facts.person_spec.rows:
        areas.setdefault(row.category, []).append(row)
    return [
        PersonSpecArea(category, tuple(sorted(rows, key=lambda r: not r.essential)))
        for category, rows in areas.items()
    ]


@dataclass(frozen=True)
class LeadItems:
    """What one lead's documents list, chosen for the lead's kind and workstream."""

    checklist: tuple[Item, ...]  # the starter checklist, in this lead's words
    duties: tuple[Note, ...]  # what every lead does
    everyday: tuple[Note, ...]  # everyday duties, without repeats of the duties
    local_terms: tuple[Note, ...] = ()  # objective, supervision, the year's objectives: local


def lead_items(lead: Lead, workstream: WorkstreamView, facts: Facts) -> LeadItems:
    """Return the checklist and duties that fit a lead.

    A non-clinical lead gets no clinical items; a workstream with no national specification
    (finance, HR, operations, a local one) is never told to read one; line management appears
    only for a lead the profile gives staff to manage; a line said twice is said once.
    """
    clinical = lead.kind == "clinical"
    specified = workstream.specification is not None
    checklist = tuple(
        Item(
            title=item.title,
            text=(
                (None if specified else item.without_specification)
                or (None if clinical else item.non_clinical)
                or item.text
            ),
            source=item.source,
            confidence=item.confidence,
        )
        for item in facts.workstreams.general_checklist
        if clinical or not item.clinical_only
    )
    duties = tuple(
        Note(
            text=(None if specified else duty.without_specification) or duty.text,
            source=duty.source,
            confidence=duty.confidence,
        )
        for duty in facts.workstreams.lead_duties
    )
    said = {" ".join(d.text.lower().split()) for d in duties}
    everyday = tuple(
        Note(
            text=(None if clinical else duty.non_clinical) or duty.text,
            source=duty.source,
            confidence=duty.confidence,
        )
        for duty in facts.workstreams.everyday_duties
        if (clinical or "clinical work" not in duty.text)
        and (lead.line_manages or not duty.line_management)
        and " ".join(duty.text.lower().split()) not in said
    )
    local_terms = tuple(
        Note(
            text=(None if clinical else term.non_clinical) or term.text,
            source=term.source,
            confidence=term.confidence,
        )
        for term in facts.workstreams.lead_local_terms
        if clinical or not term.clinical_only
    )
    return LeadItems(checklist, duties, everyday, local_terms)


def specification_in(specification: str | None, year: str) -> str | None:
    """Return the DES specification a workstream's lead reads in a contract year.

    From 2024/25 the DES has one specification a year for all the network's services, so a
    workstream that began in an earlier year's specification is read in the current one.
    """
    if specification is None or not specification.startswith(DES_SPECIFICATION):
        return specification
    if years.at_least(year, MERGED_SPECIFICATIONS_FROM):
        return f"{DES_SPECIFICATION} {year}"
    return specification


def workstream_view(workstream: str | CustomWorkstream, facts: Facts, year: str) -> WorkstreamView:
    """Return the workstream of a lead, built-in or custom, in one shape, for a contract year."""
    if isinstance(workstream, CustomWorkstream):
        return WorkstreamView(
            workstream.id,
            workstream.title,
            workstream.summary,
            workstream.clinical,
            tuple(workstream.checklist),
            "agreed by the network",
            None,
            custom=True,
        )
    item = facts.workstream(workstream)
    return WorkstreamView(
        item.id,
        item.title,
        item.summary,
        item.clinical,
        tuple(item.checklist),
        item.source,
        item.since,
        custom=False,
        specification=specification_in(item.specification, year),
        confidence=item.confidence,
        notes=item.notes_in(year),
    )


def lead_views(profile: Profile, facts: Facts) -> list[LeadView]:
    """Return every lead with what the documents need to say about them."""
    costs = leadership_costs(profile)
    minutes = facts.funding.session.length_minutes
    year = contract_year(profile, facts)
    return [
        LeadView(
            cost.lead,
            workstream_view(cost.lead.workstream, facts, year),
            profile.practice(cost.lead.practice),
            cost.sessions_per_year,
            cost.cost_per_year,
            stream_title(cost.lead.funding_stream, year, facts),
            cost.lead.sessions_per_month * minutes / 60,
            stream_note(cost.lead.funding_stream, year, facts),
        )
        for cost in costs.leads
    ]


def proposer(profile: Profile, blank: bool) -> Callable[..., object]:
    """Return the template function that marks a default the profile never set as a proposal.

    In a blank build, {{ proposed(a.notice_days, "appointment.notice_days") }} prints
    [[proposed: 28]] when the profile does not set the key; otherwise the value as it is.
    With mark_only, the words only mark a clause as proposed, and print nothing otherwise.
    """
    assumed = {a.key for a in assumed_values(profile)} if blank else set()

    def proposed(value: object, key: str, mark_only: bool = False) -> object:
        if key in assumed:
            return Placeholder(str(value), "proposed")
        return "" if mark_only else value

    return proposed


def _payee(profile: Profile) -> Practice:
    """Return the nominated payee: its member practice, or the provider the profile names."""
    network = profile.network
    if network.payee_name is not None:
        return Practice.model_construct(
            name=network.payee_name, ods_code=network.nominated_payee, list_size=None
        )
    return profile.practice(network.nominated_payee) or BLANK_PAYEE


def missing_sizes(profile: Profile) -> list[str]:
    """Return the names of the practices a blank profile gives no list size, in its order."""
    return [p.name or p.ods_code or "a practice" for p in profile.practices if p.list_size is None]


def incomplete_total(profile: Profile) -> Placeholder | None:
    """Return the mark every figure worked from an incomplete total carries, or None."""
    names = missing_sizes(profile)
    return Placeholder(f"no list size for {join_and(names)}", "incomplete") if names else None


@dataclass(frozen=True)
class NetworkContext:
    """What every document of a network sees: the names a template may use, worked out once.

    This class and DocumentContext below are the whole contract between the code and the
    templates: a user's template may use these names and no others.
    """

    # The profile as written (pcndocs/profile/model.py), by section.
    network: Network  # name, code, commissioner, area, nominated payee, population date
    contract_year: str  # the contract year the figures are for, e.g. "2026/27"
    practices: Sequence[Practice]  # the member practices in the profile's order (a blank one)
    population: int  # their registered patients in all (0 while every list size is missing)
    payee: Practice  # the nominated payee: a member practice, or another provider (no list)
    payee_is_member: bool  # False: the payee is a provider that is not a member practice
    directors: Sequence[ClinicalDirector]  # the clinical director(s) (a blank one if none)
    director_practice: Mapping[str | None, Practice]  # each director's practice, by director's name
    appointment: Appointment  # the agreed process for appointing the clinical director
    method_name: str  # the appointment method in words: "selection followed by election"
    governance: Governance  # how the members meet and decide
    control: DocumentControl  # version, author, approval and review of the documents
    local_responsibilities: Sequence[LocalResponsibility]  # duties the network adds to the CD's
    # Figures worked out from the profile.
    vote: AppointmentFigures  # quorum, majorities, weights and terms of the appointment
    board: VoteFigures  # quorum and majority of the members' meetings, in votes
    vote_shares: Sequence[VotingWeight]  # each practice's share of a list-size weighted vote
    days_to_read: int  # days practices have to read the candidates' statements
    funding: DirectorFunding  # the clinical director's funded time and money
    costs: LeadershipCosts  # what the leads cost a year, in all and by funding stream
    affordability: Sequence[Charge]  # per funding stream used: what it pays for, what it holds
    year_held: bool  # False: a later contract year than pcndocs holds national figures for
    latest_year: str  # the latest contract year pcndocs holds national figures for
    facts_checked: date  # the day the national facts were last checked
    # Every figure of the job description's funding, with its standing and sources.
    director_figure_lines: Sequence[FigureLine]
    summary_lines: Sequence[FigureLine]  # the national sums the one-page summary prints
    unpublished: Mapping[str, str]  # by stream title: why no national rate stands beside it
    year_note: FigureLine  # the year's own caveat (the 2020/21 uplift...), with its sources
    salaried_uplifts: Sequence[YearNote]  # the salaried GP range's uplifts up to this year
    job: JobDescription  # the network's own terms for the clinical director's job
    working_relationships: Sequence[str]  # who the director works with (the profile's, or usual)
    jd_facts: JobDescriptionFacts  # what published director job descriptions add
    lmc_advice: Sequence[Note]  # the LMC's advice on the clinical director role
    leads: Sequence[LeadView]  # every lead, with workstream, practice and yearly cost
    agreed_known: bool  # every director's agreed sessions are known
    # Blank builds: what is still missing.
    blank: bool  # a blank build: missing values print as [to be agreed] placeholders
    proposed: Callable[[object, str], object]  # proposed(value, key): marks an unset default
    missing_sizes: Sequence[str]  # the practices with no list size yet, by name
    incomplete_total: Placeholder | None  # the mark of a total that lacks a list size
    partial: str  # printed after every figure worked from an incomplete total
    # National facts (pcndocs/data/), each with its source.
    facts: Facts  # every national fact
    annex_e: AnnexE  # the clinical director's core responsibilities (Annex E)
    person_spec_areas: Sequence[PersonSpecArea]  # the person specification by area
    workstream_facts: WorkstreamFacts  # workstreams, lead duties, checklists, funding streams
    stream: Callable[[str], Stream]  # stream(id): the national facts on a funding stream
    merged_from: str | None  # the first year with no separate clinical director payment
    merged: bool  # this contract year has no separate clinical director payment
    added_duties: DutiesOfYear | None  # the duties the DES adds to the CD role this year
    unled: Sequence[Workstream]  # the workstreams of this year no lead of this network leads
    session: Session  # what a session is: its length, and the rate basis
    lead_max_sessions: SessionCount  # the usual most sessions a month for a lead
    # Functions.
    cite: Callable[[str], str]  # cite(source): a source as a reader can look it up
    cite_all: Callable[[Iterable[Any]], str]  # cite_all(sources): each source named once
    figure: Callable[..., str]  # figure(number, places=2): 2, 1.5, 2.25, with thousands commas
    join_and: Callable[[Iterable[object]], str]  # join_and(items): "a, b and c"

    def variables(self) -> dict[str, Any]:
        """Return the names a template sees, each with its value."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DocumentContext:
    """What one document sees: its network's names, and the lead it is written for."""

    shared: NetworkContext
    lead: LeadView | None  # the lead of a lead's checklist or role description, else None
    items: LeadItems | None  # that lead's checklist and duties, chosen for their kind
    starter: bool  # a starter pack's blank lead: nothing to say of its money

    def variables(self) -> dict[str, Any]:
        """Return the names a template sees, each with its value."""
        return {
            **self.shared.variables(),
            "lead": self.lead,
            "items": self.items,
            "starter": self.starter,
        }


def lead_documents(shared: NetworkContext) -> Sequence[LeadView]:
    """Return the leads that get a role description and checklist: a blank one in a starter pack."""
    return shared.leads or ([BLANK_LEAD] if shared.blank else [])


def network_context(profile: Profile, facts: Facts, blank: bool = False) -> NetworkContext:
    """Return what every document of a network sees: worked out once per profile."""
    funding = director_funding(profile, facts)
    leads = lead_views(profile, facts)
    # A blank profile may have no director yet: show one whose every detail is a placeholder.
    directors = profile.clinical_directors or [BLANK_DIRECTOR]
    local = [
        item if isinstance(item, LocalResponsibility) else LocalResponsibility(duty=item)
        for item in profile.local_cd_responsibilities
    ]
    costs = leadership_costs(profile)
    year = contract_year(profile, facts)
    held = facts.funding_year(year).held
    job = profile.job_description
    charges = affordability(profile, facts, funding, costs)
    paid_by = [c.funds for c in charges if c.funds is not None and c.pays_directors]
    director_funds = ([funding.payment] if funding.payment else []) + paid_by
    summary_figures = figure_lines(
        year, [c.funds for c in charges if c.funds is not None], funding, facts, costs_shown=True
    )
    return NetworkContext(
        network=profile.network,
        contract_year=year,
        practices=profile.practices or [BLANK_PRACTICE],
        population=profile.population,
        payee=_payee(profile),
        payee_is_member=profile.network.payee_name is None,
        directors=directors,
        director_practice={
            d.name: profile.practice(d.practice) or BLANK_DIRECTOR_PRACTICE for d in directors
        },
        appointment=profile.appointment,
        method_name=METHOD_NAMES.get(profile.appointment.method or "")
        or Placeholder("selection, election, or selection followed by election"),
        vote=appointment_figures(profile, directors),
        governance=profile.governance,
        proposed=proposer(profile, blank),
        vote_shares=voting_weights(profile.practices),
        blank=blank,
        missing_sizes=missing_sizes(profile),
        incomplete_total=incomplete_total(profile),
        # After every figure worked from the total of the list sizes, while one is missing.
        partial=Markdown(" [[incomplete]]") if missing_sizes(profile) else "",
        agreed_known=bool(profile.clinical_directors)
        and all(d.sessions_per_week is not None for d in profile.clinical_directors),
        days_to_read=voting.DAYS_TO_READ_STATEMENTS,
        board=vote_figures(
            profile.practices,
            profile.governance.voting == "list_size_weighted",
            profile.governance.quorum_percent,
            profile.governance.majority,
        ),
        funding=funding,
        costs=costs,
        affordability=charges,
        year_held=held,
        latest_year=facts.funding.latest,
        facts_checked=facts.checked,
        salaried_uplifts=[
            u
            for u in facts.funding.salaried_gp_range_2023_24.uplifts
            if years.at_least(year, u.from_)
        ],
        summary_lines=[
            line
            for line in summary_figures[1:]
            if line.standing in ("confirmed", "reported", "estimate")
            and not line.label.startswith("About ")
        ],
        year_note=year_line(year, facts),
        unpublished={
            line.label.removesuffix(f" for {year}"): line.sources
            for line in summary_figures
            if (line.standing == "network's own" and line.sources)
            or line.standing == "not published"
        },
        director_figure_lines=figure_lines(year, director_funds, funding, facts, costs_shown=False),
        job=job,
        working_relationships=job.working_relationships
        or facts.job_description.working_relationships,
        jd_facts=facts.job_description,
        lmc_advice=facts.annex_e.lmc_advice,
        leads=leads,
        local_responsibilities=local,
        control=profile.document_control,
        facts=facts,
        annex_e=facts.annex_e,
        person_spec_areas=person_spec_areas(facts),
        workstream_facts=facts.workstreams,
        stream=facts.stream,
        merged_from=years.following(facts.funding.cd_basis.last_paid),
        merged=not funding.payment_made,
        added_duties=facts.annex_e.added_duties.of_year(year),
        unled=[
            w
            for w in facts.workstreams_in(year)
            if w.id not in {item.workstream.id for item in leads}
        ],
        session=facts.funding.session,
        lead_max_sessions=facts.workstreams.typical_sessions_per_month_max,
        cite=readable_source,
        cite_all=cite_all,
        figure=figure,
        join_and=join_and,
    )


def render_context(shared: NetworkContext, facts: Facts, lead: LeadView | None) -> DocumentContext:
    """Return what one document's template is rendered with."""
    return DocumentContext(
        shared=shared,
        lead=lead,
        items=lead_items(lead.lead, lead.workstream, facts) if lead else None,
        starter=lead is BLANK_LEAD,
    )
