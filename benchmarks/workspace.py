"""pcndocs serve FOLDER: a save, the networks' page of 40 networks, what changed since agreed.

    python -m benchmarks.workspace [--repeat N] [--networks N]

A server runs in this process on a workspace of N copies of the example (40 by default);
requests go over real HTTP as a browser's do. Side by side in one run, so the ratios hold
on a busy machine:
- a save of the example's form (POST /networks/FILE/save: read the form, check it, write
  the file atomically) beside a live check of the same form (POST /form/check);
- the networks' page, first with every network checked (a server just started) and then
  as it is drawn again (each network's check kept by its file's version);
- the CPU of a server started as `pcndocs serve` starts it (checking every network on a
  thread) and of its first networks' page, asked for at once: each network checked once;
- "What changed" against the last agreed version (its document trees kept by their
  fingerprint) beside the same against an uploaded copy of that version (nothing kept),
  and beside a preview of Schedule 1.
Prints medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import resource
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from pcndocs.output.workspace import Workspace
from pcndocs.resources import example_profile

EXAMPLE_NAME = "Riverside Primary Care Network"


@contextmanager
def server(folder: Path, out: Path, warm: bool = False) -> Iterator[str]:
    """Run a pcndocs server on a workspace in this process, and yield its address.

    With warm, as `pcndocs serve` starts it: every network is checked on a thread at once.
    """
    import uvicorn

    from pcndocs.web.app import Settings, create_app
    from pcndocs.web.server import bind

    sock = bind("127.0.0.1", 0, next_free=False)
    settings = Settings(workers=1, out=out, workspace=folder, warm=warm)
    running = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        running.should_exit = True
        thread.join(timeout=60)


class Browser:
    """Requests as the page sends them: its cookies, and its token on whatever it posts."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""

    def timed(
        self,
        url: str,
        fields: dict[str, str] | None = None,
        body: bytes | None = None,
        kind: str = "",
    ) -> tuple[float, str]:
        """Return the seconds a GET or POST took, to its last byte, and the answer's text."""
        headers = {"X-Pcndocs-Token": self.token}
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
        if kind:
            headers["Content-Type"] = kind
        request = urllib.request.Request(url, data=body, headers=headers)
        start = time.perf_counter()
        with self.opener.open(request, timeout=600) as answer:
            text: str = answer.read().decode("utf-8")
        spent = time.perf_counter() - start
        found = re.search(r'<meta name="pcndocs-token" content="([^"]*)"', text)
        if found:
            self.token = found.group(1)
        return spent, text


def _cpu() -> float:
    """Return the CPU seconds this process (the server's threads with it) has used."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def form_fields(page: str) -> dict[str, str]:
    import lxml.html  # type: ignore[import-untyped, unused-ignore]

    form = lxml.html.fromstring(page).get_element_by_id("profile")
    fields: dict[str, str] = {}
    for name, value in form.form_values():
        fields.setdefault(name, value)
    return fields


def version_of(page: str) -> str:
    found = re.search(r'data-version="([0-9a-f]+)"', page)
    assert found
    return found.group(1)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """Return a multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/yaml\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--networks", type=int, default=40)
    args = parser.parse_args()
    text = example_profile().read_text(encoding="utf-8")
    rows: dict[str, list[float]] = {}

    def keep(name: str, seconds: float) -> None:
        rows.setdefault(name, []).append(seconds)

    with tempfile.TemporaryDirectory(prefix="pcndocs-bench-") as scratch:
        folder, out = Path(scratch) / "networks", Path(scratch) / "output"
        space = Workspace(folder)
        names = [
            space.create(
                f"{EXAMPLE_NAME} {i:02d}", text.replace(EXAMPLE_NAME, f"{EXAMPLE_NAME} {i:02d}")
            ).name
            for i in range(args.networks)
        ]
        first = space.read(names[0])
        space.agree(first.name, date(2026, 3, 12), "board", first.version)
        agreed = first.text.encode()
        with server(folder, out) as base:
            browser = Browser()
            keep("networks' page, first (every network checked)", browser.timed(base + "/")[0])
        # As `pcndocs serve` starts: the page asked for while the server checks every network
        # on a thread (each is checked once, not by both). CPU: this process's, server and all.
        started = _cpu()
        with server(folder, Path(scratch) / "output-warm", warm=True) as base:
            Browser().timed(base + "/")
            first_cpu = _cpu() - started
        with server(folder, out) as base:
            browser = Browser()
            _, page = browser.timed(f"{base}/networks/{names[0]}")
            fields = form_fields(page)
            version = version_of(page)
            for i in range(args.repeat + 1):  # the first of each is a warm-up, not counted
                edited = {
                    **fields,
                    "appointment.term_years": "4",
                    "practices[0].list_size": str(12_000 + i),
                }
                save, answer = browser.timed(
                    f"{base}/networks/{names[0]}/save", {**edited, "_base": version}
                )
                version = re.search(r'"version": ?"([0-9a-f]+)"', answer).group(1)  # type: ignore[union-attr]
                check = browser.timed(base + "/form/check", edited)[0]
                listing = browser.timed(base + "/")[0]
                body, kind = multipart({"against": "agreed"}, {})
                since_agreed = browser.timed(
                    f"{base}/networks/{names[0]}/changes", body=body, kind=kind
                )[0]
                body, kind = multipart({"against": "upload"}, {"older": ("agreed.yaml", agreed)})
                since_upload = browser.timed(
                    f"{base}/networks/{names[0]}/changes", body=body, kind=kind
                )[0]
                spent, answer = browser.timed(
                    base + "/form/preview", {**edited, "doc": "schedule-1"}
                )
                src = answer.split('src="', 1)[1].split('"', 1)[0]
                preview = spent + browser.timed(base + src)[0]
                if i:
                    keep("a save (POST /networks/FILE/save)", save)
                    keep("a live check of the same form (POST /form/check)", check)
                    keep(f"networks' page of {args.networks}, again", listing)
                    keep("what changed since the last agreed version", since_agreed)
                    keep("what changed since an uploaded copy of it", since_upload)
                    keep("preview of schedule-1 (POST /form/preview and its page)", preview)
    medians = {name: statistics.median(values) for name, values in rows.items()}
    print(
        f"medians of {args.repeat} runs ({args.networks} networks); "
        f"load average {os.getloadavg()[0]:.2f} (a shared machine)"
    )
    print(
        f"  {'CPU of a server started as serve does, and its first page':58} "
        f"{first_cpu * 1000:8.0f} ms"
    )
    for name, seconds in medians.items():
        print(f"  {name:58} {seconds * 1000:8.0f} ms")
    names_ = list(medians)
    for slow, fast in ((1, 2), (4, 6), (5, 6), (4, 5)):
        ratio = medians[names_[slow]] / medians[names_[fast]]
        print(f"  ratio {names_[slow]} / {names_[fast]}: {ratio:.2f}")


if __name__ == "__main__":
    main()
