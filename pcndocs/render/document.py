"""Parses a rendered template's Markdown into the one tree that every writer renders.

Besides CommonMark and tables, the tree has four extensions a governance document needs:
- `::: signature` ... `:::`  a block to sign (the writers add name, role, signature, date);
- `::: pagebreak` / `:::`     a page break;
- `- [ ] text`                a list item that is a tick box (meta["checkbox"] on list_item);
- `[[text]]`                  a placeholder still to be agreed, shown highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin

from pcndocs.errors import TemplateError
from pcndocs.text import remove_forbidden

CHECKBOX = "[ ] "
#: How deep the parser's blocks may nest (a list level takes up to three; the parser's own
#: default, 20, dropped every block after a list nested 7 deep).
MAX_NESTING = 100
BLOCKS = ("signature", "pagebreak")


@dataclass(frozen=True)
class Document:
    """A parsed document: its title (the first heading) and its tree."""

    title: str
    tree: SyntaxTreeNode


@dataclass(frozen=True)
class PageInfo:
    """What a page says about itself: title, running header, properties."""

    title: str
    network: str
    subject: str
    author: str
    keywords: str
    created: datetime  # in UTC, without a zone: the documents' date, for reproducible metadata
    language: str = "en-GB"
    compact: bool = False  # a one-page document: tables and spacing drawn tighter


def parse_markdown(text: str, source: str = "a template") -> Document:
    """Return the Document tree of Markdown text.

    Characters no document may hold (a template's pasted vertical tab, form feed or escape)
    are mapped or removed here, the one path every writer's text takes.
    """
    tokens = _parser().parse(remove_forbidden(text))
    deepest = max(tokens, key=lambda token: token.level, default=None)
    if deepest is not None and deepest.level >= MAX_NESTING - 1:
        # The parser stops at its nesting limit and drops the rest: refuse instead.
        line = f"line {deepest.map[0] + 1} of " if deepest.map else ""
        raise TemplateError(
            source,
            None,
            f"lists or quotes nested too deep (at {line}the rendered text); "
            f"nest them at most {MAX_NESTING // 4} deep",
        )
    tree = SyntaxTreeNode(tokens)
    return Document(title=_first_heading(tree), tree=tree)


def introduces_signature(node: SyntaxTreeNode) -> bool:
    """Return whether a paragraph leads straight into a block to sign, so must stay with it.

    "Each member practice signs ..." at the foot of a page, its first block on the next, would
    leave the reader a heading and a sentence with nothing to sign.
    """
    following = node.next_sibling
    return following is not None and following.type == "container_signature"


def keeps_with_next(node: SyntaxTreeNode) -> bool:
    """Return whether a paragraph must stay on the page of the block after it.

    It leads into a block to sign; it is a section's sentence of introduction to a table
    ("The network has 9 member practices ...") that would otherwise end a page with the
    table on the next; or it introduces a list with a colon ("... these duties beyond the
    national minimum:").
    """
    if introduces_signature(node):
        return True
    following, previous = node.next_sibling, node.previous_sibling
    if following is None:
        return False
    if following.type in ("bullet_list", "ordered_list"):
        return plain_text(node).rstrip().endswith(":")
    return following.type == "table" and previous is not None and previous.type == "heading"


def plain_text(node: SyntaxTreeNode) -> str:
    """Return the text inside a node, without formatting."""
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type == "placeholder":
        return f"[{node.content}]"  # as every format shows it: a title's gap stays a gap
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(plain_text(child) for child in node.children)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": False, "maxNesting": MAX_NESTING})
    md.enable(["table", "replacements", "smartquotes"])
    for name in BLOCKS:
        md.use(container_plugin, name)
    md.inline.ruler.before("link", "placeholder", _placeholder_rule)
    md.core.ruler.push("checkbox", _checkbox_rule)
    return md


def _placeholder_rule(state: StateInline, silent: bool) -> bool:
    """Parse `[[text]]` into a placeholder token; escaped `\\[` never reaches here."""
    start = state.pos
    if not state.src.startswith("[[", start):
        return False
    end = state.src.find("]]", start + 2)
    if end < 0 or "\n" in state.src[start:end]:
        return False
    if not silent:
        token = state.push("placeholder", "", 0)
        token.content = state.src[start + 2 : end]
    state.pos = end + 2
    return True


def _checkbox_rule(state: StateCore) -> None:
    """Mark list items whose source text starts with '[ ] ' as tick boxes."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "list_item_open" or i + 2 >= len(tokens):
            continue
        inline: Token = tokens[i + 2]
        if inline.type != "inline" or not inline.content.startswith(CHECKBOX):
            continue
        first = inline.children[0] if inline.children else None
        if first is not None and first.type == "text" and first.content.startswith(CHECKBOX):
            first.content = first.content[len(CHECKBOX) :]
            inline.content = inline.content[len(CHECKBOX) :]
            token.meta["checkbox"] = True


def _first_heading(tree: SyntaxTreeNode) -> str:
    for node in tree.children:
        if node.type == "heading":
            return plain_text(node).strip()
    return ""
