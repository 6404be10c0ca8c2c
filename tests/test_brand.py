"""A user's logo and reference.docx: checked once, with limits, the same in every format."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.resources import builtin_templates, example_profile
from tests.readback import documents_in

Change = Callable[[dict[str, bytes]], None]


def _reference(folder: Path, change: Change) -> Path:
    """Write a reference.docx: the built-in one with its parts changed."""
    with zipfile.ZipFile(builtin_templates() / "reference.docx") as package:
        parts = {name: package.read(name) for name in package.namelist()}
    change(parts)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "reference.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def _sub(part: str, pattern: str, replacement: str) -> Change:
    def change(parts: dict[str, bytes]) -> None:
        text = parts[part].decode("utf-8")
        changed = re.sub(pattern, replacement, text, count=1, flags=re.DOTALL)
        assert changed != text
        parts[part] = changed.encode("utf-8")

    return change


def _drop_numbering(parts: dict[str, bytes]) -> None:
    del parts["word/numbering.xml"]
    _sub("word/_rels/document.xml.rels", r"<Relationship [^>]*numbering[^>]*/>", "")(parts)
    _sub("[Content_Types].xml", r"<Override [^>]*numbering[^>]*/>", "")(parts)


def _bomb(parts: dict[str, bytes]) -> None:
    parts["word/media/padding.bin"] = bytes(30 * 1024 * 1024)  # 30 MB of zeros: 30 KB zipped


REFERENCES: dict[str, tuple[Change, str]] = {
    "broken styles": (_sub("word/styles.xml", r"</w:styles>", ""), "that can be read"),
    "broken document": (_sub("word/document.xml", r"<w:body>", "<w:body"), "that can be read"),
    "no section settings": (
        _sub("word/document.xml", r"<w:sectPr.*</w:sectPr>", ""),
        "it has no page settings",
    ),
    "no numbering part": (_drop_numbering, "it has no list numbering part"),
    "odd numbering": (
        _sub("word/numbering.xml", r"<w:lvl .*</w:lvl>", ""),
        "",
    ),
    "header style of the wrong type": (
        _sub(
            "word/styles.xml",
            r'w:type="paragraph" w:styleId="Header"',
            'w:type="table" w:styleId="Header"',
        ),
        "its style 'Header' is not a paragraph style",
    ),
    "margins wider than the page": (
        _sub("word/document.xml", r'w:left="1134"', 'w:left="11000"'),
        "its margins leave less than 2 cm of the page for text",
    ),
    "zip bomb": (_bomb, "would unpack to more than 20 MB"),
}


def _build(folder: Path, out: Path, formats: str) -> tuple[int, str]:
    arguments = ["build", "-f", formats, "-d", "leadership-summary", "--templates", str(folder)]
    result = CliRunner().invoke(cli, [*arguments, "-o", str(out), str(example_profile())])
    return result.exit_code, result.stderr


@pytest.mark.e2e
@pytest.mark.parametrize("name", REFERENCES)
def test_a_malformed_reference_is_refused_with_one_line_or_used(name: str, tmp_path: Path) -> None:
    change, reason = REFERENCES[name]
    path = _reference(tmp_path / "mine", change)
    code, stderr = _build(tmp_path / "mine", tmp_path / "out", "docx")
    if not reason:  # what the writer can do without (it borrows the built-in numbering)
        assert code == 0, stderr
        assert len(documents_in(tmp_path / "out")) == 1
        return
    assert code == 1, stderr
    assert stderr.startswith(f"error: {path}: cannot be used as a reference document: ")
    assert reason in stderr
    assert stderr.count("\n") == 1
    assert documents_in(tmp_path / "out") == []


def _png(width: int, height: int, pixels: bytes | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    if pixels is None:  # white; a huge image gets one row, as its header refuses it
        rows = height if width * height <= 1_000_000 else 1
        pixels = zlib.compress((b"\x00" + b"\xff\xff\xff" * width) * rows)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
    return png + chunk(b"IEND", b"")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is text", "is not a PNG or JPEG image; save the logo as one"),
        (_png(5000, 100), "is 5000 by 100 pixels; a logo must be at most 4000 by 4000"),
        (_png(20000, 20000), "has too many pixels; a logo must be at most 4000 by 4000"),
        (b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024), "is larger than 2 MB; use a smaller logo"),
        (_png(400, 400, b"damaged" * 1000), "is a damaged image; save the logo again"),
    ],
)
@pytest.mark.parametrize("formats", ["html", "pdf", "docx"])
def test_a_logo_is_checked_the_same_in_every_format(
    data: bytes, reason: str, formats: str, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "logo.png").write_bytes(data)
    code, stderr = _build(folder, tmp_path / "out", formats)
    assert code == 1
    assert stderr == f"error: {folder / 'logo.png'}: {reason}\n"
    assert documents_in(tmp_path / "out") == []


@pytest.mark.e2e
def test_a_sensible_logo_appears_in_every_format(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "logo.png").write_bytes(_png(40, 20))
    code, stderr = _build(folder, tmp_path / "out", "html,pdf,docx")
    assert code == 0, stderr
    assert len(documents_in(tmp_path / "out")) == 3
