"""Headings stay with what follows them, in Word and in LibreOffice, and no page is left empty.

The DOCX is read back with python-docx (what Word is told), then printed to PDF by LibreOffice
and read page by page with pdftotext (what a user of LibreOffice sees). The finance lead's
checklist of the example once left its heading "Financial management: this workstream's own
items" at the foot of page 1 in LibreOffice, its list on page 2: an empty paragraph of exact
height after the table at the top of the page (the writer's spacer) kept LibreOffice from
moving the heading on, though it was told to keep it with the next paragraph.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.resources import example_profile
from tests.readback import SOFFICE, libreoffice_pdfs, pdf_pages

BLANK = """\
network:
  name: Newtown PCN
  population_date: 2026-01-01
  nominated_payee: null
contract_year: 2026/27
practices:
  - name: Newtown Surgery
    ods_code: B12345
    list_size: null
  - name: Oldtown Surgery
    ods_code: B12346
    list_size: 8000
clinical_directors: []
appointment:
  method: null
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Return the DOCX of the example's lead documents and of a blank pack."""
    root = tmp_path_factory.mktemp("page-breaks")
    documents = ("lead-checklist", "lead-role-description", "leadership-summary")
    example = build_profile(
        example_profile(), BuildOptions(out=root / "out", formats=("docx",), documents=documents)
    )
    blank_profile = root / "blank.yaml"
    blank_profile.write_text(BLANK, encoding="utf-8")
    blank = build_profile(
        blank_profile,
        BuildOptions(out=root / "out", formats=("docx",), documents=documents, blank=True),
    )
    return sorted(p for p in (*example.written, *blank.written) if p.suffix == ".docx")


def is_heading(paragraph: Paragraph) -> bool:
    name = paragraph.style.name if paragraph.style is not None else ""
    return name.startswith("Heading") or name == "Title"


def keeps_with_next(paragraph: Paragraph) -> bool:
    """Whether Word keeps the paragraph with the next: set on it, or on its style (inherited)."""
    if paragraph.paragraph_format.keep_with_next is not None:
        return bool(paragraph.paragraph_format.keep_with_next)
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return bool(style.paragraph_format.keep_with_next)
        style = style.base_style
    return False


@pytest.mark.e2e
def test_every_heading_is_kept_with_the_next_paragraph(built: list[Path]) -> None:
    for path in built:
        word = docx.Document(str(path))
        headings = [p for p in word.paragraphs if is_heading(p) and p.text.strip()]
        assert headings, path.name
        assert [p.text for p in headings if not keeps_with_next(p)] == [], path.name


@pytest.mark.e2e
def test_no_empty_spacer_of_exact_height_follows_a_table(built: list[Path]) -> None:
    """What follows a table takes its room as space before, not as an empty paragraph."""
    for path in built:
        body = list(docx.Document(str(path)).element.body)
        for table_at in (i for i, e in enumerate(body) if e.tag == qn("w:tbl")):
            after = body[table_at + 1]
            if after.tag != qn("w:p"):
                continue
            paragraph = Paragraph(after, None)  # type: ignore[arg-type]
            empty = not "".join(t.text or "" for t in after.iter(qn("w:t"))).strip()
            rule = paragraph.paragraph_format.line_spacing_rule
            last = body[table_at + 2].tag == qn("w:sectPr")
            next_is_table = body[table_at + 2].tag == qn("w:tbl")
            assert not (empty and rule == WD_LINE_SPACING.EXACTLY) or last or next_is_table, (
                path.name,
                table_at,
            )


@pytest.fixture(scope="module")
def printed(built: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Return, for each DOCX, LibreOffice's PDF of it."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    root = tmp_path_factory.mktemp("printed")
    libreoffice_pdfs(built, root, root / "profile")
    return {p: root / f"{p.stem}.pdf" for p in built}


def body_lines(page: str) -> list[str]:
    """Return a page's lines of text without the running header (first) and footer (last)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[1:-1]


@pytest.mark.e2e
@pytest.mark.slow
def test_in_libreoffice_no_page_ends_with_a_heading_or_is_empty(
    printed: dict[Path, Path],
) -> None:
    ended_with_heading, empty = [], []
    for docx_path, pdf in printed.items():
        word = docx.Document(str(docx_path))
        headings = {p.text.strip() for p in word.paragraphs if is_heading(p) and p.text.strip()}
        pages = pdf_pages(pdf)
        for number, page in enumerate(pages, start=1):
            lines = body_lines(page)
            if not lines:
                empty.append((docx_path.name, number))
            elif number < len(pages) and lines[-1] in headings:
                ended_with_heading.append((docx_path.name, number, lines[-1]))
    assert ended_with_heading == []
    assert empty == []


@pytest.mark.e2e
@pytest.mark.slow
def test_the_finance_leads_own_items_start_on_the_page_of_their_heading(
    printed: dict[Path, Path],
) -> None:
    (pdf,) = (p for d, p in printed.items() if d.name.startswith("lead-checklist-finance"))
    (page,) = (p for p in pdf_pages(pdf) if "this workstream’s own items" in p)
    after = page.split("this workstream’s own items", 1)[1]
    assert "Keep a budget showing every funding stream" in after
