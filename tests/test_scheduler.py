"""The one scheduler over the worker pool (output/workers.WorkerPool), as a server uses it:
several callers at once on one pool, from threads, taking turns for the workers.

Each task notes in a file when it runs, in the worker: with one worker, the file is the
order the scheduler gave the workers out in.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pcndocs.errors import BusyError, WorkerDiedError
from pcndocs.output.workers import Failure, WorkerPool

# Starts worker processes (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


def _noted(log: str, gate: str, tag: str) -> str:
    """Note that this task runs, then wait until the gate is open (a file there)."""
    with Path(log).open("a", encoding="utf-8") as handle:
        handle.write(tag + "\n")
    while not Path(gate).exists():
        time.sleep(0.01)
    return tag


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _square(number: int) -> int:
    return number * number


def _until(condition: Any) -> None:
    """Wait until the scheduler's state says so (it moves on its own threads)."""
    end = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < end, "the scheduler never got there"
        time.sleep(0.005)


def test_a_preview_overtakes_a_packs_documents_and_two_packs_take_turns(tmp_path: Path) -> None:
    log, gate = str(tmp_path / "ran.txt"), str(tmp_path / "open")
    results: dict[str, list[Any]] = {}

    def caller(name: str, count: int, urgent: bool = False) -> threading.Thread:
        tasks = [(_noted, (log, gate, f"{name}{n + 1}")) for n in range(count)]
        got: list[Any] = [None] * count
        results[name] = got
        thread = threading.Thread(
            target=pool.run, args=(tasks, got.__setitem__, lambda _n: True, urgent)
        )
        thread.start()
        return thread

    with WorkerPool(1) as pool:
        first = caller("pack", 3)
        _until(lambda: Path(log).exists())  # the pack's first document is on the one worker
        _until(lambda: len(pool._wanting) == 1)  # and its next one waits for a worker
        other = caller("other", 2)
        _until(lambda: len(pool._wanting) == 2)
        preview = caller("preview", 1, urgent=True)
        _until(lambda: len(pool._wanting) == 3)
        # A caller with a time limit that no worker comes free within: busy, and it leaves.
        with pytest.raises(BusyError):
            pool.run([(_square, (2,))], lambda _n, _r: None, timeout=0.05)
        assert len(pool._wanting) == 3
        Path(gate).touch()
        for thread in (first, other, preview):
            thread.join(timeout=120)
    ran = Path(log).read_text(encoding="utf-8").split()
    assert ran == ["pack1", "preview1", "pack2", "other1", "pack3", "other2"]
    # Each caller's results in its own tasks' places.
    assert results == {
        "pack": ["pack1", "pack2", "pack3"],
        "other": ["other1", "other2"],
        "preview": ["preview1"],
    }


def test_a_worker_dying_fails_one_callers_task_and_not_another_callers() -> None:
    squares: dict[int, Any] = {}
    dying: dict[int, Any] = {}
    with WorkerPool(2) as pool:
        squared = threading.Thread(
            target=pool.run, args=([(_square, (n,)) for n in range(20)], squares.__setitem__)
        )
        squared.start()
        pool.run([(_square, (3,)), (_die, ()), (_square, (4,))], dying.__setitem__)
        squared.join(timeout=120)
        assert squares == {n: n * n for n in range(20)}
        assert (dying[0], dying[2]) == (9, 16)
        assert isinstance(dying[1], Failure) and isinstance(dying[1].error, WorkerDiedError)
        assert len(pool._workers) <= 2  # its place was taken, not added to


def test_a_caller_that_fails_part_way_stops_only_its_own_workers(tmp_path: Path) -> None:
    log, gate = str(tmp_path / "ran.txt"), str(tmp_path / "open")
    other: dict[int, Any] = {}

    def wrong(_number: int, _result: Any) -> None:
        raise ValueError("a bug in what takes the results")

    with WorkerPool(2) as pool:
        waiting = threading.Thread(
            target=pool.run, args=([(_noted, (log, gate, "other"))], other.__setitem__)
        )
        waiting.start()
        _until(lambda: Path(log).exists())  # the other caller's task is on a worker
        with pytest.raises(ValueError):
            pool.run([(_square, (5,))], wrong)
        Path(gate).touch()
        waiting.join(timeout=120)
        assert other == {0: "other"}  # its worker went on: it was not this caller's
