"""Renders the document tree as a Word document with named styles: the only python-docx user."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_COLOR_INDEX, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from markdown_it.tree import SyntaxTreeNode

from pcndocs.document import Document, plain_text
from pcndocs.errors import TemplateError
from pcndocs.writers import docx_xml
from pcndocs.writers.html import PageInfo

HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
HEADER_FILL = "DCE6F0"


def write_docx(
    document: Document, info: PageInfo, reference: Path | None, logo: Path | None, when: datetime
) -> bytes:
    """Return the bytes of a DOCX for a document, styled by a reference document."""
    try:
        word = docx.Document(str(reference) if reference else None)
    except Exception:  # python-docx raises several kinds for one cause: not a DOCX
        raise TemplateError(
            str(reference), None, "is not a Word document (.docx) pcndocs can read"
        ) from None
    try:
        _clear_body(word)
        _set_up_page(word, info, logo)
        _set_properties(word, info, when)
        _Renderer(word).blocks(document.tree.children)
    except KeyError as exc:
        missing = re.match(r"no style with name '(.+)'", str(exc.args[0]) if exc.args else "")
        if reference is None or missing is None:
            raise
        reason = f"has no style called '{missing.group(1)}'; add it, or start from the built-in one"
        raise TemplateError(str(reference), None, reason) from None
    buffer = io.BytesIO()
    word.save(buffer)
    return docx_xml.fixed_zip(buffer.getvalue(), when)


def _clear_body(word: Any) -> None:
    """Remove any content a reference document carries, keeping its section settings."""
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _set_up_page(word: Any, info: PageInfo, logo: Path | None) -> None:
    section = word.sections[0]
    if section.orientation != WD_ORIENT.PORTRAIT or abs(section.page_width - Cm(21)) > Cm(0.1):
        section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as NHS documents are
    usable = section.page_width - section.left_margin - section.right_margin
    header = section.header.paragraphs[0]
    header.style = word.styles["Header"]
    header.paragraph_format.tab_stops.clear_all()
    header.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    if logo is not None:
        try:
            header.add_run().add_picture(str(logo), height=Cm(1.2))
        except Exception:  # python-docx raises several kinds for one cause: not an image
            raise TemplateError(str(logo), None, "is not a PNG or JPEG image") from None
        header.add_run("  ")
    header.add_run(info.network)
    header.add_run("\t" + info.title)
    footer = section.footer.paragraphs[0]
    footer.style = word.styles["Footer"]
    footer.paragraph_format.tab_stops.clear_all()
    footer.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(info.title + "\tPage ")
    docx_xml.add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    docx_xml.add_field(footer, "NUMPAGES", "1")


def _set_properties(word: Any, info: PageInfo, when: datetime) -> None:
    props = word.core_properties
    props.title = _property(info.title)
    props.subject = _property(info.subject)
    props.author = _property(info.author)
    props.keywords = _property(info.keywords)
    props.language = info.language
    props.last_modified_by = _property(info.author)
    props.created = when
    props.modified = when
    props.revision = 1


def _property(text: str) -> str:
    """Return text short enough for a core property (Word allows 255 characters)."""
    return text if len(text) <= 255 else text[:254] + "…"


class _Renderer:
    """Walks the tree once, adding paragraphs and tables to the Word document."""

    def __init__(self, word: Any) -> None:
        self.word = word
        self.numbering = word.part.numbering_part.element
        docx_xml.add_clause_numbering(self.numbering)
        self.bullet_abstract = docx_xml.abstract_of_style(
            self.numbering, word.styles["List Bullet"]
        )
        self.break_before_next = False

    def blocks(self, nodes: list[SyntaxTreeNode]) -> None:
        for node in nodes:
            self.block(node)

    def block(self, node: SyntaxTreeNode) -> None:
        kind = node.type
        if kind == "heading":
            self.paragraph(node, HEADING_STYLES.get(node.tag, "Heading 3"))
        elif kind == "paragraph":
            self.paragraph(node, "Normal")
        elif kind in ("bullet_list", "ordered_list"):
            self.list(node, level=0, num_id=None)
        elif kind == "table":
            self.table(node)
        elif kind == "container_signature":
            self.signature(node)
        elif kind == "container_pagebreak":
            self.break_before_next = True
        elif kind == "blockquote":
            for child in node.children:
                self.paragraph(child, "Quote")
        elif kind in ("code_block", "fence"):
            self.word.add_paragraph(node.content.rstrip("\n"), style="Normal")
        elif kind == "hr":
            self.break_before_next = True
        else:
            self.blocks(node.children)

    def paragraph(self, node: SyntaxTreeNode, style: str) -> Any:
        paragraph = self.word.add_paragraph(style=self.word.styles[style])
        if self.break_before_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_before_next = False
        self.inline(paragraph, node)
        return paragraph

    def list(self, node: SyntaxTreeNode, level: int, num_id: int | None) -> None:
        ordered = node.type == "ordered_list"
        if num_id is None:
            abstract = docx_xml.CLAUSE_ABSTRACT_ID if ordered else self.bullet_abstract
            num_id = docx_xml.new_list_instance(self.numbering, abstract) if abstract else None
        base = "List Number" if ordered else "List Bullet"
        style = base if level == 0 else f"{base} {min(level + 1, 3)}"
        for item in node.children:
            checkbox = bool(item.meta.get("checkbox"))
            for child in item.children:
                if child.type in ("bullet_list", "ordered_list"):
                    same_kind = child.type == node.type
                    self.list(child, level + 1, num_id if same_kind and ordered else None)
                    continue
                if checkbox:
                    paragraph = self.word.add_paragraph(
                        style=self.word.styles["Checkbox Item"]
                        if "Checkbox Item" in self.word.styles
                        else self.word.styles["List Paragraph"]
                    )
                    docx_xml.add_checkbox(paragraph, plain_text(child))
                    self.inline(paragraph, child)
                    continue
                paragraph = self.paragraph(child, style)
                if num_id is not None:
                    docx_xml.set_numbering(paragraph, num_id, level if ordered else 0)

    def table(self, node: SyntaxTreeNode) -> None:
        rows = [row for section in node.children for row in section.children]
        columns = max(len(row.children) for row in rows)
        table = self.word.add_table(rows=len(rows), cols=columns)
        table.style = self.word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, row in enumerate(rows):
            for c, cell_node in enumerate(row.children):
                cell = table.cell(r, c)
                paragraph = cell.paragraphs[0]
                self.inline(paragraph, cell_node)
                align = cell_node.attrs.get("style", "")
                if isinstance(align, str) and "right" in align:
                    paragraph.alignment = 2  # right-aligned figures
                if cell_node.type == "th":
                    docx_xml.shade_cell(cell, HEADER_FILL)
                    for run in paragraph.runs:
                        run.bold = True
        docx_xml.repeat_header_and_keep_rows(table)
        self.word.add_paragraph(style=self.word.styles["Normal"]).paragraph_format.space_after = Pt(
            0
        )

    def signature(self, node: SyntaxTreeNode) -> None:
        for child in node.children:
            paragraph = self.paragraph(child, "Normal")
            paragraph.paragraph_format.keep_with_next = True
        table = self.word.add_table(rows=4, cols=2)
        for row, label in zip(table.rows, ("Name", "Role", "Signature", "Date"), strict=True):
            row.cells[0].text = label
            row.cells[0].width = Cm(3)
            row.cells[1].width = Cm(11)
            docx_xml.underline_cell(row.cells[1])
            row.height = Cm(0.9)
            for paragraph in row.cells[0].paragraphs:
                paragraph.paragraph_format.keep_with_next = True
        docx_xml.repeat_header_and_keep_rows(table)
        self.word.add_paragraph(style=self.word.styles["Normal"])

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
        elif kind == "placeholder":
            run = paragraph.add_run(f"[{node.content}]")
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            for child in node.children:
                self.run(paragraph, child, bold, italic)
