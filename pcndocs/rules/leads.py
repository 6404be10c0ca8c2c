"""Each lead's workstream, time, cost and duties, as the lead's documents state them."""

from __future__ import annotations

from dataclasses import dataclass

from pcndocs import years
from pcndocs.profile.model import CustomWorkstream, Lead, Practice, Profile
from pcndocs.rules.affordability import stream_note, stream_title
from pcndocs.rules.facts import Citation, Confidence, Facts, Item, Note, Workstream, YearNote
from pcndocs.rules.funding import contract_year, leadership_costs

DES_SPECIFICATION = "Network Contract DES specification"


# From this year the service specifications are merged into one (pcn-facts.md, High).
MERGED_SPECIFICATIONS_FROM = "2024/25"


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
    states_core_funding: bool = False  # its checklist states the network's core funding
    # A built-in workstream's points' clause ids, after lead-checklist.own.item. (one each);
    # none for a profile's own workstream, whose points are the network's, not national.
    checklist_ids: tuple[str, ...] = ()

    @property
    def cited(self) -> str:
        """Return the work's sources in the words its confidence needs."""
        if isinstance(self.source, Citation):
            return self.source.worded(self.confidence)
        return self.source


@dataclass(frozen=True)
class LeadView:
    """A lead with their workstream, practice and yearly cost resolved."""

    lead: Lead  # the lead, as the profile gives them (name, sessions, funding stream...)
    workstream: WorkstreamView  # the workstream they lead, with its title and checklist
    practice: Practice | None  # the member practice they come from, if any
    sessions_per_year: float | None  # None only for the blank lead of a starter pack
    cost_per_year: float | None  # what their sessions cost a year, in pounds
    funding_stream_name: str  # the name of the funding stream that pays them
    hours_per_month: float | None  # their sessions a month, in hours
    stream_note: str | None = None  # why the stream is not paid in the profile's year


@dataclass(frozen=True)
class LeadItems:
    """What one lead's documents list, chosen for the lead's kind and workstream."""

    checklist: tuple[Item, ...]  # the starter checklist, in this lead's words
    duties: tuple[Note, ...]  # what every lead does
    everyday: tuple[Note, ...]  # everyday duties, without repeats of the duties
    local_terms: tuple[Note, ...] = ()  # objective, supervision, the year's objectives: local


def lead_items(
    lead: Lead, workstream: WorkstreamView, facts: Facts, open_kind: bool = False
) -> LeadItems:
    """Return the checklist and duties that fit a lead.

    A non-clinical lead gets no clinical items; a workstream with no national specification
    (finance, HR, operations, a local one) is never told to read one; line management appears
    only for a lead the profile gives staff to manage; a line said twice is said once. With
    open_kind (a starter pack's blank lead, clinical or not yet agreed), every item is kept and a
    clinical one says it is for a clinical lead only.
    """
    clinical = lead.kind == "clinical" or open_kind
    specified = workstream.specification is not None
    checklist = tuple(
        Item(
            id=item.id,
            title=item.title,
            text=(
                (None if specified else item.without_specification)
                or (None if clinical else item.non_clinical)
                or item.text
            )
            + (" (A clinical lead only.)" if open_kind and item.clinical_only else ""),
            source=item.source,
            confidence=item.confidence,
        )
        for item in facts.workstreams.general_checklist
        if clinical or not item.clinical_only
    )
    duties = tuple(
        Note(
            id=duty.id,
            text=(None if specified else duty.without_specification) or duty.text,
            source=duty.source,
            confidence=duty.confidence,
        )
        for duty in facts.workstreams.lead_duties
    )
    said = {" ".join(d.text.lower().split()) for d in duties}
    everyday = tuple(
        Note(
            id=duty.id,
            text=(None if clinical else duty.non_clinical) or duty.text,
            source=duty.source,
            confidence=duty.confidence,
        )
        for duty in facts.workstreams.everyday_duties
        # An open kind's own work is said in the template: clinical work, or their own job.
        if ((clinical and not open_kind) or "clinical work" not in duty.text)
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
        tuple(point.text for point in item.checklist),
        item.source,
        item.since,
        custom=False,
        specification=specification_in(item.specification, year),
        confidence=item.confidence,
        notes=item.notes_in(year),
        states_core_funding=item.states_core_funding,
        checklist_ids=tuple(checklist_ids(item)),
    )


def checklist_ids(workstream: Workstream) -> list[str]:
    """Return the clause id ends of a built-in workstream's own points: `<workstream>.<point>`.

    A workstream's id has underscores (as profiles name it); a clause id has hyphens.
    """
    return [f"{workstream.id.replace('_', '-')}.{point.id}" for point in workstream.checklist]


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
