"""Renders the document tree as a Word document with named styles: the only python-docx user.

The styles come from a reference document (as pandoc's --reference-doc): the built-in
templates/reference.docx, or a user's reference.docx in --templates DIR. Any style the
writer uses that a user's reference lacks is copied from the built-in one, so a reference
made in Word with only its own Normal and headings still gives a complete document.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.exceptions import (
    InvalidImageStreamError,
    UnexpectedEndOfFileError,
    UnrecognizedImageError,
)
from docx.image.image import Image as DocxImage
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.styles import BabelFish
from markdown_it.tree import SyntaxTreeNode

from pcndocs.document import Document, plain_text
from pcndocs.errors import InputFileError
from pcndocs.layout import column_widths, text_width
from pcndocs.resources import builtin_templates
from pcndocs.writers import docx_xml
from pcndocs.writers.docx_changes import Revisions
from pcndocs.writers.html import PageInfo

HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
#: Every style the writer uses; a user's reference document lacking one gets the built-in one.
STYLES = (
    "Normal",
    "Title",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "List Bullet 2",
    "List Bullet 3",
    "List Number",
    "List Number 2",
    "List Number 3",
    "List Continue",
    "List Continue 2",
    "List Continue 3",
    "Checkbox Item",
    "Quote",
    "Table Text",
    "Table Heading",
    "PCN Table",
    "Signature Block",
    "Signature Line",
    "Header",
    "Footer",
    "Placeholder",
    "Hyperlink",
)
SIGNATURE_LINES = ("Name", "Role", "Signature", "Date")
LOGO_HEIGHT, LOGO_WIDTH = Cm(0.9), Cm(4)
HEADER_EM = 170  # 8.5 pt, the size of the Header style, in twips


def builtin_reference() -> Path:
    """Return the built-in reference document."""
    return builtin_templates() / "reference.docx"


def write_docx(
    document: Document,
    info: PageInfo,
    reference: Path | None,
    logo: Path | None,
    when: datetime,
    revision_author: str = "pcndocs",
) -> bytes:
    """Return the bytes of a DOCX for a document, styled by a reference document.

    Blocks and words that `pcndocs compare` marked become Word tracked changes by
    revision_author, dated when.
    """
    builtin = builtin_reference()
    word = _open_reference(reference or builtin)
    source = word if reference is None or reference == builtin else docx.Document(str(builtin))
    if source is not word:
        docx_xml.copy_missing_styles(
            word.styles.element, source.styles.element, [BabelFish.ui2internal(s) for s in STYLES]
        )
    _clear_body(word)
    width = _set_up_page(word, info, logo, document.title or info.title)
    _set_properties(word, info, when)
    _Renderer(word, source, width, Revisions(revision_author, when)).blocks(document.tree.children)
    buffer = io.BytesIO()
    word.save(buffer)
    return docx_xml.fixed_zip(buffer.getvalue(), when)


def _open_reference(path: Path) -> Any:
    """Return a reference document opened with python-docx, or a user error saying why not."""
    try:
        return docx.Document(str(path))
    except (OpcError, ValueError, KeyError, zipfile.BadZipFile, OSError):
        raise InputFileError(
            path, "cannot be used as a reference document: it is not a Word .docx file"
        ) from None


def _add_logo(run: Any, logo: Path) -> int:
    """Add the logo to a run: 9 mm high, or 40 mm wide if it is a long one; return its width."""
    try:
        image = DocxImage.from_file(str(logo))
    except (UnrecognizedImageError, InvalidImageStreamError, UnexpectedEndOfFileError, OSError):
        raise InputFileError(logo, "is not an image Word can show (PNG or JPEG)") from None
    if image.px_width * LOGO_HEIGHT > LOGO_WIDTH * image.px_height:
        shape = run.add_picture(str(logo), width=LOGO_WIDTH)
    else:
        shape = run.add_picture(str(logo), height=LOGO_HEIGHT)
    return int(shape.width)


def _clear_body(word: Any) -> None:
    """Remove any content a reference document carries, keeping its section settings."""
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _set_up_page(word: Any, info: PageInfo, logo: Path | None, short_title: str) -> int:
    """Set A4, the running header and the footer; return the text width in twips.

    As in the PDF, the header carries the network and the document's full title, and the
    footer the title the document gives itself (its first heading) and the page number.
    """
    section = word.sections[0]
    if section.orientation != WD_ORIENT.PORTRAIT or abs(section.page_width - Cm(21)) > Cm(0.1):
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as NHS documents are
    usable: int = section.page_width - section.left_margin - section.right_margin
    width = usable // 635  # EMU to twips
    section.different_first_page_header_footer = False
    _header(section.header, word.styles["Header"], info, logo, width)
    footer = _fresh(section.footer, word.styles["Footer"])
    docx_xml.set_tabs(footer, [("right", width, None)], word.styles["Footer"])
    footer.add_run(short_title + "\tPage ")
    docx_xml.add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    docx_xml.add_field(footer, "NUMPAGES", "1")
    return width


def _header(part: Any, style: Any, info: PageInfo, logo: Path | None, width: int) -> None:
    """Write the running header: the logo, the network, and on the right the title.

    They are the cells of a borderless table, vertically centred as in the PDF, so a long
    network name or title wraps within its own cell (the title right-aligned) instead of
    running under the other.
    """
    _fresh(part, style)
    columns = 3 if logo is not None else 2
    table = part.add_table(rows=1, cols=columns, width=Emu(width * 635))
    cells = table.rows[0].cells
    for cell in cells:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        cell.paragraphs[0].style = style
    network, title = cells[-2].paragraphs[0], cells[-1].paragraphs[0]
    network.add_run(info.network)
    title.add_run(info.title)
    title.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    wants = (text_width(info.network) * HEADER_EM + 60, text_width(info.title) * HEADER_EM + 60)
    widths = []
    if logo is not None:
        widths.append(_add_logo(cells[0].paragraphs[0].add_run(), logo) // 635 + 170)
        docx_xml.describe_pictures(part._element, f"Logo of {info.network}")
    widths += share_out(wants, width - sum(widths))
    docx_xml.set_column_widths(table, widths)
    docx_xml.set_cell_margins(table, 0)
    # A header must end with a paragraph; this one takes next to no room.
    docx_xml.shrink(part.add_paragraph(style=style))


def share_out(wants: tuple[float, float], total: int) -> list[int]:
    """Return two widths summing to total, in proportion to what each side would like."""
    first = int(total * wants[0] / sum(wants))
    return [first, total - first]


def _fresh(part: Any, style: Any) -> Any:
    """Empty a header or footer and return a new paragraph in it."""
    part.is_linked_to_previous = False
    element = part._element
    for child in list(element):
        element.remove(child)
    return part.add_paragraph(style=style)


def _set_properties(word: Any, info: PageInfo, when: datetime) -> None:
    props = word.core_properties
    props.title = _property(info.title)
    props.subject = _property(info.subject)
    props.author = _property(info.author)
    props.keywords = _property(info.keywords)
    props.language = info.language
    props.comments = _property(f"Written by pcndocs from the profile of {info.network}.")
    props.category = "Primary Care Network governance"
    props.last_modified_by = _property(info.author)
    props.created = when
    props.modified = when
    props.revision = 1


@dataclass
class _Lists:
    """The two list definitions a document numbers its lists with."""

    bullets: int  # the numId every bullet list shares
    clauses: int  # the abstractNumId each numbered list makes a fresh instance of


def _property(text: str) -> str:
    """Return text short enough for a core property (Word allows 255 characters)."""
    return text if len(text) <= 255 else text[:254] + "…"


class _Renderer:
    """Walks the tree once, adding paragraphs and tables to the Word document."""

    def __init__(self, word: Any, source: Any, width: int, revisions: Revisions) -> None:
        self.word = word
        self.revisions = revisions
        self.width = width
        self.numbering = word.part.numbering_part.element
        self.lists = self._lists(source)
        self.break_before_next = False

    def _lists(self, source: Any) -> _Lists:
        """Use the reference's list numbering if it has three levels, else the built-in one."""
        styles, numbering = self.word.styles, self.numbering
        source_numbering = source.part.numbering_part.element
        bullets = docx_xml.style_abstract(numbering, styles["List Bullet"])
        if bullets is None:
            bullets = docx_xml.copy_abstract(numbering, source_numbering, docx_xml.BULLETS)
        clauses = docx_xml.style_abstract(numbering, styles["List Number"])
        if clauses is None:
            clauses = docx_xml.copy_abstract(numbering, source_numbering, docx_xml.CLAUSES)
        return _Lists(docx_xml.new_list_instance(numbering, bullets), clauses)

    def style(self, name: str) -> Any:
        return self.word.styles[name]

    def blocks(self, nodes: list[SyntaxTreeNode]) -> None:
        for node in nodes:
            self.block(node)

    def block(self, node: SyntaxTreeNode, quote: bool = False) -> None:
        start = self.body_length()
        self.unmarked_block(node, quote)
        self.mark_change(node, start)

    def body_length(self) -> int:
        """Return how many blocks the body has so far (its section settings aside)."""
        return sum(1 for e in self.word.element.body if e.tag != qn("w:sectPr"))

    def mark_change(self, node: SyntaxTreeNode, start: int) -> None:
        """Track as a change what a node compare marked inserted or deleted added after start."""
        change = node.meta.get("change")
        if change in ("ins", "del"):
            added = [e for e in self.word.element.body if e.tag != qn("w:sectPr")][start:]
            self.revisions.mark_all(added, change)

    def unmarked_block(self, node: SyntaxTreeNode, quote: bool = False) -> None:
        kind = node.type
        if kind == "heading":
            self.paragraph(node, HEADING_STYLES.get(node.tag, "Heading 3"))
        elif kind == "paragraph":
            self.paragraph(node, "Quote" if quote else "Normal")
        elif kind in ("bullet_list", "ordered_list"):
            self.list(node, depth=0, clause_level=0, num_id=None)
        elif kind == "table":
            self.table(node)
        elif kind == "container_signature":
            self.signature(node)
        elif kind == "container_pagebreak":
            self.break_before_next = True
        elif kind == "hr":
            docx_xml.add_rule(self.new_paragraph("Normal"))
        elif kind == "blockquote":
            for child in node.children:
                self.block(child, quote=True)
        elif kind in ("code_block", "fence"):
            self.new_paragraph("Normal").add_run(node.content.rstrip("\n"))
        else:
            self.blocks(node.children)

    def new_paragraph(self, style: str) -> Any:
        paragraph = self.word.add_paragraph(style=self.style(style))
        if self.break_before_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_before_next = False
        return paragraph

    def paragraph(self, node: SyntaxTreeNode, style: str) -> Any:
        paragraph = self.new_paragraph(style)
        self.inline(paragraph, node)
        return paragraph

    def list(self, node: SyntaxTreeNode, depth: int, clause_level: int, num_id: int | None) -> None:
        """Add a list: bullets share one numbering; each numbered list restarts its own."""
        ordered = node.type == "ordered_list"
        level = min(clause_level if ordered else depth, docx_xml.LIST_LEVELS - 1)
        if ordered and num_id is None:
            start = int(node.attrs.get("start", 1) or 1)
            num_id = docx_xml.new_list_instance(self.numbering, self.lists.clauses, start)
        suffix = "" if level == 0 else f" {level + 1}"
        style = ("List Number" if ordered else "List Bullet") + suffix
        last = None
        for item in node.children:
            start = self.body_length()
            first = True
            for child in item.children:
                if child.type in ("bullet_list", "ordered_list"):
                    nested_ordered = ordered and child.type == "ordered_list"
                    self.list(
                        child,
                        depth + 1,
                        clause_level + 1 if nested_ordered else 0,
                        num_id if nested_ordered else None,
                    )
                elif child.type != "paragraph":
                    self.block(child)
                elif item.meta.get("checkbox") and first:
                    last = self.new_paragraph("Checkbox Item")
                    docx_xml.add_checkbox(last, plain_text(child).strip())
                    self.inline(last, child)
                elif first:
                    last = self.paragraph(child, style)
                    numbering = num_id if ordered else self.lists.bullets
                    docx_xml.set_numbering(last, numbering or 0, level)
                else:  # a second paragraph of an item: indented under it, not numbered
                    last = self.paragraph(child, "List Continue" + suffix)
                first = first and child.type != "paragraph"
            self.mark_change(item, start)
        if depth == 0 and last is not None and self.word.element.body[-2] is last._p:
            last.paragraph_format.space_after = Pt(6)  # the list ends: space it from what follows

    def table(self, node: SyntaxTreeNode) -> None:
        """Add a table in the PCN Table style, its columns as wide as their content needs."""
        head = [
            row for section in node.children if section.type == "thead" for row in section.children
        ]
        rows = [row for section in node.children for row in section.children]
        columns = max(len(row.children) for row in rows)
        if self.break_before_next:
            self.new_paragraph("Normal").paragraph_format.space_after = Pt(0)
        table = self.word.add_table(rows=len(rows), cols=columns)
        table.style = self.style("PCN Table")
        # Each row's cells are read once: table.cell(r, c) rebuilds the whole grid every call.
        for row, word_row in zip(rows, table.rows, strict=True):
            cells = word_row.cells
            for c, cell_node in enumerate(row.children):
                paragraph = cells[c].paragraphs[0]
                paragraph.style = self.style(
                    "Table Heading" if cell_node.type == "th" else "Table Text"
                )
                self.inline(paragraph, cell_node)
                align = str(cell_node.attrs.get("style", ""))
                if "right" in align:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                elif "center" in align:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        docx_xml.set_column_widths(table, column_widths(rows, columns, self.width))
        docx_xml.repeat_header_and_keep_rows(table, header_rows=len(head))
        for row, word_row in zip(rows, table.rows, strict=True):
            change = row.meta.get("change")
            if change in ("ins", "del"):
                self.revisions.mark_row(word_row._tr, change)
        spacer = self.word.add_paragraph(style=self.style("Normal"))
        spacer.paragraph_format.space_after = Pt(0)
        spacer.paragraph_format.line_spacing = Pt(6)

    def signature(self, node: SyntaxTreeNode) -> None:
        """Add who signs, then a line to write on for each of name, role, signature, date."""
        for child in node.children:
            if child.type == "paragraph":
                self.paragraph(child, "Signature Block")
            else:
                self.block(child)
        lines = self.style("Signature Line")
        for index, label in enumerate(SIGNATURE_LINES):
            paragraph = self.new_paragraph("Signature Line")
            docx_xml.set_tabs(
                paragraph, [("left", 1701, None), ("right", self.width, "underscore")], lines
            )
            paragraph.add_run(f"{label}\t\t")
            if index == len(SIGNATURE_LINES) - 1:
                paragraph.paragraph_format.keep_with_next = False
                paragraph.paragraph_format.space_after = Pt(12)

    def inline(self, paragraph: Any, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self.run(paragraph, child, bold=False, italic=False)

    def run(self, paragraph: Any, node: SyntaxTreeNode, bold: bool, italic: bool) -> None:
        kind = node.type
        if kind == "text":
            run = paragraph.add_run(node.content)
            run.bold, run.italic = bold or None, italic or None
        elif kind == "strong":
            for child in node.children:
                self.run(paragraph, child, True, italic)
        elif kind == "em":
            for child in node.children:
                self.run(paragraph, child, bold, True)
        elif kind == "code_inline":
            paragraph.add_run(node.content)
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif kind in ("ins", "del"):  # words compare marked: a tracked change
            first = len(paragraph._p)
            for child in node.children:
                self.run(paragraph, child, bold, italic)
            self.revisions.wrap_runs(paragraph._p, first, kind)
        elif kind == "placeholder":
            paragraph.add_run(f"[{node.content}]", style=self.style("Placeholder"))
        elif kind == "link" and str(node.attrs.get("href", "")).startswith(
            ("https://", "http://", "mailto:")
        ):
            style = self.style("Hyperlink").style_id
            docx_xml.add_hyperlink(paragraph, str(node.attrs["href"]), plain_text(node), style)
        else:
            for child in node.children:
                self.run(paragraph, child, bold, italic)
