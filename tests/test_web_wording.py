"""The house wording page of `pcndocs serve`: the clauses listed, edited, saved, omitted, reset."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from pcndocs.cli import cli
from pcndocs.render.wording import clause_views, load_wording
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts
from pcndocs.web.app import Settings, create_app
from pcndocs.web.guard import PAGE_TOKEN_FIELD
from tests.webclient import PageClient

pytestmark = pytest.mark.e2e  # builds through the CLI, the server and its workers

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"
EXAMPLE = "riverside-primary-care-network.yaml"
CLAUSE = "schedule-1.governance.conflicts.register"
BUILT_IN = (
    "Every declaration is recorded in the minutes and in the network's register of interests."
)
HOUSE = "Every declaration is kept in the register of interests of {network.name}."
HOUSE_READ = (
    "Every declaration is kept in the register of interests of Riverside Primary Care Network."
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return a workspace holding the example network."""
    space = tmp_path / "networks"
    space.mkdir()
    shutil.copy(example_profile(), space / EXAMPLE)
    return space


def client_for(settings: Settings) -> PageClient:
    return PageClient(create_app(settings), base_url=LOCAL)


@pytest.fixture
def client(folder: Path, tmp_path: Path) -> Iterator[PageClient]:
    settings = Settings(today=TODAY, workers=1, workspace=folder, out=tmp_path / "output")
    with client_for(settings) as test:
        yield test


def page_of(client: TestClient, **params: str) -> lxml.html.HtmlElement:
    answer = client.get("/wording", params=params)
    assert answer.status_code == 200, answer.text
    return lxml.html.fromstring(answer.text)


def listed(page: lxml.html.HtmlElement) -> dict[str, str]:
    """Return each clause the page lists, by id, with the text it shows for it."""
    return {
        item.xpath(".//code")[0].text_content(): " ".join(
            item.xpath(".//*[contains(@class, 'clause-text')]")[0].text_content().split()
        )
        for item in page.xpath("//nav[contains(@class, 'clause-list')]//li")
    }


def words(html: str) -> str:
    """Return the text of a page or a part of one, as read."""
    return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())


def tags(page: lxml.html.HtmlElement, clause: str) -> list[str]:
    """Return the tags the list shows beside a clause: House text, Omitted, To review."""
    item = page.xpath(f"//nav[contains(@class, 'clause-list')]//li[.//code[text()='{clause}']]")
    return [t.text_content() for t in item[0].xpath(".//*[contains(@class, 'tag')]")]


def editor_fields(page: lxml.html.HtmlElement) -> dict[str, str]:
    form = page.get_element_by_id("clause-form")
    return {name: value for name, value in form.form_values()}


def post_clause(
    client: TestClient, page: lxml.html.HtmlElement, action: str, text: str = ""
) -> Any:
    fields = {**editor_fields(page), "action": action, "text": text}
    return client.post("/wording/save", data=fields, follow_redirects=False)


def test_the_page_lists_every_clause_with_its_id_and_current_text(client: PageClient) -> None:
    page = page_of(client)
    shown = listed(page)
    expected = [view.id for view in clause_views("schedule-1")]
    assert list(shown) == expected
    assert shown[CLAUSE] == BUILT_IN.replace("'", "’")  # as the document prints it
    # Every document is offered, and the preview is of the network of the workspace.
    options = page.xpath("//select[@id='doc']/option/@value")
    assert "schedule-1" in options and "cd-job-description" in options
    assert page.xpath("//select[@id='network']/option[@selected]/@value") == [EXAMPLE]
    assert page.xpath("//iframe[@id='wording-frame']/@src")


def test_choosing_a_clause_opens_it_with_fields_to_insert(client: PageClient) -> None:
    page = page_of(client, clause=CLAUSE)
    assert page.get_element_by_id("clause-text").text_content() == BUILT_IN
    fields = page.xpath("//select[@id='field-choice']/option/@value")
    assert "network.name" in fields and "director.name" in fields
    # A clause whose built-in text is template code starts from how it reads for the network.
    vote = page_of(client, clause="schedule-1.appointment.removal.vote")
    assert "4 of the 6" in vote.get_element_by_id("clause-text").text_content()
    assert "change that network's own values into fields" in vote.text_content()


def test_save_writes_the_file_and_the_next_build_uses_it(
    client: PageClient, folder: Path, tmp_path: Path
) -> None:
    page = page_of(client, clause=CLAUSE)
    answer = post_clause(client, page, "save", HOUSE)
    assert answer.status_code == 303, answer.text
    wording = load_wording(folder / "wording.yaml")
    entry = wording.entries[CLAUSE]
    assert entry.text is not None and entry.text.strip() == HOUSE
    assert entry.pinned  # the built-in text it replaced is recorded
    after = client.get(answer.headers["location"])
    shown = listed(lxml.html.fromstring(after.text))
    assert shown[CLAUSE] == HOUSE_READ
    assert tags(lxml.html.fromstring(after.text), CLAUSE) == ["House text"]
    assert "now reads your text" in after.text
    # `pcndocs build` of the workspace takes the wording beside the profiles.
    out = tmp_path / "built"
    result = CliRunner().invoke(cli, ["build", str(folder / EXAMPLE), "-o", str(out), "-f", "html"])
    assert result.exit_code == 0, result.output
    html = next(out.rglob("schedule-1.html")).read_text(encoding="utf-8")
    clause = lxml.html.fromstring(html).xpath(f"//*[@data-clause='{CLAUSE}']")[0]
    assert " ".join(clause.text_content().split()) == HOUSE_READ


def test_the_servers_own_previews_and_downloads_use_the_saved_wording(
    client: PageClient, folder: Path
) -> None:
    page = page_of(client, clause=CLAUSE)
    assert post_clause(client, page, "save", HOUSE).status_code == 303
    network = client.get(f"/networks/{EXAMPLE}")
    form = lxml.html.fromstring(network.text).get_element_by_id("profile")
    fields = dict(form.form_values())
    answer = client.post("/form/preview", data={**fields, "doc": "schedule-1"})
    assert answer.status_code == 200, answer.text
    frame = lxml.html.fromstring(answer.text).xpath("//iframe/@src")[0]
    assert HOUSE_READ in " ".join(
        lxml.html.fromstring(client.get(frame).text).text_content().split()
    )
    # A blank pack says, in still-to-agree.txt, which clauses are the house's.
    pack = client.post(
        "/api/build?blank=1&format=html",
        content=example_profile().read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert pack.status_code == 200, pack.text
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("still-to-agree.txt")]
        notes = archive.read(name).decode("utf-8")
    assert f"wording.yaml: {CLAUSE}: replaced" in notes


def test_omit_then_reset_to_the_built_in_text(client: PageClient, folder: Path) -> None:
    page = page_of(client, clause=CLAUSE)
    assert post_clause(client, page, "omit").status_code == 303
    assert load_wording(folder / "wording.yaml").entries[CLAUSE].omit
    page = page_of(client, clause=CLAUSE)
    assert tags(page, CLAUSE) == ["Omitted"]
    frame = page.xpath("//iframe[@id='wording-frame']/@src")[0]
    assert "register of interests" not in client.get(frame).text
    assert post_clause(client, page, "reset").status_code == 303
    assert CLAUSE not in load_wording(folder / "wording.yaml").entries
    assert listed(page_of(client))[CLAUSE] == BUILT_IN.replace("'", "’")


def test_a_wrong_field_is_said_at_the_text_and_nothing_is_saved(
    client: PageClient, folder: Path
) -> None:
    page = page_of(client, clause=CLAUSE)
    answer = post_clause(client, page, "save", "Kept by {network.nam}.")
    assert answer.status_code == 422
    shown = lxml.html.fromstring(answer.text)
    message = shown.get_element_by_id("msg-clause-text").text_content()
    assert "No field {network.nam} (did you mean {network.name}?)" in message
    assert "Fields you can use" in message and "pcndocs clauses" not in message
    assert shown.get_element_by_id("clause-text").get("aria-invalid") == "true"
    assert shown.get_element_by_id("clause-text").text_content() == "Kept by {network.nam}."
    assert not (folder / "wording.yaml").exists()
    # The live preview says the same at the field, and keeps the preview as it was.
    live = client.post(
        "/wording/preview",
        data={**editor_fields(page), "text": "Kept by {{ network.name }}."},
    )
    assert live.headers.get("HX-Reswap") == "none"
    assert "Template code ({{ }}, {% %}) is not accepted" in words(live.text)
    bad = client.post("/wording/preview", data={**editor_fields(page), "text": "1. A new list"})
    assert "would break the document's numbering" in words(bad.text)


def test_the_preview_follows_the_text_typed(client: PageClient) -> None:
    page = page_of(client, clause=CLAUSE)
    live = client.post("/wording/preview", data={**editor_fields(page), "text": HOUSE})
    assert live.status_code == 200
    frame = lxml.html.fromstring(live.text).xpath("//iframe/@src")[0]
    assert HOUSE_READ in " ".join(
        lxml.html.fromstring(client.get(frame).text).text_content().split()
    )


def test_a_file_changed_elsewhere_is_a_conflict_not_overwritten(
    client: PageClient, folder: Path
) -> None:
    page = page_of(client, clause=CLAUSE)
    other = "clauses:\n  schedule-1.governance.conflicts.declare: omit\n"
    (folder / "wording.yaml").write_text(other, encoding="utf-8")
    answer = post_clause(client, page, "save", HOUSE)
    assert answer.status_code == 409
    shown = lxml.html.fromstring(answer.text)
    assert "was changed elsewhere" in shown.get_element_by_id("wording-conflict").text_content()
    assert shown.get_element_by_id("clause-text").text_content() == HOUSE  # the typing is kept
    assert (folder / "wording.yaml").read_text(encoding="utf-8") == other
    # Saved again from the page as it is now: both changes are in the file.
    assert post_clause(client, shown, "save", HOUSE).status_code == 303
    entries = load_wording(folder / "wording.yaml").entries
    assert entries["schedule-1.governance.conflicts.declare"].omit and CLAUSE in entries


def test_every_change_needs_the_pages_token(folder: Path, tmp_path: Path) -> None:
    settings = Settings(today=TODAY, workers=1, workspace=folder, out=tmp_path / "output")
    with client_for(settings) as test:
        page = page_of(test, clause=CLAUSE)
        del test.headers["X-Pcndocs-Token"]
        fields = {**editor_fields(page), "action": "save", "text": HOUSE}
        fields.pop(PAGE_TOKEN_FIELD)
        for url in ("/wording/save", "/wording/preview"):
            assert test.post(url, data=fields).status_code == 403
    assert not (folder / "wording.yaml").exists()


def test_wording_given_on_serve_is_the_file_edited(folder: Path, tmp_path: Path) -> None:
    house = tmp_path / "lmc" / "house.yaml"
    house.parent.mkdir()
    house.write_text("clauses:\n  schedule-1.governance.conflicts.declare: omit\n", "utf-8")
    settings = Settings(
        today=TODAY, workers=1, workspace=folder, out=tmp_path / "output", wording=house
    )
    with client_for(settings) as test:
        page = page_of(test, clause=CLAUSE)
        assert str(house) in page.text_content()
        assert tags(page, "schedule-1.governance.conflicts.declare") == ["Omitted"]
        assert post_clause(test, page, "save", HOUSE).status_code == 303
    data = yaml.safe_load(house.read_text(encoding="utf-8"))
    assert set(data["clauses"]) == {"schedule-1.governance.conflicts.declare", CLAUSE}
    assert not (folder / "wording.yaml").exists()


def test_serve_with_one_profile_edits_the_wording_beside_it(folder: Path, tmp_path: Path) -> None:
    settings = Settings(
        today=TODAY,
        workers=1,
        workspace=folder,
        profile=folder / EXAMPLE,
        out=tmp_path / "output",
    )
    with client_for(settings) as test:
        page = page_of(test, clause=CLAUSE, doc="cd-job-description")
        assert page.xpath("//select[@id='doc']/option[@selected]/@value") == ["cd-job-description"]
        assert page_of(test).xpath("//select[@id='network']/option[@selected]/@value") == [EXAMPLE]
        chosen = page_of(
            test, doc="cd-job-description", clause="cd-job-description.acceptance.text"
        )
        text = chosen.get_element_by_id("clause-text").text_content()
        assert "{network.name}" in text  # the built-in text's value as its field
        assert (
            post_clause(test, chosen, "save", text + " Signed at {network.name}.").status_code
            == 303
        )
    assert "cd-job-description.acceptance.text" in load_wording(folder / "wording.yaml").entries


def test_without_a_wording_file_the_page_says_how_to_get_one(tmp_path: Path) -> None:
    with client_for(Settings(today=TODAY, workers=1, out=tmp_path / "output")) as test:
        answer = test.get("/wording")
    assert answer.status_code == 404
    assert "pcndocs serve --wording FILE" in answer.text


def test_a_clause_whose_built_in_text_moved_is_to_review_and_saving_records_it(
    client: PageClient, folder: Path
) -> None:
    (folder / "wording.yaml").write_text(
        f"clauses:\n  {CLAUSE}:\n    text: {HOUSE}\n    pinned: 0123456789abcdef\n", "utf-8"
    )
    page = page_of(client, clause=CLAUSE)
    assert tags(page, CLAUSE) == ["House text", "To review"]
    said = " ".join(page.get_element_by_id("clause-changed").text_content().split())
    assert said.startswith(
        "To review The built-in text of this clause changed in pcndocs 0.1.0, contract year "
        "2026/27, after "
        "your house wording gave this clause your own text (the text it had then is not one "
        "pcndocs recorded). Read the built-in text as it is now"
    )
    assert "pcndocs clauses" not in said and "--pin" not in said  # the browser's words only
    keep = page.get_element_by_id("keep-reviewed")
    assert (keep.get("value"), keep.text) == ("save", "Keep my text: I have reviewed it")
    assert keep.xpath("ancestor::form/@id") == ["clause-form"]  # it sends the text in the box
    assert post_clause(client, page, "save", HOUSE).status_code == 303
    assert tags(page_of(client, clause=CLAUSE), CLAUSE) == ["House text"]
    entry = load_wording(folder / "wording.yaml").entries[CLAUSE]
    assert entry.pinned == next(v.fingerprint for v in clause_views("schedule-1") if v.id == CLAUSE)
    assert entry.text == HOUSE


def test_an_omitted_clause_to_review_is_kept_left_out_by_its_button(
    client: PageClient, folder: Path
) -> None:
    from pcndocs.render.clauses import load_catalogue

    old = load_catalogue().clauses[CLAUSE][0]
    moved = "schedule-1.governance.conflicts.declare"
    (folder / "wording.yaml").write_text(
        f"clauses:\n  {moved}:\n    omit: true\n    pinned: {old.fingerprint}\n", "utf-8"
    )  # pinned to another clause's recorded text: as if this one's had moved since
    page = page_of(client, clause=moved)
    assert tags(page, moved) == ["Omitted", "To review"]
    said = " ".join(page.get_element_by_id("clause-changed").text_content().split())
    assert "after your house wording left this clause out" in said
    assert "pcndocs clauses" not in said
    keep = page.get_element_by_id("keep-reviewed")
    assert (keep.get("value"), keep.text) == ("omit", "Keep it left out: I have reviewed it")
    fields = {**editor_fields(page), "action": "omit"}
    assert client.post("/wording/save", data=fields, follow_redirects=False).status_code == 303
    assert tags(page_of(client, clause=moved), moved) == ["Omitted"]
    entry = load_wording(folder / "wording.yaml").entries[moved]
    assert entry.omit and entry.pinned != old.fingerprint


def test_two_paragraphs_typed_in_the_box_are_saved_as_typed(
    client: PageClient, folder: Path
) -> None:
    page = page_of(client, clause=CLAUSE)
    typed = "Every declaration is recorded.\r\n\r\nThe register is kept by {network.name}."
    assert post_clause(client, page, "save", typed).status_code == 303
    entry = load_wording(folder / "wording.yaml").entries[CLAUSE]
    assert entry.text is not None
    assert entry.text.strip() == typed.replace("\r\n", "\n")
    shown = page_of(client, clause=CLAUSE)
    assert shown.get_element_by_id("clause-text").text_content() == typed.replace("\r\n", "\n")


def test_only_a_clause_the_list_offers_can_be_changed(client: PageClient, folder: Path) -> None:
    page = page_of(client, clause=CLAUSE)
    fields = {**editor_fields(page), "action": "omit"}
    fields["clause"] = f"{CLAUSE}:\n    omit: true\n  schedule-1.intro"
    answer = client.post("/wording/save", data=fields, follow_redirects=False)
    assert answer.status_code == 422
    assert "No clause has this id" in words(answer.text)
    assert not (folder / "wording.yaml").exists()


def test_a_wording_file_that_cannot_be_read_is_said_and_kept(
    client: PageClient, folder: Path
) -> None:
    broken = b"clauses:\n  \xff\xfe: omit\n"
    (folder / "wording.yaml").write_bytes(broken)
    page = page_of(client, clause=CLAUSE)
    said = page.get_element_by_id("wording-problems").text_content()
    assert "wording.yaml: is not UTF-8 text; save it as UTF-8" in said
    answer = post_clause(client, page, "save", HOUSE)
    assert answer.status_code == 422
    assert words(answer.text).count("is not UTF-8 text") == 1
    live = client.post("/wording/preview", data={**editor_fields(page), "text": HOUSE})
    assert "is not UTF-8 text" in words(live.text)
    assert (folder / "wording.yaml").read_bytes() == broken


def form_fields(page: lxml.html.HtmlElement, form_id: str, **typed: str) -> dict[str, str]:
    form = page.get_element_by_id(form_id)
    return {**dict(form.form_values()), **typed}


def test_a_clause_added_after_another_is_added_edited_and_removed_in_the_page(
    client: PageClient, folder: Path
) -> None:
    house = folder / "wording.yaml"
    page = page_of(client, clause=CLAUSE)
    new = page.get_element_by_id("new-id")
    assert new.get("value") == f"{CLAUSE}.house"  # an id offered, free to use
    text = "The register is open to every member practice of {network.name}."
    fields = form_fields(page, "add-form", added_text=text, action="add-added")
    answer = client.post("/wording/save", data=fields, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("#added")
    (added,) = load_wording(house).entries[CLAUSE].add_after
    assert (added.id, added.text) == (f"{CLAUSE}.house", text)
    page = page_of(client, clause=CLAUSE, done="add-added")
    assert tags(page, CLAUSE) == ["1 added after"]
    assert "follows this one" in page.get_element_by_id("wording-done").text_content()
    assert page.get_element_by_id("added-text-1").text_content() == text
    label = page.xpath("//label[@for='added-text-1']")[0].text_content()
    assert label == f"Text of the added clause {CLAUSE}.house"
    assert page.get_element_by_id("new-id").get("value") == f"{CLAUSE}.house-2"
    # Edit it.
    fields = form_fields(page, "added-form-1", added_text="The register is open.")
    answer = client.post(
        "/wording/save", data={**fields, "action": "save-added"}, follow_redirects=False
    )
    assert answer.status_code == 303
    (added,) = load_wording(house).entries[CLAUSE].add_after
    assert added.text == "The register is open."
    assert load_wording(house).entries[CLAUSE].text is None  # the clause's own text is built-in
    # Remove it: nothing is left for the clause, so its entry goes.
    page = page_of(client, clause=CLAUSE)
    fields = form_fields(page, "added-form-1", action="remove-added")
    assert client.post("/wording/save", data=fields, follow_redirects=False).status_code == 303
    assert load_wording(house).entries == {}
    assert page_of(client, clause=CLAUSE).xpath("//form[starts-with(@id, 'added-form-')]") == []


def test_an_added_clause_with_problems_is_said_at_its_field_and_kept_as_typed(
    client: PageClient, folder: Path
) -> None:
    house = folder / "wording.yaml"
    page = page_of(client, clause=CLAUSE)
    fields = form_fields(
        page, "add-form", added_id="governance.extra", added_text="For {network.nam}."
    )
    answer = client.post("/wording/save", data={**fields, "action": "add-added"})
    assert answer.status_code == 422
    shown = lxml.html.fromstring(answer.text)
    said_id = shown.get_element_by_id("msg-new-id").text_content()
    assert said_id == (
        "The new clause's id must start with schedule-1. and be words of small letters, digits "
        "and hyphens joined by dots"
    )
    said_text = shown.get_element_by_id("msg-new-text").text_content()
    assert said_text.startswith("No field {network.nam} (did you mean {network.name}?)")
    assert "pcndocs" not in said_text
    assert shown.get_element_by_id("new-id").get("aria-invalid") == "true"
    assert shown.get_element_by_id("new-id").get("value") == "governance.extra"  # as typed
    assert shown.get_element_by_id("new-text").text_content() == "For {network.nam}."
    assert not house.exists()
    # An id already in use is said at the id.
    fields = form_fields(
        page, "add-form", added_id="schedule-1.governance.conflicts.declare", added_text="Yes."
    )
    answer = client.post("/wording/save", data={**fields, "action": "add-added"})
    assert answer.status_code == 422
    said_id = lxml.html.fromstring(answer.text).get_element_by_id("msg-new-id").text_content()
    assert said_id == (
        "Another clause already has the id schedule-1.governance.conflicts.declare; choose another"
    )
    assert not house.exists()


def test_adding_a_clause_keeps_the_clause_to_review_and_a_conflict_overwrites_nothing(
    client: PageClient, folder: Path
) -> None:
    house = folder / "wording.yaml"
    house.write_text(
        f"clauses:\n  {CLAUSE}:\n    text: {HOUSE}\n    pinned: 0123456789abcdef\n", "utf-8"
    )
    page = page_of(client, clause=CLAUSE)
    fields = form_fields(page, "add-form", added_text="A new clause.", action="add-added")
    assert client.post("/wording/save", data=fields, follow_redirects=False).status_code == 303
    entry = load_wording(house).entries[CLAUSE]
    assert entry.pinned == "0123456789abcdef" and entry.text == HOUSE  # still to review
    assert tags(page_of(client, clause=CLAUSE), CLAUSE) == [
        "House text",
        "1 added after",
        "To review",
    ]
    # The page was drawn before that save: its form is based on the file as it was.
    answer = client.post("/wording/save", data={**fields, "added_text": "Another."})
    assert answer.status_code == 409
    shown = lxml.html.fromstring(answer.text)
    assert "was changed elsewhere" in shown.get_element_by_id("wording-conflict").text_content()
    assert shown.get_element_by_id("new-text").text_content() == "Another."  # kept as typed
    assert [a.text for a in load_wording(house).entries[CLAUSE].add_after] == ["A new clause."]


def test_one_annex_e_item_is_listed_and_reworded_in_the_page(
    client: PageClient, folder: Path
) -> None:
    item = "cd-job-description.core.responsibility.research"
    page = page_of(client, doc="cd-job-description", clause=item)
    shown = listed(page)
    assert shown[item].startswith("Support research in practices. Encourage and help")
    assert shown["cd-job-description.core.responsibility"] == (
        "A list printed once for each of its items: each is a clause of its own, below."
    )
    group = page_of(
        client, doc="cd-job-description", clause="cd-job-description.core.responsibility"
    )
    note = " ".join(group.get_element_by_id("clause-repeated").text_content().split())
    assert note.startswith("This list prints one clause for each of its items")
    box = page.get_element_by_id("clause-text")
    assert box.text_content().startswith("**Support research in practices.** Encourage")
    text = "**Research.** The director helps the practices of {network.name} take part in research."
    assert post_clause(client, page, "save", text).status_code == 303
    entry = load_wording(folder / "wording.yaml").entries[item]
    assert entry.text == text and entry.pinned
    after = listed(page_of(client, doc="cd-job-description", clause=item))
    assert after[item] == (
        "Research. The director helps the practices of Riverside Primary Care Network take part "
        "in research."
    )
    assert after["cd-job-description.core.responsibility.workforce"].startswith(
        "Lead workforce development."
    )


def test_the_lead_checklists_clauses_are_grouped_by_heading_and_workstream(
    client: PageClient,
) -> None:
    page = page_of(client, doc="lead-checklist")
    # Every clause once, in the document's order, whatever group or part it is in.
    assert list(listed(page)) == [view.id for view in clause_views("lead-checklist")]
    titles = [" ".join(h.text_content().split()) for h in page.xpath("//h3[@class='group-title']")]
    assert "Every workstream: getting started (14)" in titles
    assert "Review (2)" in titles
    own = next(t for t in titles if t.startswith("This workstream's own items"))
    # The jump links go to each group's heading.
    jumps = page.xpath("//p[@class='group-jump']/a/@href")
    assert [f"#{h.get('id')}" for h in page.xpath("//h3[@class='group-title']")] == jumps
    # A workstream's own items are a part of their own, titled as the facts name it.
    parts = {
        " ".join(p.xpath("./summary")[0].text_content().split()): p
        for p in page.xpath("//details[@class='clause-part']")
    }
    facts = load_facts()
    cvd = facts.workstream("cvd_prevention").title
    found = next(p for title, p in parts.items() if title.startswith(f"{cvd} ("))
    ids = found.xpath(".//code/text()")
    assert ids and all(i.startswith("lead-checklist.own.item.cvd-prevention.") for i in ids)
    assert sum(len(p.xpath(".//li")) for p in parts.values()) < int(own.split("(")[1][:-1])
    assert all(p.get("open") is None for p in parts.values())  # closed until one is chosen
    chosen = page_of(client, doc="lead-checklist", clause=ids[0])
    opened = chosen.xpath("//details[@class='clause-part'][@open]//code/text()")
    assert opened == ids


def look(html: str, box: str) -> str:
    """Return the words of a clause-as-it-prints box an answer swaps in (out of band)."""
    found = lxml.html.fragment_fromstring(html, create_parent="div").xpath(
        f"//div[@id='{box}'][@hx-swap-oob='true']"
    )
    assert found, f"no box {box} swapped in"
    return " ".join(found[0].text_content().split())


def test_the_clause_as_it_prints_follows_the_text_typed(client: PageClient, folder: Path) -> None:
    (folder / "wording.yaml").unlink(missing_ok=True)
    page = page_of(client, clause=CLAUSE)
    # On the page: the clause as the document prints it, with its number, not its Markdown.
    shown = " ".join(page.get_element_by_id("clause-look").text_content().split())
    assert shown == "7.3 " + BUILT_IN.replace("'", "’")
    live = client.post("/wording/preview", data={**editor_fields(page), "text": HOUSE})
    assert look(live.text, "clause-look") == f"7.3 {HOUSE_READ}"
    # Markdown prints as it will: **bold** is bold, not asterisks.
    bold = client.post(
        "/wording/preview", data={**editor_fields(page), "text": "Every **declaration** is kept."}
    )
    box = lxml.html.fragment_fromstring(bold.text, create_parent="div").get_element_by_id(
        "clause-look"
    )
    assert [s.text_content() for s in box.iter("strong")] == ["declaration"]
    assert "*" not in box.text_content()


def test_a_clause_added_after_shows_as_it_prints_while_typed(
    client: PageClient, folder: Path
) -> None:
    (folder / "wording.yaml").unlink(missing_ok=True)
    page = page_of(client, clause=CLAUSE)
    text = "The register is open to every member practice of {network.name}."
    fields = form_fields(page, "add-form", added_text=text, action="preview-added")
    live = client.post("/wording/preview", data=fields)
    assert live.status_code == 200
    assert look(live.text, "clause-look-new") == (
        "7.4 The register is open to every member practice of Riverside Primary Care Network."
    )
    frame = lxml.html.fromstring(live.text).xpath("//iframe/@src")[0]
    assert "The register is open to every member practice" in client.get(frame).text
    assert not (folder / "wording.yaml").exists()  # a preview saves nothing
    # A mistake is said in the box, and the preview stays as it was.
    bad = client.post("/wording/preview", data={**fields, "added_text": "Kept by {network.nam}."})
    assert bad.headers.get("HX-Reswap") == "none"
    assert "network.nam" in look(bad.text, "clause-look-new")
    # One saved is shown on the page beside its own text, and follows its edits.
    client.post("/wording/save", data={**fields, "action": "add-added"})
    page = page_of(client, clause=CLAUSE)
    box = f"clause-look-{CLAUSE.replace('.', '-')}-house"
    assert "7.4 The register is open" in page.get_element_by_id(box).text_content()
    edited = form_fields(
        page, "added-form-1", added_text="Anyone may read it.", action="preview-added"
    )
    assert look(client.post("/wording/preview", data=edited).text, box) == "7.4 Anyone may read it."
    (folder / "wording.yaml").unlink()
