"""pcndocs serve: "What changed since the last build", through TestClient.

The last build is a real `pcndocs build` of the example into a folder of the test's own;
the form is the example's page, changed as a PCN manager would change it.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader
from starlette.testclient import TestClient

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.web.app import Settings, create_app
from pcndocs.web.changes import changed_passages
from tests.webclient import PageClient

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"
HTMX = {"HX-Request": "true"}
NETWORK = "riverside-primary-care-network"


@pytest.fixture(scope="module")
def out(example_last_build: Path) -> Path:
    """Return the output folder the server compares with: a build of the example."""
    return example_last_build


@pytest.fixture(scope="module")
def client(out: Path) -> Iterator[TestClient]:
    with PageClient(create_app(Settings(today=TODAY, workers=1, out=out)), base_url=LOCAL) as c:
        yield c


def example_form(client: TestClient) -> dict[str, str]:
    """Return the fields the example's page sends, as a browser sends them."""
    form = lxml.html.fromstring(client.get("/example").text).get_element_by_id("profile")
    fields: dict[str, str] = {}
    for name, value in form.form_values():
        fields.setdefault(name, value)
    return fields


def shown(html: str, path: str) -> list[str]:
    """Return the text of each element an XPath finds, as a reader sees it."""
    page = lxml.html.fromstring(html)
    return [" ".join(el.text_content().split()) for el in page.xpath(path)]


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_longer_term_shows_its_summary_line_its_passages_and_the_documents(
    client: TestClient, out: Path
) -> None:
    before = files_in(out)
    fields = example_form(client)
    fields["appointment.term_years"] = "4"
    answer = client.post("/form/changes", data=fields, headers=HTMX)
    assert answer.status_code == 200
    html = answer.text
    assert shown(html, '//p[contains(@class, "changes-status")]') == [
        f"2 documents changed since the last build of Riverside Primary Care Network (in “{out}”)."
    ]
    assert shown(html, '//ul[@class="change-summary"]/li') == ["Term of office: 3 years → 4 years"]
    assert shown(html, '//ul[@class="changed-documents"]/li/h4') == [
        "Schedule 1: Network details and appointment of the clinical director",
        "Clinical director: job description",
    ]
    passages = lxml.html.fromstring(html).xpath('//ul[@class="passages"]/li')
    term = next(p for p in passages if "Term" in p.text_content())
    assert [el.text for el in term.iter("del")] == ["3", "2028"]
    assert [el.text for el in term.iter("ins")] == ["4", "2029"]
    unchanged = shown(html, '//ul[@class="unchanged-documents"]/li')
    assert len(unchanged) == 13
    assert "Leadership and funding summary" in unchanged
    assert files_in(out) == before, "the page writes nothing into the output folder"


def test_each_changed_document_downloads_as_a_tracked_changes_docx_and_a_pdf(
    client: TestClient,
) -> None:
    fields = example_form(client)
    fields["appointment.term_years"] = "4"
    html = client.post("/form/changes", data=fields, headers=HTMX).text
    links = lxml.html.fromstring(html).xpath('//ul[@class="changed-documents"]//a[@download]')
    docx_link = next(
        a.get("href") for a in links if a.get("href").endswith("schedule-1-changes.docx")
    )
    answer = client.get(docx_link)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="schedule-1-changes.docx"'
    with zipfile.ZipFile(io.BytesIO(answer.content)) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "<w:ins " in body and "<w:del " in body
    pdf = client.get(docx_link.replace(".docx", ".pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    page = client.get(docx_link.replace(".docx", ".html"))
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    assert "<ins>2029</ins>" in page.text


def test_nothing_changed_says_so(client: TestClient, out: Path) -> None:
    html = client.post("/form/changes", data=example_form(client), headers=HTMX).text
    assert shown(html, '//p[contains(@class, "changes-status")]') == [
        "No document has changed since the last build of Riverside Primary Care Network "
        f"(in “{out}”)."
    ]
    assert shown(html, '//ul[@class="change-summary"]/li') == []
    assert "Nothing in the profile changed." in html
    assert len(shown(html, '//ul[@class="unchanged-documents"]/li')) == 15


def test_a_network_never_built_here_says_there_is_nothing_to_compare_with(
    client: TestClient, out: Path
) -> None:
    fields = example_form(client)
    fields["network.name"] = "Hilltop PCN"
    html = client.post("/form/changes", data=fields, headers=HTMX).text
    assert shown(html, '//p[contains(@class, "changes-status")]') == [
        f"Nothing to compare with yet: Hilltop PCN has not been built in the folder “{out}”."
    ]


def test_a_form_with_errors_is_not_compared_and_names_them_at_their_fields(
    client: TestClient,
) -> None:
    fields = example_form(client)
    fields["practices[0].list_size"] = "12452x"
    html = client.post("/form/changes", data=fields, headers=HTMX).text
    assert shown(html, '//p[contains(@class, "changes-status")]') == [
        "Not compared: the form has 1 error to put right. Do that first, then ask again."
    ]
    assert shown(html, '//ul[@class="errors"]/li') == [
        "Practice 1 (Riverside Surgery), List size: expected a whole number, got '12452x'"
    ]
    assert lxml.html.fromstring(html).xpath('//ul[@class="errors"]//a')[0].get("href") == (
        "#f-practices-0-list_size"
    )


def test_without_javascript_the_button_gives_the_whole_page_with_the_changes(
    client: TestClient,
) -> None:
    fields = example_form(client)
    fields["appointment.term_years"] = "4"
    answer = client.post("/form/changes", data=fields)
    assert answer.status_code == 200
    page = lxml.html.fromstring(answer.text)
    assert page.get_element_by_id("f-appointment-term_years").get("value") == "4"
    assert shown(answer.text, '//div[@id="changes"]//ul[@class="change-summary"]/li') == [
        "Term of office: 3 years → 4 years"
    ]
    fields["practices[0].list_size"] = "twelve"
    assert client.post("/form/changes", data=fields).status_code == 422


def test_a_redline_no_longer_kept_says_to_ask_again(client: TestClient) -> None:
    answer = client.get("/changes/0123456789abcdef0123456789abcdef/schedule-1-changes.docx")
    assert answer.status_code == 404
    assert "ask again" in answer.text


def test_serve_takes_the_output_folder_to_compare_with() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert "-o, --out DIRECTORY" in result.output
    assert "What changed since the last build" in " ".join(result.output.split())


def test_a_passage_is_the_smallest_block_holding_a_change_under_its_heading() -> None:
    page = (
        "<html><body><main><aside><p><ins>key</ins></p></aside>"
        "<h2>Old <del>name</del><ins>title</ins></h2>"
        "<ul><li><p>Same</p></li>"
        "<li><p>Term <del>3</del><ins>4</ins> years &amp; more</p></li></ul>"
        '<table data-change="ins"><tr><th><ins>Practice</ins></th><th><ins>Share</ins></th></tr>'
        "<tr><td><ins>A</ins></td><td><ins>1%</ins></td></tr></table>"
        "<table><tr><td>Practice</td><td>Size</td></tr>"
        "<tr><td>Riverside</td><td><del>12</del><ins>13</ins></td></tr></table>"
        "<table><tr><th>Name</th><th>Practice</th><th>Sessions</th></tr>"
        "<tr><td>Dr Shah</td><td>Northgate</td><td><del>1</del><ins>1.5</ins></td></tr></table>"
        "</main></body></html>"
    )
    passages, more = changed_passages(page)
    assert more == 0
    assert [(p.section, str(p.html)) for p in passages] == [
        ("Old title", "Old <del>name</del><ins>title</ins>"),
        ("Old title", "Term <del>3</del><ins>4</ins> years &amp; more"),
        (
            "Old title",
            "Table added (1 row), with the columns: <ins>Practice</ins> · <ins>Share</ins>",
        ),
        ("Old title", "Riverside: <del>12</del><ins>13</ins>"),
        (
            "Old title",
            "Name: Dr Shah · Practice: Northgate · Sessions: <del>1</del><ins>1.5</ins>",
        ),
    ]


def test_values_still_missing_are_not_compared_and_are_named(client: TestClient) -> None:
    fields = example_form(client)
    fields["practices[0].list_size"] = ""
    fields["network.name"] = ""
    html = client.post("/form/changes", data=fields, headers=HTMX).text
    assert shown(html, '//p[contains(@class, "changes-status")]') == [
        "Not compared: 2 values are still to fill in. Do that first, then ask again."
    ]
    assert shown(html, '//ul[@class="errors"]/li') == [
        "Network, Name: is required but missing",
        "Practice 1 (Riverside Surgery), List size: is required but missing",
    ]


def test_a_draft_last_built_with_blank_is_compared_with_its_gaps(
    tmp_path: Path, example_data: dict[str, Any]
) -> None:
    draft = copy.deepcopy(example_data)
    del draft["practices"][0]["list_size"]
    profile = tmp_path / "draft.yaml"
    profile.write_text(yaml.safe_dump(draft, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("html",), documents=("schedule-1",), blank=True)
    build_profile(profile, options)
    with PageClient(create_app(Settings(today=TODAY, workers=1, out=out)), base_url=LOCAL) as c:
        html = c.post("/form/changes", data=example_form(c), headers=HTMX).text
    assert shown(html, '//ul[@class="change-summary"]/li') == [
        "Registered patients at Riverside Surgery (A99001): not set → 12,452"
    ]
    passages = lxml.html.fromstring(html).xpath('//ul[@class="passages"]/li')
    row = next(p for p in passages if p.text_content().startswith("Practice: Riverside"))
    assert [el.text for el in row.iter("del")] == [
        "[to be agreed: the list size of Riverside Surgery]"
    ]
    assert [el.text for el in row.iter("ins")] == ["12,452"]


def test_a_last_build_whose_profile_no_longer_loads_says_why(
    tmp_path: Path, example_data: dict[str, Any]
) -> None:
    kept = tmp_path / NETWORK / ".pcndocs" / "profile.yaml"
    kept.parent.mkdir(parents=True)
    broken = copy.deepcopy(example_data)
    broken["practices"][0]["list_size"] = "twelve thousand"
    kept.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    with TestClient(
        create_app(Settings(today=TODAY, workers=1, out=tmp_path)), base_url=LOCAL
    ) as c:
        html = c.post("/form/changes", data=example_form(c), headers=HTMX).text
    assert shown(html, '//p[contains(@class, "changes-status")]') == [
        "Could not compare with the last build:"
    ]
    (problem,) = shown(html, '//ul[@class="errors"]/li')
    assert problem.startswith(f"{kept}:")
    assert problem.endswith(
        "practices[0].list_size: practice 1 (Riverside Surgery): expected a whole number, got "
        "'twelve thousand'"
    )


def test_redlines_are_rendered_by_the_workers_not_the_server(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = example_form(client)
    fields["appointment.term_years"] = "4"
    html = client.post("/form/changes", data=fields, headers=HTMX).text
    links = lxml.html.fromstring(html).xpath('//ul[@class="changed-documents"]//a[@download]')
    pdf_link = next(a.get("href") for a in links if a.get("href").endswith("-changes.pdf"))

    def not_here(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a redline was rendered in the server's own process")

    # The workers are processes of their own: what this process's writer does cannot reach them.
    monkeypatch.setattr("pcndocs.compare.run.render_file", not_here)
    for link in (pdf_link, pdf_link.replace(".pdf", ".docx")):
        answer = client.get(link)
        assert answer.status_code == 200, answer.text
    reader = PdfReader(io.BytesIO(client.get(pdf_link).content))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    assert "What changed" in text and "4 years" in " ".join(text.split())
