"""The raw WordprocessingML pcndocs needs beyond python-docx's API, kept in one place."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

#: The names the reference document's list definitions carry (see make_reference_docx.py).
BULLETS = "pcndocs bullets"
CLAUSES = "pcndocs clauses"
LIST_LEVELS = 3


# ---- styles ---------------------------------------------------------------------------


def style_named(styles: Any, name: str) -> Any | None:
    """Return the w:style element whose name is name (as stored: 'heading 1'), or None."""
    for style in styles.findall(qn("w:style")):
        element = style.find(qn("w:name"))
        if element is not None and element.get(qn("w:val")) == name:
            return style
    return None


def copy_missing_styles(target: Any, source: Any, names: Iterable[str]) -> list[str]:
    """Copy the named styles a document lacks from another, with what they are based on.

    Styles are matched by name, not by id, since Word in another language uses other ids.
    A copied style loses its numbering (numbers belong to the source's lists); the writer
    numbers list paragraphs itself. Returns the names copied.
    """
    copied: list[str] = []
    for name in names:
        _copy_style(target, source, name, copied)
    return copied


def _copy_style(target: Any, source: Any, name: str, copied: list[str]) -> str | None:
    """Make sure target has a style called name; return its id there (None if unknown)."""
    present = style_named(target, name)
    if present is not None:
        return str(present.get(qn("w:styleId")))
    original = style_named(source, name)
    if original is None:
        return None
    style = copy.deepcopy(original)
    for tag in ("w:link", "w:next"):
        for child in style.findall(qn(tag)):
            style.remove(child)
    for num_pr in style.iter(qn("w:numPr")):
        num_pr.getparent().remove(num_pr)
    based_on = style.find(qn("w:basedOn"))
    if based_on is not None:
        parent = _style_by_id(source, based_on.get(qn("w:val")))
        parent_name = parent.find(qn("w:name")).get(qn("w:val")) if parent is not None else None
        parent_id = _copy_style(target, source, parent_name, copied) if parent_name else None
        if parent_id is None:
            style.remove(based_on)
        else:
            based_on.set(qn("w:val"), parent_id)
    style_id = str(style.get(qn("w:styleId")))
    while _style_by_id(target, style_id) is not None:
        style_id += "X"
    style.set(qn("w:styleId"), style_id)
    style.attrib.pop(qn("w:default"), None)
    target.append(style)
    copied.append(name)
    return style_id


def _style_by_id(styles: Any, style_id: str | None) -> Any | None:
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) == style_id:
            return style
    return None


# ---- numbering ------------------------------------------------------------------------


def style_abstract(numbering: Any, style: Any) -> int | None:
    """Return the abstractNumId of a list style's numbering if it has every level we use."""
    num_id = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if num_id is None:
        return None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == num_id.get(qn("w:val")):
            abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            abstract = _abstract(numbering, abstract_id)
            if abstract is None:
                return None
            levels = {lvl.get(qn("w:ilvl")) for lvl in abstract.findall(qn("w:lvl"))}
            if {str(i) for i in range(LIST_LEVELS)} <= levels:
                return int(abstract_id)
    return None


def _abstract(numbering: Any, abstract_id: str | None) -> Any:
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) == abstract_id:
            return abstract
    return None


def copy_abstract(numbering: Any, source: Any, name: str) -> int:
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
    # abstractNum elements must come before every num element in the schema.
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(added)
    else:
        numbering.append(added)
    return abstract_id


def new_list_instance(numbering: Any, abstract_id: int, start: int = 1) -> int:
    """Add a numbering instance that starts its first level at start; return its numId."""
    used = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = max(used, default=0) + 1
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            "</w:num>"
        )
    )
    return num_id


def set_numbering(paragraph: Any, num_id: int, level: int) -> None:
    """Number a paragraph with a numbering instance at a level."""
    _place(
        paragraph,
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="{num_id}"/></w:numPr>'
        ),
    )


# ---- paragraphs and runs --------------------------------------------------------------

# The children of w:pPr that come before numPr, pBdr and tabs, in the schema's order.
_PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
)


def _place(paragraph: Any, element: Any) -> None:
    """Put a w:pPr child where the schema wants it: after every child that must precede it."""
    ppr = paragraph._p.get_or_add_pPr()
    tag = element.tag
    for old in ppr.findall(tag):
        ppr.remove(old)
    before = _PPR_ORDER[: [qn(t) for t in _PPR_ORDER].index(tag)]
    anchor = None
    for name in before:
        found = ppr.find(qn(name))
        if found is not None:
            anchor = found
    if anchor is None:
        ppr.insert(0, element)
    else:
        anchor.addnext(element)


def set_tabs(paragraph: Any, stops: Sequence[tuple[str, int, str | None]], style: Any) -> None:
    """Give a paragraph exactly these tab stops (kind, twips, leader), clearing its style's."""
    tabs = OxmlElement("w:tabs")
    wanted = {pos for _, pos, _ in stops}
    inherited = style.element.find(f"{qn('w:pPr')}/{qn('w:tabs')}") if style is not None else None
    for tab in inherited if inherited is not None else ():
        pos = int(tab.get(qn("w:pos")))
        if pos not in wanted:
            tabs.append(parse_xml(f'<w:tab {nsdecls("w")} w:val="clear" w:pos="{pos}"/>'))
    for kind, pos, leader in stops:
        lead = f' w:leader="{leader}"' if leader else ""
        tabs.append(parse_xml(f'<w:tab {nsdecls("w")} w:val="{kind}"{lead} w:pos="{pos}"/>'))
    _place(paragraph, tabs)


def add_rule(paragraph: Any) -> None:
    """Make an empty paragraph a thin horizontal line (Markdown's ---), as the PDF draws it."""
    _place(
        paragraph,
        parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
            f'w:color="C8D6E5"/></w:pBdr>'
        ),
    )


def shrink(paragraph: Any) -> None:
    """Make an empty paragraph take next to no room: 1 pt high, no spacing."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'))
    paragraph.paragraph_format.space_before = 0
    paragraph.paragraph_format.space_after = 0
    paragraph.paragraph_format.line_spacing = Pt(1)


def add_checkbox(paragraph: Any, label: str) -> None:
    """Add a tick box a Word user can click (a checkbox content control) to a paragraph."""
    alias = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")[:60]
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w', 'w14')}><w:sdtPr>"
        f'<w:alias w:val="{alias}"/><w:tag w:val="checkbox"/>'
        f'<w14:checkbox><w14:checked w14:val="0"/>'
        f'<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        f'<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
        f"</w:sdtPr><w:sdtContent><w:r><w:rPr>"
        f'<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" '
        f'w:hint="eastAsia"/>'
        f"</w:rPr><w:t>\u2610</w:t></w:r></w:sdtContent></w:sdt>"
    )
    paragraph._p.append(sdt)
    paragraph.add_run("\t")


def add_field(paragraph: Any, instruction: str, shown: str) -> None:
    """Add a field such as PAGE or NUMPAGES, showing a value until Word updates it."""
    for kind in ("begin", None, "separate", "text", "end"):
        run = paragraph.add_run()
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind == "text":
            run.text = shown
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def add_hyperlink(paragraph: Any, url: str, text: str, style_id: str | None) -> None:
    """Add a link a reader can click, in the Hyperlink character style if there is one."""
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    if style_id:
        rpr = OxmlElement("w:rPr")
        rstyle = OxmlElement("w:rStyle")
        rstyle.set(qn("w:val"), style_id)
        rpr.append(rstyle)
        run.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def describe_pictures(part_element: Any, description: str) -> None:
    """Give every picture in a header or footer a description (its alternative text).

    The pictures also get no gap around them, which Word assumes and LibreOffice does not.
    """
    for inline in part_element.iter(qn("wp:inline")):
        for side in ("distT", "distB", "distL", "distR"):
            inline.set(side, "0")
    for doc_pr in part_element.iter(qn("wp:docPr")):
        doc_pr.set("descr", description)


# ---- tables ---------------------------------------------------------------------------


def repeat_header_and_keep_rows(table: Any, header_rows: int = 1) -> None:
    """Repeat a table's first rows on every page and keep each row on one page."""
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))


def set_column_widths(table: Any, widths: Sequence[int]) -> None:
    """Fix a table's width to the sum of its columns' (twips), and each column's width."""
    tbl_pr = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        for old in tbl_pr.findall(qn(tag)):
            tbl_pr.remove(old)
    width = parse_xml(f'<w:tblW {nsdecls("w")} w:w="{sum(widths)}" w:type="dxa"/>')
    style = tbl_pr.find(qn("w:tblStyle"))
    if style is not None:
        style.addnext(width)
    else:
        tbl_pr.insert(0, width)
    # tblLayout follows tblW, jc, tblCellSpacing, tblInd, tblBorders and shd.
    layout = parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>')
    anchor = width
    for tag in ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd"):
        found = tbl_pr.find(qn(tag))
        if found is not None:
            anchor = found
    anchor.addnext(layout)
    grid = table._tbl.tblGrid
    for col, value in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(value))
    for row in table.rows:
        for tc, value in zip(row._tr.findall(qn("w:tc")), widths, strict=False):
            tc_pr = tc.get_or_add_tcPr()
            for old in tc_pr.findall(qn("w:tcW")):
                tc_pr.remove(old)
            tc_pr.insert(0, parse_xml(f'<w:tcW {nsdecls("w")} w:w="{value}" w:type="dxa"/>'))


def set_cell_margins(table: Any, twips: int) -> None:
    """Set a table's left and right cell margins, so its text lines up with the page's."""
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblCellMar")):
        tbl_pr.remove(old)
    margins = parse_xml(
        f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{twips}" w:type="dxa"/>'
        f'<w:right w:w="{twips}" w:type="dxa"/></w:tblCellMar>'
    )
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


# ---- the package ----------------------------------------------------------------------


def fixed_zip(data: bytes, when: datetime) -> bytes:
    """Return a zip with every entry's timestamp set to one moment, for identical bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
