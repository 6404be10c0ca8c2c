"""A house wording file (issue 25 §2, §3): read, checked, applied to the tree, pinned, edited."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from pcndocs.cli import cli
from pcndocs.output.build import BuildOptions, document_trees, load, templates_for
from pcndocs.render.context import network_context
from pcndocs.render.wording import (
    WordingError,
    clause_views,
    load_wording,
    parse_wording,
    pin,
    set_clause,
)
from pcndocs.render.writers.html import render_body
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts


def problems_of(text: str) -> list[str]:
    with pytest.raises(WordingError) as caught:
        parse_wording(text, "wording.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "clauses:\n  schedule-1.appointment.removal.vot: omit\n",
            "wording.yaml:2: schedule-1.appointment.removal.vot: no clause has this id (did you "
            "mean schedule-1.appointment.removal.vote?); `pcndocs clauses` lists them",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length:\n    text: For {network.nme}.\n",
            "wording.yaml:3: schedule-1.appointment.term.length: no field {network.nme} (did you "
            "mean {network.name}?); `pcndocs clauses --fields` lists them",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length: 'For {{ network.name }}.'\n",
            "wording.yaml:2: schedule-1.appointment.term.length: template code ({{ }}, {% %}) is "
            "not accepted in house wording; name a value as {network.name} (`pcndocs clauses "
            "--fields` lists them)",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length: |\n    A term.\n    1. Another\n",
            "wording.yaml:2: schedule-1.appointment.term.length: line 2 of the text starts like "
            "a heading, list, table or quote ('1. Another'), which would break the document's "
            "numbering; start it with a word (add a clause after this one for a new numbered "
            "clause)",
        ),
        (
            "clauses:\n  schedule-1.governance: |\n    One\n    Two\n",
            "wording.yaml:2: schedule-1.governance: a heading's text is one line",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.current: Each term is four years.\n",
            "wording.yaml:2: schedule-1.appointment.term.current: this clause is printed once "
            "for each practice, director or lead, so it cannot take one text; omit it, or add a "
            "clause after it",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length:\n    omit: true\n    text: x\n",
            "wording.yaml:2: schedule-1.appointment.term.length: a clause is either omitted or "
            "given new text, not both",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length:\n    add_after:\n"
            "      id: schedule-1.appointment.term.current\n      text: More.\n",
            "wording.yaml:4: schedule-1.appointment.term.length: "
            "another clause already has the id schedule-1.appointment.term.current; choose another",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length:\n    add_after:\n"
            "      id: cd-job-description.extra\n      text: More.\n",
            "wording.yaml:4: schedule-1.appointment.term.length: the new clause's id must start "
            "with schedule-1. and be words of small letters, digits and hyphens joined by dots",
        ),
        (
            "clauses:\n  schedule-1.appointment.term.length:\n    txt: Four years.\n",
            "wording.yaml:3: schedule-1.appointment.term.length: unknown key 'txt'; a clause "
            "takes text, omit, add_after, pinned",
        ),
        (
            "clause:\n  schedule-1.appointment.term.length: omit\n",
            "wording.yaml:1: clause: unknown key; the file has one, 'clauses:', with a clause id "
            "under it for each clause it changes",
        ),
    ],
)
def test_each_mistake_is_one_line_with_file_line_and_id(text: str, expected: str) -> None:
    assert expected in problems_of(text)


def test_a_wrong_wording_file_stops_build_with_exit_1_and_no_traceback(tmp_path: Path) -> None:
    wording = tmp_path / "house.yaml"
    wording.write_text("clauses:\n  schedule-1.nope: omit\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["build", "--wording", str(wording), "-o", str(tmp_path / "out"), "-f", "html"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {wording}:2: schedule-1.nope: no clause has this id; `pcndocs clauses` lists them"
    ]
    assert not (tmp_path / "out").exists()


def schedule_html(wording: Path | None, tmp_path: Path) -> lxml_html.HtmlElement:
    facts = load_facts()
    loaded = load(example_profile(), facts)
    options = BuildOptions(out=tmp_path, documents=("schedule-1",), wording=wording)
    (tree,) = document_trees(loaded, options, facts, templates_for(None))
    return lxml_html.fromstring(f"<div>{render_body(tree.document.tree)}</div>")


def clause_texts(page: lxml_html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in page.xpath(xpath)]


def test_replaced_omitted_and_added_clauses_keep_the_numbered_list(tmp_path: Path) -> None:
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        "clauses:\n"
        "  schedule-1.appointment.removal.vote: >-\n"
        "    {network.name} may remove {director.name} if *two thirds* agree.\n"
        "  schedule-1.appointment.removal.automatic: omit\n"
        "  schedule-1.appointment.removal.reasons:\n"
        "    add_after:\n"
        "      id: schedule-1.appointment.removal.appeal\n"
        "      text: The director may ask the LMC to review a removal.\n"
        "  schedule-1.appointment.removal:\n"
        "    text: '**Removal from office**'\n",
        encoding="utf-8",
    )
    before = schedule_html(None, tmp_path)
    after = schedule_html(wording, tmp_path)
    removal = '//li[@data-clause="schedule-1.appointment.removal"]'
    assert clause_texts(before, removal + "/ol/li") == clause_texts(before, removal + "/ol/li")
    items = after.xpath(removal + "/ol/li")
    assert [i.get("data-clause") for i in items] == [
        "schedule-1.appointment.removal.vote",
        "schedule-1.appointment.removal.reasons",
        "schedule-1.appointment.removal.appeal",
    ]
    assert " ".join(items[0].text_content().split()) == (
        "Riverside Primary Care Network may remove Dr Priya Shah if two thirds agree."
    )
    assert items[0].xpath("em")[0].text == "two thirds"  # the house text's own emphasis
    title = after.xpath(removal)[0]
    assert title.xpath("strong")[0].text == "Removal from office"
    # The other clauses are as they were: the same list, the same numbers before and after.
    others = (
        '//li[@data-clause and not(ancestor::li[@data-clause="schedule-1.appointment.removal"])]'
    )
    count = len(
        before.xpath('//ol/li[@data-clause="schedule-1.appointment.removal"]/preceding-sibling::li')
    )
    assert (
        len(
            after.xpath(
                '//ol/li[@data-clause="schedule-1.appointment.removal"]/preceding-sibling::li'
            )
        )
        == count
    )
    assert len(after.xpath(others)) == len(before.xpath(others))


def test_a_value_in_a_field_is_text_never_markdown(
    tmp_path: Path, example_data: dict[str, Any]
) -> None:
    import yaml

    data = dict(example_data)
    data["network"] = {**example_data["network"], "name": "Riverside *PCN* [x](y) 1. {@z}"}
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump(data), encoding="utf-8")
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        "clauses:\n  schedule-1.appointment.term.length: Terms at {network.name} are short.\n",
        encoding="utf-8",
    )
    facts = load_facts()
    options = BuildOptions(out=tmp_path, documents=("schedule-1",), wording=wording)
    (tree,) = document_trees(load(profile, facts), options, facts, templates_for(None))
    page = lxml_html.fromstring(f"<div>{render_body(tree.document.tree)}</div>")
    (item,) = page.xpath('//li[@data-clause="schedule-1.appointment.term.length"]')
    assert item.text_content() == "Terms at Riverside *PCN* [x](y) 1. {@z} are short."


def test_pin_keeps_comments_and_other_entries_and_set_clause_edits_one(tmp_path: Path) -> None:
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        "# Our LMC's wording\n"
        "clauses:\n"
        "  # two thirds, as the LMC advises\n"
        "  schedule-1.appointment.removal.vote: Two thirds must agree.\n"
        "\n"
        "  # no joint directors in this area\n"
        "  schedule-1.appointment.joint: omit\n",
        encoding="utf-8",
    )
    assert pin(wording) == ["schedule-1.appointment.removal.vote", "schedule-1.appointment.joint"]
    text = wording.read_text(encoding="utf-8")
    for comment in ("# Our LMC's wording", "# two thirds, as", "# no joint directors"):
        assert comment in text
    read = load_wording(wording)
    assert read.entries["schedule-1.appointment.removal.vote"].text == "Two thirds must agree."
    assert all(e.pinned for e in read.entries.values())
    assert pin(wording) == []  # nothing more to pin

    # The editor: set one clause, omit another, reset a third; the rest is kept.
    set_clause(wording, "schedule-1.appointment.term.length", "Four years, {network.name}.")
    set_clause(wording, "schedule-1.appointment.joint")  # reset: the built-in text again
    set_clause(wording, "schedule-1.appointment.conflicts.own-practice", omit=True)
    read = load_wording(wording)
    assert set(read.entries) == {
        "schedule-1.appointment.removal.vote",
        "schedule-1.appointment.term.length",
        "schedule-1.appointment.conflicts.own-practice",
    }
    assert read.entries["schedule-1.appointment.term.length"].pinned
    assert "# two thirds, as the LMC advises" in wording.read_text(encoding="utf-8")
    # A text that would not load is refused, and the file is left as it was.
    saved = wording.read_text(encoding="utf-8")
    with pytest.raises(WordingError, match="no field"):
        set_clause(wording, "schedule-1.appointment.term.length", "For {nobody}.")
    assert wording.read_text(encoding="utf-8") == saved


def test_the_editor_lists_each_clause_with_its_texts(tmp_path: Path) -> None:
    wording = tmp_path / "wording.yaml"
    set_clause(wording, "schedule-1.appointment.term.length", "Terms at {network.name} last.")
    facts = load_facts()
    shared = network_context(load(example_profile(), facts).profile, facts)
    views = {v.id: v for v in clause_views("schedule-1", shared, facts, load_wording(wording))}
    term = views["schedule-1.appointment.term.length"]
    assert (
        term.rendered
        == "A clinical director holds office for 3 years from the date of appointment."
    )
    assert term.house_rendered == "Terms at Riverside Primary Care Network last."
    assert term.section == "Appointing the clinical director"
    assert "{{ proposed(a.term_years" in term.source
    assert term.changed == ""
    assert views["schedule-1.appointment.term.current"].repeated
    assert views["schedule-1.governance"].rendered == "How the network meets and decides"


def test_a_changed_wording_file_rebuilds_and_an_unchanged_one_does_not(tmp_path: Path) -> None:
    wording = tmp_path / "wording.yaml"
    wording.write_text("clauses:\n  schedule-1.appointment.joint: omit\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--wording", str(wording), "-o", str(out), "-f", "html", "-d", "schedule-1"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, args)
    assert "up to date" in again.output
    wording.write_text("clauses:\n  schedule-1.appointment.review: Review\n", encoding="utf-8")
    third = CliRunner().invoke(cli, args)
    assert "up to date" not in third.output
    page = (out / "riverside-primary-care-network" / "schedule-1.html").read_text()
    assert 'data-clause="schedule-1.appointment.joint"' in page


def test_compare_gives_both_versions_the_house_wording(
    tmp_path: Path, example_data: dict[str, Any]
) -> None:
    import yaml

    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(example_data), encoding="utf-8")
    changed = dict(example_data)
    changed["appointment"] = {**example_data["appointment"], "term_years": 4}
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(changed), encoding="utf-8")
    wording = tmp_path / "house.yaml"
    wording.write_text(
        "clauses:\n  schedule-1.appointment.removal.vote: Two thirds must agree.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(old),
            str(new),
            "--wording",
            str(wording),
            "-o",
            str(tmp_path / "c"),
            "-f",
            "html",
            "-d",
            "schedule-1",
        ],
    )
    assert result.exit_code == 0, result.output
    page = lxml_html.fromstring(
        (tmp_path / "c" / "riverside-primary-care-network" / "schedule-1-changes.html").read_bytes()
    )
    (vote,) = page.xpath('//li[@data-clause="schedule-1.appointment.removal.vote"]')
    assert vote.text_content().strip() == "Two thirds must agree."  # the same on both sides
    assert not vote.xpath(".//ins|.//del")
    assert page.xpath("//ins")  # the term that changed is marked


@pytest.mark.e2e
def test_serve_previews_with_the_house_wording_and_sees_a_save(tmp_path: Path) -> None:
    from datetime import date

    from pcndocs.web.app import Settings, create_app
    from tests.test_web import LOCAL, form_fields
    from tests.webclient import PageClient

    wording = tmp_path / "wording.yaml"
    set_clause(wording, "schedule-1.appointment.term.length", "Terms at {network.name} are short.")
    app = create_app(Settings(today=date(2026, 6, 1), workers=1, wording=wording))
    with PageClient(app, base_url=LOCAL) as client:

        def preview() -> str:
            fields = form_fields(client.get("/example").text)
            answer = client.post("/form/preview", data={**fields, "doc": "schedule-1"})
            src = lxml_html.fromstring(answer.text).xpath("//iframe")[0].get("src")
            return " ".join(client.get(src).text.split())

        assert "Terms at Riverside Primary Care Network are short." in preview()
        set_clause(wording, "schedule-1.appointment.term.length", "Terms are long.")
        assert "Terms are long." in preview()  # the editor's save shows at the next preview


def test_the_readme_example_is_a_wording_file_that_loads() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Your own wording", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    wording = parse_wording(block, "README.md")
    assert len(wording.entries) == 4


def test_the_editor_adds_a_clause_after_another_and_takes_it_away(tmp_path: Path) -> None:
    from pcndocs.render.wording import Addition

    wording = tmp_path / "wording.yaml"
    extra = Addition("schedule-1.appointment.review.lmc", "The LMC may help with the review.")
    set_clause(wording, "schedule-1.appointment.review.date", add_after=[extra])
    entry = load_wording(wording).entries["schedule-1.appointment.review.date"]
    assert entry.add_after == (extra,) and entry.text is None and not entry.pinned
    set_clause(wording, "schedule-1.appointment.review.date", "By the review date.")
    entry = load_wording(wording).entries["schedule-1.appointment.review.date"]
    assert entry.add_after == (extra,) and entry.text == "By the review date." and entry.pinned
    set_clause(wording, "schedule-1.appointment.review.date", "By the review date.", add_after=())
    entry = load_wording(wording).entries["schedule-1.appointment.review.date"]
    assert entry.add_after == () and entry.text == "By the review date."
    set_clause(wording, "schedule-1.appointment.review.date")
    assert load_wording(wording).entries == {}


def test_a_default_the_profile_never_set_is_proposed_in_house_text_too(tmp_path: Path) -> None:
    """The first rule: a proposal is printed as proposed, never as agreed."""
    profile = tmp_path / "blank.yaml"
    profile.write_text(
        "network:\n  name: Newtown PCN\n  population_date: 2026-01-01\n"
        "contract_year: 2026/27\npractices:\n  - name: Newtown Surgery\n    ods_code: B12345\n"
        "clinical_directors: []\nappointment:\n  method: null\n",
        encoding="utf-8",
    )
    wording = tmp_path / "wording.yaml"
    set_clause(wording, "schedule-1.appointment.term.length", "{appointment.term_years} years.")
    facts = load_facts()
    options = BuildOptions(out=tmp_path, documents=("schedule-1",), wording=wording, blank=True)
    (tree,) = document_trees(load(profile, facts, True), options, facts, templates_for(None))
    page = lxml_html.fromstring(f"<div>{render_body(tree.document.tree)}</div>")
    (item,) = page.xpath('//li[@data-clause="schedule-1.appointment.term.length"]')
    assert " ".join(item.text_content().split()) == "[proposed: 3] years."


def test_a_value_only_a_replaced_clause_stated_is_warned_at_its_key(tmp_path: Path) -> None:
    """Honour or warn: the profile's removal majority, stated only by the clause replaced."""
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        "clauses:\n"
        "  schedule-1.appointment.removal.vote: Two thirds of the practices must agree.\n"
        "  schedule-1.appointment.term.length: Terms are {appointment.term_years} years.\n"
        "  schedule-1.governance.meetings.notice: Papers go out {governance.notice_days} days "
        "before.\n",
        encoding="utf-8",
    )
    profile = tmp_path / "riverside.yaml"
    profile.write_text(example_profile().read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(profile), "--wording", str(wording)])
    warned = [
        line
        for line in result.output.splitlines()
        if line.startswith("warning: ") and "house wording" in line
    ]
    line = profile.read_text(encoding="utf-8").splitlines().index("  removal_majority: two_thirds")
    assert warned == [
        f"warning: {profile}:{line + 1}: appointment.removal_majority: the house wording "
        "(wording.yaml) replaces schedule-1.appointment.removal.vote, the only clause that "
        "states this value, so no document shows it: word it into that clause's house text, "
        "or take it out of the profile"
    ]


def test_clauses_lists_ids_with_their_wording_and_the_fields() -> None:
    listed = CliRunner().invoke(cli, ["clauses", "schedule-1"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    at = lines.index("schedule-1.appointment.removal.reasons")
    assert lines[at + 1].startswith("    1. Before any vote, the director is given the reasons")
    assert "schedule-1.appointment.term.current  (repeated: once per item)" in lines
    assert not any(line.startswith("cd-job-description.") for line in lines)
    fields = CliRunner().invoke(cli, ["clauses", "--fields"])
    assert "{network.name}" in fields.output and "{appointment.term_years}" in fields.output
    unknown = CliRunner().invoke(cli, ["clauses", "schedule-2"])
    assert unknown.exit_code == 2 and "unknown document 'schedule-2'" in unknown.output


HAND_EDIT = (
    "# edited by hand while pcndocs was working\n"
    "clauses:\n  schedule-1.appointment.removal.vote: Three quarters must agree.\n"
)


def edit_by_hand_once_read(monkeypatch: pytest.MonkeyPatch, wording: Path) -> None:
    """Save a hand edit into the file just after pcndocs has read it (as an editor might)."""
    import pcndocs.render.wording as house

    real = house.current_clauses
    saved: list[bool] = []

    def then_edited(templates: Any) -> Any:
        if not saved:  # first called once the file has been read, before it is written
            wording.write_text(HAND_EDIT, encoding="utf-8")
            saved.append(True)
        return real(templates)

    monkeypatch.setattr(house, "current_clauses", then_edited)


@pytest.mark.parametrize("writer", ["pin", "set_clause", "set_clause on no file", "cli --pin"])
def test_no_writer_of_the_wording_file_overwrites_a_hand_edit_saved_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    """Every writer is atomic and based on what it read: an edit made meanwhile is kept."""
    from pcndocs.files import ChangedMeanwhileError

    wording = tmp_path / "wording.yaml"
    if writer != "set_clause on no file":
        wording.write_text("clauses:\n  schedule-1.appointment.joint: omit\n", encoding="utf-8")
    edit_by_hand_once_read(monkeypatch, wording)
    if writer == "cli --pin":
        result = CliRunner().invoke(cli, ["clauses", "--pin", "--wording", str(wording)])
        assert result.exit_code == 1, result.output
        (line,) = result.output.strip().split("\n")  # one line, no traceback
        assert line == (
            f"error: {wording}: was changed (by an editor, git or a command) since pcndocs "
            "read it; nothing was written over it: run it again"
        )
    else:
        with pytest.raises(ChangedMeanwhileError, match="nothing was written over it"):
            if writer == "pin":
                pin(wording)
            else:
                set_clause(wording, "schedule-1.appointment.term.length", "Four years.")
    assert wording.read_text(encoding="utf-8") == HAND_EDIT
    assert [p.name for p in tmp_path.iterdir()] == ["wording.yaml"]  # no temporary left
    # Run again, on the file as it is now: the hand edit is kept and the change made.
    monkeypatch.undo()
    if writer.startswith("set_clause"):
        set_clause(wording, "schedule-1.appointment.term.length", "Four years.")
    else:
        assert pin(wording) == ["schedule-1.appointment.removal.vote"]
    entries = load_wording(wording).entries
    assert entries["schedule-1.appointment.removal.vote"].text == "Three quarters must agree."
    assert wording.read_text(encoding="utf-8").startswith("# edited by hand")


def test_a_file_changed_while_the_new_bytes_are_written_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison is made again once the new bytes are on disk, just before the rename."""
    import pcndocs.files as files

    target = tmp_path / "wording.yaml"
    target.write_bytes(b"as read\n")
    real_fsync = os.fsync

    def edited_while_writing(handle: int) -> None:
        real_fsync(handle)
        target.write_bytes(b"edited by hand\n")  # after the first comparison

    monkeypatch.setattr(os, "fsync", edited_while_writing)  # the writer's own call
    with pytest.raises(files.ChangedMeanwhileError, match="was changed"):
        files.replace_if_unchanged(target, b"pcndocs' change\n", b"as read\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"edited by hand\n"
    assert [p.name for p in tmp_path.iterdir()] == ["wording.yaml"]  # no temporary left
    files.replace_if_unchanged(target, b"pcndocs' change\n", b"edited by hand\n")
    assert target.read_bytes() == b"pcndocs' change\n"
    with pytest.raises(files.ChangedMeanwhileError, match="was removed"):
        files.replace_if_unchanged(tmp_path / "gone.yaml", b"x", b"was here")
    assert not (tmp_path / "gone.yaml").exists()


def test_the_pages_saves_are_refused_when_the_file_changes_during_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wording page's saves (VersionedFile) compare again just before the rename too."""
    from pcndocs.output.workspace import ConflictError, VersionedFile

    target = tmp_path / "wording.yaml"
    target.write_text("clauses:\n  schedule-1.appointment.joint: omit\n", encoding="utf-8")
    house = VersionedFile(target)
    opened = house.current()
    assert opened is not None
    real_fsync = os.fsync

    def edited_while_writing(handle: int) -> None:
        real_fsync(handle)
        target.write_text(HAND_EDIT, encoding="utf-8")

    monkeypatch.setattr(os, "fsync", edited_while_writing)  # the writer's own call
    with pytest.raises(ConflictError) as caught:
        house.save("clauses: {}\n", opened.version)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == HAND_EDIT
    assert caught.value.current is not None and caught.value.current.text == HAND_EDIT


RESEARCH = "cd-job-description.core.responsibility.research"


def jd_items(wording: Path | None, tmp_path: Path) -> list[tuple[str, str]]:
    """Return the Annex E items of the example's job description: (clause id, text)."""
    facts = load_facts()
    options = BuildOptions(out=tmp_path, documents=("cd-job-description",), wording=wording)
    (tree,) = document_trees(load(example_profile(), facts), options, facts, templates_for(None))
    page = lxml_html.fromstring(f"<div>{render_body(tree.document.tree)}</div>")
    items = page.xpath('//li[starts-with(@data-clause, "cd-job-description.core.")]')
    return [(i.get("data-clause"), " ".join(i.text_content().split())) for i in items]


def test_each_data_item_is_a_clause_of_its_own_with_its_own_fingerprint() -> None:
    from pcndocs.render.clauses import DATA_ITEMS, all_clauses

    clauses = all_clauses()
    facts = load_facts()
    for group, items in DATA_ITEMS.items():
        assert clauses[group].per_item and clauses[group].repeated
        ids = [item.id for item in items(facts)]
        assert len(ids) == len(set(ids)) > 0, group  # each item's id its own
        for item in items(facts):
            clause = clauses[f"{group}.{item.id}"]
            assert clause.item_of == group and not clause.repeated  # it takes a text
            assert item.text in clause.source
    marked = {i for i, c in clauses.items() if c.per_item}
    assert marked == set(DATA_ITEMS)  # every list printed per item has its data, and only they
    # An item's fingerprint is of its own words: two items never share one.
    research = clauses[RESEARCH]
    assert research.fingerprint != clauses[f"{research.item_of}.workforce"].fingerprint
    # An added duty keeps its id in every year it is printed in.
    duty = "cd-job-description.duties.duty.neighbourhood-teams"
    assert duty in clauses and "2024/25" in facts.annex_e.added_duties.years


def test_one_annex_e_item_is_reworded_by_its_id_and_the_others_kept(tmp_path: Path) -> None:
    built_in = jd_items(None, tmp_path)
    assert len(built_in) == 8
    assert [i for i, _ in built_in][5] == RESEARCH
    wording = tmp_path / "wording.yaml"
    set_clause(wording, RESEARCH, "**Research.** {network.name} takes part in research studies.")
    housed = jd_items(wording, tmp_path)
    assert housed[5] == (
        RESEARCH,
        "Research. Riverside Primary Care Network takes part in research studies.",
    )
    assert housed[:5] == built_in[:5] and housed[6:] == built_in[6:]  # numbering and the rest kept
    assert load_wording(wording).entries[RESEARCH].pinned  # pinned to the item's data text
    # The list's own id still omits (or adds after) every item, as before.
    set_clause(wording, RESEARCH)
    set_clause(wording, "cd-job-description.core.responsibility", omit=True)
    assert jd_items(wording, tmp_path) == []


def test_a_reworded_item_whose_national_data_moves_is_to_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade that rewords the research item in pcndocs/data warns as a template's would."""
    import pcndocs.render.clauses as clause_catalogue
    import pcndocs.render.wording as house
    import pcndocs.rules.facts as facts_module
    from pcndocs.render.clauses import (
        all_clauses,
        catalogue_text,
        load_catalogue,
        updated_catalogue,
    )
    from pcndocs.render.wording import wording_notes

    wording = tmp_path / "wording.yaml"
    set_clause(wording, RESEARCH, "Research, as the LMC words it.")
    assert wording_notes(load_wording(wording)).warnings == []
    facts = load_facts()
    items = list(facts.annex_e.core_responsibilities)
    items[5] = items[5].model_copy(update={"text": "Lead the network's research, and report it."})
    annex = facts.annex_e.model_copy(update={"core_responsibilities": tuple(items)})
    upgraded = facts.model_copy(update={"annex_e": annex})
    monkeypatch.setattr(facts_module, "load_facts", lambda: upgraded)
    house._builtin_clauses.cache_clear()
    try:
        catalogue = tmp_path / "clauses.yaml"
        since = "pcndocs 0.3.0, contract year 2027/28"
        recorded = updated_catalogue(load_catalogue(), all_clauses(), since)
        catalogue.write_text(catalogue_text(recorded), encoding="utf-8")
        monkeypatch.setattr(clause_catalogue, "CATALOGUE", catalogue)
        (warning,) = wording_notes(load_wording(wording)).warnings
        assert str(warning) == (
            f"{wording}:2: {RESEARCH}: your wording replaces {RESEARCH}, whose national text "
            f"changed in {since}: review it (`pcndocs clauses --changed --wording {wording}` "
            "shows what changed, and --pin records that you have)"
        )
        assert pin(wording) == [RESEARCH]
        assert wording_notes(load_wording(wording)).warnings == []
    finally:
        monkeypatch.undo()
        house._builtin_clauses.cache_clear()


def test_a_workstreams_own_point_is_reworded_and_a_custom_ones_keep_the_lists_id(
    tmp_path: Path, example_data: dict[str, Any]
) -> None:
    import yaml

    data = dict(example_data)
    custom = {"id": "frailty", "title": "Frailty", "summary": "Frailty work.",
              "checklist": ["Agree the frailty register.", "Review the register."]}  # fmt: skip
    data["leads"] = [
        {**example_data["leads"][0], "workstream": "cvd_prevention"},
        {**example_data["leads"][0], "name": "Dr Ann Lee", "workstream": custom},
    ]
    profile = tmp_path / "network.yaml"
    profile.write_text(yaml.safe_dump(data), encoding="utf-8")
    facts = load_facts()
    point = facts.workstream("cvd_prevention").checklist[0]
    ident = f"lead-checklist.own.item.cvd-prevention.{point.id}"
    wording = tmp_path / "wording.yaml"
    set_clause(wording, ident, "Agree with {network.name} how the register is kept.")
    options = BuildOptions(out=tmp_path, documents=("lead-checklist",), wording=wording)
    trees = document_trees(load(profile, facts), options, facts, templates_for(None))
    pages = [lxml_html.fromstring(f"<div>{render_body(t.document.tree)}</div>") for t in trees]
    own = [
        [(li.get("data-clause"), " ".join(li.text_content().split())) for li in page.xpath(
            '//li[starts-with(@data-clause, "lead-checklist.own.")]'
        )]
        for page in pages
    ]  # fmt: skip
    built_in, frailty = own
    assert built_in[0] == (
        ident,
        "Agree with Riverside Primary Care Network how the register is kept.",
    )
    assert [i for i, _ in built_in[1:]] == [
        f"lead-checklist.own.item.cvd-prevention.{p.id}"
        for p in facts.workstream("cvd_prevention").checklist[1:]
    ]
    assert frailty == [
        ("lead-checklist.own.item", "Agree the frailty register."),
        ("lead-checklist.own.item", "Review the register."),
    ]  # the network's own points: the list's id, never a national item's
