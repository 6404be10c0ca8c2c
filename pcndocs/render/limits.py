"""Bounds on one piece of work in this process: a deadline by alarm, and memory by address space.

POSIX only, and only in the main thread, where signals arrive; a worker process runs its
tasks there. Elsewhere the work's own checks (the template sandbox's, the PDF's page count)
still apply.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class OverTimeError(Exception):
    """The work ran past its deadline."""


class OverMemoryError(Exception):
    """The work asked for more memory than it was allowed."""


#: How soon an alarm comes again when the first was swallowed, in seconds.
_AGAIN = 0.5


class _Alarm(BaseException):
    """Raised by the alarm in the middle of the work; a BaseException so that no library's
    `except Exception` swallows it."""


def in_worker() -> bool:
    """Return whether this process is a worker (output/workers.py), not the one the user ran."""
    import multiprocessing

    return multiprocessing.parent_process() is not None


def bounded_here() -> bool:
    """Return whether process_limits can bound work in this thread."""
    return os.name == "posix" and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def process_limits(seconds: float, memory: int) -> Iterator[None]:
    """Run the body with at most `seconds` of time and `memory` more bytes of address space.

    Raises OverTimeError or OverMemoryError in place of the alarm or the MemoryError. A
    `memory` of 0 leaves the memory unbounded.
    """
    if not bounded_here():
        yield
        return
    import resource

    over = False  # set once the body has stopped, so a late alarm raises nothing

    def alarm(_signum: int, _frame: object) -> None:
        if over:
            return
        # The alarm lands wherever the work is. Where that is a place whose errors Python
        # only reports (a garbage-collector callback, a __del__), the work would run on
        # unbounded: so it comes again shortly, until it lands in the work itself.
        signal.setitimer(signal.ITIMER_REAL, _AGAIN)
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, alarm)
    old_limits = resource.getrlimit(resource.RLIMIT_AS)
    if memory:
        _set_memory_limit(resource, old_limits, memory)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Alarm:
        raise OverTimeError from None
    except MemoryError:
        raise OverMemoryError from None
    finally:
        over = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, old_limits)


def _set_memory_limit(resource: Any, old: tuple[int, int], memory: int) -> None:
    """Let the process grow by at most `memory` bytes while the work runs."""
    try:
        with Path("/proc/self/statm").open(encoding="ascii") as stream:
            used = int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no way to know the process's size here: the other limits still apply
    soft, hard = old
    limit = used + memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
