"""pcndocs serve: "What changed since the last build", over real HTTP, beside a preview.

    python -m benchmarks.web_changes [--repeat N]

The example is built (HTML) into a temporary output folder; the server compares the
example's form, with a longer term of office, against it. Side by side in one run, so the
ratios hold on a busy machine: the comparison against a preview of one document (both
read and render the profile), and each redline download against the pack's one document
download of the same format. Prints medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.web import example_fields
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.resources import example_profile


@contextmanager
def server(out: Path) -> Iterator[str]:
    """Run a pcndocs server in this process, comparing with out, and yield its address."""
    import uvicorn

    from pcndocs.web.app import Settings, create_app
    from pcndocs.web.server import bind

    sock = bind("127.0.0.1", 0, next_free=False)
    running = uvicorn.Server(
        uvicorn.Config(create_app(Settings(workers=1, out=out)), log_level="warning")
    )
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        running.should_exit = True
        thread.join(timeout=60)


def timed(url: str, fields: dict[str, str] | None = None) -> tuple[float, bytes]:
    """Return the seconds a GET (or a form POST) took, to its last byte, and the answer."""
    body = urllib.parse.urlencode(fields).encode() if fields is not None else None
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=300) as answer:
        content: bytes = answer.read()
    return time.perf_counter() - start, content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory(prefix="pcndocs-bench-") as folder:
        out = Path(folder)
        build_profile(example_profile(), BuildOptions(out=out, formats=("html",)))
        with server(out) as base:
            fields = {**example_fields(base), "appointment.term_years": "4"}
            rows: dict[str, list[float]] = {}
            for i in range(repeat + 1):  # the first of each is a warm-up, not counted
                edited = {**fields, "practices[0].list_size": str(12_452 + i)}
                spent, page = timed(base + "/form/changes", edited)
                link = page.decode().split('href="/changes/', 1)[1].split('"', 1)[0]
                redline = "/changes/" + link  # schedule-1-changes.docx
                times = {
                    "what changed (POST /form/changes)": spent,
                    "preview of schedule-1 (POST /form/preview and its page)": preview(
                        base, edited
                    ),
                    "redline of schedule-1 as DOCX": timed(base + redline)[0],
                    "schedule-1 as DOCX (POST /download/document)": timed(
                        base + "/download/document",
                        {**edited, "doc": "schedule-1", "format": "docx"},
                    )[0],
                    "redline of schedule-1 as PDF": timed(base + redline.replace(".docx", ".pdf"))[
                        0
                    ],
                    "schedule-1 as PDF (POST /download/document)": timed(
                        base + "/download/document",
                        {**edited, "doc": "schedule-1", "format": "pdf"},
                    )[0],
                }
                if i:
                    for name, seconds in times.items():
                        rows.setdefault(name, []).append(seconds)
    medians = {name: statistics.median(values) for name, values in rows.items()}
    print(f"medians of {repeat} runs; load average {os.getloadavg()[0]:.2f} (a shared machine)")
    for name, seconds in medians.items():
        print(f"  {name:58} {seconds * 1000:7.0f} ms")
    names = list(medians)
    for slow, fast in ((0, 1), (2, 3), (4, 5)):
        ratio = medians[names[slow]] / medians[names[fast]]
        print(f"  ratio {names[slow]} / {names[fast]}: {ratio:.2f}")


def preview(base: str, fields: dict[str, str]) -> float:
    """Return the seconds a preview of Schedule 1 takes: the form post and its frame's page."""
    spent, answer = timed(base + "/form/preview", {**fields, "doc": "schedule-1"})
    src = answer.decode().split('src="', 1)[1].split('"', 1)[0]
    return spent + timed(base + src)[0]


if __name__ == "__main__":
    main()
