"""Checks a user's pdf.css before WeasyPrint reads it: imports that loop, and page sizes.

The stylesheet is read with tinycss2, the parser WeasyPrint itself uses, so a rule is seen
as WeasyPrint will see it however it is written: `@import"pdf.css"` with no space, with a
comment, a query (`pdf.css?1`) or a CSS escape (`@\\69mport`, `2p\\78`). A stylesheet that
imports itself (twice: exponential) or a page 2 px square (millions of pages) would hang a
build; each is refused here with one line naming the file, the line and the rule. What
gets past is still bounded when the PDF is rendered (pcndocs/render/writers/pdf.py).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlparse

import tinycss2
from tinycss2 import ast

from pcndocs.errors import TemplateError

#: How many stylesheets one may import, counting every import of every file.
MAX_IMPORTS = 20
#: The smallest and largest side a page may have, in millimetres (A7 is 74 by 105).
MIN_PAGE_MM, MAX_PAGE_MM = 50.0, 2000.0
#: The widest margin a page may have, in millimetres.
MAX_MARGIN_MM = 100.0
#: The most characters of a stylesheet read in a data: URL.
MAX_DATA_URL = 1_000_000

_MM = {
    "mm": 1.0,
    "cm": 10.0,
    "in": 25.4,
    "pt": 25.4 / 72,
    "pc": 25.4 / 6,
    "px": 25.4 / 96,
    "q": 0.25,
}
#: At-rules whose block holds rules (so an @page or @import may hide inside).
_GROUPING = frozenset({"media", "supports", "layer", "container", "document", "scope"})
_MARGINS = frozenset({"margin", "margin-top", "margin-right", "margin-bottom", "margin-left"})


def check_stylesheet(text: str, path: Path, folders: Sequence[Path]) -> None:
    """Refuse a stylesheet whose imports loop or run away, or whose pages are impossible."""
    texts: list[tuple[str, list[ast.Node]]] = []
    _follow(text, path, str(path), folders, [path.resolve()], texts, [0])
    for where, rules in texts:
        _check_pages(where, rules)


def _parse(text: str) -> list[ast.Node]:
    return list(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


def _rules(rules: Sequence[ast.Node]) -> Iterator[ast.AtRule]:
    """Yield every at-rule, those inside @media and other grouping rules included."""
    for rule in rules:
        if not isinstance(rule, ast.AtRule):
            continue
        yield rule
        if rule.lower_at_keyword in _GROUPING and rule.content is not None:
            yield from _rules(_parse_tokens(rule.content))


def _parse_tokens(tokens: Sequence[ast.Node]) -> list[ast.Node]:
    return list(tinycss2.parse_rule_list(tokens, skip_comments=True, skip_whitespace=True))


def _follow(
    text: str,
    path: Path,
    shown: str,
    folders: Sequence[Path],
    chain: list[Path],
    texts: list[tuple[str, list[ast.Node]]],
    count: list[int],
) -> None:
    """Collect a stylesheet and those it imports from the template folders, refusing loops.

    `path` is where its relative addresses resolve; `shown` how messages name it.
    """
    rules = _parse(text)
    texts.append((shown, rules))
    for rule in _rules(rules):
        if rule.lower_at_keyword != "import":
            continue
        address = _import_address(rule)
        if address is None:
            continue  # no address at all: WeasyPrint ignores the rule
        count[0] += 1
        if count[0] > MAX_IMPORTS:
            raise TemplateError(
                shown, rule.source_line, f"imports more than {MAX_IMPORTS} stylesheets"
            )
        if address.lower().startswith("data:"):
            inner = _data_text(address)
            if inner is not None:  # a stylesheet inside the address: its imports count too
                where = f"{shown}:{rule.source_line}"
                _follow(inner, path, where, folders, chain, texts, count)
            continue
        found = _imported(address, rule, path, shown, folders, chain)
        if found is not None:
            target, real, imported = found
            _follow(imported, target, str(target), folders, [*chain, real], texts, count)


def _imported(
    address: str,
    rule: ast.AtRule,
    path: Path,
    shown: str,
    folders: Sequence[Path],
    chain: list[Path],
) -> tuple[Path, Path, str] | None:
    """Return the stylesheet an import names in the template folders: path, real path, text.

    None where the fetcher deals with it instead; a stylesheet that imports itself is an error.
    """
    target = _local(address, path.parent, folders)
    if target is None:
        return None  # an address elsewhere: the fetcher refuses it with a warning
    real = target.resolve()
    if real in chain:
        loop = " -> ".join(p.name for p in [*chain[chain.index(real) :], real])
        raise TemplateError(shown, rule.source_line, f"imports itself ({loop})")
    if not real.is_file() or not any(real.is_relative_to(f.resolve()) for f in folders):
        return None  # missing, or outside: the fetcher reports it
    try:
        return target, real, real.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _import_address(rule: ast.AtRule) -> str | None:
    """Return the address an @import names (escapes resolved, as WeasyPrint reads it)."""
    for token in rule.prelude:
        if isinstance(token, ast.WhitespaceToken | ast.Comment):
            continue
        if isinstance(token, ast.StringToken | ast.URLToken):
            return str(token.value)
        if isinstance(token, ast.FunctionBlock) and token.lower_name in ("url", "src"):
            for argument in token.arguments:
                if isinstance(argument, ast.StringToken):
                    return str(argument.value)
        return None
    return None


def _data_text(address: str) -> str | None:
    """Return the text a data: URL holds, or None if it cannot be read as text."""
    header, comma, data = address[5:].partition(",")
    if not comma or len(data) > MAX_DATA_URL:
        return None
    try:
        raw = base64.b64decode(data) if header.endswith(";base64") else unquote_to_bytes(data)
        return raw.decode("utf-8")
    except ValueError:
        return None


def _local(address: str, base: Path, folders: Sequence[Path]) -> Path | None:
    """Return the file an address names, as the PDF's fetcher would find it, or None."""
    parsed = urlparse(address)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme or address.startswith("//"):
        return None
    # A query or a fragment names the same file: `pdf.css?1` is pdf.css.
    path = (base / unquote(parsed.path)).resolve()
    if folders and path.is_relative_to(folders[0].resolve()) and not path.exists():
        relative = path.relative_to(folders[0].resolve())
        for folder in folders[1:]:
            if (folder / relative).is_file():
                return folder / relative
    return path


def _check_pages(where: str, rules: Sequence[ast.Node]) -> None:
    for rule in _rules(rules):
        if rule.lower_at_keyword != "page" or rule.content is None:
            continue
        for item in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if isinstance(item, ast.Declaration):
                _check_declaration(where, item)


def _check_declaration(where: str, declaration: ast.Declaration) -> None:
    name = declaration.lower_name
    if name != "size" and name not in _MARGINS:
        return
    value = tinycss2.serialize(declaration.value).strip()
    shown = value if len(value) <= 60 else value[:60] + "..."
    line = declaration.source_line
    tokens = [t for t in declaration.value if not isinstance(t, ast.WhitespaceToken | ast.Comment)]
    if any(isinstance(t, ast.FunctionBlock) for t in tokens):
        raise TemplateError(
            where,
            line,
            f"@page {name} '{shown}' is worked out by a function such as var() or calc(): "
            "write the length itself (such as A4, or 210mm 297mm)",
        )
    if name == "size":
        for token in tokens:
            if isinstance(token, ast.IdentToken):
                continue  # A4, landscape, auto: WeasyPrint ignores a word it does not know
            side = _millimetres(token)
            if side is None or not MIN_PAGE_MM <= side <= MAX_PAGE_MM:
                raise TemplateError(
                    where,
                    line,
                    f"@page size '{shown}' is not a real page: each side must be "
                    f"{MIN_PAGE_MM:g} to {MAX_PAGE_MM:g} mm",
                )
        return
    for token in tokens:
        side = _millimetres(token)
        if side is not None and abs(side) > MAX_MARGIN_MM:
            raise TemplateError(
                where, line, f"@page {name} '{shown}' is wider than {MAX_MARGIN_MM:g} mm"
            )


def _millimetres(token: ast.Node) -> float | None:
    """Return a length in millimetres, or None if it is no absolute length."""
    if isinstance(token, ast.DimensionToken) and token.lower_unit in _MM:
        return float(token.value) * _MM[token.lower_unit]
    if isinstance(token, ast.NumberToken) and token.value == 0:
        return 0.0
    return None
