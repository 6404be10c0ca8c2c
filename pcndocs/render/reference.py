"""`pcndocs templates reference`: every name and filter a template can use, in plain words.

Made from the template contract itself (NetworkContext and DocumentContext in context.py,
each field with its comment, and the fields of the values they hold) and from the filters
templating.py registers, so it cannot drift from the code; docs/templates.md is its output.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import re
import textwrap
import tokenize
import types
import typing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel

from pcndocs.render.context import DocumentContext, NetworkContext
from pcndocs.render.templating import FILTERS, Markdown

# What each filter's options mean; a test fails on an option not described here.
OPTION_WORDS = {
    "pence": "`pence=true` shows pence too: £12,345.67",
    "places": "how many decimal places to show, such as `places=2`",
    "fixed": "`fixed=true` keeps every decimal place, even a final 0: 2.50",
    "missing": (
        "what a blank build says is still to agree, such as `missing=\"the lead's sessions a "
        "month\"`: printed as [to be agreed: the lead's sessions a month]"
    ),
}

INTRODUCTION = """\
# What a template can use

This page lists every name a pcndocs template can print, and every filter that formats a
value. pcndocs makes it from its own code (`pcndocs templates reference` prints it), so it is
always the whole list: a template can use these names and no others.

A template is a Markdown file with a few marks of the Jinja template language:

- `{{ network.name }}` prints a value. A value from the profile is printed exactly as it was
  typed: a `*` or `#` in a practice's name stays a `*` or `#`.
- `{% for practice in practices %} ... {% endfor %}` repeats a passage for each item of a list,
  and `{% if blank %} ... {% endif %}` keeps a passage only when something is true.
- A filter after `|` formats a value: `{{ costs.total|money }}` prints £12,345. Options go
  in brackets: `{{ lead.lead.sessions_per_month|sessions(missing="the lead's sessions") }}`.
- A name with a dot reaches inside a value: `network.name` is the name of the network.

In a blank build (`pcndocs build --blank`) a value the profile does not give yet is printed as a
highlighted [to be agreed]; give a filter `missing="..."` so that it says what is to be agreed.

To change the wording, copy the built-in templates with `pcndocs templates export FOLDER`,
edit them, and build with `--templates FOLDER`.
"""


@cache
def reference() -> str:
    """Return the whole reference, as Markdown: the introduction, filters and names."""
    parts = [INTRODUCTION, "## Filters\n", *(_filter(name, f) for name, f in FILTERS.items())]
    parts.append(
        "Jinja's own filters work too, such as `length`, `join`, `upper` and `default`: see "
        "https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-filters\n"
    )
    parts.append("## Names every document sees\n")
    parts += _names(NetworkContext)
    parts.append(
        "## Names of a lead's document\n\nA lead's checklist and role description see the "
        "names above, and these as well; other documents see them as empty.\n"
    )
    parts += _names(DocumentContext, skip={"shared"})
    return "\n".join(parts)


def _filter(name: str, function: Callable[..., Any]) -> str:
    """Return a filter's entry: what it does, and what each of its options means."""
    what = _first_line(function)
    lines = [f"- **`{name}`**: {what}"]
    options = [] if isinstance(function, type) else filter_options(function)
    if options:
        lines.append("  Options: " + "; ".join(OPTION_WORDS[p.name] for p in options) + ".")
    return "\n".join(lines) + "\n"


def filter_options(function: Callable[..., Any]) -> list[inspect.Parameter]:
    """Return a filter's options: its parameters after the value it formats."""
    return list(inspect.signature(function).parameters.values())[1:]


def _first_line(thing: Any) -> str:
    """Return the first line of a docstring as a reader says it: 'Return x' becomes 'X'."""
    line = (inspect.getdoc(thing) or "").splitlines()[0]
    line = line.removeprefix("Return ")
    return line[:1].upper() + line[1:]


def _names(cls: type, skip: Collection[str] = ()) -> list[str]:
    """Return the entries of a context's names, under the headings its comments give."""
    hints = typing.get_type_hints(cls)
    parts: list[str] = []
    for field in dataclasses.fields(cls):
        if field.name in skip:
            continue
        comment = field_comments(cls).get(field.name, Comment())
        if comment.heading:
            # A heading names the code it comes from, which a template's author needs not.
            heading = re.sub(r" \(pcndocs/[^)]*\)", "", comment.heading).rstrip(".")
            parts.append(f"### {heading}\n")
        parts.append(_entry(field.name, hints[field.name], comment.text))
    return parts


def _entry(name: str, kind: Any, text: str | None) -> str:
    """Return one name's entry: what it is, its kind, and the parts inside it."""
    lines = [f"- **`{name}`**: {_described(text, kind)}"]
    inner, is_list = _inner(kind)
    if inner is not None:
        if is_list:
            lines.append("  Each one has:")
        for part, part_kind, part_text in _parts(inner):
            shown = f"`.{part}`" if is_list else f"`{name}.{part}`"
            lines.append(f"  - {shown}: {_described(part_text, part_kind)}")
    return "\n".join(lines) + "\n"


def _described(text: str | None, kind: Any) -> str:
    """Return what a value is, then its kind in italics: 'The name. *Text.*'."""
    kind_words = f"*{_kind(kind).capitalize()}.*"
    sentence = _sentence(text)
    return f"{sentence} {kind_words}" if sentence else kind_words


def _sentence(text: str | None) -> str:
    """Return a description as a sentence; one that opens with a call, such as
    cite(source), keeps its lower case and shows the call as code."""
    if not text:
        return ""
    text = " ".join(text.split())
    call = re.match(r"\w+\([^)]*\)", text)
    text = f"`{call.group()}`{text[call.end() :]}" if call else text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _inner(kind: Any) -> tuple[type | None, bool]:
    """Return the type whose parts a value has (a list's items'), and whether it is a list."""
    kind = _unoptional(kind)
    origin = typing.get_origin(kind)
    if origin in (Sequence, list, tuple) or (
        isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str
    ):
        items = typing.get_args(kind)[0] if typing.get_args(kind) else None
        return (_unoptional(items) if _has_parts(_unoptional(items)) else None), True
    return (kind if _has_parts(kind) else None), False


def _has_parts(kind: Any) -> bool:
    return (
        isinstance(kind, type)
        and (dataclasses.is_dataclass(kind) or issubclass(kind, BaseModel))
        and kind.__module__.startswith("pcndocs")
    )


def _unoptional(kind: Any) -> Any:
    """Return a type without its `| None`, and without Annotated's constraints."""
    if typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(rest) == 1:
            return _unoptional(rest[0])
    return kind


def _parts(kind: Any) -> Iterator[tuple[str, Any, str | None]]:
    """Yield each part of a value of a type: its name, type and description, then properties."""
    comments = _comments_in_mro(kind)
    if issubclass(kind, BaseModel):
        for name, info in kind.model_fields.items():
            yield name, info.annotation, info.description or comments.get(name)
    else:
        hints = typing.get_type_hints(kind)
        for field in dataclasses.fields(kind):
            yield field.name, hints[field.name], comments.get(field.name)
    for name, value in _properties(kind):
        yield name, typing.get_type_hints(value.fget).get("return"), _first_line(value)


def _comments_in_mro(kind: type) -> dict[str, str | None]:
    """Return each field's comment, from the class that declares it (a base class's too)."""
    found: dict[str, str | None] = {}
    for cls in reversed(kind.__mro__):
        if cls.__module__.startswith("pcndocs"):
            found.update((name, c.text) for name, c in field_comments(cls).items())
    return found


def _properties(kind: type) -> list[tuple[str, property]]:
    """Return the public properties of a type and of its bases, in the order they are written."""
    found: dict[str, property] = {}
    for cls in reversed(kind.__mro__):
        if cls.__module__.startswith("pcndocs"):
            for name, value in vars(cls).items():
                if isinstance(value, property) and not name.startswith("_"):
                    found[name] = value
    return list(found.items())


_WORDS: Mapping[Any, str] = {
    str: "text",
    Markdown: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    date: "a date",
}


def _kind(kind: Any) -> str:
    """Return a type as a reader says it: 'a list of practices', 'a number, or empty'."""
    bare = _unoptional(kind)
    empty = ", or empty" if bare is not kind and _optional(kind) else ""
    origin = typing.get_origin(bare)
    args = typing.get_args(bare)
    if bare in _WORDS:
        words = _WORDS[bare]
    elif origin is typing.Literal:
        words = "one of " + ", ".join(f"`{a}`" for a in args)
    elif origin in (Sequence, list, tuple):
        words = "a list" + (f" of {_plural(args[0])}" if args else "")
    elif origin in (Mapping, dict):
        words = f"a table of {_plural(args[1])} by {_kind(args[0]).removeprefix('a ')}"
    elif origin is Callable or bare is Callable:
        words = "a function"
    elif isinstance(bare, type):
        words = _article(_spaced(bare.__name__))
    else:
        words = "a value"
    return words + empty


def _optional(kind: Any) -> bool:
    if typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    return typing.get_origin(kind) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(kind)


def _spaced(name: str) -> str:
    """Return a class name as words: ClinicalDirector is 'clinical director', CD stays CD."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+", name)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def _article(words: str) -> str:
    return ("an " if words[:1] in "aeiou" else "a ") + words


def _plural(kind: Any) -> str:
    words = _kind(kind).removeprefix("an ").removeprefix("a ")
    if words == "text":
        return "texts"
    if words.endswith("y") and not words.endswith(("ay", "ey", "oy")):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("s", "sh", "ch")) else "s")


@dataclass(frozen=True)
class Comment:
    """What the source says of a field: its own comment, and a heading opened just above it."""

    text: str | None = None
    heading: str | None = None


@cache
def field_comments(cls: type) -> dict[str, Comment]:
    """Return each field of a dataclass with its comment, read from the class's source.

    A comment on the field's line describes it; comment lines just above a field describe it
    when it has none of its own, and otherwise open a heading over it and the fields after.
    """
    source = textwrap.dedent(inspect.getsource(cls))
    inline: dict[int, str] = {}
    above: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            text = token.string.lstrip("#").strip()
            row = token.start[0]
            if token.line[: token.start[1]].strip():
                inline[row] = text
            else:
                above[row] = text
    found: dict[str, Comment] = {}
    tree = ast.parse(source).body[0]
    assert isinstance(tree, ast.ClassDef)
    for node in tree.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        row = node.lineno - 1
        lines: list[str] = []
        while row in above:
            lines.insert(0, above[row])
            row -= 1
        own = inline.get(node.end_lineno or node.lineno)
        joined = " ".join(lines) or None
        found[node.target.id] = Comment(own or joined, joined if own else None)
    return found
