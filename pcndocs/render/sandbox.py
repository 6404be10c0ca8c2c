"""Jinja's sandbox with limits, so no template can hang a build or exhaust its memory.

Each render has a budget: a deadline, a depth of macro calls, a size for every string it
makes and for the document it writes. The string-growing methods and filters check the size
of their result before making it; `+`, `*`, `%` and `~` do too. On POSIX, an alarm and an
address-space limit also bound what the checks cannot see (loops that print nothing).
"""

from __future__ import annotations

import contextlib
import re
import string
import time
from collections.abc import Generator, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import do_center, do_format, do_indent, do_join, do_replace
from jinja2.nodes import Concat
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from pcndocs.render.limits import OverMemoryError, OverTimeError, process_limits

#: The most characters one string made by a template may hold.
MAX_TEXT = 1_000_000
#: The most characters one rendered document may hold (a long checklist is a few hundred KB).
MAX_DOCUMENT = 5_000_000
#: The most a template may make with `*`: enough for any document.
MAX_REPEAT = 100_000
#: How deep macros (and recursive loops) may call themselves.
MAX_DEPTH = 50
#: How long one render may take, and how much more memory it may use.
RENDER_SECONDS = 10.0
RENDER_MEMORY = 1 << 30


class LimitError(jinja2.exceptions.SecurityError):
    """A template went beyond one of the render's limits."""


@dataclass
class _Budget:
    deadline: float
    depth: int = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitError(f"the template took longer than {RENDER_SECONDS:g} seconds")


_budget: ContextVar[_Budget | None] = ContextVar("pcndocs_render_budget", default=None)


def _check_time() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.check_time()


def _refuse_above(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise LimitError(f"{what} would make more than {MAX_TEXT:,} characters")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(str(value))


# `%` conversions and `{}` fields with their widths and precisions, and `*` widths.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")


def _format_bound(template: str, specs: list[str], values: list[Any]) -> int:
    """Return the most characters a format string can make from its values."""
    numbers = [int(n) for spec in specs for n in re.findall(r"\d+", spec)]
    if any("*" in spec or "{" in spec for spec in specs):  # a width taken from the values
        numbers += [abs(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    widest = max((_length(v) for v in values), default=0)
    return len(template) + len(specs) * widest + sum(numbers)


def _percent_bound(template: str, values: Any) -> int:
    items = list(values.values()) if isinstance(values, dict) else None
    if items is None:
        items = list(values) if isinstance(values, tuple) else [values]
    specs = [m.group() for m in _PERCENT_SPEC.finditer(template)]
    return _format_bound(template, specs, items)


def _brace_bound(template: str, args: Iterable[Any], kwargs: dict[str, Any]) -> int:
    specs = []
    for _, field, spec, _ in string.Formatter().parse(template):
        if field is not None:
            specs.append(spec or "")
    return _format_bound(template, specs, [*args, *kwargs.values()])


def _join_bound(separator: str, items: list[Any]) -> int:
    return sum(_length(i) for i in items) + len(separator) * max(len(items) - 1, 0)


def _replace_bound(text: str, old: str, new: str, count: int = -1) -> int:
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _check_str_method(text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call of a string method whose result would be too big, before it is made."""
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        _refuse_above(args[0], f"'.{name}()'")
    elif name == "expandtabs":
        size = args[0] if args and isinstance(args[0], int) else kwargs.get("tabsize", 8)
        _refuse_above(len(text) * max(int(size), 1), "'.expandtabs()'")
    elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        _refuse_above(_replace_bound(text, *args[:3]), "'.replace()'")
    elif name in ("format", "format_map"):
        values = dict(args[0]) if name == "format_map" and args else kwargs
        _refuse_above(_brace_bound(text, args if name == "format" else (), values), "'.format()'")


def _checked_center(value: str, width: int = 80) -> str:
    _refuse_above(int(width), "'|center'")
    return do_center(value, width)


def _checked_indent(
    value: str, width: int | str = 4, first: bool = False, blank: bool = False
) -> str:
    lines = str(value).count("\n") + 1
    step = len(width) if isinstance(width, str) else int(width)
    _refuse_above(len(str(value)) + lines * step, "'|indent'")
    return do_indent(value, width, first, blank)


def _checked_format(value: str, *args: Any, **kwargs: Any) -> str:
    _refuse_above(_percent_bound(str(value), kwargs or tuple(args)), "'|format'")
    return do_format(value, *args, **kwargs)


@jinja2.pass_eval_context
def _checked_replace(
    eval_ctx: Any, value: str, old: str, new: str, count: int | None = None
) -> str:
    _refuse_above(
        _replace_bound(str(value), str(old), str(new), -1 if count is None else count), "'|replace'"
    )
    return do_replace(eval_ctx, value, old, new, count)


@jinja2.pass_eval_context
def _checked_join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = list(value)
    _refuse_above(_join_bound(str(d), items), "'|join'")
    return str(do_join(eval_ctx, items, d, attribute))


def _checked_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    _refuse_above(int(n) * int(max) * 12, "'lipsum()'")  # about 12 characters a word at most
    return generate_lorem_ipsum(n, html, min, max)


class _Generator(CodeGenerator):
    """Compiles `a ~ b` so that the environment checks the size of the joined text first."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:  # noqa: N802 (Jinja's name)
        self.write("environment.concat_checked((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no changing lists or dicts), with the limits of this module."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters.update(
            center=_checked_center,
            indent=_checked_indent,
            format=_checked_format,
            replace=_checked_replace,
            join=_checked_join,
        )
        self.globals["lipsum"] = _checked_lipsum

    def concat_checked(self, parts: tuple[Any, ...]) -> str:
        texts = [str(part) for part in parts]
        _refuse_above(sum(len(t) for t in texts), "'~'")
        return "".join(texts)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        _check_time()
        sequences = [len(x) for x in (left, right) if isinstance(x, str | list | tuple)]
        counts = [abs(x) for x in (left, right) if isinstance(x, int) and not isinstance(x, bool)]
        if operator == "*" and sequences and counts and sequences[0] * counts[0] > MAX_REPEAT:
            raise jinja2.exceptions.SecurityError(
                f"'*' makes more than {MAX_REPEAT:,} of something"
            )
        if operator == "**" and len(counts) == 2 and counts[1] > 64 and abs(left) > 1:
            raise jinja2.exceptions.SecurityError("'**' with a power above 64")
        if operator == "+" and len(sequences) == 2:
            _refuse_above(sum(sequences), "'+'")
        if operator == "%" and isinstance(left, str):
            _refuse_above(_percent_bound(left, right), "'%'")
        return super().call_binop(context, operator, left, right)

    # Jinja's own argument names, so that no keyword argument of the call clashes with them.
    def call(
        __self,  # noqa: N805
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        budget = _budget.get()
        if budget is not None:
            budget.check_time()
        target = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(owner, getattr(target, "__name__", ""), args, kwargs)
            if getattr(target, "__name__", "") == "join" and args:
                items = list(args[0])
                _refuse_above(_join_bound(owner, items), "'.join()'")
                args = (items, *args[1:])
        if budget is None or not isinstance(__obj, Macro | LoopContext):
            return super().call(__context, __obj, *args, **kwargs)
        if budget.depth >= MAX_DEPTH:
            raise LimitError(f"macros call themselves more than {MAX_DEPTH} deep")
        budget.depth += 1
        try:
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_time()
        return super().getattr(obj, attribute)


def render_bounded(template: jinja2.Template, context: Any) -> str:
    """Render a template within the limits, checking the document's size as it streams."""
    token = _budget.set(_Budget(time.monotonic() + RENDER_SECONDS))
    try:
        with _process_limits():
            parts: list[str] = []
            size = 0
            # Jinja types it an Iterator; it is a generator, which can be thrown into.
            chunks = cast(Generator[str, None, None], template.generate(context))
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_DOCUMENT:
                    # Thrown into the template where it wrote the chunk, so that the message
                    # names that line of it, as every other limit's does.
                    chunks.throw(
                        LimitError(f"the document would be longer than {MAX_DOCUMENT:,} characters")
                    )
                parts.append(chunk)
                _check_time()
            return "".join(parts)
    finally:
        _budget.reset(token)


@contextlib.contextmanager
def _process_limits() -> Iterator[None]:
    """Bound a render's time with an alarm and its memory with an address-space limit (POSIX).

    Only in the main thread, where signals arrive; elsewhere the checks in the sandbox's hooks
    and the document's size still apply.
    """
    try:
        with process_limits(RENDER_SECONDS + 1, RENDER_MEMORY):
            yield
    except OverTimeError:
        raise LimitError(f"the template took longer than {RENDER_SECONDS:g} seconds") from None
    except OverMemoryError:
        raise LimitError(f"the template needed more than {RENDER_MEMORY >> 20:,} MB") from None
