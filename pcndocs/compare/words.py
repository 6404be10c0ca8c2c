"""Compares the text of two paragraphs (or headings, or cells) word by word, with difflib.

The inline nodes are flattened into atoms: words, spaces and punctuation, each with the
formatting around it (bold, italic); a placeholder, link, code span or line break is one atom.
The atoms are compared, and the result is built again as inline nodes in which the words
deleted sit in a `del` node and the words inserted in an `ins` node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from pcndocs.render.document import plain_text

INSERTED = "ins"
DELETED = "del"

# A word keeps its inner punctuation (12,452  A99001  list-size  3.5  O'Brien); a space
# run or any other character is an atom of its own.
_ATOMS = re.compile(r"\w+(?:[.,'’/:-]\w+)*|\s+|.", re.UNICODE)
#: Formatting an atom can carry, outermost first.
_STYLES = ("strong", "em")


@dataclass(frozen=True)
class Atom:
    """A word, a space or a whole inline node, with the formatting around it."""

    text: str
    styles: tuple[str, ...] = ()
    node: SyntaxTreeNode | None = None  # kept whole: a placeholder, link, code or break

    @property
    def key(self) -> tuple[object, ...]:
        """Return what is compared: the text and formatting, and a whole node's kind."""
        return (self.text, self.styles, self.node.type if self.node is not None else None)


def diff_inline(
    olds: Sequence[SyntaxTreeNode], news: Sequence[SyntaxTreeNode]
) -> list[SyntaxTreeNode]:
    """Return the inline nodes of new text with the words changed from old marked."""
    old_atoms, new_atoms = list(atoms(olds)), list(atoms(news))
    matcher = SequenceMatcher(
        None, [a.key for a in old_atoms], [a.key for a in new_atoms], autojunk=False
    )
    pieces: list[tuple[str | None, list[Atom]]] = []
    for tag, i1, i2, j1, j2 in _merge_small_gaps(matcher.get_opcodes(), old_atoms):
        if tag == "equal":
            pieces.append((None, new_atoms[j1:j2]))
            continue
        if i2 > i1:
            pieces.append((DELETED, old_atoms[i1:i2]))
        if j2 > j1:
            pieces.append((INSERTED, new_atoms[j1:j2]))
    nodes: list[SyntaxTreeNode] = []
    for change, run in pieces:
        built = build(run)
        nodes += [wrap(change, built)] if change else built
    return nodes


def atoms(nodes: Sequence[SyntaxTreeNode], styles: tuple[str, ...] = ()) -> Iterator[Atom]:
    """Yield the atoms of inline nodes, in reading order."""
    for node in nodes:
        if node.type == "text":
            yield from (Atom(t, styles) for t in _ATOMS.findall(node.content))
        elif node.type == "softbreak":
            yield Atom(" ", styles)  # every writer shows a soft break as a space
        elif node.type in _STYLES:
            yield from atoms(node.children, (*styles, node.type))
        elif node.type in (INSERTED, DELETED):
            yield from atoms(node.children, styles)
        else:
            yield Atom(plain_text(node), styles, node)


def words(text: str) -> list[str]:
    """Return the words and punctuation of text, without its spaces."""
    return [atom for atom in _ATOMS.findall(text) if not atom.isspace()]


def build(run: Sequence[Atom]) -> list[SyntaxTreeNode]:
    """Return inline nodes for atoms: neighbouring words of one formatting share a text node."""
    nodes: list[SyntaxTreeNode] = []
    index = 0
    while index < len(run):
        atom = run[index]
        if atom.node is not None:
            nodes.append(_styled(atom.styles, [atom.node]))
            index += 1
            continue
        end = index
        while end < len(run) and run[end].node is None and run[end].styles == atom.styles:
            end += 1
        text = "".join(a.text for a in run[index:end])
        nodes.append(_styled(atom.styles, [_text(text)]))
        index = end
    return nodes


def wrap(change: str, children: Sequence[SyntaxTreeNode]) -> SyntaxTreeNode:
    """Return an inline `ins` or `del` node around children."""
    return _nester(change, children)


def adopt(parent: SyntaxTreeNode, children: list[SyntaxTreeNode]) -> None:
    """Make children the children of parent."""
    parent.children = children
    for child in children:
        child.parent = parent


def _merge_small_gaps(
    opcodes: Sequence[tuple[str, int, int, int, int]], old_atoms: Sequence[Atom]
) -> list[tuple[str, int, int, int, int]]:
    """Fold a lone space or short word kept between two changes into them, for fewer pieces.

    "3 years → 4 years" stays two small changes, but a sentence rewritten around a
    surviving "the" reads as one deletion and one insertion, as a person would mark it.
    """
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between = 0 < index < len(opcodes) - 1
        kept = "".join(a.text for a in old_atoms[i1:i2])
        if tag == "equal" and between and (not kept.strip() or len(kept.strip()) <= 3):
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            _, p1, _, q1, _ = merged.pop()
            merged.append(("replace", p1, i2, q1, j2))
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


def _styled(styles: tuple[str, ...], children: list[SyntaxTreeNode]) -> SyntaxTreeNode:
    """Return children wrapped in the given formatting, outermost first."""
    if not styles:
        if len(children) == 1:
            return children[0]
        raise ValueError("unstyled runs are built one node at a time")
    return _nester(styles[0], [_styled(styles[1:], children)])


def _nester(kind: str, children: Sequence[SyntaxTreeNode]) -> SyntaxTreeNode:
    node = SyntaxTreeNode(
        [Token(f"{kind}_open", kind, 1), Token(f"{kind}_close", kind, -1)], create_root=False
    )
    adopt(node, list(children))
    return node


def _text(content: str) -> SyntaxTreeNode:
    return SyntaxTreeNode([Token("text", "", 0, content=content)], create_root=False)
