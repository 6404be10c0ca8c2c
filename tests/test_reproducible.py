"""The same profile and templates give the same bytes, with timestamps we choose."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from pcndocs.build import BuildOptions, build_profile
from pcndocs.resources import example_profile
from tests.writer_samples import SAMPLE

DOCUMENTS = ("cd-job-description", "schedule-1")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A templates folder with a logo and a schedule with tick boxes, tables and lists."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("templates")
    (folder / "schedule-1.md").write_text(SAMPLE, encoding="utf-8")
    Image.new("RGB", (200, 100), (0, 94, 184)).save(folder / "logo.png")
    return folder


def build(out: Path, templates: Path, formats: tuple[str, ...] = ("docx", "pdf")) -> list[Path]:
    options = BuildOptions(out=out, formats=formats, documents=DOCUMENTS, templates=templates)
    return build_profile(example_profile(), options).written


def test_a_second_build_gives_the_same_bytes(tmp_path: Path, templates: Path) -> None:
    first = build(tmp_path / "first", templates)
    second = build(tmp_path / "second", templates)
    assert [p.name for p in first] == [p.name for p in second]
    assert len(first) == 4
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_timestamps_come_from_the_profile_date(tmp_path: Path, templates: Path) -> None:
    # The example profile was approved on 20 March 2025.
    written = build(tmp_path, templates)
    docx_path = next(p for p in written if p.suffix == ".docx")
    props = docx.Document(str(docx_path)).core_properties
    assert props.created == datetime(2025, 3, 20, tzinfo=UTC)
    with zipfile.ZipFile(docx_path) as package:
        assert {info.date_time for info in package.infolist()} == {(2025, 3, 20, 0, 0, 0)}
    pdf_path = next(p for p in written if p.suffix == ".pdf")
    metadata = PdfReader(pdf_path).metadata
    assert metadata is not None
    assert str(metadata["/CreationDate"]).startswith("D:20250320000000")


def test_source_date_epoch_sets_the_timestamps(
    tmp_path: Path, templates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = datetime(2025, 6, 1, 12, 30, 0, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(moment.timestamp())))
    written = build(tmp_path / "epoch", templates)
    docx_path = next(p for p in written if p.suffix == ".docx")
    assert docx.Document(str(docx_path)).core_properties.modified == moment
    with zipfile.ZipFile(docx_path) as package:
        assert {info.date_time for info in package.infolist()} == {(2025, 6, 1, 12, 30, 0)}
    pdf_path = next(p for p in written if p.suffix == ".pdf")
    metadata = PdfReader(pdf_path).metadata
    assert metadata is not None
    assert str(metadata["/ModDate"]).startswith("D:20250601123000")
    again = build(tmp_path / "again", templates)
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]
