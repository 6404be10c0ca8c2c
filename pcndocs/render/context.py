"""Builds what a template sees: the profile plus the figures and facts computed from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from pcndocs import years
from pcndocs.profile.model import (
    Appointment,
    ClinicalDirector,
    DocumentControl,
    Governance,
    JobDescription,
    Lead,
    LocalResponsibility,
    Network,
    Practice,
    Profile,
)
from pcndocs.render.templating import Markdown, Placeholder, escape_markdown
from pcndocs.rules import voting
from pcndocs.rules.affordability import Charge, affordability
from pcndocs.rules.appointment import (
    AppointmentFigures,
    VoteFigures,
    appointment_figures,
    vote_figures,
)
from pcndocs.rules.checks import assumed_values
from pcndocs.rules.citations import FigureLine, figure_lines, year_line
from pcndocs.rules.facts import (
    AnnexE,
    Citation,
    DutiesOfYear,
    Facts,
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
from pcndocs.rules.funding import (
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
from pcndocs.rules.leads import LeadItems, LeadView, WorkstreamView, lead_items, lead_views
from pcndocs.rules.olddata import old_data_notes

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
    ods_code=Placeholder("the ODS code of the director's practice"),
    list_size=None,
    signatory=None,
)
BLANK_DIRECTOR = ClinicalDirector.model_construct(
    name=Placeholder("the clinical director's name"),
    profession=Placeholder("the clinical director's profession"),
    practice=Placeholder("the ODS code of the director's practice"),
    sessions_per_week=None,
    start_date=None,
    funded_share=None,
)


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


def figure(value: float | None, places: int = 2, missing: str = "") -> str:
    """Return a number with no more decimal places than it needs: 2, 1.5, 2.25.

    None (a blank build's gap) is a placeholder saying what is missing.
    """
    if value is None:
        return Placeholder(missing)
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


@dataclass(frozen=True)
class PersonSpecArea:
    """One area of the person specification: its criteria, each marked essential or not."""

    category: str  # the area, such as Qualifications
    rows: tuple[PersonSpecRow, ...]  # its criteria


def person_spec_areas(facts: Facts) -> list[PersonSpecArea]:
    """Return the person specification by area, in the data's order, essential ones first."""
    areas: dict[str, list[PersonSpecRow]] = {}
    for row in facts.person_spec.rows:
        areas.setdefault(row.category, []).append(row)
    return [
        PersonSpecArea(category, tuple(sorted(rows, key=lambda r: not r.essential)))
        for category, rows in areas.items()
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


def _core_funds(profile: Profile, facts: Facts) -> StreamFunds | None:
    """Return the network's core funding of its year (Core PCN Funding from 2024/25): the
    network's own figure where the profile states one, else worked out where it can be."""
    core = stream_funds(profile, facts).get("core")
    return core if core is not None and core.amount is not None and core.amount.exact else None


# How the nominated payee holds the network's funds, as Schedule 1 says it.
PAYEE_FUNDS = {
    "on_trust": "on trust for the member practices, apart from its own money",
    "separate_account": "in a separate bank account kept for the network, apart from its own money",
    "separate_account_on_trust": "in a separate bank account, held on trust for the member "
    "practices",
}


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
    practice_count: int  # how many member practices the profile names (0 in a blank one)
    sizes_known: bool  # at least one list size is known: a total of 0 means none is, not none
    payee: Practice  # the nominated payee: a member practice, or another provider (no list)
    payee_is_member: bool  # False: the payee is a provider that is not a member practice
    local_variation_possible: bool  # the year is one Local Variation Agreements exist in
    payee_funds: str | None  # how the payee holds the network's funds, in words; None: not said
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
    core_funds: StreamFunds | None  # the network's core funding this year, where it is known
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
    old_data: Sequence[str]  # blank builds: what in the data to check first (old list sizes...)
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
        practice_count=len(profile.practices),
        sizes_known=any(p.list_size is not None for p in profile.practices),
        payee=_payee(profile),
        payee_is_member=profile.network.payee_name is None,
        local_variation_possible=not years.later(facts.funding.local_variation.first, year),
        payee_funds=PAYEE_FUNDS.get(profile.network.payee_holds_funds or ""),
        directors=directors,
        director_practice={
            d.name: profile.practice(d.practice) or BLANK_DIRECTOR_PRACTICE for d in directors
        },
        appointment=profile.appointment,
        method_name=METHOD_NAMES.get(profile.appointment.method or "")
        or Placeholder("the appointment method (selection, election, or both)"),
        vote=appointment_figures(profile, directors),
        governance=profile.governance,
        proposed=proposer(profile, blank),
        vote_shares=voting_weights(profile.practices),
        blank=blank,
        missing_sizes=missing_sizes(profile),
        incomplete_total=incomplete_total(profile),
        old_data=old_data_notes(profile, facts) if blank else [],
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
        core_funds=_core_funds(profile, facts),
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
        items=lead_items(lead.lead, lead.workstream, facts, open_kind=lead is BLANK_LEAD)
        if lead
        else None,
        starter=lead is BLANK_LEAD,
    )
