"""Renders the document tree as an accessible HTML page: the same page the PDF is made from."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markdown_it.tree import SyntaxTreeNode

from pcndocs.document import Document, plain_text


@dataclass(frozen=True)
class PageInfo:
    """What a page says about itself: title, running header, properties."""

    title: str
    network: str
    subject: str
    author: str
    keywords: str
    created: str  # ISO date, for reproducible metadata
    language: str = "en-GB"


def render_page(document: Document, info: PageInfo, stylesheet: str = "") -> str:
    """Return a whole HTML page for a document, with its metadata and inline style."""
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(info.title)}</title>",
        f'<meta name="author" content="{escape(info.author)}">',
        f'<meta name="description" content="{escape(info.subject)}">',
        f'<meta name="keywords" content="{escape(info.keywords)}">',
        f'<meta name="dcterms.created" content="{escape(info.created)}">',
        f'<meta name="dcterms.modified" content="{escape(info.created)}">',
        '<meta name="generator" content="pcndocs">',
    ]
    if stylesheet:
        head.append(f"<style>\n{stylesheet}\n</style>")
    running = (
        f'<div class="running-header" aria-hidden="true">'
        f'<span class="network">{escape(info.network)}</span>'
        f'<span class="doctitle">{escape(info.title)}</span></div>'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(info.language)}">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n<body>\n{running}\n<main>\n{render_body(document.tree)}</main>\n"
        "</body>\n</html>\n"
    )


def render_body(tree: SyntaxTreeNode) -> str:
    """Return the HTML of a document tree's blocks."""
    return "".join(_block(node) for node in tree.children)


def _children(node: SyntaxTreeNode) -> str:
    return "".join(_block(child) for child in node.children)


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "heading":
        return f"<{node.tag}>{_inline_of(node)}</{node.tag}>\n"
    if kind == "paragraph":
        return f"<p>{_inline_of(node)}</p>\n"
    if kind == "bullet_list":
        return f"<ul>\n{_children(node)}</ul>\n"
    if kind == "ordered_list":
        start = node.attrs.get("start")
        start_attr = f' start="{int(start)}"' if start not in (None, 1) else ""
        return f"<ol{start_attr}>\n{_children(node)}</ol>\n"
    if kind == "list_item":
        return _list_item(node)
    if kind == "table":
        return f"<table>\n{_children(node)}</table>\n"
    if kind in ("thead", "tbody", "tr"):
        return f"<{kind}>\n{_children(node)}</{kind}>\n"
    if kind in ("th", "td"):
        scope = ' scope="col"' if kind == "th" else ""
        style = node.attrs.get("style")
        align = f' class="{str(style).split(":")[-1]}"' if style else ""
        return f"<{kind}{scope}{align}>{_inline_of(node)}</{kind}>\n"
    if kind == "container_signature":
        return _signature(node)
    if kind == "container_pagebreak":
        return '<div class="page-break"></div>\n'
    if kind == "hr":
        return "<hr>\n"
    if kind == "blockquote":
        return f"<blockquote>\n{_children(node)}</blockquote>\n"
    if kind in ("code_block", "fence"):
        return f"<pre>{escape(node.content)}</pre>\n"
    if kind == "inline":
        return _inline(node)
    return _children(node)


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
    kind = node.type
    if kind == "inline":
        return _inline_of(node)
    if kind == "text":
        return escape(node.content, quote=False)
    if kind == "strong":
        return f"<strong>{_inline_of(node)}</strong>"
    if kind == "em":
        return f"<em>{_inline_of(node)}</em>"
    if kind == "code_inline":
        return f"<code>{escape(node.content)}</code>"
    if kind == "softbreak":
        return "\n"
    if kind == "hardbreak":
        return "<br>\n"
    if kind == "placeholder":
        return f'<mark class="placeholder">[{escape(node.content)}]</mark>'
    if kind == "link":
        href = str(node.attrs.get("href", ""))
        safe = href if href.startswith(("https://", "http://", "mailto:")) else ""
        return f'<a href="{escape(safe)}">{_inline_of(node)}</a>'
    if kind == "image":
        return escape(plain_text(node))
    return _inline_of(node)
