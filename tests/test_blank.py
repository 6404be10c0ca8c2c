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

from pcndocs.cli import cli
from tests.conftest import ImportNetworks
from tests.readback import pdf_text, squash

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
    assert listed[3:8] == [
        "Missing from the profile:",
        "- line 4: nominated payee (network)",
        "- line 9: practice 1 (Newtown Surgery): list size",
        "- line 13: the clinical director: name, practice and sessions",
        "- line 15: method (appointment)",
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


PLACEHOLDER_LINE = re.compile(r": ((?:to be agreed|incomplete|proposed)(?:: .*)?)$")


def blank_build(path: Path, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["build", "--blank", str(path), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out / "newtown-pcn"


def test_still_to_agree_lists_every_placeholder_the_documents_hold(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "html")
    shown: set[str] = set()
    for page in folder.glob("*.html"):
        marks = re.findall(r'<mark class="placeholder">\[(.*?)\]</mark>', page.read_text())
        shown |= {html.unescape(m) for m in marks}
    text = (folder / "still-to-agree.txt").read_text(encoding="utf-8")
    listed_part = text.split("Placeholders in the documents", 1)[1].split("\nProposed:", 1)[0]
    listed = {
        match[1] for line in listed_part.splitlines() if (match := PLACEHOLDER_LINE.search(line))
    }
    # Every placeholder is listed, and every listed one is in a document.
    assert {s.split(": ", 1)[0] for s in shown} <= {"to be agreed", "incomplete", "proposed"}
    shown_words = {s for s in shown if ": " in s}
    assert shown_words and shown_words <= listed
    for line in listed:
        # A placeholder without words is listed with the table row and column it stands in.
        assert line in shown or line.split(": ", 1)[0] in shown, line
    # Plain words: a practice by its name, no key paths such as practices[0].
    assert "practices[" not in text and "practice 1 (Newtown Surgery): list size" in text
    assert "Schedule 1, " not in text  # documents are named by their titles
    assert "- appointment.quorum_percent: 75" in text  # assumed defaults, listed as proposals


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


def test_a_missing_list_size_marks_the_total_and_names_the_practice(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "pdf")
    schedule = squash(pdf_text(folder / "schedule-1.pdf"))
    assert "The total is incomplete: Newtown Surgery has no list size yet" in schedule
    assert "[incomplete: no list size for Newtown Surgery]" in schedule


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


def test_a_missing_value_never_becomes_a_false_statement(incomplete: Path, tmp_path: Path) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "pdf")
    job = squash(pdf_text(folder / "cd-job-description.pdf"))
    summary = squash(pdf_text(folder / "leadership-summary.pdf"))
    for text in (job, summary):
        assert "[[" not in text  # a placeholder is shown once bracketed, never doubled
        assert "0.00 sessions" not in text
    assert "within the funded" not in job
    assert "[incomplete]" in job and "[incomplete]" in summary  # figures from the total
    assert "The leads cost 0%" not in summary and "All leads" not in summary
    assert "No leads are paid yet" in summary


def test_a_starter_pack_without_leads_holds_a_blank_lead_pack(
    incomplete: Path, tmp_path: Path
) -> None:
    folder = blank_build(incomplete, tmp_path, "-f", "pdf")
    (role,) = folder.glob("lead-role-description-*.pdf")
    (checklist,) = folder.glob("lead-checklist-*.pdf")
    role_text = squash(pdf_text(role))
    assert "[to be agreed: the lead's name]" in role_text
    assert "[to be agreed: the workstream]" in role_text
    assert "Requirements or population need" in squash(pdf_text(checklist))
    assert "to be agreed: the lead's name" in (folder / "still-to-agree.txt").read_text()


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
    assert "£0" not in summary
    assert "The director's pay is [to be agreed: the director's pay]" in summary
    schedule = html.unescape((folder / "schedule-1.html").read_text())
    assert "(GP)" not in schedule
    assert "[to be agreed: the clinical director's profession]" in schedule
