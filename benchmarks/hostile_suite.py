"""The project's hostile tests, run and counted by kind: what they try and how much of it holds.

Runs the test files that try bad inputs and faults (below, each with the kind it tries)
through pytest, in this process, and counts for each kind its test cases and their outcome,
and what those cases fed pcndocs: command-line runs (Click's runner), HTTP requests (the
test client), and whole processes started (a `pcndocs` build killed, a real server, ...). A
case passes when pcndocs handled all it tried cleanly, as that test defines it (one line and
exit 1, a refusal, a file kept, no process left behind). Measured and counted, never asserted:

    .venv/bin/python -m benchmarks.hostile_suite [-k EXPRESSION] [FILE ...]
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Each hostile test file and the kind of input or fault it tries.
KINDS: dict[str, str] = {
    "test_bad_inputs.py": "bad profile files (YAML, sizes, encodings, values)",
    "test_input_edges.py": "hidden characters, line breaks, nesting, end of input",
    "test_text_safety.py": "hidden and control characters in text",
    "test_hardening.py": "dates, clocks, huge numbers, pipes as inputs",
    "test_limits.py": "time limit with its alarm swallowed",
    "test_limit_messages.py": "every limit passed: its message names file and line",
    "test_template_limits.py": "hostile templates (loops, memory, recursion)",
    "test_templates_errors.py": "broken templates",
    "test_hostile_stylesheets.py": "hostile stylesheets",
    "test_output_folder.py": "hostile output folders (links, FIFOs, damaged records)",
    "test_ownership.py": "edits kept (.new edited, no record, same name)",
    "test_hostile_requests.py": "hostile server requests (foreign sites, tokens, hosts)",
    "test_web_limits.py": "server limits (slow clients, huge forms, uploads)",
    "test_interrupt.py": "faults: kill -9 and stops part way through a build",
    "test_signals.py": "faults: signals to a parallel build",
    "test_worker_faults.py": "faults: a worker killed under the CLI and the server",
}


@dataclass
class Tally:
    """What one kind's tests tried, and how they ended."""

    cases: int = 0
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    cli_runs: int = 0
    http_requests: int = 0
    processes: int = 0
    seconds: float = 0.0


class Counting:
    """A pytest plugin: counts outcomes, and the runs, requests and processes of each test."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}
        self.current: Tally | None = None
        self._outcomes: dict[str, str] = {}
        self._undo: list[Callable[[], None]] = []

    def _wrap(self, owner: Any, name: str, count: str) -> None:
        original = getattr(owner, name)
        plugin = self

        def counted(*args: Any, **kwargs: Any) -> Any:
            if plugin.current is not None:
                setattr(plugin.current, count, getattr(plugin.current, count) + 1)
            return original(*args, **kwargs)

        setattr(owner, name, counted)
        self._undo.append(lambda: setattr(owner, name, original))

    def pytest_configure(self, config: pytest.Config) -> None:
        import click.testing
        import starlette.testclient

        self._wrap(click.testing.CliRunner, "invoke", "cli_runs")
        # Every request of Starlette's test client goes through its HTTP client's send().
        self._wrap(starlette.testclient.TestClient.__mro__[1], "send", "http_requests")
        self._wrap(subprocess.Popen, "__init__", "processes")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        for undo in reversed(self._undo):
            undo()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: object) -> Iterator[None]:
        tally = self.tallies.setdefault(item.path.name, Tally())
        tally.cases += 1
        self.current = tally
        started = time.monotonic()
        yield
        tally.seconds += time.monotonic() - started
        self.current = None
        outcome = self._outcomes.pop(item.nodeid, "passed")
        if outcome == "passed":
            tally.passed += 1
        elif outcome == "skipped":
            tally.skipped += 1
        else:
            tally.failed.append(item.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self._outcomes[report.nodeid] = "failed"
        elif report.skipped and self._outcomes.get(report.nodeid) != "failed":
            self._outcomes[report.nodeid] = "skipped"


def main(argv: list[str] | None = None) -> int:
    """Run the hostile tests and print what each kind tried and how much was handled."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="test files (default: all of KINDS)")
    parser.add_argument("-k", default="", help="pytest's -k: only the tests it matches")
    arguments = parser.parse_args(argv)
    files = arguments.files or [
        str(REPO / "tests" / name) for name in KINDS if (REPO / "tests" / name).is_file()
    ]
    # Started in the background by a shell without job control, this process and every build
    # the tests start would ignore Ctrl-C: the signal tests need it as a terminal sends it.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    counting = Counting()
    started = time.monotonic()
    options = ["-q", "-p", "no:cacheprovider", "-m", "not browser", "--no-header", "-rN"]
    options += ["-k", arguments.k] if arguments.k else []
    try:
        code = int(pytest.main([*options, *files], plugins=[counting]))
    except Exception:  # pytest's own end (a warning made an error): the counts still stand
        traceback.print_exc()
        code = 3
    seconds = time.monotonic() - started
    print()
    print(
        f"{'kind':<58} {'cases':>5} {'held':>5} {'failed':>6} {'skipped':>7} "
        f"{'CLI runs':>8} {'HTTP':>5} {'processes':>9} {'s':>6}"
    )
    total = Tally()
    for name, tally in counting.tallies.items():
        kind = KINDS.get(name, name)
        print(
            f"{kind[:58]:<58} {tally.cases:>5} {tally.passed:>5} {len(tally.failed):>6} "
            f"{tally.skipped:>7} {tally.cli_runs:>8} {tally.http_requests:>5} "
            f"{tally.processes:>9} {tally.seconds:>6.1f}"
        )
        total.cases += tally.cases
        total.passed += tally.passed
        total.failed += tally.failed
        total.skipped += tally.skipped
        total.cli_runs += tally.cli_runs
        total.http_requests += tally.http_requests
        total.processes += tally.processes
    print(
        f"{'all':<58} {total.cases:>5} {total.passed:>5} {len(total.failed):>6} "
        f"{total.skipped:>7} {total.cli_runs:>8} {total.http_requests:>5} "
        f"{total.processes:>9} {seconds:>6.1f}"
    )
    for nodeid in total.failed:
        print(f"  not held: {nodeid}")
    return code


if __name__ == "__main__":
    sys.exit(main())
