"""The workspace in a real browser, by keyboard alone, checked by axe-core on every state.

Reload keeps the work; the networks' page; mark as agreed then what changed; two tabs on
one network. Each wait is on an event of the page (a response, a navigation, a dialog,
an element drawn), never on a fixed time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pcndocs.output.workspace import Workspace
from pcndocs.resources import example_profile
from tests.browser import (
    axe_clean,
    choose_file,
    contrast_of,
    new_context,
    open_tab,
    replace_text,
    serving_workspace,
    tab_to,
    tab_to_match,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def server(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the address of a pcndocs server on the workspace, for the module."""
    with serving_workspace(folder, tmp_path_factory.mktemp("output")) as address:
        yield address


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    made = new_context(browser)
    yield made
    made.close()


def network(folder: Path, name: str) -> str:
    """Add a copy of the example under a network name of its own; return its file name."""
    text = example_profile().read_text(encoding="utf-8")
    text = text.replace("Riverside Primary Care Network", name)
    return Workspace(folder).create(name, text).name


def saved(response: Any) -> bool:
    return bool(response.url.endswith("/save"))


def type_and_save(tab: Any, element_id: str, text: str) -> Any:
    """Type over a field and return the save's response, waited for as an event."""
    with tab.expect_response(saved) as answer:
        replace_text(tab, element_id, text)
    return answer.value


def value_in_file(folder: Path, name: str, *keys: str) -> Any:
    data: Any = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    for key in keys:
        data = data[key]
    return data


def test_the_networks_page_by_keyboard(server: str, folder: Path, context: Any) -> None:
    name = network(folder, "Keyboard PCN")
    tab, problems = open_tab(context)
    tab.goto(server + "/")
    row = tab.locator("table.networks tr", has_text="Keyboard PCN")
    assert "Ready" in row.inner_text() and "2026/27" in row.inner_text()
    axe_clean(tab)
    link = f"a[href='/networks/{name}']"
    tab_to_match(tab, link)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("h1").inner_text() == "Keyboard PCN"
    assert "All changes saved" in tab.locator("#save-status").inner_text()
    axe_clean(tab)
    assert problems == []


def test_the_house_wording_link_can_be_read_on_every_page(
    server: str, folder: Path, context: Any
) -> None:
    """The link at the top was blue on the blue bar everywhere but the wording page itself."""
    name = network(folder, "Header PCN")
    tab, problems = open_tab(context)
    for path in ("/", f"/networks/{name}", "/networks/import", "/wording"):
        tab.goto(server + path)
        assert contrast_of(tab, ".top a.top-link") >= 4.5, path
    assert problems == []


def test_a_refused_build_puts_the_keyboard_at_what_to_put_right(
    server: str, folder: Path, context: Any
) -> None:
    """Sent with no network ticked, the page comes back with its problem, and the focus
    (so a screen reader) starts there rather than at the top of the page."""
    network(folder, "Refused PCN")  # the build form shows where there is a network
    tab, problems = open_tab(context, expected=("422 (Unprocessable Entity)",))
    tab.goto(server + "/")
    tab_to(tab, "build-chosen")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    focused = tab.evaluate("document.activeElement.id")
    assert focused == "problems"
    said = " ".join(tab.locator("#problems").inner_text().split())
    assert "Choose at least one network to build: tick the box beside its name" in said
    tab.keyboard.press("Tab")  # and on from there
    assert tab.evaluate("document.activeElement.closest('main') !== null")
    axe_clean(tab)
    assert problems == []


def test_no_two_buttons_of_a_networks_page_have_one_name(
    server: str, folder: Path, context: Any
) -> None:
    """Heard by a screen reader, or listed by name, each button says what it does: the
    comparison beside the form was a second "Show what changed", doing another thing."""
    name = network(folder, "Buttons PCN")
    tab, problems = open_tab(context)
    tab.goto(f"{server}/networks/{name}")
    names = []
    for button in tab.get_by_role("button").all():
        if button.is_visible():
            label = button.get_attribute("aria-label")
            names.append(label or " ".join(button.inner_text().split()))
    assert len(names) > 10
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    assert "Compare" in names and "Show what changed" in names
    assert problems == []


def test_reload_and_a_closed_tab_keep_the_work(server: str, folder: Path, context: Any) -> None:
    name = network(folder, "Reload PCN")
    tab, problems = open_tab(context)
    tab.goto(f"{server}/networks/{name}")
    answer = type_and_save(tab, "f-network-code", "U54321")
    assert answer.status == 200
    tab.locator("#workspace[data-state='saved']").wait_for()
    assert value_in_file(folder, name, "network", "code") == "U54321"
    tab.reload()
    assert tab.locator("#f-network-code").input_value() == "U54321"
    tab.close()
    again, more = open_tab(context)
    again.goto(f"{server}/networks/{name}")
    assert again.locator("#f-network-code").input_value() == "U54321"
    axe_clean(again)
    # The refused save is the one thing the browser logs: 409 is the answer it was meant to get.
    assert problems == [] and [m for m in more if "409 (Conflict)" not in m] == []


def test_leaving_with_a_save_pending_warns(server: str, folder: Path, context: Any) -> None:
    name = network(folder, "Pending PCN")
    tab, _problems = open_tab(context)
    tab.goto(f"{server}/networks/{name}")
    held: list[Any] = []
    tab.route("**/save", lambda route: held.append(route))  # in flight until released
    with tab.expect_request(lambda request: request.url.endswith("/save")):
        replace_text(tab, "f-network-code", "U11111")
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    tab.on("dialog", answer)
    with tab.expect_event("dialog"):
        tab.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]
    assert not tab.is_closed()
    with tab.expect_response(saved):
        held[0].continue_()
    tab.locator("#workspace[data-state='saved']").wait_for()
    assert value_in_file(folder, name, "network", "code") == "U11111"


def test_mark_as_agreed_then_what_changed(server: str, folder: Path, context: Any) -> None:
    name = network(folder, "Agreed PCN")
    tab, problems = open_tab(context)
    tab.goto(f"{server}/networks/{name}")
    replace_text(tab, "agreed-on", "12/03/2026")
    tab_to(tab, "agreed-note")
    tab.keyboard.type("approved at the board of 12 March")
    tab_to(tab, "agree")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    versions = tab.locator("ul.versions").inner_text()
    assert "Version 1, agreed on 12/03/2026: approved at the board of 12 March" in versions
    axe_clean(tab)
    assert type_and_save(tab, "f-appointment-term_years", "2").status == 200
    tab.locator("#workspace[data-state='saved']").wait_for()
    tab_to(tab, "ws-show-changes")
    with tab.expect_response(lambda r: r.url.endswith("/changes")):
        tab.keyboard.press("Enter")
    status = tab.locator("#ws-changes .changes-status")
    status.wait_for()
    assert "since version 1, agreed on 12/03/2026" in status.inner_text()
    assert tab.locator("#ws-changes del, #ws-changes ins").count() > 0
    axe_clean(tab)
    assert problems == []


def test_two_tabs_on_one_network(server: str, folder: Path, context: Any) -> None:
    name = network(folder, "Two Tabs PCN")
    first, problems = open_tab(context)
    second, more = open_tab(context)
    for tab in (first, second):
        tab.goto(f"{server}/networks/{name}")
    assert type_and_save(first, "f-network-code", "U22222").status == 200
    first.locator("#workspace[data-state='saved']").wait_for()
    refused = type_and_save(second, "f-network-code", "U33333")
    assert refused.status == 409
    box = second.locator("#ws-conflict")
    box.wait_for()
    assert "changed elsewhere" in box.inner_text()
    assert second.evaluate("document.activeElement.id") == "ws-reload"
    assert value_in_file(folder, name, "network", "code") == "U22222"
    axe_clean(second)
    tab_to(second, "ws-keep")
    with second.expect_navigation():
        second.keyboard.press("Enter")
    kept = second.url.rsplit("/", 1)[1]
    assert kept.startswith("two-tabs-pcn-kept-")
    assert value_in_file(folder, kept, "network", "code") == "U33333"
    assert value_in_file(folder, name, "network", "code") == "U22222"
    # The refused save is the one thing the browser logs: 409 is the answer it was meant to get.
    assert problems == [] and [m for m in more if "409 (Conflict)" not in m] == []


# --- the journeys of issue 21's "Done when", by keyboard alone ---------------------------------


def import_by_keyboard(tab: Any, server: str, data: Path, query: str, count: int) -> list[str]:
    """From the networks' page, add the first COUNT networks a search finds; their files."""
    tab.goto(server + "/")
    tab_to_match(tab, "a[href='/networks/import']")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    axe_clean(tab)
    choose_file(tab, "epcn", data / "ePCN-2019-12.xlsx")
    choose_file(tab, "lists", data / "gp-reg-pat-prac-all-2021-01.csv")
    tab_to(tab, "query")
    tab.keyboard.type(query)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    for i in range(1, count + 1):
        tab_to(tab, f"code-{i}")
        tab.keyboard.press("Space")
    assert tab.locator("#year").input_value() == "2026/27"
    axe_clean(tab)
    tab_to(tab, "import-add")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("h1").inner_text().startswith(f"{count} network")
    axe_clean(tab)
    links = tab.locator("ul.imported h2 a")
    return [links.nth(i).get_attribute("href").rsplit("/", 1)[1] for i in range(links.count())]


def saved_now(tab: Any) -> None:
    """Wait for the page to say its last change is saved: the save's own answer."""
    tab.locator("#workspace[data-state='saved'], #workspace[data-state='draft']").wait_for()


@pytest.mark.national
def test_a_pcn_managers_journey(
    server: str, folder: Path, browser: Any, national_data: Path
) -> None:
    started = time.monotonic()
    first = new_context(browser)
    tab, problems = open_tab(first)
    import_by_keyboard(tab, server, national_data, "Armley", 1)
    tab_to(tab, "open-1")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    name = tab.url.rsplit("/", 1)[1]
    # The first sitting: the nominated payee, then the browser is closed.
    with tab.expect_response(saved):
        tab_to(tab, "f-network-nominated_payee")
        tab.keyboard.press("ArrowDown")
    saved_now(tab)
    payee = tab.locator("#f-network-nominated_payee").input_value()
    assert payee and value_in_file(folder, name, "network", "nominated_payee") == payee
    assert problems == []
    first.close()
    # The second sitting, in a new browser session: the work is there; go on.
    second = new_context(browser, accept_downloads=True)
    tab, problems = open_tab(second)
    tab.goto(server + "/")
    tab_to_match(tab, f"a[href='/networks/{name}']")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("#f-network-nominated_payee").input_value() == payee
    tab_to(tab, "op-add-f-clinical_directors")
    with tab.expect_response(saved):
        tab.keyboard.press("Enter")
        tab.locator("#f-clinical_directors-0-name").wait_for()
    tab.locator("#f-clinical_directors-0-name").focus()
    tab.keyboard.type("Dr Ada Hill")
    tab_to(tab, "f-clinical_directors-0-practice")
    tab.keyboard.press("ArrowDown")
    replace_text(tab, "f-clinical_directors-0-sessions_per_week", "2")
    tab_to(tab, "f-appointment-method")
    tab.keyboard.type("Election")
    saved_now(tab)
    assert value_in_file(folder, name, "clinical_directors")[0]["name"] == "Dr Ada Hill"
    axe_clean(tab)
    # Mark as agreed, then change the term and a practice, and see what changed.
    tab_to(tab, "agreed-note")
    tab.keyboard.type("approved at the board of 12 March")
    tab_to(tab, "agree")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "Version 1" in tab.locator("ul.versions").inner_text()
    if tab.locator("#f-appointment-term_years").is_hidden():  # not set: under More options
        tab_to(tab, "more-f-appointment-open")
        tab.keyboard.press("Enter")
    replace_text(tab, "f-appointment-term_years", "2")
    type_and_save(tab, "f-practices-0-list_size", "9000")
    saved_now(tab)
    tab_to(tab, "ws-show-changes")
    with tab.expect_response(lambda r: r.url.endswith("/changes")):
        tab.keyboard.press("Enter")
    status = tab.locator("#ws-changes .changes-status")
    status.wait_for()
    assert "since version 1" in status.inner_text()
    summary = tab.locator("#ws-changes .change-summary").inner_text()
    assert "9,000" in summary or "9000" in summary
    axe_clean(tab)
    # Download the pack.
    tab_to_match(tab, "button[formaction='/download/pack']")
    with tab.expect_download() as download:
        tab.keyboard.press("Enter")
    import zipfile

    with zipfile.ZipFile(download.value.path()) as pack:
        names = pack.namelist()
    assert any(n.endswith("schedule-1.pdf") for n in names)
    assert problems == []
    second.close()
    print(f"\nPCN manager's journey by keyboard: {time.monotonic() - started:.0f} s")


@pytest.mark.national
@pytest.mark.slow
def test_an_lmc_advisers_journey(
    server: str, folder: Path, browser: Any, national_data: Path, context: Any
) -> None:
    started = time.monotonic()
    tab, problems = open_tab(context)
    files = import_by_keyboard(tab, server, national_data, "Sheffield", 10)
    assert len(files) == 10
    tab.goto(server + "/")
    for file in files:
        tab_to_match(tab, f"input[type='checkbox'][value='{file}']")
        tab.keyboard.press("Space")
    chosen = len(files)
    tab_to(tab, "blank-no")
    tab.keyboard.press("ArrowDown")  # the radio buttons: blank papers
    assert tab.locator("#blank-yes").is_checked()
    tab_to(tab, "build-chosen")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    axe_clean(tab)
    tab.locator("#progress-body[data-finished='yes']").wait_for(timeout=30 * 60_000)
    said = tab.locator("#progress").inner_text()
    assert f"{chosen} built or up to date" in said, said
    axe_clean(tab)
    assert problems == []
    print(
        f"\nLMC adviser's journey by keyboard ({chosen} blank packs): "
        f"{time.monotonic() - started:.0f} s"
    )


def test_the_build_pages_heading_says_built_once_it_has_finished(
    server: str, folder: Path, context: Any
) -> None:
    """It said "Building 1 network" still, under the list of what was built."""
    name = network(folder, "Heading PCN")
    tab, problems = open_tab(context)
    tab.goto(server + "/")
    tab_to_match(tab, f"input[type='checkbox'][value='{name}']")
    tab.keyboard.press("Space")
    tab_to(tab, "build-chosen")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    first = tab.locator("h1").inner_text()  # "Building", unless it was built before the page
    tab.locator("#progress-body[data-finished='yes']").wait_for(timeout=300_000)
    assert tab.locator("h1").all_inner_texts() == ["Built 1 network"], first
    axe_clean(tab)
    assert problems == []
