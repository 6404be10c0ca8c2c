"""Hostile output folders, slow clients and oversized inputs: tried, and counted by kind.

Each case runs a whole `pcndocs` process (or talks to a real server over a socket) and is
handled when it ends by itself within the time allowed, with exit 0 or 1, no traceback, no
file written through a link, and every byte a user edited still there. Measured and
counted, never asserted:

    .venv/bin/python benchmarks/hostile_outputs.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

if __package__ in (None, ""):  # run as a script: import from the repository
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from pcndocs.resources import example_profile

FOLDER = "riverside-primary-care-network"
FAST = ["-f", "html", "-d", "leadership-summary"]
SECONDS = 120  # a case still running after this was waiting for ever: not handled


@dataclass
class Case:
    kind: str
    name: str
    handled: bool
    seconds: float
    note: str = ""


def _pcndocs(*args: str) -> tuple[int | None, str, float]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pcndocs", *args],
            capture_output=True,
            text=True,
            timeout=SECONDS,
        )
    except subprocess.TimeoutExpired:
        return None, "timed out", time.monotonic() - started
    return done.returncode, done.stderr + done.stdout, time.monotonic() - started


def _clean(code: int | None, output: str) -> bool:
    return code in (0, 1) and "Traceback" not in output


def _built(root: Path) -> Path:
    out = root / "out"
    _pcndocs("build", "-o", str(out), *FAST, str(example_profile()))
    return out


def output_folder_cases(root: Path) -> list[Case]:
    """Links, damaged records, FIFOs, lost records, formulas, temporaries."""
    cases: list[Case] = []
    base = _built(root / "base")

    def fresh(name: str) -> Path:
        copy = root / name.replace(" ", "-").replace("/", "-")
        shutil.copytree(base, copy / "out", symlinks=True)
        return copy / "out"

    def attempt(kind: str, name: str, prepare: Callable[[Path], Callable[[], bool]]) -> None:
        out = fresh(f"{kind}-{name}")
        intact = prepare(out)
        code, output, seconds = _pcndocs("build", "--force", "-o", str(out), *FAST)
        ok = _clean(code, output) and intact()
        cases.append(Case(kind, name, ok, seconds, "" if ok else output[-300:]))

    for where in (".pcndocs", f"{FOLDER}/.pcndocs", ".pcndocs/lock"):

        def link(out: Path, where: str = where) -> Callable[[], bool]:
            elsewhere = out.parent / "elsewhere"
            elsewhere.mkdir()
            target = out / where
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
            target.symlink_to(elsewhere if not where.endswith("lock") else elsewhere / "lock")
            return lambda: not any(elsewhere.iterdir())

        attempt("link where records go", where, link)

    damaged = {
        "not JSON": "{",
        "a list": "[]",
        "null": "null",
        "deep nesting": "[" * 200_000 + "]" * 200_000,
        "networks a list": json.dumps({"version": 1, "networks": []}),
        "../ in a file": json.dumps(
            {"version": 1, "networks": {FOLDER: {"files": {"../../x": ["0" * 64, 1]}}}}
        ),
        "../ as a folder": json.dumps({"version": 1, "networks": {"../x": {}}}),
        "a formula file name": json.dumps(
            {"version": 1, "networks": {FOLDER: {"files": {"=1+1": ["0" * 64, 1]}}}}
        ),
        "size as text": json.dumps(
            {"version": 1, "networks": {FOLDER: {"files": {"a.html": ["0" * 64, "1"]}}}}
        ),
        "16 MB string": json.dumps({"version": 1, "x": "y" * 16_000_000}),
    }
    for name, text in damaged.items():

        def damage(out: Path, text: str = text) -> Callable[[], bool]:
            (out / ".pcndocs" / "manifest.json").write_text(text, encoding="utf-8")
            return lambda: True

        attempt("damaged record", name, damage)

    def huge_index(out: Path) -> Callable[[], bool]:
        (out / "index.csv").write_text('file\n"' + "x" * 400_000 + '"\n', encoding="utf-8")
        return lambda: True

    attempt("damaged record", "index.csv field over the CSV limit", huge_index)

    for where in (
        f"{FOLDER}/leadership-summary.html",
        "index.csv",
        ".pcndocs/manifest.json",
        ".pcndocs/journal-1.txt",
        ".pcndocs/lock",
        f"{FOLDER}/.pcndocs/profile.yaml",
    ):

        def fifo(out: Path, where: str = where) -> Callable[[], bool]:
            (out / where).unlink(missing_ok=True)
            os.mkfifo(out / where)
            return lambda: (out / where).is_fifo()

        attempt("FIFO where an output goes", where, fifo)

    def edited(out: Path) -> tuple[Path, bytes]:
        document = out / FOLDER / "leadership-summary.html"
        data = document.read_bytes().replace(b"</body>", b"<p>Signed.</p></body>")
        document.write_bytes(data)
        return document, data

    losses: dict[str, Callable[[Path], None]] = {
        "record deleted": lambda out: shutil.rmtree(out / ".pcndocs"),
        "record garbled": lambda out: _write(out / ".pcndocs" / "manifest.json", "x"),
        "record emptied": lambda out: _write(
            out / ".pcndocs" / "manifest.json", '{"version": 1, "networks": {}}'
        ),
        "network record deleted": lambda out: shutil.rmtree(out / FOLDER / ".pcndocs"),
    }
    for name, lose in losses.items():

        def lost(out: Path, lose: Callable[[Path], None] = lose) -> Callable[[], bool]:
            document, data = edited(out)
            lose(out)
            return lambda: document.read_bytes() == data

        attempt("edited document, no record", name, lost)

    def edited_new(out: Path) -> Callable[[], bool]:
        document, _ = edited(out)
        _pcndocs("build", "--force", "-o", str(out), *FAST)
        beside = document.with_name("leadership-summary.new.html")
        data = beside.read_bytes() + b"<!-- merged -->"
        beside.write_bytes(data)
        return lambda: beside.read_bytes() == data

    attempt("edited document, no record", "edited .new file", edited_new)

    for prefix in "=+-@":
        data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
        data["network"]["name"] = f"{prefix}HYPERLINK(1) Riverside"
        profile = root / f"formula{ord(prefix)}.yaml"
        profile.write_text(yaml.safe_dump(data), encoding="utf-8")
        out = root / f"formula{ord(prefix)}-out"
        code, output, seconds = _pcndocs("build", "-o", str(out), *FAST, str(profile))
        index = (out / "index.csv").read_text(encoding="utf-8") if code == 0 else ""
        ok = _clean(code, output) and all(
            not cell.startswith(("=", "+", "-", "@"))
            for line in index.splitlines()
            for cell in line.split(",")
        )
        cases.append(Case("index.csv cell Excel would run", prefix, ok, seconds))

    def temporaries(out: Path) -> Callable[[], bool]:
        left = [
            out / ".index.csv.999999999.x.tmp",
            out / ".pcndocs" / ".manifest.json.999999999.x.tmp",
            out / FOLDER / ".pcndocs" / ".profile.yaml.999999999.x.tmp",
        ]
        for path in left:
            path.write_text("half")
        return lambda: not any(p.exists() for p in left)

    attempt("temporaries of a killed build", "in OUT and the records", temporaries)
    return cases


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def template_cases(root: Path) -> list[Case]:
    cases: list[Case] = []
    for name in ("link to a FIFO outside", "FIFO in the folder", "link to /etc/passwd"):
        folder = root / f"t-{len(cases)}"
        folder.mkdir()
        target = folder / "leadership-summary.md"
        if name == "FIFO in the folder":
            os.mkfifo(target)
        elif name == "link to /etc/passwd":
            target.symlink_to("/etc/passwd")
        else:
            os.mkfifo(root / f"outside-{len(cases)}")
            target.symlink_to(root / f"outside-{len(cases)}")
        out = root / f"t-out-{len(cases)}"
        code, output, seconds = _pcndocs(
            "build", "-o", str(out), "--templates", str(folder), *FAST, str(example_profile())
        )
        cases.append(
            Case("hostile template file", name, code == 1 and _clean(code, output), seconds)
        )
    return cases


def server_cases() -> list[Case]:
    """Slow clients against a real `pcndocs serve`; a short token."""
    cases: list[Case] = []
    code, output, seconds = _pcndocs(
        "serve", "--host", "0.0.0.0", "--token", "short", "--no-browser"
    )
    cases.append(
        Case("server", "--token of 5 characters", code == 1 and _clean(code, output), seconds)
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "pcndocs", "serve", "--no-browser", "--port", "0", "-j", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        port = int(line.rsplit(":", 1)[1].split("/", 1)[0])
        for label, sent, count in (
            ("slow headers (slowloris)", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", 200),
            (
                "silent body",
                b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99\r\n\r\nx",
                50,
            ),
        ):
            started = time.monotonic()
            sockets = []
            for _ in range(count):
                connection = socket.create_connection(("127.0.0.1", port), timeout=SECONDS)
                connection.sendall(sent)
                sockets.append(connection)
            closed = 0
            for connection in sockets:
                try:
                    closed += connection.recv(1) == b""
                except OSError:
                    closed += 1  # reset by the server: closed too
                connection.close()
            cases.append(
                Case(
                    "server",
                    f"{count} clients, {label}",
                    closed == count,
                    time.monotonic() - started,
                    f"{closed} of {count} closed by the server",
                )
            )
    finally:
        server.terminate()
        server.communicate(timeout=60)
    return cases


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pcndocs-hostile-") as folder:
        root = Path(folder)
        cases = output_folder_cases(root) + template_cases(root) + server_cases()
    kinds: dict[str, list[Case]] = {}
    for case in cases:
        kinds.setdefault(case.kind, []).append(case)
    print(f"{'kind':<36} {'tried':>5} {'handled':>7} {'worst s':>8}")
    for kind, found in kinds.items():
        handled = sum(c.handled for c in found)
        worst = max(c.seconds for c in found)
        print(f"{kind:<36} {len(found):>5} {handled:>7} {worst:>8.1f}")
    print(f"{'all':<36} {len(cases):>5} {sum(c.handled for c in cases):>7}")
    for case in cases:
        if not case.handled or case.note:
            print(
                f"  {case.kind}: {case.name}: {'handled' if case.handled else 'NOT handled'}"
                f" {case.note}"
            )


if __name__ == "__main__":
    main()
