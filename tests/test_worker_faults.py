"""Faults fail one request, not the server: a worker that dies fails only its own task.

A worker is killed with SIGKILL (as the kernel's out-of-memory killer does) while it is
working, found by the CPU time it has used: a worker only uses CPU inside a task.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pcndocs.errors import WorkerDiedError
from pcndocs.output.workers import Failure, WorkerPool
from pcndocs.resources import example_profile
from pcndocs.web.app import Settings, create_app
from tests.readback import documents_in
from tests.test_web import form_fields
from tests.webclient import PageClient

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
# A page that lays out slowly (the PDF is refused at page 201, after some seconds).
SLOW_CSS = "body { line-height: 200mm }\n"


def _square(number: int) -> int:
    return number * number


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def cpu_seconds(pid: int) -> float:
    """Return the CPU time a process has used, or -1 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def kill_when_working(pids: Any, deadline: float = 120.0) -> int:
    """Kill the first of the processes pids() returns once it has used half a second of CPU
    since this began watching it: it is working on a task."""
    end = time.monotonic() + deadline
    first: dict[int, float] = {}
    while time.monotonic() < end:
        for pid in pids():
            used = cpu_seconds(pid)
            if used - first.setdefault(pid, used) > 0.5:
                os.kill(pid, signal.SIGKILL)
                return int(pid)
        time.sleep(0.02)
    pytest.fail("no worker started working")


def test_a_dead_worker_fails_its_task_only_and_is_replaced() -> None:
    results: dict[int, Any] = {}
    with WorkerPool(2) as pool:
        tasks: list[tuple[Any, tuple[Any, ...]]] = [(_square, (n,)) for n in range(1, 6)]
        tasks[1] = (_die, ())
        pool.run(tasks, results.__setitem__)
        assert [results[n] for n in (0, 2, 3, 4)] == [1, 9, 16, 25]
        assert isinstance(results[1], Failure)
        assert isinstance(results[1].error, WorkerDiedError)
        # A worker killed while idle, between two runs (as between two requests of a server).
        for process, _connection in list(pool._workers):
            process.kill()
            process.join()
        again: dict[int, Any] = {}
        pool.run([(_square, (6,)), (_square, (7,))], again.__setitem__)
        assert again == {0: 36, 1: 49}


def test_the_server_answers_503_and_serves_the_next_request(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "pdf.css").write_text(SLOW_CSS, encoding="utf-8")
    app = create_app(Settings(today=TODAY, workers=1, templates=folder))
    profile = example_profile().read_bytes()
    with PageClient(app, base_url="http://127.0.0.1") as client:
        pool = app.state.web.pool._pool

        def killed_while(ask: Any) -> Any:
            """Return the answer to a request during which the working worker was killed."""
            answers: list[Any] = []
            request = threading.Thread(target=lambda: answers.append(ask()))
            request.start()
            kill_when_working(lambda: [p.pid for p, _c in pool._workers])
            request.join(timeout=120)
            return answers[0]

        # The API: 503 with the problem in its JSON; the next request is served.
        dead = killed_while(lambda: client.post("/api/build?format=pdf", content=profile))
        assert dead.status_code == 503
        (problem,) = dead.json()["problems"]
        assert problem["message"] == (
            "a build process stopped (it was killed, or ran out of memory); "
            "the others went on: try again"
        )
        served = client.post("/api/build?format=docx", content=profile)
        assert served.status_code == 200
        assert served.headers["content-type"] == "application/zip"
        # The page's download: a plain 503 line; the next one is served.
        fields = {**form_fields(client.get("/example").text), "format": "pdf"}
        dead = killed_while(lambda: client.post("/download/document", data=fields))
        assert dead.status_code == 503
        assert dead.text.startswith("a build process stopped")
        served = client.post("/download/document", data={**fields, "format": "docx"})
        assert served.status_code == 200
        assert served.headers["content-disposition"] == 'attachment; filename="schedule-1.docx"'


def test_the_command_line_fails_one_network_and_builds_the_others(tmp_path: Path) -> None:
    names = ["Riverside", "Hillside", "Canal", "Moorland", "Harbour", "Meadow"]
    for name in names:
        text = example_profile().read_text(encoding="utf-8").replace("Riverside", name)
        (tmp_path / f"{name.lower()}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pcndocs", "build", "-j", "2", "-f", "pdf", "-o", str(out)]
    process = subprocess.Popen(
        [*command, *(str(tmp_path / f"{n.lower()}.yaml") for n in names)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    try:
        # The workers are the children of the forkserver, the build's child.
        kill_when_working(
            lambda: [w for c in children(process.pid) for w in children(c)], deadline=300
        )
        _output, stderr = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, stderr
    failed = [line for line in stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1, stderr
    assert "a build process stopped (it was killed, or ran out of memory)" in failed[0]
    assert stderr.splitlines()[-1] == "error: 1 of 6 networks failed; see above"
    built = {p.parent.name for p in documents_in(out)}
    assert len(built) == 5
    assert "Traceback" not in stderr


def test_tasks_no_longer_needed_are_not_run() -> None:
    """A network whose document failed needs no more of its documents built."""
    results: dict[int, Any] = {}
    with WorkerPool(1) as pool:
        tasks: list[tuple[Any, tuple[Any, ...]]] = [(_square, (n,)) for n in range(6)]
        pool.run(tasks, results.__setitem__, needed=lambda number: number % 2 == 0)
    assert [results[n] for n in (0, 2, 4)] == [0, 4, 16]
    assert all(isinstance(results[n], Failure) for n in (1, 3, 5))
