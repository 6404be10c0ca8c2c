"""pcndocs serve under load, with a build worker killed in the middle: requests held, errors,
latency and memory. Measured, never asserted; its figures go in a session's report.

A real server (`pcndocs serve`, its own process, on 127.0.0.1 only) is driven by CLIENTS
threads for SECONDS. Each client is a browser session of the page: its cookie, its token,
its origin. One client asks for the whole pack (PDF and Word) again and again, as a huge
build that must not hold the workers; the others type (live checks), look at previews,
download one document and call the API. Half way, one build worker is killed with SIGKILL
(as the out-of-memory killer does), while it works if one is working.

    .venv/bin/python -m benchmarks.serve_load [--clients 8] [--seconds 60] [--jobs 2]
"""

from __future__ import annotations

import argparse
import collections
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pcndocs.resources import example_profile

SERVE = [sys.executable, "-m", "pcndocs", "serve", "--no-browser", "--port", "0"]
TOKEN = re.compile(r'<meta name="pcndocs-token" content="([^"]+)"')


@dataclass(frozen=True)
class Answer:
    kind: str
    status: int  # 0: no answer at all (the connection failed)
    seconds: float
    started: float


class Session:
    """One browser's session of the page: cookie, token, origin."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(base + "/example", timeout=120).read().decode()
        found = TOKEN.search(page)
        self.token = found.group(1) if found else ""
        import lxml.html  # type: ignore[import-untyped, unused-ignore]

        form = lxml.html.fromstring(page).get_element_by_id("profile")
        self.fields: dict[str, str] = {}
        for name, value in form.form_values():
            self.fields.setdefault(name, value)

    def post(self, path: str, body: bytes, form: bool = True) -> tuple[int, bytes]:
        headers = {"Origin": self.base, "X-Pcndocs-Token": self.token}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=300) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def form(self, step: int, **extra: str) -> bytes:
        fields = {**self.fields, "practices[0].list_size": str(12_000 + step), **extra}
        return urllib.parse.urlencode(fields).encode()


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found = children(pid)
    return found + [d for c in found for d in descendants(c)]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_of(server: int) -> list[int]:
    """Return the build workers: the children of the server's forkserver."""
    return [w for c in children(server) for w in children(c)]


def memory(server: int) -> tuple[int, int]:
    """Return the RSS of the server process and of all its children together."""
    return rss_bytes(server), sum(rss_bytes(p) for p in descendants(server))


def client(
    number: int, base: str, stop: float, answers: list[Answer], lock: threading.Lock
) -> None:
    session = Session(base)
    profile = example_profile().read_bytes()
    step = 0
    while time.monotonic() < stop:
        step += 1
        if number == 0:  # the huge build: the whole pack, both formats, over and over
            plan = [("pack (API, PDF+Word)", "/api/build?format=pdf,docx", profile, False)]
        else:
            plan = [
                ("live check", "/form/check", session.form(number * 1000 + step), True),
                ("live check", "/form/check", session.form(number * 1000 + step + 1), True),
                ("preview", "/form/preview", session.form(number * 1000 + step), True),
            ]
            if step % 4 == 0:
                plan.append(("API check", "/api/check", profile, False))
            if step % 5 == 0:
                body = session.form(number * 1000 + step, format="pdf", doc="schedule-1")
                plan.append(("one PDF", "/download/document", body, True))
        for kind, path, body, form in plan:
            started = time.monotonic()
            try:
                status, _content = session.post(path, body, form)
            except OSError:
                status = 0
            with lock:
                answers.append(Answer(kind, status, time.monotonic() - started, started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pcndocs-load-") as folder:
        server = subprocess.Popen(
            [*SERVE, "-j", str(arguments.jobs), "-o", folder],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+", line)
            if not found:
                said = server.stderr.read() if server.stderr else ""
                raise SystemExit(f"the server did not start: {line}{said}")
            base = found.group(0)
            while len(workers_of(server.pid)) < arguments.jobs:  # warm: the workers are up
                time.sleep(0.1)
            Session(base).post("/form/preview", Session(base).form(0))  # warm
            before = memory(server.pid)
            answers: list[Answer] = []
            lock = threading.Lock()
            start = time.monotonic()
            stop = start + arguments.seconds
            threads = [
                threading.Thread(target=client, args=(n, base, stop, answers, lock))
                for n in range(arguments.clients)
            ]
            for thread in threads:
                thread.start()
            time.sleep(arguments.seconds / 2)
            killed_at = time.monotonic()
            first = {pid: cpu_seconds(pid) for pid in workers_of(server.pid)}
            victim = None
            while victim is None and time.monotonic() < killed_at + 10:
                busy = [p for p in workers_of(server.pid) if cpu_seconds(p) - first.get(p, 0) > 0.2]
                victim = busy[0] if busy else None
                time.sleep(0.02)
            victim = victim or workers_of(server.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic() - start
            for thread in threads:
                thread.join()
            after = memory(server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                _out, err = server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                _out, err = server.communicate()
    report(answers, arguments, before, after, killed_at, start, err)


def report(
    answers: list[Answer],
    arguments: argparse.Namespace,
    before: tuple[int, int],
    after: tuple[int, int],
    killed_at: float,
    start: float,
    err: str,
) -> None:
    def p95(values: list[float]) -> float:  # nearest rank: a time some request really took
        ordered = sorted(values)
        return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]

    mb = 1 << 20
    print(
        f"{arguments.clients} clients for {arguments.seconds:g} s, {arguments.jobs} workers, "
        f"on 127.0.0.1; a busy worker killed at {killed_at:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    statuses = collections.Counter(a.status for a in answers)
    print(f"requests answered: {len(answers)}; by status: {dict(sorted(statuses.items()))}")
    failed = [a for a in answers if a.status not in (200,)]
    print(f"not 200: {len(failed)} ({', '.join(f'{a.kind} {a.status}' for a in failed[:10])})")
    times = [a.seconds for a in answers]
    print(
        f"all: p50 {statistics.median(times):.2f} s, p95 {p95(times):.2f} s, max {max(times):.2f} s"
    )
    for kind in dict.fromkeys(a.kind for a in answers):
        mine = [a.seconds for a in answers if a.kind == kind]
        ok = sum(1 for a in answers if a.kind == kind and a.status == 200)
        print(
            f"  {kind}: {len(mine)} ({ok} answered 200), p50 {statistics.median(mine):.2f} s, "
            f"p95 {p95(mine):.2f} s, max {max(mine):.2f} s"
        )
    later = [a for a in answers if a.started - start > killed_at]
    print(
        f"after the kill: {len(later)} requests, "
        f"{sum(1 for a in later if a.status == 200)} answered 200"
    )
    print(
        f"memory (RSS): server {before[0] / mb:.0f} MB and its child processes (the workers, "
        f"the forkserver) {before[1] / mb:.0f} MB before, "
        f"{after[0] / mb:.0f} MB and {after[1] / mb:.0f} MB after"
    )
    traceback = "Traceback" in err
    print(f"server's error output: {len(err.splitlines())} lines; a traceback: {traceback}")


if __name__ == "__main__":
    main()
