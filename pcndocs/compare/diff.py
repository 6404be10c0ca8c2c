"""Compares two document trees and returns one tree whose changes are marked, as a reader sees them.

Blocks are matched by what they are, not where they are: a heading by its text, a clause by
its bold title, a table row by its key (an ODS code, else its first cell), a signature block
by its practice. Blocks that match are compared inside; blocks that do not are paired with
the most alike block of the same kind, so a changed row or paragraph is compared word by
word instead of being deleted and inserted whole. What is left is deleted or inserted.

The marks, which the writers render: a block node's meta[CHANGE] is INSERTED or DELETED
(every block inside it is marked too), and inline `ins` and `del` nodes wrap the words
inserted or deleted within a paragraph, heading or cell. List numbers are never text in the
tree, so clause numbers stay the writers' own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import cache

from markdown_it.tree import SyntaxTreeNode

from pcndocs.compare.words import DELETED, INSERTED, adopt, diff_inline, words, wrap
from pcndocs.profile.codes import PRACTICE_CODE
from pcndocs.render.document import Document, plain_text

CHANGE = "change"

#: Blocks whose content is inline text, compared word by word.
TEXT_BLOCKS = ("paragraph", "heading", "th", "td")
#: Blocks whose children are blocks, compared block by block.
CONTAINERS = (
    "bullet_list",
    "ordered_list",
    "list_item",
    "thead",
    "tbody",
    "blockquote",
    "container_signature",
)
#: How alike two blocks must be (0 to 1, by their words) to be compared instead of replaced.
ALIKE = 0.5
#: Words a text needs for "most of it is in the other" to make two blocks alike.
CONTAINED_FROM = 6

_ODS = re.compile(rf"\b{PRACTICE_CODE.pattern}\b")


def diff_documents(old: Document | None, new: Document | None) -> Document | None:
    """Return one document marking what changed from old to new, or None if nothing did.

    A missing old document is all inserted; a missing new one is all deleted.
    """
    if old is new:  # one tree for both: a document whose text did not change
        return None
    old_blocks = old.tree.children if old is not None else []
    new_blocks = new.tree.children if new is not None else []
    if _same_blocks(old_blocks, new_blocks):
        return None
    root = SyntaxTreeNode()
    adopt(root, diff_blocks(old_blocks, new_blocks))
    shown = new if new is not None else old
    assert shown is not None  # both missing would be the same, handled above
    return Document(title=shown.title, tree=root)


def diff_blocks(
    olds: Sequence[SyntaxTreeNode], news: Sequence[SyntaxTreeNode]
) -> list[SyntaxTreeNode]:
    """Return the merged blocks of two sequences: matched by key, then paired by likeness."""
    matcher = SequenceMatcher(None, [_key(b) for b in olds], [_key(b) for b in news], False)
    merged: list[SyntaxTreeNode] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for old, new in zip(olds[i1:i2], news[j1:j2], strict=True):
                merged += merge_block(old, new)
        else:
            merged += _pair_up(olds[i1:i2], news[j1:j2])
    return merged


def merge_block(old: SyntaxTreeNode, new: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """Return the merged form of two matched blocks: one block, or a deletion and an insertion."""
    if _fingerprint(old) == _fingerprint(new):
        return [new]
    if not _comparable(old, new):
        return [mark(copied(old), DELETED), mark(new, INSERTED)]
    if new.type in TEXT_BLOCKS:
        _merge_text(old, new)
    elif new.type == "tr":
        for old_cell, new_cell in zip(old.children, new.children, strict=True):
            merge_block(old_cell, new_cell)
    elif new.type == "table":
        adopt(
            new,
            [b for o, n in zip(old.children, new.children, strict=True) for b in merge_block(o, n)],
        )
    else:
        adopt(new, diff_blocks(old.children, new.children))
    return [new]


def mark(node: SyntaxTreeNode, change: str) -> SyntaxTreeNode:
    """Mark a block and every block in it as inserted or deleted, its text wrapped to match."""
    if node.type == "inline":
        adopt(node, [wrap(change, node.children)] if node.children else [])
        return node
    if node.nester_tokens is not None or node.type in ("hr", "fence", "code_block"):
        node.meta[CHANGE] = change
    for child in node.children:
        mark(child, change)
    return node


def copied(node: SyntaxTreeNode) -> SyntaxTreeNode:
    """Return a copy of a block and all in it, its tokens' meta its own: safe to mark.

    The older version's trees are never marked themselves, so they can be kept and compared
    again (an agreed version's, say); only the blocks deleted from them are copied.
    """
    twin = object.__new__(type(node))
    twin.__dict__.update(node.__dict__)
    if node.token is not None:
        twin.token = node.token.copy(meta=dict(node.token.meta))
    if node.nester_tokens is not None:
        opening, closing = node.nester_tokens
        twin.nester_tokens = type(node.nester_tokens)(
            opening.copy(meta=dict(opening.meta)), closing
        )
    twin._parent = None  # adopt() below, and the caller's, set it
    adopt(twin, [copied(child) for child in node.children])
    return twin


# ---- matching -------------------------------------------------------------------------


def _key(node: SyntaxTreeNode) -> tuple[str, ...]:
    """Return what identifies a block to a reader: equal keys mean the same block."""
    kind = node.type
    if kind == "heading":
        return (kind, node.tag, _text(node))
    if kind == "list_item":
        title = _clause_title(node)
        return ("clause", title) if title else (kind, _text(node))
    if kind == "tr":
        cells = [_text(cell) for cell in node.children]
        code = next((m.group() for c in cells if (m := _ODS.fullmatch(c.strip()))), None)
        return ("row", code) if code else ("row", cells[0] if cells else "")
    if kind == "container_signature":
        found = _ODS.search(_text(node))
        return (kind, found.group()) if found else (kind, _text(node))
    if kind in ("table", "thead", "tbody", "bullet_list", "ordered_list"):
        return (kind,)
    return (kind, _text(node))


def _clause_title(item: SyntaxTreeNode) -> str | None:
    """Return a clause's bold title ("Voting") if its first paragraph is just that."""
    first = item.children[0] if item.children else None
    if first is None or first.type != "paragraph" or not first.children:
        return None
    inline = [n for n in first.children[0].children if n.type != "text" or n.content.strip()]
    if len(inline) == 1 and inline[0].type == "strong":
        return plain_text(inline[0]).strip()
    return None


def _pair_up(
    olds: Sequence[SyntaxTreeNode], news: Sequence[SyntaxTreeNode]
) -> list[SyntaxTreeNode]:
    """Return blocks that did not match by key: the most alike pairs merged, the rest marked.

    The pairs keep both sequences' order (a longest common subsequence weighted by
    likeness); deletions come before the insertions at each gap.
    """
    n, m = len(olds), len(news)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            alike = _likeness(olds[i], news[j])
            if alike >= ALIKE:
                best = max(best, alike + score[i + 1][j + 1])
            score[i][j] = best
    merged: list[SyntaxTreeNode] = []
    deleted: list[SyntaxTreeNode] = []
    inserted: list[SyntaxTreeNode] = []

    def flush() -> None:
        merged.extend(mark(copied(b), DELETED) for b in deleted)
        merged.extend(mark(b, INSERTED) for b in inserted)
        deleted.clear()
        inserted.clear()

    i = j = 0
    while i < n and j < m:
        alike = _likeness(olds[i], news[j])
        if alike >= ALIKE and score[i][j] == alike + score[i + 1][j + 1]:
            flush()
            merged += merge_block(olds[i], news[j])
            i, j = i + 1, j + 1
        elif score[i + 1][j] >= score[i][j + 1]:
            deleted.append(olds[i])
            i += 1
        else:
            inserted.append(news[j])
            j += 1
    deleted += olds[i:]
    inserted += news[j:]
    flush()
    return merged


def _likeness(old: SyntaxTreeNode, new: SyntaxTreeNode) -> float:
    """Return how alike two blocks are, 0 to 1, by their words; 0 if they cannot be merged."""
    if not _comparable(old, new):
        return 0.0
    return _word_ratio(_text(old), _text(new))


@cache
def _word_ratio(old: str, new: str) -> float:
    """Return how alike two texts are by their words, 0 to 1.

    A paragraph that gained or lost a sentence still counts as the same paragraph: the
    share of the shorter text found in the longer one counts as well, from 6 words up.
    """
    a, b = words(old), words(new)
    matcher = SequenceMatcher(None, a, b, False)
    shorter = min(len(a), len(b))
    if shorter < CONTAINED_FROM:
        return matcher.ratio()
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return max(matcher.ratio(), 0.8 * kept / shorter)


def _comparable(old: SyntaxTreeNode, new: SyntaxTreeNode) -> bool:
    """Return whether two blocks can be merged: same kind and, for tables, the same columns."""
    if old.type != new.type or old.tag != new.tag:
        return False
    if new.type == "tr":
        return len(old.children) == len(new.children)
    if new.type == "table":
        return _columns(old) == _columns(new) and [c.type for c in old.children] == [
            c.type for c in new.children
        ]
    if new.type == "list_item":
        return bool(old.meta.get("checkbox")) == bool(new.meta.get("checkbox"))
    return True


def _columns(table: SyntaxTreeNode) -> list[str]:
    """Return a table's column headings."""
    head = [s for s in table.children if s.type == "thead"]
    rows = head[0].children if head else []
    return [_text(cell) for cell in rows[0].children] if rows else []


def _same_blocks(olds: Sequence[SyntaxTreeNode], news: Sequence[SyntaxTreeNode]) -> bool:
    return [_fingerprint(b) for b in olds] == [_fingerprint(b) for b in news]


def _fingerprint(node: SyntaxTreeNode) -> tuple[object, ...]:
    """Return everything a writer renders of a node, for comparing nodes of two trees."""
    token = node.token or (node.nester_tokens.opening if node.nester_tokens else None)
    own: tuple[object, ...] = ()
    if token is not None:
        attrs = tuple(sorted((k, str(v)) for k, v in token.attrs.items()))
        meta = bool(token.meta.get("checkbox"))
        content = token.content if node.token is not None and not token.children else ""
        own = (token.tag, attrs, meta, content, token.hidden)
    return (node.type, own, tuple(_fingerprint(child) for child in node.children))


def _text(node: SyntaxTreeNode) -> str:
    """Return a block's words, one space apart; a row's cells are apart too."""
    if node.type in ("tr", "thead", "tbody", "table"):
        return " ".join(_text(child) for child in node.children)
    return " ".join(plain_text(node).split())


# ---- building -------------------------------------------------------------------------


def _merge_text(old: SyntaxTreeNode, new: SyntaxTreeNode) -> None:
    """Put the word-by-word difference of two text blocks into the new block's inline node."""
    old_inline = old.children[0] if old.children else None
    new_inline = new.children[0] if new.children else None
    if new_inline is None:
        return
    adopt(
        new_inline,
        diff_inline(old_inline.children if old_inline else [], new_inline.children),
    )
