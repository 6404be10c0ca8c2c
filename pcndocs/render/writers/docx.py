"""Renders the document tree as a Word document with named styles: the only python-docx user.

The styles come from a reference document (as pandoc's --reference-doc): the built-in
templates/reference.docx, or a user's reference.docx in --templates DIR. Any style the
writer uses that a user's reference lacks is copied from the built-in one, so a reference
made in Word with only its own Normal and headings still gives a complete document.
"""

from __future__ import annotations

import copy
import functools
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.image.exceptions import (
    InvalidImageStreamError,
    UnexpectedEndOfFileError,
    UnrecognizedImageError,
)
from docx.image.image import Image as DocxImage
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Numbering
from docx.section import _Footer, _Header
from docx.shared import Cm, Emu, Mm, Pt
from docx.styles import BabelFish
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from markdown_it.tree import SyntaxTreeNode

from pcndocs.errors import InputFileError
from pcndocs.render.document import Document, PageInfo, keeps_with_next, plain_text
from pcndocs.render.layout import column_widths, rows_kept_with_next, subheading_rows, text_width
from pcndocs.render.writers import docx_xml
from pcndocs.render.writers.docx_changes import Revisions
from pcndocs.render.writers.registry import Page, Written
from pcndocs.resources import builtin_templates

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
SPACES = re.compile(" {2,}")
# The room between a table and what follows it: the next paragraph's space before, not an empty
# paragraph of its own (LibreOffice lays out a page holding such a spacer, a short paragraph of
# exact height, without keeping a heading further down the page with what follows it).
TABLE_GAP = Pt(6)


def builtin_reference() -> Path:
    """Return the built-in reference document."""
    return builtin_templates() / "reference.docx"


def write(page: Page) -> Written:
    """Return a page as a DOCX: the registry's writer of the "docx" format."""
    info = page.info
    return Written(
        write_docx(page.document, info, page.reference, page.logo, info.created, page.author)
    )


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
    ready = load_reference(reference or builtin_reference())
    word = ready.copy()
    width = _set_up_page(word, ready, info, logo, document.title or info.title)
    if info.compact:
        docx_xml.tighten_spacing(word.styles.element)
        _narrow_top_and_bottom(word)
    _set_properties(word, info, when)
    renderer = _Renderer(word, ready, width, Revisions(revision_author, when))
    renderer.blocks(document.tree.children)
    renderer.finish()
    return docx_xml.save(word, when)


@dataclass
class _Lists:
    """The two list definitions a document numbers its lists with."""

    bullets: int  # the numId every bullet list shares
    clauses: int  # the abstractNumId each numbered list makes a fresh instance of


class Reference:
    """A reference document made ready to write into: every style the writer uses, an empty
    body and the list definitions. Each document is written into a copy of it."""

    def __init__(self, word: WordDocument, builtin: WordDocument) -> None:
        if builtin is not word:
            docx_xml.copy_missing_styles(
                word.styles.element,
                builtin.styles.element,
                [BabelFish.ui2internal(name) for name in STYLES],
            )
        _clear_body(word)
        self.word = word
        self.lists = _lists(word, builtin)
        self.style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}

    def copy(self) -> WordDocument:
        """Return a copy to write one document into (half the cost of opening the file)."""
        return copy.deepcopy(self.word)

    def style_id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """Return the id python-docx gives a style (None for the default one), found once.

        python-docx's style setters look the name up and scan every style for the default
        on each assignment: half the writer's time without this.
        """
        key = (name, kind)
        if key not in self.style_ids:
            self.style_ids[key] = self.word.part.get_style_id(name, kind)
        return self.style_ids[key]


def load_reference(path: Path) -> Reference:
    """Return a reference document made ready, loaded once a process while its file is
    unchanged: worker processes and a server reuse it for every document they write."""
    try:
        stat = path.stat()
    except OSError:
        version = None  # opening it says what is wrong
    else:
        version = (stat.st_mtime_ns, stat.st_size)
    return _load_reference(path, version)


@functools.lru_cache(maxsize=8)
def _load_reference(path: Path, version: tuple[int, int] | None) -> Reference:
    del version  # only part of the cache's key: a changed file is loaded again
    builtin = builtin_reference()
    word = _open_reference(path)
    return Reference(word, word if path == builtin else _open_reference(builtin))


def _lists(word: WordDocument, builtin: WordDocument) -> _Lists:
    """Use the reference's list numbering if it has three levels, else the built-in one."""
    numbering: CT_Numbering = word.part.numbering_part.element
    source = builtin.part.numbering_part.element
    bullets = docx_xml.style_abstract(numbering, _style(word, "List Bullet"))
    if bullets is None:
        bullets = docx_xml.copy_abstract(numbering, source, docx_xml.BULLETS)
    clauses = docx_xml.style_abstract(numbering, _style(word, "List Number"))
    if clauses is None:
        clauses = docx_xml.copy_abstract(numbering, source, docx_xml.CLAUSES)
    return _Lists(docx_xml.new_list_instance(numbering, bullets), clauses)


def _open_reference(path: Path) -> WordDocument:
    """Return a reference document opened with python-docx, or a user error saying why not."""
    try:
        return docx.Document(str(path))
    except (OpcError, ValueError, KeyError, zipfile.BadZipFile, OSError):
        raise InputFileError(
            path, "cannot be used as a reference document: it is not a Word .docx file"
        ) from None


def _add_logo(run: Run, logo: Path) -> int:
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


def _style(word: WordDocument, name: str) -> ParagraphStyle:
    """Return a paragraph style of the document by its name."""
    return cast(ParagraphStyle, word.styles[name])


def _clear_body(word: WordDocument) -> None:
    """Remove any content a reference document carries, keeping its section settings."""
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _set_up_page(
    word: WordDocument, ready: Reference, info: PageInfo, logo: Path | None, short_title: str
) -> int:
    """Set A4, the running header and the footer; return the text width in twips.

    As in the PDF, the header carries the network and the document's full title, and the
    footer the title the document gives itself (its first heading) and the page number.
    """
    section = word.sections[0]
    page = section.page_width
    if section.orientation != WD_ORIENT.PORTRAIT or page is None or abs(page - Cm(21)) > Cm(0.1):
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as NHS documents are
    margins = (section.left_margin or 0) + (section.right_margin or 0)
    usable = (section.page_width or Cm(21)) - margins
    width = usable // 635  # EMU to twips
    section.different_first_page_header_footer = False
    _header(section.header, ready.style_id("Header"), info, logo, width)
    footer = _fresh(section.footer, ready.style_id("Footer"))
    docx_xml.set_tabs(footer, [(WD_TAB_ALIGNMENT.RIGHT, width, None)], _style(word, "Footer"))
    footer.add_run(short_title + "\tPage ")
    docx_xml.add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    docx_xml.add_field(footer, "NUMPAGES", "1")
    return width


def _narrow_top_and_bottom(word: WordDocument) -> None:
    """Give a one-page document the narrower top and bottom margins pdf.css gives it."""
    section = word.sections[0]
    section.top_margin = section.bottom_margin = Mm(14)
    section.header_distance = section.footer_distance = Mm(5)


def _header(
    part: _Header, style_id: str | None, info: PageInfo, logo: Path | None, width: int
) -> None:
    """Write the running header: the logo, the network, and on the right the title.

    They are the cells of a borderless table, vertically centred as in the PDF, so a long
    network name or title wraps within its own cell (the title right-aligned) instead of
    running under the other.
    """
    _fresh(part, style_id)
    columns = 3 if logo is not None else 2
    table = part.add_table(rows=1, cols=columns, width=Emu(width * 635))
    cells = table.rows[0].cells
    for cell in cells:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        cell.paragraphs[0]._p.style = style_id
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
    end = part.add_paragraph()
    end._p.style = style_id
    docx_xml.shrink(end)


def share_out(wants: tuple[float, float], total: int) -> list[int]:
    """Return two widths summing to total, in proportion to what each side would like."""
    first = int(total * wants[0] / sum(wants))
    return [first, total - first]


def _fresh(part: _Header | _Footer, style_id: str | None) -> Paragraph:
    """Empty a header or footer and return a new paragraph in it."""
    part.is_linked_to_previous = False
    element = part._element
    for child in list(element):
        element.remove(child)
    paragraph = part.add_paragraph()
    paragraph._p.style = style_id
    return paragraph


def _set_properties(word: WordDocument, info: PageInfo, when: datetime) -> None:
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


def _space_before(style: ParagraphStyle) -> int:
    """Return a paragraph style's space before, in EMU, as it inherits it (none set: 0)."""
    current: ParagraphStyle | None = style
    while current is not None:
        if current.paragraph_format.space_before is not None:
            return int(current.paragraph_format.space_before)
        current = cast("ParagraphStyle | None", current.base_style)
    return 0


def _property(text: str) -> str:
    """Return text short enough for a core property (Word allows 255 characters)."""
    return text if len(text) <= 255 else text[:254] + "…"


class _Renderer:
    """Walks the tree once, adding paragraphs and tables to the Word document."""

    def __init__(
        self, word: WordDocument, ready: Reference, width: int, revisions: Revisions
    ) -> None:
        self.word = word
        self.revisions = revisions
        self.width = width
        self.numbering: CT_Numbering = word.part.numbering_part.element
        self.lists = ready.lists
        self.style_id = ready.style_id
        self.break_before_next = False
        self.after_table = False

    def style(self, name: str) -> ParagraphStyle:
        return _style(self.word, name)

    def blocks(self, nodes: list[SyntaxTreeNode], quote: bool = False) -> None:
        for node in nodes:
            self.block(node, quote)

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
            self.body_paragraph(node, quote)
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
            self.blocks(node.children, quote=True)
        elif kind in ("code_block", "fence"):
            self.new_paragraph("Normal").add_run(node.content.rstrip("\n"))
        else:
            self.blocks(node.children)

    def body_paragraph(self, node: SyntaxTreeNode, quote: bool) -> None:
        """Add a paragraph of text, kept with the signature block it introduces."""
        paragraph = self.paragraph(node, "Quote" if quote else "Normal")
        if keeps_with_next(node):
            paragraph.paragraph_format.keep_with_next = True

    def new_paragraph(self, style: str) -> Paragraph:
        paragraph = self.word.add_paragraph()
        paragraph._p.style = self.style_id(style)
        if self.break_before_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_before_next = False
        if self.after_table:
            own = _space_before(self.style(style))
            paragraph.paragraph_format.space_before = Emu(own + TABLE_GAP)
            self.after_table = False
        return paragraph

    def finish(self) -> None:
        """End the body: a document ending with a table ends with a paragraph, as Word's do."""
        if self.after_table:
            self.after_table = False
            docx_xml.shrink(self.new_paragraph("Normal"))

    def paragraph(self, node: SyntaxTreeNode, style: str) -> Paragraph:
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
                    if ordered and any(c.type == "ordered_list" for c in item.children):
                        # A clause's title stays on the page of its first sub-clause.
                        last.paragraph_format.keep_with_next = True
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
        if self.break_before_next or self.after_table:
            # Something to break the page before, or to part two tables (Word would join them).
            gap = self.after_table
            spacer = self.new_paragraph("Normal")
            docx_xml.shrink(spacer)
            if gap:
                spacer.paragraph_format.space_after = TABLE_GAP
        table = self.word.add_table(rows=len(rows), cols=columns)
        table._tbl.tblPr.style = self.style_id("PCN Table", WD_STYLE_TYPE.TABLE)
        # Each row's cells are read once: table.cell(r, c) rebuilds the whole grid every call.
        for row, word_row in zip(rows, table.rows, strict=True):
            cells = word_row.cells
            for c, cell_node in enumerate(row.children):
                paragraph = cells[c].paragraphs[0]
                heading = cell_node.type == "th"
                align = str(cell_node.attrs.get("style", ""))
                docx_xml.style_new_paragraph(
                    paragraph,
                    self.style_id("Table Heading" if heading else "Table Text"),
                    "right" if "right" in align else "center" if "center" in align else None,
                )
                self.inline(paragraph, cell_node)
        docx_xml.set_column_widths(table, column_widths(rows, columns, self.width))
        docx_xml.repeat_header_and_keep_rows(table, header_rows=len(head))
        # The same rows stay together as in the PDF: a short table on one page, a long one
        # never leaving its first or last row alone.
        kept = rows_kept_with_next(len(rows), len(head), subheading_rows(rows))
        for index, tr in enumerate(table._tbl.tr_lst):
            if index in kept:
                for p in tr.iter(qn("w:p")):
                    docx_xml.keep_with_next(p)
        for row, word_row in zip(rows, table.rows, strict=True):
            change = row.meta.get("change")
            if change in ("ins", "del"):
                self.revisions.mark_row(word_row._tr, change)
        self.after_table = True

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
                paragraph,
                [
                    (WD_TAB_ALIGNMENT.LEFT, 1701, None),
                    (WD_TAB_ALIGNMENT.RIGHT, self.width, WD_TAB_LEADER.LINES),
                ],
                lines,
            )
            paragraph.add_run(f"{label}\t\t")
            if index == len(SIGNATURE_LINES) - 1:
                paragraph.paragraph_format.keep_with_next = False
                paragraph.paragraph_format.space_after = Pt(12)

    def inline(self, paragraph: Paragraph, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self.run(paragraph, child, bold=False, italic=False)

    def run(self, paragraph: Paragraph, node: SyntaxTreeNode, bold: bool, italic: bool) -> None:
        kind = node.type
        if kind == "text":
            self.text(paragraph, node.content, bold, italic)
        elif kind == "code_inline":
            paragraph.add_run(node.content)
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif kind in ("ins", "del"):  # words compare marked: a tracked change
            first = len(paragraph._p)
            self.runs(paragraph, node, bold, italic)
            self.revisions.wrap_runs(paragraph._p, first, kind)
        elif kind == "placeholder":
            placeholder = paragraph.add_run(f"[{node.content}]")
            placeholder._r.style = self.style_id("Placeholder", WD_STYLE_TYPE.CHARACTER)
        elif kind == "link" and str(node.attrs.get("href", "")).startswith(
            ("https://", "http://", "mailto:")
        ):
            style = self.style_id("Hyperlink", WD_STYLE_TYPE.CHARACTER)
            docx_xml.add_hyperlink(paragraph, str(node.attrs["href"]), plain_text(node), style)
        else:  # strong and em make their words bold or italic; any other node, its words
            self.runs(paragraph, node, bold or kind == "strong", italic or kind == "em")

    def runs(self, paragraph: Paragraph, node: SyntaxTreeNode, bold: bool, italic: bool) -> None:
        for child in node.children:
            self.run(paragraph, child, bold, italic)

    def text(self, paragraph: Paragraph, content: str, bold: bool, italic: bool) -> None:
        # Spaces collapse as in the HTML and PDF, where a template's spacing never shows.
        run = paragraph.add_run(SPACES.sub(" ", content))
        # Only when true: python-docx's setters add an empty w:rPr even for None.
        if bold:
            run.bold = True
        if italic:
            run.italic = True
