"""Renders a document's Jinja template to Markdown, escaping every value it prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from pcndocs.errors import TemplateError

# Every ASCII punctuation character may be backslash-escaped in CommonMark, so escaping all
# of them makes any text literal: no emphasis, links, tables, headings or HTML from user text.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Characters that XML 1.0 forbids (and so a DOCX cannot hold), plus the BOM.
_WHITESPACE = re.compile(r"\s+")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\ufffe\uffff]")


class Markdown(str):
    """Text that is already Markdown (from a template or built-in data): printed as it is."""

    __slots__ = ()


class Placeholder(Markdown):
    """A value still to be agreed, printed as a highlighted `[[to be agreed: what]]`."""

    __slots__ = ()

    def __new__(cls, what: str) -> Placeholder:
        label = clean_text(what).replace("]]", "] ]")
        return super().__new__(cls, f"[[to be agreed: {label}]]" if label else "[[to be agreed]]")


def clean_text(text: str) -> str:
    """Return text with the control characters XML forbids removed and lines joined."""
    return _WHITESPACE.sub(" ", _FORBIDDEN.sub("", text))


def escape_markdown(text: str) -> str:
    """Return text that Markdown shows exactly as written, on one line."""
    return _PUNCTUATION.sub(r"\\\1", clean_text(text))


TO_BE_AGREED = Placeholder("")


def _finalize(value: Any) -> str:
    if isinstance(value, Markdown):
        return str(value)
    if value is None:
        # Only a blank build has None where a document needs a value: show it as a gap.
        return str(TO_BE_AGREED)
    return escape_markdown(str(value))


def format_money(value: float | None, pence: bool = False) -> Markdown:
    """Return pounds as '£12,345' (or '£12,345.67' with pence); a gap if there is none."""
    if value is None:
        return TO_BE_AGREED
    return Markdown(f"£{value:,.2f}" if pence else f"£{value:,.0f}")


def format_number(value: float | None, places: int = 0) -> Markdown:
    """Return a number with thousands separators and the given decimal places."""
    if value is None:
        return TO_BE_AGREED
    return Markdown(f"{value:,.{places}f}")


def format_date(value: date | None) -> Markdown:
    """Return a date as people write it in England: 1 April 2025; a gap if there is none."""
    if value is None:
        return TO_BE_AGREED
    return Markdown(f"{value.day} {value:%B %Y}")


def format_ordinal(value: int) -> str:
    """Return 1st, 2nd, 3rd, 4th..."""
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


class Templates:
    """The template folders, the user's first, and a sandboxed environment over them."""

    def __init__(self, builtin: Path, user: Path | None = None) -> None:
        self.folders = [folder for folder in (user, builtin) if folder is not None]
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,  # the output is Markdown: _finalize escapes for Markdown instead
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            money=format_money,
            number=format_number,
            longdate=format_date,
            ordinal=format_ordinal,
            md=Markdown,
        )

    def find(self, name: str) -> Path | None:
        """Return the file a name resolves to, the user's folder first, or None."""
        for folder in self.folders:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Return the Markdown a template renders for a context."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                exc.name or name, exc.lineno, exc.message or "syntax error"
            ) from None
        except jinja2.TemplateNotFound as exc:
            where, line = _template_frame(exc.__traceback__, name)
            raise TemplateError(where, line, f"no template called '{exc.name}'") from None
        except jinja2.UndefinedError as exc:
            where, line = _template_frame(exc.__traceback__, name)
            raise TemplateError(where, line, _undefined_reason(exc.message)) from None
        except jinja2.exceptions.SecurityError as exc:
            where, line = _template_frame(exc.__traceback__, name)
            raise TemplateError(where, line, f"not allowed in a template: {exc}") from None


def _template_frame(tb: TracebackType | None, fallback: str) -> tuple[str, int | None]:
    """Return the template file and line where an error happened, from Jinja's traceback."""
    where, line = fallback, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            where, line = Path(filename).name, tb.tb_lineno
        tb = tb.tb_next
    return where, line


def _undefined_reason(message: str | None) -> str:
    text = message or "a value is not defined"
    match = re.match(r"'(.+)' is undefined", text)
    if match:
        return f"unknown variable '{match.group(1)}'"
    match = re.match(r"'(.+)' has no attribute '(.+)'", text)
    if match:
        return f"unknown value '{match.group(2)}' ({text})"
    return text
