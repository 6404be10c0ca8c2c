"""pcndocs serve over real HTTP: a live check, a preview after a change, the pack as a ZIP.

A server runs in this process on a free port with one build worker per core; requests go
through the network stack as a browser's do. The pack is compared in the same run with a
serial build of the same profile in this process, warm, so the ratio is what the workers'
sharing of one pack gains.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.documents import SMOKE_DOCUMENT
from benchmarks.report import Section, Settings, Verdict, load_average, note
from pcndocs.output.batch import build_profile, default_jobs
from pcndocs.output.build import BuildOptions
from pcndocs.resources import example_profile

# The server's forms carry the page's token as their first field, valid for the session the
# page was drawn in: keep its cookie, as a browser does (urlopen everywhere uses this opener).
urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPCookieProcessor()))

CHECK_TARGET = 0.100
PREVIEW_TARGET = 0.300
PACK_TARGET = 0.60  # of a serial build
PREVIEWED = ("schedule-1", "cd-job-description", "lead-checklist:0", "leadership-summary")


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time (user and system) the processes have used so far."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def worker_pids(app: object) -> list[int]:
    """Return the process ids of a running server's build workers."""
    web = app.app.state.web  # type: ignore[attr-defined]
    return [process.pid for process, _connection in web.pool._pool._workers]


@contextmanager
def server(workers: int) -> Iterator[tuple[str, object]]:
    """Run a pcndocs server in this process and yield its address and application."""
    import uvicorn

    from pcndocs.web.app import Settings as WebSettings
    from pcndocs.web.app import create_app
    from pcndocs.web.server import bind

    sock = bind("127.0.0.1", 0, next_free=False)
    app = create_app(WebSettings(workers=workers))
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    finally:
        running.should_exit = True
        thread.join(timeout=60)


def post(url: str, fields: dict[str, str]) -> tuple[float, bytes]:
    """Return the seconds a form post took, to its last byte, and the answer."""
    body = urllib.parse.urlencode(fields).encode()
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=300) as answer:
        content: bytes = answer.read()
    return time.perf_counter() - start, content


def get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as answer:
        content: bytes = answer.read()
    return time.perf_counter() - start, content


def example_fields(base: str) -> dict[str, str]:
    """Return the example profile's form fields, as the browser sends them."""
    import lxml.html  # type: ignore[import-untyped, unused-ignore]

    _, page = get(base + "/example")
    form = lxml.html.fromstring(page).get_element_by_id("profile")
    fields: dict[str, str] = {}
    for name, value in form.form_values():
        fields.setdefault(name, value)
    return fields


def changed(fields: dict[str, str], step: int) -> dict[str, str]:
    """Return the fields with one list size changed, as a user's edit does."""
    return {**fields, "practices[0].list_size": str(12_000 + step)}


def run(settings: Settings) -> Section:
    """Measure the web interface's round trips and the pack; return the section."""
    section = Section("7. pcndocs serve over HTTP")
    repeat = settings.repeats(30, 10)
    workers = max(settings.jobs, default_jobs())
    with server(workers) as (base, app):
        fields = example_fields(base)
        post(base + "/form/check", fields)  # warm
        note("check round trips")
        checks = [post(base + "/form/check", changed(fields, i))[0] for i in range(repeat)]
        api = example_profile().read_bytes()
        api_checks = []
        for _ in range(repeat):
            start = time.perf_counter()
            request = urllib.request.Request(base + "/api/check", data=api)
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()
            api_checks.append(time.perf_counter() - start)
        note("previews after a change")
        previews: dict[str, float] = {}
        for doc in PREVIEWED:
            times = []
            for i in range(settings.repeats(10, 4)):
                spent, answer = post(base + "/form/preview", {**changed(fields, i), "doc": doc})
                src = answer.decode().split('src="', 1)[1].split('"', 1)[0]
                fetched, _ = get(base + src)
                times.append(spent + fetched)
            previews[doc] = statistics.median(times)
        note("the pack, through the workers")
        if not settings.smoke:  # the workers' first build warms them
            post(base + "/download/pack", changed(fields, -1))
        pids = worker_pids(app)
        used = cpu_seconds(pids)
        packs = [
            post(base + "/download/pack", changed(fields, -2 - i))[0]
            for i in range(settings.repeats(3, 2))
        ]
        worker_cpu = (cpu_seconds(pids) - used) / len(packs)
    note("the pack, serially in this process")
    out = settings.out / "web-serial"
    # force: build every time; --smoke: the shortest document only (its figures mean nothing)
    documents = (SMOKE_DOCUMENT,) if settings.smoke else ()
    options = BuildOptions(out=out, formats=("docx", "pdf"), documents=documents, force=True)
    if not settings.smoke:
        build_profile(example_profile(), options)  # warm
    serial = []
    serial_cpu = []
    for _ in range(settings.repeats(3, 2)):
        start, cpu = time.perf_counter(), time.process_time()
        build_profile(example_profile(), options)
        serial.append(time.perf_counter() - start)
        serial_cpu.append(time.process_time() - cpu)

    check = statistics.median(checks)
    pack = min(packs)
    alone = min(serial)
    worst_doc, worst = max(previews.items(), key=lambda item: item[1])
    section.say(
        f"The example profile (profiles/example.yaml); {workers} build workers; medians of "
        f"{repeat} checks, {settings.repeats(10, 4)} previews per document, "
        f"{len(packs)} packs. Each check and preview sends a changed list size, as a user's "
        "edit does; a preview is the form post plus the fetch of its page by the frame."
    )
    section.say()
    section.table(
        ["request", "median", "slowest"],
        [
            ["POST /form/check (the form, live)", _ms(check), _ms(max(checks))],
            [
                "POST /api/check (the YAML)",
                _ms(statistics.median(api_checks)),
                _ms(max(api_checks)),
            ],
            *[[f"preview of {doc}", _ms(t), ""] for doc, t in previews.items()],
            ["POST /download/pack (DOCX and PDF, ZIP)", f"{pack:.2f} s", f"{max(packs):.2f} s"],
            ["serial build of the same pack, in one process", f"{alone:.2f} s", ""],
        ],
    )
    mean_pack = sum(packs) / len(packs)
    alone_cpu = min(serial_cpu)
    section.say(
        f"The workers used {worker_cpu:.2f} s of CPU per pack in {mean_pack:.2f} s of wall "
        f"time: {worker_cpu / mean_pack:.2f} cores busy on average. The serial build used "
        f"{alone_cpu:.2f} s of CPU in {alone:.2f} s of wall time: the workers' CPU is "
        f"{worker_cpu / alone_cpu:.2f}× the serial build's (what sharing a pack between "
        f"processes costs beyond the work itself). Load average {load_average()}: the machine "
        "is shared, so wall times move with others' work; against the serial build's CPU "
        f"time (what it takes on an idle core) the pack takes {pack / alone_cpu:.0%}."
    )
    section.say()
    section.verdicts += [
        Verdict(f"a check round trip ≤ {_ms(CHECK_TARGET)}", _ms(check), check <= CHECK_TARGET),
        Verdict(
            f"one document's preview ≤ {_ms(PREVIEW_TARGET)} after a change",
            f"{_ms(worst)} ({worst_doc}, the slowest)",
            worst <= PREVIEW_TARGET,
        ),
        Verdict(
            f"the pack ZIP ≤ {PACK_TARGET:.0%} of a serial build",
            f"{pack / alone:.0%} ({pack:.2f} s against {alone:.2f} s, {workers} workers)",
            pack / alone <= PACK_TARGET,
        ),
    ]
    return section


def _ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"
