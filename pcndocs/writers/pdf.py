"""Renders an HTML page to an accessible PDF with WeasyPrint: the only module that imports it."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pydyf

from pcndocs.writers.libraries import load_weasyprint

load_weasyprint()  # first: its libraries found with one program rather than 87

from weasyprint import CSS, HTML, URLFetcher  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

log = logging.getLogger(__name__)

#: pydyf compresses every stream at zlib's level 9; level 6 measured 4 to 5% less PDF CPU
#: for files about 2% larger. pydyf has no setting for it, so its zlib is given this level.
PDF_ZLIB_LEVEL = 6


class _Zlib:
    """zlib as pydyf calls it, at PDF_ZLIB_LEVEL."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(PDF_ZLIB_LEVEL, *args, **kwargs)


pydyf.zlib = _Zlib


class FolderFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches only data: URIs and files inside the given folders; refuses the rest."""

    def __init__(self, folders: Sequence[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.folders = [folder.resolve() for folder in folders]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """Return the resource at url, or raise ValueError if it lies outside the folders.

        A relative URL resolves against the first (the user's) folder; a file missing
        there is looked for at the same place in the next folders, the built-in last.
        """
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == "file" and not parsed.netloc:
            path = Path(unquote(parsed.path)).resolve()
            if self.folders and path.is_relative_to(self.folders[0]) and not path.exists():
                relative = path.relative_to(self.folders[0])
                path = next(
                    (f / relative for f in self.folders[1:] if (f / relative).is_file()), path
                )
            if any(path.is_relative_to(folder) for folder in self.folders):
                return super().fetch(path.as_uri(), headers)
        self.refused.append(url)
        raise ValueError(f"pcndocs fetches only files in the template folders, not {url}")


@cache
def _font_config() -> FontConfiguration:
    # One font configuration per process: building it scans the system's fonts.
    return FontConfiguration()


@cache
def _stylesheet(css_text: str, base_url: str, folders: tuple[Path, ...]) -> tuple[CSS, list[str]]:
    # Parsed once per process for each distinct stylesheet, then reused for every document.
    fetcher = FolderFetcher(folders)
    css = CSS(string=css_text, base_url=base_url, font_config=_font_config(), url_fetcher=fetcher)
    return css, fetcher.refused


def write_pdf(
    html: str, css_text: str, folders: Sequence[Path], identifier: bytes
) -> tuple[bytes, list[str]]:
    """Return the PDF of an HTML page and the URLs that were refused while rendering it."""
    # Relative URLs resolve in the first folder, the user's when there is one: a user's
    # stylesheet names its own images (the built-in one names none).
    base_url = folders[0].resolve().as_uri() + "/"
    css, css_refused = _stylesheet(css_text, base_url, tuple(folders))
    fetcher = FolderFetcher(folders)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf = document.write_pdf(
        stylesheets=[css],
        font_config=_font_config(),
        pdf_variant="pdf/ua-1",
        pdf_forms=True,
        pdf_identifier=identifier,
        custom_metadata=True,
        finisher=_scope_table_headers,
    )
    return pdf, [*css_refused, *fetcher.refused]


def _scope_table_headers(_document: Any, pdf: Any) -> None:
    """Give every table header cell a /Scope: Column in a table's head, Row in its body.

    WeasyPrint links data cells to their headers with /Headers and /ID; PDF/UA checkers
    and some screen readers look for /Scope on the header cell itself, so it gets both.
    """
    items = [item for item in pdf.objects if isinstance(item, dict)]
    by_reference: dict[Any, Any] = {getattr(item, "reference", None): item for item in items}
    for item in items:
        if item.get("S") != "/TH":
            continue
        row = by_reference.get(item.get("P"))
        section = by_reference.get(row.get("P")) if row is not None else None
        in_head = section is not None and section.get("S") == "/THead"
        attributes = item.get("A")
        if isinstance(attributes, dict):
            attributes["Scope"] = "/Column" if in_head else "/Row"
