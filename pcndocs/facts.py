"""National PCN facts shipped with the package: typed models and a cached loader.

The data lives in ``pcndocs/data/*.yaml``. Every fact carries its source; a fact the
project could not confirm has ``confirmed=False`` and must be shown as indicative.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty string, with surrounding whitespace removed."""

Money = Annotated[Decimal, Field(ge=0)]
"""An amount in pounds, never negative."""

WorkstreamId = Literal[
    "vaccination",
    "enhanced_access",
    "social_prescribing",
    "care_homes",
    "cvd_prevention",
    "medication_reviews",
    "early_cancer_diagnosis",
    "health_inequalities",
    "personalised_care",
    "iif",
    "performance",
    "recruitment_and_hr",
    "stakeholders",
    "finance",
    "operations",
]

WORKSTREAM_IDS: tuple[WorkstreamId, ...] = get_args(WorkstreamId)
"""Every workstream id, in the order the data file must list them."""

DATA_FILES: tuple[str, ...] = ("annex_e", "workstreams", "funding", "person_spec")
"""The data files under ``pcndocs/data``, without the ``.yaml`` suffix."""

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


class FactModel(BaseModel):
    """Base of every fact model: immutable, and unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Note(FactModel):
    """A sourced statement in plain English."""

    text: Text
    source: Text
    confirmed: bool = True


class Item(FactModel):
    """A sourced statement with a short title, for lists shown as headed points."""

    title: Text
    text: Text
    source: Text
    confirmed: bool = True


# --- annex_e.yaml -----------------------------------------------------------------------


class Publication(FactModel):
    """The national document the clinical director's responsibilities come from."""

    title: Text
    publisher: Text
    published: date
    part: Text
    repeated_in: Text


class CoreResponsibility(FactModel):
    """One of the numbered core responsibilities of Annex E."""

    number: int = Field(ge=1)
    title: Text
    text: Text
    source: Text


class AnnexE(FactModel):
    """The clinical director's national minimum role, with related funding note and advice."""

    source: Publication
    scope_note: Note
    core_responsibilities: tuple[CoreResponsibility, ...]
    additional_from_2024_25: tuple[Item, ...]
    funding_note: Note
    lmc_advice: tuple[Note, ...]

    @model_validator(mode="after")
    def _numbered_in_order(self) -> AnnexE:
        """Return self once the items are checked to run 1, 2, 3... and cite their own number."""
        for position, item in enumerate(self.core_responsibilities, start=1):
            if item.number != position:
                raise ValueError(f"core responsibility {position} is numbered {item.number}")
            if item.source != f"Annex E, item {position}":
                raise ValueError(f"core responsibility {position} cites {item.source!r}")
        return self


# --- workstreams.yaml -------------------------------------------------------------------


class Workstream(FactModel):
    """One area of network work that a lead can be given, with a checklist for that lead."""

    id: WorkstreamId
    title: Text
    clinical: bool
    specification: Text | None  # the national specification its items come from; None: none
    summary: Text
    since: Text | None
    checklist: tuple[Text, ...] = Field(min_length=4, max_length=7)
    source: Text


class SessionCount(FactModel):
    """A sourced number of sessions."""

    value: int = Field(ge=0)
    text: Text
    source: Text


class ChecklistItem(Item):
    """A point of the starter checklist, with its words for leads it fits differently."""

    clinical_only: bool = False  # left out for a non-clinical lead
    non_clinical: Text | None = None  # its words for a non-clinical lead
    without_specification: Text | None = None  # its words where there is no specification


class LeadDuty(Note):
    """One thing every lead does, with its words where there is no specification."""

    without_specification: Text | None = None


class EverydayDuty(Note):
    """A duty often in lead role descriptions; line management only where the profile says."""

    line_management: bool = False


class WorkstreamFacts(FactModel):
    """The workstreams, the lead's role and checklist, and the 2024/25 functions."""

    workstreams: tuple[Workstream, ...]
    general_checklist: tuple[ChecklistItem, ...]
    lead_scope: Note
    lead_duties: tuple[LeadDuty, ...]
    everyday_duties: tuple[EverydayDuty, ...]
    benefits: tuple[Item, ...]
    typical_sessions_per_month_max: SessionCount
    reimbursement: Note
    funding_streams_used: tuple[Item, ...]
    functions_note: Note
    functions_from_2024_25: tuple[Item, ...]

    @model_validator(mode="after")
    def _all_workstreams_in_order(self) -> WorkstreamFacts:
        """Return self once every known workstream is listed exactly once, in order."""
        ids = tuple(w.id for w in self.workstreams)
        if ids != WORKSTREAM_IDS:
            raise ValueError(f"workstreams must be {list(WORKSTREAM_IDS)}, found {list(ids)}")
        return self


# --- funding.yaml -----------------------------------------------------------------------


class CdBasis(FactModel):
    """How the clinical director's funding is worked out."""

    wte: Decimal = Field(gt=0)
    per_registered_patients: int = Field(gt=0)
    population_date_rule: Text
    text: Text
    source: Text


class Session(FactModel):
    """The length of a GP session and of a full-time week."""

    hours: int = Field(ge=0)
    minutes: int = Field(ge=0, lt=60)
    full_time_sessions_per_week: int = Field(gt=0)
    full_time_hours_per_week: Decimal = Field(gt=0)
    text: Text
    source: Text

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


class Rate(FactModel):
    """A payment rate in pounds: one figure, or a low-high range where only that is known."""

    value: Money | None = None
    low: Money | None = None
    high: Money | None = None
    confirmed: bool
    note: Text | None = None
    source: Text

    @model_validator(mode="after")
    def _value_or_range(self) -> Rate:
        """Return self once it holds either a single value or a complete range."""
        if self.value is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either value or low and high, not both")
        elif self.low is None or self.high is None or self.low > self.high:
            raise ValueError("give a value, or a low and a high with low <= high")
        return self


class CorePcnFunding(FactModel):
    """The merged core PCN funding per patient, with its registered and adjusted parts."""

    value: Money
    registered_part: Money
    adjusted_part: Money
    confirmed: bool
    note: Text
    source: Text

    @model_validator(mode="after")
    def _parts_add_up(self) -> CorePcnFunding:
        """Return self once the two parts are checked to add up to the total."""
        if self.registered_part + self.adjusted_part != self.value:
            raise ValueError(f"parts do not add up to {self.value}")
        return self


class FundingYear(FactModel):
    """One contract year's funding; ``confirmed`` refers to the clinical director rate.

    A null ``cd_rate_per_patient`` means no separate rate: ``confirmed=True`` says that
    is known (the payment was merged), ``confirmed=False`` that no figure is confirmed.
    """

    cd_rate_per_patient: Money | None
    months: int = Field(ge=1, le=12)
    population_date: date
    confirmed: bool
    note: Text
    source: Text
    core_rate_per_patient: Rate | None = None
    leadership_and_management_rate_per_adjusted_patient: Rate | None = None
    core_pcn_funding_per_patient: CorePcnFunding | None = None


class PayRange(FactModel):
    """A yearly pay range in pounds for a stated number of sessions a week."""

    low: int = Field(gt=0)
    high: int = Field(gt=0)
    sessions_per_week: int = Field(gt=0)
    note: Text
    source: Text


class Funding(FactModel):
    """The clinical director's funding basis, session length and rates by contract year.

    ``years`` is keyed by contract year ("2019/20"); treat it as read-only.
    """

    cd_basis: CdBasis
    session: Session
    years: dict[str, FundingYear]
    salaried_gp_range_2023_24: PayRange

    @model_validator(mode="after")
    def _years_follow_on(self) -> Funding:
        """Return self once the years are checked to run on from each other with right dates."""
        previous: int | None = None
        for key, year in self.years.items():
            match = _YEAR.match(key)
            if match is None:
                raise ValueError(f"contract year {key!r} is not written like 2019/20")
            first = int(match.group(1))
            if int(match.group(2)) != (first + 1) % 100:
                raise ValueError(f"contract year {key!r} does not span two calendar years")
            if previous is not None and first != previous + 1:
                raise ValueError(f"contract year {key!r} does not follow {previous}")
            if year.population_date != date(first, 1, 1):
                raise ValueError(f"{key}: population date must be 1 January {first}")
            previous = first
        return self


# --- person_spec.yaml -------------------------------------------------------------------

PersonSpecCategory = Literal[
    "Qualifications", "Experience", "Skills and knowledge", "Personal qualities"
]


class PersonSpecRow(FactModel):
    """One criterion of the person specification; ``essential=False`` means desirable."""

    category: PersonSpecCategory
    criterion: Text
    essential: bool
    source: Text


class PersonSpec(FactModel):
    """The clinical director's person specification as rows of criteria."""

    rows: tuple[PersonSpecRow, ...] = Field(min_length=1)


# --- all facts --------------------------------------------------------------------------


class Facts(FactModel):
    """Every national fact the documents use, one field per data file."""

    annex_e: AnnexE
    workstreams: WorkstreamFacts
    funding: Funding
    person_spec: PersonSpec

    def workstream(self, workstream_id: str) -> Workstream:
        """Return the workstream with this id; raise KeyError naming the known ids if none."""
        for item in self.workstreams.workstreams:
            if item.id == workstream_id:
                return item
        known = ", ".join(WORKSTREAM_IDS)
        raise KeyError(f"unknown workstream {workstream_id!r}; known workstreams: {known}")

    def funding_year(self, year: str) -> FundingYear:
        """Return the funding for a contract year such as "2024/25"; KeyError if unknown."""
        try:
            return self.funding.years[year]
        except KeyError:
            known = ", ".join(self.funding.years)
            raise KeyError(f"no funding data for {year!r}; known years: {known}") from None


def _read_data_file(name: str) -> Any:
    """Return the parsed contents of ``pcndocs/data/<name>.yaml``."""
    text = (resources.files("pcndocs") / "data" / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.cache
def load_facts() -> Facts:
    """Return the national facts, read and checked once per process.

    A broken data file is a bug in the package, not a user error, so pydantic's
    ValidationError is left to propagate; its locations start with the file's name.
    """
    return Facts.model_validate({name: _read_data_file(name) for name in DATA_FILES})
