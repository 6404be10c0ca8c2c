"""Rules kept in one place each, and every part that needs one uses that one.

The failure of a task (in a worker or in this process), the shape of a practice's ODS code
(the model, its checks, the importer, compare), whether a process is still running (the
workers, the temporaries left by a build).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from pcndocs.compare import diff
from pcndocs.errors import PcndocsError
from pcndocs.files import process_alive
from pcndocs.output.workers import Failure, WorkerPool, run_task
from pcndocs.profile.codes import is_practice_code, normalise_code
from pcndocs.profile.model import Practice


def _user_error() -> None:
    raise PcndocsError("profile.yaml:3: network.name: is required but missing")


def _bug() -> None:
    raise ZeroDivisionError("a bug")


def _fine() -> str:
    return "bytes"


TASKS = [(_user_error, ()), (_bug, ()), (_fine, ())]


def _same(result: object) -> object:
    """Return what a test compares of a task's result: a user's error by its message."""
    if isinstance(result, Failure):
        last = result.bug.splitlines()[-1] if result.bug else ""
        return ("failure", str(result.error) if result.error else None, last)
    return result


def test_a_task_fails_alike_in_a_worker_and_in_this_process() -> None:
    here = [run_task(function, arguments) for function, arguments in TASKS]
    assert [_same(r) for r in here] == [
        ("failure", "profile.yaml:3: network.name: is required but missing", ""),
        ("failure", None, "ZeroDivisionError: a bug"),
        "bytes",
    ]
    assert "Traceback" in here[1].bug  # a bug keeps its traceback
    there: dict[int, object] = {}
    with WorkerPool(1) as pool:
        pool.run(TASKS, there.__setitem__)
    assert [_same(there[n]) for n in range(len(TASKS))] == [_same(r) for r in here]


CODES = ["A81001", " a81001 ", "Y02657", "U35980", "A8100", "A810011", "AA1001", "A８１００１", ""]


@pytest.mark.parametrize("code", CODES)
def test_one_shape_of_a_practice_code(code: str) -> None:
    shaped = is_practice_code(normalise_code(code))
    try:
        Practice.model_validate({"name": "Surgery", "ods_code": code, "list_size": 100})
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == shaped
    # compare finds a practice by its code in a row of text when, and only when, it has the shape.
    assert (diff._ODS.search(f"row {normalise_code(code)} end") is not None) == shaped


def test_fullwidth_digits_are_not_a_practice_code() -> None:
    assert is_practice_code("A81001")
    assert not is_practice_code("A８１００１")  # \d would take them


def test_whether_a_process_is_alive() -> None:
    assert process_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # gone, and reaped
    assert not process_alive(child.pid)
    assert not process_alive(2**40)  # no process has such a number
