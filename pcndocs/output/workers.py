"""Worker processes that render documents: started once, kept warm, and never outliving us.

A small pool of our own rather than multiprocessing's: each worker has one pipe to this
process, so stopping the pool is a kill and a join with no hidden threads to hang on, and
a worker whose parent has gone (even by SIGKILL) sees it and exits within a second.
Workers only compute and send back bytes; this process alone writes files.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from pcndocs.errors import PcndocsError, WorkerDiedError
from pcndocs.files import process_alive
from pcndocs.render.writers.registry import Writer, install, slow_modules, writers_now

#: How often a worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 0.25


@dataclass(frozen=True)
class Failure:
    """A task that failed: the user's error itself, or a bug's traceback."""

    error: PcndocsError | None = None
    bug: str = ""


#: What a task not run gets: its result could no longer be used (its network had failed).
SKIPPED = Failure(bug="not run: not needed any more")


def run_task(function: Callable[..., Any], arguments: tuple[Any, ...]) -> Any:
    """Return function(*arguments), or the Failure it ended in, in a worker or in this process.

    A user's error is kept as it is, to be reported as `check` and `build` report it; any
    other exception is a bug, kept as its traceback (an exception may not survive pickling).
    """
    try:
        return function(*arguments)
    except PcndocsError as exc:
        return Failure(error=exc)
    except Exception:
        return Failure(bug=traceback.format_exc().rstrip())


#: What the forkserver imports once, so that every worker forked from it starts with
#: WeasyPrint and python-docx loaded (and their system libraries opened) instead of
#: importing them itself: about 0.6 s of CPU a worker.
PRELOAD = ["pcndocs.output.build", *slow_modules()]


def _context(preload: list[str] = PRELOAD) -> Any:
    # forkserver: each worker starts from a clean process rather than a copy of this one.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)  # no effect once the forkserver is running
    return context


def start_early(preload: list[str] = PRELOAD) -> None:
    """Start the forkserver now: it loads the heavy modules while this process goes on.

    Call it as soon as workers are sure to be wanted, before the profiles are loaded and
    checked; the workers themselves start later, from the warm forkserver. `preload`: the
    modules the work needs (an HTML-only build needs neither WeasyPrint nor python-docx).
    """
    if _context(preload).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def default_jobs() -> int:
    """Return the number of worker processes to use by default: the machine's cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class WorkerPool:
    """Processes that run tasks (picklable functions and arguments) and send back results.

    Use it as a context manager; a server may keep one open and run many batches on it,
    each worker keeping its imports and caches warm between them.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._workers: list[tuple[BaseProcess, Connection]] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()  # interrupted or failed: stop at once, whatever is running

    def _start(self, count: int) -> None:
        while len(self._workers) < count:
            self._spawn()

    def _spawn(self) -> Connection:
        """Start one worker and return our end of its pipe."""
        context = _context()
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, os.getpid(), writers_now()),
            name="pcndocs-worker",
            daemon=True,
        )
        process.start()
        theirs.close()  # only the worker holds its end: our exit is its end of file
        self._workers.append((process, ours))
        connection: Connection = ours
        return connection

    def _bury(self, connection: Connection) -> None:
        """Forget a worker that has died, reaping its process."""
        for process, ours in self._workers:
            if ours is connection:
                process.kill()  # if only its pipe broke, make sure it is gone
                process.join()
                connection.close()
        self._workers = [(p, c) for p, c in self._workers if c is not connection]

    def run(
        self,
        tasks: Iterable[tuple[Callable[..., Any], tuple[Any, ...]]],
        done: Callable[[int, Any], None],
        needed: Callable[[int], bool] = lambda _number: True,
    ) -> None:
        """Run every task, calling done(task number, result or Failure) in this process.

        A task for which needed(number) is False when its turn comes is not run: done gets
        a Failure for it at once (a network that has failed needs no more documents).

        A worker that dies in the middle of a task (killed, out of memory) fails that task
        only: done gets a Failure with WorkerDiedError, and a new worker takes its place. If
        anything else stops it part way (Ctrl-C, or an error in done), the workers are killed
        and restarted on the next call, so no stale result is ever read as a new one.
        """
        try:
            self._run(tasks, done, needed)
        except BaseException:
            self.kill()
            raise

    def _run(
        self,
        tasks: Iterable[tuple[Callable[..., Any], tuple[Any, ...]]],
        done: Callable[[int, Any], None],
        needed: Callable[[int], bool],
    ) -> None:
        # Tasks are read as workers are free for them (a batch plans as it goes); no more
        # workers start than there are tasks to begin with.
        pending = enumerate(tasks)
        queue = deque(islice(pending, self.jobs))
        self._start(min(self.jobs, len(queue)))
        busy: dict[Connection, int] = {}
        idle = [connection for _, connection in self._workers]
        replaced = 0
        while queue or busy:
            while queue and idle:
                number, task = queue.popleft()
                queue.extend(islice(pending, 1))  # the next task, planned only now
                if not needed(number):  # its result could no longer be used
                    done(number, SKIPPED)
                    continue
                connection = idle.pop()
                try:
                    connection.send(task)
                except OSError:  # it died while idle (between builds of a server): replace it
                    self._bury(connection)
                    queue.appendleft((number, task))
                    replaced += 1
                    if replaced > 2 * self.jobs:  # they die as they start: no use going on
                        raise RuntimeError("worker processes stop as soon as they start") from None
                    idle.append(self._spawn())
                    continue
                busy[connection] = number
            if not busy:  # every task left was not needed
                continue
            for ready in wait(list(busy)):
                assert isinstance(ready, Connection)
                number = busy.pop(ready)
                try:
                    result = ready.recv()
                except (EOFError, OSError):
                    self._bury(ready)
                    if queue:  # the work left needs the worker that was lost
                        idle.append(self._spawn())
                    done(number, Failure(error=WorkerDiedError()))
                    continue
                idle.append(ready)
                done(number, result)

    def close(self) -> None:
        """Ask each worker to stop, and wait for it."""
        for process, connection in self._workers:
            with contextlib.suppress(OSError):
                connection.send(None)
            connection.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self._workers = []

    def kill(self) -> None:
        """Stop every worker now, in the middle of whatever it is doing."""
        for process, connection in self._workers:
            process.kill()
            connection.close()
        for process, _ in self._workers:
            process.join()
        self._workers = []


Task = tuple[Callable[..., Any], tuple[Any, ...]]


def run_tasks(
    tasks: Iterable[Task],
    done: Callable[[int, Any], None],
    jobs: int,
    pool: WorkerPool | None = None,
    needed: Callable[[int], bool] = lambda _number: True,
) -> None:
    """Run every task, calling done(task number, result or Failure) in this process.

    The one scheduler of `build` and `compare`: on the caller's pool (a server's warm
    workers), else here when jobs is 1, else on a pool of `jobs` workers started for these
    tasks and stopped after. Each task is the same call wherever it runs, so the bytes are
    the same whatever the number of jobs.
    """
    if pool is not None:
        pool.run(tasks, done, needed)
    elif jobs <= 1:
        for number, (function, arguments) in enumerate(tasks):
            done(number, run_task(function, arguments) if needed(number) else SKIPPED)
    else:
        with WorkerPool(jobs) as own:
            own.run(tasks, done, needed)


def raise_failure(result: Any) -> None:
    """Raise a task's Failure as what it was: the user's error, or a bug with its traceback."""
    if isinstance(result, Failure):
        if result.error is not None:
            raise result.error
        raise RuntimeError(f"a task failed (a bug):\n{result.bug}")


def _serve(connection: Connection, parent: int, writers: tuple[Writer, ...] = ()) -> None:
    """A worker's life: run each task it is sent, until told to stop or its parent goes.

    writers: the output formats registered in the parent, so a worker writes every one
    (a format registered at run time, such as a test's, is not in a fresh process's registry).
    """
    install(writers)
    # Ctrl-C reaches every process of the terminal's group: only the parent acts on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = run_task(*task)
        try:
            connection.send(result)
        except OSError:
            return


def _watch_parent(parent: int) -> None:
    """Exit as soon as the process that started this worker has gone, however it went."""
    start = os.getppid()
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        # Where the parent's being alive cannot be told (not POSIX), the pipe tells instead.
        if os.getppid() != start or not process_alive(parent):
            os._exit(1)
