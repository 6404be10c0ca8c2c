"""The browser's CPU per live check of the edit page, from Chromium's performance trace.

Each check is what a user's pause in typing costs the page: a key typed in a list size, the
check's answer, and its messages, figures, side list and drop-downs swapped in. The CPU time of
the page's main thread (the thread time of its tasks in the trace) is summed from the key to the
frame after the answer. This page's form.js is measured side by side, in the same run and on the
same page, with the form.js from before issue 21 (which marked every field once per swapped
message), served in its place.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.report import REPO, Section, Settings, Verdict, load_average, note
from benchmarks.web import server

TARGET = 0.5  # seconds of the browser's CPU per live check (issue 21 §3)
BEFORE = "e9258b2"  # the commit before issue 21's form work
CHROMIUM = Path("/usr/bin/chromium")
FIELD = "f-practices-0-list_size"


def _old_form_js() -> str:
    return subprocess.run(
        ["git", "show", f"{BEFORE}:pcndocs/web/static/form.js"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main_thread_cpu(trace: bytes) -> float:
    """Return the seconds of thread time of the renderers' main threads' tasks in a trace."""
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    micro = sum(
        e.get("tdur", e.get("dur", 0))
        for e in events
        if e.get("ph") == "X"
        and e.get("name") in ("RunTask", "ThreadControllerImpl::RunTask")
        and (e["pid"], e["tid"]) in mains
    )
    return float(micro) / 1e6


def _one_check(browser: Any, page: Any, key: str) -> float:
    browser.start_tracing(page=page, categories=["devtools.timeline", "toplevel"])
    with page.expect_response(lambda r: r.url.endswith("/form/check")):
        page.keyboard.press(key)
    # The answer is swapped in by the task that received it; wait for the frame after it.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return main_thread_cpu(browser.stop_tracing())


def _measure(browser: Any, base: str, form_js: str | None, repeat: int) -> list[float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if form_js is not None:
        page.route(
            "**/static/form.js*",
            lambda route: route.fulfill(body=form_js, content_type="text/javascript"),
        )
    page.goto(base + "/example")
    page.wait_for_load_state("networkidle")
    page.focus("#" + FIELD)
    page.keyboard.press("End")
    _one_check(browser, page, "1")  # warm: the first check compiles what the others reuse
    _one_check(browser, page, "Backspace")
    spent = []
    for i in range(repeat):
        spent.append(_one_check(browser, page, "1" if i % 2 == 0 else "Backspace"))
    context.close()
    return spent


def run(settings: Settings) -> Section:
    """Measure the browser's CPU per live check, now and before; return the section."""
    from playwright.sync_api import sync_playwright

    section = Section("8. The edit page in Chromium: CPU per live check")
    executable = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium") or "")
    repeat = settings.repeats(8, 4)
    with server(1) as (base, _app), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        note("this form.js")
        now = _measure(browser, base, None, repeat)
        note("the form.js before issue 21")
        before = _measure(browser, base, _old_form_js(), repeat)
        browser.close()
    median_now, median_before = statistics.median(now), statistics.median(before)
    section.say(
        f"The example profile's edit page at 1280 px; a digit typed into, then taken out of, "
        f"practice 1's list size, {repeat // 2} times each way round, one check each; the CPU "
        "time of the page's main thread from the key to the frame after the answer, from "
        f"Chromium's trace (RunTask thread time). Load average {load_average()}."
    )
    section.say()
    section.table(
        ["form.js", "median CPU per check", "slowest"],
        [
            ["now", f"{median_now:.3f} s", f"{max(now):.3f} s"],
            [f"before issue 21 ({BEFORE})", f"{median_before:.3f} s", f"{max(before):.3f} s"],
            ["ratio, now / before", f"{median_now / median_before:.2f}", ""],
        ],
    )
    section.verdicts.append(
        Verdict(
            f"the browser's CPU per live check ≤ {TARGET} s",
            f"{median_now:.3f} s (before: {median_before:.3f} s)",
            median_now <= TARGET,
        )
    )
    return section


if __name__ == "__main__":
    from benchmarks.report import BENCH

    print(run(Settings(quick=False, out=BENCH / "out", data=REPO.parent / "shared" / "data")))
