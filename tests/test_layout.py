"""Layout a board would accept, checked on the PDFs of the example and of a large network.

No heading is left alone at the foot of a page, document control is never split, the summary
fits one page for up to 10 leads and 3 directors (in our PDF and, slow, in LibreOffice's
rendering of the DOCX), a lead role description fits 2 pages, and (slow) LibreOffice's
rendering of each DOCX has as many pages as our PDF.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.rules.facts import load_facts
from tests.readback import SOFFICE, libreoffice_pdfs, pdf_text

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

FOOTER = re.compile(r"Page \d+ of \d+\s*$")
CLAUSE_TITLE = re.compile(r"^\d+\.\s+[A-Z][^.]{0,60}$")


def large_network(example: dict[str, Any]) -> dict[str, Any]:
    """Return a network of 30 practices and 8 leads, one practice big enough to block votes."""
    data = copy.deepcopy(example)
    data["network"]["name"] = "Large Network"
    data["practices"] = [
        {
            "name": f"Practice Number {i} Medical Centre",
            "ods_code": f"B{10000 + i}",
            "list_size": 3000 + 397 * i,
            "signatory": {"name": f"Dr Person {i}", "role": "Partner"},
        }
        for i in range(1, 31)
    ]
    data["practices"][0]["list_size"] = 60_000
    data["network"]["nominated_payee"] = "B10001"
    for director in data["clinical_directors"]:
        director["practice"] = "B10002"
    workstreams = [
        ("cvd_prevention", "clinical"),
        ("care_homes", "clinical"),
        ("medication_reviews", "clinical"),
        ("early_cancer_diagnosis", "clinical"),
        ("vaccination", "clinical"),
        ("finance", "non_clinical"),
        ("recruitment_and_hr", "non_clinical"),
        ("operations", "non_clinical"),
    ]
    data["leads"] = [
        {
            "name": f"Lead Person {i}",
            "kind": kind,
            "workstream": workstream,
            "practice": f"B{10003 + i}",
            "sessions_per_month": 2,
            "session_rate": 300,
            "reimbursed_to": "individual" if i % 2 else "practice",
        }
        for i, (workstream, kind) in enumerate(workstreams)
    ]
    data["appointment"]["voting"] = "list_size_weighted"
    data["governance"]["voting"] = "list_size_weighted"
    return data


@pytest.fixture(scope="module")
def built(example_data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Build the example and the large network as DOCX and PDF; return the PDFs."""
    root = tmp_path_factory.mktemp("layout")
    pdfs: list[Path] = []
    for name, data in (("example", example_data), ("large", large_network(example_data))):
        path = root / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        result = build_profile(path, BuildOptions(out=root / "out", formats=("docx", "pdf")))
        pdfs += [p for p in result.written if p.suffix == ".pdf"]
    return pdfs


def pages(path: Path) -> list[str]:
    """Return each page's text in reading order, without the running header and footer."""
    texts = []
    for page in pdf_text(path).split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines:
            texts.append("\n".join(lines[1:-1] if FOOTER.search(lines[-1]) else lines[1:]))
    return texts


def headings(path: Path) -> set[str]:
    """Return the section headings of a document, from its DOCX beside the PDF."""
    import docx

    document = docx.Document(str(path.with_suffix(".docx")))
    return {
        p.text.strip()
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading") and p.text.strip()
    }


def test_no_heading_is_left_at_the_foot_of_a_page(built: list[Path]) -> None:
    for pdf in built:
        titles = headings(pdf)
        for number, text in enumerate(pages(pdf)[:-1], start=1):
            last = text.splitlines()[-1].strip()
            assert last not in titles, (pdf.name, number, last)
            # Nor a clause's title ("7. Majority and quorum") without its first sub-clause.
            assert not CLAUSE_TITLE.match(last), (pdf.name, number, last)


def test_document_control_is_kept_whole(built: list[Path]) -> None:
    controlled = 0
    for pdf in built:
        found = [t for t in pages(pdf) if "Document control" in t]
        if found:  # checklists and the summary have none
            (page,) = found
            assert "Review date" in page, pdf.name  # the table's last row
            controlled += 1
    assert controlled >= 2 * 9  # Schedule 1, the job description and 7 role descriptions


def test_the_summary_is_one_page_and_a_role_description_two(built: list[Path]) -> None:
    for pdf in built:
        count = len(PdfReader(pdf).pages)
        if pdf.name == "leadership-summary.pdf":
            assert count == 1, pdf.parent.name
        elif pdf.name.startswith("lead-role-description-"):
            assert count == 2, pdf.name


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_shows_each_docx_on_as_many_pages_as_our_pdf(
    built: list[Path], tmp_path: Path
) -> None:
    assert SOFFICE is not None
    differ = []
    for folder in sorted({pdf.parent for pdf in built}):  # the networks' files share names
        ours = [pdf for pdf in built if pdf.parent == folder]
        converted = tmp_path / folder.name
        libreoffice_pdfs(
            [pdf.with_suffix(".docx") for pdf in ours], converted, tmp_path / "profile"
        )
        for pdf in ours:
            counts = (len(PdfReader(pdf).pages), len(PdfReader(converted / pdf.name).pages))
            if counts[0] != counts[1]:
                differ.append((folder.name, pdf.name, *counts))
    assert not differ


def test_short_tables_are_kept_whole_in_both_writers(built: list[Path]) -> None:
    import docx

    long_tables = 0
    for schedule in [p for p in built if p.name == "schedule-1.pdf"]:
        document = docx.Document(str(schedule.with_suffix(".docx")))
        control = document.tables[-1]  # document control: 7 rows
        kept = [
            all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
            for row in control.rows
        ]
        assert kept == [True] * (len(kept) - 1) + [False]
        for table in document.tables:
            if len(table.rows) > 14:  # a long table keeps only its ends together
                long_tables += 1
                flags = [
                    r.cells[0].paragraphs[0].paragraph_format.keep_with_next for r in table.rows
                ]
                assert flags[0] and flags[1] and flags[-2] and not flags[-1]
                assert not any(flags[2:-2])
    assert long_tables  # the large network's table of 30 practices


def test_a_row_heading_a_group_of_rows_stays_with_them(built: list[Path]) -> None:
    """The person specification's "Personal qualities" row never ends a page alone."""
    import docx

    for pdf in [p for p in built if p.name == "cd-job-description.pdf"]:
        document = docx.Document(str(pdf.with_suffix(".docx")))
        (spec,) = [t for t in document.tables if t.rows[0].cells[0].text == "Criterion"]
        groups = [row for row in spec.rows if row.cells[0].text and not row.cells[1].text]
        assert [row.cells[0].text for row in groups] == [
            "Qualifications",
            "Experience",
            "Skills and knowledge",
            "Personal qualities",
        ]
        for row in groups:
            assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
        names = {row.cells[0].text for row in groups}
        for number, text in enumerate(pages(pdf)[:-1], start=1):
            assert text.splitlines()[-1].strip() not in names, (pdf.parent.name, number)


def test_the_words_before_the_signatures_stay_with_the_first_block(built: list[Path]) -> None:
    import docx

    for pdf in [p for p in built if p.name == "schedule-1.pdf"]:
        document = docx.Document(str(pdf.with_suffix(".docx")))
        (intro,) = [
            p for p in document.paragraphs if p.text.startswith("Each member practice signs")
        ]
        assert intro.paragraph_format.keep_with_next
        (page,) = [t for t in pages(pdf) if "Signed for the member practices" in t]
        assert "To be signed by" in page, pdf.parent.name


# Leads of long names, on workstreams of long titles, paid from four streams (one of them not
# paid in 2026/27, which adds a note): the fullest board summary a network of 10 leads makes.
BOARD_LEADS = [
    ("Dr Amelia Richardson", "cvd_prevention", "clinical"),
    ("Mohammed Al-Khatib", "care_homes", "clinical"),
    ("Sister Grace Okonkwo", "medication_reviews", "clinical"),
    ("Dr Jonathan Whitfield", "early_cancer_diagnosis", "clinical"),
    ("Priya Venkataraman", "vaccination", "clinical"),
    ("Dr Oluwaseun Adeyemi", "social_prescribing", "clinical"),
    ("Catherine Montgomery", "finance", "non_clinical"),
    ("Dr Hamish MacPherson", "recruitment_and_hr", "non_clinical"),
    ("Bernadette O'Sullivan", "operations", "non_clinical"),
    ("Dr Tomasz Wisniewski", "stakeholders", "non_clinical"),
]
BOARD_STREAMS = ("core", "iif", "capacity_and_access", "other")
BOARD_DIRECTORS = ("Dr Priya Shah-Henderson", "Helen Okafor-Williams", "Dr Christopher Armitage")


def board_network(example: dict[str, Any], directors: int, leads: int) -> dict[str, Any]:
    """Return the example with the given number of directors and leads, every name long."""
    data = copy.deepcopy(example)
    data["network"]["name"] = f"Network of {directors} directors and {leads} leads"
    first = {k: v for k, v in data["clinical_directors"][0].items() if k != "funded_share"}
    data["clinical_directors"] = [dict(first, name=name) for name in BOARD_DIRECTORS[:directors]]
    data["leads"] = [
        {
            "name": name,
            "kind": kind,
            "workstream": workstream,
            "practice": data["practices"][i % len(data["practices"])]["ods_code"],
            "sessions_per_month": 2.5,
            "session_rate": 350,
            "funding_stream": BOARD_STREAMS[i % len(BOARD_STREAMS)],
        }
        for i, (name, workstream, kind) in enumerate(BOARD_LEADS[:leads])
    ]
    return data


@pytest.fixture(scope="module")
def summaries(example_data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Build the board summary (DOCX and PDF) of networks of 1 to 3 directors, 0 to 10 leads."""
    root = tmp_path_factory.mktemp("summaries")
    pdfs: list[Path] = []
    facts = load_facts()
    # Every size in 2026/27, and the fullest in every year (earlier years add a stream's row).
    networks = [(d, n, "2026/27") for d in (1, 2, 3) for n in (0, 1, 4, 6, 7, 8, 10)]
    networks += [(3, 10, year) for year in facts.funding.years if year != "2026/27"]
    for directors, leads, year in networks:
        path = root / f"d{directors}-l{leads}-{year.replace('/', '-')}.yaml"
        data = board_network(example_data, directors, leads)
        data["contract_year"] = year
        data["network"]["name"] += f" in {year}"  # each its own folder
        data["network"]["population_date"] = facts.funding_year(year).population_date
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        options = BuildOptions(
            out=root / "out", formats=("docx", "pdf"), documents=("leadership-summary",)
        )
        result = build_profile(path, options)
        pdfs += [p for p in result.written if p.suffix == ".pdf"]
    return pdfs


def test_the_board_summary_is_one_page_up_to_ten_leads_and_three_directors(
    summaries: list[Path],
) -> None:
    assert len(summaries) == 21 + 7
    longer = [pdf.parent.name for pdf in summaries if len(PdfReader(pdf).pages) != 1]
    assert not longer
    fullest = pdf_text(summaries[20])
    assert "Dr Tomasz Wisniewski" in fullest and "Dr Christopher Armitage" in fullest
    # What gives way past 6 leads: the workstreams without a lead are counted, not named.
    assert re.search(r"Workstreams without a lead: \d+ of the 2026/27 workstreams", fullest)


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_shows_the_board_summary_on_one_page_too(
    summaries: list[Path], tmp_path: Path
) -> None:
    assert SOFFICE is not None
    longer = []
    for pdf in summaries:  # one folder each: the files share a name
        converted = tmp_path / pdf.parent.name
        libreoffice_pdfs([pdf.with_suffix(".docx")], converted, tmp_path / "profile")
        if len(PdfReader(converted / pdf.name).pages) != 1:
            longer.append(pdf.parent.name)
    assert not longer
