"""The output formats: one registry of writers, read by build, compare, the command line's
`-f`, the API's `format=` and the web page's downloads.

A format is a module with a `write(page: Page) -> Written` function and one `register` line at
the end of this file. The module is imported only when its format is wanted (WeasyPrint and
python-docx take a second to import), and in worker processes ahead of the work when asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pcndocs.errors import PcndocsError

if TYPE_CHECKING:  # not at run time: `pcndocs --help` imports this module, not markdown-it
    from pcndocs.render.document import Document, PageInfo


@dataclass(frozen=True)
class Page:
    """Everything a writer may use to write one document."""

    document: Document
    info: PageInfo
    stylesheet: str  # the CSS of the HTML and PDF (the built-in one, or the user's, checked)
    folders: tuple[Path, ...]  # the template folders: the only place a stylesheet may fetch from
    logo: Path | None  # the network's logo, if its templates have one
    reference: Path | None  # the user's reference.docx (its Word styles), if any
    preface: str = ""  # HTML before the document's text (compare's key to its marks)
    author: str = "pcndocs"  # who signs tracked changes (compare's DOCX)


@dataclass(frozen=True)
class Written:
    """A document's bytes in one format, and the URLs its stylesheet was refused."""

    data: bytes
    refused: tuple[str, ...] = ()


class WriteFunction(Protocol):
    def __call__(self, page: Page) -> Written: ...


@dataclass(frozen=True)
class Writer:
    """One output format: its name, what it is sent as, and the module that writes it."""

    name: str  # as `-f` and `format=` take it, and the file's extension
    media_type: str  # what the web page sends it as
    module: str  # the module whose `write(page)` writes it, imported only when wanted
    default: bool = False  # built when no format is asked for
    uses_reference: bool = False  # a reference.docx among the templates is checked first
    slow_import: bool = False  # worth importing in the workers before the work comes

    def write(self, page: Page) -> Written:
        """Return the document of a page in this format."""
        function: WriteFunction = importlib.import_module(self.module).write
        return function(page)


class UnknownFormatError(PcndocsError):
    """A format asked for that no writer writes."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def message(self) -> str:
        return f"unknown format {self.name!r}; choose from {', '.join(WRITERS)}"


#: Every writer by its format's name, in the order `--help` and messages list them.
WRITERS: dict[str, Writer] = {}


def register(writer: Writer) -> Writer:
    """Add an output format (or replace the one of the same name); return its writer."""
    WRITERS[writer.name] = writer
    return writer


def unregister(name: str) -> None:
    """Remove an output format (a test's, once it is done)."""
    WRITERS.pop(name, None)


def writer_for(name: str) -> Writer:
    """Return the writer of a format, or raise UnknownFormatError."""
    try:
        return WRITERS[name]
    except KeyError:
        raise UnknownFormatError(name) from None


def default_formats() -> tuple[str, ...]:
    """Return the formats built when none is asked for."""
    return tuple(name for name, writer in WRITERS.items() if writer.default)


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """Return the formats asked for as `docx,pdf` (or several such), each once, in order.

    Case and spaces do not matter; nothing asked for is the default formats; a name no
    writer has raises UnknownFormatError. The command line's `-f` and the API's `format=`.
    """
    names = [part.strip().lower() for value in values for part in value.split(",")]
    formats = tuple(dict.fromkeys(name for name in names if name))
    for name in formats:
        writer_for(name)
    return formats or default_formats()


def slow_modules(formats: Iterable[str] | None = None) -> list[str]:
    """Return the modules of the writers (of these formats, or of all) slow to import."""
    wanted = WRITERS.values() if formats is None else [writer_for(f) for f in formats]
    return [writer.module for writer in wanted if writer.slow_import]


def writers_now() -> tuple[Writer, ...]:
    """Return every writer registered, to give a worker process started now the same ones."""
    return tuple(WRITERS.values())


def install(writers: Iterable[Writer]) -> None:
    """Register writers another process has (a worker's first act: see workers.WorkerPool)."""
    for writer in writers:
        register(writer)


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
register(
    Writer(
        "docx",
        WORD,
        "pcndocs.render.writers.docx",
        default=True,
        uses_reference=True,
        slow_import=True,
    )
)
register(
    Writer("pdf", "application/pdf", "pcndocs.render.writers.pdf", default=True, slow_import=True)
)
register(Writer("html", "text/html; charset=utf-8", "pcndocs.render.writers.html"))
