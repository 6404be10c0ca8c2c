"""Every benchmark still runs: each once, in its quickest form (`run.py --smoke`).

Benchmarks are measured, never asserted, so nothing here checks a figure: only that each
benchmark runs to its end and writes its section, so that none can rot silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run import BENCHMARKS

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]

# LibreOffice is an external program; the national run needs the national files.
MARKS = {
    "libreoffice": [pytest.mark.slow],
    "national": [pytest.mark.national],
    "memory": [pytest.mark.national],
}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=MARKS.get(name, [])) for name in BENCHMARKS]
)
def test_benchmark_runs(name: str, tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--smoke",
            "--only",
            name,
            "--out",
            str(tmp_path / "out"),
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    assert "--smoke" in text
    assert text.count("\n## ") >= 3, text  # the machine, the targets, and its own section


def test_the_hostile_suite_counts_what_its_tests_tried() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.hostile_suite", "tests/test_limits.py"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith("time limit")]
    assert rows and rows[0][-8:-5] == ["2", "2", "0"]  # cases, held, failed


@pytest.mark.slow
def test_the_load_run_reports_its_requests_and_memory() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.serve_load",
            "--clients",
            "3",
            "--seconds",
            "4",
            "--epcn",
            str(REPO / "no-such-file.xlsx"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "requests answered:" in run.stdout
    assert "a traceback: False" in run.stdout
