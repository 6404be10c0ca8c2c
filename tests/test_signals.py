"""A parallel build stops cleanly on any signal, and nothing it started outlives it.

Each build runs in a session of its own, so every process it started (workers, the fork
server, the resource tracker) can be found afterwards in /proc by that session's id.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc"),
]

NAMES = [f"Network {letter} PCN" for letter in "ABCDEFGH"]
BUILD = ["build", "-j", "2", "-f", "html,docx,pdf", "-d", "cd-job-description"]


def session_processes(session: int) -> list[int]:
    """Return the processes still running in a session (zombies do not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_until_none_left(session: int, seconds: float = 5) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _profiles(folder: Path, data: dict[str, Any]) -> list[str]:
    folder.mkdir()
    paths = []
    for i, name in enumerate(NAMES):
        other = copy.deepcopy(data)
        other["network"]["name"] = name
        path = folder / f"network-{i}.yaml"
        path.write_text(yaml.safe_dump(other, sort_keys=False), encoding="utf-8")
        paths.append(str(path))
    return paths


def _documents(out: Path) -> list[Path]:
    return [p for p in out.glob("*/*") if not any(n.startswith(".") for n in p.parts[-2:])]


def _start(out: Path, paths: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pcndocs", *BUILD, "-o", str(out), *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_documents(out: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while len(_documents(out)) < 3:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no document was written in two minutes"
        time.sleep(0.01)


@pytest.mark.parametrize(
    ("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["Ctrl-C", "SIGTERM"]
)
def test_a_signal_stops_a_parallel_build_and_records_what_it_wrote(
    stop: signal.Signals, code: int, example_data: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    process = _start(out, _profiles(tmp_path / "p", example_data))
    try:
        _wait_for_documents(out, process)
        # Ctrl-C at a terminal reaches the whole group, workers too; SIGTERM only the build.
        if stop == signal.SIGINT:
            os.killpg(process.pid, stop)
        else:
            process.send_signal(stop)
        sent = time.monotonic()
        _, stderr = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == code, stderr
    assert took < 5, f"took {took:.1f} s to stop"
    assert "Traceback" not in stderr
    written = _documents(out)
    assert 3 <= len(written) < 3 * len(NAMES), "stopped before the end, after some networks"
    with (out / "index.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["file"]: row["sha256"] for row in csv.DictReader(stream)}
    assert sorted(rows) == sorted(p.relative_to(out).as_posix() for p in written)
    for name, checksum in rows.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == checksum
    assert wait_until_none_left(process.pid) == []


def test_workers_die_with_a_build_that_is_killed(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    process = _start(out, _profiles(tmp_path / "p", example_data))
    try:
        _wait_for_documents(out, process)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert wait_until_none_left(process.pid) == []


def test_the_test_suite_leaves_no_process_behind(tmp_path: Path) -> None:
    """pytest itself, running tests that start workers, leaves nothing running when done."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_batch.py::test_a_folder_builds_every_network_in_parallel",
            "tests/test_incremental.py::test_parallel_and_serial_builds_give_the_same_bytes",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    assert wait_until_none_left(process.pid) == []
