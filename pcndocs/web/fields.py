"""The web form's fields, generated from the profile model: its one source of truth.

Nothing here lists the profile's keys by hand. Each pydantic field becomes a form field
whose label and help come from the model (its title and description), whose kind comes
from its type (a number, a date, a choice of a Literal, text, lines of text), and a list
of models becomes a repeatable group. Two kinds are found by their type, not their name:
an ODS code that refers to a practice (any OdsCode field other than a practice's own
`ods_code`) is a drop-down of the member practices, and a workstream (a built-in id or a
custom one) is a drop-down of the year's workstreams plus "a local workstream".
"""

from __future__ import annotations

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

from pcndocs.profile.model import ContractYear, Needed, OdsCode, Profile, WorkstreamRef

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
    "workstream",
    "year",
]
# Text longer than this may be written over several lines: a text area, not a one-line box.
LONG_TEXT = 500


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
    if typing.get_origin(inner) is list:
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
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return group_for(inner, name, label, help_text, optional=optional)
    if typing.get_origin(inner) is Literal:
        choices = tuple(str(c) for c in typing.get_args(inner))
        return Input(name, label, help_text, "choice", required, choices, default)
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
    if _validated_as(metadata, OdsCode) and name != "ods_code":
        return Input(name, label, help_text, "practice", required, default=default)
    if _validated_as(metadata, ContractYear):
        return Input(name, label, help_text, "year", required, default=default)
    longest = _constraint(metadata, info, "max_length")
    kind: Kind = "longtext" if longest is not None and longest > LONG_TEXT else "text"
    return Input(name, label, help_text, kind, required, default=default)


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
    nodes = tuple(node_for(key, info) for key, info in model.model_fields.items())
    return Group(name, label, help_text or (model.__doc__ or "").strip(), nodes, optional)


@cache
def profile_form() -> Group:
    """Return the whole form: one node per top-level key of a profile."""
    return group_for(Profile, "", "Network profile", "")
