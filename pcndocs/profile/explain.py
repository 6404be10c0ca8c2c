"""Turns one pydantic error into plain words: what was expected, and what was found.

The one translator of pydantic's errors: `check`, `build` and the web page say these words
after a file, line and key (profile/load.py), and `pcndocs new` says them under a question.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from pcndocs.errors import ProblemKind
from pcndocs.profile.model import REQUIRED, Profile
from pcndocs.profile.write import number_text
from pcndocs.profile.yamlfile import KeyPath

# What a value of each pydantic error type was expected to be.
_EXPECTED = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a number",
    "string_type": "text",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "date_type": "a date as YYYY-MM-DD",
    "date_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "a date as YYYY-MM-DD",
    "model_type": "a group of keys",
    "model_attributes_type": "a group of keys",
    "dict_type": "a group of keys",
    "list_type": "a list (lines starting with '- ')",
    "string_too_short": "some text",
    "string_pattern_mismatch": "lower-case letters, digits and underscores, such as 'diabetes'",
}


# The pydantic error types of a value that is not of the type the key takes, beside the
# ones named *_type or *_parsing.
_TYPE_ERRORS = {"int_from_float", "date_from_datetime_inexact"}


def kind_of(error: ErrorDetails) -> ProblemKind:
    """Return the kind of problem a pydantic error is (see errors.ProblemKind)."""
    name = error["type"]
    if name == "missing":
        return "missing"
    if name == "extra_forbidden":
        return "unknown key"
    if name.endswith(("_type", "_parsing")) or name in _TYPE_ERRORS:
        return "type"
    return "value"


def explain(error: ErrorDetails, key_path: KeyPath = ()) -> str:
    """Return what was expected and what was found, in plain words.

    key_path is where the error is in a profile (it names the keys allowed beside an
    unknown one); a single value checked alone has none.
    """
    kind = error["type"]
    ctx = error.get("ctx", {})
    got = found(error.get("input"))
    if kind == "missing":
        # Pydantic's own "Field required", or the profile model's words for why it is needed.
        return REQUIRED if error["msg"] == "Field required" else error["msg"]
    if kind == "extra_forbidden":
        return _unknown_key(key_path)
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if "plain" in ctx:  # the model's own words, whole (profile/model.py's _not_a_number)
        return str(ctx["plain"])
    expected = _EXPECTED.get(kind) or _expected_from_bounds(kind, ctx, error["msg"])
    if kind in ("too_short", "too_long"):
        count = ctx.get("actual_length", 0)
        return f"expected {expected}, got {count}"
    if kind == "string_type" and isinstance(error.get("input"), int | float | date):
        return f"expected text, got {got}; put it in quotes if it is meant as text"
    return f"expected {expected}, got {got}"


def found(value: Any) -> str:
    """Return a value found in a profile as a message shows it: 2.5, 'text', a list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a group of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, float) and math.isnan(value):
        return "YAML's 'not a number' (.nan)"
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"  # .inf, or 1.0e+400
    if isinstance(value, int | float):
        return number_text(value)
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def _expected_from_bounds(kind: str, ctx: dict[str, Any], message: str) -> str:
    if kind == "greater_than":
        return f"a number above {number_text(ctx['gt'])}"
    if kind == "greater_than_equal":
        return f"a number of {number_text(ctx['ge'])} or more"
    if kind == "less_than_equal":
        return f"a number of at most {number_text(ctx['le'])}"
    if kind == "less_than":
        return f"a number below {number_text(ctx['lt'])}"
    if kind == "string_too_long":
        return f"at most {ctx['max_length']} characters"
    if kind == "literal_error":
        return f"one of {ctx['expected']}".replace("'", "")
    if kind == "too_short":
        return f"at least {ctx['min_length']}"
    if kind == "too_long":
        return f"at most {ctx['max_length']}"
    return message[:1].lower() + message[1:]


def _unknown_key(key_path: KeyPath) -> str:
    close, known = known_beside(key_path)
    hint = f"; did you mean '{close}'?" if close else f"; known keys here: {', '.join(known)}"
    return f"unknown key{hint}"


def known_beside(key_path: KeyPath) -> tuple[str | None, list[str]]:
    """Return the known key most like an unknown one (None if none is), and all known there."""
    key = str(key_path[-1]) if key_path else ""
    known = sorted(_known_keys(Profile, key_path[:-1]))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return (close[0] if close else None), known


def _known_keys(model: type[BaseModel], parent: KeyPath) -> set[str]:
    """Return the keys allowed at a place in the profile, found by walking the models."""
    current: Any = model
    for part in parent:
        if isinstance(part, int):
            continue
        inner = next(models_in(current), None)
        if inner is None or part not in inner.model_fields:
            return set()
        current = inner.model_fields[part].annotation
    inner = next(models_in(current), None)
    return set(inner.model_fields) if inner else set()


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """Yield the models inside an annotation such as list[Practice] or str | CustomWorkstream."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from models_in(typing.get_args(annotation)[0])
    elif origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from models_in(arg)
