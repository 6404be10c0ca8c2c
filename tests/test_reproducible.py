"""The same profile and templates give the same bytes, with timestamps we choose."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.resources import example_profile
from tests.writer_samples import SAMPLE

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

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
    # The example profile was approved on 20 March 2026.
    written = build(tmp_path, templates)
    docx_path = next(p for p in written if p.suffix == ".docx")
    props = docx.Document(str(docx_path)).core_properties
    assert props.created == datetime(2026, 3, 20, tzinfo=UTC)
    with zipfile.ZipFile(docx_path) as package:
        assert {info.date_time for info in package.infolist()} == {(2026, 3, 20, 0, 0, 0)}
    pdf_path = next(p for p in written if p.suffix == ".pdf")
    metadata = PdfReader(pdf_path).metadata
    assert metadata is not None
    assert str(metadata["/CreationDate"]).startswith("D:20260320000000")


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


def test_exported_templates_build_the_same_bytes_as_the_built_in_ones(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    runner = CliRunner()
    result = runner.invoke(cli, ["templates", "export", str(folder)])
    assert result.exit_code == 0, result.output
    for name in ("pdf.css", "reference.docx", "cd-job-description.md"):
        assert (folder / name).is_file()
    assert (folder / "partials").is_dir()
    options = BuildOptions(
        out=tmp_path / "out", formats=("docx", "pdf", "html"), documents=("cd-job-description",)
    )
    built_in = build_profile(example_profile(), options).written
    exported = build_profile(
        example_profile(), replace(options, out=tmp_path / "mine-out", templates=folder)
    ).written
    assert [p.read_bytes() for p in built_in] == [p.read_bytes() for p in exported]


def test_export_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "mine"
    assert runner.invoke(cli, ["templates", "export", str(folder)]).exit_code == 0
    (folder / "pdf.css").write_text("/* changed */", encoding="utf-8")
    again = runner.invoke(cli, ["templates", "export", str(folder)])
    assert again.exit_code == 1
    assert "already exists" in again.output and "--force" in again.output
    assert len(again.output.strip().splitlines()) == 1
    assert (folder / "pdf.css").read_text(encoding="utf-8") == "/* changed */"
    forced = runner.invoke(cli, ["templates", "export", "--force", str(folder)])
    assert forced.exit_code == 0
    assert (folder / "pdf.css").read_text(encoding="utf-8") != "/* changed */"
