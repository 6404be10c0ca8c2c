"""Which documents can be built here: every kind in render.documents whose template exists."""

from __future__ import annotations

from pcndocs.render.documents import DOCUMENTS, DocumentKind
from pcndocs.resources import builtin_templates

#: The one document of a --smoke run: the shortest.
SMOKE_DOCUMENT = "leadership-summary"


def available(smoke: bool = False) -> tuple[list[DocumentKind], list[str]]:
    """Return the document kinds whose built-in template exists, and notes on those skipped.

    With smoke, only the shortest document (a --smoke run checks that a benchmark runs).
    """
    folder = builtin_templates()
    kinds: list[DocumentKind] = []
    skipped: list[str] = []
    for kind in DOCUMENTS:
        if smoke and kind.name != SMOKE_DOCUMENT:
            continue
        if (folder / kind.template).is_file():
            kinds.append(kind)
        else:
            skipped.append(f"skipped {kind.name}: its template {kind.template} is not in {folder}")
    return kinds, skipped
