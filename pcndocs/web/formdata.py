"""Turns the form's fields into profile data and back, walking the fields of the model.

Each field is named by its key path as messages give it (`practices[2].list_size`), so a
message finds its field by its key. Values are turned into what YAML would give (numbers,
dates) where they read as such; anything else is kept as typed, so the check says what is
wrong with it in the same words as for a file. Empty fields are left out of the profile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pcndocs.errors import PcndocsError
from pcndocs.profile.model import MAX_ITEMS
from pcndocs.profile.yamlfile import KeyPath, dotted
from pcndocs.web.fields import Group, Input, Node, Repeat, profile_form

# The workstream drop-down's value for "a local workstream" (not a possible id).
LOCAL_WORKSTREAM = ":local"
_BRITISH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def field_id(key: str) -> str:
    """Return an HTML id for a key path: practices[2].list_size becomes f-practices-2-list_size."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", key).strip("-")


def read_date(text: str) -> date | str:
    """Return a date typed as 01/04/2026 (British) or 2026-04-01, or the text if it is neither."""
    for pattern, order in ((_BRITISH_DATE, (3, 2, 1)), (_ISO_DATE, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return text.strip()
    return text.strip()


def read_number(text: str, whole: bool) -> int | float | str:
    """Return a number typed with or without thousands commas or a pound sign, else the text."""
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        return text.strip()
    number = float(cleaned)
    if whole or (number.is_integer() and "." not in cleaned):
        return int(number) if number.is_integer() else number
    return number


def show(value: Any, node: Input) -> str:
    """Return a value as the form shows it: dates the British way, numbers as typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


# --- form to data -------------------------------------------------------------------------


def data_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """Return the profile data the form's fields describe."""
    data = _group_data(profile_form(), (), form)
    return data if isinstance(data, dict) else {}


def _group_data(group: Group, path: KeyPath, form: Mapping[str, str]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for node in group.fields:
        value = _node_data(node, (*path, node.name), form)
        if value is not None:
            out[node.name] = value
    return out


def _node_data(node: Node, path: KeyPath, form: Mapping[str, str]) -> Any:
    if isinstance(node, Group):
        value = _group_data(node, path, form)
        return value if value or (not node.optional and path_present(form, path)) else None
    if isinstance(node, Repeat):
        items = []
        for index in item_indexes(form, path):
            item = _group_data(node.item, (*path, index), form) or {}
            if node.text_or_keys:
                item = _without_defaults(node.item, item)
            if node.text_or_keys and set(item) == {node.item.fields[0].name}:
                items.append(next(iter(item.values())))  # a local duty with no time: its text
            elif item or f"{dotted((*path, index))}" in form:
                items.append(item)
        return items or None
    return _input_data(node, path, form)


def _without_defaults(group: Group, item: dict[str, Any]) -> dict[str, Any]:
    """Return an item without the keys that only repeat their default (shown in the form)."""
    defaults = {n.name: n.default for n in group.fields if isinstance(n, Input)}
    return {k: v for k, v in item.items() if defaults.get(k) is None or v != defaults[k]}


def _input_data(node: Input, path: KeyPath, form: Mapping[str, str]) -> Any:
    text = form.get(dotted(path), "")
    if node.kind == "workstream":
        if text == LOCAL_WORKSTREAM and node.custom is not None:
            return _group_data(node.custom, path, form) or {}
        return text.strip() or None
    if node.kind == "lines":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines or None
    if not text.strip():
        return None
    if node.kind in ("int", "float"):
        return read_number(text, node.kind == "int")
    if node.kind == "date":
        return read_date(text)
    if node.kind == "bool":
        return {"yes": True, "no": False}.get(text, text)
    return text


def path_present(form: Mapping[str, str], path: KeyPath) -> bool:
    """Return whether any field of the form lies at or under a key path."""
    prefix = dotted(path)
    return any(name == prefix or name.startswith((prefix + ".", prefix + "[")) for name in form)


def item_indexes(form: Mapping[str, str], path: KeyPath) -> list[int]:
    """Return the indexes of a repeatable group's items present in the form, in order."""
    prefix = re.escape(dotted(path))
    pattern = re.compile(rf"^{prefix}\[(\d+)\]")
    found = {int(m.group(1)) for name in form if (m := pattern.match(name))}
    return sorted(found)


# --- bounds ---------------------------------------------------------------------------------

# A form of the largest profile (MAX_ITEMS practices and leads, each with its fields) holds a
# few thousand fields; the parser stops at the first field past this.
MAX_FORM_FIELDS = 8_000


class FormLimitError(PcndocsError):
    """A form larger than any profile: too many fields, or too many items in a list."""


def too_many_fields() -> FormLimitError:
    """Return the error of a form whose parsing stopped at MAX_FORM_FIELDS."""
    return FormLimitError(
        f"the form has more than {MAX_FORM_FIELDS:,} fields; a profile of {MAX_ITEMS} "
        "practices and leads has fewer"
    )


def refuse_too_many_items(form: Mapping[str, str]) -> None:
    """Refuse a form with more items in a list (practices, leads...) than a profile may hold."""
    for key, _node in repeats(profile_form(), ()):
        pattern = re.compile(rf"^{re.escape(key)}\[(\d{{1,9}})\]")
        indexes = {m.group(1) for name in form if (m := pattern.match(name))}
        if len(indexes) > MAX_ITEMS:
            raise FormLimitError(
                f"{key}: the form has {len(indexes):,} items; a profile holds at most {MAX_ITEMS}"
            )


# --- changing the structure ----------------------------------------------------------------


def apply_operation(data: dict[str, Any], operation: str) -> tuple[dict[str, Any], str | None]:
    """Return the data after 'add:KEY', 'remove:KEY[i]', 'up:KEY[i]' or 'down:KEY[i]'.

    Also returns the key of the field to focus afterwards (the new item, or the moved one).
    An operation that names no list is ignored.
    """
    verb, _, target = operation.partition(":")
    match = re.fullmatch(r"(.+?)(?:\[(\d+)\])?", target)
    if not match:
        return data, None
    key, index_text = match.group(1), match.group(2)
    parent, name = _list_parent(data, key)
    if parent is None:
        return data, None
    items = parent.get(name)
    items = list(items) if isinstance(items, list) else []
    if verb == "add":
        items.append({})
        parent[name] = items
        return data, f"{key}[{len(items) - 1}]"
    if index_text is None:
        return data, None
    index = int(index_text)
    if not 0 <= index < len(items):
        return data, None
    if verb == "remove":
        del items[index]
        parent[name] = items
        return data, key if not items else f"{key}[{min(index, len(items) - 1)}]"
    step = -1 if verb == "up" else 1 if verb == "down" else 0
    other = index + step
    if step and 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        parent[name] = items
        return data, f"{key}[{other}]"
    return data, f"{key}[{index}]"


def _list_parent(data: dict[str, Any], key: str) -> tuple[dict[str, Any] | None, str]:
    """Return the mapping that holds a list key such as 'practices' or 'a.b', and its name."""
    parts = key.split(".")
    current: Any = data
    for part in parts[:-1]:
        current = current.setdefault(part, {}) if isinstance(current, dict) else None
    if not isinstance(current, dict) or not _is_list_key(key):
        return None, parts[-1]
    return current, parts[-1]


def _is_list_key(key: str) -> bool:
    """Return whether a key path names a repeatable group of the form."""
    return key in {name for name, _node in repeats(profile_form(), ())}


def repeats(group: Group, path: KeyPath) -> Iterable[tuple[str, Repeat]]:
    """Yield (key, node) of each repeatable group outside lists (items' own lists aside)."""
    for node in group.fields:
        if isinstance(node, Repeat):
            yield dotted((*path, node.name)), node
        elif isinstance(node, Group):
            yield from repeats(node, (*path, node.name))
