"""The house wording page in a real browser, by keyboard alone, checked by axe-core.

Choose a clause, type a replacement with a field taken from the list, see the preview change,
save, reset. Each wait is on an event of the page (a response, a navigation, an element
drawn), never on a fixed time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pcndocs.render.wording import load_wording
from pcndocs.resources import example_profile
from tests.browser import axe_clean, new_context, open_tab, serving_workspace, tab_to_match

CLAUSE = "schedule-1.governance.conflicts.register"
TYPED = "Every declaration is kept in the register of interests of "
HOUSE_READ = (
    "Every declaration is kept in the register of interests of Riverside Primary Care Network."
)

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PCNDOCS_SCREENSHOTS")  # a folder: save what the tests look at


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    space = tmp_path_factory.mktemp("workspace")
    shutil.copy(example_profile(), space / "riverside-primary-care-network.yaml")
    return space


@pytest.fixture(scope="module")
def server(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the address of a pcndocs server on the workspace, for the module."""
    with serving_workspace(folder, tmp_path_factory.mktemp("output")) as address:
        yield address


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = new_context(browser)
    page, problems = open_tab(context)
    yield page
    assert problems == []  # no script error, no refusal by the page's CSP
    context.close()


def press_and_load(tab: Any, key: str = "Enter") -> None:
    """Press a key that follows a link or posts a form, and wait for the page it opens."""
    with tab.expect_navigation():
        tab.keyboard.press(key)
    tab.wait_for_load_state()


def previewed(response: Any) -> bool:
    return "/wording/preview" in response.url


def test_change_a_clause_by_keyboard_see_it_save_and_reset(
    server: str, folder: Path, tab: Any
) -> None:
    (folder / "wording.yaml").unlink(missing_ok=True)
    tab.goto(server + "/wording")
    axe_clean(tab)
    # Choose the clause from the list: jump to its heading's group, open its part, follow it.
    jump = tab.locator(".group-jump a", has_text="How the network meets and decides")
    group = str(jump.get_attribute("href"))
    tab_to_match(tab, f".group-jump a[href='{group}']")
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == group[1:]  # the group's heading
    tab_to_match(tab, f"{group}-conflicts > summary")
    tab.keyboard.press("Enter")
    assert tab.locator(f"{group}-conflicts").get_attribute("open") is not None
    tab_to_match(tab, f"a[href*='clause={CLAUSE}&'], a[href$='clause={CLAUSE}#editor']")
    press_and_load(tab)
    # The part holding the chosen clause is open on the page that edits it.
    assert tab.locator(f"{group}-conflicts").get_attribute("open") is not None
    assert tab.locator("#editor-heading").inner_text() == f"Clause {CLAUSE}"
    # Type a replacement, with the network's name taken from the list of fields.
    tab_to_match(tab, "#clause-text")
    tab.keyboard.press("Control+A")
    tab.keyboard.type(TYPED)
    tab_to_match(tab, "#field-choice")
    tab.keyboard.press("Home")  # {network.name}, the first field
    tab_to_match(tab, "#insert-field")
    with tab.expect_response(previewed):
        tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "clause-text"  # back where it was
    assert tab.locator("#clause-text").input_value() == TYPED + "{network.name}"
    with tab.expect_response(previewed):
        tab.keyboard.type(".")
    frame = tab.frame_locator("#wording-frame")
    frame.locator("#chosen-clause", has_text=HOUSE_READ).wait_for()
    assert not folder.joinpath("wording.yaml").exists()  # a preview saves nothing
    axe_clean(tab)
    # A wrong field is said at the text as it is typed.
    with tab.expect_response(previewed):
        tab.keyboard.type(" {network.nam}")
    message = tab.locator("#msg-clause-text .error")
    message.wait_for()
    assert "No field {network.nam}" in message.inner_text()
    assert tab.locator("#clause-text").get_attribute("aria-invalid") == "true"
    for _ in " {network.nam}":
        tab.keyboard.press("Backspace")
    tab.locator("#msg-clause-text .error").wait_for(state="detached")
    # Save.
    tab_to_match(tab, "#save-clause")
    press_and_load(tab)
    tab.locator("#wording-done").wait_for()
    entry = load_wording(folder / "wording.yaml").entries[CLAUSE]
    assert entry.text is not None and entry.text.strip() == TYPED + "{network.name}."
    tab.frame_locator("#wording-frame").locator("#chosen-clause", has_text=HOUSE_READ).wait_for()
    assert "House text" in tab.locator("li.chosen").inner_text()
    axe_clean(tab)
    # Reset to the built-in text.
    tab_to_match(tab, "#reset-clause")
    press_and_load(tab)
    assert "back to the built-in text" in tab.locator("#wording-done").inner_text()
    assert CLAUSE not in load_wording(folder / "wording.yaml").entries
    assert "register of interests of Riverside" not in tab.locator("li.chosen").inner_text()
    axe_clean(tab)


def test_the_page_on_a_phone_is_clean_too(server: str, browser: Any) -> None:
    context = new_context(browser, 420)
    tab = context.new_page()
    tab.goto(f"{server}/wording?doc=cd-job-description&clause=cd-job-description.acceptance.text")
    tab.locator("#clause-text").wait_for()
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 420  # nothing wider than the screen
    axe_clean(tab)
    context.close()


def choose_clause(tab: Any, clause: str) -> None:
    """Move to a clause's link in the list by keyboard and open it; a clause in a closed
    part of its group (a workstream's items, say) by opening the part first, as a user does."""
    link = f"a[href$='clause={clause}#editor']"
    part = tab.locator(f"details.clause-part:has({link}):not([open])")
    if part.count():
        tab_to_match(tab, f"#{part.get_attribute('id')} > summary")
        tab.keyboard.press("Enter")
    tab_to_match(tab, link)
    press_and_load(tab)


def type_clause_text(tab: Any, text: str) -> None:
    """Type over the chosen clause's text and wait for its preview to be answered."""
    tab_to_match(tab, "#clause-text")
    tab.keyboard.press("Control+A")
    with tab.expect_response(previewed):
        tab.keyboard.type(text)


def press_button(tab: Any, element_id: str) -> None:
    tab_to_match(tab, f"#{element_id}")
    press_and_load(tab)
    tab.locator("#wording-done").wait_for()


def test_an_lmc_adviser_changes_three_clauses_and_omits_one(
    server: str, folder: Path, tab: Any
) -> None:
    """Issue 25's journey, its browser part: the house wording every network's papers get."""
    (folder / "wording.yaml").unlink(missing_ok=True)
    tab.goto(server + "/wording")
    choose_clause(tab, "schedule-1.governance.meetings.extra")
    type_clause_text(tab, "Any three member practices may call an extra meeting.")
    press_button(tab, "save-clause")
    choose_clause(tab, CLAUSE)
    type_clause_text(tab, TYPED + "{network.name}.")
    press_button(tab, "save-clause")
    choose_clause(tab, "schedule-1.governance.conflicts.declare")
    press_button(tab, "omit-clause")
    # Another document: chosen from the drop-down by keyboard.
    tab_to_match(tab, "#doc")
    while tab.evaluate("document.getElementById('doc').value") != "cd-job-description":
        tab.keyboard.press("ArrowDown")
    tab_to_match(tab, "#show-document")
    press_and_load(tab)
    choose_clause(tab, "cd-job-description.acceptance.text")
    box = tab.locator("#clause-text")
    assert box.input_value().startswith("I accept the role of clinical director of {network.name}")
    type_clause_text(tab, "I accept the role of clinical director of {network.name}, as agreed.")
    press_button(tab, "save-clause")
    axe_clean(tab)
    entries = load_wording(folder / "wording.yaml").entries
    assert {i: (e.omit, e.text is not None, bool(e.pinned)) for i, e in entries.items()} == {
        "schedule-1.governance.meetings.extra": (False, True, True),
        CLAUSE: (False, True, True),
        "schedule-1.governance.conflicts.declare": (True, False, True),
        "cd-job-description.acceptance.text": (False, True, True),
    }
    # The network's own page previews its papers with the house wording.
    tab.goto(server + "/networks/riverside-primary-care-network.yaml")
    preview = tab.frame_locator("#preview iframe")
    preview.locator("text=Any three member practices may call an extra meeting.").wait_for()
    preview.locator(f"text={HOUSE_READ}").wait_for()
    text = preview.locator("body").inner_text()
    assert "A representative declares" not in text  # omitted


@pytest.fixture
def form_tab(browser: Any) -> Iterator[Any]:
    """A tab as `tab`, where a form sent back with its mistakes shown (422) is expected."""
    context = new_context(browser)
    page, problems = open_tab(context, expected=("422 (Unprocessable Entity)",))
    yield page
    assert problems == []  # no script error, no refusal by the page's CSP
    context.close()


def test_a_clause_added_after_another_by_keyboard_edited_and_removed(
    server: str, folder: Path, form_tab: Any
) -> None:
    """The clauses added after a clause (add_after): added, edited, removed in the page."""
    tab = form_tab
    (folder / "wording.yaml").unlink(missing_ok=True)
    tab.goto(server + "/wording")
    choose_clause(tab, CLAUSE)
    # A wrong id is said at the id, and what was typed is kept.
    tab_to_match(tab, "#new-id")
    tab.keyboard.press("Control+A")
    tab.keyboard.type("governance.open")
    tab_to_match(tab, "#new-text")
    tab.keyboard.type("The register is open to every practice of {network.name}.")
    tab_to_match(tab, "#add-clause")
    press_and_load(tab)
    assert "must start with schedule-1." in tab.locator("#msg-new-id .error").inner_text()
    assert tab.locator("#new-id").get_attribute("aria-invalid") == "true"
    assert tab.evaluate("document.activeElement.id") == "new-id"  # the focus is on the mistake
    assert tab.locator("#new-text").input_value().startswith("The register is open")
    assert not folder.joinpath("wording.yaml").exists()
    axe_clean(tab)
    tab_to_match(tab, "#new-id")
    tab.keyboard.press("Control+A")
    tab.keyboard.type(f"{CLAUSE}.open")
    tab_to_match(tab, "#add-clause")
    press_and_load(tab)
    tab.locator("#wording-done").wait_for()
    (added,) = load_wording(folder / "wording.yaml").entries[CLAUSE].add_after
    assert added.id == f"{CLAUSE}.open"
    frame = tab.frame_locator("#wording-frame")
    opened = "The register is open to every practice of Riverside Primary Care Network."
    frame.locator(f"[data-clause='{CLAUSE}.open']", has_text=opened).wait_for()
    assert "1 added after" in tab.locator("li.chosen").inner_text()
    axe_clean(tab)
    # Edit it.
    tab_to_match(tab, "#added-text-1")
    tab.keyboard.press("Control+A")
    tab.keyboard.type("The register is open to the public.")
    tab_to_match(tab, "#save-added-1")
    press_and_load(tab)
    assert "now reads your text" in tab.locator("#wording-done").inner_text()
    (added,) = load_wording(folder / "wording.yaml").entries[CLAUSE].add_after
    assert added.text == "The register is open to the public."
    frame.locator(f"[data-clause='{CLAUSE}.open']", has_text="to the public").wait_for()
    # Remove it.
    tab_to_match(tab, "#remove-added-1")
    press_and_load(tab)
    assert "taken out" in tab.locator("#wording-done").inner_text()
    assert load_wording(folder / "wording.yaml").entries == {}
    assert tab.locator("#added-text-1").count() == 0
    axe_clean(tab)


def test_a_clause_to_review_is_kept_as_reviewed_by_keyboard(
    server: str, folder: Path, tab: Any
) -> None:
    """The "To review" box says what to do in the page, and its button records the review."""
    (folder / "wording.yaml").write_text(
        f"clauses:\n  {CLAUSE}:\n    text: {TYPED}{{network.name}}.\n"
        "    pinned: 0123456789abcdef\n",
        encoding="utf-8",
    )
    tab.goto(server + "/wording")
    choose_clause(tab, CLAUSE)
    said = tab.locator("#clause-changed").inner_text()
    assert "The built-in text of this clause changed" in said
    assert "pcndocs clauses" not in said and "--pin" not in said
    axe_clean(tab)
    press_button(tab, "keep-reviewed")
    entry = load_wording(folder / "wording.yaml").entries[CLAUSE]
    assert entry.text == TYPED + "{network.name}." and entry.pinned != "0123456789abcdef"
    assert tab.locator("#clause-changed").count() == 0
    assert "To review" not in tab.locator("li.chosen").inner_text()
    axe_clean(tab)


def test_one_annex_e_item_reworded_by_keyboard(server: str, folder: Path, tab: Any) -> None:
    """An item of a list printed once per data item is a clause of its own in the page."""
    (folder / "wording.yaml").unlink(missing_ok=True)
    item = "cd-job-description.core.responsibility.research"
    tab.goto(server + "/wording?doc=cd-job-description")
    choose_clause(tab, item)
    assert tab.locator("#clause-text").input_value().startswith("**Support research")
    type_clause_text(tab, "**Research.** The director helps {network.name} take part in research.")
    frame = tab.frame_locator("#wording-frame")
    frame.locator(
        f"[data-clause='{item}']",
        has_text="Research. The director helps Riverside Primary Care Network take part",
    ).wait_for()
    press_button(tab, "save-clause")
    entry = load_wording(folder / "wording.yaml").entries[item]
    assert entry.text is not None and entry.text.startswith("**Research.**") and entry.pinned
    assert "House text" in tab.locator("li.chosen").inner_text()
    axe_clean(tab)


@pytest.mark.parametrize("width", [1280, 420])
def test_the_clause_as_it_prints_follows_the_typing_by_keyboard(
    server: str, folder: Path, browser: Any, width: int
) -> None:
    """Beside the Markdown typed: the clause as the document prints it, numbered, bold as
    bold; and a clause being added after it, too."""
    (folder / "wording.yaml").unlink(missing_ok=True)
    context = new_context(browser, width)
    tab, problems = open_tab(context)
    tab.goto(server + "/wording")
    choose_clause(tab, CLAUSE)
    look = tab.locator("#clause-look")
    assert look.inner_text().startswith("7.3 Every declaration is recorded")
    tab_to_match(tab, "#clause-text")
    tab.keyboard.press("Control+A")
    with tab.expect_response(previewed):
        tab.keyboard.type("Every **declaration** is kept by {network.name}.")
    tab.locator("#clause-look strong", has_text="declaration").wait_for()
    assert look.inner_text() == "7.3 Every declaration is kept by Riverside Primary Care Network."
    tab_to_match(tab, "#new-text")
    with tab.expect_response(previewed):
        tab.keyboard.type("The register is *open* to the public.")
    added = tab.locator("#clause-look-new")
    added.locator("em", has_text="open").wait_for()
    assert added.inner_text() == "7.4 The register is open to the public."
    axe_clean(tab)
    if SHOTS:
        look.scroll_into_view_if_needed()
        tab.screenshot(path=str(Path(SHOTS) / f"wording-look-{width}.png"))
    assert not (folder / "wording.yaml").exists()  # typing saves nothing
    assert problems == []
    context.close()
