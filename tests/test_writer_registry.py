"""One registry of writers: a format registered once is built by `build` (in this process and
on worker processes), taken by `-f` and sent by the API.

The dummy format here is plain text: this module's `write` is its writer.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.render.document import plain_text
from pcndocs.render.writers.registry import (
    WRITERS,
    Page,
    UnknownFormatError,
    Writer,
    Written,
    default_formats,
    parse_formats,
    register,
    unregister,
)
from pcndocs.resources import example_profile
from pcndocs.web.app import Settings, create_app

TODAY = date(2026, 11, 28)
TEXT = Writer("txt", "text/plain; charset=utf-8", __name__)


def write(page: Page) -> Written:
    """Return a document as plain text, under its title."""
    return Written(f"{page.info.title}\n\n{plain_text(page.document.tree)}".encode())


@pytest.fixture
def text_format() -> Iterator[Writer]:
    register(TEXT)
    yield TEXT
    unregister(TEXT.name)


def test_formats_are_parsed_once_for_the_command_line_and_the_api() -> None:
    assert parse_formats([]) == default_formats() == ("docx", "pdf")
    assert parse_formats([" PDF , docx", "pdf", ""]) == ("pdf", "docx")
    assert parse_formats(["html"]) == ("html",)
    with pytest.raises(UnknownFormatError, match="unknown format 'odt'; choose from docx, pdf"):
        parse_formats(["pdf,odt"])


def test_a_registered_format_is_built_in_this_process(text_format: Writer, tmp_path: Path) -> None:
    options = BuildOptions(tmp_path, (text_format.name,), ("schedule-1",), today=TODAY)
    result = build_profile(example_profile(), options)
    [written] = result.written
    assert written.name == "schedule-1.txt"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("Schedule 1")
    assert "Riverside Primary Care Network" in text


@pytest.mark.e2e
def test_a_registered_format_goes_through_the_command_line_and_the_workers(
    text_format: Writer, tmp_path: Path
) -> None:
    # Two jobs: the documents are written by worker processes, which had the format given.
    args = ["-q", "build", "-j", "2", "-f", "txt,pdf", "-o", str(tmp_path), str(example_profile())]
    built = CliRunner().invoke(cli, args)
    assert built.exit_code == 0, built.output
    folder = tmp_path / "riverside-primary-care-network"
    texts = sorted(p.name for p in folder.glob("*.txt"))
    assert len(texts) == len(list(folder.glob("*.pdf"))) > 3
    assert "Riverside Primary Care Network" in (folder / "schedule-1.txt").read_text()
    unregister(text_format.name)
    refused = CliRunner().invoke(cli, ["build", "-f", "txt", str(example_profile())])
    assert refused.exit_code == 2
    assert "unknown format 'txt'" in refused.output


@pytest.mark.e2e
def test_a_registered_format_goes_through_the_api(text_format: Writer) -> None:
    body = example_profile().read_bytes()
    with TestClient(create_app(Settings(today=TODAY, workers=1)), "http://127.0.0.1") as client:
        answer = client.post("/api/build?format=txt", content=body)
        assert answer.status_code == 200, answer.text
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        names = archive.namelist()
        assert names and all(name.endswith(".txt") for name in names)
        text = archive.read("riverside-primary-care-network/schedule-1.txt").decode()
        assert text.startswith("Schedule 1")
        refused = client.post("/api/build?format=odt", content=body)
        assert refused.status_code == 400
        assert refused.json()["error"] == "unknown format 'odt'; choose from docx, pdf, html, txt"


def test_the_built_in_writers() -> None:
    assert list(WRITERS)[:3] == ["docx", "pdf", "html"]
    assert [w.name for w in WRITERS.values() if w.uses_reference] == ["docx"]
