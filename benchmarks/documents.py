"""Which documents can be built here: every kind in pcndocs.documents whose template exists."""

from __future__ import annotations

from pcndocs.documents import DOCUMENTS, DocumentKind
from pcndocs.resources import builtin_templates


def available() -> tuple[list[DocumentKind], list[str]]:
    """Return the document kinds whose built-in template exists, and notes on those skipped."""
    folder = builtin_templates()
    kinds: list[DocumentKind] = []
    skipped: list[str] = []
    for kind in DOCUMENTS:
        if (folder / kind.template).is_file():
            kinds.append(kind)
        else:
            skipped.append(f"skipped {kind.name}: its template {kind.template} is not in {folder}")
    return kinds, skipped
