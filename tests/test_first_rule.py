"""The first rule as properties: every value a profile sets changes the papers, or `check` says
why it has none, in every contract year, in full and blank builds, over generated profiles.

tests/test_honour_or_warn.py changes every leaf of five hand-made profiles of one year. Here
the profiles are generated: a base (full or blank), any contract year pcndocs holds, and a
random walk of valid changes over every key of the schema (practices, leads, directors,
appointment, governance, pay, funding, local duties, job description, document control); then
leaves drawn at random are changed once more, and each change must show in a document's text
or in what `check` says. The funding section, whose use depends most on the year, is swept
whole for every base and year.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from pcndocs.errors import ProfileError
from pcndocs.profile.load import validate_profile
from pcndocs.profile.yamlfile import YamlDocument
from pcndocs.rules.facts import load_facts
from tests.test_honour_or_warn import BASES, alternatives, changed, leaves, outcome

# End to end in spirit: each example renders every document's Markdown (make test-fast leaves
# it out); in process, nothing written, about 40 ms a render.
pytestmark = pytest.mark.e2e

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@cache
def _years() -> tuple[str, ...]:
    return tuple(load_facts().funding.years)


def _in_year(data: dict[str, Any], year: str) -> dict[str, Any]:
    """Return a profile moved to another contract year, without what that year cannot hold."""
    moved = copy.deepcopy(data)
    moved["contract_year"] = year
    return moved


def _valid(data: dict[str, Any], blank: bool) -> Any:
    facts = load_facts()
    try:
        return validate_profile(YamlDocument("profile.yaml", data), facts.known_ids(), blank)
    except ProfileError:
        return None


def _changes(loaded: Any, data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], Any]]:
    """Return every (key path, other value) that changes one leaf of a profile."""
    return [
        (path, other)
        for path, annotation, value in leaves(loaded.profile, data)
        for other in alternatives(annotation, value)
    ]


@st.composite
def generated_profiles(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """Return a valid profile: a base, in any year, after a random walk of valid changes."""
    base = draw(st.sampled_from(sorted(BASES)))
    make, blank = BASES[base]
    data = _in_year(make(), draw(st.sampled_from(_years())))
    loaded = _valid(data, blank)
    if loaded is None:  # a base holds a key its year cannot (a workstream of later years)
        data = make()
        loaded = _valid(data, blank)
    for _ in range(draw(st.integers(0, 8))):
        path, other = draw(st.sampled_from(_changes(loaded, data)))
        walked = changed(data, path, other)
        walked_loaded = _valid(walked, blank)
        if walked_loaded is not None:
            data, loaded = walked, walked_loaded
    note(f"base {base}, blank {blank}, year {data.get('contract_year')}")
    return data, blank


def _silent(data: dict[str, Any], blank: bool, path: tuple[str | int, ...], other: Any) -> bool:
    """Return whether changing one value leaves the documents and `check` as they were."""
    lead = path[1] if path[0] == "leads" and len(path) > 2 else 0
    assert isinstance(lead, int)
    after = outcome(changed(data, path, other), blank, lead)
    return after is not None and after == outcome(data, blank, lead)


@settings(max_examples=30, **SETTINGS)
@given(profile=generated_profiles(), data=st.data())
def test_any_value_changed_in_any_profile_shows_or_warns(
    profile: tuple[dict[str, Any], bool], data: st.DataObject
) -> None:
    body, blank = profile
    loaded = _valid(body, blank)
    assert loaded is not None
    changes = _changes(loaded, body)
    picked = data.draw(st.lists(st.sampled_from(changes), min_size=1, max_size=6, unique_by=str))
    for path, other in picked:
        key = ".".join(map(str, path))
        assert not _silent(body, blank, path, other), f"{key} -> {other!r} changes nothing"


@pytest.mark.parametrize("year", _years())
@pytest.mark.parametrize("base", sorted(BASES))
def test_every_funding_value_shows_or_warns_in_every_year(base: str, year: str) -> None:
    make, blank = BASES[base]
    data = _in_year(make(), year)
    loaded = _valid(data, blank)
    assert loaded is not None, f"{base} does not load in {year}"
    silent = [
        f"{'.'.join(map(str, path))}: -> {other!r}"
        for path, other in _changes(loaded, data)
        if path[0] == "funding" and _silent(data, blank, path, other)
    ]
    assert not silent, f"{base} in {year}: values that change nothing:\n" + "\n".join(silent)
