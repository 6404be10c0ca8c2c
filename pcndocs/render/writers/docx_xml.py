"""The WordprocessingML pcndocs needs beyond python-docx's proxies, kept in one place.

python-docx's element classes put the children they know in the schema's order (numPr,
tabs, spacing, tblLayout, tcW, gridCol, num and its overrides), so those are set through
them. The few elements they do not know (pBdr, tblW, tblCellMar, the tick box, fields) are
built here with OxmlElement and .set(), so lxml escapes every value, and put in place with
python-docx's insert_element_before and the elements the schema puts after them.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import BinaryIO

from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Num, CT_Numbering, CT_NumLvl, CT_NumPr
from docx.oxml.styles import CT_Style, CT_Styles
from docx.oxml.table import CT_Row, CT_TblPr, CT_Tc
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

#: The names the reference document's list definitions carry (see make_reference_docx.py).
BULLETS = "pcndocs bullets"
CLAUSES = "pcndocs clauses"
LIST_LEVELS = 3

#: A tab stop: its kind, its position in twips, and its leader (None for none).
Tab = tuple[WD_TAB_ALIGNMENT, int, WD_TAB_LEADER | None]

# The schema's order of the children python-docx does not place itself: each tuple lists
# the elements that come after the one named, for insert_element_before.
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc")
_AFTER_PPR_RPR = ("w:sectPr", "w:pPrChange")
_AFTER_TBLW = (
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
)
_AFTER_TBLCELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_ABSTRACT_NUM = ("w:num", "w:numIdMacAtCleanup")


def element(tag: str, attributes: Mapping[str, str] | None = None) -> BaseOxmlElement:
    """Return a new element, its attributes given by prefixed name ('w:val'), lxml escaping."""
    made: BaseOxmlElement = OxmlElement(tag)
    for name, value in (attributes or {}).items():
        made.set(qn(name), value)
    return made


# ---- styles ---------------------------------------------------------------------------


def copy_missing_styles(target: CT_Styles, source: CT_Styles, names: Iterable[str]) -> list[str]:
    """Copy the named styles a document lacks from another, with what they are based on.

    Styles are matched by name, not by id, since Word in another language uses other ids.
    A copied style loses its numbering (numbers belong to the source's lists); the writer
    numbers list paragraphs itself. Returns the names copied.
    """
    copied: list[str] = []
    for name in names:
        _copy_style(target, source, name, copied)
    return copied


def _copy_style(target: CT_Styles, source: CT_Styles, name: str, copied: list[str]) -> str | None:
    """Make sure target has a style called name; return its id there (None if unknown)."""
    present = target.get_by_name(name)
    if present is not None:
        return present.styleId
    original = source.get_by_name(name)
    if original is None:
        return None
    style: CT_Style = copy.deepcopy(original)
    style.remove_all("w:link", "w:next")
    for num_pr in list(style.iter(qn("w:numPr"))):
        num_pr.getparent().remove(num_pr)
    based_on: str | None = style.basedOn_val
    if based_on is not None:
        parent = source.get_by_id(based_on)
        parent_name: str | None = parent.name_val if parent is not None else None
        style.basedOn_val = (
            _copy_style(target, source, parent_name, copied) if parent_name else None
        )
    style_id = str(style.styleId)
    while target.get_by_id(style_id) is not None:
        style_id += "X"
    style.styleId = style_id
    style.attrib.pop(qn("w:default"), None)
    target.append(style)
    copied.append(name)
    return style_id


# ---- numbering ------------------------------------------------------------------------


def style_abstract(numbering: CT_Numbering, style: ParagraphStyle) -> int | None:
    """Return the abstractNumId of a list style's numbering if it has every level we use."""
    num_id = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if num_id is None:
        return None
    try:
        num: CT_Num = numbering.num_having_numId(int(num_id.get(qn("w:val"))))
    except (KeyError, ValueError):
        return None
    abstract_id = int(num.find(qn("w:abstractNumId")).get(qn("w:val")))
    abstract = _abstract(numbering, abstract_id)
    if abstract is None:
        return None
    levels = {lvl.get(qn("w:ilvl")) for lvl in abstract.findall(qn("w:lvl"))}
    return abstract_id if {str(i) for i in range(LIST_LEVELS)} <= levels else None


def _abstract(numbering: CT_Numbering, abstract_id: int) -> BaseOxmlElement | None:
    found: list[BaseOxmlElement] = numbering.xpath(f"w:abstractNum[@w:abstractNumId={abstract_id}]")
    return found[0] if found else None


def copy_abstract(numbering: CT_Numbering, source: CT_Numbering, name: str) -> int:
    """Copy the list definition called name from source into numbering; return its new id."""
    for abstract in source.findall(qn("w:abstractNum")):
        label = abstract.find(qn("w:name"))
        if label is not None and label.get(qn("w:val")) == name:
            break
    else:
        raise ValueError(f"the built-in reference document has no list called {name!r}")
    used = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(used, default=0) + 1
    added = copy.deepcopy(abstract)
    added.set(qn("w:abstractNumId"), str(abstract_id))
    numbering.insert_element_before(added, *_AFTER_ABSTRACT_NUM)
    return abstract_id


def new_list_instance(numbering: CT_Numbering, abstract_id: int, start: int = 1) -> int:
    """Add a numbering instance that starts its first level at start; return its numId."""
    num: CT_Num = numbering.add_num(abstract_id)
    override: CT_NumLvl = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(start)
    return int(num.get(qn("w:numId")))


def set_numbering(paragraph: Paragraph, num_id: int, level: int) -> None:
    """Number a paragraph with a numbering instance at a level."""
    num_pr: CT_NumPr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


# ---- paragraphs and runs --------------------------------------------------------------


def set_tabs(paragraph: Paragraph, stops: Sequence[Tab], style: ParagraphStyle) -> None:
    """Give a paragraph exactly these tab stops, clearing those of its style."""
    tabs = paragraph.paragraph_format.tab_stops
    tabs.clear_all()
    wanted = {position for _, position, _ in stops}
    for inherited in style.paragraph_format.tab_stops:
        if inherited.position.twips not in wanted:
            tabs.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
    for kind, position, leader in stops:
        tabs.add_tab_stop(Twips(position), kind, leader or WD_TAB_LEADER.SPACES)


def add_rule(paragraph: Paragraph) -> None:
    """Make an empty paragraph a thin horizontal line (Markdown's ---), as the PDF draws it."""
    borders = element("w:pBdr")
    borders.append(
        element("w:bottom", {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "C8D6E5"})
    )
    ppr: CT_PPr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def shrink(paragraph: Paragraph) -> None:
    """Make an empty paragraph take next to no room: 1 pt high, no spacing."""
    marks = element("w:rPr")
    marks.append(element("w:sz", {"w:val": "2"}))
    marks.append(element("w:szCs", {"w:val": "2"}))
    ppr: CT_PPr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(marks, *_AFTER_PPR_RPR)
    paragraph.paragraph_format.space_before = 0
    paragraph.paragraph_format.space_after = 0
    paragraph.paragraph_format.line_spacing = Pt(1)


#: How long a tick box's name (the alias Word shows on the control) may be.
CHECKBOX_ALIAS = 60


def add_checkbox(paragraph: Paragraph, label: str) -> None:
    """Add a tick box a Word user can click (a checkbox content control) to a paragraph.

    The box is named after the start of its item's text, so a screen reader and Word's
    selection pane say which item it ticks.
    """
    font = "MS Gothic"
    box = element("w14:checkbox")
    box.append(element("w14:checked", {"w14:val": "0"}))
    box.append(element("w14:checkedState", {"w14:val": "2612", "w14:font": font}))
    box.append(element("w14:uncheckedState", {"w14:val": "2610", "w14:font": font}))
    properties = element("w:sdtPr")
    properties.append(element("w:alias", {"w:val": label[:CHECKBOX_ALIAS]}))
    properties.append(element("w:tag", {"w:val": "checkbox"}))
    properties.append(box)
    fonts = element(
        "w:rFonts", {"w:ascii": font, "w:eastAsia": font, "w:hAnsi": font, "w:hint": "eastAsia"}
    )
    run_properties = element("w:rPr")
    run_properties.append(fonts)
    run = element("w:r")
    run.append(run_properties)
    shown = element("w:t")
    shown.text = "\u2610"
    run.append(shown)
    content = element("w:sdtContent")
    content.append(run)
    control = element("w:sdt")
    control.append(properties)
    control.append(content)
    paragraph._p.append(control)
    paragraph.add_run("\t")


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """Add a field such as PAGE or NUMPAGES, showing a value until Word updates it."""
    paragraph.add_run()._r.append(element("w:fldChar", {"w:fldCharType": "begin"}))
    code = element("w:instrText", {"xml:space": "preserve"})
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    paragraph.add_run()._r.append(element("w:fldChar", {"w:fldCharType": "separate"}))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(element("w:fldChar", {"w:fldCharType": "end"}))


def add_hyperlink(paragraph: Paragraph, url: str, text: str, style_id: str | None) -> None:
    """Add a link a reader can click, in the Hyperlink character style if there is one."""
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    run = element("w:r")
    if style_id:
        run_properties = element("w:rPr")
        run_properties.append(element("w:rStyle", {"w:val": style_id}))
        run.append(run_properties)
    shown = element("w:t", {"xml:space": "preserve"})
    shown.text = text
    run.append(shown)
    link = element("w:hyperlink", {"r:id": rid})
    link.append(run)
    paragraph._p.append(link)


def describe_pictures(part_element: BaseOxmlElement, description: str) -> None:
    """Give every picture in a header or footer a description (its alternative text).

    The pictures also get no gap around them, which Word assumes and LibreOffice does not.
    """
    for inline in part_element.iter(qn("wp:inline")):
        for side in ("distT", "distB", "distL", "distR"):
            inline.set(side, "0")
    for doc_pr in part_element.iter(qn("wp:docPr")):
        doc_pr.set("descr", description)


# ---- tables ---------------------------------------------------------------------------


_ALIGNMENTS = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}


def style_new_paragraph(paragraph: Paragraph, style_id: str | None, align: str | None) -> None:
    """Give a new, empty paragraph (a table cell's) its style and alignment in one pPr.

    The same XML as python-docx's setters (pStyle, then jc: the schema's order), built at
    once: through the setters each child searches the 30-odd elements the schema puts after
    it for its place, a fifth of the DOCX time of a document made mostly of tables.
    """
    p = paragraph._p
    if p.pPr is not None:  # not new: python-docx places each child
        p.style = style_id
        if align is not None:
            paragraph.alignment = _ALIGNMENTS[align]
        return
    properties = element("w:pPr")
    if style_id is not None:  # None: the default style, which python-docx leaves unnamed
        properties.append(element("w:pStyle", {"w:val": style_id}))
    if align is not None:
        properties.append(element("w:jc", {"w:val": align}))
    p.insert(0, properties)


def keep_with_next(paragraph: BaseOxmlElement) -> None:
    """Keep a paragraph (a w:p) on the page of the next, as keep_with_next = True does."""
    properties = paragraph.get_or_add_pPr()
    if properties.find(qn("w:keepNext")) is not None:
        properties.keepNext.val = True
        return
    style = properties.find(qn("w:pStyle"))  # the one child the schema puts before keepNext
    properties.insert(0 if style is None else 1, element("w:keepNext"))


def repeat_header_and_keep_rows(table: Table, header_rows: int = 1) -> None:
    """Repeat a table's first rows on every page and keep each row on one page."""
    for index, row in enumerate(table._tbl.tr_lst):
        properties = row.get_or_add_trPr()
        # trPr's children are a choice in the schema: any order is valid.
        properties.append(element("w:cantSplit"))
        if index < header_rows:
            properties.append(element("w:tblHeader"))


def set_column_widths(table: Table, widths: Sequence[int]) -> None:
    """Fix a table's width to the sum of its columns' (twips), and each column's width."""
    properties: CT_TblPr = table._tbl.tblPr
    properties.remove_all("w:tblW")
    properties.insert_element_before(
        element("w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"}), *_AFTER_TBLW
    )
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)
    rows: list[CT_Row] = table._tbl.tr_lst
    for row in rows:
        cells: list[CT_Tc] = row.tc_lst
        for cell, width in zip(cells, widths, strict=False):
            cell.width = Twips(width)


def set_cell_margins(table: Table, twips: int) -> None:
    """Set a table's left and right cell margins, so its text lines up with the page's."""
    properties: CT_TblPr = table._tbl.tblPr
    properties.remove_all("w:tblCellMar")
    margins = element("w:tblCellMar")
    margins.append(element("w:left", {"w:w": str(twips), "w:type": "dxa"}))
    margins.append(element("w:right", {"w:w": str(twips), "w:type": "dxa"}))
    properties.insert_element_before(margins, *_AFTER_TBLCELLMAR)


# ---- the package ----------------------------------------------------------------------


class _FixedTimeZip:
    """Where python-docx's package writer puts each part: a zip entry dated one moment."""

    def __init__(self, out: BinaryIO, when: datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        self.stamp = (
            max(when.year, 1980),
            when.month,
            when.day,
            when.hour,
            when.minute,
            when.second,
        )

    def write(self, name: PackURI, blob: bytes) -> None:
        entry = zipfile.ZipInfo(name.membername, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self.zip.writestr(entry, blob)


def save(word: WordDocument, when: datetime) -> bytes:
    """Return a document's bytes as python-docx saves it, every entry dated when.

    The same entries in the same order as Document.save, whose zip carries the time of
    saving; written once rather than saved and then rewritten with the fixed time.
    """
    package = word.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    sink = _FixedTimeZip(out, when)
    with sink.zip:
        PackageWriter._write_content_types_stream(sink, parts)
        PackageWriter._write_pkg_rels(sink, package.rels)
        PackageWriter._write_parts(sink, parts)  # type: ignore[arg-type]
    return out.getvalue()


# A one-page document's spacing, in twips: as pdf.css draws `main.compact`.
_COMPACT_CELL_MARGIN = 20  # 1 pt above and below a table cell's text, not 3 pt
_COMPACT_SPACING = {"Normal": (None, 40), "heading 1": (160, 80)}  # before, after
_COMPACT_TEXT = 20  # half-points: body text of 10 pt, not 10.5
_COMPACT_TITLE = 32  # half-points: a title of 16 pt, not 20
_COMPACT_LINE = 252  # 240ths of a line: lines spaced at 1.05, not 1.2 (pdf.css: 1.21 em)


def tighten_spacing(styles: CT_Styles) -> None:
    """Draw a document's tables and paragraphs tighter: its own copy of the styles only.

    A style the reference document lacks is left alone, as is any it sets otherwise.
    """
    size = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    if size is not None:
        size.set(qn("w:val"), str(_COMPACT_TEXT))
    lines = styles.find(
        f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}"
    )
    if lines is not None and lines.get(qn("w:line")) is not None:
        lines.set(qn("w:line"), str(_COMPACT_LINE))
    for style in styles.findall(qn("w:style")):
        _tighten_style(style)


def _tighten_style(style: CT_Style) -> None:
    """Draw one style tighter: the table's cell margins, the title's size or the spacing."""
    name_element = style.find(qn("w:name"))
    name = name_element.get(qn("w:val")) if name_element is not None else None
    if name == "PCN Table":
        margins = style.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
        for side in ("top", "bottom"):
            edge = margins.find(qn(f"w:{side}")) if margins is not None else None
            if edge is not None:
                edge.set(qn("w:w"), str(_COMPACT_CELL_MARGIN))
    elif name == "Title":
        title = style.find(f"{qn('w:rPr')}/{qn('w:sz')}")
        if title is not None:
            title.set(qn("w:val"), str(_COMPACT_TITLE))
    elif name in _COMPACT_SPACING:
        spacing = style.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
        if spacing is None:
            return
        for attribute, value in zip(("before", "after"), _COMPACT_SPACING[name], strict=True):
            if value is not None:
                spacing.set(qn(f"w:{attribute}"), str(value))
