"""Builds what a template sees: the profile plus the figures and facts computed from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pcndocs.documents import DocumentKind
from pcndocs.facts import Facts
from pcndocs.funding import contract_year, director_funding, leadership_costs
from pcndocs.profile.model import (
    ClinicalDirector,
    CustomWorkstream,
    Lead,
    LocalResponsibility,
    Practice,
    Profile,
)

FUNDING_STREAM_NAMES = {
    "core": "Core PCN funding",
    "leadership_and_management": "Leadership and management payment",
    "iif": "Investment and Impact Fund (IIF) earnings",
    "capacity_and_access": "Capacity and access payments",
    "other": "Other local funding",
}
METHOD_NAMES = {
    "selection": "selection",
    "election": "election",
    "selection_and_election": "selection followed by election",
}


# Stand-ins for what a blank profile does not say yet: every value prints as a placeholder.
BLANK_PRACTICE = Practice.model_validate({}, context={"blank": True})
BLANK_DIRECTOR = ClinicalDirector.model_validate({}, context={"blank": True})


@dataclass(frozen=True)
class WorkstreamView:
    """A workstream as documents show it, whether built in or defined in the profile."""

    id: str
    title: str
    summary: str
    clinical: bool
    checklist: tuple[str, ...]
    source: str
    since: str | None
    custom: bool


@dataclass(frozen=True)
class LeadView:
    """A lead with their workstream, practice and yearly cost resolved."""

    lead: Lead
    workstream: WorkstreamView
    practice: Practice | None
    sessions_per_year: float
    cost_per_year: float
    funding_stream_name: str


def workstream_view(workstream: str | CustomWorkstream, facts: Facts) -> WorkstreamView:
    """Return the workstream of a lead, built-in or custom, in one shape."""
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
    )


def lead_views(profile: Profile, facts: Facts) -> list[LeadView]:
    """Return every lead with what the documents need to say about them."""
    costs = leadership_costs(profile)
    return [
        LeadView(
            cost.lead,
            workstream_view(cost.lead.workstream, facts),
            profile.practice(cost.lead.practice),
            cost.sessions_per_year,
            cost.cost_per_year,
            FUNDING_STREAM_NAMES[cost.lead.funding_stream],
        )
        for cost in costs.leads
    ]


def render_context(
    profile: Profile, facts: Facts, kind: DocumentKind, lead: LeadView | None, today: date
) -> dict[str, Any]:
    """Return the variables a document's template is rendered with."""
    funding = director_funding(profile, facts)
    leads = lead_views(profile, facts)
    # A blank profile may have no director yet: show one whose every detail is a placeholder.
    directors = profile.clinical_directors or [BLANK_DIRECTOR]
    local = [
        item if isinstance(item, LocalResponsibility) else LocalResponsibility(duty=item)
        for item in profile.local_cd_responsibilities
    ]
    return {
        "profile": profile,
        "network": profile.network,
        "contract_year": contract_year(profile, facts),
        "practices": profile.practices or [BLANK_PRACTICE],
        "population": profile.population,
        "payee": profile.practice(profile.network.nominated_payee) or BLANK_PRACTICE,
        "directors": directors,
        "director_practice": {
            d.name: profile.practice(d.practice) or BLANK_PRACTICE for d in directors
        },
        "appointment": profile.appointment,
        "method_name": METHOD_NAMES.get(profile.appointment.method or ""),
        "funding": funding,
        "costs": leadership_costs(profile),
        "leads": leads,
        "lead": lead,
        "local_responsibilities": local,
        "control": profile.document_control,
        "facts": facts,
        "annex_e": facts.annex_e,
        "person_spec": facts.person_spec.rows,
        "workstream_facts": facts.workstreams,
        "stream_names": FUNDING_STREAM_NAMES,
        "document": kind,
        "today": today,
    }
