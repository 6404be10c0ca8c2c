"""National PCN facts shipped with the package: typed models and a cached loader.

The data lives in ``pcndocs/data/*.yaml``. Every fact carries its own sources (resolved
from the register in ``sources.yaml``) and a confidence: "confirmed", "reported" or
"estimate". A document names the sources beside the figure, says who reported a reported
one, and calls an estimate an estimate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from pcndocs import years
from pcndocs.profile.load import KnownIds
from pcndocs.resources import read_data

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty string, with surrounding whitespace removed."""

Money = Annotated[Decimal, Field(ge=0)]
"""An amount in pounds, never negative."""

SOURCES_FILE = "sources"
"""The register of every source the data files cite, read before them."""

DATA_FILES: tuple[str, ...] = (
    "annex_e",
    "workstreams",
    "funding",
    "person_spec",
    "job_description",
)
"""The data files under ``pcndocs/data``, without the ``.yaml`` suffix."""

YearText = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}/[0-9]{2}$")]
"""A contract year as the data files write it: "2024/25"."""

ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
"""The id of one item of a list the documents print once per item (an Annex E duty, a
checklist point): the last part of its clause id, so a house wording file can reword it
(pcndocs/render/clauses.py, DATA_ITEMS). Written by hand, never changed once given: the same
item keeps it in every contract year, and a new item gets a new one."""


class FactModel(BaseModel):
    """Base of every fact model: immutable, and unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


Confidence = Literal["confirmed", "reported", "estimate"]
"""How sure a fact is: confirmed (the specification, or two independent sources that agree),
reported (one reliable secondary source quoting the specification), estimate (one third
party, or the project's own arithmetic)."""

SourceKind = Literal["specification", "official", "secondary", "third_party", "own", "network"]


class Source(FactModel):
    """One publication the facts rest on, as the register in sources.yaml lists it."""

    id: Text
    short: Text  # how a document names it beside a figure
    title: Text
    publisher: Text
    date: Text
    kind: SourceKind
    address: Text  # a web address, or how to find it where none is held

    @property
    def is_specification(self) -> bool:
        """Return whether this is a national specification (what a reporter quotes)."""
        return self.kind == "specification"


class SourceRef(FactModel):
    """A source and where in it, such as "section 5.3.1" or "Table 1"."""

    source: Source
    section: Text | None = None

    def __str__(self) -> str:
        return f"{self.source.short}, {self.section}" if self.section else self.source.short

    @property
    def full(self) -> str:
        """Return the reference in full: title, publisher, date, section and address."""
        where = f", {self.section}" if self.section else ""
        return (
            f"{self.source.title}{where} ({self.source.publisher}, {self.source.date}); "
            f"{self.source.address}"
        )


class Citation(FactModel):
    """The sources of one fact, in the order the data file names them."""

    refs: tuple[SourceRef, ...] = Field(min_length=1)

    def __str__(self) -> str:
        return "; ".join(str(ref) for ref in self.refs)

    def worded(self, confidence: Confidence, brief: bool = False) -> str:
        """Return the sources in the words a document prints beside a figure of this confidence.

        Confirmed: the sources as they are (brief: the specification alone, where it is one
        of them). Reported: the specification, as reported by whom. Estimate: said to be an
        estimate, and by whom.
        """
        quoted = [str(r) for r in self.refs if r.source.is_specification]
        if confidence == "confirmed":
            return "; ".join(quoted) if brief and quoted else str(self)
        reporters = [str(r) for r in self.refs if not r.source.is_specification]
        if confidence == "reported":
            if quoted and reporters:
                return f"{'; '.join(quoted)}, as reported by {_and(reporters)}"
            return str(self)  # a secondary source on its own: naming it says who reported
        return f"an estimate, from {_and([str(r) for r in self.refs])}"


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def parse_citation(value: Any, info: ValidationInfo) -> Any:
    """Return a citation from the data files' "id, section; id" form, with each id looked up.

    An id missing from the register is an error of the package's data, raised as one.
    """
    if not isinstance(value, str):
        return value
    register: dict[str, Source] = (info.context or {}).get("sources", {})
    refs = []
    for part in value.split(";"):
        key, _, section = (w.strip() for w in part.partition(","))
        if key not in register:
            raise ValueError(f"source {key!r} is not in sources.yaml")
        refs.append(SourceRef(source=register[key], section=section or None))
    return Citation(refs=tuple(refs))


Cited = Annotated[Citation, BeforeValidator(parse_citation)]
"""A fact's sources, written in the data files as "id, section; id"."""


class Sourced(FactModel):
    """A fact with its own sources and how sure it is."""

    source: Cited  # where the fact comes from: one or more sources, each with where in it
    confidence: Confidence  # how sure it is: confirmed, reported or estimate

    @property
    def estimate(self) -> bool:
        """Return whether a document must call this fact an estimate."""
        return self.confidence == "estimate"

    @property
    def cited(self) -> str:
        """Return the sources in the words a document prints beside the fact."""
        return self.source.worded(self.confidence)

    @property
    def cited_briefly(self) -> str:
        """Return the sources as a one-page summary prints them (a confirmed fact: its spec)."""
        return self.source.worded(self.confidence, brief=True)


class Note(Sourced):
    """A sourced statement in plain English."""

    text: Text  # the note's words
    id: ItemId | None = None  # its clause's last part, where a list prints it once per item


class Item(Sourced):
    """A sourced statement with a short title, for lists shown as headed points."""

    title: Text
    text: Text
    id: ItemId | None = None  # its clause's last part, where a list prints it once per item


# --- annex_e.yaml -----------------------------------------------------------------------


class Publication(FactModel):
    """The national document the clinical director's responsibilities come from."""

    title: Text
    publisher: Text
    published: date
    part: Text
    repeated_in: Text


class CoreResponsibility(Sourced):
    """One of the numbered core responsibilities of Annex E."""

    id: ItemId  # its clause's last part: cd-job-description.core.responsibility.<id>
    number: int = Field(ge=1)
    title: Text
    text: Text


class AddedDuty(Sourced):
    """A duty the DES added to the clinical director's role, and the years it applies in."""

    id: ItemId  # its clause's last part, the same in every year it applies in
    title: Text
    text: Text
    first: YearText
    last: YearText | None = None


class DutyYear(Sourced):
    """How sure the list of added duties is for one contract year."""

    note: Text | None = None


@dataclass(frozen=True)
class DutiesOfYear:
    """The duties the DES adds in one contract year, with how sure the list is."""

    year: str  # the contract year
    umbrella: str  # the words that introduce the year's duties
    duties: tuple[AddedDuty, ...]  # the duties added that year
    confidence: Confidence  # how sure the list is: confirmed, reported or estimate
    note: str | None  # a caveat on the list
    source: Citation  # where the list comes from

    @property
    def cited(self) -> str:
        """Return the list's sources in the words its confidence needs."""
        return self.source.worded(self.confidence)


class AddedDuties(Sourced):
    """The duties added from 2024/25, each with the years it applies in."""

    umbrella: Text
    duties: tuple[AddedDuty, ...]
    years: dict[YearText, DutyYear]

    def of_year(self, year: str) -> DutiesOfYear | None:
        """Return the duties of a contract year, or None before any were added.

        A year later than those listed keeps the last list, marked unconfirmed.
        """
        listed = sorted(self.years, key=years.parse_key)
        if not years.at_least(year, listed[0]):
            return None
        known = year in self.years
        basis = year if known else max(listed, key=years.parse_key)
        about = self.years[basis]
        duties = tuple(d for d in self.duties if years.within(basis, d.first, d.last))
        note = (
            about.note
            if known
            else (
                f"No list is held for {year}: these are the duties of {basis}. Check them "
                f"against the specification for {year}."
            )
        )
        confidence: Confidence = about.confidence if known else "estimate"
        return DutiesOfYear(year, self.umbrella, duties, confidence, note, about.source)


class AnnexE(FactModel):
    """The clinical director's national minimum role, with related funding note and advice."""

    source: Publication  # the publication Annex E is in
    scope_note: Note  # what Annex E covers
    core_responsibilities: tuple[CoreResponsibility, ...]  # the director's core duties
    added_duties: AddedDuties  # the duties the DES added, by year
    funding_note: Note  # how the director's role is funded
    lmc_advice: tuple[Note, ...]  # the LMC's advice on the role

    @model_validator(mode="after")
    def _numbered_in_order(self) -> AnnexE:
        """Return self once the items are checked to run 1, 2, 3... and cite their own number."""
        for position, item in enumerate(self.core_responsibilities, start=1):
            if item.number != position:
                raise ValueError(f"core responsibility {position} is numbered {item.number}")
            if str(item.source) != f"Annex E, item {position}":
                raise ValueError(f"core responsibility {position} cites {item.source}")
        return self


# --- workstreams.yaml -------------------------------------------------------------------


class YearNote(Note):
    """A change to a workstream from a later contract year, with its own source."""

    from_: YearText = Field(alias="from")  # the first contract year it applies to
    last: YearText | None = None  # the last contract year it applies to; None: still


class ChecklistPoint(FactModel):
    """One point of a workstream's own checklist for its lead."""

    id: ItemId  # its clause's last part: lead-checklist.own.item.<workstream>.<id>
    text: Text


class Workstream(Sourced):
    """One area of network work that a lead can be given, with a checklist for that lead."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]  # as profiles name it
    title: Text  # its name
    clinical: bool  # it needs a clinical lead
    specification: Text | None  # the national specification its items come from; None: none
    summary: Text  # what the work is, in a sentence or two
    since: Text | None  # when the work began, in words
    first: YearText | None = None  # the first contract year a network had to do it
    last: YearText | None = None  # the last contract year it was part of the DES
    checklist: tuple[ChecklistPoint, ...] = Field(min_length=4, max_length=7)  # its own points
    year_notes: tuple[YearNote, ...] = ()  # changes to it from later years, each cited
    # The work handles the network's money: its checklist states the network's core funding
    # for the year where it is known, in place of year notes on what a typical network gets.
    states_core_funding: bool = False

    def applies_in(self, year: str) -> bool:
        """Return whether a network had this work to do in a contract year."""
        return years.within(year, self.first, self.last)

    def notes_in(self, year: str) -> tuple[YearNote, ...]:
        """Return the changes to the work that apply in a contract year."""
        return tuple(n for n in self.year_notes if years.within(year, n.from_, n.last))


class SessionCount(Sourced):
    """A sourced number of sessions."""

    value: int = Field(ge=0)  # the number
    text: Text  # the number in words, with what it counts


class ChecklistItem(Item):
    """A point of the starter checklist, with its words for leads it fits differently."""

    id: ItemId  # its clause's last part: lead-checklist.starter.item.<id>
    clinical_only: bool = False  # left out for a non-clinical lead
    non_clinical: Text | None = None  # its words for a non-clinical lead
    without_specification: Text | None = None  # its words where there is no specification


class LeadDuty(Note):
    """One thing every lead does, with its words where there is no specification."""

    id: ItemId  # its clause's last part: lead-role-description.duties.duty.<id>
    without_specification: Text | None = None


class EverydayDuty(Note):
    """A duty often in lead role descriptions; line management only where the profile says."""

    id: ItemId  # its clause's last part: lead-role-description.duties.everyday.<id>
    line_management: bool = False
    non_clinical: Text | None = None  # its words for a non-clinical lead, who runs no services


class LocalTerm(Note):
    """A line published lead role descriptions commonly add: a local term, not a national one."""

    non_clinical: Text | None = None  # its words for a non-clinical lead
    clinical_only: bool = False  # left out for a non-clinical lead


class WorkstreamFacts(FactModel):
    """The workstreams, the lead's role and checklist, and the 2024/25 functions."""

    workstreams: tuple[Workstream, ...]  # every workstream of every year
    general_checklist: tuple[ChecklistItem, ...]  # what every lead checks
    lead_scope: Note  # what a lead's role covers
    lead_duties: tuple[LeadDuty, ...]  # what every lead does
    everyday_duties: tuple[EverydayDuty, ...]  # a lead's everyday duties
    lead_local_terms: tuple[LocalTerm, ...]  # the terms each network sets for its leads
    benefits: tuple[Item, ...]  # what leads bring the network
    typical_sessions_per_month_max: SessionCount  # the usual most sessions a month for a lead
    reimbursement: Note  # how a lead is paid for their time: to their practice or to them
    functions_note: Note  # that the service specifications became four functions in 2024/25
    functions_from_2024_25: tuple[Item, ...]  # those four functions

    @model_validator(mode="after")
    def _ids_unique(self) -> WorkstreamFacts:
        """Return self once no workstream id is listed twice."""
        ids = [w.id for w in self.workstreams]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"workstreams listed twice: {twice}")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Return every built-in workstream id, in the data file's order."""
        return tuple(w.id for w in self.workstreams)


# --- funding.yaml -----------------------------------------------------------------------


class CdBasis(Sourced):
    """How the clinical director's funding is worked out."""

    wte: Decimal = Field(gt=0)
    per_registered_patients: int = Field(gt=0)
    population_date_rule: Text
    text: Text
    benchmark_text: Text
    last_paid: YearText  # the last year a separate clinical director payment was made


class Session(Sourced):
    """The length of a GP session and of a full-time week."""

    hours: int = Field(ge=0)  # a session's length: its hours ...
    minutes: int = Field(ge=0, lt=60)  # ... and minutes
    full_time_sessions_per_week: int = Field(gt=0)  # sessions a week that make full time
    full_time_hours_per_week: Decimal = Field(gt=0)  # hours a week that make full time
    weeks_paid_per_year: int = Field(gt=0, le=53)  # weeks a year a session rate is paid for
    text: Text  # all this in words

    @property
    def length_minutes(self) -> int:
        """Return the length of one session in minutes."""
        return self.hours * 60 + self.minutes

    @model_validator(mode="after")
    def _week_adds_up(self) -> Session:
        """Return self once the sessions in a week are checked to add up to the hours."""
        week = Decimal(self.length_minutes * self.full_time_sessions_per_week) / 60
        if week != self.full_time_hours_per_week:
            raise ValueError(f"{self.full_time_sessions_per_week} sessions make {week} hours")
        return self


class Rate(Sourced):
    """A payment rate in pounds: one figure, or a low-high range where only that is known.

    `months` and `from_` mark a payment made for part of the year only (2021/22's leadership
    and management payment, from October 2021): the year's sum is the rate × months ÷ 12.
    """

    value: Money | None = None
    low: Money | None = None
    high: Money | None = None
    note: Text | None = None
    months: int = Field(default=12, ge=1, le=12)
    from_: Text | None = Field(default=None, alias="from")

    @model_validator(mode="after")
    def _value_or_range(self) -> Rate:
        """Return self once it holds either a single value or a complete range."""
        if self.value is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either value or low and high, not both")
        elif self.low is None or self.high is None or self.low > self.high:
            raise ValueError("give a value, or a low and a high with low <= high")
        return self


class CorePcnFunding(Sourced):
    """Core PCN Funding per patient, with its registered and adjusted parts.

    `first_published` keeps a figure that was later revised, with its own sources.
    """

    value: Money
    registered_part: Money
    adjusted_part: Money
    note: Text
    first_published: Rate | None = None
    # Where the two parts have a standing of their own (2024/25: scaled by us), its sources.
    split_source: Cited | None = None
    split_confidence: Confidence | None = None
    split_note: Text | None = None

    @property
    def split_estimate(self) -> bool:
        """Return whether the registered and adjusted parts are an estimate."""
        return self.estimate or self.split_confidence == "estimate"

    @model_validator(mode="after")
    def _parts_add_up(self) -> CorePcnFunding:
        """Return self once the two parts are checked to add up to the total."""
        if self.registered_part + self.adjusted_part != self.value:
            raise ValueError(f"parts do not add up to {self.value}")
        return self


class FundingYear(Sourced):
    """One contract year's national funding; a null payment did not exist that year.

    `held=False` marks a year the data files do not list: a later year, whose figures are
    the network's own.
    """

    months: int = Field(ge=1, le=12)
    period: Text | None = None
    population_date: date
    population_date_confirmed: bool = True
    note: Text
    cd_payment: Rate | None = None
    core_payment: Rate | None = None
    leadership_and_management_payment: Rate | None = None
    core_pcn_funding: CorePcnFunding | None = None
    held: bool = True


class StreamName(FactModel):
    """What a funding stream is called from a contract year on."""

    from_: YearText = Field(alias="from")
    title: Text
    short_title: Text


class Stream(Sourced):
    """A funding stream a network can pay leadership from, and the years it exists in."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    names: tuple[StreamName, ...] = Field(min_length=1)
    first: YearText | None
    last: YearText | None
    replaced_by: Text | None = None
    text: Text

    def exists_in(self, year: str) -> bool:
        """Return whether the stream is paid in a contract year."""
        return years.within(year, self.first, self.last)

    def name_in(self, year: str) -> StreamName:
        """Return the stream's name as it was in a contract year (its first name before)."""
        named = [n for n in self.names if years.at_least(year, n.from_)]
        return named[-1] if named else self.names[0]


class PayRange(Sourced):
    """A yearly pay range in pounds for a stated number of sessions a week."""

    low: int = Field(gt=0)
    high: int = Field(gt=0)
    sessions_per_week: int = Field(gt=0)
    note: Text
    uplifts: tuple[YearNote, ...] = ()  # each later uplift of the range, with its source


class Milestone(Sourced):
    """A change the contract brought from a contract year (and from a day of it, if later)."""

    first: YearText  # the first contract year it applies in
    from_: date | None = Field(None, alias="from")  # the day it began, if not the year's first
    text: Text  # what changed, in a sentence or two


class Funding(FactModel):
    """The clinical director's funding basis, session length and rates by contract year.

    ``years`` is keyed by contract year ("2019/20"); treat it as read-only.
    """

    cd_basis: CdBasis
    session: Session
    years: dict[str, FundingYear]
    streams: tuple[Stream, ...]
    local_variation: Milestone  # Local Variation Agreements: from when an ICB may agree one
    neighbourhoods: Milestone  # footprints aligned with neighbourhood boundaries: from when
    salaried_gp_range_2023_24: PayRange

    @model_validator(mode="after")
    def _years_follow_on(self) -> Funding:
        """Return self once the years are checked to run on from each other with right dates."""
        previous: int | None = None
        for key, year in self.years.items():
            parsed = years.parse(key)
            if parsed is None:
                raise ValueError(f"contract year {key!r} is not written like 2019/20")
            if previous is not None and parsed.first != previous + 1:
                raise ValueError(f"contract year {key!r} does not follow {previous}")
            if year.population_date != parsed.list_date:
                raise ValueError(f"{key}: population date must be 1 January {parsed.first}")
            previous = parsed.first
        return self

    @property
    def latest(self) -> str:
        """Return the latest contract year the data holds figures for."""
        return max(self.years, key=years.parse_key)


# --- person_spec.yaml -------------------------------------------------------------------

PersonSpecCategory = Literal[
    "Qualifications", "Experience", "Skills and knowledge", "Personal qualities"
]


class PersonSpecRow(Sourced):
    """One criterion of the person specification; ``essential=False`` means desirable."""

    category: PersonSpecCategory
    criterion: Text
    essential: bool
    assessed: Text


class PersonSpec(FactModel):
    """The clinical director's person specification as rows of criteria."""

    rows: tuple[PersonSpecRow, ...] = Field(min_length=1)


# --- job_description.yaml -------------------------------------------------------------


class TitledText(FactModel):
    """A short titled paragraph."""

    title: Text
    text: Text


class StandardClause(TitledText):
    """A clause published job descriptions usually have (confidentiality, safeguarding...)."""

    id: ItemId  # its clause's last part: cd-job-description.local.standard-terms.term.<id>


class JobDescriptionFacts(Sourced):
    """What published PCN director job descriptions add to the national role: all local."""

    working_relationships: tuple[Text, ...]  # whom published job descriptions list
    accountability: Text  # to whom the director is accountable
    # the words for each way a director may be engaged
    engagement: dict[Literal["employed_by_practice", "office_holder", "self_employed"], Text]
    standard_clauses: tuple[StandardClause, ...]  # the usual clauses of a job description


# --- all facts --------------------------------------------------------------------------


class Facts(FactModel):
    """Every national fact the documents use, one field per data file, and the sources."""

    checked: date  # the day the facts were last checked against public sources
    sources: dict[str, Source]  # every source, by its id
    annex_e: AnnexE  # the director's core responsibilities
    workstreams: WorkstreamFacts  # the workstreams and what leads do
    funding: Funding  # the funding basis, session length and rates by year
    person_spec: PersonSpec  # the person specification
    job_description: JobDescriptionFacts  # what published job descriptions add

    def known_ids(self) -> KnownIds:
        """Return the ids a profile may name that these facts define."""
        return KnownIds(self.workstreams.ids, tuple(s.id for s in self.funding.streams))

    def workstream(self, workstream_id: str) -> Workstream:
        """Return the workstream with this id; raise KeyError naming the known ids if none."""
        for item in self.workstreams.workstreams:
            if item.id == workstream_id:
                return item
        known = ", ".join(self.workstreams.ids)
        raise KeyError(f"unknown workstream {workstream_id!r}; known workstreams: {known}")

    def funding_year(self, year: str) -> FundingYear:
        """Return the national funding of a contract year such as "2024/25".

        A later year than the data holds gets a year with no national figures (`held=False`);
        an earlier one, or text that is not a year, is a KeyError.
        """
        if year in self.funding.years:
            return self.funding.years[year]
        parsed = years.parse(year)
        if parsed is None or not years.later(year, self.funding.latest):
            known = ", ".join(self.funding.years)
            raise KeyError(f"no funding data for {year!r}; known years: {known}")
        return FundingYear(
            months=12,
            population_date=parsed.list_date,
            population_date_confirmed=False,
            note=f"No national figures for {year} had been published when these facts were "
            f"checked ({self.checked:%-d %B %Y}): the figures are the network's own.",
            source=Citation(refs=(SourceRef(source=self.sources["network-profile"]),)),
            confidence="estimate",
            held=False,
        )

    def stream(self, stream_id: str) -> Stream:
        """Return the funding stream with this id; KeyError if there is none."""
        for item in self.funding.streams:
            if item.id == stream_id:
                return item
        raise KeyError(f"unknown funding stream {stream_id!r}")

    def workstreams_in(self, year: str) -> tuple[Workstream, ...]:
        """Return the built-in workstreams a network had to cover in a contract year."""
        return tuple(w for w in self.workstreams.workstreams if w.applies_in(year))


def source_register(data: Any) -> dict[str, Source]:
    """Return the sources of sources.yaml by id."""
    return {key: Source(id=key, **value) for key, value in data["sources"].items()}


@functools.cache
def load_facts() -> Facts:
    """Return the national facts, read and checked once per process.

    A broken data file is a bug in the package, not a user error, so pydantic's
    ValidationError is left to propagate; its locations start with the file's name.
    """
    register = read_data(SOURCES_FILE)
    sources = source_register(register)
    data = {name: read_data(name) for name in DATA_FILES}
    return Facts.model_validate(
        {"checked": register["checked"], "sources": sources, **data},
        context={"sources": sources},
    )
