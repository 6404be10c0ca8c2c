"""Every problem has a kind, and what pcndocs does with a problem depends on its kind alone.

A message can then be reworded without changing which values a blank build takes as still to
agree, what the workspace counts as errors, or how the web page shows a message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml
from pydantic_core import ErrorDetails

from pcndocs.errors import Problem, ProfileError
from pcndocs.output.workspace import Saved
from pcndocs.profile import explain, load
from pcndocs.profile.load import validate_profile
from pcndocs.profile.yamlfile import KeyPath, YamlDocument, parse_yaml
from pcndocs.render.gaps import Gap, document_lines
from pcndocs.rules.facts import load_facts
from pcndocs.web import view
from pcndocs.web.networks import saved_text, state_of
from pcndocs.web.service import check_data, check_text

TODAY = date(2026, 12, 7)


def _changed(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    change(out)
    return out


def _drafts(example: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Profiles with values missing, wrong, unknown and inconsistent, alone and together."""

    def missing(d: dict[str, Any]) -> None:
        d["network"]["name"] = None
        d["practices"][1]["list_size"] = None
        del d["clinical_directors"][1]["funded_share"]  # the other director's is given

    def wrong(d: dict[str, Any]) -> None:
        d["practices"][0]["list_size"] = "many"
        d["practices"][2]["list_size"] = -5
        d["network"]["nominated_payer"] = "A99001"
        d["leads"][0]["practice"] = "Z99999"

    return {
        "missing": _changed(example, missing),
        "wrong": _changed(example, wrong),
        "both": _changed(_changed(example, missing), wrong),
    }


def _kinds(data: dict[str, Any], blank: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """Return (key, kind) of each problem, and the keys taken as gaps, of a profile's data."""
    known = load_facts().known_ids()
    try:
        loaded = validate_profile(YamlDocument("p.yaml", data), known, blank)
    except ProfileError as exc:
        return [(p.key, p.kind) for p in exc.problems], []
    return [], [p.key for p in loaded.gaps]


def test_each_problem_is_of_its_kind(example_data: dict[str, Any]) -> None:
    drafts = _drafts(example_data)
    problems, _gaps = _kinds(drafts["both"], blank=False)
    assert sorted(problems) == sorted(
        [
            ("network.name", "missing"),
            ("practices[1].list_size", "missing"),
            ("clinical_directors[1].funded_share", "missing"),
            ("practices[0].list_size", "type"),
            ("practices[2].list_size", "value"),
            ("network.nominated_payer", "unknown key"),
            ("leads[0].practice", "cross-check"),
        ]
    )
    # A blank build takes exactly the missing values as gaps; the others stop it.
    assert _kinds(drafts["missing"], blank=True) == (
        [],
        ["network.name", "practices[1].list_size", "clinical_directors[1].funded_share"],
    )
    problems, _gaps = _kinds(drafts["both"], blank=True)
    assert {kind for _key, kind in problems} == {"type", "value", "unknown key", "cross-check"}


def test_syntax_and_warnings_have_their_kinds(example_data: dict[str, Any]) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_yaml("network:\n\tname: x\n", "p.yaml")
    assert [p.kind for p in caught.value.problems] == ["syntax"]
    checked = check_text(yaml.safe_dump(example_data), load_facts(), TODAY)
    assert checked.warnings
    assert {p.kind for p in checked.warnings} == {"warning"}


def _what_is_done(drafts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return what the loader and the web page do with each draft: counts, gaps, styles."""
    facts = load_facts()
    done: dict[str, Any] = {}
    for name, data in drafts.items():
        checked = check_data(data, facts, TODAY)
        state = state_of(Saved("p.yaml", "", "1"), checked, False)
        header = saved_text(data, checked, "").splitlines()[:3]
        messages = view.place(checked.errors, "error", data)
        done[name] = {
            "strict": _kinds(data, blank=False)[0],
            "blank": _kinds(data, blank=True),
            "draft builds": checked.loaded is not None,
            "counts": (state.errors, state.to_agree),
            "header": [line for line in header if "to put right" in line],
            "styles": sorted((m.key, m.kind) for m in messages),
            "texts": sorted(m.text for m in messages),
        }
    return done


def test_rewording_every_message_changes_nothing_done(
    example_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts = _drafts(example_data)
    before = _what_is_done(drafts)
    plain = explain.explain

    def reworded(error: ErrorDetails, key_path: KeyPath = ()) -> str:
        return "in other words: " + plain(error, key_path).upper()

    monkeypatch.setattr(load, "explain", reworded)
    monkeypatch.setattr(load, "REQUIRED", "has no value yet")
    after = _what_is_done(drafts)
    for name in drafts:
        # The words did change, everywhere a message is shown ...
        assert before[name]["texts"] != after[name]["texts"], name
        said = [t for t in before[name]["texts"] if "is required but missing" in t]
        assert bool(said) == (name != "wrong"), name
        assert not any("is required but missing" in t for t in after[name]["texts"]), name
        # ... and nothing decided from them did.
        for what in ("strict", "blank", "draft builds", "counts", "header", "styles"):
            assert before[name][what] == after[name][what], (name, what)
    assert before["missing"]["counts"] == (0, 3)
    assert before["both"]["counts"] == (4, 3)


def test_unknown_key_in_the_forms_words_comes_from_its_kind() -> None:
    unknown = Problem("p.yaml", 3, "network.nominated_payer", "(any words)", kind="unknown key")
    [message] = view.place([unknown], "error", {"network": {"nominated_payer": "A99001"}})
    assert message.text == (
        "this profile has a key pcndocs does not know: nominated_payer"
        " — did you mean nominated_payee?"
    )
    other = Problem("p.yaml", 3, "network.zzz", "(any words)", kind="unknown key")
    [message] = view.place([other], "error", {"network": {"zzz": 1}})
    assert message.text.startswith("this profile has a key pcndocs does not know: zzz; the keys")
    assert "nominated_payee" in message.text


def test_a_placeholder_is_of_a_declared_kind_and_a_templates_own_words_are_kept() -> None:
    def gap(text: str) -> Gap:
        return Gap("Schedule 1", "Meetings", "", text)

    assert [(g.kind, g.words) for g in map(gap, _PLACEHOLDERS)] == [
        ("to be agreed", "the PCN code"),
        ("proposed", "twice a year"),
        ("incomplete", ""),
        ("to be agreed", "the date of the first meeting"),
        ("to be agreed", "Chair: the practice that chairs"),
    ]
    # A template's own [[words]] is listed as still to agree, not left out.
    # Each thing once, with where it appears (still-to-agree.txt's form).
    assert document_lines(map(gap, _PLACEHOLDERS)) == [
        "- Agree the PCN code: Schedule 1, section 'Meetings'.",
        "- Agree the date of the first meeting: Schedule 1, section 'Meetings'.",
        "- Agree Chair: the practice that chairs: Schedule 1, section 'Meetings'.",
    ]


_PLACEHOLDERS = [
    "to be agreed: the PCN code",
    "proposed: twice a year",
    "incomplete",
    "the date of the first meeting",
    "Chair: the practice that chairs",
]


def test_a_heading_with_commas_is_listed_with_the_others_plainly() -> None:
    """'The post' and 'Time, funding and pay': the comma inside the quotes divides nothing,
    so the list reads "'The post' and 'Time, funding and pay'", not "'The post'; and ..."."""
    gaps = [
        Gap("Clinical director: job description", heading, "", "to be agreed: the pay")
        for heading in ("The post", "Time, funding and pay")
    ]
    assert document_lines(gaps) == [
        "- Agree the pay: Clinical director: job description, sections 'The post' and "
        "'Time, funding and pay'."
    ]
