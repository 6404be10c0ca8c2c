"""What changed since the last build: the form's profile compared with the one last built.

The form as it stands is the newer version: it is what the user sees and what the
downloads beside it would give, whether or not it has been saved. The older version is
the profile `pcndocs build` kept beside the documents it last wrote into the output folder
the server was started with (`--out`). Nothing is written there: the redlines are kept in
memory for a few minutes, like the previews, for their links to fetch.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from markupsafe import Markup, escape

from pcndocs.compare.run import (
    ChangedDocument,
    CompareOptions,
    Comparison,
    TreeCache,
    built_from,
    load_older,
)
from pcndocs.compare.run import compare_loaded as compare_versions
from pcndocs.files import slug
from pcndocs.output.build import network_name
from pcndocs.output.workers import Task
from pcndocs.profile.load import LoadedProfile
from pcndocs.render.wording import wording_digest
from pcndocs.render.writers.registry import WRITERS
from pcndocs.rules.facts import Facts
from pcndocs.web.service import PROFILE_NAME, documents_of

COMPARISONS_KEPT = 8
#: What the redlines call the two versions when their version numbers are the same.
LABELS = ("the documents last built", "this draft")


@dataclass(frozen=True)
class Changed:
    """A changed document as the page shows it: title, changed passages, how many more."""

    document: ChangedDocument
    title: str
    passages: list[Passage]
    more: int  # passages not listed: the whole redline shows them

    @property
    def sections(self) -> list[tuple[str, list[Passage]]]:
        """Return the passages under each heading in turn, each heading said once."""
        grouped: list[tuple[str, list[Passage]]] = []
        for passage in self.passages:
            if not grouped or grouped[-1][0] != passage.section:
                grouped.append((passage.section, []))
            grouped[-1][1].append(passage)
        return grouped


@dataclass(frozen=True)
class SinceLastBuild:
    """What the page shows: the comparison, where the last build is, and each title."""

    key: str  # the comparison's address among those kept
    network: str
    folder: Path  # the network's folder in the output folder
    comparison: Comparison
    changed: list[Changed]
    unchanged: list[str]  # the titles of the documents that did not change


def since_last_build(
    loaded: LoadedProfile,
    facts: Facts,
    out: Path,
    templates: Path | None,
    today: date,
    wording: Path | None = None,
) -> SinceLastBuild:
    """Compare a profile from the form with the one last built into out; write nothing.

    Raises NoBuildError if the network was never built there, and the ordinary
    PcndocsError (with check's words) if the kept profile no longer loads.
    """
    kept = built_from(out, loaded, PROFILE_NAME)
    old = load_older(kept, facts)  # perhaps a draft, built with --blank
    return compared(
        old, loaded, facts, out, templates, today, LABELS, kept.read_bytes(), wording=wording
    )


def compared(
    old: LoadedProfile,
    new: LoadedProfile,
    facts: Facts,
    out: Path,
    templates: Path | None,
    today: date,
    labels: tuple[str, str],
    old_bytes: bytes,
    cache: TreeCache | None = None,
    wording: Path | None = None,
) -> SinceLastBuild:
    """Compare two loaded versions of a profile in memory, for the page to show.

    `old_bytes` are the older version's file, which with the newer's data make the key the
    redlines are fetched by; `cache` keeps the older version's document trees.
    """
    options = CompareOptions(out=out, templates=templates, wording=wording, today=today)
    comparison = compare_versions(old, new, facts, options, labels, cache)
    titles = dict(documents_of(old, facts)) | dict(documents_of(new, facts))
    key = hashlib.sha256(
        repr(
            (old_bytes, new.source.data, templates, today, labels, wording_digest(wording))
        ).encode()
    ).hexdigest()[:32]
    return SinceLastBuild(
        key,
        network_name(new),
        out / slug(network_name(new)),
        comparison,
        [
            Changed(c, titles.get(c.name, c.title), *changed_passages(html_of(comparison, c)))
            for c in comparison.changed
        ],
        [titles.get(name, name) for name in comparison.unchanged],
    )


def html_of(comparison: Comparison, changed: ChangedDocument) -> str:
    """Return the redline of a changed document as its HTML page."""
    return comparison.render(changed, "html").files[changed.file_name("html")].decode("utf-8")


class Comparisons:
    """The last few comparisons, kept for the links to their redlines."""

    def __init__(self) -> None:
        self._kept: LRUCache[str, Comparison] = LRUCache(COMPARISONS_KEPT)
        self._lock = threading.Lock()  # remembered from several threads

    def remember(self, found: SinceLastBuild) -> None:
        """Keep a comparison under its key, forgetting the least recently used beyond a few."""
        with self._lock:
            self._kept[found.key] = found.comparison

    def redline(self, key: str, file: str) -> tuple[str, Task] | None:
        """Return the format of a kept redline named NAME-changes.FORMAT and its render, or None.

        The render is a task for the server's workers (pcndocs.output.workers), like every other.
        """
        with self._lock:
            comparison = self._kept.get(key)
        if comparison is None:
            return None
        for changed in comparison.changed:
            for fmt in WRITERS:
                if changed.file_name(fmt) == file:
                    return fmt, comparison.task(changed, fmt)
        return None


# --- the changed passages, shown in the page itself ------------------------------------------

#: Passages listed per document; the rest are in the whole document, a click away.
PASSAGES_SHOWN = 12
_BLOCKS = frozenset({"p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_KEPT_TAGS = frozenset({"ins", "del", "strong", "em"})  # all a passage needs to be read


@dataclass(frozen=True)
class Passage:
    """One changed paragraph, list item or table row, under the heading it sits below."""

    section: str  # the heading's words as the new version has them ("" before any heading)
    html: Markup  # its words, with only <ins>, <del>, <strong> and <em> kept


def changed_passages(page: str) -> tuple[list[Passage], int]:
    """Return the first changed passages of a redline page, and how many more there are.

    Each is the smallest block holding a change, so a changed clause shows as that
    clause, not as its whole list; a table row shows its cells in order.
    """
    import lxml.html

    main = lxml.html.fromstring(page).find(".//main")
    if main is None:
        return [], 0
    for key in main.findall(".//aside"):  # the key to the marks is not a change
        key.drop_tree()
    section = ""
    found: list[Passage] = []
    more = 0
    for element in main.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS:
            section = _words(element, without="del")
        if any(table.get("data-change") for table in element.iterancestors("table")):
            continue  # said once, for its whole table
        if element.tag == "table" and element.get("data-change"):
            html = _table_html(element)
        elif element.tag in _BLOCKS and _marked(element) and not _holds_marked_block(element):
            html = _row_html(element) if element.tag == "tr" else _passage_html(element)
        else:
            continue

        if len(found) < PASSAGES_SHOWN:
            found.append(Passage(section, Markup(html.strip())))
        else:
            more += 1
    return found, more


def _marked(element: Any) -> bool:
    return element.get("data-change") is not None or next(
        (True for _ in element.iter("ins", "del")), False
    )


def _holds_marked_block(element: Any) -> bool:
    """Return whether a smaller block inside an element holds a change (and is shown)."""
    return any(child.tag in _BLOCKS and _marked(child) for child in element.iterdescendants())


def _words(element: Any, without: str) -> str:
    """Return an element's text as read, leaving out what is inside `without` tags."""
    parts = [element.text or ""] if element.tag != without else []
    for child in element:
        if isinstance(child.tag, str) and child.tag != without:
            parts.append(_words(child, without))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _passage_html(element: Any) -> str:
    """Return an element's words as HTML, keeping only the tags a reader of a change needs."""
    parts: list[str] = [str(escape(element.text or ""))]
    cells = 0
    for child in element:
        if isinstance(child.tag, str):
            if child.tag in ("td", "th"):
                parts.append(" · " if cells else "")
                cells += 1
            inner = _passage_html(child)
            kept = child.tag in _KEPT_TAGS
            parts.append(f"<{child.tag}>{inner}</{child.tag}>" if kept else inner)
        parts.append(str(escape(child.tail or "")))
    return " ".join("".join(parts).split()) if element.tag in _BLOCKS else "".join(parts)


def _row_html(row: Any) -> str:
    """Return a changed table row with each cell named by its column, so figures make sense.

    A two-column table is a list of items and their details: "Term: 4 years". A wider one
    names each cell by its heading: "Sessions a week: 1.50". A heading row is its cells.
    """
    cells = [cell for cell in row if cell.tag in ("td", "th")]
    table = next(row.iterancestors("table"), None)
    first = table.find(".//tr") if table is not None else None
    if first is None or first is row or any(cell.tag == "th" for cell in cells):
        return _passage_html(row)
    headings = [_words(cell, without="del") for cell in first if cell.tag in ("td", "th")]
    shown = [" ".join(_passage_html(cell).split()) for cell in cells]
    if len(cells) == 2:
        return f"{shown[0]}: {shown[1]}"
    if len(headings) != len(cells):
        return _passage_html(row)
    return " · ".join(
        f"{escape(heading)}: {cell}" if heading else cell
        for heading, cell in zip(headings, shown, strict=True)
    )


def _table_html(table: Any) -> str:
    """Return a whole table added or removed as one passage: its heading row and its size."""
    rows = table.findall(".//tr")
    if not rows:
        return ""
    done = "added" if table.get("data-change") == "ins" else "removed"
    count = len(rows) - 1
    return (
        f"Table {done} ({count} row{'s' if count != 1 else ''}), with the columns: "
        f"{_passage_html(rows[0])}"
    )
