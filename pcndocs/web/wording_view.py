"""What the wording editor shows: a document's clauses, and its preview with a draft wording.

The preview and the clauses' texts for the chosen network are rendered on the build workers
(web/service.BuildPool.call), as every preview is, with the draft of the house wording file
the editor holds: the file's text with the clause being edited put in, not yet saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
