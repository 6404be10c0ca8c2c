"""Parses a rendered template's Markdown into the one tree that every writer renders.

Besides CommonMark and tables, the tree has four extensions a governance document needs:
- `::: signature` ... `:::`  a block to sign (the writers add name, role, signature, date);
- `::: pagebreak` / `:::`     a page break;
- `- [ ] text`                a list item that is a tick box (meta["checkbox"] on list_item);
- `[[text]]`                  a placeholder still to be agreed, shown highlighted;
- `{@id}`                     a clause's id (pcndocs/render/clauses.py), at the start of a heading,
                              paragraph or list item: the marker goes, and the block's
                              meta["clause"] is `<document>.<id>` (the HTML's data-clause).
- `{@id@item}`                one item of a list printed once per data item (a template writes
                              `{@core.responsibility@{{ item.id|md }}}`): meta["clause"] is
                              `<document>.<id>.<item>`, meta["clause_group"] `<document>.<id>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
#: What that lets a template nest, one inside another: the deepest text sits a paragraph and
#: its inline text below its innermost block; a list level is two (list and item), a quote one.
MAX_LISTS = (MAX_NESTING - 3) // 2
MAX_QUOTES = MAX_NESTING - 3
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


def parse_markdown(
    text: str, source: str = "a template", edit: Callable[[list[Token]], list[Token]] | None = None
) -> Document:
    """Return the Document tree of Markdown text.

    Characters no document may hold (a template's pasted vertical tab, form feed or escape)
    are mapped or removed here, the one path every writer's text takes. `edit` changes the
    parsed blocks before the tree is made (a house wording's clauses: pcndocs.render.wording).
    """
    tokens = parse_tokens(text, clause_prefix(source), source)
    if edit is not None:
        tokens = edit(tokens)
    deepest = max(tokens, key=lambda token: token.level, default=None)
    if deepest is not None and deepest.level >= MAX_NESTING - 1:
        # The parser stops at its nesting limit and drops the rest: refuse instead.
        line = f"line {deepest.map[0] + 1} of " if deepest.map else ""
        raise TemplateError(
            source,
            None,
            f"lists or quotes nested too deep (at {line}the rendered text); at most "
            f"{MAX_LISTS} lists, or {MAX_QUOTES} quotes, fit one inside another",
        )
    tree = SyntaxTreeNode(tokens)
    return Document(title=_first_heading(tree), tree=tree)


def parse_tokens(text: str, prefix: str = "", source: str = "a template") -> list[Token]:
    """Return the block tokens of Markdown text, each clause's id (`prefix` + id) in its meta."""
    env: dict[str, str] = {"clause_prefix": prefix, "source": source}
    return _parser().parse(remove_forbidden(text), env)


def clause_prefix(source: str) -> str:
    """Return what a template's clause ids begin with: its name without `.md`, and a dot."""
    name = re.split(r"[\\/]", source)[-1]  # a user's template is named by its path
    return name.removesuffix(".md") + "." if name.endswith(".md") else ""


def clause_id(node: SyntaxTreeNode) -> str:
    """Return the id of the clause a block is (a heading, paragraph or list item), or ''."""
    if node.is_root or node.type in ("text", "inline"):
        return ""
    return str(node.meta.get("clause", ""))


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
    md.inline.ruler.before("link", "clause_id", _clause_id_rule)
    md.core.ruler.push("checkbox", _checkbox_rule)
    # Before text_join: a value's escaped quote is still its own token then, and stays as typed.
    md.core.ruler.after("smartquotes", "apostrophes", _apostrophe_rule)
    md.core.ruler.push("clause_id", _clause_block_rule)
    return md


CLAUSE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*")
_MARKER = re.compile(r"\{@(" + CLAUSE_ID.pattern + r")(?:@(" + CLAUSE_ID.pattern + r"))?\} ?")
_MARKER_IN_SOURCE = re.compile(r"(?<!\\)" + _MARKER.pattern)


def _clause_id_rule(state: StateInline, silent: bool) -> bool:
    """Parse `{@id}` into a clause_id token; escaped `\\{` (a value's text) never reaches here."""
    match = _MARKER.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("clause_id", "", 0)
        group = str(state.env.get("clause_prefix", "")) + match.group(1)
        item = match.group(2)
        token.content = f"{group}.{item}" if item else group
        token.meta = {"group": group} if item else {}
    state.pos = match.end()
    return True


def _clause_block_rule(state: StateCore) -> None:
    """Move each clause id from its text to its block: the list item, heading or paragraph."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        marks = [child for child in token.children if child.type == "clause_id"]
        ids = [child.content for child in marks]
        if not ids:
            continue
        leading = next(c for c in token.children if c.type != "text" or c.content.strip())
        if len(ids) > 1 or leading.type != "clause_id":
            # An id must open its block, or the block's text would hold two clauses' ids.
            line = f" at line {token.map[0] + 1} of the rendered text" if token.map else ""
            raise TemplateError(
                str(state.env.get("source", "a template")),
                None,
                f"the clause id {{@{ids[-1]}}}{line} is not at the start of its heading, "
                "paragraph or list item",
            )
        children = [child for child in token.children if child.type != "clause_id"]
        # An id on a line of its own (before lines some of which a branch leaves out) leaves
        # a line break where it stood: the block starts at its first word.
        while children and (
            children[0].type == "softbreak"
            or (children[0].type == "text" and not children[0].content.strip())
        ):
            children.pop(0)
        token.children = children
        token.content = _MARKER_IN_SOURCE.sub("", token.content, count=len(ids)).lstrip()
        block = tokens[i - 1]
        item = tokens[i - 2] if i >= 2 else None
        first_of_item = (
            block.type == "paragraph_open" and item is not None and item.type == "list_item_open"
        )
        opening = item if first_of_item and item is not None else block
        opening.meta["clause"] = ids[0]
        if marks[0].meta.get("group"):  # one item of a list printed once per data item
            opening.meta["clause_group"] = marks[0].meta["group"]


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


# The straight quotes smartquotes leaves: those of values (from the data files and the profile,
# escaped so that Markdown shows them as written, which smartquotes skips), an apostrophe in a
# placeholder ("director's"), and one closing a plural ("the practices' list sizes"), which it
# cannot tell from an unpaired quote. Each pattern, in order, with its curly quote.
_STRAIGHT_QUOTES = (
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),  # an apostrophe inside a word
    (  # a pair of single quotes
        re.compile(r"(?:(?<=^)|(?<=[\s(\[]))'([^'\n]+?)'(?=[\s.,;:!?)\]]|$)"),
        "\u2018\\1\u2019",
    ),
    (re.compile(r"(?<=[sS])'(?=[\s.,;:!?)\]]|$)"), "\u2019"),  # a plural's: the practices'
    (  # a pair of double quotes
        re.compile(r'(?:(?<=^)|(?<=[\s(\[]))"([^"\n]+?)"(?=[\s.,;:!?)\]]|$)'),
        "\u201c\\1\u201d",
    ),
)


def typographic(text: str) -> str:
    """Return text with the straight quotes the documents' text never keeps made curly."""
    for pattern, curly in _STRAIGHT_QUOTES:
        if "'" in text or '"' in text:
            text = pattern.sub(curly, text)
    return text


def _apostrophe_rule(state: StateCore) -> None:
    """Make the quotes smartquotes leaves straight in the templates' words curly.

    The templates' words and placeholders then read alike: "the director’s" and "[to be
    agreed: the director’s rate]", never a straight ' in one and ’ in the next. A value (from
    the profile or the data files) is escaped, so its own tokens, and shows as typed.
    """
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type in ("text", "placeholder"):
                child.content = typographic(child.content)


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
