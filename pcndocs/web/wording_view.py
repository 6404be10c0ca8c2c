"""What the wording editor shows: a document's clauses, and its preview with a draft wording.

The preview and the clauses' texts for the chosen network are rendered on the build workers
(web/service.BuildPool.call), as every preview is, with the draft of the house wording file
the editor holds: the file's text with the clause being edited put in, not yet saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
from markupsafe import Markup, escape

from pcndocs.output.build import (
    BuildOptions,
    BuildResult,
    document_names,
    network_name,
    render_documents,
    templates_for,
)
from pcndocs.profile.load import LoadedProfile
from pcndocs.render.context import network_context
from pcndocs.render.wording import FIELD_NAMES, ClauseView, clause_views, wording_for
from pcndocs.rules.facts import load_facts


@dataclass(frozen=True)
class House:
    """The house wording file in use, and the text to render with (the saved or a draft)."""

    path: Path
    text: str  # '' when there is no file yet, or its text does not load


@dataclass(frozen=True)
class Shown:
    """A document of a network with the house wording: its HTML, title, and its clauses."""

    html: str  # '' when the network has no such document (a lead's, with no leads)
    title: str
    clauses: list[ClauseView]


def shown_document(
    loaded: LoadedProfile, document: str, house: House, templates: Path | None, today: date
) -> Shown:
    """Return one document of a profile as HTML and its clauses, with a house wording. Runs
    on a worker; a lead's document is shown for the network's first lead."""
    facts = load_facts()
    options = BuildOptions(
        out=Path(),
        formats=("html",),
        documents=(document,),
        templates=templates,
        blank=bool(loaded.gaps),
        today=today,
        wording=house.path,
        wording_text=house.text,
    )
    shared = network_context(loaded.profile, facts, options.blank)
    names = document_names(loaded, options, facts)
    html, title = "", ""
    if names:
        name, title = names[0]
        result = BuildResult(network_name(loaded), Path())
        for _name, _fmt, data in render_documents(loaded, options, facts, result, {name}, shared):
            html = data.decode("utf-8")
    chosen = templates_for(templates)
    wording = wording_for(house.path, chosen, house.text) if house.text.strip() else None
    return Shown(html, title, clause_views(document, shared, facts, wording, chosen))


_MARKER = re.compile(r"^(?:#{1,6} |\d+\. (?:\[ \] )?|[-*+] (?:\[ \] )?)")
_EXPRESSION = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}")


def editable_text(view: ClauseView) -> tuple[str, bool]:
    """Return the text the editor starts from for a clause, and whether it is the network's.

    The house text if it has one; else the built-in text with each value the fields can
    name written as its {field}; where the built-in text has more template code than that
    (a choice between cases, a worked figure), the clause as it reads for the network.
    """
    if view.house is not None and view.house.text is not None:
        return view.house.text.strip("\n"), False
    source = view.source
    if "\n  or:\n" not in source:
        text = _MARKER.sub("", source.strip(), count=1)
        text = _EXPRESSION.sub(
            lambda m: "{" + m.group(1) + "}" if m.group(1) in FIELD_NAMES else m.group(), text
        )
        if "{{" not in text and "{%" not in text:
            return text, False
    return view.rendered, True


# --- the list of clauses, in groups -----------------------------------------------------------

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


@dataclass(frozen=True)
class Listed:
    """A clause as the list shows it: its place in the whole list, and the clause."""

    number: int  # from 1, in the document's order: its link's id is clause-NUMBER
    view: ClauseView


@dataclass
class ClauseGroup:
    """The clauses under one heading of a document, or one workstream's items of a list."""

    id: str  # the id of its heading in the page, to jump to
    title: str
    rows: list[Listed | ClauseGroup]  # its clauses and parts (a workstream's items), in order

    @property
    def clauses(self) -> list[Listed]:
        """Return every clause of the group, its parts' too, in the document's order."""
        return [
            c for row in self.rows for c in (row.clauses if isinstance(row, ClauseGroup) else [row])
        ]

    @property
    def count(self) -> int:
        return len(self.clauses)

    @property
    def housed(self) -> int:
        """Return how many of its clauses the house wording changes."""
        return sum(1 for c in self.clauses if c.view.house is not None)

    @property
    def has_parts(self) -> bool:
        return any(isinstance(row, ClauseGroup) for row in self.rows)

    def holds(self, clause: str) -> bool:
        """Return whether a clause is in the group or one of its parts."""
        return any(c.view.id == clause for c in self.clauses)

    def runs(self) -> list[list[Listed] | ClauseGroup]:
        """Return its rows as the page lists them: clauses one after another in one list,
        and each part on its own."""
        found: list[list[Listed] | ClauseGroup] = []
        for row in self.rows:
            if isinstance(row, ClauseGroup):
                found.append(row)
            elif found and isinstance(found[-1], list):
                found[-1].append(row)
            else:
                found.append([row])
        return found


def grouped(views: list[ClauseView], part_title: Callable[[str], str]) -> list[ClauseGroup]:
    """Return a document's clauses under its headings, each heading's clauses in order.

    Within a heading, the items of a list printed once per data item whose ids carry one
    more word than the item (lead-checklist.own.item.vaccination.set-safe-storage) go in a
    part of their own for that word (the workstream), titled by `part_title`; a heading
    with more than LONG_GROUP clauses has them in parts by the next word of their ids.
    """
    groups: list[ClauseGroup] = []
    lists: list[str] = []  # the lists printed once per item under the current heading
    for number, view in enumerate(views, 1):
        if view.kind == "heading" or not groups:
            groups.append(ClauseGroup(f"group-{len(groups) + 1}", "", []))
            lists = []
        group = groups[-1]
        listed = Listed(number, view)
        if view.per_item:
            lists.append(view.id)
        owner = next((i for i in lists if view.id.startswith(i + ".")), None)
        rest = view.id[len(owner) + 1 :].split(".") if owner else []
        if len(rest) < 2:
            group.rows.append(listed)
            continue
        _part_of(group, rest[0], part_title).rows.append(listed)
    for group in groups:
        group.title = _group_title(group)
        if group.count > LONG_GROUP and not group.has_parts:
            _split(group)
    return groups


LONG_GROUP = 20  # clauses under one heading past which they are listed by their ids' next word


def _part_of(group: ClauseGroup, word: str, title: Callable[[str], str]) -> ClauseGroup:
    """Return the group's part for a word of the ids, made (at the end) if it has none yet."""
    ident = f"{group.id}-{word}"
    for row in group.rows:
        if isinstance(row, ClauseGroup) and row.id == ident:
            return row
    part = ClauseGroup(ident, title(word), [])
    group.rows.append(part)
    return part


def _split(group: ClauseGroup) -> None:
    """Put a long group's clauses in parts by the word of their ids after the heading's
    (schedule-1.appointment.removal.vote: "Removal"), each part where its first clause was;
    a word of one clause stays a clause of the group."""
    clauses = group.clauses
    heading = clauses[0].view.id + "."
    words: dict[str, int] = {}
    for listed in clauses[1:]:
        if listed.view.id.startswith(heading):
            word = listed.view.id[len(heading) :].split(".")[0]
            words[word] = words.get(word, 0) + 1
    group.rows = []
    for listed in clauses:
        ident = listed.view.id
        word = ident[len(heading) :].split(".")[0] if ident.startswith(heading) else ""
        if words.get(word, 0) > 1:
            _part_of(group, word, humanised).rows.append(listed)
        else:
            group.rows.append(listed)


def humanised(word: str) -> str:
    """Return a word of a clause id as a title: interim-cover becomes "Interim cover"."""
    said = word.replace("-", " ").replace("_", " ")
    return said[:1].upper() + said[1:]


def _group_title(group: ClauseGroup) -> str:
    """Return a group's title: its heading as the template writes it, or as it reads for the
    network where the template's words choose it (a lead's title), or "At the top"."""
    first = group.clauses[0].view if group.clauses else None
    if first is None or first.kind != "heading":
        return "At the top"
    if "{" not in first.section:
        return first.section
    if first.rendered and not group.has_parts:  # one network's words would not name every part
        return first.rendered
    cleaned = " ".join(_JINJA.sub("…", first.section).split())
    if cleaned.startswith("…: "):  # "{{ w.title }}: this workstream's own items"
        cleaned = cleaned[3:]
    return cleaned[:1].upper() + cleaned[1:]


# --- one clause as it prints ------------------------------------------------------------------

# The tags a clause's words need to read as printed: a placeholder is a <mark>.
_LOOK_TAGS = frozenset({"strong", "em", "b", "i", "mark", "code", "sup", "sub", "br", "ins", "del"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def clause_look(html: str, clause: str) -> Markup:
    """Return how a clause prints in a document's HTML, as HTML safe to put in the page.

    Only its words and the tags they need are kept (no attribute, no link, no style): a
    heading as a bold line, a numbered item with its number as the document prints it
    (4.2.1), a paragraph as a paragraph. Empty where the document does not print it.
    """
    if not html or f'data-clause="{clause}"' not in html:
        return Markup("")
    found = lxml.html.document_fromstring(html).xpath("//*[@data-clause=$c]", c=clause)
    if not found:
        return Markup("")
    element = found[0]
    words = _words(element)
    if element.tag in _HEADINGS:
        return Markup(f'<p class="look-heading"><strong>{words}</strong></p>')
    if element.tag == "li":
        number = _number(element)
        box = "checkbox" in (element.get("class") or "").split()  # a checklist's tick box
        mark = f'<span class="look-number">{number}</span> ' if number else "☐ " if box else "• "
        return Markup(f'<p class="look-item">{mark}{words}</p>')
    return Markup(f"<p>{words}</p>")


def _words(element: Any) -> str:
    """Return an element's words as HTML: kept tags around them, every other tag dropped, its
    own sub-list (a clause's items are clauses of their own) left out."""
    parts = [str(escape(element.text or ""))]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in ("ol", "ul"):
            inner = _words(child)
            kept = child.tag in _LOOK_TAGS
            parts.append(f"<{child.tag}>{inner}</{child.tag}>" if kept else inner)
        parts.append(str(escape(child.tail or "")))
    return " ".join("".join(parts).split())


def _number(item: Any) -> str:
    """Return a list item's number as the document's counters print it ("6.7.3"), or ""
    in a list that is not numbered."""
    numbers: list[str] = []
    current = item
    while current is not None and current.tag == "li":
        parent = current.getparent()
        if parent is None or parent.tag != "ol":
            return ".".join(numbers) if numbers else ""
        siblings = [c for c in parent if c.tag == "li"]
        start = int(parent.get("start", "1")) if parent.get("start", "1").isdigit() else 1
        numbers.insert(0, str(start + siblings.index(current)))
        current = parent.getparent()
    return ".".join(numbers)
