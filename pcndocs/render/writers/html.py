"""Renders the document tree as an accessible HTML page: the same page the PDF is made from."""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from markdown_it.tree import SyntaxTreeNode

from pcndocs.render.document import (
    Document,
    PageInfo,
    clause_id,
    keeps_with_next,
    plain_text,
)
from pcndocs.render.layout import (
    KEEP_WHOLE_ROWS,
    TEXT_WIDTH_TWIPS,
    column_widths,
    rows_kept_with_next,
    subheading_rows,
)
from pcndocs.render.writers.registry import Page, Written

#: How a user's pdf.css includes the built-in one before changing it: `@import "builtin/pdf.css";`
_BUILTIN_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*)?(["']?)builtin/pdf\.css\1\s*\)?\s*;""", re.IGNORECASE
)


_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def include_builtin(stylesheet: str, builtin: str) -> str:
    """Return a user's stylesheet with `@import "builtin/pdf.css";` replaced by the built-in.

    Only a real rule counts: the words inside a comment (as in pdf.css itself) do not.
    """
    comments = [m.span() for m in _COMMENT.finditer(stylesheet)]
    for match in _BUILTIN_IMPORT.finditer(stylesheet):
        if not any(start <= match.start() < end for start, end in comments):
            return stylesheet[: match.start()] + builtin + stylesheet[match.end() :]
    return stylesheet


def logo_uri(path: Path | None) -> str:
    """Return a logo image as a data: URI, so the HTML page carries it with no other file."""
    if path is None:
        return ""
    kind = "png" if path.suffix.lower() == ".png" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def w3c_date(moment: datetime) -> str:
    """Return a moment as a W3C date-time, read as UTC when it names no zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def write(page: Page) -> Written:
    """Return a page as HTML: the registry's writer of the "html" format."""
    html = render_page(page.document, page.info, page.stylesheet, logo_uri(page.logo), page.preface)
    return Written(html.encode("utf-8"))


def render_page(
    document: Document, info: PageInfo, stylesheet: str = "", logo: str = "", preface: str = ""
) -> str:
    """Return a whole HTML page for a document, with its metadata, style and logo (a URI).

    A preface (HTML, such as compare's key to its marks) comes before the document's text.
    """
    created = escape(w3c_date(info.created))
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(info.title)}</title>",
        f'<meta name="author" content="{escape(info.author)}">',
        f'<meta name="description" content="{escape(info.subject)}">',
        f'<meta name="keywords" content="{escape(info.keywords)}">',
        f'<meta name="dcterms.created" content="{created}">',
        f'<meta name="dcterms.modified" content="{created}">',
        '<meta name="generator" content="pcndocs">',
    ]
    if stylesheet:
        head.append(f"<style>\n{stylesheet}\n</style>")
    head.append(_header_widths(info.network, info.title, bool(logo)))
    picture = (
        f'<img class="logo" src="{escape(logo)}" alt="Logo of {escape(info.network)}">'
        if logo
        else ""
    )
    # The logo and the name sit side by side as table cells; without a logo, no table.
    network = (
        f'<span class="network with-logo">{picture}<span class="name">{escape(info.network)}'
        "</span></span>"
        if logo
        else f'<span class="network"><span class="name">{escape(info.network)}</span></span>'
    )
    main_class = ' class="compact"' if info.compact else ""
    body_class = main_class  # the body names the page, so the first page is narrower too
    running = (
        f'<div class="running-header" aria-hidden="true">{network}'
        f'<span class="doctitle">{escape(info.title)}</span></div>'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(info.language)}">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n<body{body_class}>\n{running}\n<main{main_class}>\n"
        + f"{preface}{render_body(document.tree)}</main>\n"
        "</body>\n</html>\n"
    )


#: A logo in the running header takes about as much room as this many letters.
_LOGO_LETTERS = 24


def _header_widths(network: str, title: str, logo: bool) -> str:
    """Return the widths of the running header's two boxes, worked out once per document.

    Left to itself, WeasyPrint sizes the page-margin boxes again on every page from their
    narrowest and widest possible content. Fixed shares of the line, in proportion to the
    two texts, give the same layout for much less work; a long name wraps in its share.
    """
    left = len(network) + (_LOGO_LETTERS if logo else 0)
    share = min(max(left / max(left + len(title), 1), 0.3), 0.7)
    return (
        "<style>@media print { @page { "
        f"@top-left {{ width: {share * 100 - 2:.1f}% }} "
        f"@top-right {{ width: {(1 - share) * 100 - 2:.1f}% }} }} }}</style>"
    )


def render_body(tree: SyntaxTreeNode) -> str:
    """Return the HTML of a document tree's blocks, each tick box with a name of its own."""
    html = "".join(_block(node) for node in tree.children)
    numbers = itertools.count(1)  # as many tick boxes as the document has
    return _TICK.sub(lambda _: f'<input type="checkbox" name="tick-{next(numbers)}"', html)


# A PDF form field is named after its input; fields sharing a name tick together.
_TICK = re.compile(r'<input type="checkbox"(?= )')


def _children(node: SyntaxTreeNode) -> str:
    return "".join(_block(child) for child in node.children)


def _block(node: SyntaxTreeNode) -> str:
    html = _unmarked_block(node)
    clause = clause_id(node)
    if clause:  # the clause's id, as `pcndocs clauses` and a house wording file name it
        html = re.sub(r"^<(\w+)", rf'<\1 data-clause="{clause}"', html, count=1)
    change = None if node.is_root else node.meta.get("change")
    if change in ("ins", "del"):  # a block compare marked as inserted or deleted
        return re.sub(r"^<(\w+)", rf'<\1 data-change="{change}"', html, count=1)
    return html


def _unmarked_block(node: SyntaxTreeNode) -> str:
    return _BLOCKS.get(node.type, _children)(node)


def _paragraph(node: SyntaxTreeNode) -> str:
    keep = ' class="keep-with-next"' if keeps_with_next(node) else ""
    return f"<p{keep}>{_inline_of(node)}</p>\n"


def _bullet_list(node: SyntaxTreeNode) -> str:
    ticks = all(item.meta.get("checkbox") for item in node.children)
    opening = '<ul class="checklist">' if ticks else "<ul>"
    return f"{opening}\n{_children(node)}</ul>\n"


def _ordered_list(node: SyntaxTreeNode) -> str:
    start = int(node.attrs.get("start", 1) or 1)
    # The stylesheet numbers clauses with its own counter, so it restarts there too.
    if start == 1:
        return f"<ol>\n{_children(node)}</ol>\n"
    restart = f'start="{start}" style="counter-reset: clause {start - 1}"'
    return f"<ol {restart}>\n{_children(node)}</ol>\n"


def _cell(node: SyntaxTreeNode) -> str:
    kind = node.type
    scope = ' scope="col"' if kind == "th" else ""
    style = node.attrs.get("style")
    align = f' class="{str(style).split(":")[-1]}"' if style else ""
    return f"<{kind}{scope}{align}>{_inline_of(node)}</{kind}>\n"


def _wrapped(node: SyntaxTreeNode) -> str:
    """Return a block that is its children inside its own tag (a table's part, a quote)."""
    return f"<{node.type}>\n{_children(node)}</{node.type}>\n"


def _colgroup(node: SyntaxTreeNode) -> str:
    """Return the table's column widths, worked out from its content as the DOCX does."""
    rows = [row for section in node.children for row in section.children]
    columns = max((len(row.children) for row in rows), default=0)
    if columns == 0:
        return ""
    widths = column_widths(rows, columns, TEXT_WIDTH_TWIPS)
    cols = "".join(f'<col style="width: {w * 100 / TEXT_WIDTH_TWIPS:.2f}%">' for w in widths)
    return f"<colgroup>{cols}</colgroup>\n"


def _table(node: SyntaxTreeNode) -> str:
    """Return a table whose short form stays on one page, and whose end rows are never alone."""
    sections = [section for section in node.children if section.type in ("thead", "tbody")]
    rows = [row for section in sections for row in section.children]
    header = sum(len(s.children) for s in sections if s.type == "thead")
    kept = rows_kept_with_next(len(rows), header, subheading_rows(rows))
    parts = []
    index = 0
    for section in sections:
        body = []
        for row in section.children:
            keep = ' class="keep-with-next"' if index in kept else ""
            body.append(f"<tr{keep}>\n{_children(row)}</tr>\n")
            index += 1
        parts.append(f"<{section.type}>\n{''.join(body)}</{section.type}>\n")
    whole = ' class="keep-whole"' if len(rows) <= KEEP_WHOLE_ROWS else ""
    return f"<table{whole}>\n{_colgroup(node)}{''.join(parts)}</table>\n"


def _list_item(node: SyntaxTreeNode) -> str:
    if not node.meta.get("checkbox"):
        return f"<li>{_tight(node)}</li>\n"
    label = escape(plain_text(node).strip(), quote=True)
    # A real form field: WeasyPrint turns it into a PDF check box a reader can tick.
    box = f'<input type="checkbox" aria-label="{label}" title="{label}">'
    return f'<li class="checkbox">{box} <span>{_tight(node)}</span></li>\n'


def _tight(node: SyntaxTreeNode) -> str:
    """Return a list item's content; a tight list's lone paragraph is written inline."""
    children = node.children
    if children and children[0].type == "paragraph" and children[0].hidden:
        return _inline_of(children[0]) + "".join(_block(c) for c in children[1:])
    return _children(node)


def _signature(node: SyntaxTreeNode) -> str:
    who = _children(node)
    rows = "".join(
        f'<tr><th scope="row">{label}</th><td class="line"></td></tr>\n'
        for label in ("Name", "Role", "Signature", "Date")
    )
    return (
        f'<section class="signature">\n{who}'
        f'<table class="signature-lines">\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n'
    )


def _inline_of(node: SyntaxTreeNode) -> str:
    return "".join(_inline(child) for child in node.children)


def _inline(node: SyntaxTreeNode) -> str:
    return _INLINES.get(node.type, _inline_of)(node)


def _link(node: SyntaxTreeNode) -> str:
    href = str(node.attrs.get("href", ""))
    safe = href if href.startswith(("https://", "http://", "mailto:")) else ""
    return f'<a href="{escape(safe)}">{_inline_of(node)}</a>'


def _tagged(node: SyntaxTreeNode) -> str:
    """Return inline content inside the tag of its kind (strong, em; ins and del from compare)."""
    return f"<{node.type}>{_inline_of(node)}</{node.type}>"


# How each kind of node is written, as markdown-it's own renderer keeps its rules by kind; a
# kind not listed is written as its children.
_BLOCKS: dict[str, Callable[[SyntaxTreeNode], str]] = {
    "heading": lambda node: f"<{node.tag}>{_inline_of(node)}</{node.tag}>\n",
    "paragraph": _paragraph,
    "bullet_list": _bullet_list,
    "ordered_list": _ordered_list,
    "list_item": _list_item,
    "table": _table,
    "thead": _wrapped,
    "tbody": _wrapped,
    "tr": _wrapped,
    "th": _cell,
    "td": _cell,
    "container_signature": _signature,
    "container_pagebreak": lambda _node: '<div class="page-break"></div>\n',
    "hr": lambda _node: "<hr>\n",
    "blockquote": _wrapped,
    "code_block": lambda node: f"<pre>{escape(node.content)}</pre>\n",
    "fence": lambda node: f"<pre>{escape(node.content)}</pre>\n",
    "inline": _inline,
}
_INLINES: dict[str, Callable[[SyntaxTreeNode], str]] = {
    "inline": _inline_of,
    "text": lambda node: escape(node.content, quote=False),
    "strong": _tagged,
    "em": _tagged,
    "code_inline": lambda node: f"<code>{escape(node.content)}</code>",
    "softbreak": lambda _node: "\n",
    "hardbreak": lambda _node: "<br>\n",
    "ins": _tagged,  # words compare marked as inserted or deleted
    "del": _tagged,
    "placeholder": lambda node: f'<mark class="placeholder">[{escape(node.content)}]</mark>',
    "link": _link,
    "image": lambda node: escape(plain_text(node)),
}
