"""The author's comments of a profile opened in the single page (`/open`, the example), kept
in the YAML downloaded from it.

A workspace keeps its file on disk, and each save reads the comments from it
(networks.saved_text). The single page keeps nothing on the server: the comments of the file
opened travel in one hidden field of the form (COMMENTS, as JSON), its first lines and those
beside or above a key (profile.write.own_comments), and the download writes them again, each
beside its key by its key path. A comment is written through the profile writer's own
`comment`, so whatever the field holds becomes comment text and never a key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pcndocs.profile.write import own_comments

COMMENTS = "_comments"
# The first lines pcndocs itself writes at the top of a file it saves: not the author's.
_OURS = ("A network profile for pcndocs, saved", "Open it again in the browser", "Draft:")


def comments_of(text: str) -> str | None:
    """Return the author's comments in a profile's text as the form carries them, or None."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        words = line.removeprefix("#").strip()
        if words and not words.startswith(_OURS):
            header.append(words)
    notes = own_comments(text)
    if not header and not notes:
        return None
    return json.dumps({"header": header, "notes": notes}, ensure_ascii=False)


def comments_in(form: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return the first lines and the comments by key path that a form carries (none for a
    field that is not what comments_of wrote)."""
    try:
        found: Any = json.loads(form.get(COMMENTS) or "{}")
    except ValueError:
        return [], {}
    if not isinstance(found, dict):
        return [], {}
    header, notes = found.get("header"), found.get("notes")
    lines = [h for h in header if isinstance(h, str)] if isinstance(header, list) else []
    by_key = (
        {k: v for k, v in notes.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(notes, dict)
        else {}
    )
    return lines, by_key
