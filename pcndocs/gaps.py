"""What a built document still leaves open: its placeholders, each with its document and section.

A blank build lists them in still-to-agree.txt; a finished build warns about any that remain,
so `--strict` fails on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from pcndocs.document import Document, plain_text
from pcndocs.errors import Problem
from pcndocs.profile.items import LISTS, item_name
from pcndocs.profile.model import Profile


@dataclass(frozen=True)
class Gap:
    """One placeholder in a document: where it is and what it says."""

    document: str  # the document's title
    section: str  # the heading above it
    text: str  # its words, such as "to be agreed: PCN code"

    def line(self) -> str:
        """Return the gap as one line of still-to-agree.txt."""
        return f"- {self.section}: {self.text}"


def placeholders(document: Document) -> list[Gap]:
    """Return every placeholder in a document, in order, with the section it is in."""
    found: list[Gap] = []
    section = document.title
    for node in _walk(document.tree):
        if node.type == "heading" and node.tag != "h1":
            section = plain_text(node).strip()
        elif node.type == "placeholder":
            clause = _clause(node)
            where = f"{section}, clause '{clause}'" if clause else section
            found.append(Gap(document.title, where, _described(node)))
    return found


def _clause(node: SyntaxTreeNode) -> str:
    """Return the bold title of the numbered clause a node is in, or ''."""
    item = None
    current = node.parent
    while current is not None:
        parent = current.parent
        if current.type == "list_item" and parent is not None and parent.type == "ordered_list":
            item = current  # keep climbing: the outermost clause names it
        current = current.parent
    if item is None or not item.children:
        return ""
    strong = next((n for n in _walk(item.children[0]) if n.type == "strong"), None)
    return plain_text(strong).strip() if strong is not None else ""


def _walk(node: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _described(node: SyntaxTreeNode) -> str:
    """Return a placeholder's words; one without words is named by its table row and column."""
    text = " ".join(node.content.split())
    if ":" in text:
        return text
    cell = _ancestor(node, ("td", "th"))
    if cell is None or cell.parent is None:
        return text
    row = cell.parent
    column = row.children.index(cell)
    what = []
    first = row.children[0]
    if column > 0 and not any(n.type == "placeholder" for n in _walk(first)):
        what.append(plain_text(first).strip())  # the row's label, such as a practice's name
    header = _header_row(row)
    if header is not None and header is not row and column < len(header.children):
        what.append(plain_text(header.children[column]).strip())
    return f"{text}: " + ", ".join(w for w in what if w)


def _ancestor(node: SyntaxTreeNode, types: tuple[str, ...]) -> SyntaxTreeNode | None:
    current = node.parent
    while current is not None and current.type not in types:
        current = current.parent
    return current


def _header_row(row: SyntaxTreeNode) -> SyntaxTreeNode | None:
    table = _ancestor(row, ("table",))
    if table is None or not table.children or not table.children[0].children:
        return None
    return table.children[0].children[0]


_INDEXED = re.compile(rf"^({'|'.join(LISTS)})\[(\d+)\](?:\.(.+))?$")


def plain_key(key: str, profile: Profile) -> str:
    """Return a profile key in words a reader knows: practices[1] is practice 2 and its name."""
    match = _INDEXED.match(key)
    if match:
        items: list[object] = list(getattr(profile, match[1]))
        index = int(match[2])
        item = items[index] if index < len(items) else None
        who = item_name(match[1], index, getattr(item, "name", None))
        field = (match[3] or "details").replace("_", " ").replace(".", ", ")
        return f"{who}: {field}"
    if key == "clinical_directors":
        return "the clinical director: name, practice and sessions"
    parts = key.split(".")
    words = parts[-1].replace("_", " ")
    return f"{words} ({parts[0].replace('_', ' ')})" if len(parts) > 1 else words


def gap_line(gap: Problem) -> str:
    """Return a value still to agree as `check` and `build --blank` list it: line, key, item."""
    where = f"line {gap.line}: " if gap.line else ""
    return f"{where}{gap.key}: {gap.item}" if gap.item else f"{where}{gap.key}"


def document_lines(gaps: Iterable[Gap]) -> list[str]:
    """Return the placeholders of the documents grouped under each document, without repeats."""
    lines: list[str] = []
    current = None
    for gap in dict.fromkeys(gaps):
        if gap.document != current:
            current = gap.document
            lines += ["", current]
        lines.append(gap.line())
    return lines
