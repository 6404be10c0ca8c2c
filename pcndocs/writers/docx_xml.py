"""The raw WordprocessingML pcndocs needs beyond python-docx's API, kept in one place."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

# Our numbering for ordered lists: 1. / 1.1 / 1.1.1, so Schedule 1 clauses read 1, 1.1, 1.2.
_CLAUSE_LEVELS = ("%1.", "%1.%2", "%1.%2.%3")
CLAUSE_ABSTRACT_ID = 90


def add_clause_numbering(numbering: Any) -> None:
    """Add the clause numbering definition (1, 1.1, 1.1.1) to a numbering part."""
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{567 * (i + 1) + 142 * i}" w:hanging="{567 + 142 * i}"/></w:pPr>'
        f"</w:lvl>"
        for i, text in enumerate(_CLAUSE_LEVELS)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{CLAUSE_ABSTRACT_ID}">'
        f'<w:multiLevelType w:val="multilevel"/><w:name w:val="pcndocs clauses"/>{levels}'
        f"</w:abstractNum>"
    )
    # abstractNum elements must come before every num element in the schema.
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)


def new_list_instance(numbering: Any, abstract_id: int) -> int:
    """Add a numbering instance that restarts at 1, and return its numId."""
    used = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = max(used, default=0) + 1
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )
    return num_id


def abstract_of_style(numbering: Any, style: Any) -> int | None:
    """Return the abstractNumId behind a list style's numbering, if it has one."""
    num_id = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if num_id is None:
        return None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == num_id.get(qn("w:val")):
            return int(num.find(qn("w:abstractNumId")).get(qn("w:val")))
    return None


def set_numbering(paragraph: Any, num_id: int, level: int) -> None:
    """Number a paragraph with a numbering instance at a level."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def add_checkbox(paragraph: Any, label: str) -> None:
    """Add a tick box a Word user can click (a checkbox content control) to a paragraph."""
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w', 'w14')}><w:sdtPr>"
        f'<w:alias w:val="Done"/><w:tag w:val="checkbox"/>'
        f'<w14:checkbox><w14:checked w14:val="0"/>'
        f'<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        f'<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
        f"</w:sdtPr><w:sdtContent><w:r><w:rPr>"
        f'<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" '
        f'w:hint="eastAsia"/>'
        f"</w:rPr><w:t>\u2610</w:t></w:r></w:sdtContent></w:sdt>"
    )
    del label  # Word reads the control's alias; the item's text follows it on the line
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


def repeat_header_and_keep_rows(table: Any) -> None:
    """Repeat a table's first row on every page and keep each row on one page."""
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))


def shade_cell(cell: Any, fill: str) -> None:
    """Fill a table cell with a background colour (hex RRGGBB)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def underline_cell(cell: Any) -> None:
    """Give a cell a bottom border: the line to write or sign on."""
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(
        parse_xml(
            f'<w:tcBorders {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="0" '
            f'w:color="404040"/></w:tcBorders>'
        )
    )


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
