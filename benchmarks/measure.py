"""Timing and memory helpers shared by the benchmarks: minima in-process, whole process trees.

In-process: the functions are run once each to warm up, then `repeat` times in alternation,
after a full garbage collection each time. Each keeps its smallest CPU time (getrusage of
this process and of every child it waited for: a library that runs a program is charged for
it) and its smallest wall time. On a shared machine other work only ever adds time, so the
minimum is the best estimate of the work itself, and CPU time is what that work cost
whatever else ran; the 1-minute load average is kept beside each figure to say how busy the
machine was.

Whole processes: a command runs under a small wrapper process that makes itself a
"child subreaper" (Linux prctl), waits for the command and then for every descendant that
outlived it, and reports its own RUSAGE_CHILDREN. So the CPU time is exact for the whole tree,
including pool workers that a forkserver starts and reaps (a plain RUSAGE_CHILDREN in this
process would miss them), and ru_maxrss is the peak resident memory of the largest single
process in that tree. A sampler also reads /proc/<pid>/status (VmHWM, VmRSS) of every
descendant every `interval` seconds, to give each process's own peak and the peak of the
whole tree's memory at one moment; those two are sampled, so they can miss a peak shorter
than the interval.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Runs as `python -c _WRAPPER COMMAND_JSON REPORT_PATH`: see the module docstring.
_WRAPPER = r"""
import ctypes, json, os, resource, subprocess, sys, time
command, report = json.loads(sys.argv[1]), sys.argv[2]
try:
    subreaper = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
except (OSError, AttributeError):
    subreaper = False
start = time.perf_counter()
child = subprocess.Popen(command)
_, status, _ = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
child.returncode = os.waitstatus_to_exitcode(status)
deadline = time.monotonic() + 120
left_running = False
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        if time.monotonic() > deadline:
            left_running = True
            break
        time.sleep(0.01)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(report, "w") as stream:
    json.dump({"returncode": child.returncode, "wall": wall, "user": usage.ru_utime,
               "sys": usage.ru_stime, "maxrss_kb": usage.ru_maxrss, "subreaper": subreaper,
               "left_running": left_running}, stream)
"""


def cpu_now() -> float:
    """Return the CPU seconds (user + system) of this process and the children it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_now() -> float:
    """Return the 1-minute load average (0 where the system does not say)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def with_load(text: str, load: float) -> str:
    """Return a figure with the load average it was measured under."""
    return f"{text} (load {load:.1f})"


@dataclass(frozen=True)
class Timing:
    """The smallest wall and CPU seconds of repeated runs of one function, and the load."""

    wall: float
    cpu: float
    walls: tuple[float, ...]
    cpus: tuple[float, ...] = ()
    load: float = 0.0  # the highest 1-minute load average seen while it ran

    @property
    def spread(self) -> float:
        """Return the relative spread of the CPU times: (max - min) / min."""
        values = self.cpus or self.walls
        return (max(values) - min(values)) / min(values) if min(values) else 0.0


def ratio(ours: float, anchor: float) -> float:
    """Return ours ÷ anchor (0 where the anchor took no time)."""
    return ours / anchor if anchor else 0.0


def interleaved(
    functions: Mapping[str, Callable[[], object]], repeat: int, warmup: int = 1
) -> dict[str, Timing]:
    """Time several functions in alternation, so each sees the same machine conditions.

    Returns each one's minimum CPU and wall time (see the module's docstring).
    """
    walls: dict[str, list[float]] = {name: [] for name in functions}
    cpus: dict[str, list[float]] = {name: [] for name in functions}
    loads: dict[str, float] = dict.fromkeys(functions, 0.0)
    for _ in range(warmup):
        for function in functions.values():
            function()
    for _ in range(max(1, repeat)):
        for name, function in functions.items():
            gc.collect()  # start each run with no garbage left by the one before
            cpu = cpu_now()
            wall = time.perf_counter()
            function()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(cpu_now() - cpu)
            loads[name] = max(loads[name], load_now())
    return {
        name: Timing(
            min(walls[name]), min(cpus[name]), tuple(walls[name]), tuple(cpus[name]), loads[name]
        )
        for name in functions
    }


@dataclass
class ProcessRun:
    """One whole run of a command: time, CPU and memory of its whole process tree."""

    command: list[str]
    returncode: int
    wall: float  # seconds from start to the command's exit
    cpu: float  # user + system seconds of the command and every descendant
    peak_rss_mb: float  # the largest peak resident memory of any one process (ru_maxrss)
    exact: bool  # every descendant was collected by the subreaper
    stdout: str
    stderr: str
    # Sampled: each process's own peak (VmHWM), by role: "main", "worker", "helper", "subprocess".
    peaks_mb: dict[str, list[float]] = field(default_factory=dict)
    peak_tree_mb: float = 0.0  # the largest sum of resident memory over the tree at one sample
    # Sampled: each process's CPU seconds when last seen, by role (misses its last interval).
    cpu_by_role: dict[str, list[float]] = field(default_factory=dict)
    load: float = 0.0  # the 1-minute load average when it ended

    def peak_of(self, role: str) -> float:
        """Return the largest sampled peak of the processes in a role (0 if none)."""
        return max(self.peaks_mb.get(role, []), default=0.0)


class _Sampler(threading.Thread):
    """Reads /proc for every descendant of a process until stopped."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.halt = threading.Event()
        self.hwm_kb: dict[int, int] = {}
        self.role: dict[int, str] = {}
        self.cpu_ticks: dict[int, int] = {}
        self.peak_tree_kb = 0

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)
        self.sample()

    def sample(self) -> None:
        parents: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat[1])
                ticks[int(entry.name)] = int(stat[11]) + int(stat[12])  # utime + stime
        children: dict[int, list[int]] = {}
        for pid, parent in parents.items():
            children.setdefault(parent, []).append(pid)
        main = children.get(self.root, [])
        total = 0
        stack = [(pid, self.root) for pid in main]
        while stack:
            pid, parent = stack.pop()
            stack.extend((kid, pid) for kid in children.get(pid, []))
            hwm, rss = _memory_kb(pid)
            if hwm is None:
                continue
            total += rss or 0
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
            self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), ticks.get(pid, 0))
            if pid not in self.role:
                self.role[pid] = _role(pid, parent, self.root, main, self.role.get(parent))
        self.peak_tree_kb = max(self.peak_tree_kb, total)


def _memory_kb(pid: int) -> tuple[int | None, int | None]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None, None
    values = {line.split(":")[0]: int(line.split()[1]) for line in lines if line.startswith("Vm")}
    return values.get("VmHWM"), values.get("VmRSS")


def _role(pid: int, parent: int, root: int, main: list[int], parent_role: str | None) -> str:
    """Return "main", "helper" (forkserver, resource tracker), "worker" or "subprocess"."""
    if parent == root:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        command = ""
    # A multiprocessing forkserver or resource tracker: started by the main process, does no work.
    if parent in main and ("forkserver" in command or "resource_tracker" in command):
        return "helper"
    # A pool worker: started by the main process or by its forkserver. Anything a worker
    # starts in turn (a compiler that ctypes.util.find_library runs, say) is a subprocess.
    if parent in main or parent_role == "helper":
        return "worker"
    return "subprocess"


def run_process(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    sample: bool = False,
    interval: float = 0.1,
    timeout: float | None = None,
) -> ProcessRun:
    """Run a command to completion and return its time, CPU and memory (see module doc)."""
    with (
        tempfile.TemporaryDirectory(prefix="pcndocs-bench-") as scratch,
        Path(scratch, "out").open("w+b") as out,
        Path(scratch, "err").open("w+b") as err,
    ):
        report = Path(scratch, "report.json")
        wrapper = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, json.dumps(list(command)), str(report)],
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
        sampler = _Sampler(wrapper.pid, interval) if sample else None
        if sampler:
            sampler.start()
        try:
            wrapper.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(wrapper.pid, 9)
            wrapper.wait()
            raise
        finally:
            if sampler:
                sampler.halt.set()
                sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if wrapper.returncode != 0 or not report.is_file():
            raise RuntimeError(f"the measuring wrapper failed ({wrapper.returncode}): {stderr}")
        data = json.loads(report.read_text())
    run = ProcessRun(
        command=list(command),
        returncode=int(data["returncode"]),
        wall=float(data["wall"]),
        cpu=float(data["user"]) + float(data["sys"]),
        peak_rss_mb=int(data["maxrss_kb"]) / 1024,
        exact=bool(data["subreaper"]) and not data["left_running"],
        stdout=stdout,
        stderr=stderr,
        load=load_now(),
    )
    if sampler:
        tick = os.sysconf("SC_CLK_TCK")
        for pid, hwm in sampler.hwm_kb.items():
            run.peaks_mb.setdefault(sampler.role[pid], []).append(hwm / 1024)
            run.cpu_by_role.setdefault(sampler.role[pid], []).append(
                sampler.cpu_ticks.get(pid, 0) / tick
            )
        run.peak_tree_mb = sampler.peak_tree_kb / 1024
    return run


def min_runs(runs: Sequence[ProcessRun]) -> tuple[float, float, float]:
    """Return the smallest wall time, smallest CPU time and largest peak memory of runs."""
    return (
        min(r.wall for r in runs),
        min(r.cpu for r in runs),
        max(r.peak_rss_mb for r in runs),
    )


def highest_load(runs: Sequence[ProcessRun]) -> float:
    """Return the highest load average seen at the end of any of the runs."""
    return max((r.load for r in runs), default=0.0)
