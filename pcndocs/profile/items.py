"""How messages name an item of a profile's lists: by number from 1, as people count, and name.

A key says `practices[1]`, counted from 0 as the file's lists are; a reader says
"practice 2 (Millbrook Medical Centre)". Every message about a practice, clinical director
or lead keeps the key and adds these words, made here only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # yamlfile names items in its own problems
    from pcndocs.profile.yamlfile import KeyPath

#: The lists whose items messages name, with the word for one item.
LISTS = {"practices": "practice", "clinical_directors": "clinical director", "leads": "lead"}

# A name longer than this is cut in a message, which must stay one readable line.
_LONGEST_NAME = 60


def item_name(list_key: str, index: int, name: object = None) -> str:
    """Return how people name an item: 'practice 2 (Millbrook Medical Centre)', or 'practice 2'.

    index counts from 0, as the file's list does; name is left out unless it is some text.
    """
    words = f"{LISTS[list_key]} {index + 1}"
    if not isinstance(name, str) or not name.strip():
        return words
    name = " ".join(name.split())
    if len(name) > _LONGEST_NAME:
        name = name[: _LONGEST_NAME - 1].rstrip() + "…"
    return f"{words} ({name})"


def item_heading(list_key: str, index: int, name: object = None) -> str:
    """Return item_name for the start of a line or question: 'Practice 2 (Millbrook Medical
    Centre)'."""
    words = item_name(list_key, index, name)
    return words[:1].upper() + words[1:]


def item_at(data: Any, key_path: KeyPath) -> str:
    """Return the words naming the list item a key is in, or '' for a key in no item.

    data is the profile as read from the file (it may not be valid yet): the name is taken
    from it where it is text.
    """
    if len(key_path) < 2 or key_path[0] not in LISTS or not isinstance(key_path[1], int):
        return ""
    list_key, index = str(key_path[0]), key_path[1]
    items = data.get(list_key) if isinstance(data, dict) else None
    item = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    return item_name(list_key, index, item.get("name") if isinstance(item, dict) else None)
