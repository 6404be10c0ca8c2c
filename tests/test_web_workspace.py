"""pcndocs serve FOLDER: the networks' page, saving as you go, conflicts, agreed versions."""

from __future__ import annotations

import re
import shutil
import threading
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
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.output.workspace import Workspace
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts
from pcndocs.web import networks
from pcndocs.web.app import Settings, create_app
from pcndocs.web.networks import States, is_draft
from pcndocs.web.service import check_text

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"
EXAMPLE = "riverside-primary-care-network.yaml"
NOTE = "approved at the board of 12 March"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return a workspace holding the example network."""
    space = tmp_path / "networks"
    space.mkdir()
    shutil.copy(example_profile(), space / EXAMPLE)
    return space


@pytest.fixture
def client(folder: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(today=TODAY, workers=1, workspace=folder, out=tmp_path / "output")
    with TestClient(create_app(settings), base_url=LOCAL) as test:
        yield test


def token_headers(client: TestClient, page: str) -> dict[str, str]:
    """Return the headers the page's own script sends with a request that changes things."""
    found = re.search(r'<meta name="pcndocs-token" content="([^"]*)"', page)
    return {"X-Pcndocs-Token": found.group(1)} if found else {}


def form_fields(page: str) -> dict[str, str]:
    form = lxml.html.fromstring(page).get_element_by_id("profile")
    fields: dict[str, str] = {}
    for name, value in form.form_values():
        fields.setdefault(name, value)
    return fields


def version_of(page: str) -> str:
    found = re.search(r'id="workspace" data-file="[^"]*" data-version="([0-9a-f]+)"', page)
    assert found, "the page carries no version"
    return found.group(1)


def open_network(client: TestClient, name: str = EXAMPLE) -> tuple[str, dict[str, str], str]:
    page = client.get(f"/networks/{name}")
    assert page.status_code == 200, page.text
    return page.text, form_fields(page.text), version_of(page.text)


def save(
    client: TestClient, page: str, fields: dict[str, str], base: str, name: str = EXAMPLE
) -> tuple[int, dict[str, object]]:
    answer = client.post(
        f"/networks/{name}/save",
        data={**fields, "_base": base},
        headers=token_headers(client, page),
    )
    return answer.status_code, answer.json()


def test_the_start_page_lists_each_network_with_its_state(client: TestClient, folder: Path) -> None:
    (folder / "broken.yaml").write_text("network: [\n", encoding="utf-8")
    draft = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    draft["network"]["name"] = "Hillside PCN"
    draft["clinical_directors"][0]["name"] = None
    (folder / "hillside-pcn.yaml").write_text(yaml.safe_dump(draft), encoding="utf-8")
    page = client.get("/")
    assert page.status_code == 200
    rows = {
        row.xpath(".//span[@class='file']")[0].text: " ".join(row.text_content().split())
        for row in lxml.html.fromstring(page.text).xpath("//table[@class='networks']/tbody/tr")
    }
    assert len(rows) == 3
    riverside = rows[EXAMPLE]
    assert "Riverside Primary Care Network" in riverside
    assert "Ready" in riverside and "2026/27" in riverside
    assert "Not yet" in riverside  # neither agreed nor built
    assert "Hillside PCN" in rows["hillside-pcn.yaml"]
    assert "1 value still to agree" in rows["hillside-pcn.yaml"]
    assert "Cannot be read" in rows["broken.yaml"]
    assert "The same network" not in riverside


def test_two_files_of_one_network_are_each_told_of_the_other(
    client: TestClient, folder: Path
) -> None:
    shutil.copy(folder / EXAMPLE, folder / "riverside-copy.yaml")
    listed = " ".join(lxml.html.fromstring(client.get("/").text).text_content().split())
    assert "The same network as riverside-copy.yaml" in listed
    assert f"The same network as {EXAMPLE}" in listed


def test_a_change_is_saved_to_the_file_and_read_back(client: TestClient, folder: Path) -> None:
    page, fields, base = open_network(client)
    fields["network.name"] = "Riverside Primary Care Network (North)"
    code, answer = save(client, page, fields, base)
    assert code == 200, answer
    assert answer["draft"] is False
    text = (folder / EXAMPLE).read_text(encoding="utf-8")
    assert yaml.safe_load(text)["network"]["name"] == "Riverside Primary Care Network (North)"
    assert "# " in text  # the writer's comments beside the keys
    # The example's own notes stay beside their keys; the defaults it never set stay unset.
    assert "her share of the national benchmark (not of her pay)" in text
    assert "No national rate of Core PCN Funding is known" in text
    assert "show_generator" not in text
    # A reload (or a restart of the server) shows what was saved.
    again, _fields, version = open_network(client)
    assert "Riverside Primary Care Network (North)" in again
    assert version == answer["version"]


def test_a_draft_with_errors_is_saved_and_marked(client: TestClient, folder: Path) -> None:
    page, fields, base = open_network(client)
    fields["practices[0].list_size"] = "many"
    code, answer = save(client, page, fields, base)
    assert code == 200 and answer["draft"] is True and answer["errors"] != 0
    text = (folder / EXAMPLE).read_text(encoding="utf-8")
    assert is_draft(text)
    result = CliRunner().invoke(cli, ["check", str(folder / EXAMPLE)])
    assert result.exit_code == 1  # check treats it as the file says
    listed = client.get("/").text
    assert "(draft)" in listed


def test_a_save_based_on_an_older_version_is_refused(client: TestClient, folder: Path) -> None:
    page, fields, base = open_network(client)
    other_page, other, _same = open_network(client)  # a second tab
    other["network.code"] = "U99999"
    assert save(client, other_page, other, base)[0] == 200
    fields["network.code"] = "U11111"
    code, answer = save(client, page, fields, base)
    assert code == 409
    assert "changed elsewhere" in str(answer["message"])
    assert yaml.safe_load((folder / EXAMPLE).read_text(encoding="utf-8"))["network"]["code"] == (
        "U99999"
    )


def test_an_editor_writing_the_file_is_a_conflict_too(client: TestClient, folder: Path) -> None:
    page, fields, base = open_network(client)
    path = folder / EXAMPLE
    path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    code, _answer = save(client, page, fields, base)
    assert code == 409
    assert path.read_text(encoding="utf-8").endswith("# edited by hand\n")


def test_keep_both_saves_the_page_beside_the_file(client: TestClient, folder: Path) -> None:
    page, fields, _base = open_network(client)
    fields["network.code"] = "U22222"
    answer = client.post(
        f"/networks/{EXAMPLE}/keep", data=fields, headers=token_headers(client, page)
    ).json()
    kept = folder / answer["file"]
    assert kept.name.startswith("riverside-primary-care-network-kept-")
    assert yaml.safe_load(kept.read_text(encoding="utf-8"))["network"]["code"] == "U22222"
    assert client.get(answer["url"]).status_code == 200


@pytest.mark.parametrize("name", ["..%2F..%2Fetc%2Fpasswd.yaml", "%2Fetc%2Fpasswd", "x.txt"])
def test_a_name_outside_the_workspace_is_refused(client: TestClient, name: str) -> None:
    assert client.get(f"/networks/{name}").status_code == 404
    page = client.get("/").text
    answer = client.post(
        f"/networks/{name}/save", data={"_base": ""}, headers=token_headers(client, page)
    )
    assert answer.status_code in (404, 422)


def test_new_network_and_a_clash_of_names(client: TestClient, folder: Path) -> None:
    page = client.get("/").text
    headers = token_headers(client, page)
    made = client.post("/networks/new", data={"name": "Hillside PCN"}, headers=headers)
    assert made.status_code == 200 and made.url.path == "/networks/hillside-pcn.yaml"
    assert (folder / "hillside-pcn.yaml").is_file()
    clash = client.post("/networks/new", data={"name": "Hillside: PCN"}, headers=headers)
    assert clash.status_code == 422
    said = " ".join(
        lxml.html.fromstring(clash.text).get_element_by_id("problems").text_content().split()
    )
    assert "hillside-pcn.yaml" in said and "Hillside PCN" in said and "Hillside: PCN" in said


def test_duplicate(client: TestClient, folder: Path) -> None:
    page = client.get("/").text
    copied = client.post(
        "/networks/duplicate",
        data={"file": EXAMPLE, "name": "Lakeside PCN"},
        headers=token_headers(client, page),
    )
    assert copied.url.path == "/networks/lakeside-pcn.yaml"
    data = yaml.safe_load((folder / "lakeside-pcn.yaml").read_text(encoding="utf-8"))
    assert data["network"]["name"] == "Lakeside PCN"
    assert data["practices"] == yaml.safe_load(example_profile().read_text())["practices"]


def test_mark_as_agreed_then_what_changed(client: TestClient, folder: Path) -> None:
    page, fields, base = open_network(client)
    headers = token_headers(client, page)
    agreed = client.post(
        f"/networks/{EXAMPLE}/agree",
        data={
            "agreed_on": "12/03/2026",
            "note": "approved at the board of 12 March",
            "_base": base,
        },
        headers=headers,
    )
    assert agreed.status_code == 200
    assert "Version 1, agreed on 12/03/2026: approved at the board of 12 March" in agreed.text
    versions = Workspace(folder).versions(EXAMPLE)
    assert [v.note for v in versions] == ["approved at the board of 12 March"]
    fields["appointment.term_years"] = "2"
    assert save(client, page, fields, base)[0] == 200
    shown = client.post(f"/networks/{EXAMPLE}/changes", data={"against": "agreed"}, headers=headers)
    text = " ".join(lxml.html.fromstring(shown.text).text_content().split())
    assert "since version 1, agreed on 12/03/2026" in text
    assert "document" in text and "changed" in text
    assert "<del>" in shown.text or "<ins>" in shown.text
    listed = " ".join(lxml.html.fromstring(client.get("/").text).text_content().split())
    assert "Version 1, 12/03/2026" in listed


def test_agreeing_a_version_no_longer_in_the_file_is_refused(
    client: TestClient, folder: Path
) -> None:
    page, fields, base = open_network(client)
    assert save(client, page, fields | {"network.code": "U33333"}, base)[0] == 200
    refused = client.post(
        f"/networks/{EXAMPLE}/agree",
        data={"agreed_on": "12/03/2026", "_base": base},
        headers=token_headers(client, page),
    )
    assert refused.status_code == 422
    assert Workspace(folder).versions(EXAMPLE) == []


def test_what_changed_against_an_uploaded_profile_and_the_last_build(
    client: TestClient, folder: Path, tmp_path: Path
) -> None:
    page, fields, base = open_network(client)
    headers = token_headers(client, page)
    old = example_profile().read_bytes()
    build_profile(folder / EXAMPLE, BuildOptions(out=tmp_path / "output", formats=("html",)))
    fields["appointment.term_years"] = "2"
    assert save(client, page, fields, base)[0] == 200
    shown = client.post(
        f"/networks/{EXAMPLE}/changes",
        data={"against": "upload"},
        files={"older": ("older.yaml", old, "application/yaml")},
        headers=headers,
    )
    assert "since the profile older.yaml" in " ".join(shown.text.split())
    built = client.post(f"/networks/{EXAMPLE}/changes", data={"against": "build"}, headers=headers)
    assert "since the documents last built" in " ".join(built.text.split())


def test_build_several_into_the_output_folder(
    client: TestClient, folder: Path, tmp_path: Path
) -> None:
    page = client.get("/").text
    started = client.post(
        "/networks/build",
        data={"file": [EXAMPLE], "blank": "no"},
        headers=token_headers(client, page),
    )
    assert started.status_code == 200
    key = started.url.path.rsplit("/", 1)[1]
    job = client.app.state.web.workspace.builds.get(key)  # type: ignore[attr-defined]
    assert job.ended.wait(600)  # the build's own event, not a clock
    part = client.get(started.url.path + "/progress").text
    assert 'data-finished="yes"' in part
    assert "1 built or up to date" in part
    # The heading, outside the part, is replaced with what happened (htmx's out-of-band swap).
    heading = lxml.html.fromstring(part).xpath('//h1[@id="build-title"][@hx-swap-oob="true"]')
    assert [h.text_content() for h in heading] == ["Built 1 network"]
    whole = lxml.html.fromstring(client.get(started.url.path).text)
    assert [h.text_content() for h in whole.xpath("//h1")] == ["Built 1 network"]
    out = tmp_path / "output" / "riverside-primary-care-network"
    assert (out / "schedule-1.pdf").is_file()
    assert (tmp_path / "output" / ".pcndocs" / "manifest.json").is_file()


def test_compare_since_agreed_on_the_command_line(folder: Path, tmp_path: Path) -> None:
    space = Workspace(folder)
    saved = space.read(EXAMPLE)
    space.agree(EXAMPLE, date(2026, 3, 12), "board", saved.version)
    text = saved.text.replace("term_years: 3", "term_years: 2")
    assert text != saved.text
    space.save(EXAMPLE, text, saved.version)
    out = tmp_path / "changes"
    result = CliRunner().invoke(
        cli,
        ["compare", "--since-agreed", str(folder / EXAMPLE), "--out", str(out), "--format", "html"],
    )
    assert result.exit_code == 0, result.output
    summary = (out / "riverside-primary-care-network" / "changes.txt").read_text(encoding="utf-8")
    assert "version 1, agreed on 12/03/2026" in summary
    never = CliRunner().invoke(cli, ["compare", "--since-agreed", str(example_profile())])
    assert never.exit_code == 1
    assert "no version" in never.output


@pytest.mark.national
def test_import_several_networks_from_the_national_files(
    client: TestClient, folder: Path, national_data: Path
) -> None:
    page = client.get("/networks/import")
    assert "Where to get the two files" in page.text
    assert "01/01/2026" in page.text  # the list-size date 2026/27 counts
    headers = token_headers(client, page.text)
    found = client.post(
        upload_action(page.text),
        files={
            "epcn": ("ePCN.xlsx", (national_data / "ePCN-2019-12.xlsx").read_bytes()),
            "lists": (
                "gp-reg-pat-prac-all.csv",
                (national_data / "gp-reg-pat-prac-all-2021-01.csv").read_bytes(),
            ),
        },
        data={"query": "leeds"},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    tree = lxml.html.fromstring(found.text)
    codes = [box.get("value") for box in tree.xpath("//input[@name='code']")]
    assert len(codes) >= 3
    assert tree.xpath("//select[@id='year']/option[@selected]")[0].get("value") == "2026/27"
    upload = tree.xpath("//input[@name='upload']")[0].get("value")
    added = client.post(
        "/networks/import/add",
        data={"upload": upload, "code": codes[:3], "year": "2026/27"},
        headers=headers,
    )
    assert added.status_code == 200
    said = " ".join(lxml.html.fromstring(added.text).text_content().split())
    assert "3 networks added" in said
    assert "list sizes of 01/01/2021" in said
    # Each network's cautions: sizes older than the year counts, a commissioner now gone.
    assert said.count("2026/27 counts those of 01/01/2026") == 3
    assert "is a CCG in the national files" in said
    files = [name for name in Workspace(folder).names() if name != EXAMPLE]
    assert len(files) == 3
    for name in files:
        data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        assert data["contract_year"] == "2026/27"
        assert str(data["network"]["population_date"]) == "2021-01-01"  # what the sizes are
    listed = client.get("/").text
    assert listed.count("2026/27") >= 4


def upload_action(page: str) -> str:
    """Return where the import page's form sends the national files."""
    (action,) = lxml.html.fromstring(page).xpath("//form[.//input[@name='epcn']]/@action")
    return str(action)


def sample_workbook(tmp_path: Path) -> bytes:
    from tests.importer.sample_files import EPCN_2019_DETAILS, EPCN_2019_PARTNERS, write_xlsx

    return write_xlsx(
        tmp_path / "ePCN.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    ).read_bytes()


def test_both_ways_in_reach_one_import_page_and_one_session(
    client: TestClient, tmp_path: Path
) -> None:
    workbook = sample_workbook(tmp_path)
    keys = []
    for way_in in ("/national", "/networks/import"):
        page = client.get(way_in)
        assert "<h1>Add networks from the national files</h1>" in page.text
        found = client.post(
            upload_action(page.text),
            files={"epcn": ("ePCN.xlsx", workbook)},
            data={"query": "testtown"},
            headers=token_headers(client, page.text),
        )
        assert found.status_code == 200, found.text
        assert "set-cookie" not in found.headers  # the guard's session, no cookie of its own
        keys.append(lxml.html.fromstring(found.text).xpath("//input[@name='upload']/@value")[0])
    # One browser, one session, one upload: the second upload replaced the first.
    for key, kept in zip(keys, (False, True), strict=True):
        answer = client.post(
            "/networks/import/add",
            data={"upload": key, "code": "U00001", "year": "2026/27"},
            headers=token_headers(client, client.get("/").text),
        )
        assert (answer.status_code == 200) == kept, answer.text
        assert ("have expired" in answer.text) != kept


def test_a_file_in_the_wrong_field_is_named_with_its_field_and_the_search_is_kept(
    client: TestClient,
) -> None:
    page = client.get("/networks/import")
    answer = client.post(
        upload_action(page.text),
        files={"epcn": ("gp-reg-pat-prac-all.csv", b"PUBLICATION,EXTRACT_DATE\n")},
        data={"query": "Riverside", "year": "2026/27"},
        headers=token_headers(client, page.text),
    )
    assert answer.status_code == 422
    tree = lxml.html.fromstring(answer.text)
    said = " ".join(tree.get_element_by_id("problems").text_content().split())
    assert "gp-reg-pat-prac-all.csv (the ePCN workbook): not an Excel .xlsx workbook" in said
    assert tree.get_element_by_id("query").get("value") == "Riverside"  # typed, not lost


def test_adding_with_none_ticked_shows_the_networks_found_again(
    client: TestClient, tmp_path: Path
) -> None:
    page = client.get("/networks/import")
    headers = token_headers(client, page.text)
    found = client.post(
        upload_action(page.text),
        files={"epcn": ("ePCN.xlsx", sample_workbook(tmp_path))},
        data={"query": "testtown"},
        headers=headers,
    )
    form = lxml.html.fromstring(found.text).xpath("//form[@action='/networks/import/add']")[0]
    fields = {name: value for name, value in form.form_values() if name != "code"}
    answer = client.post("/networks/import/add", data=fields, headers=headers)
    assert answer.status_code == 422
    tree = lxml.html.fromstring(answer.text)
    said = " ".join(tree.get_element_by_id("problems").text_content().split())
    assert "Choose at least one network to add: tick the box beside its name" in said
    # The same networks to tick, from the same upload: no file to choose again.
    again = tree.xpath("//form[@action='/networks/import/add']//input[@name='code']/@value")
    assert again == form.xpath(".//input[@name='code']/@value") and again
    assert tree.xpath("//input[@name='epcn']") == []


def test_another_browser_cannot_use_an_upload(
    client: TestClient, folder: Path, tmp_path: Path
) -> None:
    page = client.get("/networks/import")
    found = client.post(
        upload_action(page.text),
        files={"epcn": ("ePCN.xlsx", sample_workbook(tmp_path))},
        data={"query": "testtown"},
        headers=token_headers(client, page.text),
    )
    key = lxml.html.fromstring(found.text).xpath("//input[@name='upload']/@value")[0]
    with TestClient(client.app, base_url=LOCAL) as other:
        assert other.cookies.get("pcndocs_session") is None
        headers = token_headers(other, other.get("/").text)
        answer = other.post(
            "/networks/import/add",
            data={"upload": key, "code": "U00001", "year": "2026/27"},
            headers=headers,
        )
    assert answer.status_code == 422
    assert "have expired" in answer.text
    assert Workspace(folder).names() == [EXAMPLE]


def test_the_import_page_takes_files_as_large_as_the_national_ones(client: TestClient) -> None:
    # The ePCN workbook and a month's list sizes are over 2 MB together, more than a form.
    page = client.get("/networks/import")
    answer = client.post(
        upload_action(page.text),
        files={"epcn": ("mine.xlsx", b"x" * (3 << 20))},
        data={"query": "testtown"},
        headers=token_headers(client, page.text),
    )
    assert answer.status_code == 422, answer.text
    assert "mine.xlsx" in answer.text


@pytest.mark.parametrize(
    "path", [f"/networks/{EXAMPLE}/save", f"/networks/{EXAMPLE}/agree", "/networks/new"]
)
def test_a_page_elsewhere_changes_nothing(client: TestClient, folder: Path, path: str) -> None:
    _page, fields, base = open_network(client)
    before = (folder / EXAMPLE).read_bytes()
    answer = client.post(
        path,
        data={**fields, "_base": base, "name": "Evil PCN", "agreed_on": "12/03/2026"},
        headers={"Origin": "http://evil.example"},
    )
    assert answer.status_code == 403
    assert (folder / EXAMPLE).read_bytes() == before
    assert Workspace(folder).names() == [EXAMPLE]
    assert Workspace(folder).versions(EXAMPLE) == []


def test_a_network_being_checked_is_waited_for_not_checked_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's warm-up and the first networks' page, at once, check each file once."""
    checked: list[str] = []
    inside, waiting = threading.Event(), threading.Event()

    def held_check(*args: Any) -> Any:
        checked.append(args[3])
        if len(checked) > 1:
            waiting.set()  # checked again: what this test looks for; nothing waits longer
        inside.set()
        assert waiting.wait(60), "the second thread neither waited nor checked"
        return check_text(*args)

    class Watched(States):
        def wait_for(self, running: threading.Event) -> None:
            waiting.set()
            super().wait_for(running)

    monkeypatch.setattr(networks, "check_text", held_check)
    states = Watched(Workspace(folder), load_facts(), tmp_path / "output")
    found: list[Any] = []

    def ask() -> None:
        found.append(states.of(EXAMPLE, TODAY))

    first = threading.Thread(target=ask)
    first.start()
    assert inside.wait(60)
    second = threading.Thread(target=ask)
    second.start()
    for thread in (first, second):
        thread.join(60)
    assert checked == [EXAMPLE]
    assert len(found) == 2 and found[0] == found[1]
    assert found[0].network == "Riverside Primary Care Network" and found[0].ready


def _forkserver_children() -> set[int]:
    """Return the worker processes running now: the forkserver's children."""
    from multiprocessing import forkserver

    from tests.test_worker_faults import children

    pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    return set(children(pid)) if pid else set()


def _networks(folder: Path, names: list[str], code: str = "") -> list[str]:
    files = []
    for name in names:
        data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
        data["network"]["name"] = name
        if code:
            data["network"]["code"] = code
        file = f"{name.lower().replace(' ', '-')}{'-' + code.lower() if code else ''}.yaml"
        (folder / file).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        files.append(file)
    return files


def _start_build(client: TestClient, files: list[str]) -> Any:
    page = client.get("/").text
    started = client.post(
        "/networks/build", data={"file": files, "blank": "no"}, headers=token_headers(client, page)
    )
    assert started.status_code == 200
    return client.app.state.web.workspace.builds.get(started.url.path.rsplit("/", 1)[1])  # type: ignore[attr-defined]


def test_build_several_runs_on_the_servers_own_workers(folder: Path, tmp_path: Path) -> None:
    files = _networks(folder, ["Hillside", "Canal", "Moorland"])
    settings = Settings(today=TODAY, workers=2, workspace=folder, out=tmp_path / "output")
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL) as client:
        app.state.web.pool.warm()
        warm = _forkserver_children()
        assert len(warm) == 2
        seen: set[int] = set()
        job = _start_build(client, files)
        while not job.ended.wait(0.02):  # every worker process there is while it builds
            seen |= _forkserver_children()
        assert job.failed == 0 and not job.error, job.done
        assert seen <= warm  # no pool of its own: the server's two workers did it all
    assert len(list((tmp_path / "output").glob("*/schedule-1.pdf"))) == 3


def test_two_build_several_at_once_never_share_a_folder(folder: Path, tmp_path: Path) -> None:
    """Two networks of one name but different codes, each in its own "build several" started
    at the same time in one server: one is built, the other refused, whichever came first."""
    (first,) = _networks(folder, ["Hillside"], code="U11111")
    (second,) = _networks(folder, ["Hillside"], code="U22222")
    settings = Settings(today=TODAY, workers=2, workspace=folder, out=tmp_path / "output")
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        jobs = [_start_build(client, [first]), _start_build(client, [second])]
        for job in jobs:
            assert job.ended.wait(600)
    said = [job.done[0][1] for job in jobs]
    assert sorted(job.failed for job in jobs) == [0, 1], said
    (refused,) = [s for s in said if "would be written to" in s]
    assert "give one of them a different name" in refused


def test_build_several_once_the_server_is_stopping_is_refused_and_starts_no_worker(
    folder: Path, tmp_path: Path
) -> None:
    """Ctrl-C kills the workers; a "build several" asked for after that would start new ones
    the stop no longer knows of: it is refused with a message instead, as a preview is."""
    settings = Settings(today=TODAY, workers=1, workspace=folder, out=tmp_path / "output")
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL) as client:
        page = client.get("/").text
        web = app.state.web
        web.pool.shutdown()  # what the server's lifespan does once it is asked to stop
        answer = client.post(
            "/networks/build",
            data={"file": [EXAMPLE], "blank": "no"},
            headers=token_headers(client, page),
            follow_redirects=False,
        )
        assert answer.status_code == 503
        problems = lxml.html.fromstring(answer.text).get_element_by_id("problems")
        assert "the server is stopping" in problems.text_content()
        assert "start pcndocs serve again" in problems.text_content()
        preview = client.post(
            "/form/preview", data=form_fields(client.get(f"/networks/{EXAMPLE}").text)
        )
        assert preview.status_code == 503
        assert "the server is stopping" in preview.text
        assert web.pool.shared._workers == []  # no worker was started after the stop
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("finished", "failed", "error", "heading"),
    [
        (False, 0, "", "Building 3 networks"),
        (True, 0, "", "Built 3 networks"),
        (True, 1, "", "Built 2 of 3 networks; 1 not built"),
        (True, 0, "a template is wrong", "The build of 3 networks stopped"),
    ],
)
def test_the_build_pages_heading_says_what_happened(
    client: TestClient, finished: bool, failed: int, error: str, heading: str
) -> None:
    job = networks.BuildJob("k", ["a.yaml", "b.yaml", "c.yaml"], False)
    job.finished, job.failed, job.error = finished, failed, error
    web = client.app.state.web  # type: ignore[attr-defined]
    page = lxml.html.fromstring(web.page("building.html", job=job).body)
    assert [h.text_content() for h in page.xpath("//h1")] == [heading]
    part = lxml.html.fromstring(web.page("progress.html", job=job, oob=True).body)
    swapped = [h.text_content() for h in part.xpath("//h1[@hx-swap-oob]")]
    assert swapped == ([heading] if finished else [])
