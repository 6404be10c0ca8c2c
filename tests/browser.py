"""What every browser test shares: a pcndocs server, Debian's Chromium, keyboard moves, axe-core.

A browser test module marks itself `pytestmark = pytest.mark.browser`, starts its own server
with `serving(Settings(...))` in a module fixture (each module wants its own folder), and asks
for the `browser` fixture (tests/conftest.py: one Chromium for the whole run, skipped where
there is none). Every wait is on an event of the page; WAIT_MS is only the limit past which a
wait is a failure, generous for a machine whose two cores are busy with other work.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pcndocs.web.app import Settings, create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TODAY = date(2026, 11, 28)
WAIT_MS = 60_000  # the longest any one event may take on a busy machine
BUILD_MS = 300_000  # the longest a pack may take to build and download
# The WCAG rules axe-core checks every page against.
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    """Return where Debian's Chromium is, or None where it is not installed."""
    return str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Start a headless Chromium through Playwright, or skip where either is missing."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed (scripts/setup-system.sh browser installs it)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """Run `pcndocs serve` with these settings in a thread of this process; its address."""
    import uvicorn

    from pcndocs.web.server import bind

    sock = bind("127.0.0.1", 0, next_free=False)
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_MS / 1000
    listening = threading.Event()  # never set: its wait is a sleep that needs no busy loop
    while not running.started:  # uvicorn sets it once it listens
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        listening.wait(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serving_workspace(folder: Path, out: Path) -> Iterator[str]:
    """Run `pcndocs serve FOLDER -o OUT` as a user starts it on their networks; its address."""
    with serving(Settings(today=TODAY, workers=1, out=out, workspace=folder)) as address:
        yield address


def watch_errors(tab: Any, expected: tuple[str, ...] = ()) -> list[str]:
    """Return the list a tab's script errors and console errors (a CSP refusal is one) go in.

    A console error ending with one of EXPECTED (an answer the test meant to get, which
    Chromium logs because it is not a success) is left out.
    """
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.endswith(expected)
            else None
        ),
    )
    return problems


def new_context(browser: Any, width: int = 1280, height: int = 900, **options: Any) -> Any:
    """Return a fresh browser session (no cookies) with a window this size, whose every wait
    fails only past WAIT_MS."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(WAIT_MS)
    return context


def open_tab(context: Any, expected: tuple[str, ...] = ()) -> tuple[Any, list[str]]:
    """Return a new tab that hands its file dialogs to the test, and the list of its errors
    (watch_errors: EXPECTED are the console errors that are not).

    Playwright asks Chromium for a tab's file dialogs only once something listens for them,
    and sends that request without waiting for it: a listener that `expect_file_chooser`
    adds just before the key press can reach Chromium after the press, which then opens a
    dialog of its own and no event ever comes (4 times in 30 at a load of 14). So the tab
    listens from the start, before any page is loaded in it.
    """
    tab = context.new_page()
    tab.on("filechooser", lambda chooser: None)
    return tab, watch_errors(tab, expected)


def choose_file(tab: Any, element_id: str, path: Path) -> None:
    """Move to a file field by keyboard and choose a file in the dialog Space opens.

    The tab must come from open_tab, so that the dialog is surely handed to the test.
    """
    tab_to(tab, element_id)
    with tab.expect_file_chooser() as chooser:
        tab.keyboard.press("Space")
    chooser.value.set_files(str(path))


def focused_matches(tab: Any, selector: str) -> bool:
    return bool(
        tab.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        )
    )


def tab_to_match(tab: Any, selector: str, limit: int = 800) -> None:
    """Press Tab until the focused element matches a CSS selector, as a keyboard user moves."""
    for _ in range(limit):
        if focused_matches(tab, selector):
            return
        tab.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


def tab_to(tab: Any, element_id: str, limit: int = 800) -> None:
    """Press Tab until the element with this id has the focus."""
    for _ in range(limit):
        if tab.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        tab.keyboard.press("Tab")
    pytest.fail(f"Tab never reached #{element_id}")


def replace_text(tab: Any, element_id: str, text: str) -> None:
    """Tab to a text field, select what it holds and type over it, as a keyboard user does."""
    tab_to(tab, element_id)
    tab.keyboard.press("Control+A")
    tab.keyboard.type(text)


def wait_until(tab: Any, expression: str, timeout_ms: int = WAIT_MS) -> None:
    """Wait until a JavaScript expression is true in the page.

    Polled from here: Playwright's own wait_for_function evaluates a string in the page,
    which the page's CSP (rightly) refuses.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not tab.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"still false: {expression}")
        tab.wait_for_timeout(50)


# The contrast ratio (WCAG 2) of an element's text with the first background behind it.
_CONTRAST = """(e) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back = e;
  while (back && (getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)")) {
    back = back.parentElement;
  }
  const behind = back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)";
  const [a, b] = [lum(getComputedStyle(e).color), lum(behind)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def contrast_of(tab: Any, selector: str) -> float:
    """Return the contrast ratio of the first element matching a selector with its background
    (4.5 is WCAG AA's least for text): axe-core leaves some it cannot be sure of unchecked."""
    return float(tab.locator(selector).first.evaluate(_CONTRAST))


def axe_violations(tab: Any) -> list[tuple[str, list[Any]]]:
    """Return what axe-core finds against WCAG 2.2 AA: each rule with its first places."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab, options={"runOnly": AXE_RULES})
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


def axe_clean(tab: Any) -> None:
    """Fail where axe-core finds anything on the page as it is now."""
    assert axe_violations(tab) == []
