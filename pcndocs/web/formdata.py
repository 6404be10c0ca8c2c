"""Turns the form's fields into profile data and back, walking the fields of the model.

Each field is named by its key path as messages give it (`practices[2].list_size`), so a
message finds its field by its key. The form has no reader of its own: what is typed becomes
what a file holds where it is typed (see `typed`), and the profile model reads that by its own
rules, so "12,450" is 12450, "3,50" is refused in the model's words, and every message is the
one a file gets. Empty fields are left out of the profile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import yaml

from pcndocs.errors import PcndocsError, ProfileError
from pcndocs.profile.model import MAX_ITEMS
from pcndocs.profile.yamlfile import KeyPath, dotted, parse_yaml
from pcndocs.web.fields import Group, Input, Node, Repeat, profile_form

# The workstream drop-down's value for "a local workstream" (not a possible id).
LOCAL_WORKSTREAM = ":local"
# The payee drop-down's value for "another provider" (not a possible code), and the ending of
# the name of the field its ODS code is typed in.
OTHER_PROVIDER = ":other"
PROVIDER_CODE = ":code"
# The name's beginning of the hidden field that records what the profile held at a field as it
# was opened, where its text alone would not say (`_opened.appointment.term_years`): nothing
# ("null"), where the field shows its model's default, or an empty list ("[]", `line_manages:
# []`), where it shows an empty box. A field sent back with the text it was shown with keeps
# what the profile held: a default stays unset (a blank build still marks it [proposed: ...] and
# `check` still lists it to confirm, where the form would otherwise write every default into the
# profile as if agreed), and an empty list stays [] (where an empty box would leave the key out).
AS_OPENED = "_opened."
# The name's beginning of the checkbox beside a proposal's default ("Agree ... as shown"):
# ticked, the value shown is written into the data, agreed, though the text is unchanged.
AGREED = "_agree."
# What YAML reads as a number or a date in a file, written plainly: 2.5, -5, .5, 2026-04-01
# (not YAML's other forms, such as 1_000, 0x1F or 1:30, which nobody types in a form).
_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def field_id(key: str) -> str:
    """Return an HTML id for a key path: practices[2].list_size becomes f-practices-2-list_size."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", key).strip("-")


def typed(text: str, kind: str) -> Any:
    """Return what a profile file holds where the text typed in a number or date field is
    written in it, unquoted: the profile model then reads it as it reads that file.

    YAML gives -5 and 2.5 as numbers and 2026-04-01 as a date; everything else ("12,450",
    "£350", "01/04/2026", "3,50") stays text, which the model reads by its own rules (those of
    `pcndocs new` too) or refuses in its own words. The form reads nothing its own way.
    """
    text = text.strip()
    pattern = _PLAIN_NUMBER if kind in ("int", "float") else _ISO_DATE
    if not pattern.fullmatch(text):
        return text
    # Read by the profile's own YAML reader, which takes 010 as the text written (the model
    # reads it as 10), where YAML 1.1 alone reads it as the octal 8.
    try:
        value = parse_yaml(f"value: {text}\n", "form").data["value"]
    except (ProfileError, KeyError, TypeError):  # a date that does not exist stays text
        return text
    return value if isinstance(value, int | float | date) else text


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
    """Return the profile data the form's fields describe, keys it does not know included."""
    data = _group_data(profile_form(), (), form) or {}
    for path, value in kept_unknown(form):
        _put(data, path, value)
    return data


# --- keys the form does not know --------------------------------------------------------------
# A profile opened in the browser may hold a key pcndocs does not know (`practises:`). It has no
# field, so it travels in a hidden field of its own (the key path and its value, as YAML) and
# goes back into the data at its place, until the user removes it: nothing is dropped silently.
UNKNOWN = "_unknown"


def unknown_keys(data: Any) -> list[tuple[KeyPath, Any]]:
    """Return (key path, value) of each key in the data that the form has no field for."""
    return list(_unknown_in(profile_form(), (), data))


def _unknown_in(group: Group, path: KeyPath, data: Any) -> Iterable[tuple[KeyPath, Any]]:
    if not isinstance(data, dict):
        return
    nodes = {node.name: node for node in group.fields}
    for key, value in data.items():
        node = nodes.get(str(key))
        here = (*path, str(key))
        if node is None:
            yield here, value
        elif isinstance(node, Group):
            yield from _unknown_in(node, here, value)
        elif isinstance(node, Repeat) and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _unknown_in(node.item, (*here, index), item)
        elif isinstance(node, Input) and node.custom is not None:
            yield from _unknown_in(node.custom, here, value)


def unknown_fields(data: Any) -> list[tuple[str, str, str]]:
    """Return (field name, key path, value as YAML) of each unknown key, for hidden fields."""
    return [
        (f"{UNKNOWN}.{i}", dotted(path), yaml.safe_dump({"key": list(path), "value": value}))
        for i, (path, value) in enumerate(unknown_keys(data))
    ]


def kept_unknown(form: Mapping[str, str]) -> Iterable[tuple[KeyPath, Any]]:
    """Yield (key path, value) of each unknown key the form carries (bad ones are ignored)."""
    for name, text in form.items():
        if not name.startswith(UNKNOWN + "."):
            continue
        try:
            found = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        key = found.get("key") if isinstance(found, dict) else None
        if isinstance(key, list) and key and all(isinstance(p, str | int) for p in key):
            yield tuple(key), found.get("value")


def _put(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    """Put a value at a key path, inside the items that are still there (a removed item's
    unknown keys go with it); the form's own value wins over a kept one."""
    current: Any = data
    for part in path[:-1]:
        if isinstance(part, int):
            if not (isinstance(current, list) and 0 <= part < len(current)):
                return
            current = current[part]
        elif isinstance(current, dict):
            current = current.setdefault(part, {})
        else:
            return
    if isinstance(current, dict) and path[-1] not in current:
        current[path[-1]] = value


def _group_data(group: Group, path: KeyPath, form: Mapping[str, str]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for node in group.fields:
        shown_with = node.shown_with if isinstance(node, Input) else None
        if shown_with is not None and form.get(dotted((*path, shown_with))) != OTHER_PROVIDER:
            continue  # a member practice is chosen: the provider's part is not shown
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


def as_opened(held: Any, node: Input) -> str | None:
    """Return the record (AS_OPENED) of what the profile holds at a field where its text alone
    would not say: "null" where it shows the model's default, "[]" for an empty list."""
    if held is None and node.default is not None:
        return "null"
    if held == [] and node.kind == "lines":
        return "[]"
    return None


def _opened_value(node: Input, path: KeyPath, form: Mapping[str, str]) -> tuple[bool, Any]:
    """Return (True, what the profile held) where the field is sent back with the text it was
    shown with and not agreed as shown; else (False, None)."""
    record = form.get(AS_OPENED + dotted(path))
    if record not in ("null", "[]") or AGREED + dotted(path) in form:
        return False, None
    if record == "[]" and node.kind != "lines":
        return False, None  # only a list field holds a list
    held: list[str] | None = None if record == "null" else []
    shown = show(node.default if held is None else held, node)
    return form.get(dotted(path), "") == shown, held


def _input_data(node: Input, path: KeyPath, form: Mapping[str, str]) -> Any:
    text = form.get(dotted(path), "")
    unchanged, held = _opened_value(node, path, form)
    if unchanged:
        return held  # as opened: a default still unset (not agreed), an empty list still []
    if node.kind == "workstream":
        if text == LOCAL_WORKSTREAM and node.custom is not None:
            return _group_data(node.custom, path, form) or {}
        return text.strip() or None
    if node.kind == "payee" and text == OTHER_PROVIDER:
        return form.get(dotted(path) + PROVIDER_CODE, "").strip() or None
    if node.kind == "lines":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines or None
    if not text.strip():
        return None
    if node.kind in ("int", "float", "date"):
        return typed(text, node.kind)
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
    for key, node in repeats(profile_form(), ()):
        pattern = re.compile(rf"^{re.escape(key)}\[(\d{{1,9}})\]")
        indexes = {m.group(1) for name in form if (m := pattern.match(name))}
        if len(indexes) > MAX_ITEMS:
            # Named as the page names the list (its label), as every message in the form is.
            raise FormLimitError(
                f"“{node.label}”: the form has {len(indexes):,}; a profile holds at most "
                f"{MAX_ITEMS}"
            )


# --- changing the structure ----------------------------------------------------------------


def apply_operation(data: dict[str, Any], operation: str) -> tuple[dict[str, Any], str | None]:
    """Return the data after 'add:KEY', 'remove:KEY[i]', 'up:KEY[i]', 'down:KEY[i]' or
    'forget:KEY' (a key the form does not know).

    Also returns the key of the field to focus afterwards (the new item, or the moved one).
    An operation that names no list is ignored.
    """
    verb, _, target = operation.partition(":")
    if verb == "forget":
        return _forget(data, target)
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


def _forget(data: dict[str, Any], key: str) -> tuple[dict[str, Any], str | None]:
    """Return the data without one of the keys the form does not know (the user removed it)."""
    for path, _value in unknown_keys(data):
        if dotted(path) == key:
            parent: Any = data
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
            return data, "unknown-keys"
    return data, None


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
