"""The first rule under house wording: a value only an omitted or replaced clause stated warns.

An LMC's wording file may omit a clause, or replace it with its own text. A value of the profile
that only that clause stated then changes no document: `check` must say so at its key. First
one case per kind of value (a section's key, a choice stated by which branch is printed, a
list item's key, a value the templates also get by a name of its own), read without rendering;
then, slowly, every value of the example: each value's change alters some clauses, and with
those clauses omitted the documents must still change, or `check` must warn at that key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pcndocs.errors import ProfileError
from pcndocs.output.build import BuildOptions, document_trees, house_warnings, templates_for
from pcndocs.profile.load import LoadedProfile, validate_profile
from pcndocs.profile.yamlfile import YamlDocument
from pcndocs.render.context import network_context
from pcndocs.render.document import plain_text
from pcndocs.render.wording import clause_texts, parse_wording, unstated_values
from pcndocs.rules.checks import warnings_for
from tests.test_honour_or_warn import BASES, _facts, alternatives, changed, leaves


def _loaded(data: dict[str, Any]) -> LoadedProfile:
    return validate_profile(YamlDocument("p.yaml", data), _facts().known_ids(), False)


def _warned(data: dict[str, Any], wording: str) -> list[str]:
    house = parse_wording(wording, "wording.yaml")
    return [p.key for p in unstated_values(_loaded(data), house)]


def _example(**network: Any) -> dict[str, Any]:
    data = BASES["example"][0]()
    data["network"].update(network)
    return data


CASES = [
    # (what, the profile, the wording, the key that must be warned of)
    (
        "a signatory: a list item's key",
        _example(),
        "clauses:\n  schedule-1.signatures.signatory: omit\n",
        "practices[0].signatory",
    ),
    (
        "a choice stated by the branch printed",
        _example(),
        "clauses:\n  schedule-1.governance.body.chair: omit\n",
        "governance.chair",
    ),
    (
        "a section's key",
        {**_example(), "job_description": {"line_manages": ["the PCN manager"]}},
        "clauses:\n  cd-job-description.local.relationships.line-management: omit\n",
        "job_description.line_manages",
    ),
    (
        "a director's line management",
        _example(),
        "clauses:\n  cd-job-description.local.relationships.line-management: omit\n",
        "clinical_directors[0].line_manages",
    ),
]


@pytest.mark.parametrize(("what", "data", "wording", "key"), CASES, ids=[c[0] for c in CASES])
def test_a_value_only_an_omitted_clause_stated_is_warned_of(
    what: str, data: dict[str, Any], wording: str, key: str
) -> None:
    data["governance"]["chair"] = "elected_by_members"
    assert key in _warned(data, wording), what


def test_a_tie_break_the_house_no_longer_states_is_warned_of() -> None:
    data = _example()
    data["appointment"].update(method="election", majority="simple", tie_break="drawing_lots")
    assert "appointment.tie_break" in _warned(
        data, "clauses:\n  schedule-1.appointment.tie.ballot: omit\n"
    )


def test_a_value_the_house_text_names_as_a_field_is_not_warned_of() -> None:
    data = _example()
    data["appointment"]["resignation_notice_months"] = 2
    clause = "schedule-1.appointment.resignation.notice"
    text = "A director gives {appointment.resignation_notice_months} months' notice."
    said = _warned(data, f"clauses:\n  {clause}:\n    text: {text}\n")
    assert "appointment.resignation_notice_months" not in said
    said = _warned(data, f"clauses:\n  {clause}: omit\n")
    assert "appointment.resignation_notice_months" in said


def test_an_omitted_clause_that_states_nothing_set_warns_of_nothing() -> None:
    assert _warned(_example(), "clauses:\n  schedule-1.appointment.tie.exception: omit\n") == []


# --- every value of the example, under the wording that omits what its change alters ----------


def _render(data: dict[str, Any], wording: Path | None) -> tuple[Any, ...] | None:
    facts = _facts()
    try:
        loaded = _loaded(data)
    except ProfileError:
        return None
    options = BuildOptions(out=Path("unused"), formats=("html",), wording=wording)
    shared = network_context(loaded.profile, facts)
    trees = {
        t.name: (plain_text(t.document.tree), clause_texts(t.document.tree))
        for t in document_trees(loaded, options, facts, templates_for(None), shared)
    }
    warned = tuple(p.key for p in house_warnings(loaded, options)) if wording else ()
    said = tuple(p.text for p in warnings_for(loaded, facts, date(2026, 12, 6)))
    return trees, warned, said


@pytest.mark.slow
def test_every_value_shows_or_warns_under_a_wording_that_omits_its_clauses(
    tmp_path: Path,
) -> None:
    data = _example(area="The town of Riverside", local_variation_agreement=True)
    data["network"]["local_variation_details"] = "Varies two IIF indicators, agreed in 2026"
    before = _render(data, None)
    assert before is not None
    wording = tmp_path / "wording.yaml"
    silent = []
    for path, annotation, value in leaves(_loaded(data).profile, data):
        other = next(iter(alternatives(annotation, value)), None)
        new = changed(data, path, other)
        after = _render(new, None)
        if after is None:
            continue
        altered = sorted(
            {
                ident
                for name, (_, clauses) in before[0].items()
                for ident, text in clauses.items()
                if after[0].get(name, ("", {}))[1].get(ident) != text
            }
        )
        if not altered:
            continue
        wording.write_text("clauses:\n" + "".join(f"  {i}: omit\n" for i in altered))
        housed, housed_after = _render(data, wording), _render(new, wording)
        assert housed is not None and housed_after is not None
        same = {n: t for n, (t, _) in housed[0].items()} == {
            n: t for n, (t, _) in housed_after[0].items()
        }
        if same and housed[2] == housed_after[2] and not (housed[1] or housed_after[1]):
            silent.append(f"{'.'.join(map(str, path))} -> {other!r}, omitting {altered}")
    assert not silent, "values no document shows and check is silent of:\n" + "\n".join(silent)
