"""Writes templates/reference.docx: the Word styles every DOCX pcndocs writes is made from.

Run it after changing a style here: `.venv/bin/python scripts/make_reference_docx.py`.
The output is deterministic (same bytes every run), so the committed file only changes
when a style does. It starts from python-docx's default document and replaces what a
governance document uses: the page (A4), the fonts (Arial, metric-compatible with the
PDF's Liberation Sans), the headings, lists, tables, tick boxes and signature lines, in
the colours of templates/pdf.css. A user who wants other styles edits a copy of the
result in Word (`pcndocs templates export DIR`) and builds with `--templates DIR`.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.styles import BabelFish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pcndocs.render.writers.docx_xml import save  # noqa: E402

OUT = REPO / "templates" / "reference.docx"
WHEN = datetime(2025, 4, 1)

BLUE = "005EB8"  # NHS blue, as the headings in pdf.css
RULE = "C8D6E5"  # the line under a Heading 1
GRID = "9FB3C8"  # table borders
HEADER_FILL = "DCE6F0"  # table header row
GREY = "555555"  # running header and footer
TEXT = "1A1A1A"

# A4 with the margins of pdf.css (22 mm top and bottom, 20 mm left and right), in twips.
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGIN_TOP, MARGIN_SIDE = 1247, 1134
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE  # 9638 twips = 170 mm

# Indents of list levels, in twips: where the text starts and how far the number hangs.
BULLET_INDENTS = ((340, 227), (680, 227), (1020, 227))
CLAUSE_INDENTS = ((397, 397), (964, 567), (1644, 680))
CLAUSE_TEXT = ("%1.", "%1.%2", "%1.%2.%3")
BULLET_TEXT = ("\u2022", "\u2013", "\u2022")
BULLET_NUM_ID, CLAUSE_NUM_ID = 1, 2

FONT = '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>'


def size(points: float) -> str:
    """Return a run's font size in half-points."""
    half = round(points * 2)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def spacing(before: int = 0, after: int = 0, line: int = 288) -> str:
    """Return paragraph spacing in twips (line in 240ths of a line: 288 is 1.2 lines)."""
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="auto"/>'


def numbered(num_id: int, level: int) -> str:
    return f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'


# Each paragraph style: (name, based on, next style, outline level, pPr, rPr).
PARAGRAPH_STYLES: tuple[tuple[str, str | None, str | None, int | None, str, str], ...] = (
    ("Normal", None, None, None, "<w:widowControl/>" + spacing(after=120), ""),
    (
        "Title",
        "Normal",
        "Normal",
        None,
        "<w:keepNext/><w:keepLines/>" + spacing(after=120, line=240),
        f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/><w:kern w:val="28"/>' + size(20),
    ),
    (
        "Heading 1",
        "Normal",
        "Normal",
        0,
        "<w:keepNext/><w:keepLines/>"
        f'<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="2" w:color="{RULE}"/></w:pBdr>'
        + spacing(before=320, after=120, line=240),
        f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/>' + size(14),
    ),
    (
        "Heading 2",
        "Normal",
        "Normal",
        1,
        "<w:keepNext/><w:keepLines/>" + spacing(before=240, after=80, line=240),
        f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/>' + size(11.5),
    ),
    (
        "Heading 3",
        "Normal",
        "Normal",
        2,
        "<w:keepNext/><w:keepLines/>" + spacing(before=200, after=80, line=240),
        f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/>' + size(10.5),
    ),
    ("Subtitle", "Normal", "Normal", None, spacing(after=120), "<w:b/><w:bCs/>"),
    ("List Paragraph", "Normal", None, None, spacing(after=60) + '<w:ind w:left="340"/>', ""),
    *(
        (
            f"List Bullet{suffix}",
            "Normal",
            None,
            None,
            numbered(BULLET_NUM_ID, level) + spacing(after=60),
            "",
        )
        for level, suffix in enumerate(("", " 2", " 3"))
    ),
    *(
        (
            f"List Number{suffix}",
            "Normal",
            None,
            None,
            numbered(CLAUSE_NUM_ID, level) + spacing(after=60),
            "",
        )
        for level, suffix in enumerate(("", " 2", " 3"))
    ),
    *(
        (
            f"List Continue{suffix}",
            "Normal",
            None,
            None,
            spacing(after=60) + f'<w:ind w:left="{CLAUSE_INDENTS[level][0]}"/>',
            "",
        )
        for level, suffix in enumerate(("", " 2", " 3"))
    ),
    (
        "Checkbox Item",
        "Normal",
        None,
        None,
        '<w:tabs><w:tab w:val="left" w:pos="397"/></w:tabs>'
        + spacing(after=80)
        + '<w:ind w:left="397" w:hanging="397"/>',
        "",
    ),
    (
        "Quote",
        "Normal",
        "Normal",
        None,
        f'<w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="{RULE}"/></w:pBdr>'
        + spacing(after=120)
        + '<w:ind w:left="340" w:right="340"/>',
        '<w:i/><w:iCs/><w:color w:val="404040"/>',
    ),
    ("Table Text", "Normal", None, None, spacing(), size(9.5)),
    ("Table Heading", "Table Text", None, None, "<w:keepNext/>", "<w:b/><w:bCs/>"),
    (
        "Signature Block",
        "Normal",
        None,
        None,
        "<w:keepNext/><w:keepLines/>" + spacing(after=40),
        "",
    ),
    (
        "Signature Line",
        "Normal",
        None,
        None,
        "<w:keepNext/><w:keepLines/>"
        f'<w:tabs><w:tab w:val="left" w:pos="1701"/>'
        f'<w:tab w:val="right" w:leader="underscore" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        + spacing(before=200, after=0, line=240),
        "",
    ),
    (
        "Header",
        "Normal",
        None,
        None,
        f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>' + spacing(line=240),
        f'<w:color w:val="{GREY}"/>' + size(8.5),
    ),
    (
        "Footer",
        "Normal",
        None,
        None,
        f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>' + spacing(line=240),
        f'<w:color w:val="{GREY}"/>' + size(8.5),
    ),
)

CHARACTER_STYLES: tuple[tuple[str, str], ...] = (
    ("Placeholder", '<w:shd w:val="clear" w:color="auto" w:fill="FFF3A0"/>'),
    ("Hyperlink", f'<w:color w:val="{BLUE}"/><w:u w:val="single"/>'),
)


def style_id(name: str) -> str:
    return name.replace(" ", "")


def define(styles: Any, kind: str, name: str, body: str) -> None:
    """Replace (or add) a style, dropping the 'Char' style Word linked to the old one."""
    for old in styles.findall(qn("w:style")):
        linked = old.find(qn("w:link"))
        if old.get(qn("w:styleId")) == style_id(name) or (
            old.get(qn("w:styleId")) == style_id(name) + "Char" and linked is not None
        ):
            styles.remove(old)
    default = ' w:default="1"' if name in ("Normal", "Normal Table") else ""
    styles.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="{kind}"{default} w:styleId="{style_id(name)}">'
            f'<w:name w:val="{BabelFish.ui2internal(name)}"/>{body}</w:style>'
        )
    )


def paragraph_styles(styles: Any) -> None:
    for name, based_on, following, outline, ppr, rpr in PARAGRAPH_STYLES:
        body = f'<w:basedOn w:val="{style_id(based_on)}"/>' if based_on else ""
        if following:
            body += f'<w:next w:val="{style_id(following)}"/>'
        body += '<w:uiPriority w:val="9"/>' if outline is not None else ""
        body += "<w:qFormat/>"
        if outline is not None:
            ppr += f'<w:outlineLvl w:val="{outline}"/>'
        body += f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
        body += f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
        define(styles, "paragraph", name, body)


def character_styles(styles: Any) -> None:
    for name, rpr in CHARACTER_STYLES:
        define(
            styles,
            "character",
            name,
            f'<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>'
            f"<w:rPr>{rpr}</w:rPr>",
        )


def table_style(styles: Any) -> None:
    """Add the PCN Table style, and drop python-docx's hundred coloured table styles."""
    keep = {"TableNormal", "TableGrid"}
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:type")) == "table" and old.get(qn("w:styleId")) not in keep:
            styles.remove(old)
    border = f'w:val="single" w:sz="5" w:space="0" w:color="{GRID}"'
    borders = "".join(
        f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    define(
        styles,
        "table",
        "PCN Table",
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
        f"<w:pPr>{spacing()}</w:pPr><w:rPr>{size(9.5)}</w:rPr>"
        f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblCellMar><w:top w:w="60" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr>"
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr>'
        "</w:tblStylePr>",
    )


def doc_defaults(styles: Any) -> None:
    old = styles.find(qn("w:docDefaults"))
    new = parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{FONT}"
        f'<w:color w:val="{TEXT}"/>{size(10.5)}'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        f"<w:pPrDefault><w:pPr>{spacing()}</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    old.addprevious(new)
    styles.remove(old)


def numbering(part: Any) -> None:
    """Replace the numbering definitions with two multi-level lists: bullets and clauses."""
    element = part.element
    for child in list(element):
        element.remove(child)

    def levels(texts: tuple[str, ...], indents: tuple[tuple[int, int], ...], bullet: bool) -> str:
        out = ""
        for i, (text, (left, hanging)) in enumerate(zip(texts, indents, strict=True)):
            fmt = "bullet" if bullet else "decimal"
            font = FONT if bullet else ""
            out += (
                f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{left}"/></w:tabs>'
                f'<w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>'
                f"<w:rPr>{font}</w:rPr></w:lvl>"
            )
        return out

    for abstract_id, name, nsid, body in (
        (BULLET_NUM_ID, "pcndocs bullets", "5C3D0001", levels(BULLET_TEXT, BULLET_INDENTS, True)),
        (
            CLAUSE_NUM_ID,
            "pcndocs clauses",
            "5C3D0002",
            levels(CLAUSE_TEXT, CLAUSE_INDENTS, False),
        ),
    ):
        element.append(
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                f'<w:nsid w:val="{nsid}"/><w:multiLevelType w:val="multilevel"/>'
                f'<w:name w:val="{name}"/>{body}</w:abstractNum>'
            )
        )
    for num_id in (BULLET_NUM_ID, CLAUSE_NUM_ID):
        element.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{num_id}"/></w:num>'
            )
        )


def page(word: Any) -> None:
    sect = word.element.body.find(qn("w:sectPr"))
    for tag in ("w:pgSz", "w:pgMar"):
        old = sect.find(qn(tag))
        if old is not None:
            sect.remove(old)
    cols = sect.find(qn("w:cols"))
    cols.addprevious(parse_xml(f'<w:pgSz {nsdecls("w")} w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'))
    cols.addprevious(
        parse_xml(
            f'<w:pgMar {nsdecls("w")} w:top="{MARGIN_TOP}" w:right="{MARGIN_SIDE}" '
            f'w:bottom="{MARGIN_TOP}" w:left="{MARGIN_SIDE}" w:header="397" w:footer="567" '
            'w:gutter="0"/>'
        )
    )


def settings(word: Any) -> None:
    element = word.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids"):
        for old in element.findall(qn(tag)):
            element.remove(old)
    # Word 2013 and later: tables line up with the margin, as in the PDF, not their text.
    for setting in element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    lang = element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-GB")
        lang.attrib.pop(qn("w:eastAsia"), None)


def drop_extras(word: Any) -> None:
    """Remove the parts python-docx's template carries that a reference should not."""
    package = word.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rid)
    for rid, rel in list(word.part.rels.items()):
        if rel.reltype.endswith(("/customXml", "/stylesWithEffects")):
            word.part.rels.pop(rid)


def properties(word: Any) -> None:
    props = word.core_properties
    props.title = "pcndocs reference document"
    props.subject = "The Word styles of the documents pcndocs writes"
    props.author = "pcndocs"
    props.last_modified_by = "pcndocs"
    props.comments = "Edit the styles in Word and build with --templates DIR."
    props.keywords = "pcndocs, reference, styles"
    props.language = "en-GB"
    props.created = WHEN
    props.modified = WHEN
    props.revision = 1


def sample(word: Any) -> None:
    """Leave one paragraph of each style, so a user sees them all when editing in Word."""
    for name, *_ in PARAGRAPH_STYLES:
        if name == "Signature Line":
            word.add_paragraph("Signature\t\t", style=name)
        elif name not in ("Header", "Footer"):
            word.add_paragraph(f"{name}: the look of this style.", style=name)


def make_reference() -> bytes:
    """Return the bytes of the reference document."""
    word = docx.Document()
    styles = word.styles.element
    doc_defaults(styles)
    paragraph_styles(styles)
    character_styles(styles)
    table_style(styles)
    numbering(word.part.numbering_part)
    page(word)
    settings(word)
    drop_extras(word)
    properties(word)
    sample(word)
    return save(word, WHEN)


def main() -> None:
    OUT.write_bytes(make_reference())
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
