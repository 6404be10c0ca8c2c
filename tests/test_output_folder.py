"""The output folder cannot be turned against the user: links, damaged records, FIFOs, Excel.

Each case is one line (exit 1 where nothing could be written, exit 0 with a warning where a
fresh record does), never a traceback, never a wait, never a write through a link.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pcndocs.files import clean_temporaries
from pcndocs.resources import example_profile

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

FAST = ["-f", "html", "-d", "leadership-summary"]
FOLDER = "riverside-primary-care-network"
# A FIFO waits for ever for a reader or writer: any run that would open one is stopped here.
SECONDS = 120


def _build(out: Path, *args: str, profile: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pcndocs", "build", "-o", str(out), *FAST, *args]
    return subprocess.run(
        [*command, str(profile or example_profile())],
        capture_output=True,
        text=True,
        timeout=SECONDS,
    )


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """Return an output folder holding one build of the example."""
    out = tmp_path / "out"
    result = _build(out)
    assert result.returncode == 0, result.stderr
    return out


def _one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], result.stderr


# --- Links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("where", [".pcndocs", f"{FOLDER}/.pcndocs", ".pcndocs/lock"])
def test_a_link_where_pcndocs_keeps_its_records_is_refused(where: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    link = out / where
    link.parent.mkdir(parents=True)
    target = elsewhere if not where.endswith("lock") else elsewhere / "lock"
    link.symlink_to(target, target_is_directory=not where.endswith("lock"))
    result = _build(out)
    _one_line_error(result, str(link), "is a link")
    assert list(elsewhere.iterdir()) == []  # nothing written through it


def test_a_template_link_out_of_its_folder_is_refused_before_it_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "outside.md"
    os.mkfifo(fifo)  # reading it would wait for ever: refused before it is opened
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "leadership-summary.md").symlink_to(fifo)
    result = _build(tmp_path / "out", "--templates", str(templates))
    _one_line_error(result, "leadership-summary.md", "outside the template folders")


def test_a_fifo_as_a_template_is_refused(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    os.mkfifo(templates / "leadership-summary.md")
    result = _build(tmp_path / "out", "--templates", str(templates))
    _one_line_error(result, "leadership-summary.md", "is not a file")


# --- Damaged records -------------------------------------------------------------------------

DAMAGED = {
    "a list": "[1, 2, 3]",
    "null": "null",
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "networks a list": json.dumps({"version": 1, "networks": []}),
    "outputs a list": json.dumps(
        {"version": 1, "networks": {FOLDER: {"outputs": [], "files": {}}}}
    ),
    "a path out": json.dumps(
        {
            "version": 1,
            "networks": {FOLDER: {"files": {"../../../etc/passwd": ["0" * 64, 1]}, "outputs": {}}},
        }
    ),
    "a folder out": json.dumps(
        {"version": 1, "networks": {"../elsewhere": {"files": {}, "outputs": {}}}}
    ),
    "a formula": json.dumps(
        {
            "version": 1,
            "networks": {FOLDER: {"files": {"=cmd|'/c calc'!A1": ["0" * 64, 1]}}},
        }
    ),
    "size not a number": json.dumps(
        {"version": 1, "networks": {FOLDER: {"files": {"a.html": ["0" * 64, "x"]}}}}
    ),
}


@pytest.mark.parametrize("text", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_record_gives_one_line_and_a_fresh_one(built: Path, text: str) -> None:
    manifest = built / ".pcndocs" / "manifest.json"
    manifest.write_text(text, encoding="utf-8")
    result = _build(built, "--force")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    damaged = [line for line in result.stderr.splitlines() if "is damaged" in line]
    assert len(damaged) == 1, result.stderr
    assert damaged[0].startswith(f"warning: {manifest}: the record of what pcndocs wrote")
    again = _build(built, "--force")
    assert again.returncode == 0 and "damaged" not in again.stderr, again.stderr
    with (built / "index.csv").open(encoding="utf-8", newline="") as stream:
        files = [row["file"] for row in csv.DictReader(stream)]
    assert files == [f"{FOLDER}/leadership-summary.html"]


def test_an_index_with_a_field_over_the_csv_limit_is_replaced(built: Path) -> None:
    index = built / "index.csv"
    index.write_text('network,file\n"' + "x" * 300_000 + '",a/b.html\n', encoding="utf-8")
    result = _build(built, "--force")
    assert result.returncode == 0, result.stderr
    assert f"kept: {index} had been changed" in result.stderr
    assert (built / "index.edited-1.csv").stat().st_size > 300_000


def test_index_cells_that_excel_would_run_are_written_as_text(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["network"]["name"] = '=HYPERLINK("http://evil.example","Riverside")'
    profile = tmp_path / "network.yaml"
    profile.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = _build(tmp_path / "out", profile=profile)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "index.csv").open(encoding="utf-8", newline="") as stream:
        (row,) = csv.DictReader(stream)
    assert row["network"] == "'" + data["network"]["name"]
    for cell in row.values():
        assert cell[:1] not in ("=", "+", "-", "@")


# --- Special files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        f"{FOLDER}/leadership-summary.html",
        "index.csv",
        ".pcndocs/manifest.json",
        f".pcndocs/journal-{os.getpid()}.txt",
        f"{FOLDER}/.pcndocs/profile.yaml",
    ],
)
def test_a_fifo_where_an_output_goes_is_reported_never_waited_on(built: Path, where: str) -> None:
    fifo = built / where
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    result = _build(built, "--force")
    assert "Traceback" not in result.stderr
    if where.endswith("journal-" + str(os.getpid()) + ".txt"):
        assert result.returncode == 0, result.stderr  # another process's journal: left alone
    else:
        assert result.returncode == 1, result.stderr
        assert f"{fifo}" in result.stderr and "is not a file" in result.stderr
    assert fifo.is_fifo()


def test_a_fifo_where_a_redline_goes_is_reported_never_waited_on(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    data["clinical_directors"][0]["name"] = "Dr Someone Else"
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    (out / FOLDER).mkdir(parents=True)
    fifo = out / FOLDER / "leadership-summary-changes.html"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "pcndocs", "compare", "-o", str(out), *FAST]
    result = subprocess.run(
        [*command, str(old), str(new)], capture_output=True, text=True, timeout=SECONDS
    )
    _one_line_error(result, str(fifo), "is not a file")


# --- Temporaries -----------------------------------------------------------------------------


@pytest.mark.parametrize("again", [["--force"], []], ids=["building again", "up to date"])
def test_temporaries_a_killed_build_left_in_the_records_are_cleaned(
    built: Path, again: list[str]
) -> None:
    """By the next build, whether it builds again or finds everything up to date."""
    dead = 999_999_999  # no process has this number
    left = [
        built / f".index.csv.{dead}.abc123.tmp",
        built / ".pcndocs" / f".manifest.json.{dead}.abc123.tmp",
        built / FOLDER / ".pcndocs" / f".profile.yaml.{dead}.abc123.tmp",
        built / FOLDER / f".leadership-summary.html.{dead}.abc123.tmp",
    ]
    for path in left:
        path.write_text("half", encoding="utf-8")
    result = _build(built, *again)
    assert result.returncode == 0, result.stderr
    assert ("up to date" in result.stdout) == (not again)
    assert [p for p in left if p.exists()] == []


def test_temporaries_are_never_cleaned_through_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = elsewhere / ".notes.txt.999999999.abc.tmp"
    theirs.write_text("someone's", encoding="utf-8")
    (tmp_path / "link").symlink_to(elsewhere, target_is_directory=True)
    assert clean_temporaries(tmp_path / "link") == []
    assert theirs.exists()
