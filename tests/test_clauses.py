"""Clause ids (issue 25 §1): every block of every document has one, and the catalogue keeps them.

A clause's id is a `{@id}` marker at the start of its block in the template, never derived
from its words, so rewording keeps it; the catalogue (pcndocs/data/clauses.yaml) records each
version of each clause's built-in text, and an id may leave the templates only as retired.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html

from pcndocs.errors import TemplateError
from pcndocs.output.build import BuildOptions, BuildResult, document_trees, load, templates_for
from pcndocs.render.clauses import (
    Catalogue,
    all_clauses,
    document_clauses,
    document_named,
    load_catalogue,
    problems_with_catalogue,
    redline,
    updated_catalogue,
)
from pcndocs.render.document import clause_id, parse_markdown
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates
from pcndocs.rules.facts import load_facts

STARTER = """\
network:
  name: Newtown PCN
  population_date: 2025-01-01
  nominated_payee: null
contract_year: 2025/26
practices:
  - name: Newtown Surgery
    ods_code: B12345
    list_size: null
clinical_directors: []
appointment:
  method: null
"""


def variants(example: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """Profiles that between them take every branch the clauses are marked in."""
    found: list[tuple[dict[str, Any], bool]] = [(yaml.safe_load(STARTER), True)]
    methods = ["selection", "election", "selection_and_election", None]
    for method, joint, weighted in itertools.product(methods, [False, True], [False, True]):
        data = copy.deepcopy(example)
        appointment = data.setdefault("appointment", {})
        appointment["method"] = method
        appointment["majority"] = "unanimous" if weighted and joint else "simple"
        appointment["tie_break"] = "drawing_lots" if method == "election" else "second_ballot"
        if weighted:
            appointment["voting"] = "list_size_weighted"
        data.setdefault("governance", {})["chair"] = "elected" if joint else "clinical_director"
        if not joint:
            data["clinical_directors"] = data["clinical_directors"][:1]
        found.append((data, method is None))
    for own, shared in itertools.product([False, True], [False, True]):
        data = copy.deepcopy(example)  # who line-manages whom: one paragraph, four ways
        for director in data["clinical_directors"]:
            director["line_manages"] = ["the network manager"] if own else []
        data.setdefault("job_description", {})["line_manages"] = (
            ["the care coordinators"] if shared else []
        )
        found.append((data, False))
    for year in ("2019/20", "2023/24", "2024/25"):
        data = copy.deepcopy(example)
        data["contract_year"] = year
        found.append((data, False))
    return found


def test_every_clause_id_opens_its_block_in_every_branch(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    """Parsing fails on an id not at the start of its block; render every branch to see."""
    facts = load_facts()
    seen: set[str] = set()
    for n, (data, blank) in enumerate(variants(example_data)):
        path = tmp_path / f"v{n}.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        try:
            loaded = load(path, facts, blank)
        except Exception:  # a combination the model refuses: not a branch a pack can take
            continue
        options = BuildOptions(out=tmp_path, blank=blank)
        for tree in document_trees(loaded, options, facts, templates_for(None)):
            seen |= {clause_id(node) for node in tree.document.tree.walk()} - {""}
    known = set(all_clauses())
    assert seen <= known  # every id a document carries is one `pcndocs clauses` lists
    assert len(seen) > 200


@pytest.mark.e2e
def test_the_html_carries_each_clause_id_and_nothing_else_changes(
    example_build: BuildResult,
) -> None:
    page = lxml_html.fromstring(
        (example_build.folder / "schedule-1.html").read_bytes().decode("utf-8")
    )
    marked = page.xpath("//*[@data-clause]")
    ids = [e.get("data-clause") for e in marked]
    assert "schedule-1.appointment.nominations" in ids
    assert "schedule-1.appointment.nominations.period" in ids
    item = page.xpath('//li[@data-clause="schedule-1.appointment.nominations.period"]')[0]
    assert item.text_content().startswith("Nominations are open for 14 days")
    assert "{@" not in page.text_content()
    heading = page.xpath('//h2[@data-clause="schedule-1.governance"]')[0]
    assert heading.text_content() == "How the network meets and decides"


def test_one_clause_worded_per_case_is_one_id_with_every_branch() -> None:
    clauses = {
        c.id: c
        for c in document_clauses(Templates(builtin_templates()), document_named("schedule-1"))
    }
    chair = clauses["schedule-1.governance.body.chair"]
    assert len(chair.branches) == 2
    assert "chairs it" in chair.branches[0] and "elect a chair" in chair.branches[1]
    assert chair.kind == "item" and chair.section == "How the network meets and decides"
    assert clauses["schedule-1.appointment.term.current"].repeated  # once per director
    assert not clauses["schedule-1.appointment.term.length"].repeated
    # A partial's clauses belong to each document that includes it.
    assert "schedule-1.control" in clauses
    assert "cd-job-description.control" in all_clauses()


def test_the_fingerprint_ignores_comments_and_spacing_but_not_words(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(builtin_templates(), folder)
    before = all_clauses(Templates(folder))["schedule-1.appointment.removal.reasons"]
    schedule = folder / "schedule-1.md"
    text = schedule.read_text(encoding="utf-8")
    spaced = text.replace(
        "Before any vote, the director is given",
        "Before  any vote, {# a note #} the director is given",
    )
    schedule.write_text(spaced, encoding="utf-8")
    assert all_clauses(Templates(folder))["schedule-1.appointment.removal.reasons"].fingerprint == (
        before.fingerprint
    )
    schedule.write_text(text.replace("Before any vote,", "Before every vote,"), encoding="utf-8")
    after = all_clauses(Templates(folder))["schedule-1.appointment.removal.reasons"]
    assert after.fingerprint != before.fingerprint
    assert redline(before.source, after.source).startswith("1. Before [-any-] {+every+} vote,")


def test_the_catalogue_records_every_clause_of_the_templates() -> None:
    """Change a built-in clause's words and this fails until `make clauses` records them."""
    assert problems_with_catalogue(load_catalogue(), all_clauses()) == []


def test_an_id_gone_from_the_templates_must_be_retired(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(builtin_templates(), folder)
    schedule = folder / "schedule-1.md"
    schedule.write_text(
        schedule.read_text(encoding="utf-8").replace(
            "{@appointment.removal.reasons}", "{@appointment.removal.hearing}"
        ),
        encoding="utf-8",
    )
    clauses = all_clauses(Templates(folder))
    problems = "\n".join(problems_with_catalogue(load_catalogue(), clauses))
    old, new = "schedule-1.appointment.removal.reasons", "schedule-1.appointment.removal.hearing"
    assert f"{old} is in the catalogue but in no template: mark it retired" in problems
    assert f"{new}: its text has no entry in the catalogue" in problems
    # Retired, with what replaces it, and the new id recorded: nothing more to say.
    catalogue = load_catalogue()
    retired = Catalogue(
        catalogue.clauses,
        {old: f"replaced by {new}"},
    )
    assert problems_with_catalogue(updated_catalogue(retired, clauses, "test"), clauses) == []


def test_a_changed_text_is_a_new_version_and_the_old_one_stays(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(builtin_templates(), folder)
    schedule = folder / "schedule-1.md"
    schedule.write_text(
        schedule.read_text(encoding="utf-8").replace("Before any vote,", "Before every vote,"),
        encoding="utf-8",
    )
    ident = "schedule-1.appointment.removal.reasons"
    old = load_catalogue()
    new = updated_catalogue(old, all_clauses(Templates(folder)), "pcndocs 9, contract year 2030/31")
    versions = new.clauses[ident]
    assert versions[:-1] == old.clauses[ident]
    assert versions[-1].since == "pcndocs 9, contract year 2030/31"
    assert "Before every vote," in versions[-1].text


def test_a_marker_inside_a_paragraph_is_an_error_naming_it() -> None:
    with pytest.raises(
        TemplateError, match=r"schedule-1.md: the clause id \{@schedule-1.b\} at line 1"
    ):
        parse_markdown("{@a} One sentence. {@b} Another.", "schedule-1.md")
    # An escaped brace (a value's text, escaped by the templating) is only text.
    document = parse_markdown("{@a} A value: \\{@b\\}", "schedule-1.md")
    (paragraph,) = document.tree.children
    assert clause_id(paragraph) == "schedule-1.a"
