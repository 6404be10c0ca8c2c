"""Single WordprocessingML elements, as the DOCX writer makes them, read back with lxml."""

from __future__ import annotations

import io

import docx
import pytest
from docx.document import Document as WordDocument
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.oxml.text.parfmt import CT_PPr
from docx.shared import Pt
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from pcndocs.render.document import parse_markdown
from pcndocs.render.writers import docx_xml
from pcndocs.render.writers.docx import builtin_reference, write_docx
from tests.writer_samples import INFO, WHEN

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def local(element: etree._Element) -> list[str]:
    """Return the prefixed tags of an element's children, in order ('w:numPr')."""
    names = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main": "w", W14: "w14"}
    tags = []
    for child in element:
        namespace, _, name = child.tag[1:].partition("}")
        tags.append(f"{names.get(namespace, namespace)}:{name}")
    return tags


def attributes(element: etree._Element) -> dict[str, str]:
    """Return an element's attributes by local name."""
    return {etree.QName(key).localname: value for key, value in element.attrib.items()}


def ppr_of(paragraph: Paragraph) -> CT_PPr:
    ppr = paragraph._p.pPr
    assert ppr is not None
    return ppr


@pytest.fixture
def word() -> WordDocument:
    return docx.Document(str(builtin_reference()))


def paragraph_style(word: WordDocument, name: str) -> ParagraphStyle:
    style = word.styles[name]
    assert isinstance(style, ParagraphStyle)
    return style


def test_numbering_is_a_numpr_after_the_style_and_before_the_spacing(word: WordDocument) -> None:
    paragraph = word.add_paragraph(style="List Number")
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    docx_xml.set_numbering(paragraph, 7, 1)
    ppr = ppr_of(paragraph)
    assert local(ppr) == ["w:pStyle", "w:keepNext", "w:numPr", "w:spacing"]
    num_pr = ppr.find(qn("w:numPr"))
    assert local(num_pr) == ["w:ilvl", "w:numId"]
    assert [attributes(child)["val"] for child in num_pr] == ["1", "7"]


def test_a_new_list_instance_restarts_its_first_level(word: WordDocument) -> None:
    numbering = word.part.numbering_part.element
    abstract = docx_xml.style_abstract(numbering, paragraph_style(word, "List Number"))
    assert abstract is not None
    before = {n.get(qn("w:numId")) for n in numbering.findall(qn("w:num"))}
    num_id = docx_xml.new_list_instance(numbering, abstract, start=5)
    assert str(num_id) not in before
    num = numbering.findall(qn("w:num"))[-1]
    assert attributes(num) == {"numId": str(num_id)}
    assert local(num) == ["w:abstractNumId", "w:lvlOverride"]
    assert attributes(num[0]) == {"val": str(abstract)}
    assert attributes(num[1]) == {"ilvl": "0"}
    assert [(local(num[1]), attributes(num[1][0])) for _ in (0,)] == [
        (["w:startOverride"], {"val": "5"})
    ]


def test_a_copied_list_definition_comes_before_every_instance(word: WordDocument) -> None:
    numbering = word.part.numbering_part.element
    source = docx.Document(str(builtin_reference())).part.numbering_part.element
    abstract_id = docx_xml.copy_abstract(numbering, source, docx_xml.CLAUSES)
    tags = local(numbering)
    copied = [
        i
        for i, child in enumerate(numbering)
        if child.get(qn("w:abstractNumId")) == str(abstract_id)
    ]
    assert len(copied) == 1
    assert "w:num" not in tags[: copied[0]]
    assert tags.index("w:num") > copied[0]


def test_tab_stops_clear_the_styles_and_keep_position_order(word: WordDocument) -> None:
    footer = paragraph_style(word, "Footer")
    inherited = [stop.position.twips for stop in footer.paragraph_format.tab_stops]
    assert inherited, "the built-in Footer style has tab stops to clear"
    paragraph = word.add_paragraph(style=footer)
    docx_xml.set_tabs(
        paragraph,
        [(WD_TAB_ALIGNMENT.LEFT, 1701, None), (WD_TAB_ALIGNMENT.RIGHT, 9638, WD_TAB_LEADER.LINES)],
        footer,
    )
    tabs = ppr_of(paragraph).find(qn("w:tabs"))
    stops = [attributes(tab) for tab in tabs]
    positions = [int(stop["pos"]) for stop in stops]
    assert positions == sorted(positions)
    cleared = {int(stop["pos"]) for stop in stops if stop["val"] == "clear"}
    assert cleared == set(inherited) - {1701, 9638}
    assert {"val": "left", "pos": "1701"} in stops
    assert {"val": "right", "pos": "9638", "leader": "underscore"} in stops


def test_a_rule_is_a_bottom_border_before_the_spacing(word: WordDocument) -> None:
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(3)
    docx_xml.add_rule(paragraph)
    ppr = ppr_of(paragraph)
    assert local(ppr) == ["w:pBdr", "w:spacing"]
    bottom = ppr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert attributes(bottom) == {"val": "single", "sz": "6", "space": "1", "color": "C8D6E5"}


def test_a_shrunk_paragraph_has_its_mark_properties_last(word: WordDocument) -> None:
    paragraph = word.add_paragraph(style="Header")
    docx_xml.shrink(paragraph)
    assert local(ppr_of(paragraph)) == ["w:pStyle", "w:spacing", "w:rPr"]


def checkbox_of(paragraph: Paragraph) -> etree._Element:
    controls = paragraph._p.findall(qn("w:sdt"))
    assert len(controls) == 1
    return controls[0]


@pytest.mark.parametrize("label", ["Agree & sign", 'Say "yes" <now>', "x" * 57 + " & more"])
def test_a_tick_box_is_a_checkbox_content_control_named_after_its_item(
    word: WordDocument, label: str
) -> None:
    paragraph = word.add_paragraph()
    docx_xml.add_checkbox(paragraph, label)
    control = checkbox_of(paragraph)
    assert local(control) == ["w:sdtPr", "w:sdtContent"]
    properties = control.find(qn("w:sdtPr"))
    assert local(properties) == ["w:alias", "w:tag", "w14:checkbox"]
    assert attributes(properties[0]) == {"val": label[: docx_xml.CHECKBOX_ALIAS]}
    box = properties[2]
    assert local(box) == ["w14:checked", "w14:checkedState", "w14:uncheckedState"]
    assert attributes(box[0]) == {"val": "0"}
    assert attributes(box[2])["val"] == "2610"
    assert control.find(f"{qn('w:sdtContent')}/{qn('w:r')}/{qn('w:t')}").text == "\u2610"
    # The control serialises to XML that parses again.
    etree.fromstring(etree.tostring(control))


@pytest.mark.parametrize("position", range(52, 64))
@pytest.mark.parametrize("special", ["&", "<", '"', ">"])
def test_a_checklist_item_with_markup_characters_anywhere_is_written_whole(
    position: int, special: str
) -> None:
    # An "&" near the 60th character was once cut in the middle of "&amp;": a crash.
    text = "a" * position + special + " the rest of the item"
    data = write_docx(parse_markdown(f"- [ ] {text}\n"), INFO, None, None, WHEN)
    word = docx.Document(io.BytesIO(data))
    item = next(
        p for p in word.paragraphs if p.style is not None and p.style.name == "Checkbox Item"
    )
    assert item.text.endswith(text)
    alias = checkbox_of(item).find(f"{qn('w:sdtPr')}/{qn('w:alias')}")
    assert alias.get(qn("w:val")) == text[: docx_xml.CHECKBOX_ALIAS]


def test_a_field_is_begin_code_separate_shown_value_end(word: WordDocument) -> None:
    paragraph = word.add_paragraph()
    docx_xml.add_field(paragraph, "PAGE", "1")
    runs = paragraph._p.findall(qn("w:r"))
    kinds = []
    for run in runs:
        (child,) = list(run)
        if child.tag == qn("w:fldChar"):
            kinds.append(child.get(qn("w:fldCharType")))
        else:
            kinds.append(f"{etree.QName(child).localname}:{child.text}")
    assert kinds == ["begin", "instrText: PAGE ", "separate", "t:1", "end"]


def test_a_link_is_an_external_relationship_with_escaped_text(word: WordDocument) -> None:
    paragraph = word.add_paragraph()
    url = "https://example.org/a?b=1&c=<2>"
    docx_xml.add_hyperlink(paragraph, url, "Terms & conditions", "Hyperlink")
    link = paragraph._p.find(qn("w:hyperlink"))
    relationship = word.part.rels[link.get(qn("r:id"))]
    assert relationship.is_external and relationship.target_ref == url
    assert link.find(f"{qn('w:r')}/{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == "Hyperlink"
    assert link.find(f"{qn('w:r')}/{qn('w:t')}").text == "Terms & conditions"


#: The schema's order of a table's properties (CT_TblPr), as far as the writer uses them.
TABLE_PROPERTY_ORDER = ["w:tblStyle", "w:tblW", "w:jc", "w:tblLayout", "w:tblCellMar", "w:tblLook"]


def test_table_properties_fix_widths_and_margins_in_schema_order(word: WordDocument) -> None:
    table = word.add_table(rows=2, cols=3)
    table.style = word.styles["PCN Table"]
    docx_xml.set_column_widths(table, [1000, 2000, 3000])
    docx_xml.set_cell_margins(table, 0)
    properties = table._tbl.tblPr
    tags = local(properties)
    assert tags == [tag for tag in TABLE_PROPERTY_ORDER if tag in tags]
    assert tags[:2] == ["w:tblStyle", "w:tblW"] and "w:tblLayout" in tags
    assert attributes(properties.find(qn("w:tblW"))) == {"w": "6000", "type": "dxa"}
    assert attributes(properties.find(qn("w:tblLayout"))) == {"type": "fixed"}
    margins = properties.find(qn("w:tblCellMar"))
    assert [(local(margins)[i], attributes(m)) for i, m in enumerate(margins)] == [
        ("w:left", {"w": "0", "type": "dxa"}),
        ("w:right", {"w": "0", "type": "dxa"}),
    ]
    grid = [col.get(qn("w:w")) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == ["1000", "2000", "3000"]
    for row in table._tbl.tr_lst:
        widths = [tc.tcPr.find(qn("w:tcW")) for tc in row.tc_lst]
        assert [attributes(w) for w in widths] == [
            {"type": "dxa", "w": str(v)} for v in (1000, 2000, 3000)
        ]


def test_header_rows_repeat_and_no_row_splits(word: WordDocument) -> None:
    table = word.add_table(rows=4, cols=2)
    docx_xml.repeat_header_and_keep_rows(table, header_rows=2)
    rows = [local(row.trPr) for row in table._tbl.tr_lst]
    assert rows == [
        ["w:cantSplit", "w:tblHeader"],
        ["w:cantSplit", "w:tblHeader"],
        ["w:cantSplit"],
        ["w:cantSplit"],
    ]


def test_a_copied_style_brings_what_it_is_based_on(word: WordDocument) -> None:
    target = docx.Document().styles.element  # python-docx's own default template
    source = word.styles.element
    assert target.get_by_name("Checkbox Item") is None
    copied = docx_xml.copy_missing_styles(target, source, ["Checkbox Item"])
    assert "Checkbox Item" in copied
    style = target.get_by_name("Checkbox Item")
    assert style is not None
    assert style.find(f".//{qn('w:numPr')}") is None
    based_on = style.basedOn_val
    assert based_on is None or target.get_by_id(based_on) is not None
    ids = [s.get(qn("w:styleId")) for s in target.findall(qn("w:style"))]
    assert len(ids) == len(set(ids))
