"""A build stopped at any moment leaves every earlier document whole and no partial file.

Documents are written to hidden temporaries (.NAME.PID.RANDOM.tmp) and renamed over the
old ones. Ctrl-C and SIGTERM remove the temporary being written; SIGKILL cannot be caught,
so it may leave one, which the next build of that folder removes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from pypdf import PdfReader

from pcndocs.files import clean_temporaries
from tests.readback import docx_text, pdf_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")]

NETWORKS = ("Alpha Primary Care Network", "Beta Primary Care Network", "Gamma Network")
BUILD = ["build", "-f", "html,docx,pdf", "-d", "cd-job-description"]

# Runs the CLI with its first fsync made to announce itself (by creating the file named
# first) and then wait: the moment a document's bytes are in its temporary but not renamed.
_PAUSED_IN_WRITE = """
import os, pathlib, sys, time
marker = pathlib.Path(sys.argv[1])
real_fsync = os.fsync
def paused(fd):
    if marker.exists():  # only the first file: the index and the record are written as usual
        return real_fsync(fd)
    marker.touch()
    time.sleep(60)
os.fsync = paused
import pcndocs.cli
sys.argv = ["pcndocs", *sys.argv[2:]]
pcndocs.cli.main()
"""


def _profiles(example: dict[str, Any], folder: Path, author: str) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name in NETWORKS:
        data = {
            **example,
            "network": {**example["network"], "name": name},
            "document_control": {**example["document_control"], "author": author},
        }
        path = folder / f"{name.split()[0].lower()}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pcndocs", *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _snapshot(out: Path) -> dict[Path, bytes]:
    """Return the visible documents of an output folder and their bytes."""
    return {
        p: p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(out).parts)
        and p.name != "index.csv"
    }


def _temporaries(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob(".*.tmp"))


def _is_whole(path: Path, marker: str) -> bool:
    """Return whether a document opens and holds the marker text (a newer build's)."""
    if path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        return text.rstrip().endswith("</html>") and marker in text
    if path.suffix == ".docx":
        docx.Document(str(path))
        return marker in docx_text(path)
    PdfReader(str(path))
    return marker in squash(pdf_text(path))


def _wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[Any], seconds: float = 120
) -> None:
    """Wait until a condition holds while a build runs; fail if it ends or takes too long."""
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the build ended first, with code {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the build")
        time.sleep(0.005)


@pytest.fixture(scope="module")
def earlier(
    example_data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Path], dict[Path, bytes]]:
    """Return an output folder with three networks' documents, their profiles and bytes."""
    folder = tmp_path_factory.mktemp("interrupt")
    paths = _profiles(example_data, folder / "v1", "Earlier Author")
    out = folder / "out"
    result = _cli(*BUILD, "-o", str(out), *map(str, paths))
    assert result.returncode == 0, result.stderr
    documents = _snapshot(out)
    assert len(documents) == 9
    return out, paths, documents


@pytest.fixture
def earlier_copy(
    earlier: tuple[Path, list[Path], dict[Path, bytes]], tmp_path: Path
) -> tuple[Path, dict[Path, bytes]]:
    """Return a fresh copy of the earlier build (its record too), to be overwritten by one test.

    With its record: documents pcndocs has no record of writing are kept, not replaced.
    """
    import shutil

    out, _, documents = earlier
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    snapshot = {copy / path.relative_to(out): data for path, data in documents.items()}
    return copy, snapshot


def test_sigkill_part_way_leaves_earlier_documents_unchanged(
    earlier_copy: tuple[Path, dict[Path, bytes]], example_data: dict[str, Any], tmp_path: Path
) -> None:
    out, before = earlier_copy
    paths = _profiles(example_data, tmp_path / "v2", "Later Author")
    process = subprocess.Popen(
        [sys.executable, "-m", "pcndocs", *BUILD, "-o", str(out), *map(str, paths)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Kill as soon as the first new document has replaced an earlier one.
        _wait_for(lambda: _snapshot(out) != before, process)
    finally:
        process.kill()
        process.wait()
    after = _snapshot(out)
    assert set(after) == set(before)  # no new visible file, none lost
    unchanged = [p for p in before if after[p] == before[p]]
    replaced = [p for p in before if after[p] != before[p]]
    assert replaced, "the build was killed before it replaced anything"
    assert unchanged, "the build finished before it was killed"
    for path in replaced:
        assert _is_whole(path, "Later Author"), path
    # SIGKILL may leave a temporary, hidden and named for its file (a document, or the copy of
    # the profile kept for compare) and for the process that wrote it.
    for temporary in _temporaries(out):
        assert re.fullmatch(
            r"\.(cd-job-description\.\w+|profile\.yaml)\.\d+\.\w+\.tmp", temporary.name
        )


@pytest.mark.parametrize(
    ("stop", "code"),
    [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGINT, 130), (signal.SIGTERM, 143)],
    ids=["SIGKILL", "Ctrl-C", "SIGTERM"],
)
def test_a_stop_during_a_write_leaves_the_earlier_document(
    stop: signal.Signals,
    code: int,
    earlier_copy: tuple[Path, dict[Path, bytes]],
    example_data: dict[str, Any],
    tmp_path: Path,
) -> None:
    out, before = earlier_copy
    paths = _profiles(example_data, tmp_path / "v2", "Later Author")
    paused = tmp_path / "paused"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _PAUSED_IN_WRITE,
            str(paused),
            *BUILD,
            "-o",
            str(out),
            str(paths[0]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(paused.exists, process)
        temporaries = _temporaries(out)
        assert len(temporaries) == 1  # the first document, written but not yet renamed
        assert temporaries[0].parent.name == "alpha-primary-care-network"
        assert temporaries[0].name.startswith(f".cd-job-description.html.{process.pid}.")
    finally:
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert _snapshot(out) == before  # every earlier document, byte for byte
    if stop == signal.SIGKILL:
        assert _temporaries(out) == temporaries  # left behind, hidden
    else:
        assert _temporaries(out) == []  # removed on the way out
        assert "Traceback" not in stderr
    if stop == signal.SIGINT:
        assert stderr.endswith(
            "interrupted: documents already written are complete; none is half-written\n"
        )
    # The next build of the folder removes what a killed one left, and writes it all.
    result = _cli(*BUILD, "-o", str(out), str(paths[0]))
    assert result.returncode == 0, result.stderr
    assert _temporaries(out) == []
    folder = out / "alpha-primary-care-network"
    for path in folder.iterdir():
        if not path.name.startswith("."):  # .pcndocs: the profile built from
            assert _is_whole(path, "Later Author")


def test_clean_temporaries_removes_only_those_of_stopped_builds(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    gone = int(finished.stdout)  # a process that has ended
    names = {
        f".schedule-1.pdf.{gone}.abc123.tmp": True,  # its build is gone: removed
        f".schedule-1.docx.{os.getpid()}.abc123.tmp": False,  # this process's: kept
        ".schedule-1.html.1.abc123.tmp": False,  # a live process's (init): kept
        "schedule-1.pdf": False,  # a document
        ".schedule-1.pdf.tmp": False,  # not one of ours
        f"notes.{gone}.x.tmp": False,  # not hidden: not one of ours
    }
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    removed = clean_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == [n for n, gone_ in names.items() if gone_]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        n for n, g in names.items() if not g
    )
    assert clean_temporaries(tmp_path / "no-such-folder") == []
