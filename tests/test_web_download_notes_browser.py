"""A single document's and a redline's download, in a real browser: what its build warned of
and what it leaves to agree is shown after the button, focused, by keyboard, axe-clean."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pcndocs.web.app import Settings
from tests.browser import (
    BUILD_MS,
    TODAY,
    WAIT_MS,
    axe_clean,
    new_context,
    open_tab,
    replace_text,
    serving,
    tab_to,
    tab_to_match,
    wait_until,
)
from tests.test_web_download_notes import with_notes_folder

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PCNDOCS_SCREENSHOTS")  # a folder: save what the tests look at


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, example_last_build: Path) -> Iterator[str]:
    templates, wording = with_notes_folder(tmp_path_factory.mktemp("notes"))
    settings = Settings(
        today=TODAY, workers=2, templates=templates, wording=wording, out=example_last_build
    )
    with serving(settings) as address:
        yield address


@pytest.fixture(params=[1280, 420])
def page(browser: Any, request: Any) -> Iterator[Any]:
    context = new_context(browser, width=request.param, accept_downloads=True)
    # The preview's document carries the stylesheet's @import of a file, which Chromium refuses.
    opened, problems = open_tab(context, expected=("/secret.css",))
    yield opened
    context.close()
    assert problems == []


def shot(page: Any, name: str) -> None:
    if SHOTS:
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=False)


def test_a_documents_warnings_are_shown_and_focused(server: str, page: Any) -> None:
    page.goto(server + "/example")
    page.select_option("#doc", "schedule-1")
    with page.expect_download(timeout=BUILD_MS) as download:
        tab_to_match(page, 'button[formaction="/download/document"][value="pdf"]')
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "schedule-1.pdf"
    notes = page.locator(".download-notes")
    notes.wait_for(timeout=WAIT_MS)
    # The focus is on the notes, so a keyboard or screen reader user meets them at once.
    assert page.evaluate("document.activeElement.classList.contains('download-notes')")
    assert notes.locator("h3").inner_text().startswith("schedule-1.pdf: ")
    warnings = notes.locator(".warnings li").all_inner_texts()
    assert any("refused to fetch" in w for w in warnings)
    status = page.locator("#doc-status").inner_text()
    assert status.startswith("Downloaded schedule-1.pdf. Its build gave ")
    shot(page, "document-notes")
    axe_clean(page)
    # The warning about a value leads to its field, by keyboard.
    page.keyboard.press("Tab")
    link = page.evaluate("document.activeElement.getAttribute('href')")
    assert link and link.startswith("#")
    page.keyboard.press("Enter")
    wait_until(page, f"location.hash === {link!r}")
    # A second download replaces the notes: one box, never a pile.
    with page.expect_download(timeout=BUILD_MS):
        tab_to_match(page, 'button[formaction="/download/document"][value="docx"]')
        page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('doc-status').textContent.includes('.docx')")
    assert page.locator(".download-notes").count() == 1
    assert "schedule-1.docx" in page.locator(".download-notes h3").inner_text()


def test_a_redlines_warnings_are_shown(server: str, page: Any) -> None:
    page.goto(server + "/example")
    replace_text(page, "f-appointment-term_years", "4")
    tab_to(page, "show-changes")
    page.keyboard.press("Enter")
    page.locator("#changes .changes-status").wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=BUILD_MS) as download:
        tab_to_match(page, '#changes a[data-download][href$="-changes.pdf"]')
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith("-changes.pdf")
    notes = page.locator("#changes .download-notes")
    notes.wait_for(timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.classList.contains('download-notes')")
    assert any("refused to fetch" in w for w in notes.locator(".warnings li").all_inner_texts())
    notes.scroll_into_view_if_needed()
    shot(page, "redline-notes")
    axe_clean(page)
