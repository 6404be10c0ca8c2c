"""pcndocs serve under load, with large national uploads and a build worker killed in the
middle: requests held, errors, latency and memory. Measured, never asserted; its figures go in
a session's report.

A real server (`pcndocs serve`, its own process, on 127.0.0.1 only) is driven by CLIENTS
threads for SECONDS. Each client is a browser session of the page: its cookie, its token,
its origin. One client asks for the whole pack (PDF and Word) again and again, as a huge
build that must not hold the workers; with the national files at hand (--epcn, --lists;
/work/shared/data by default), another uploads the ePCN workbook and the list-size CSV again
and again and searches them, as the import page does (--copies N makes the workbook N times
England's networks, a larger upload than the real one); the others type (live checks), look
at previews, download one document and call the API. Half way, one build worker is killed
with SIGKILL (as the out-of-memory killer does), while it works if one is working. The
server's memory is sampled throughout, so the peak while an upload is read is seen.

    .venv/bin/python -m benchmarks.serve_load [--clients 8] [--seconds 60] [--jobs 2]
        [--epcn FILE.xlsx] [--lists FILE.csv] [--copies 3]
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

NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "data"
if not NATIONAL.is_dir():
    NATIONAL = Path("/work/shared/data")

SERVE = [sys.executable, "-m", "pcndocs", "serve", "--no-browser", "--port", "0"]
TOKEN = re.compile(r'<meta name="pcndocs-token" content="([^"]+)"')


@dataclass(frozen=True)
class Answer:
    kind: str
    status: int  # 0: no answer at all (the connection failed)
    seconds: float
    started: float
    said: str = ""  # what a refusal said, in short


def said(status: int, content: bytes) -> str:
    """Return the gist of an answer that is not 200: its text without markup, shortened."""
    if status == 200:
        return ""
    text = re.sub(r"<[^>]+>|\s+", " ", content.decode(errors="replace"))
    found = re.search(r"(busy|died|stopped|too many|larger than|longer than)[^.<]*", text)
    return (found.group(0) if found else text.strip())[:80]


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

    def upload(self, files: dict[str, tuple[str, bytes]], query: str) -> tuple[int, bytes]:
        """Post the national files as the import page's form does (multipart)."""
        boundary = "pcndocs-load-" + os.urandom(8).hex()
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="query"\r\n\r\n'
            f"{query}\r\n".encode()
        ]
        for role, (name, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{role}"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {
            "Origin": self.base,
            "X-Pcndocs-Token": self.token,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        request = urllib.request.Request(
            self.base + "/national", data=b"".join(parts), headers=headers
        )
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


def parents() -> dict[int, int]:
    """Return the parent of every process, from one reading of /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found[int(entry.name)] = parent
    return found


def children(pid: int, of: dict[int, int] | None = None) -> list[int]:
    return [child for child, parent in (of or parents()).items() if parent == pid]


def descendants(pid: int, of: dict[int, int] | None = None) -> list[int]:
    of = of or parents()
    found = children(pid, of)
    return found + [d for c in found for d in descendants(c, of)]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_of(server: int) -> list[int]:
    """Return the build workers: the children of the server's forkserver."""
    of = parents()
    return [w for c in children(server, of) for w in children(c, of)]


def memory(server: int) -> tuple[int, int]:
    """Return the RSS of the server process and of all its children together."""
    return rss_bytes(server), sum(rss_bytes(p) for p in descendants(server))


class Peaks:
    """The highest memory of the server, and of its children together, sampled in a thread."""

    def __init__(self, server: int) -> None:
        self.server, self.children = 0, 0
        self._pid = server
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.25):
            own, theirs = memory(self._pid)
            self.server, self.children = max(self.server, own), max(self.children, theirs)

    def stop(self) -> tuple[int, int]:
        self._done.set()
        self._thread.join()
        return self.server, self.children


def larger_workbook(epcn: Path, copies: int, target: Path) -> Path:
    """Write the ePCN workbook with its networks `copies` times over, each copy with codes of
    its own (U and five digits, as the file's): a larger upload than England's own file."""
    import openpyxl  # type: ignore[import-untyped, unused-ignore]

    source = openpyxl.load_workbook(epcn, read_only=True)
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in source.worksheets}
    source.close()
    details, partners = sheets["PCN Details"], sheets["PCN Core Partner Details"]
    taken = {str(row[0]) for row in details[1:]}
    free = (f"U{n:05d}" for n in range(99_999, 0, -1) if f"U{n:05d}" not in taken)
    renamed = [
        {code: next(free) for code in sorted(taken)} if copy else {code: code for code in taken}
        for copy in range(copies)
    ]
    out = openpyxl.Workbook(write_only=True)
    for title, rows, column in (
        ("PCN Details", details, 0),
        ("PCN Core Partner Details", partners, 4),
    ):
        sheet = out.create_sheet(title)
        sheet.append(rows[0])
        for names in renamed:
            for row in rows[1:]:
                cells = list(row)
                cells[column] = names.get(str(cells[column]), cells[column])
                sheet.append(cells)
    out.save(target)
    return target


def client(
    number: int,
    base: str,
    stop: float,
    answers: list[Answer],
    lock: threading.Lock,
    national: dict[str, tuple[str, bytes]],
) -> None:
    session = Session(base)
    profile = example_profile().read_bytes()
    step = 0
    megabytes = sum(len(content) for _name, content in national.values()) / (1 << 20)
    while time.monotonic() < stop:
        step += 1
        if number == 0:  # the huge build: the whole pack, both formats, over and over
            plan = [("pack (API, PDF+Word)", "/api/build?format=pdf,docx", profile, False)]
        elif number == 1 and national:  # the national files, uploaded and searched
            started = time.monotonic()
            page = b""
            try:
                status, page = session.upload(national, "Liverpool")
                if status == 200 and b"CENTRAL LIVERPOOL" not in page.upper():
                    status = -1  # answered, but the search found nothing: not held
            except OSError:
                status = 0
            with lock:
                kind = f"national upload ({megabytes:.1f} MB) and search"
                seconds = time.monotonic() - started
                answers.append(Answer(kind, status, seconds, started, said(status, page)))
            continue
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
            content = b""
            try:
                status, content = session.post(path, body, form)
            except OSError:
                status = 0
            with lock:
                seconds = time.monotonic() - started
                answers.append(Answer(kind, status, seconds, started, said(status, content)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epcn", type=Path, default=NATIONAL / "ePCN-2019-12.xlsx")
    parser.add_argument("--lists", type=Path, default=NATIONAL / "gp-reg-pat-prac-all-2021-01.csv")
    parser.add_argument(
        "--copies", type=int, default=1, help="the workbook's networks this many times over"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pcndocs-load-") as folder:
        national: dict[str, tuple[str, bytes]] = {}
        if arguments.epcn.is_file():
            epcn = arguments.epcn
            if arguments.copies > 1:
                epcn = larger_workbook(epcn, arguments.copies, Path(folder) / "ePCN-larger.xlsx")
            national["epcn"] = (epcn.name, epcn.read_bytes())
            if arguments.lists.is_file():
                national["lists"] = (arguments.lists.name, arguments.lists.read_bytes())
        else:
            print(f"no national files at {arguments.epcn}: no uploads in this run")
        out = Path(folder) / "out"
        server = subprocess.Popen(
            [*SERVE, "-j", str(arguments.jobs), "-o", str(out)],
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
            build_workers = workers_of(server.pid)  # before any upload's reader starts
            before = memory(server.pid)
            peaks = Peaks(server.pid)
            answers: list[Answer] = []
            lock = threading.Lock()
            start = time.monotonic()
            stop = start + arguments.seconds
            threads = [
                threading.Thread(target=client, args=(n, base, stop, answers, lock, national))
                for n in range(arguments.clients)
            ]
            for thread in threads:
                thread.start()
            time.sleep(arguments.seconds / 2)
            killed_at = time.monotonic()
            # A build worker, never the process reading an upload (a sibling of theirs).
            alive = [p for p in workers_of(server.pid) if p in build_workers]
            first = {pid: cpu_seconds(pid) for pid in alive}
            victim = None
            while victim is None and time.monotonic() < killed_at + 10:
                busy = [p for p in alive if cpu_seconds(p) - first[p] > 0.2]
                victim = busy[0] if busy else None
                time.sleep(0.02)
            victim = victim or alive[0]
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic() - start
            for thread in threads:
                thread.join()
            after = memory(server.pid)
            peak = peaks.stop()
        finally:
            server.send_signal(signal.SIGINT)
            try:
                _out, err = server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                _out, err = server.communicate()
    report(answers, arguments, (before, peak, after), killed_at, start, err)


def report(
    answers: list[Answer],
    arguments: argparse.Namespace,
    memories: tuple[tuple[int, int], tuple[int, int], tuple[int, int]],
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
    before, peak, after = memories
    failed = [a for a in answers if a.status not in (200,)]
    print(f"not 200: {len(failed)}")
    for (kind, status, gist), count in collections.Counter(
        (a.kind, a.status, a.said) for a in failed
    ).items():
        slowest = max(
            a.seconds for a in failed if (a.kind, a.status, a.said) == (kind, status, gist)
        )
        print(f"  {count} × {kind}: {status}, after {slowest:.1f} s at most: {gist!r}")
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
        f"{after[0] / mb:.0f} MB and {after[1] / mb:.0f} MB after; "
        f"highest sampled (every 0.25 s): server {peak[0] / mb:.0f} MB, "
        f"its child processes together {peak[1] / mb:.0f} MB"
    )
    traceback = "Traceback" in err
    print(f"server's error output: {len(err.splitlines())} lines; a traceback: {traceback}")


if __name__ == "__main__":
    main()
