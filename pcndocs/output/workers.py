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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from pcndocs.errors import BusyError, PcndocsError, WorkerDiedError
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


Task = tuple[Callable[..., Any], tuple[Any, ...]]


class _Client:
    """One caller running tasks on a shared pool: a build, a preview, a batch."""

    def __init__(self, urgent: bool, arrived: int) -> None:
        self.urgent = urgent
        self.arrived = arrived  # its place in the order callers came in
        self.held = 0  # workers it has: working for it, or handed to it and not used yet
        self.granted: list[Connection] = []  # workers handed to it while it waited
        # A byte on this pipe wakes it while it waits for its own results as well.
        self.wake_reader, self.wake_writer = multiprocessing.Pipe(duplex=False)

    def close(self) -> None:
        self.wake_reader.close()
        self.wake_writer.close()


class WorkerPool:
    """Processes that run tasks (picklable functions and arguments) and send back results.

    The one scheduler of every render: `build` and `compare` on the command line, and the
    server's builds, previews, redlines and "build several", which share one pool from
    many threads. Each caller drives its own tasks; a worker that comes free goes to the
    caller that waited for one (a preview first), then to the caller with fewest workers,
    so a preview goes in between a huge pack's documents and two packs share the workers.

    Use it as a context manager; a server may keep one open and run many batches on it,
    each worker keeping its imports and caches warm between them.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._workers: list[tuple[BaseProcess, Connection]] = []
        self._idle: list[Connection] = []
        self._wanting: list[_Client] = []  # callers with a task ready and no worker for it
        self._changed = threading.Condition()
        self._arrivals = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()  # interrupted or failed: stop at once, whatever is running

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

    def _bury(self, client: _Client, connection: Connection) -> None:
        """Forget a worker of this caller's that has died (or is stopped), reaping it."""
        with self._changed:
            client.held -= 1
            for process, ours in self._workers:
                if ours is connection:
                    process.kill()  # if only its pipe broke, make sure it is gone
                    process.join()
                    connection.close()
            known = len(self._workers)
            self._workers = [(p, c) for p, c in self._workers if c is not connection]
            # Its place goes to whoever is waiting, as a new worker (not after kill()).
            if self._wanting and len(self._workers) < known:
                self._hand(self._spawn(), None)

    def run(
        self,
        tasks: Iterable[tuple[Callable[..., Any], tuple[Any, ...]]],
        done: Callable[[int, Any], None],
        needed: Callable[[int], bool] = lambda _number: True,
        urgent: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Run every task, calling done(task number, result or Failure) in this thread.

        Tasks are read as workers come free for them (a batch plans as it goes), and no
        more workers start than there are tasks. A task for which needed(number) is False
        when its turn comes is not run: done gets a Failure for it at once (a network that
        has failed needs no more documents). An urgent caller (a preview: quick, and someone
        is watching) gets the next worker that comes free. A caller that waits longer than
        `timeout` seconds with no worker at all gets BusyError.

        A worker that dies in the middle of a task (killed, out of memory) fails that task
        only: done gets a Failure with WorkerDiedError, and a new worker takes its place. If
        anything else stops it part way (Ctrl-C, BusyError, an error in done), the workers
        working for this caller are killed, so no stale result is ever read as a new one;
        other callers' work goes on.
        """
        with self._changed:
            self._arrivals += 1
            client = _Client(urgent, self._arrivals)
        try:
            self._drive(client, enumerate(tasks), done, needed, timeout)
        finally:
            client.close()

    def _drive(
        self,
        client: _Client,
        pending: Iterator[tuple[int, Task]],
        done: Callable[[int, Any], None],
        needed: Callable[[int], bool],
        timeout: float | None,
    ) -> None:
        busy: dict[Connection, int] = {}  # the workers working for this caller: their task
        try:
            upcoming = next(pending, None)
            replaced = 0
            while upcoming is not None or busy:
                if upcoming is not None and not needed(upcoming[0]):
                    done(upcoming[0], SKIPPED)  # its result could no longer be used
                    upcoming = next(pending, None)
                    continue
                # A worker for the next task; waiting for one only when none works for us.
                worker = None if upcoming is None else self._take(client, not busy, timeout)
                if worker is None or upcoming is None:
                    self._collect(client, busy, done, wants_more=upcoming is not None)
                elif self._send(client, worker, upcoming[1]):
                    busy[worker] = upcoming[0]
                    upcoming = next(pending, None)  # the next task, planned only now
                else:
                    replaced += 1
                    if replaced > 2 * self.jobs:  # they die as they start: no use going on
                        raise RuntimeError("worker processes stop as soon as they start")
        except BaseException:
            for connection in busy:  # their results would be read as another task's
                self._bury(client, connection)
            raise
        finally:
            self._leave(client)

    def _send(self, client: _Client, worker: Connection, task: Task) -> bool:
        """Send a task to a worker; False if it had died while idle (it is replaced)."""
        try:
            worker.send(task)
        except OSError:  # it died between two builds of a server
            self._bury(client, worker)
            return False
        return True

    def _collect(
        self,
        client: _Client,
        busy: dict[Connection, int],
        done: Callable[[int, Any], None],
        wants_more: bool,
    ) -> None:
        """Wait for results of this caller's tasks (or a worker handed to it); pass them on."""
        for ready in wait([*busy, client.wake_reader]):
            assert isinstance(ready, Connection)
            if ready is client.wake_reader:  # a worker was handed to us
                ready.recv_bytes()
                continue
            number = busy.pop(ready)
            try:
                result = ready.recv()
            except (EOFError, OSError):
                self._bury(client, ready)
                done(number, Failure(error=WorkerDiedError()))
                continue
            self._release(client, ready, wants_more)
            done(number, result)

    def _leave(self, client: _Client) -> None:
        """Let go of what a caller that has finished (or failed) still has in the pool."""
        with self._changed:
            if client in self._wanting:
                self._wanting.remove(client)
            for connection in client.granted:
                client.held -= 1
                self._hand(connection, None)
            client.granted = []

    def _take(self, client: _Client, block: bool, timeout: float | None) -> Connection | None:
        """Return a worker for this caller's next task, or None if none is free (not block).

        A blocking caller waits at most `timeout` seconds, then gets BusyError.
        """
        with self._changed:
            if client.granted:  # counted as its own when handed to it
                return client.granted.pop()
            if self._idle or len(self._workers) < self.jobs:
                if client in self._wanting:  # served: it waits no longer
                    self._wanting.remove(client)
                client.held += 1
                return self._idle.pop() if self._idle else self._spawn()
            if client not in self._wanting:
                self._wanting.append(client)
            if not block:
                return None
            if not self._changed.wait_for(lambda: bool(client.granted), timeout):
                self._wanting.remove(client)
                raise BusyError()
            return client.granted.pop()

    def _release(self, client: _Client, connection: Connection, wants_more: bool) -> None:
        """Hand a worker that finished a caller's task to whoever's turn it is now."""
        with self._changed:
            client.held -= 1
            if wants_more and client not in self._wanting:
                self._wanting.append(client)
            self._hand(connection, client)

    def _hand(self, connection: Connection, releasing: _Client | None) -> None:
        """Give a free worker to the caller whose turn it is, or leave it idle (lock held).

        An urgent caller first; then the one with fewest workers, the others before the one
        letting it go, then the one that came first.
        """
        if not self._wanting:
            self._idle.append(connection)
            return
        chosen = min(
            self._wanting,
            key=lambda c: (not c.urgent, c.held, c is releasing, c.arrived),
        )
        self._wanting.remove(chosen)
        chosen.held += 1
        chosen.granted.append(connection)
        self._changed.notify_all()
        if chosen is not releasing:
            chosen.wake_writer.send_bytes(b"")

    def close(self) -> None:
        """Ask each worker to stop, and wait for it."""
        with self._changed:
            workers, self._workers, self._idle = self._workers, [], []
        for process, connection in workers:
            with contextlib.suppress(OSError):
                connection.send(None)
            connection.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()

    def kill(self) -> None:
        """Stop every worker now, in the middle of whatever it is doing."""
        with self._changed:
            workers, self._workers, self._idle = self._workers, [], []
        for process, connection in workers:
            process.kill()
            connection.close()
        for process, _ in workers:
            process.join()


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
