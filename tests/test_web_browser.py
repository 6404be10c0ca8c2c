"""pcndocs serve in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

Each test is what a PCN manager does: fill in a new network by keyboard, see an error
appear at its field and clear, open the example, download the pack and open its
documents. One server serves the module, one Chromium the whole run (tests/browser.py).
Skipped only where Chromium (or Playwright) cannot be installed.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pcndocs.resources import example_profile
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

pytestmark = pytest.mark.browser

# A download the form refuses (it has errors) is answered 422 and said beside its button;
# Chromium logs every answer that is not a success, and this one is expected.
REFUSED = "the server responded with a status of 422 (Unprocessable Entity)"


@pytest.fixture(scope="module")
def server(example_last_build: Path) -> Iterator[str]:
    """Return the address of a pcndocs server running in this process for the module."""
    with serving(Settings(today=TODAY, workers=2, out=example_last_build)) as address:
        yield address


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """Return a fresh page that fails the test on any script error or refused resource."""
    context = new_context(browser, accept_downloads=True)
    opened, problems = open_tab(context, expected=(REFUSED,))
    yield opened
    context.close()
    assert problems == [], "the page reported errors (a CSP refusal is one)"


def type_in(page: Any, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(text)


# True once the last live check that finished was of the form as it is now (form.js).
CHECKED = (
    "document.body.dataset.checked === "
    "new URLSearchParams(new FormData(document.getElementById('profile'))).toString()"
)


def settled(page: Any) -> None:
    """Wait until the live check of what the form holds now has answered, and nothing else
    (an added item, a preview) is still being fetched."""
    wait_until(page, CHECKED)
    wait_until(page, "!document.querySelector('.htmx-request')")


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
    heading.filter(has_not_text="to fill in").wait_for(timeout=WAIT_MS)
    assert "to put right" not in heading.inner_text()
    figures = page.locator("#figures").inner_text()
    assert "18,000" in figures
    frame = page.frame_locator("#preview iframe")
    frame.locator("text=Hillside PCN").first.wait_for(timeout=WAIT_MS)
    axe_clean(page)


def test_an_error_appears_at_its_field_and_clears(server: str, page: Any) -> None:
    page.goto(server + "/example")
    field = page.locator("#f-practices-0-list_size")
    message = page.locator("#msg-f-practices-0-list_size")
    tab_to(page, "f-practices-0-list_size")
    page.keyboard.press("End")
    page.keyboard.type("x")
    settled(page)
    said = " ".join((message.text_content() or "").split())  # as a screen reader reads it
    assert said == "Error: expected a whole number, got '12452x'"
    assert field.get_attribute("aria-invalid") == "true"
    assert "msg-f-practices-0-list_size" in (field.get_attribute("aria-describedby") or "")
    assert "1 thing to put right" in page.locator("#problems-title").inner_text()
    page.keyboard.press("Backspace")
    settled(page)
    assert (message.text_content() or "").strip() == ""
    assert field.get_attribute("aria-invalid") is None
    axe_clean(page)


@pytest.mark.parametrize("width", [1280, 420])
def test_a_problems_link_shows_the_field_with_its_label(
    server: str, browser: Any, width: int
) -> None:
    """Followed by keyboard, the link lands on the field with its label in sight, not only
    on a box and a message whose value the user cannot see."""
    context = new_context(browser, width, 700)
    page, problems = open_tab(context)
    try:
        page.goto(server + "/example")
        replace_text(page, "f-practices-3-list_size", "9,87x")
        settled(page)
        tab_to_match(page, "#problems a[href='#f-practices-3-list_size']")
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'f-practices-3-list_size'")
        seen = page.locator("main").bounding_box()
        for part in ("label[for='f-practices-3-list_size']", "#f-practices-3-list_size"):
            box = page.locator(part).bounding_box()
            assert box is not None and seen is not None
            assert seen["y"] <= box["y"] and box["y"] + box["height"] <= seen["y"] + seen["height"]
        axe_clean(page)
    finally:
        context.close()
    assert problems == []


def test_open_the_example_and_download_the_pack(server: str, page: Any, tmp_path: Path) -> None:
    from docx import Document
    from pypdf import PdfReader

    page.goto(server + "/")
    axe_clean(page)
    page.set_input_files("#profile-file", str(example_profile()))
    tab_to(page, "profile-file")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("h1", has_text="Riverside Primary Care Network").wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=BUILD_MS) as download:
        tab_to(page, "download-pack")
        page.keyboard.press("Enter")
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


def test_what_changed_since_the_last_build_by_keyboard(server: str, page: Any) -> None:
    page.goto(server + "/example")
    replace_text(page, "f-practices-2-name", "Canal Street Medical Practice")
    replace_text(page, "f-appointment-term_years", "4")
    tab_to(page, "show-changes")
    page.keyboard.press("Enter")
    status = page.locator("#changes .changes-status")
    status.wait_for(timeout=WAIT_MS)
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
    frame.locator("ins", has_text="2029").first.wait_for(timeout=WAIT_MS)
    axe_clean(page)
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
    replace_text(page, "f-network-name", "Hilltop PCN")
    tab_to(page, "show-changes")
    page.keyboard.press("Enter")
    status = page.locator("#changes .changes-status")
    status.wait_for(timeout=WAIT_MS)
    assert status.inner_text().startswith(
        "Nothing to compare with yet: Hilltop PCN has not been built in the folder"
    )
    axe_clean(page)


# --- the form never alters what was typed (issue 21 §2) ------------------------------------


def test_3_50_gets_the_models_message_and_stays_as_typed(server: str, page: Any) -> None:
    page.goto(server + "/example")
    replace_text(page, "f-clinical_directors-0-sessions_per_week", "3,50")
    settled(page)
    message = page.locator("#msg-f-clinical_directors-0-sessions_per_week")
    said = " ".join((message.text_content() or "").split())
    assert said == (
        "Error: expected a number, got '3,50': a comma may only separate thousands, as in "
        "12,450; a part follows a point: 2.50"
    )
    field = page.locator("#f-clinical_directors-0-sessions_per_week")
    assert field.input_value() == "3,50"
    assert field.get_attribute("aria-invalid") == "true"
    assert "Directors 1 error" in " ".join(page.locator("#steps-nav").inner_text().split())
    axe_clean(page)


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Canal", "A99003"), ("Mill", "A99002"), ("St", "A99006"), ("Northgate", "A99004")],
)
def test_typing_a_practices_name_in_a_drop_down_picks_it(
    server: str, page: Any, typed: str, code: str
) -> None:
    page.goto(server + "/example")
    # A practice's name changed just before: its check answers while the drop-down has the
    # focus, and must neither replace its options nor its value meanwhile.
    replace_text(page, "f-practices-0-name", "Riverside Surgery and Clinic")
    tab_to(page, "f-network-nominated_payee")
    page.keyboard.type(typed)
    settled(page)
    assert page.locator("#f-network-nominated_payee").input_value() == code
    page.keyboard.press("Tab")  # leaving it takes the practice's new name
    settled(page)
    first = page.locator("#f-network-nominated_payee option[value='A99001']")
    assert first.inner_text() == "Riverside Surgery and Clinic (A99001)"
    assert page.locator("#f-network-nominated_payee").input_value() == code
    axe_clean(page)


def test_a_misspelt_key_survives_an_edit_and_the_saved_profile(
    server: str, page: Any, tmp_path: Path
) -> None:
    import yaml

    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["practises"] = [{"name": "Kept Surgery", "ods_code": "B12345", "list_size": 900}]
    opened = tmp_path / "misspelt.yaml"
    opened.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#profile-file", str(opened))
    tab_to(page, "profile-file")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    box = page.locator("#unknown-keys")
    box.wait_for(timeout=WAIT_MS)
    assert (
        "this profile has a key pcndocs does not know: practises — did you mean practices?"
        in box.inner_text()
    )
    axe_clean(page)
    replace_text(page, "f-network-name", "Riverside PCN")
    settled(page)
    assert box.is_visible()
    with page.expect_download(timeout=WAIT_MS) as download:
        tab_to(page, "download-profile")
        page.keyboard.press("Enter")
    saved = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["practises"] == data["practises"]
    assert saved["network"]["name"] == "Riverside PCN"
    # The ZIP cannot be made with it: the bar says so beside its button, and nothing reloads.
    tab_to(page, "download-pack")
    page.keyboard.press("Enter")
    status = page.locator("#action-status.failed")
    status.wait_for(timeout=BUILD_MS)
    assert status.inner_text().startswith("Not downloaded: 1 thing to put right")
    assert page.evaluate("document.activeElement.id") == "download-pack"
    axe_clean(page)
    # Removed by the user, by keyboard: gone.
    tab_to(page, "forget-0")
    page.keyboard.press("Enter")
    box.wait_for(state="detached", timeout=WAIT_MS)
    settled(page)
    assert "practises" not in page.locator("#problems").inner_text()


def test_an_added_lead_left_empty_still_downloads_the_draft(server: str, page: Any) -> None:
    page.goto(server + "/example")
    tab_to(page, "op-add-f-leads")
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement && document.activeElement.id === 'f-leads-6-name'")
    settled(page)
    heading = page.locator("#problems-title").inner_text()
    assert "to put right" not in heading and "still to fill in" in heading
    assert "Leads 6 to fill in" in " ".join(page.locator("#steps-nav").inner_text().split())
    with page.expect_download(timeout=BUILD_MS) as download:
        tab_to(page, "download-pack")
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "riverside-primary-care-network.zip"
    axe_clean(page)


# --- sections, the actions bar, More options (issue 21 §3) ----------------------------------


@pytest.mark.parametrize("width", [1280, 420])
def test_sections_and_the_actions_bar_by_keyboard(server: str, browser: Any, width: int) -> None:
    context = new_context(browser, width, 860)
    page = context.new_page()
    try:
        page.goto(server + "/example")
        settled(page)
        nav = page.locator("#steps-nav")
        titles = nav.locator("a").all_inner_texts()
        assert titles == [
            "Network",
            "Practices",
            "Directors",
            "Appointment",
            "Meetings and decisions",
            "Leads",
            "Pay and funding",
            "Document control",
        ]
        states = [" ".join(t.split()) for t in nav.locator(".step-state").all_inner_texts()]
        assert states[2] == "1 warning" and states[0] == "Done"
        # The side list takes the keyboard user to a section.
        tab_to(page, "to-step-leads")
        page.keyboard.press("Enter")
        wait_until(page, "location.hash === '#step-leads'")
        top = page.locator("#step-leads").bounding_box()
        assert top is not None and 0 <= top["y"] < 860
        # The actions stay on screen wherever the form is.
        bar = page.locator(".actions-bar").bounding_box()
        assert bar is not None and bar["y"] + bar["height"] <= 860 and bar["y"] > 500
        for name in ("All documents (ZIP)", "Show what changed"):
            button = page.get_by_role("button", name=name).bounding_box()
            assert button is not None and button["y"] + button["height"] <= 860
        axe_clean(page)
        # Optional fields not set wait under More options, opened by keyboard.
        tab_to(page, "more-f-network-open")
        page.keyboard.press("Enter")
        page.locator("#f-network-neighbourhood").wait_for(state="visible", timeout=WAIT_MS)
        axe_clean(page)
    finally:
        context.close()


def test_another_provider_as_payee_by_keyboard(server: str, page: Any) -> None:
    """Choosing 'Another provider' shows its ODS code and name; the check takes them."""
    page.goto(server + "/example")
    other = page.locator("#f-network-nominated_payee-other")
    assert other.is_hidden()
    tab_to(page, "f-network-nominated_payee")
    page.keyboard.type("Another")  # picks "Another provider (not a member practice)"
    page.keyboard.press("Tab")
    assert other.is_visible()
    type_in(page, "f-network-nominated_payee-code", "AD5")
    type_in(page, "f-network-payee_name", "Riverside GP Federation")
    page.keyboard.press("Tab")
    settled(page)
    assert page.locator("#msg-f-network-nominated_payee").inner_text() == ""
    assert page.locator("#msg-f-network-payee_name").inner_text() == ""
    shot = os.environ.get("PCNDOCS_SCREENSHOTS")  # a folder to look at the page in
    if shot:
        other.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(shot) / "payee-another-provider.png"))
    axe_clean(page)
    # Back to a member practice: the provider's part is hidden again, its values kept there.
    page.select_option("#f-network-nominated_payee", "A99002")
    assert other.is_hidden()
    assert page.locator("#f-network-payee_name").input_value() == "Riverside GP Federation"


# --- skip links: the checks and the side panel one key press away -------------------------


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def shift_tab_to(page: Any, element_id: str, limit: int = 400) -> None:
    """Press Shift+Tab until the element with this id has the focus."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Shift+Tab")
    pytest.fail(f"Shift+Tab never reached #{element_id}")


def in_sight(page: Any, selector: str) -> bool:
    """Return whether an element lies wholly inside the window."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


@pytest.mark.parametrize("width", [1280, 420])
def test_skip_links_reach_the_checks_and_the_side_panel_by_keyboard(
    server: str, browser: Any, width: int
) -> None:
    """The form has 200 and more stops for the Tab key before the side panel: the first
    three lead to the checks, to the documents and preview, and to the form, each shown
    when it has the focus; the side panel leads back to the field the user was in."""
    context = new_context(browser, width, 800)
    page, problems = open_tab(context)
    try:
        page.goto(server + "/example")
        settled(page)
        page.keyboard.press("Tab")
        assert focused_id(page) == "skip-checks"
        assert in_sight(page, "#skip-checks")
        axe_clean(page)
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'problems'")
        # A problem of a whole list (no lead for some workstreams) takes the focus to its
        # first field, with the list's heading (here its step's title) in sight.
        tab_to_match(page, "#problems a[href='#f-leads']", limit=20)
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'f-leads-0-name'")
        assert in_sight(page, "#step-leads-title")
        assert in_sight(page, "#f-leads-0-name")

        # From the top again: the side panel is four key presses from the document chooser.
        page.goto(server + "/example")
        settled(page)
        for expected in ("skip-checks", "skip-side"):
            page.keyboard.press("Tab")
            assert focused_id(page) == expected
        assert in_sight(page, "#skip-side")
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'side'")
        page.keyboard.press("Tab")
        assert focused_id(page) == "back-to-form"
        page.keyboard.press("Tab")
        assert focused_id(page) == "doc"
        assert in_sight(page, "#doc")
        axe_clean(page)

        # Into the form, to change a field, then to the side panel and back to that field
        # (not to the fields passed on the way).
        shift_tab_to(page, "skip-form")
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'fields'")
        tab_to(page, "f-network-commissioner", limit=20)
        page.keyboard.type(" (Riverside place)")
        shift_tab_to(page, "skip-side")
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'side'")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement.id === 'f-network-commissioner'")
        assert in_sight(page, "label[for='f-network-commissioner']")
        axe_clean(page)
    finally:
        context.close()
    assert problems == []


# --- agreeing a proposed default --------------------------------------------------------


def test_agree_a_proposed_default_as_shown_by_keyboard(server: str, page: Any) -> None:
    """A usual value the profile has not set is a proposal; "Agree as shown" beside it makes
    it agreed without retyping it: the preview stops calling it proposed, and the profile
    saved holds it."""
    import yaml

    page.goto(server + "/new")
    settled(page)
    frame = page.frame_locator("#preview iframe")
    term = frame.locator("li", has_text="A clinical director holds office for").first
    term.wait_for(timeout=WAIT_MS)
    assert "proposed: 3" in " ".join(term.inner_text().split())
    tab_to(page, "more-f-appointment-open")
    page.keyboard.press("Enter")
    # Another value typed is agreed as typed: the box is about the value shown, so it goes,
    # and comes back with the value shown.
    agree = page.locator("#w-f-appointment-term_years .agree")
    replace_text(page, "f-appointment-term_years", "4")
    assert agree.is_hidden()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    assert agree.is_visible()
    tab_to(page, "agree-f-appointment-term_years")
    box = page.get_by_role("checkbox", name="Agree “Length of a term (years)” as shown")
    assert box.get_attribute("id") == "agree-f-appointment-term_years"
    page.keyboard.press("Space")
    assert box.is_checked()
    settled(page)
    agreed = frame.locator("li", has_text="A clinical director holds office for 3 years")
    agreed.first.wait_for(timeout=WAIT_MS)
    axe_clean(page)
    with page.expect_download(timeout=WAIT_MS) as download:
        tab_to(page, "download-profile")
        page.keyboard.press("Enter")
    saved = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["appointment"] == {"term_years": 3}
