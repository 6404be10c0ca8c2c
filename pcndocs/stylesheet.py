"""Checks a user's pdf.css before WeasyPrint reads it: imports that loop, and page sizes.

A stylesheet that imports itself (twice: exponential) or a page 2 px square (millions of
pages) would hang a build; each is refused here with a one-line error naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from pcndocs.errors import TemplateError

#: How many stylesheets one may import, counting every import of every file.
MAX_IMPORTS = 20
#: The smallest and largest side a page may have, in millimetres (A7 is 74 by 105).
MIN_PAGE_MM, MAX_PAGE_MM = 50.0, 2000.0
#: The widest margin a page may have, in millimetres.
MAX_MARGIN_MM = 100.0

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1\s*\)?""", re.IGNORECASE)
_PAGE = re.compile(r"@page\b[^{]*\{((?:[^{}]|\{[^{}]*\})*)\}", re.IGNORECASE)
_DECLARATION = re.compile(r"(?:^|[;{\s])(size|margin(?:-top|-right|-bottom|-left)?)\s*:\s*([^;}]+)")
_LENGTH = re.compile(r"(-?\d*\.?\d+)\s*(mm|cm|in|pt|pc|px|q)\b", re.IGNORECASE)
_MM = {
    "mm": 1.0,
    "cm": 10.0,
    "in": 25.4,
    "pt": 25.4 / 72,
    "pc": 25.4 / 6,
    "px": 25.4 / 96,
    "q": 0.25,
}


def check_stylesheet(text: str, path: Path, folders: Sequence[Path]) -> None:
    """Refuse a stylesheet whose imports loop or run away, or whose pages are impossible."""
    texts: list[tuple[Path, str]] = []
    _follow(text, path, folders, [path.resolve()], texts, [0])
    for where, css in texts:
        _check_pages(where, css)


def _follow(
    text: str,
    path: Path,
    folders: Sequence[Path],
    chain: list[Path],
    texts: list[tuple[Path, str]],
    count: list[int],
) -> None:
    """Collect a stylesheet and those it imports from the template folders, refusing loops."""
    css = _COMMENT.sub("", text)
    texts.append((path, css))
    for match in _IMPORT.finditer(css):
        target = _local(match.group(2), path.parent)
        if target is None:
            continue  # an address elsewhere: the fetcher refuses it with a warning
        count[0] += 1
        if count[0] > MAX_IMPORTS:
            raise TemplateError(str(path), None, f"imports more than {MAX_IMPORTS} stylesheets")
        real = target.resolve()
        if real in chain:
            loop = " -> ".join(p.name for p in [*chain[chain.index(real) :], real])
            raise TemplateError(str(path), None, f"imports itself ({loop})")
        if not real.is_file() or not any(real.is_relative_to(f.resolve()) for f in folders):
            continue  # missing, or outside: the fetcher reports it
        try:
            imported = real.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        _follow(imported, target, folders, [*chain, real], texts, count)


def _local(address: str, base: Path) -> Path | None:
    parsed = urlparse(address)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme or address.startswith("//"):
        return None
    return base / unquote(address)


def _check_pages(path: Path, css: str) -> None:
    for page in _PAGE.finditer(css):
        for name, value in _DECLARATION.findall(page.group(1)):
            sides = [float(n) * _MM[unit.lower()] for n, unit in _LENGTH.findall(value)]
            if name == "size" and any(not MIN_PAGE_MM <= s <= MAX_PAGE_MM for s in sides):
                raise TemplateError(
                    str(path),
                    None,
                    f"@page size '{value.strip()}' is not a real page: each side must be "
                    f"{MIN_PAGE_MM:g} to {MAX_PAGE_MM:g} mm",
                )
            if name.startswith("margin") and any(abs(s) > MAX_MARGIN_MM for s in sides):
                raise TemplateError(
                    str(path),
                    None,
                    f"@page {name} '{value.strip()}' is wider than {MAX_MARGIN_MM:g} mm",
                )
