"""The documents pcndocs writes: their names for --doc, templates and titles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: one template, rendered once or once per lead."""

    name: str
    title: str
    template: str
    summary: str
    per_lead: bool = False
    short: str = ""  # how still-to-agree.txt names it, where its title is long
    compact: bool = False  # meant for one page: both writers draw its tables and spacing tighter


DOCUMENTS: tuple[DocumentKind, ...] = (
    DocumentKind(
        "schedule-1",
        "Schedule 1: Network details and appointment of the clinical director",
        "schedule-1.md",
        "Schedule 1 of the Network Agreement: the network, its practices, payee and "
        "clinical director, and how the director is appointed",
        short="Schedule 1",
    ),
    DocumentKind(
        "cd-job-description",
        "Clinical director: job description",
        "cd-job-description.md",
        "The clinical director's job description, with the Annex E responsibilities "
        "and the funded time",
    ),
    DocumentKind(
        "lead-checklist",
        "Lead checklist",
        "lead-checklist.md",
        "A checklist of tick boxes for each workstream lead",
        per_lead=True,
    ),
    DocumentKind(
        "lead-role-description",
        "Lead role description",
        "lead-role-description.md",
        "A role description for each clinical or non-clinical lead",
        per_lead=True,
    ),
    DocumentKind(
        "leadership-summary",
        "Leadership and funding summary",
        "leadership-summary.md",
        "One page: who leads what, the sessions and the yearly cost by funding stream",
        compact=True,
    ),
)
