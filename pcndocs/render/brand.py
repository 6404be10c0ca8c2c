"""Checks a user's logo and reference.docx once, before any document is written.

Both come from the templates folder and may be anything: a file renamed, a zip bomb, a
picture of 20,000 by 20,000 pixels, a reference document with no section settings or with
margins wider than its page. Each is refused here with a one-line message, so that every
format treats them the same and no writer meets a file it cannot use.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from pcndocs.errors import InputFileError

#: A logo is shown 9 mm high: no use for one larger than this, in bytes or in pixels.
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4000
#: A reference document's parts are styles and settings: a few hundred KB in all.
MAX_REFERENCE_BYTES = 10 * 1024 * 1024
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_PARTS_BYTES = 50 * 1024 * 1024
#: The narrowest text a page may leave between its margins, in EMU (2 cm).
MIN_TEXT_EMU = 720_000
#: Styles the writer gives paragraphs, so they must be paragraph styles if the reference has them.
PARAGRAPH_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Header", "Footer")


def check_logo(path: Path) -> None:
    """Refuse a logo that is not a PNG or JPEG of sensible size, for every format alike."""
    _check_logo(path, *_stamp(path))


def check_reference(path: Path) -> None:
    """Refuse a reference.docx that the DOCX writer cannot use, saying why on one line."""
    _check_reference(path, *_stamp(path))


def _stamp(path: Path) -> tuple[int, int]:
    """Return a file's size and modification time: a changed file is checked again."""
    try:
        status = path.stat()
    except OSError as exc:
        raise InputFileError(
            path, f"cannot be read: {(exc.strerror or str(exc)).lower()}"
        ) from None
    return status.st_size, status.st_mtime_ns


@cache
def _check_logo(path: Path, size: int, _mtime: int) -> None:
    from PIL import Image  # WeasyPrint's own image library

    if size > MAX_LOGO_BYTES:
        raise InputFileError(path, f"is larger than {MAX_LOGO_BYTES >> 20} MB; use a smaller logo")
    data = path.read_bytes()
    if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        raise InputFileError(path, "is not a PNG or JPEG image; save the logo as one")
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header: no pixels yet
            width, height = image.size
            if not (0 < width <= MAX_LOGO_PIXELS and 0 < height <= MAX_LOGO_PIXELS):
                raise InputFileError(
                    path,
                    f"is {width} by {height} pixels; a logo must be at most "
                    f"{MAX_LOGO_PIXELS} by {MAX_LOGO_PIXELS}",
                )
            _decode_strictly(image)
    except InputFileError:
        raise
    except Image.DecompressionBombError:  # so many pixels that Pillow will not even open it
        raise InputFileError(
            path,
            f"has too many pixels; a logo must be at most {MAX_LOGO_PIXELS} by {MAX_LOGO_PIXELS}",
        ) from None
    except Exception:  # Pillow fails in many ways on a damaged file
        raise InputFileError(path, "is a damaged image; save the logo again") from None


def _decode_strictly(image: Any) -> None:
    """Decode every pixel once, so a damaged image is found here, not by a writer.

    WeasyPrint tells Pillow to accept truncated images for the whole process: not here.
    """
    from PIL import ImageFile

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


@cache
def _check_reference(path: Path, size: int, _mtime: int) -> None:
    from pcndocs.render.writers.docx import builtin_reference

    if path.resolve() == builtin_reference().resolve():
        return  # the built-in one is tested with pcndocs
    if size > MAX_REFERENCE_BYTES:
        raise _unusable(path, f"it is larger than {MAX_REFERENCE_BYTES >> 20} MB")
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unusable(path, "it is not a Word .docx file") from None
    biggest = max(parts, key=lambda p: p.file_size, default=None)
    if biggest is not None and biggest.file_size > MAX_PART_BYTES:
        raise _unusable(path, f"its part {biggest.filename} would unpack to more than 20 MB")
    if sum(p.file_size for p in parts) > MAX_PARTS_BYTES:
        raise _unusable(path, "its parts would unpack to more than 50 MB")
    _check_contents(path)


def _check_contents(path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    try:
        word = docx.Document(str(path))
        sections = list(word.sections)
        styles = {style.name: style.type for style in word.styles}
    except Exception:  # a damaged part fails deep in python-docx or lxml, in many ways
        raise _unusable(path, "it is not a Word .docx file that can be read") from None
    if not sections or word.element.body.sectPr is None:
        raise _unusable(path, "it has no page settings (section properties); save it in Word")
    for section in sections:
        width, height = section.page_width, section.page_height
        if width is None or height is None:
            raise _unusable(path, "it has no page size; save it in Word")
        across = (section.left_margin or 0) + (section.right_margin or 0)
        down = (section.top_margin or 0) + (section.bottom_margin or 0)
        if width - across < MIN_TEXT_EMU or height - down < MIN_TEXT_EMU:
            raise _unusable(path, "its margins leave less than 2 cm of the page for text")
    try:
        word.part.numbering_part  # noqa: B018 (python-docx raises when there is none)
    except NotImplementedError:
        raise _unusable(
            path, "it has no list numbering part; add a numbered list in Word"
        ) from None
    for name in PARAGRAPH_STYLES:
        if name in styles and styles[name] != WD_STYLE_TYPE.PARAGRAPH:
            raise _unusable(path, f"its style '{name}' is not a paragraph style")
    _trial(path)


def _trial(path: Path) -> None:
    """Write a small document with every kind of block, to find what the checks above miss."""
    from pcndocs.render.document import PageInfo, parse_markdown
    from pcndocs.render.writers.docx import write_docx

    sample = parse_markdown(
        "# Title\n\n## Heading\n\nText with **bold**.\n\n- one\n  - two\n\n"
        "1. first\n   1. second\n\n- [ ] tick\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "> quote\n\n::: signature\nName\n:::\n"
    )
    info = PageInfo("Title", "Network", "Subject", "Author", "Keywords", datetime(2025, 4, 1))
    try:
        write_docx(sample, info, path, None, datetime(2025, 4, 1))
    except InputFileError:
        raise
    except Exception as exc:  # the reference is the user's file: its fault is theirs to mend
        raise _unusable(path, f"Word's parts are not as expected ({type(exc).__name__})") from None


def _unusable(path: Path, why: str) -> InputFileError:
    return InputFileError(path, f"cannot be used as a reference document: {why}")
