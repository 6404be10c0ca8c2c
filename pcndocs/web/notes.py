"""What a single download's build said, for the page: its warnings and its placeholders.

A pack carries them as files (warnings.txt, still-to-agree.txt); one document or one redline
cannot, so its answer carries them in a header (NOTES_HEADER): a small HTML part, drawn from
templates/download_notes.html and percent-encoded, that the page shows beside the button
(static/form.js) and moves the focus to. No header: the build said nothing to add.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pcndocs.errors import Problem
from pcndocs.render.gaps import Gap, document_lines
from pcndocs.web.view import normalised, place

if TYPE_CHECKING:
    from pcndocs.web.state import Web

NOTES_HEADER = "X-Pcndocs-Notes"
MAX_LISTED = 25  # of each kind; a header stays well under what browsers take (the rest counted)


def notes_headers(
    web: Web,
    file: str,
    warnings: Sequence[Problem],
    gaps: Sequence[Gap] = (),
    data: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Return the header that tells the page what a download of FILE warned of, if anything.

    A warning about a value of the profile links to its field when the form (DATA) has one.
    """
    if not warnings and not gaps:
        return {}
    messages = place(list(dict.fromkeys(warnings)), "warning", normalised(data or {}))
    # As still-to-agree.txt says them: each thing once, with where it is; proposals apart.
    to_agree = [line.removeprefix("- ") for line in document_lines(gaps)]
    proposed = list(dict.fromkeys(g.text for g in gaps if g.kind == "proposed"))
    if not messages and not to_agree and not proposed:
        return {}
    html = web.part(
        "download_notes.html",
        file=file,
        warnings=messages[:MAX_LISTED],
        more_warnings=len(messages) - MAX_LISTED,
        to_agree=to_agree[:MAX_LISTED],
        more_to_agree=len(to_agree) - MAX_LISTED,
        proposed=proposed,
        linked=data is not None,
    )
    return {NOTES_HEADER: quote(" ".join(html.split()), safe="")}
