"""pcndocs serve in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

Each test is what a PCN manager does: fill in a new network by keyboard, see an error
appear at its field and clear, open the example, download the pack and open its
documents. One server and one browser serve the whole module. Skipped only where
Chromium (or Playwright) cannot be installed.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pcndocs.resources import example_profile
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
# The live check waits 300 ms after the last key, then answers in a few ms; allow for a
# busy machine.
SETTLE_MS = 15_000

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(example_last_build: Path) -> Iterator[str]:
    """Return the address of a pcndocs server running in this process for the module."""
    import uvicorn

    from pcndocs.web.server import bind

    sock = bind("127.0.0.1", 0, next_free=False)
    config = uvicorn.Config(
        create_app(Settings(today=TODAY, workers=2, out=example_last_build)),
        log_level="warning",
        lifespan="on",
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    running.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Return one headless Chromium for the module, or skip where there is none."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (scripts/setup-system.sh browser installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=CHROMIUM_ARGS,
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """Return a fresh page that fails the test on any script error or refused resource."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    yield opened
    context.close()
    assert problems == [], "the page reported errors (a CSP refusal is one)"


def tab_to(page: Any, element_id: str, limit: int = 400) -> None:
    """Press Tab until the element has the focus, as a keyboard user moves through a form."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached #{element_id}")


def type_in(page: Any, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(text)


def wait_until(page: Any, expression: str) -> None:
    """Wait until a JavaScript expression is true in the page.

    Polled from here: Playwright's own wait_for_function evaluates a string in the page,
    which the page's CSP (rightly) refuses.
    """
    deadline = time.monotonic() + SETTLE_MS / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"still false: {expression}")
        page.wait_for_timeout(50)


def settled(page: Any) -> None:
    """Wait until htmx has no request in flight and the debounce has passed."""
    page.wait_for_timeout(400)
    wait_until(page, "!document.querySelector('.htmx-request')")


def no_axe_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]})
    found = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert found == []


def test_fill_in_a_new_network_by_keyboard(server: str, page: Any) -> None:
    page.goto(server + "/new")
    type_in(page, "f-network-name", "Hillside PCN")
    type_in(page, "f-practices-0-name", "Hill Surgery")
    type_in(page, "f-practices-0-ods_code", "A12345")
    type_in(page, "f-practices-0-list_size", "10,000")
    tab_to(page, "op-add-f-practices")
    page.keyboard.press("Enter")
    # The new practice's first field takes the focus, so typing goes straight on.
    wait_until(page, "document.activeElement && document.activeElement.id === 'f-practices-1-name'")
    page.keyboard.type("Dale Medical Centre")
    type_in(page, "f-practices-1-ods_code", "A12346")
    type_in(page, "f-practices-1-list_size", "8000")
    settled(page)
    type_in(page, "f-network-nominated_payee", "Hill")  # picks "Hill Surgery (A12345)"
    type_in(page, "f-clinical_directors-0-name", "Dr Ada Hill")
    type_in(page, "f-clinical_directors-0-practice", "Dale")
    type_in(page, "f-clinical_directors-0-sessions_per_week", "2")
    type_in(page, "f-appointment-method", "Election")
    settled(page)
    assert page.locator("#f-network-nominated_payee").input_value() == "A12345"
    assert page.locator("#f-clinical_directors-0-practice").input_value() == "A12346"
    heading = page.locator("#problems-title")
    heading.filter(has_not_text="to fill in").wait_for(timeout=SETTLE_MS)
    assert "to put right" not in heading.inner_text()
    figures = page.locator("#figures").inner_text()
    assert "18,000" in figures
    frame = page.frame_locator("#preview iframe")
    frame.locator("text=Hillside PCN").first.wait_for(timeout=SETTLE_MS)
    no_axe_violations(page)


def test_an_error_appears_at_its_field_and_clears(server: str, page: Any) -> None:
    page.goto(server + "/example")
    field = page.locator("#f-practices-0-list_size")
    message = page.locator("#msg-f-practices-0-list_size")
    tab_to(page, "f-practices-0-list_size")
    page.keyboard.press("End")
    page.keyboard.type("x")
    message.filter(has_text="expected a whole number").wait_for(timeout=SETTLE_MS)
    said = " ".join((message.text_content() or "").split())  # as a screen reader reads it
    assert said == "Error: expected a whole number, got '12452x'"
    assert field.get_attribute("aria-invalid") == "true"
    assert "msg-f-practices-0-list_size" in (field.get_attribute("aria-describedby") or "")
    assert "1 thing to put right" in page.locator("#problems-title").inner_text()
    page.keyboard.press("Backspace")
    wait_until(page, "document.getElementById('msg-f-practices-0-list_size').innerText === ''")
    assert field.get_attribute("aria-invalid") is None
    no_axe_violations(page)


def test_open_the_example_and_download_the_pack(server: str, page: Any, tmp_path: Path) -> None:
    from docx import Document
    from pypdf import PdfReader

    page.goto(server + "/")
    no_axe_violations(page)
    page.set_input_files("#profile-file", str(example_profile()))
    tab_to(page, "profile-file")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("h1", has_text="Riverside Primary Care Network").wait_for(timeout=SETTLE_MS)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="All documents (ZIP)").click()
    saved = tmp_path / "pack.zip"
    download.value.save_as(saved)
    archive = zipfile.ZipFile(saved)
    names = archive.namelist()
    assert "riverside-primary-care-network/schedule-1.docx" in names
    assert "riverside-primary-care-network/schedule-1.pdf" in names
    for name in names:
        content = archive.read(name)
        if name.endswith(".docx"):
            text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
        else:
            reader = PdfReader(io.BytesIO(content))
            text = "\n".join(p.extract_text() for p in reader.pages)
        assert "Riverside" in text, name


def replace_value(page: Any, element_id: str, text: str) -> None:
    """Tab to a text field, select what it holds and type over it, as a keyboard user does."""
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_what_changed_since_the_last_build_by_keyboard(server: str, page: Any) -> None:
    page.goto(server + "/example")
    replace_value(page, "f-practices-2-name", "Canal Street Medical Practice")
    replace_value(page, "f-appointment-term_years", "4")
    tab_to(page, "show-changes")
    page.keyboard.press("Enter")
    status = page.locator("#changes .changes-status")
    status.wait_for(timeout=SETTLE_MS)
    assert status.inner_text().startswith("4 documents changed since the last build")
    # Answered in place: the page was not reloaded, so the focus is still on the button.
    assert page.evaluate("document.activeElement.id") == "show-changes"
    summary = page.locator("#changes .change-summary li")
    assert summary.all_inner_texts() == [
        "Practice renamed: Canal Street Practice → Canal Street Medical Practice (A99003)",
        "Term of office: 3 years → 4 years",
    ]
    lead = page.locator(".changed-documents > li", has_text="Lead role description: Card")
    assert "Medical" in lead.locator(".passages ins").all_inner_texts()[0]
    job = page.locator(".changed-documents > li", has_text="Clinical director: job description")
    assert job.locator(".passages ins").all_inner_texts() == ["4", "2029"]
    assert job.locator(".passages del").all_inner_texts() == ["3", "2028"]
    # The whole document, opened by keyboard, shows the new words inside <ins>.
    tab_to(page, "whole-cd-job-description")
    page.keyboard.press("Enter")
    frame = page.frame_locator('iframe[title="Changes in Clinical director: job description"]')
    frame.locator("ins", has_text="2029").first.wait_for(timeout=SETTLE_MS)
    no_axe_violations(page)
    link = job.get_by_role("link", name="Word, with tracked changes")
    answer = page.request.get(server + str(link.get_attribute("href")))
    assert answer.ok
    assert answer.headers["content-disposition"].endswith('cd-job-description-changes.docx"')
    with zipfile.ZipFile(io.BytesIO(answer.body())) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    words = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    inserted = [
        "".join(t.text or "" for t in mark.iter(f"{words}t")) for mark in root.iter(f"{words}ins")
    ]
    assert "2029" in inserted


def test_what_changed_says_when_there_is_nothing_to_compare_with(server: str, page: Any) -> None:
    page.goto(server + "/example")
    replace_value(page, "f-network-name", "Hilltop PCN")
    tab_to(page, "show-changes")
    page.keyboard.press("Enter")
    status = page.locator("#changes .changes-status")
    status.wait_for(timeout=SETTLE_MS)
    assert status.inner_text().startswith(
        "Nothing to compare with yet: Hilltop PCN has not been built in the folder"
    )
    no_axe_violations(page)
