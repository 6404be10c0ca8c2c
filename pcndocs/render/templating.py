"""Renders a document's Jinja template to Markdown, escaping every value it prints."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, get_args

import jinja2
from jinja2.loaders import split_template_path

from pcndocs.errors import TemplateError
from pcndocs.render.cache import template_cache
from pcndocs.render.sandbox import LimitError, Sandbox, render_bounded
from pcndocs.rules.funding import sessions_number, sessions_text, wte_text
from pcndocs.text import remove_forbidden

# Every ASCII punctuation character may be backslash-escaped in CommonMark, so escaping all
# of them makes any text literal: no emphasis, links, tables, headings or HTML from user text.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Runs of spaces, tabs and line breaks of any kind: they would end a table row or a paragraph,
# or indent a line into a code block. Other spaces (no-break, thin) are kept as they are.
_WHITESPACE = re.compile("[ \t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]+")


_INNER_MARK = re.compile(r"\[\[(?:[a-z ]+: )?|\]\]")


class Markdown(str):
    """Text that is already Markdown (from a template or built-in data): printed as it is."""

    __slots__ = ()


# What a placeholder is, the first words of its mark: a value still to agree, a proposal for the
# network to confirm, or the mark of a figure worked from an incomplete total. A template's own
# `[[words]]` with none of these first is a value still to agree (render/gaps reads them so).
PlaceholderKind = Literal["to be agreed", "proposed", "incomplete"]
PLACEHOLDER_KINDS: tuple[PlaceholderKind, ...] = get_args(PlaceholderKind)


class Placeholder(Markdown):
    """A value still to be agreed, printed as a highlighted `[[to be agreed: what]]`."""

    __slots__ = ()

    def __new__(cls, what: str, kind: PlaceholderKind = "to be agreed") -> Placeholder:
        # A label built from a value that is itself a gap ("the list size of [[...]]") keeps
        # its words, not its brackets: a placeholder never holds another.
        label = _INNER_MARK.sub("", clean_text(what)).replace("]]", "] ]")
        return super().__new__(cls, f"[[{kind}: {label}]]" if label else f"[[{kind}]]")


def clean_text(text: str) -> str:
    """Return text with the control characters XML forbids removed and lines joined."""
    return _WHITESPACE.sub(" ", remove_forbidden(text))


def escape_markdown(text: str) -> str:
    """Return text that Markdown shows exactly as written, on one line."""
    return _PUNCTUATION.sub(r"\\\1", clean_text(text))


TO_BE_AGREED = Placeholder("")


def _missing(what: str) -> Placeholder:
    """Return the placeholder of a value a filter was given none of: it says what to agree.

    Each filter takes missing="what is to be agreed", so a blank build never prints a bare
    [to be agreed]: `{{ lead.sessions_per_month|sessions(missing="the lead's sessions a month") }}`.
    """
    return Placeholder(what) if what else TO_BE_AGREED


def _finalize(value: Any) -> str:
    if isinstance(value, Markdown):
        return str(value)
    if value is None:
        # Only a blank build has None where a document needs a value: show it as a gap.
        return str(TO_BE_AGREED)
    return escape_markdown(str(value))


def format_money(value: float | None, pence: bool = False, missing: str = "") -> Markdown:
    """Return pounds as '£12,345' (or '£12,345.67' with pence); a gap if there is none."""
    if value is None:
        return _missing(missing)
    return Markdown(f"£{value:,.2f}" if pence else f"£{value:,.0f}")


def format_text(value: str | None, missing: str = "") -> Markdown:
    """Text as the profile gives it (printed exactly as written); a gap if there is none."""
    if not value:
        return _missing(missing)
    return Markdown(escape_markdown(value))


def format_number(value: float | None, places: int = 0, missing: str = "") -> Markdown:
    """Return a number with thousands separators and the given decimal places."""
    if value is None:
        return _missing(missing)
    return Markdown(f"{value:,.{places}f}")


def format_sessions(
    value: float | None, places: int = 2, fixed: bool = False, missing: str = ""
) -> Markdown:
    """Return a count of sessions with its unit: '1 session', '2.5 sessions', '2.66 sessions'."""
    if value is None:
        return _missing(missing)
    return Markdown(sessions_text(value, places, fixed))


def format_session_count(value: float | None, missing: str = "") -> Markdown:
    """Return a count of sessions without its unit, for a table column headed 'Sessions'."""
    if value is None:
        return _missing(missing)
    return Markdown(sessions_number(value))


def format_wte(value: float | None, missing: str = "") -> Markdown:
    """Return a whole-time equivalent with its unit: '0.2956 WTE', '0.25 WTE'."""
    if value is None:
        return _missing(missing)
    return Markdown(wte_text(value))


def format_duration(minutes: float | None, missing: str = "") -> Markdown:
    """Return a time as people say it: '6 hours 15 minutes', '1 hour', '40 minutes'."""
    if minutes is None:
        return _missing(missing)
    hours, rest = divmod(round(minutes), 60)
    parts = [f"{hours} hour{'' if hours == 1 else 's'}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return Markdown(" ".join(parts))


def format_date(value: date | None, missing: str = "") -> Markdown:
    """Return a date as people write it in England: 1 April 2025; a gap if there is none."""
    if value is None:
        return _missing(missing)
    return Markdown(f"{value.day} {value:%B %Y}")


def format_ordinal(value: int) -> str:
    """Return 1st, 2nd, 3rd, 4th..."""
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


# The filters pcndocs adds to Jinja's own: `{{ value|money }}`. `pcndocs templates reference`
# describes each from its docstring and its parameters.
FILTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "money": format_money,
    "number": format_number,
    "longdate": format_date,
    "ordinal": format_ordinal,
    "sessions": format_sessions,
    "session_count": format_session_count,
    "wte": format_wte,
    "duration": format_duration,
    "md": Markdown,
}


def confined(path: Path, folders: list[Path]) -> Path:
    """Return path if its real path (links followed) lies in one of the folders; else refuse."""
    real = path.resolve()
    if any(real.is_relative_to(folder.resolve()) for folder in folders):
        return path
    raise TemplateError(
        str(path), None, "is a link to a file outside the template folders; copy the file in"
    )


class _Loader(jinja2.FileSystemLoader):
    """The template folders' loader, reporting a file it cannot read as a TemplateError."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        try:
            split_template_path(template)  # a name with '..' is Jinja's to refuse, as not found
            where = self._path(template)
        except jinja2.TemplateNotFound:
            where = template
        if where != template:  # found: refuse a link out, or a FIFO, before reading a byte
            confined(Path(where), [Path(f) for f in self.searchpath])
            if not Path(where).is_file():
                raise TemplateError(where, None, "is not a file; templates must be text files")
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise
        except UnicodeDecodeError:
            where = self._path(template)
            raise TemplateError(where, None, "is not UTF-8 text; save it as UTF-8") from None
        except OSError as exc:
            reason = f"cannot be read: {exc.strerror or exc}"
            raise TemplateError(self._path(template), None, reason) from None
        confined(Path(filename), [Path(f) for f in self.searchpath])
        return source, filename, uptodate

    def _path(self, template: str) -> str:
        """Return the file a template name stands for, as the folders were given."""
        for folder in self.searchpath:
            candidate = Path(folder, template)
            if candidate.exists():
                return str(candidate)
        return template


class Templates:
    """The template folders, the user's first, and a sandboxed environment over them."""

    def __init__(self, builtin: Path, user: Path | None = None) -> None:
        self.folders = [folder for folder in (user, builtin) if folder is not None]
        self.user = user
        self.env = Sandbox(
            loader=_Loader([str(f) for f in self.folders]),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,  # the output is Markdown: _finalize escapes for Markdown instead
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=template_cache(),  # compiled once per user, not once per process
        )
        self.env.filters.update(FILTERS)

    def find(self, name: str) -> Path | None:
        """Return the file a name resolves to, the user's folder first, or None."""
        for folder in self.folders:
            candidate = folder / name
            if candidate.is_file():
                return confined(candidate, self.folders)
        return None

    def shown(self, name: str) -> str:
        """Return how messages name a template: the user's by its path, a built-in by name."""
        path = self.find(name)
        return self._where(str(path)) if path is not None else name

    def read_text(self, name: str) -> str | None:
        """Return the text of a file in the template folders (a stylesheet), or None."""
        path = self.find(name)
        if path is None:
            return None
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise TemplateError(str(path), None, "is not UTF-8 text; save it as UTF-8") from None
        except OSError as exc:
            raise TemplateError(str(path), None, f"cannot be read: {exc.strerror or exc}") from None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Return the Markdown a template renders for a context."""
        try:
            return render_bounded(self.env.get_template(name), context)
        except jinja2.TemplateSyntaxError as exc:
            where = self._where(exc.filename) if exc.filename else exc.name or name
            raise TemplateError(where, exc.lineno, exc.message or "syntax error") from None
        except jinja2.TemplateNotFound as exc:
            where, line = self._frame(exc.__traceback__, name)
            raise TemplateError(where, line, f"no template called '{exc.name}'") from None
        except jinja2.UndefinedError as exc:
            where, line = self._frame(exc.__traceback__, name)
            raise TemplateError(where, line, _undefined_reason(exc.message)) from None
        except LimitError as exc:
            where, line = self._frame(exc.__traceback__, name)
            raise TemplateError(where, line, str(exc)) from None
        except jinja2.exceptions.SecurityError as exc:
            where, line = self._frame(exc.__traceback__, name)
            reason = str(exc).rstrip(".")
            raise TemplateError(where, line, f"not allowed in a template: {reason}") from None
        except (
            ArithmeticError,
            LookupError,
            TypeError,
            ValueError,
            RecursionError,
            AttributeError,  # |dictsort on text
            AssertionError,  # |truncate(1): Jinja checks its arguments with assert
            jinja2.TemplateRuntimeError,  # |map('nofilter'), |select('x'), |round(method=...)
        ) as exc:
            # A mistake in the user's own template ({{ 1 / 0 }}) is theirs to mend; in a
            # built-in template it is a bug, and keeps its traceback.
            where, line = self._frame(exc.__traceback__, name)
            if self.user is None or not self._is_users(where):
                raise
            kind = "" if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: "
            raise TemplateError(where, line, f"{kind}{exc}") from None

    def _where(self, filename: str) -> str:
        """Return how to name a template file: the user's by its path, a built-in by name."""
        path = Path(filename)
        if self.user is not None and path.is_relative_to(self.user):
            return str(path)
        for folder in self.folders:
            if path.is_relative_to(folder):
                return path.relative_to(folder).as_posix()
        return path.name

    def _is_users(self, where: str) -> bool:
        return self.user is not None and Path(where).is_relative_to(self.user)

    def _frame(self, tb: TracebackType | None, fallback: str) -> tuple[str, int | None]:
        """Return the template file and line where an error happened, from Jinja's traceback."""
        where, line = fallback, None
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if not filename.endswith(".py") and not filename.startswith("<"):
                where, line = self._where(filename), tb.tb_lineno
            tb = tb.tb_next
        return where, line


def _undefined_reason(message: str | None) -> str:
    text = message or "a value is not defined"
    match = re.match(r"'(.+)' is undefined", text)
    if match:
        return f"unknown variable '{match.group(1)}'"
    match = re.match(r"'(?:.*\.)?(.+?)(?: object)?' has no attribute '(.+)'", text)
    if match:
        return f"unknown value '{match.group(2)}' of {match.group(1)}"
    return text
