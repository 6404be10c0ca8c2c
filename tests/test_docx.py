"""The DOCX, read back with python-docx: styles, numbering, header, footer, controls, properties."""

from __future__ import annotations

import importlib.util
import io
import os
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from pcndocs.errors import InputFileError
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.render.document import parse_markdown
from pcndocs.render.layout import (
    CELL_PADDING_TWIPS,
    TABLE_FONT_TWIPS,
    column_widths,
    text_width,
)
from pcndocs.render.writers.docx import STYLES, builtin_reference, load_reference, write_docx
from pcndocs.resources import builtin_templates, example_profile
from tests.writer_samples import CHECKBOXES, INFO, SAMPLE, SIGNATURE_LINES, WHEN

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
REPO = Path(__file__).resolve().parents[1]


def open_docx(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def sample() -> Any:
    """The sample document written with the built-in reference and no logo."""
    return open_docx(write_docx(parse_markdown(SAMPLE), INFO, None, None, WHEN))


@pytest.fixture(scope="module")
def job_description(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The example network's job description, built as a user would."""
    out = tmp_path_factory.mktemp("docx")
    options = BuildOptions(out=out, formats=("docx",), documents=("cd-job-description",))
    result = build_profile(example_profile(), options)
    return docx.Document(str(result.written[0]))


def styled(word: Any, style: str) -> list[Any]:
    return [p for p in word.paragraphs if p.style.name == style]


def numbering_of(paragraph: Any) -> tuple[int, int]:
    num_pr = paragraph._p.pPr.numPr
    assert num_pr is not None, paragraph.text
    return num_pr.numId.val, num_pr.ilvl.val


def num_element(word: Any, num_id: int) -> Any:
    numbering = word.part.numbering_part.element
    return next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))


def level_texts(word: Any, num_id: int) -> list[str]:
    numbering = word.part.numbering_part.element
    abstract_id = num_element(word, num_id).find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == abstract_id
    )
    return [lvl.find(qn("w:lvlText")).get(qn("w:val")) for lvl in abstract.findall(qn("w:lvl"))]


def start_of(word: Any, num_id: int) -> int:
    override = num_element(word, num_id).find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    return int(override.get(qn("w:val")))


def test_every_style_the_writer_uses_is_in_the_built_in_reference() -> None:
    reference = docx.Document(str(builtin_templates() / "reference.docx"))
    names = {style.name for style in reference.styles}
    assert set(STYLES) <= names


def test_headings_use_title_and_heading_styles(sample: Any) -> None:
    headings = [
        (p.style.name, p.text)
        for p in sample.paragraphs
        if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Title", "Schedule 1: Network details"),
        ("Heading 1", "The network"),
        ("Heading 2", "Practices"),
        ("Heading 3", "Checks"),
        ("Heading 1", "Signatures"),
    ]


def test_the_reference_sets_arial_and_the_pdf_heading_colour(sample: Any) -> None:
    defaults = sample.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:ascii")) == "Arial"
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        assert str(sample.styles[name].font.color.rgb) == "005EB8"
    assert sample.styles["Heading 1"].element.pPr.find(qn("w:outlineLvl")) is not None


def test_body_paragraphs_and_list_items_use_named_styles(sample: Any) -> None:
    assert styled(sample, "Normal")[0].text == "Riverside Primary Care Network"
    assert [p.text for p in styled(sample, "List Number 2")] == [
        "Each practice signs the Network Agreement.",
        "Each practice nominates a representative.",
    ]
    assert len(styled(sample, "List Number")) == 6
    assert [p.text for p in styled(sample, "List Bullet 2")] == ["A nested bullet"]
    assert styled(sample, "List Bullet")[0].text.startswith("A bullet with a ")


def test_clauses_are_word_numbering_one_then_one_point_one(sample: Any) -> None:
    first = styled(sample, "List Number")[0]
    nested = styled(sample, "List Number 2")
    num_id, level = numbering_of(first)
    assert level == 0
    assert [numbering_of(p) for p in nested] == [(num_id, 1), (num_id, 1)]
    assert level_texts(sample, num_id)[:2] == ["%1.", "%1.%2"]
    assert not any(p.text[:1].isdigit() for p in styled(sample, "List Number"))  # not typed


def test_each_numbered_list_restarts_where_the_document_restarts_it(sample: Any) -> None:
    items = styled(sample, "List Number")
    lists = [numbering_of(items[i])[0] for i in (0, 2, 4)]
    assert len(set(lists)) == 3, "each list has a numbering instance of its own"
    assert [start_of(sample, n) for n in lists] == [1, 1, 5]
    assert numbering_of(items[1])[0] == lists[0]
    assert numbering_of(items[3])[0] == lists[1]


def test_bullets_are_word_numbering_too(sample: Any) -> None:
    bullet = styled(sample, "List Bullet")[0]
    num_id, level = numbering_of(bullet)
    assert level == 0
    assert numbering_of(styled(sample, "List Bullet 2")[0]) == (num_id, 1)


def header_sides(word: Any) -> tuple[Any, Any]:
    """Return the network's and the title's cells of the running header."""
    tables = word.sections[0].header.tables
    assert len(tables) == 1
    *_, left, right = tables[0].rows[0].cells
    return left, right


def test_header_has_network_left_and_title_right(sample: Any) -> None:
    section = sample.sections[0]
    left, right = header_sides(sample)
    assert left.text == INFO.network
    assert right.text == INFO.title
    assert right.paragraphs[0].alignment == 2  # the title is right-aligned
    assert {left.paragraphs[0].style.name, right.paragraphs[0].style.name} == {"Header"}
    width = (section.page_width - section.left_margin - section.right_margin) // 635
    table = section.header.tables[0]._tbl
    grid = [int(c.get(qn("w:w"))) for c in table.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == width, "the header spans the text width, no more"
    assert len(INFO.network) > len(INFO.title) and grid[0] > grid[1], "longer, wider"
    margins = table.tblPr.find(qn("w:tblCellMar"))
    assert [m.get(qn("w:w")) for m in margins] == ["0", "0"], "its text lines up with the page"
    assert section.header.paragraphs[-1].text == ""  # a header must end with a paragraph


def test_footer_has_page_x_of_y_as_real_fields(sample: Any) -> None:
    footer = sample.sections[0].footer.paragraphs[0]
    assert footer.style.name == "Footer"
    xml = footer._p
    instructions = [t.text.strip() for t in xml.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = [c.get(qn("w:fldCharType")) for c in xml.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2
    assert footer.text.startswith("Schedule 1: Network details\tPage ")
    assert " of " in footer.text


def test_checklist_items_are_checkbox_content_controls(sample: Any) -> None:
    items = styled(sample, "Checkbox Item")
    assert len(items) == CHECKBOXES
    for item in items:
        controls = item._p.findall(qn("w:sdt"))
        assert len(controls) == 1
        checkbox = controls[0].find(f"{qn('w:sdtPr')}/{{{W14}}}checkbox")
        assert checkbox is not None
        assert checkbox.find(f"{{{W14}}}checked").get(f"{{{W14}}}val") == "0"
        shown = "".join(t.text for t in controls[0].iter(qn("w:t")))
        assert shown == "\u2610"
        assert item.text.startswith("\t")  # python-docx leaves the control's box out
    assert items[0].text.endswith("Read the workstream's summary.".replace("'", "\u2019"))


def test_core_properties_come_from_the_profile(sample: Any) -> None:
    props = sample.core_properties
    assert props.title == INFO.title
    assert props.subject == INFO.subject
    assert props.author == INFO.author
    assert props.keywords == INFO.keywords
    assert props.language == "en-GB"
    assert props.created.replace(tzinfo=None) == WHEN
    assert props.modified.replace(tzinfo=None) == WHEN


def test_page_is_a4_with_the_pdf_margins(sample: Any) -> None:
    section = sample.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.05)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.05)
    assert abs(section.left_margin - Cm(2)) < Cm(0.05)
    assert abs(section.top_margin - Cm(2.2)) < Cm(0.05)


def test_tables_use_the_table_style_repeat_their_header_and_keep_rows_whole(sample: Any) -> None:
    table = sample.tables[0]
    assert table.style.name == "PCN Table"
    rows = table.rows
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in rows[1:])
    assert [c.paragraphs[0].style.name for c in rows[0].cells] == ["Table Heading"] * 3
    assert rows[1].cells[0].paragraphs[0].style.name == "Table Text"
    assert rows[1].cells[2].paragraphs[0].alignment == 2  # figures right-aligned


def test_table_columns_fit_their_content_and_fill_the_text_width(sample: Any) -> None:
    section = sample.sections[0]
    width = (section.page_width - section.left_margin - section.right_margin) // 635
    grid = [int(c.get(qn("w:w"))) for c in sample.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == width
    assert grid[0] > grid[1], "the practice names need more room than the codes"
    layout = sample.tables[0]._tbl.tblPr.find(qn("w:tblLayout"))
    assert layout.get(qn("w:type")) == "fixed"


def test_column_widths_give_long_text_room_and_short_columns_their_words() -> None:
    table = parse_markdown(
        "| Area | Criterion | Essential |\n|---|---|---|\n"
        "| Skills | "
        + "A long description of what the post holder must be able to do. " * 4
        + "| Yes |"
    ).tree.children[0]
    rows = [row for section in table.children for row in section.children]
    widths = column_widths(rows, 3, 9638)
    assert sum(widths) == 9638
    assert widths[1] > 2 * (widths[0] + widths[2])
    assert widths[2] >= 1000, "a one-word column keeps its word on one line"


def test_placeholders_do_not_squeeze_a_short_column_of_a_blank_table() -> None:
    """A blank job description's pay table: four "[to be agreed: ...]" cells once left the
    "A week" column so narrow that LibreOffice broke its heading over two lines."""
    table = parse_markdown(
        "| Director | Agreed time a week | Rate | A week | A year |\n|---|---:|---:|---:|---:|\n"
        "| [[to be agreed: the clinical director's name]] "
        "| [[to be agreed: the director's sessions a week]] "
        "| [[to be agreed: the director's rate per session]] | – "
        "| [[to be agreed: the director's pay a year]] |\n"
    ).tree.children[0]
    rows = [row for section in table.children for row in section.children]
    widths = column_widths(rows, 5, 9638)
    assert sum(widths) == 9638
    heading = text_width("A week", bold=True) * TABLE_FONT_TWIPS + CELL_PADDING_TWIPS
    assert widths[3] >= int(heading), "'A week' on one line"
    # The placeholders share the rest about evenly: none takes twice another's room.
    others = [widths[i] for i in (0, 1, 2, 4)]
    assert max(others) < 2 * min(others)


def test_signature_block_has_lines_for_name_role_signature_and_date(sample: Any) -> None:
    lines = styled(sample, "Signature Line")
    assert [p.text for p in lines] == [f"{label}\t\t" for label in SIGNATURE_LINES]
    tabs = lines[0]._p.pPr.find(qn("w:tabs")).findall(qn("w:tab"))
    assert any(t.get(qn("w:leader")) == "underscore" for t in tabs)
    assert styled(sample, "Signature Block")[0].text == "Signed for Northgate Health Centre"


def test_placeholders_links_and_page_breaks(sample: Any) -> None:
    runs = [r for p in sample.paragraphs for r in p.runs if r.style.name == "Placeholder"]
    assert [r.text for r in runs] == ["[to be agreed: placeholder]"]
    links = sample.element.body.findall(f".//{qn('w:hyperlink')}")
    assert len(links) == 1
    target = sample.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://www.england.nhs.uk/"
    signatures = styled(sample, "Heading 1")[-1]
    assert signatures.paragraph_format.page_break_before is True


def test_logo_appears_in_the_header_with_alternative_text(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), (0, 94, 184)).save(logo)
    word = open_docx(write_docx(parse_markdown(SAMPLE), INFO, None, logo, WHEN))
    header = word.sections[0].header
    pictures = header._element.findall(f".//{qn('wp:docPr')}")
    assert [p.get("descr") for p in pictures] == [f"Logo of {INFO.network}"]
    logo_cell, left, right = header.tables[0].rows[0].cells
    assert logo_cell._tc.find(f".//{qn('wp:docPr')}") is not None
    assert (left.text, right.text) == (INFO.network, INFO.title)
    grid = header.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))
    assert int(grid[0].get(qn("w:w"))) < 1500, "the logo's column is as wide as the logo"


def test_a_user_reference_gives_its_styles_and_gets_the_missing_ones(tmp_path: Path) -> None:
    """A reference made in Word (here python-docx's default) lacks pcndocs's own styles."""
    reference = tmp_path / "reference.docx"
    user = docx.Document()
    user.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x99, 0x00, 0x33)
    user.save(str(reference))
    word = open_docx(write_docx(parse_markdown(SAMPLE), INFO, reference, None, WHEN))
    assert str(word.styles["Heading 1"].font.color.rgb) == "990033"  # the user's branding
    for name in ("PCN Table", "Checkbox Item", "Signature Line", "Table Text", "Placeholder"):
        assert name in [s.name for s in word.styles], name
    assert word.tables[0].style.name == "PCN Table"
    first = styled(word, "List Number")[0]
    num_id, _ = numbering_of(first)
    assert level_texts(word, num_id)[:2] == ["%1.", "%1.%2"]  # clauses need three levels
    assert styled(word, "List Number 2")[0]._p.pPr.numPr.numId.val == num_id


def test_a_reference_loaded_once_is_read_again_when_its_file_changes(tmp_path: Path) -> None:
    reference = tmp_path / "reference.docx"
    user = docx.Document()
    user.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x99, 0x00, 0x33)
    user.save(str(reference))
    document = parse_markdown(SAMPLE)
    first = write_docx(document, INFO, reference, None, WHEN)
    assert load_reference(reference) is load_reference(reference)  # loaded once
    user.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x00, 0x66, 0x33)
    user.save(str(reference))
    os.utime(reference, ns=(1, 1))  # a new modification time, even on a coarse clock
    changed = open_docx(write_docx(document, INFO, reference, None, WHEN))
    assert str(changed.styles["Heading 1"].font.color.rgb) == "006633"
    assert str(open_docx(first).styles["Heading 1"].font.color.rgb) == "990033"


def test_writing_a_document_leaves_the_loaded_reference_as_it_was() -> None:
    sample, other = parse_markdown(SAMPLE), parse_markdown("# Other\n\n- [ ] A tick box\n")
    first = write_docx(sample, INFO, None, None, WHEN)
    write_docx(other, INFO, None, None, WHEN)
    assert write_docx(sample, INFO, None, None, WHEN) == first
    body = load_reference(builtin_reference()).word.element.body
    assert [child.tag for child in body] == [qn("w:sectPr")]


def test_the_job_description_reads_back(job_description: Any) -> None:
    word = job_description
    assert word.paragraphs[0].style.name == "Title"
    assert word.core_properties.title == "Clinical director: job description"
    assert word.core_properties.author
    assert "Riverside Primary Care Network" in word.core_properties.keywords
    assert all(t.style.name == "PCN Table" for t in word.tables)
    control = word.tables[-1]
    labels = [row.cells[0].text for row in control.rows]
    for label in ("Version", "Author", "Approved by", "Approval date", "Review date"):
        assert label in labels
    items = styled(word, "List Number")
    assert len(items) == 8  # the eight Annex E responsibilities, numbered by Word
    assert len({numbering_of(p)[0] for p in items}) == 1


def test_the_committed_reference_is_what_the_script_makes() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_reference_docx", REPO / "scripts" / "make_reference_docx.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made: bytes = module.make_reference()
    assert made == module.make_reference(), "the script is deterministic"
    assert made == (builtin_templates() / "reference.docx").read_bytes(), (
        "templates/reference.docx is out of date: run scripts/make_reference_docx.py"
    )


def test_a_horizontal_rule_is_a_bordered_empty_paragraph() -> None:
    word = open_docx(write_docx(parse_markdown("Before\n\n---\n\nAfter\n"), INFO, None, None, WHEN))
    rule = word.paragraphs[1]
    assert rule.text == ""
    assert rule._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}") is not None
    assert word.paragraphs[2].paragraph_format.page_break_before is None


def test_a_long_logo_is_capped_in_width(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (1000, 50), (0, 94, 184)).save(logo)
    word = open_docx(write_docx(parse_markdown(SAMPLE), INFO, None, logo, WHEN))
    extent = word.sections[0].header._element.find(f".//{qn('wp:extent')}")
    assert int(extent.get("cx")) == Cm(4)


@pytest.mark.parametrize(
    ("content", "which", "message"),
    [
        (
            b"not a zip",
            "reference",
            "cannot be used as a reference document: it is not a Word .docx file",
        ),
        (b"not an image", "logo", "is not an image Word can show (PNG or JPEG)"),
    ],
)
def test_a_bad_reference_or_logo_is_a_user_error(
    tmp_path: Path, content: bytes, which: str, message: str
) -> None:
    path = tmp_path / ("reference.docx" if which == "reference" else "logo.png")
    path.write_bytes(content)
    reference, logo = (path, None) if which == "reference" else (None, path)
    with pytest.raises(InputFileError) as caught:
        write_docx(parse_markdown(SAMPLE), INFO, reference, logo, WHEN)
    assert str(caught.value) == f"{path}: {message}"


def test_spaces_in_text_collapse_as_in_the_pdf_but_not_in_code() -> None:
    markdown = "Met the criteria      is on the ballot.  Two spaces. `a  b`\n"
    word = open_docx(write_docx(parse_markdown(markdown), INFO, None, None, WHEN))
    assert word.paragraphs[0].text == "Met the criteria is on the ballot. Two spaces. a  b"
