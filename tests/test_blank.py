"""Blank templates: an incomplete profile builds with --blank, gaps shown and listed."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from markdown_it.tree import SyntaxTreeNode

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, document_trees, load, templates_for
from pcndocs.render import context
from pcndocs.render.document import plain_text
from pcndocs.render.templating import Placeholder
from pcndocs.rules.checks import assumed_values
from pcndocs.rules.facts import load_facts
from tests.conftest import ImportNetworks
from tests.readback import docx_text, pdf_pages, pdf_text, squash

INCOMPLETE = """\
network:
  name: Newtown PCN
  population_date: 2025-01-01
  nominated_payee: null   # to be filled in
contract_year: 2025/26
practices:
  - name: Newtown Surgery
    ods_code: B12345
    list_size: null   # to be filled in
  - name: Oldtown Surgery
    ods_code: B12346
    list_size: 8000
clinical_directors: []
appointment:
  method: null
"""


@pytest.fixture
def incomplete(write_profile: Callable[[Any], Path]) -> Path:
    return write_profile(INCOMPLETE)


def test_without_blank_every_missing_value_is_an_error(incomplete: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(incomplete), "-o", str(tmp_path)])
    assert result.exit_code == 1
    for line, key in [
        (4, "network.nominated_payee"),
        (9, "practices[0].list_size: practice 1 (Newtown Surgery)"),
        (13, "clinical_directors"),
        (15, "appointment.method"),
    ]:
        assert f"{incomplete}:{line}: {key}: is required but missing" in result.output


@pytest.mark.e2e
def test_blank_build_shows_placeholders_and_lists_the_gaps(
    incomplete: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--blank",
            str(incomplete),
            "-o",
            str(tmp_path),
            "-d",
            "cd-job-description",
            "-f",
            "docx,pdf,html",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Still to agree (4), shown as placeholders:" in result.output
    folder = tmp_path / "newtown-pcn"
    listed = (folder / "still-to-agree.txt").read_text(encoding="utf-8").splitlines()
    assert listed[0] == "Still to agree for Newtown PCN"
    start = listed.index("Missing from the profile:")
    assert listed[start : start + 5] == [
        "Missing from the profile:",
        "- Fill in the nominated payee, the practice or provider that receives the funding "
        "(line 4 of the profile).",
        "- Fill in practice 1 (Newtown Surgery): its list size (line 9 of the profile).",
        "- Fill in the clinical director: name, practice and sessions a week "
        "(line 13 of the profile).",
        "- Fill in how the clinical director is appointed: selection, election, or selection "
        "followed by election (line 15 of the profile).",
    ]
    html = (folder / "cd-job-description.html").read_text(encoding="utf-8")
    assert '<mark class="placeholder">[to be agreed' in html
    assert "[to be agreed" in squash(pdf_text(folder / "cd-job-description.pdf"))
    document = docx.Document(str(folder / "cd-job-description.docx"))
    # Placeholders carry the "Placeholder" character style: shaded, and restylable in Word.
    paragraphs = [
        *document.paragraphs,
        *(
            p
            for t in document.tables
            for row in t.rows
            for cell in row.cells
            for p in cell.paragraphs
        ),
    ]
    highlighted = [
        run.text
        for p in paragraphs
        for run in p.runs
        if run.style is not None and run.style.name == "Placeholder"
    ]
    assert highlighted and all(
        text.startswith(("[to be agreed", "[incomplete", "[proposed")) for text in highlighted
    )


def test_blank_still_refuses_values_that_are_wrong(
    write_profile: Callable[[Any], Path], tmp_path: Path
) -> None:
    path = write_profile(INCOMPLETE.replace("list_size: 8000", "list_size: lots"))
    result = CliRunner().invoke(cli, ["build", "--blank", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"{path}:12: practices[1].list_size: practice 2 (Oldtown Surgery): expected a whole "
        "number, got 'lots'" in result.output
    )


@pytest.mark.e2e
@pytest.mark.national
def test_imported_profiles_build_blank_as_they_come(
    import_networks: ImportNetworks, tmp_path: Path
) -> None:
    profiles = tmp_path / "profiles"
    imported = import_networks(profiles, "U35980", "U94471", "U38216")
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["-q", "build", "--blank", str(profiles), "-o", str(out), "-j", "2", "-f", "html"]
    )
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(built) == 3
    for folder in (out / name for name in built):
        if folder.is_dir():
            assert "the clinical director: name" in (folder / "still-to-agree.txt").read_text()


# A line of what the documents leave to agree: the document, where in it, and what.
# "- Agree the review date: Schedule 1, sections 'Appointing the clinical director' (clause
# 'Review') and 'Document control'; Lead checklist, at the top and section 'Review'."
_PLACES = r"(?:at the top(?: and )?)?(?:sections? '[^']+'.*?)?"
AGREE_LINE = re.compile(
    rf"^- (?:Agree (?P<what>[^:]+?)|Incomplete figures \((?P<figures>[^)]+)\)): "
    rf"(?P<where>[^;]+?, {_PLACES}(?:; [^;]+?, {_PLACES})*)\.$"
)
PROPOSAL_LINE = re.compile(
    r"^- Schedule 1, section '[^']+'(?:, clause '[^']+')?: proposed: .+\. "
    r"Confirm it, or agree another\.$"
)


def blank_build(path: Path, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["build", "--blank", str(path), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out / "newtown-pcn"


@pytest.mark.e2e
def test_still_to_agree_lists_every_placeholder_the_documents_hold(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "html")
    shown: set[str] = set()
    for page in folder.glob("*.html"):
        marks = re.findall(r'<mark class="placeholder">\[(.*?)\]</mark>', page.read_text())
        shown |= {html.unescape(m) for m in marks}
    text = (folder / "still-to-agree.txt").read_text(encoding="utf-8")
    to_agree = text.split("To agree in the documents", 1)[1].split("\nProposed:", 1)[0]
    lines = [line for line in to_agree.splitlines()[1:] if line]
    # Every line is a plain sentence: what to agree, then each document, section (and clause)
    # it appears in; each thing once, however many documents leave it open.
    matches = [AGREE_LINE.match(line) for line in lines]
    assert lines and all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]
    things = [m["what"] or m["figures"] for m in matches if m]
    assert len(things) == len(set(things)), things
    # Every placeholder says what it stands for: no bare [to be agreed]; a bare [incomplete]
    # marks a figure worked from a missing list size, which is listed once by its practice.
    assert {s.split(": ", 1)[0] for s in shown} <= {"to be agreed", "incomplete", "proposed"}
    assert "to be agreed" not in shown
    for mark in shown:
        if mark.startswith(("to be agreed: ", "incomplete: ")):
            assert mark.split(": ", 1)[1] in to_agree, mark
    # Plain words: a practice by its name; no key paths, table coordinates or YAML values.
    assert "practice 1 (Newtown Surgery): its list size" in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\[\d\]|appointment\.|governance\.", text)
    assert not re.search(r", (Detail|Result|Amount|Working)\b", text)
    proposals = text.split("\nProposed:", 1)[1].splitlines()[1:]
    assert proposals and all(PROPOSAL_LINE.match(line) for line in proposals), proposals
    assert (
        "- Schedule 1, section 'Appointing the clinical director', clause 'Majority and quorum': "
        "proposed: a vote counts only if 75% of the votes take part. Confirm it, or agree another."
    ) in proposals


@pytest.mark.e2e
def test_an_open_method_sets_out_the_three_methods_as_alternatives(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-d", "schedule-1", "-f", "pdf")
    text = squash(pdf_text(folder / "schedule-1.pdf"))
    for alternative in (
        "Alternative A, selection:",
        "Alternative B, election:",
        "Alternative C, selection followed by election:",
        "The selection panel (only under alternatives A and C)",
        "The members' decision (only under alternative A)",
        "The ballot (only under alternatives B and C)",
    ):
        assert alternative.replace("'", "\u2019") in text, alternative
    for one_method in ("Method: election.", "Method: selection.", "In short,"):
        assert one_method not in text


@pytest.mark.e2e
def test_a_missing_list_size_marks_the_total_and_names_the_practice(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "pdf")
    schedule = squash(pdf_text(folder / "schedule-1.pdf"))
    assert "The total is incomplete: Newtown Surgery has no list size yet" in schedule
    assert "[incomplete: no list size for Newtown Surgery]" in schedule


@pytest.mark.e2e
def test_a_blank_build_proposes_the_defaults_it_assumes(incomplete: Path, tmp_path: Path) -> None:
    folder = blank_build(incomplete, tmp_path, "-d", "schedule-1", "-f", "pdf")
    text = squash(pdf_text(folder / "schedule-1.pdf"))
    assert "at least [proposed: 28] days before" in text
    assert "at least [proposed: 75]% of the member practices take part" in text
    assert "meets at least [proposed: 6] times a year" in text


def test_check_lists_the_defaults_it_assumes(
    write_profile: Callable[[Any], Path], example_data: dict[str, Any]
) -> None:
    data = dict(example_data, appointment={"method": "election", "majority": "two_thirds"})
    result = CliRunner().invoke(cli, ["check", str(write_profile(data))])
    assert result.exit_code == 0, result.output
    assert "assumed (" in result.output
    assert "    appointment.quorum_percent: 75" in result.output
    assert "    appointment.notice_days: 28" in result.output
    assert "appointment.majority" not in result.output  # set by the profile
    # A tie cannot give anyone two thirds, so the tie-break is not a value the documents use.
    assert "appointment.tie_break" not in result.output
    example = CliRunner().invoke(cli, ["check", str(write_profile(example_data))])
    assert "assumed" not in example.output


def blank_words(path: Path) -> dict[str, str]:
    """Return the words of each document of a blank build, by file name, made in this process.

    What a document says is settled in its tree; the writers' own tests show that each format
    prints a tree's words, so checking the words needs no file written.
    """
    facts = load_facts()
    loaded = load(path, facts, blank=True)
    options = BuildOptions(out=path.parent / "unused", blank=True)
    trees = document_trees(loaded, options, facts, templates_for(None))
    return {tree.name: squash(_words(tree.document.tree)) for tree in trees}


def _words(node: SyntaxTreeNode) -> str:
    """Return a node's words, with a space between blocks and table cells as a reader sees."""
    if node.type == "inline":
        return plain_text(node)
    return " ".join(_words(child) for child in node.children)


def test_a_missing_value_never_becomes_a_false_statement(incomplete: Path) -> None:
    words = blank_words(incomplete)
    job, summary = words["cd-job-description"], words["leadership-summary"]
    for text in (job, summary):
        assert "[[" not in text  # a placeholder is shown once bracketed, never doubled
        assert "0.00 sessions" not in text
    assert "within the funded" not in job
    assert "[incomplete]" in job and "[incomplete]" in summary  # figures from the total
    assert "The leads cost 0%" not in summary and "All leads" not in summary
    assert "No leads are paid yet" in summary


@pytest.mark.e2e
def test_a_starter_pack_without_leads_holds_a_blank_lead_pack(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "pdf")
    # Named by what they are, not by a slug of a placeholder.
    (role,) = folder.glob("lead-role-description-*.pdf")
    (checklist,) = folder.glob("lead-checklist-*.pdf")
    assert (role.name, checklist.name) == (
        "lead-role-description-blank.pdf",
        "lead-checklist-blank.pdf",
    )
    role_text = squash(pdf_text(role)).replace("\u2019", "'")
    assert "[to be agreed: the lead's name]" in role_text
    assert "[to be agreed: the workstream]" in role_text
    assert "Requirements or population need" in squash(pdf_text(checklist))
    assert "the lead\u2019s name" in (folder / "still-to-agree.txt").read_text()


@pytest.mark.e2e
def test_a_network_without_a_director_yet_has_no_pay_and_no_profession_assumed(
    incomplete: Path, tmp_path: Path
) -> None:
    # No director is named: the pay is to be agreed (not "£0 a year"), and the director's
    # profession is a gap, not "GP" (the role need not be a GP's).
    folder = blank_build(incomplete, tmp_path, "-f", "html")
    summary = " ".join(
        html.unescape(
            re.sub(r"<[^>]+>", " ", (folder / "leadership-summary.html").read_text())
        ).split()
    )
    summary = summary.replace("\u2019", "'")  # the documents' apostrophes are curly
    assert "£0" not in summary
    assert "The director's pay is [to be agreed: the director's pay]" in summary
    schedule = html.unescape((folder / "schedule-1.html").read_text()).replace("\u2019", "'")
    assert "(GP)" not in schedule
    assert "[to be agreed: the clinical director's profession]" in schedule


@pytest.mark.e2e
def test_the_blank_lead_documents_read_true(incomplete: Path, tmp_path: Path) -> None:
    # No lead is chosen yet: nothing is said of a workstream, a time or a kind that is not.
    folder = blank_build(incomplete, tmp_path, "-d", "lead-role-description", "-f", "docx,pdf")
    for text in (
        squash(pdf_text(folder / "lead-role-description-blank.pdf")),
        squash(docx_text(folder / "lead-role-description-blank.docx")),
    ):
        text = text.replace("\u2019", "'")  # the documents' apostrophes are curly
        assert "so that is a month" not in text and "so that is  a month" not in text
        assert "There is no national specification" not in text
        assert "[to be agreed: whether the role is clinical or non-clinical]" in text
        assert "This is a clinical role" not in text and "Clinical lead for" not in text
        assert re.search(r"Time \|? ?\[to be agreed: the lead's sessions a month\]", text)
        assert "[to be agreed]" not in text
        assert "A clinical lead is a practising clinician" in text
        assert "non-clinical lead brings management" in text


def test_no_zero_stands_for_a_missing_value(write_profile: Callable[[Any], Path]) -> None:
    # A network with no practice or list size yet: never "1 practices, 0 patients", "0 sessions".
    path = write_profile(
        "network:\n  name: Newtown PCN\ncontract_year: 2026/27\npractices: []\n"
        "clinical_directors: []\nappointment:\n  method: null\n"
    )
    words = blank_words(path)
    # Every document, a blank lead's among them.
    assert {"schedule-1", "leadership-summary", "lead-checklist-blank"} <= set(words)
    for name, text in words.items():
        for zero in ("1 practices", "0 patients", "0 sessions", "0 WTE", "£0", "0 registered"):
            assert not re.search(rf"(?<![\d,.]){zero}", text), (name, zero)
    summary = words["leadership-summary"]
    gaps = "[to be agreed: the member practices], [to be agreed: the practices\u2019 list sizes]"
    assert gaps in summary


@pytest.mark.e2e
def test_every_default_the_profile_leaves_unset_is_marked_proposed(
    incomplete: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every default the documents use and the profile does not set is marked where it is
    # stated, so no proposal reads as agreed in a pack an LMC adviser hands out.
    marked: set[str] = set()
    original = context.proposer

    def recording(profile: Any, blank: bool) -> Callable[..., object]:
        inner = original(profile, blank)

        def proposed(value: object, key: str, mark_only: bool = False) -> object:
            shown = inner(value, key, mark_only)
            if isinstance(shown, Placeholder):
                marked.add(key)
            return shown

        return proposed

    monkeypatch.setattr(context, "proposer", recording)
    options = BuildOptions(out=tmp_path, formats=("pdf",), blank=True, documents=("schedule-1",))
    build_profile(incomplete, options)
    assumed = {a.key for a in assumed_values(load(incomplete, blank=True).profile)}
    assert len(assumed) == 21 and marked == assumed
    text = squash(pdf_text(tmp_path / "newtown-pcn" / "schedule-1.pdf"))
    assert "have agreed them here" not in text
    assert "this schedule proposes them for the member practices to agree" in text
    for mark in (
        "at a meeting called the [proposed: Network Board]",
        "chairs it [proposed: the clinical director as chair]",
        "Each member practice has [proposed: one vote] at the Network Board",
        "Each member practice has [proposed: one vote], whatever its size",
    ):
        assert mark in text, mark
    # Joint directors are offered as an alternative, as the three methods are.
    assert "Joint clinical directors (an alternative: keep this clause only if" in text
    assert "may also be two clinicians who stand together" in text


@pytest.mark.e2e
@pytest.mark.national
def test_an_imported_blank_pack_flags_its_old_data_on_page_one(
    import_networks: ImportNetworks, tmp_path: Path
) -> None:
    # Apex PCN (U17435): list sizes of 1 January 2021, a commissioner the list-size file gives
    # only as a newer code (71E), and a practice with no list size.
    profiles = tmp_path / "profiles"
    assert import_networks(profiles, "U17435").exit_code == 0
    out = tmp_path / "out"
    args = ["-q", "build", "--blank", str(profiles), "-o", str(out), "-f", "docx,pdf"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    folder = out / "apex-pcn"
    commissioner = "71E, formerly NHS Lincolnshire West CCG (04D)"
    flags = (
        "The list sizes are those of 1 January 2021, and the contract year, 2021/22, follows them",
        f"The commissioner, {commissioner}, is a former clinical commissioning group (CCG)",
        "Crossroads Medical Practice has no list size",
    )
    first_page = squash(pdf_pages(folder / "schedule-1.pdf")[0])
    in_word = squash(docx_text(folder / "schedule-1.docx"))
    listed = squash((folder / "still-to-agree.txt").read_text(encoding="utf-8"))
    for flag in flags:
        assert flag in first_page and flag in in_word and flag in listed, flag
    assert " 71E " not in f" {first_page} ".replace(commissioner, "")  # never a bare code
    assert flags[0] in squash(pdf_pages(folder / "cd-job-description.pdf")[0])


@pytest.mark.national
def test_a_sentence_introducing_a_table_stays_on_its_page(
    import_networks: ImportNetworks, tmp_path: Path
) -> None:
    """Central Liverpool's blank pack: the member practices' sentence, under its heading, once
    ended page 1 with its table on page 2. It now goes with the table, in the PDF and in Word."""
    profiles = tmp_path / "profiles"
    assert import_networks(profiles, "U35980").exit_code == 0
    out = tmp_path / "out"
    args = ["-q", "build", "--blank", str(profiles), "-o", str(out), "-f", "docx,pdf"]
    assert CliRunner().invoke(cli, [*args, "-d", "schedule-1"]).exit_code == 0
    folder = out / "central-liverpool-pcn"
    pages = [squash(page) for page in pdf_pages(folder / "schedule-1.pdf")]
    (page,) = [p for p in pages if "The network has 9 member practices" in p]
    assert "Abercromby Family Practice N82054" in page
    document = docx.Document(str(folder / "schedule-1.docx"))
    (intro,) = [p for p in document.paragraphs if p.text.startswith("The network has 9 member")]
    assert intro.paragraph_format.keep_with_next


@pytest.mark.e2e
def test_a_blank_schedule_leaves_how_the_payee_holds_the_funds_to_agree(
    write_profile: Callable[[Any], Path], tmp_path: Path
) -> None:
    """Correction 4: a payee may be another provider, holding the funds on trust or apart;
    a blank Schedule 1 asks the practices to agree how, and still-to-agree.txt lists it."""
    path = write_profile({"network": {"name": "Blank Test PCN"}, "contract_year": "2026/27"})
    options = BuildOptions(tmp_path / "out", ("docx",), ("schedule-1",), blank=True)
    result = build_profile(path, options)
    (schedule,) = [p for p in result.written if p.suffix == ".docx"]
    text = squash(docx_text(schedule)).replace("\u2019", "'")
    assert (
        "Where the payee is not a member practice, the member practices agree how it holds the "
        "network's funds: [to be agreed: how the payee holds the network's funds (on trust, in "
        "a separate bank account, or both)]." in text
    )
    listed = (schedule.parent / "still-to-agree.txt").read_text(encoding="utf-8")
    listed = listed.replace("\u2019", "'")  # a placeholder's apostrophe is curly
    assert "- Agree how the payee holds the network's funds (on trust, in a separate" in listed


def test_a_practice_with_no_name_yet_is_called_by_its_place_not_none(tmp_path: Path) -> None:
    """A blank pack of a network whose first practice has no name yet asks for its name, ODS
    code and list size as "practice 1"'s: never "the list size of None", in the document or
    in still-to-agree.txt."""
    profile = tmp_path / "new.yaml"
    profile.write_text("network:\n  name: Test PCN\npractices:\n  - {}\n  - name: Second Surgery\n")
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("docx",), documents=("schedule-1",), blank=True)
    result = build_profile(profile, options)
    text = docx_text(next(out.glob("*/schedule-1.docx")))
    todo = next(out.glob("*/still-to-agree.txt")).read_text(encoding="utf-8")
    for what in (
        "the name of practice 1",
        "the ODS code of practice 1",
        "the list size of practice 1",
    ):
        assert f"to be agreed: {what}" in text
        assert f"Agree {what}:" in todo
    assert "the list size of Second Surgery" in text
    assert "None" not in text and "None" not in todo
    assert result.placeholders
