"""The web form's fields, generated from the profile model: its one source of truth.

Nothing here lists the profile's keys by hand. Each pydantic field becomes a form field
whose label and help come from the model (its title and description), whose kind comes
from its type (a number, a date, a choice of a Literal, text, lines of text), and a list
of models becomes a repeatable group. Two kinds are found by their type, not their name:
an ODS code that refers to a practice (any OdsCode field other than a practice's own
`ods_code`) is a drop-down of the member practices; an organisation's code (the nominated
payee) is that drop-down plus "another provider", whose code and name are typed beside it; and
a workstream (a built-in id or a custom one) is a drop-down of the year's workstreams plus "a
local workstream".

Walked from the model's annotations, not from its JSON Schema (profile/schema.py): the kinds
hang on the types themselves (OdsCode, ContractYear, FundingStreamId, `Needed`, a workstream's
union), which the schema gives only as patterns, `anyOf` and `$ref`s to resolve and match back;
the schema would make this module longer, not shorter.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pcndocs.profile.model import (
    ContractYear,
    FundingStreamId,
    Needed,
    OdsCode,
    OrganisationCode,
    Profile,
    WorkstreamRef,
)
from pcndocs.profile.yearwords import WORDS, long_date
from pcndocs.rules.facts import load_facts

Kind = Literal[
    "text",
    "longtext",
    "int",
    "float",
    "date",
    "choice",
    "bool",
    "lines",
    "practice",
    "payee",
    "workstream",
    "year",
]
# Text longer than this may be written over several lines: a text area, not a one-line box.
LONG_TEXT = 500

# The form's help where the model's description is written for someone typing the YAML file
# (key names, literal values such as two_thirds, {key:} shapes): the same meaning in the plain
# words of a PCN manager filling in a form, whose drop-downs already show the choices in words.
# Keyed by model and field; every other field's help is its description in the model.
FORM_HELP = {
    "Profile.governance": (
        "How the member practices meet and decide. Every item has a usual value already, so "
        "change only what your network does differently."
    ),
    "Profile.local_cd_responsibilities": (
        "Duties the member practices add to the clinical director's role beyond the national "
        "minimum. For each, write the duty and, if it takes extra time, the sessions a week."
    ),
    "Network.local_variation_agreement": (
        "Whether your ICB has agreed a Local Variation Agreement with the network's practices "
        f"(possible from {long_date(WORDS.variation_from) or WORDS.variation_first}). Leave it "
        "empty and Schedule 1 does not mention one."
    ),
    "Network.area": "The area the network covers, in your own words.",
    "Network.nominated_payee": (
        "The member practice that receives the network's funding and passes it on, or another "
        "provider, such as a GP federation: choose 'Another provider' and give its ODS code "
        "and name."
    ),
    "DocumentControl.effective_date": (
        "The date Schedule 1 and the job description take effect. Leave it empty and they take "
        "effect on the approval date."
    ),
    "DocumentControl.show_generator": (
        "Whether the documents say they were prepared with pcndocs. Leave it empty and they do not."
    ),
    "Network.payee_name": (
        "The name of the provider, such as Riverside GP Federation, that receives the "
        "network's funding."
    ),
    "Network.payee_holds_funds": (
        "How the payee holds the network's funds: on trust for the member practices, in a "
        "separate bank account kept for the network, or a separate account held on trust. "
        "Schedule 1 says so. Leave it empty and, for a payee that is not a member practice, "
        "Schedule 1 says it is still to be agreed."
    ),
    "ClinicalDirector.line_manages": (
        "For joint directors: whom this director line-manages, one a line. Leave it empty for "
        "all of them and the job description says the directors agree it between them."
    ),
    "ClinicalDirector.practice": "The member practice the director works in.",
    "JobDescription.line_manages": (
        "Who the director line-manages, such as the PCN manager. Leave it empty if no one."
    ),
    "Practice.signatory": "The person who signs Schedule 1 for the practice: their name and role.",
    "ClinicalDirector.session_rate": (
        "The pounds the network pays the director for each session. This is their pay, not the "
        "national funding. Leave it empty and the documents say the pay is still to be agreed."
    ),
    "ClinicalDirector.annual_pay": (
        "Instead of a rate for each session: the pounds a year the network pays the director."
    ),
    "ClinicalDirector.funded_share": (
        "For joint directors: the part of the role's funded time (from "
        f"{WORDS.core_pcn_funding_first}, the time funded until {WORDS.cd_payment_last}, kept as "
        "a guide) this director holds, as a decimal, for example 0.6 and "
        "0.4 (the parts add up to 1). Their own time and pay are their sessions and rate. Leave "
        "it empty to share it in proportion to the directors' sessions."
    ),
    "Appointment.method": (
        "How the member practices choose the clinical director: a selection panel, an election, "
        "or a selection panel followed by an election."
    ),
    "Appointment.majority": (
        "The votes a candidate needs: more than half of the votes cast, two thirds of the votes "
        "cast, or every member practice."
    ),
    "Appointment.selection_panel": (
        "Who sits on the selection panel. Leave it empty for one representative of each practice."
    ),
    "Appointment.tie_break": (
        "How a tied vote is settled: a second vote, drawing lots, or appointing both "
        "candidates as joint clinical directors."
    ),
    "Appointment.max_consecutive_terms": (
        "How many terms in a row one person may serve. Leave it empty for no limit."
    ),
    "Appointment.removal_majority": (
        "How many of the member practices must agree to remove a clinical director before the "
        "end of the term: more than half, two thirds, or all of them."
    ),
    "Appointment.interim_cover": (
        "Who covers the role while it is vacant: a named deputy (give their name below), or "
        "someone the member practices nominate at the time."
    ),
    "Appointment.deputy": "The deputy who covers a vacancy, if you chose a named deputy above.",
    "Appointment.review_date": (
        "When the member practices review this appointment process. Leave it empty to use the "
        "review date under Document control."
    ),
    "Governance.representative": (
        "Who represents each member practice at the meeting. Schedule 1 reads: 'Each member "
        "practice sends one representative:' followed by your words."
    ),
    "Lead.kind": (
        "Clinical or non-clinical. A non-clinical lead (finance, HR, operations) is given no "
        "clinical duties."
    ),
    "Lead.workstream": (
        "The part of the network's work the lead is responsible for. The list shows the "
        "workstreams of the contract year chosen above; choose 'A local workstream' to describe "
        "one of your own."
    ),
    "CustomWorkstream.id": (
        "A short name for the workstream, used in file names: lower-case letters, digits and "
        "underscores, such as frailty."
    ),
    "Lead.line_manages": (
        "Staff the lead line-manages for the network, for example the network's clinical "
        "pharmacists. Leave it empty if the role has none."
    ),
    "Lead.funding_stream": (
        "The money that pays for the lead's time. Capacity and access payments ended in "
        f"{WORDS.capacity_last}, and the leadership and management payment in "
        f"{WORDS.leadership_last}."
    ),
    "Lead.reimbursed_to": (
        "Who is paid for the lead's time: their practice (the member practice chosen above) or "
        "the lead themselves."
    ),
    "JobDescription.working_relationships": (
        "The people and bodies the director works with. Leave it empty for the list usual in "
        "published PCN clinical director job descriptions."
    ),
    "JobDescription.engaged_as": (
        "How the director is engaged for the role: employed by a member practice (the "
        "nominated payee or their own), as an office holder, or self-employed. Leave it empty "
        "and the job description says it is still to be agreed."
    ),
    "FundingOverrides.core_rate_per_patient": (
        f"Until {WORDS.core_payment_last}: the core payment for each registered patient "
        f"({WORDS.core_payment}). From {WORDS.core_pcn_funding_first}: the network's rate of "
        "Core PCN Funding a patient, which is paid partly for each registered patient and partly "
        "for each patient of the adjusted population (give that below too); pcndocs splits the "
        "rate as the national one was first split, and the papers call the sum an estimate. No "
        f"national rate is known for {WORDS.core_rate_needed_from} or later years, so give this, "
        "or better its two parts or the year's Core PCN Funding below."
    ),
    "FundingOverrides.core_rate_per_registered_patient": (
        f"From {WORDS.core_pcn_funding_first}: the part of the network's Core PCN Funding rate "
        "paid for each registered patient, in pounds, such as 2.30. Give the part for the "
        "adjusted population below too, and the adjusted population: the papers then show the "
        "sum as the network's own figure, not an estimate."
    ),
    "FundingOverrides.core_rate_per_adjusted_patient": (
        f"From {WORDS.core_pcn_funding_first}: the part of the network's Core PCN Funding rate "
        "paid for each patient of the adjusted population, in pounds, such as 0.75. Give it "
        "with the part for each registered patient above."
    ),
}


@dataclass(frozen=True)
class Input:
    """One value the user types or picks."""

    name: str  # the key in the profile, such as "sessions_per_week"
    label: str
    help: str
    kind: Kind
    required: bool
    choices: tuple[str, ...] = ()
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    custom: Group | None = None  # a workstream's keys when it is a local one
    shown_with: str | None = None  # drawn with this field of its group, not on its own


@dataclass(frozen=True)
class Group:
    """A group of keys (a section, or one item of a repeatable group)."""

    name: str
    label: str
    help: str
    fields: tuple[Node, ...] = field(default_factory=tuple)
    optional: bool = False  # the whole group may be left out (a practice's signatory)


@dataclass(frozen=True)
class Repeat:
    """A list of groups the user can add to, remove from and reorder."""

    name: str
    label: str
    help: str
    item: Group
    required: bool
    max_items: int | None = None
    text_or_keys: bool = False  # an item may be written as text alone (a local duty)


Node = Input | Group | Repeat


def humanise(name: str) -> str:
    """Return a key as words: sessions_per_week becomes 'Sessions per week'."""
    words = name.replace("_", " ").strip()
    fixed = {"ods": "ODS", "cd": "CD", "iif": "IIF", "pcn": "PCN", "wte": "WTE"}
    words = " ".join(fixed.get(w, w) for w in words.split())
    return words[:1].upper() + words[1:]


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Return the type inside Annotated and Optional, its metadata, and whether None is allowed."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            metadata.extend(args[1:])
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(members) < len(typing.get_args(annotation))
            if len(members) == 1:
                annotation = members[0]
            else:
                return annotation, metadata, optional
        else:
            return annotation, metadata, optional


def _constraint(metadata: list[Any], info: FieldInfo, name: str) -> Any:
    for item in [*metadata, *info.metadata]:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _validated_as(metadata: list[Any], alias: Any) -> bool:
    """Return whether a field's validators are those of an annotated type such as OdsCode."""
    return any(item is check for item in metadata for check in alias.__metadata__)


def _models_of_union(annotation: Any) -> list[type[BaseModel]]:
    found = []
    for arg in typing.get_args(annotation):
        inner, _meta, _opt = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found.append(inner)
    return found


def _texts(info: FieldInfo, name: str) -> tuple[str, str]:
    label = info.title or humanise(name)
    return label, info.description or ""


def node_for(name: str, info: FieldInfo) -> Node:
    """Return the form node for one field of a profile model."""
    label, help_text = _texts(info, name)
    raw = info.rebuild_annotation()
    inner, metadata, optional = _unwrap(raw)
    needed = Needed in info.metadata or Needed in metadata
    required = needed or (info.is_required() and not optional)
    default = None if info.default is PydanticUndefined else info.default
    if _is_workstream(info):
        custom = group_for(_models_of_union(inner)[0], name, "A local workstream", "")
        return Input(name, label, help_text, "workstream", required, custom=custom)
    if info.rebuild_annotation() is FundingStreamId:  # a choice of funding.yaml's streams
        streams = tuple(stream.id for stream in load_facts().funding.streams)
        return Input(name, label, help_text, "choice", required, streams, default)
    if typing.get_origin(inner) is list:
        return _list_node(name, label, help_text, inner, info, metadata, required)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return group_for(inner, name, label, help_text, optional=optional)
    if typing.get_origin(inner) is Literal:
        choices = tuple(str(c) for c in typing.get_args(inner))
        return Input(name, label, help_text, "choice", required, choices, default)
    return _scalar_node(name, label, help_text, inner, info, metadata, required, default)


def _list_node(
    name: str,
    label: str,
    help_text: str,
    inner: Any,
    info: FieldInfo,
    metadata: list[Any],
    required: bool,
) -> Node:
    """Return the node of a list: items of a model repeated, or text one item a line."""
    (element,) = typing.get_args(inner)
    element_inner, _metadata, _optional = _unwrap(element)
    models = (
        _models_of_union(element_inner)
        if typing.get_origin(element_inner) in (typing.Union, types.UnionType)
        else [element_inner]
        if isinstance(element_inner, type) and issubclass(element_inner, BaseModel)
        else []
    )
    if models:
        item = group_for(models[0], name, _model_words(models[0]), "")
        return Repeat(
            name,
            label,
            help_text,
            item,
            required,
            max_items=_max_length(info, metadata),
            text_or_keys=element_inner is not models[0],
        )
    return Input(name, label, help_text or "One a line.", "lines", required)


def _scalar_node(
    name: str,
    label: str,
    help_text: str,
    inner: Any,
    info: FieldInfo,
    metadata: list[Any],
    required: bool,
    default: Any,
) -> Input:
    """Return the input of one value: a yes/no, a number, a date, a code, a year or text."""
    minimum = _constraint(metadata, info, "gt")
    if minimum is None:
        minimum = _constraint(metadata, info, "ge")
    maximum = _constraint(metadata, info, "le")
    if inner is bool:
        return Input(name, label, help_text, "bool", required, default=default)
    if inner is int:
        return Input(name, label, help_text, "int", required, (), default, minimum, maximum)
    if inner is float:
        return Input(name, label, help_text, "float", required, (), default, minimum, maximum)
    if inner is date:
        return Input(name, label, help_text, "date", required, default=default)
    if _validated_as(metadata, OrganisationCode):  # a member practice, or another provider
        return Input(name, label, help_text, "payee", required, default=default)
    if _validated_as(metadata, OdsCode) and name != "ods_code":
        return Input(name, label, help_text, "practice", required, default=default)
    if _validated_as(metadata, ContractYear):
        return Input(name, label, help_text, "year", required, default=default)
    longest = _constraint(metadata, info, "max_length")
    kind: Kind = "longtext" if longest is not None and longest > LONG_TEXT else "text"
    return Input(name, label, help_text, kind, required, default=default)


# The form's label where the key's name, made into words, is not what a PCN manager would call
# it ("Term years", "Reimbursed to"); every message names a field by its label.
FORM_LABELS = {
    "Lead.reimbursed_to": "Paid to",
    "Lead.kind": "Clinical or non-clinical",
    "Appointment.term_years": "Length of a term (years)",
    "Appointment.nomination_days": "Days nominations stay open",
    "Appointment.notice_days": "Days' notice before the vote or panel",
    "Appointment.quorum_percent": "Quorum (% of member practices)",
    "Appointment.max_consecutive_terms": "Most terms in a row",
    "Appointment.resignation_notice_months": "Notice to resign (months)",
    "Governance.body_name": "Name of the meeting",
    "Governance.notice_days": "Days' notice of a meeting",
    "Governance.quorum_percent": "Quorum (% of member practices)",
    "Governance.minutes_days": "Days to send the minutes",
    "Governance.meetings_per_year": "Meetings a year",
    "ClinicalDirector.funded_share": "Share of the funded time",
    "ClinicalDirector.annual_pay": "Pay a year",
    "ClinicalDirector.session_rate": "Pay a session",
    "Lead.session_rate": "Pay a session",
    "Lead.sessions_per_month": "Sessions a month",
    "ClinicalDirector.sessions_per_week": "Sessions a week",
    "Profile.local_cd_responsibilities": "Local duties of the clinical director",
    "Profile.job_description": "Clinical director's job description",
    "Profile.document_control": "Document control",
    "FundingOverrides.cd_rate_per_patient": "Clinical director rate per patient",
    "FundingOverrides.core_rate_per_registered_patient": "Core PCN Funding a registered patient",
    "FundingOverrides.core_rate_per_adjusted_patient": (
        "Core PCN Funding a patient of the adjusted population"
    ),
    "Network.payee_name": "Provider's name",
    "Network.payee_holds_funds": "How the payee holds the funds",
}
# A field drawn inside another's "another provider" part, shown only when that is chosen.
SHOWN_WITH = {"Network.payee_name": "nominated_payee"}


def _with_form_words(node: Node, help_text: str | None, label: str | None) -> Node:
    """Return a node with the form's own help and label in place of the model's, if any."""
    if help_text:
        node = dataclasses.replace(node, help=help_text)
    return dataclasses.replace(node, label=label) if label else node


def _shown_with(node: Node, field_name: str | None) -> Node:
    """Return a node marked as drawn with another field, if it is one: needed when shown."""
    if field_name is None or not isinstance(node, Input):
        return node
    return dataclasses.replace(node, shown_with=field_name, required=True)


def _model_words(model: type[BaseModel]) -> str:
    """Return a model's name as words: ClinicalDirector becomes 'Clinical director'."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
    return words[:1].upper() + words[1:]


def _is_workstream(info: FieldInfo) -> bool:
    annotation: Any = info.rebuild_annotation()
    return annotation is WorkstreamRef


def _max_length(info: FieldInfo, metadata: list[Any]) -> int | None:
    for item in [*metadata, *info.metadata]:
        if isinstance(item, MaxLen):
            return item.max_length
    return None


def group_for(
    model: type[BaseModel], name: str, label: str, help_text: str, optional: bool = False
) -> Group:
    """Return the form group of a model: one node per field, in the model's order."""
    nodes = tuple(
        _shown_with(
            _with_form_words(
                node_for(key, info),
                FORM_HELP.get(f"{model.__name__}.{key}"),
                FORM_LABELS.get(f"{model.__name__}.{key}"),
            ),
            SHOWN_WITH.get(f"{model.__name__}.{key}"),
        )
        for key, info in model.model_fields.items()
    )
    return Group(name, label, help_text or (model.__doc__ or "").strip(), nodes, optional)


@cache
def profile_form() -> Group:
    """Return the whole form: one node per top-level key of a profile."""
    return group_for(Profile, "", "Network profile", "")
