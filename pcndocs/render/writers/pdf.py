"""Renders an HTML page to an accessible PDF with WeasyPrint: the only module that imports it."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pydyf

from pcndocs.errors import RenderLimitError
from pcndocs.render.limits import OverMemoryError, OverTimeError, in_worker, process_limits
from pcndocs.render.writers.html import logo_uri, render_page
from pcndocs.render.writers.libraries import load_weasyprint
from pcndocs.render.writers.registry import Page, Written

load_weasyprint()  # first: its libraries found with one program rather than 87

from weasyprint import CSS, HTML, URLFetcher  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

log = logging.getLogger(__name__)

#: The most pages one document may have: the longest real one has about 20; a stylesheet
#: that makes more (a tiny page, a huge font) is a mistake, refused before it is all laid out.
MAX_PAGES = 200
#: How long one PDF may take to render, and how much more memory it may use (as templates).
PDF_SECONDS = 60.0
PDF_MEMORY = 1 << 30
#: How many of WeasyPrint's messages one render may print; the rest are counted in one line.
MAX_MESSAGES = 10

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


def write(page: Page) -> Written:
    """Return a page as a PDF: the registry's writer of the "pdf" format.

    Its identifier comes from the network and the title, so a rebuild is the same file.
    """
    info = page.info
    identifier = hashlib.sha256(f"{info.network}\n{info.title}".encode()).hexdigest()[:32]
    html = render_page(page.document, info, logo=logo_uri(page.logo), preface=page.preface)
    data, refused = write_pdf(html, page.stylesheet, page.folders, identifier.encode())
    return Written(data, tuple(refused))


def write_pdf(
    html: str, css_text: str, folders: Sequence[Path], identifier: bytes
) -> tuple[bytes, list[str]]:
    """Return the PDF of an HTML page and the URLs that were refused while rendering it.

    Raises RenderLimitError if the document would have more than MAX_PAGES pages, or takes
    longer than PDF_SECONDS or more than PDF_MEMORY to render.
    """
    with _bounded():
        # Relative URLs resolve in the first folder, the user's when there is one: a user's
        # stylesheet names its own images (the built-in one names none).
        base_url = folders[0].resolve().as_uri() + "/"
        css, css_refused = _stylesheet(css_text, base_url, tuple(folders))
        fetcher = FolderFetcher(folders)
        options: dict[str, Any] = {
            "pdf_variant": "pdf/ua-1",
            "pdf_forms": True,
            "pdf_identifier": identifier,
            "custom_metadata": True,
        }
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[css], font_config=_font_config(), **options
        )
        if len(document.pages) > MAX_PAGES:  # the count as laid out, should the watch miss it
            raise _TooManyPagesError
        pdf = document.write_pdf(finisher=_scope_table_headers, **options)
    return pdf, [*css_refused, *fetcher.refused]


class _TooManyPagesError(BaseException):
    """Raised while WeasyPrint lays out the page after the last allowed one; a BaseException
    so that no `except Exception` inside WeasyPrint goes on with the layout."""


class _PastDeadlineError(BaseException):
    """Raised as a page is begun after the render's deadline (as _TooManyPagesError)."""


class _Watch(threading.local):
    """What the render under way in this thread may still do: pages, time, messages."""

    active = False
    deadline = 0.0
    messages = 0


_watch = _Watch()


class _PageWatch(logging.Handler):
    """Stops a layout at page MAX_PAGES + 1, or past the deadline, from WeasyPrint's own
    progress messages ("Step 5 - Creating layout - Page 201"): in any thread, where no
    alarm can reach."""

    def emit(self, record: logging.LogRecord) -> None:
        if not _watch.active:
            return
        if time.monotonic() > _watch.deadline:
            raise _PastDeadlineError
        if str(record.msg).startswith("Step 5 - Creating layout - Page") and record.args:
            number = record.args[0] if isinstance(record.args, tuple) else 0
            if isinstance(number, int) and number > MAX_PAGES:
                raise _TooManyPagesError


class _FewMessages(logging.Filter):
    """Lets at most MAX_MESSAGES of WeasyPrint's messages through per render, counting the rest:
    a stylesheet of ten thousand mistakes prints eleven lines, not ten thousand."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _watch.active:
            return True
        _watch.messages += 1
        return _watch.messages <= MAX_MESSAGES


def _install_watches() -> None:
    # Once per process. The progress messages are watched, not printed: they no longer reach
    # the terminal with -v, which they only flooded.
    progress = logging.getLogger("weasyprint.progress")
    progress.setLevel(logging.INFO)
    progress.propagate = False
    progress.addHandler(_PageWatch())
    logging.getLogger("weasyprint").addFilter(_FewMessages())


_install_watches()


@contextlib.contextmanager
def _bounded() -> Iterator[None]:
    """Bound one render: pages, time and memory, and the messages it prints."""
    _watch.active = True
    _watch.deadline = time.monotonic() + PDF_SECONDS
    _watch.messages = 0
    try:
        # Memory only in a worker: under the limit, the libraries WeasyPrint calls (GLib,
        # Pango) may end the process rather than fail, which a worker may do (its build
        # fails with one line) but the command the user ran must not.
        with process_limits(PDF_SECONDS, PDF_MEMORY if in_worker() else 0):
            yield
    except _TooManyPagesError:
        raise RenderLimitError(
            f"the PDF would be longer than {MAX_PAGES} pages: check the stylesheet"
        ) from None
    except (OverTimeError, _PastDeadlineError):
        raise RenderLimitError(
            f"the PDF took longer than {PDF_SECONDS:g} seconds to make: check the stylesheet"
        ) from None
    except (OverMemoryError, MemoryError):
        raise RenderLimitError(
            f"the PDF needed more than {PDF_MEMORY >> 20:,} MB to make: check the stylesheet"
        ) from None
    except RecursionError:
        raise RenderLimitError(
            "the PDF's stylesheet nests too deep to lay out: check the stylesheet"
        ) from None
    finally:
        dropped = _watch.messages - MAX_MESSAGES
        _watch.active = False
        if dropped > 0:
            log.warning("%d more messages of WeasyPrint about this document were left out", dropped)


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
