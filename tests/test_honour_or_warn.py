"""Honour or warn: every value a profile sets changes the documents, or `check` says why not.

Several base profiles; each leaf of the profile model is changed, one at a time, to another
valid value (a choice to each other choice, a number up, a date later, a yes/no flipped, a
list shortened and lengthened, a text changed). Each changed profile is rendered in process
(the Markdown of every document, with the details its pages carry) and checked (warnings and
the defaults it assumes). A change that alters neither is a value silently ignored.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
import yaml
from pydantic import BaseModel

from pcndocs.errors import ProfileError
from pcndocs.output.build import (
    BuildOptions,
    document_date,
    document_sources,
    network_name,
    templates_for,
)
from pcndocs.profile.load import validate_profile
from pcndocs.profile.yamlfile import YamlDocument
from pcndocs.render.context import lead_documents, network_context
from pcndocs.resources import example_profile
from pcndocs.rules import checks
from pcndocs.rules.checks import assumed_values, warnings_for
from pcndocs.rules.facts import Facts, load_facts

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 12, 6)
_NOWHERE = Path("unused")  # nothing is written
Path_ = tuple[str | int, ...]


def _example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    return data


def _selection_alone() -> dict[str, Any]:
    data = _example()
    data["clinical_directors"] = data["clinical_directors"][:1]
    del data["clinical_directors"][0]["funded_share"]
    data["appointment"]["method"] = "selection"
    data["appointment"]["selection_panel"] = ["the chair of the LMC", "two practice partners"]
    data["appointment"]["selection_criteria"] = ["experience of leading change"]
    data["appointment"]["interim_cover"] = "deputy"
    data["appointment"]["deputy"] = "Dr Tom Fielding"
    return data


def _weighted_two_thirds() -> dict[str, Any]:
    data = _example()
    data["clinical_directors"] = data["clinical_directors"][:1]
    del data["clinical_directors"][0]["funded_share"]
    data["appointment"].update(
        method="election", voting="list_size_weighted", majority="two_thirds"
    )
    data["governance"].update(voting="list_size_weighted", majority="two_thirds")
    data["governance"]["chair"] = "elected_by_members"
    return data


def _joint_directors() -> dict[str, Any]:
    data = _example()
    data["appointment"]["method"] = "election"
    data["clinical_directors"][1]["annual_pay"] = 15600
    del data["clinical_directors"][1]["session_rate"]
    data["job_description"]["working_relationships"] = ["the ICB's primary care team"]
    return data


def _own_rate_in_two_parts() -> dict[str, Any]:
    """The network states the two parts of its Core PCN Funding rate and its adjusted population."""
    data = _example()
    data["funding"] = {
        "core_rate_per_registered_patient": 2.3,
        "core_rate_per_adjusted_patient": 0.8,
        "adjusted_population": 60_000,
    }
    return data


def _own_rate_in_one_figure() -> dict[str, Any]:
    """The network states its Core PCN Funding rate as one figure a patient: an estimate."""
    data = _example()
    data["funding"] = {"core_rate_per_patient": 3.1, "adjusted_population": 60_000}
    return data


def _own_rates_before_core_pcn_funding() -> dict[str, Any]:
    """2023/24, a year before Core PCN Funding: the core payment has one rate a patient."""
    data = _example()
    data["contract_year"] = "2023/24"
    data["network"]["population_date"] = "2023-01-01"
    data["funding"] = {"core_rate_per_patient": 1.6, "adjusted_population": 60_000}
    # Before 2026/27 there were no Local Variation Agreements: false is what Schedule 1 says
    # anyway (unset, it would be set to false, honoured but changing nothing).
    data["network"]["local_variation_agreement"] = False
    return data


def _imported_blank() -> dict[str, Any]:
    """A network as `pcndocs import` writes it: practices and codes, nothing agreed yet."""
    return {
        "network": {
            "name": "Brookside PCN",
            "code": "U12345",
            "commissioner": "NHS Example ICB",
            "population_date": "2026-01-01",
            "nominated_payee": None,
        },
        "contract_year": "2026/27",
        "practices": [
            {"name": "Brook Surgery", "ods_code": "B10001", "list_size": 9100},
            {"name": "Hill Medical Practice", "ods_code": "B10002", "list_size": 7400},
            {"name": "Vale Health Centre", "ods_code": "B10003", "list_size": None},
        ],
        "clinical_directors": [],
        "appointment": {"method": None},
    }


BASES = {
    "example": (_example, False),
    "selection": (_selection_alone, False),
    "weighted-two-thirds": (_weighted_two_thirds, False),
    "joint-directors": (_joint_directors, False),
    "imported-blank": (_imported_blank, True),
    "own-rate-in-two-parts": (_own_rate_in_two_parts, False),
    "own-rate-in-one-figure": (_own_rate_in_one_figure, False),
    "own-rates-before-core-pcn-funding": (_own_rates_before_core_pcn_funding, False),
}


@cache
def _facts() -> Facts:
    return load_facts()


@dataclass(frozen=True)
class Outcome:
    """What a user can see of a profile: its documents, and what `check` says."""

    documents: tuple[tuple[str, str], ...]  # (file name, Markdown and page details)
    check: tuple[str, ...]  # warnings, assumed defaults and values still missing
    details: str  # what the pages carry beside the text: network, author, date


def outcome(data: dict[str, Any], blank: bool, lead: int = 0) -> Outcome | None:
    """Return what a profile's documents and check say, or None if the profile is not valid.

    Of the documents written once per lead, only those of the given lead are rendered: a
    change elsewhere shows in every lead's documents alike, and this keeps the test quick.
    """
    facts = _facts()
    try:
        loaded = validate_profile(YamlDocument("profile.yaml", data), facts.known_ids(), blank)
    except ProfileError:
        return None
    profile = loaded.profile
    options = BuildOptions(out=_NOWHERE, formats=("html",), blank=blank)
    shared = network_context(profile, facts, blank)
    leads = lead_documents(shared)
    theirs = leads[lead] if lead < len(leads) else None
    details = (network_name(loaded), profile.document_control.author, document_date(loaded, facts))
    documents = tuple(
        (source.name, source.text)
        for source in document_sources(loaded, options, facts, templates_for(None), shared)
        if source.lead is None or source.lead is theirs
    )
    check = tuple(p.text for p in warnings_for(loaded, facts, TODAY))
    check += tuple(f"{a.key}: {a.words()}" for a in assumed_values(profile))
    check += tuple(g.text for g in loaded.gaps)
    return Outcome(documents, check, str(details))


def _plain(annotation: Any) -> tuple[Any, bool]:
    """Return an annotation without Annotated and None, and whether None was allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation, optional
        else:
            return annotation, optional


def _bumped(number: float, integer: bool) -> list[Any]:
    if integer:
        return [int(number) + 1, int(number) - 1]
    return [number * 1.5 if number else 1.0, number / 2 if number else 0.5]


def alternatives(annotation: Any, value: Any) -> Iterator[Any]:
    """Yield other valid-looking values for a leaf of this type (the model decides)."""
    plain, _ = _plain(annotation)
    origin = typing.get_origin(plain)
    if origin is Literal:
        yield from (choice for choice in typing.get_args(plain) if choice != value)
    elif plain is bool:
        yield from ([not value] if value is not None else [True, False])
    elif plain in (int, float):
        yield from _bumped(value if value is not None else 1, plain is int)
    elif plain is date:
        start = value if value is not None else date(2026, 1, 1)
        yield start + timedelta(days=400)
    elif plain is str:
        yield "Zed Tomlinson" if value is None else f"{value} and more"
    elif origin is list:
        items = list(value or [])
        if items:
            yield items[:-1]
        (item_type,) = typing.get_args(plain)
        if _plain(item_type)[0] is str or typing.get_origin(_plain(item_type)[0]) is not None:
            yield [*items, "one more item to agree"]
        elif items and isinstance(items[-1], dict):
            yield [*items, _another(items[-1])]


def _another(item: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a list's item made different enough to be a second one."""
    other = copy.deepcopy(item)
    for key in ("name",):
        if isinstance(other.get(key), str):
            other[key] = f"{other[key]} Junior"
    if isinstance(other.get("ods_code"), str):
        other["ods_code"] = "Z99998"
    return other


def leaves(model: BaseModel, data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any, Any]]:
    """Yield every leaf of a validated model: (path in data, annotation, value it holds)."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*path, name)
        if isinstance(value, BaseModel):
            yield from leaves(value, None, here)
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from leaves(item, None, (*here, i))
        yield here, info.annotation, _as_data(value)


def _as_data(value: Any) -> Any:
    """Return a model's value as a profile's data gives it."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    if isinstance(value, list):
        return [_as_data(item) for item in value]
    return value


def changed(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """Return a copy of data with the value at path replaced (sections made as needed)."""
    new = copy.deepcopy(data)
    here: Any = new
    for step in path[:-1]:
        if isinstance(step, str) and (here.get(step) is None):
            here[step] = {}
        here = here[step]
    here[path[-1]] = value.isoformat() if isinstance(value, date) else value
    return new


def silent_values(base: str, under: str = "") -> tuple[int, list[str]]:
    """Return how many changes were tried on a base, and those that changed nothing.

    `under` keeps the keys of one section only, such as "appointment".
    """
    make, blank = BASES[base]
    data = make()
    facts = _facts()
    loaded = validate_profile(YamlDocument(base, data), facts.known_ids(), blank)
    before = {i: outcome(data, blank, i) for i in range(max(len(loaded.profile.leads), 1))}
    tried = 0
    silent: list[str] = []
    for path, annotation, value in leaves(loaded.profile, data):
        if under and path[0] != under:
            continue
        lead = path[1] if path[0] == "leads" and len(path) > 2 else 0
        assert isinstance(lead, int)
        for other in alternatives(annotation, value):
            after = outcome(changed(data, path, other), blank, lead)
            if after is None:
                continue
            tried += 1
            if after == before[lead]:
                key = ".".join(str(p) for p in path)
                silent.append(f"{base}: {key}: {value!r} -> {other!r}")
    return tried, silent


@pytest.mark.parametrize("base", BASES)
def test_every_value_set_changes_the_documents_or_a_warning(base: str) -> None:
    tried, silent = silent_values(base)
    assert tried > 40, f"only {tried} changes of {base} were valid: the test tests too little"
    assert not silent, "values that change nothing and warn of nothing:\n" + "\n".join(silent)


def test_a_value_ignored_in_silence_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without its warning, a tie-break under selection alone changes nothing: the test says so.
    monkeypatch.setattr(checks, "no_effect", lambda profile, facts: iter(()))
    _, silent = silent_values("selection", under="appointment")
    assert silent == [
        "selection: appointment.tie_break: 'second_ballot' -> 'drawing_lots'",
        "selection: appointment.tie_break: 'second_ballot' -> 'joint_appointment'",
    ]
