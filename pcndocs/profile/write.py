"""Writes a profile as YAML a person can read and edit: the one profile writer of pcndocs.

`pcndocs new`, `pcndocs import` and the web form all write through `profile_yaml`. Keys come
in the order of the profile model, a comment beside each says what it is for (the first
sentence of the model's `Field(description=...)`, the same words `pcndocs schema` and the web
form show), and a value still missing is written `null` and marked "to be filled in".
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import yaml
from pydantic import BaseModel

from pcndocs.profile.model import Profile

TO_FILL = "to be filled in"
COMMENT_COLUMN = 36  # comments start here where the key and value leave room

# Text written without quotes: it starts with a letter or digit and holds nothing YAML reads.
_PLAIN = re.compile(r"[^\W_][\w .,'()&/+@-]*")


def number_text(value: float) -> str:
    """Return a number as a person types it: 2, 2.5, 12450 (never 2.0 or 1e+04)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def scalar(value: str | float | date | None) -> str:
    """Return a value as YAML that reads back as the same value, plain where that is safe."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return number_text(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return _double_quoted(text)


def _double_quoted(text: str) -> str:
    """Return text as a YAML double-quoted scalar, escaping all that is not printable."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == " " or (char.isprintable() and char not in "\u2028\u2029\ufeff"):
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def comment(text: str) -> str:
    """Return a YAML comment; line breaks and control characters become spaces."""
    clean = "".join(c if c.isprintable() else " " for c in text)
    return "# " + " ".join(clean.split())


def commented(body: str, note: str | None) -> str:
    """Return a line with its comment (if any) lined up at COMMENT_COLUMN."""
    if not note:
        return body
    if len(body) < COMMENT_COLUMN:
        return f"{body:<{COMMENT_COLUMN}} {comment(note)}"
    return f"{body}  {comment(note)}"


def description(model: type[BaseModel], key: str) -> str:
    """Return the first sentence of a key's description, as a comment says it."""
    field = model.model_fields.get(key)
    text = (field.description or "") if field else ""
    first = re.split(r"(?<=[a-z0-9)])\. ", text, maxsplit=1)[0].removesuffix(".")
    # Lower case as a comment runs on, except a capital that starts an acronym (PCN, ODS).
    return first if first[1:2].isupper() else first[:1].lower() + first[1:]


def _submodel(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    """Return the model a key's mapping (or its list's items) follows, if any."""
    field = model.model_fields.get(key) if model else None
    todo: list[Any] = [field.annotation] if field else []
    while todo:
        annotation = todo.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        if typing.get_origin(annotation) is typing.Annotated:
            todo.append(typing.get_args(annotation)[0])
        elif typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
            todo.extend(typing.get_args(annotation))
    return None


def _ordered(model: type[BaseModel] | None, data: Mapping[str, Any]) -> list[str]:
    """Return the keys of a mapping in the model's order, any others after them."""
    known = list(model.model_fields) if model else []
    return [k for k in known if k in data] + [k for k in data if k not in known]


class _Writer:
    def __init__(self, notes: Mapping[str, str], hints: Mapping[str, str]) -> None:
        self.notes = notes
        self.hints = hints
        self.lines: list[str] = []

    def note(self, model: type[BaseModel] | None, key: str, path: str, value: Any) -> str:
        said = self.notes.get(path)
        if said is not None:
            return said
        what = description(model, key) if model else ""
        if value is None:
            return f"{TO_FILL}: {what}" if what else TO_FILL
        # In a list, a key is explained on its first item only.
        return "" if re.search(r"\[[1-9][0-9]*\]", path) else what

    def mapping(
        self, data: Mapping[str, Any], model: type[BaseModel] | None, path: str, indent: int
    ) -> None:
        keys = _ordered(model, data)
        fields = list(model.model_fields) if model else keys
        for key in fields:
            here = f"{path}.{key}" if path else key
            if key in data:
                self.key(key, data[key], model, here, indent)
            elif here in self.hints:
                what = description(model, key) if model else ""
                hint = " " * indent + f"# {key}: {self.hints[here]}"
                if indent == 0:
                    self.lines.append("")
                self.lines.append(commented(hint, f"optional: {what}" if what else None))
        for key in keys:
            if key not in fields:
                self.key(key, data[key], model, f"{path}.{key}" if path else key, indent)

    def key(
        self, key: str, value: Any, model: type[BaseModel] | None, path: str, indent: int
    ) -> None:
        note = self.note(model, key, path, value)
        pad = " " * indent
        if indent == 0 and self.lines:
            self.lines.append("")  # a blank line between the sections
        if isinstance(value, Mapping) and value:
            self.lines.append(commented(f"{pad}{key}:", note))
            self.mapping(value, _submodel(model, key), path, indent + 2)
        elif isinstance(value, list | tuple) and value:
            self.lines.append(commented(f"{pad}{key}:", note))
            self.items(value, _submodel(model, key), path, indent + 2)
        elif isinstance(value, Mapping | list | tuple):
            empty = "{}" if isinstance(value, Mapping) else "[]"
            self.lines.append(commented(f"{pad}{key}: {empty}", note))
        else:
            self.lines.append(commented(f"{pad}{key}: {scalar(value)}", note))

    def items(
        self, values: Sequence[Any], model: type[BaseModel] | None, path: str, indent: int
    ) -> None:
        pad = " " * indent
        for i, value in enumerate(values):
            here = f"{path}[{i}]"
            if isinstance(value, Mapping) and value:
                start = len(self.lines)
                self.mapping(value, model, here, indent + 2)
                first = self.lines[start]
                self.lines[start] = pad + "- " + first[indent + 2 :]
            elif isinstance(value, Mapping):  # an item still to fill in (a director added)
                self.lines.append(commented(f"{pad}- {{}}", self.notes.get(here)))
            else:
                self.lines.append(commented(f"{pad}- {scalar(value)}", self.notes.get(here)))


def profile_yaml(
    data: Mapping[str, Any],
    header: Sequence[str] = (),
    notes: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
) -> str:
    """Return profile data (plain values, None for one still missing) as commented YAML.

    `notes` replace the comment of a key, by its path (`practices[1].list_size`); `hints`
    show an optional key the data leaves out as a commented-out example (`network.area`).
    """
    writer = _Writer(notes or {}, hints or {})
    writer.mapping(data, Profile, "", 0)
    top = ["# " + "".join(c if c.isprintable() else " " for c in line) for line in header]
    return "\n".join(top + writer.lines) + "\n"


def profile_data(profile: Profile) -> dict[str, Any]:
    """Return the values a profile sets, as plain data for profile_yaml."""
    # A lead's local workstream (a model in a union told apart by its shape) is dumped right,
    # but pydantic's serializer warns that it expected the union's text member: not a fault.
    data: dict[str, Any] = profile.model_dump(
        mode="python", exclude_unset=True, exclude_none=True, warnings=False
    )
    return data


# --- a person's own comments, kept when the profile is written again ---------------------------


def _inline_comment(line: str) -> str | None:
    """Return the comment at the end of a line of YAML (a # after a space, not in quotes)."""
    at = _inline_column(line)
    return None if at is None else line[at + 1 :].strip()


def _inline_column(line: str) -> int | None:
    """Return where the comment at the end of a line of YAML starts (its #), if it has one."""
    for match in re.finditer(r"\s#", line):
        before = line[: match.start()]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return match.end() - 1
    return None


def _run_on(lines: list[str], number: int) -> list[int]:
    """Return the comment-only lines that carry on the comment beside line `number` (1-based):
    those just below it with their # in the same column, as an author lines them up."""
    column = _inline_column(lines[number - 1])
    found: list[int] = []
    i = number
    while column is not None and i < len(lines):
        stripped = lines[i].lstrip()
        if not stripped.startswith("#") or len(lines[i]) - len(stripped) != column:
            break
        found.append(i)
        i += 1
    return found


def _comments_by_key(text: str) -> dict[str, str]:
    """Return the comment beside or just above each key of a profile's text, by its key path.

    The file's leading block of comments (its header) is left out: it is kept as a header.
    """
    from pcndocs.errors import ProfileError
    from pcndocs.profile.yamlfile import dotted, parse_yaml

    try:
        document = parse_yaml(text, "profile.yaml")
    except ProfileError:
        return {}
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    found: dict[str, str] = {}
    # Each key line's run-on comment lines, found once: they are its, not the next key's.
    runs = {n: _run_on(lines, n) for n in set(document.lines.values()) if n <= len(lines)}
    carried = {i for run in runs.values() for i in run}
    for key_path, number in document.lines.items():
        if not key_path or isinstance(key_path[-1], int) or number > len(lines):
            continue
        above: list[str] = []
        i = number - 2
        while i >= header and i not in carried and lines[i].lstrip().startswith("#"):
            above.insert(0, lines[i].lstrip()[1:].strip())
            i -= 1
        below = [lines[i].lstrip()[1:].strip() for i in runs[number]]
        said = [*above, _inline_comment(lines[number - 1]) or "", *below]
        words = " ".join(part for part in said if part)
        if words:
            found[dotted(key_path)] = words
    return found


def own_comments(text: str) -> dict[str, str]:
    """Return the comments a person wrote in a profile's text, by the key they are beside or
    just above; pcndocs' own (the model's words, which profile_yaml writes) are left out.

    Passed as profile_yaml's notes, they are written again beside their keys: a profile saved
    from the browser keeps what its author noted in it.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    ours = _comments_by_key(profile_yaml(data))
    return {
        key: words
        for key, words in _comments_by_key(text).items()
        if words != ours.get(key) and not words.startswith(TO_FILL)
    }
