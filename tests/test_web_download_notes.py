"""pcndocs serve: a single document's or a redline's download tells the page what its build
warned of and what it leaves to agree (web/notes.py), as a pack does in its text files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from starlette.testclient import TestClient

from pcndocs.web.app import Settings, create_app
from pcndocs.web.notes import NOTES_HEADER
from tests.webclient import PageClient

pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"
HTMX = {"HX-Request": "true"}


def with_notes_folder(tmp: Path) -> tuple[Path, Path]:
    """Return templates whose stylesheet asks for a file outside, and a house wording that
    omits the only clause stating each practice's signatory."""
    templates = tmp / "templates"
    templates.mkdir()
    secret = tmp / "secret.css"
    secret.write_text("h1 { color: red; }", encoding="utf-8")
    (templates / "pdf.css").write_text(f'@import url("{secret.as_uri()}");\n', encoding="utf-8")
    wording = tmp / "wording.yaml"
    wording.write_text("clauses:\n  schedule-1.signatures.signatory: omit\n", encoding="utf-8")
    return templates, wording


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, example_last_build: Path
) -> Iterator[TestClient]:
    templates, wording = with_notes_folder(tmp_path_factory.mktemp("notes"))
    settings = Settings(
        today=TODAY, workers=1, templates=templates, wording=wording, out=example_last_build
    )
    with PageClient(create_app(settings), base_url=LOCAL) as test:
        yield test


def fields_of(page: str) -> dict[str, str]:
    form = lxml.html.fromstring(page).get_element_by_id("profile")
    fields: dict[str, str] = {}
    for name, value in form.form_values():
        fields.setdefault(name, value)
    return fields


def notes_of(answer: object) -> lxml.html.HtmlElement:
    """Return the notes a download's answer carries, as the page shows them."""
    header = answer.headers[NOTES_HEADER]  # type: ignore[attr-defined]
    assert header.isascii()
    return lxml.html.fragment_fromstring(unquote(header))


def said(element: lxml.html.HtmlElement, path: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in element.xpath(path)]


def test_a_document_says_the_fetch_refused_and_the_value_no_clause_states(
    client: TestClient,
) -> None:
    fields = fields_of(client.get("/example").text)
    answer = client.post(
        "/download/document", data={**fields, "doc": "schedule-1", "format": "pdf"}
    )
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    notes = notes_of(answer)
    heading = said(notes, "//h3")[0]
    assert re.fullmatch(r"schedule-1\.pdf: \d+ warnings", heading), heading
    warnings = said(notes, '//ul[@class="warnings"]/li')
    assert any("refused to fetch" in w and "secret.css" in w for w in warnings)
    signatory = [w for w in warnings if "schedule-1.signatures.signatory" in w]
    assert signatory and signatory[0].startswith("Practice 1")
    # The warning about a value links to its field in the form.
    links = notes.xpath('//a[starts-with(@href, "#")]')
    page = lxml.html.fromstring(client.get("/example").text)
    assert links and all(page.xpath(f'//*[@id="{a.get("href")[1:]}"]') for a in links)


def test_a_word_document_has_no_stylesheet_but_still_the_house_warning(client: TestClient) -> None:
    fields = fields_of(client.get("/example").text)
    answer = client.post(
        "/download/document", data={**fields, "doc": "schedule-1", "format": "docx"}
    )
    warnings = said(notes_of(answer), '//ul[@class="warnings"]/li')
    assert [w for w in warnings if "refused to fetch" in w] == []
    assert any("signatory" in w for w in warnings)


def test_a_draft_lists_its_placeholders(client: TestClient) -> None:
    fields = fields_of(client.get("/new").text)
    answer = client.post(
        "/download/document", data={**fields, "doc": "schedule-1", "format": "docx"}
    )
    assert answer.status_code == 200
    notes = notes_of(answer)
    gaps = said(notes, '//ul[@class="to-agree"]/li')
    assert gaps and all(g.startswith(("Agree ", "Incomplete figures")) for g in gaps)
    assert any("PCN code" in g for g in gaps)
    assert re.search(r"\d+ things? still to agree, \d+ values? proposed", said(notes, "//h3")[0])


def test_a_redline_says_the_fetch_refused(client: TestClient) -> None:
    fields = fields_of(client.get("/example").text)
    fields["appointment.term_years"] = "4"
    changes = lxml.html.fromstring(client.post("/form/changes", data=fields, headers=HTMX).text)
    links = [a.get("href") for a in changes.xpath("//a[@data-download]")]
    pdf = next(link for link in links if link.endswith(".pdf"))
    answer = client.get(pdf)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    warnings = said(notes_of(answer), '//ul[@class="warnings"]/li')
    assert any("refused to fetch" in w for w in warnings)
    # Each link says where its status is shown.
    status = changes.xpath("//a[@data-download]/@data-status")
    assert all(changes.xpath(f'//*[@id="{s}"][@role="status"]') for s in status)


def test_a_download_with_nothing_to_say_has_no_notes(tmp_path: Path) -> None:
    with PageClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as plain:
        fields = fields_of(plain.get("/example").text)
        answer = plain.post(
            "/download/document", data={**fields, "doc": "schedule-1", "format": "pdf"}
        )
    assert answer.status_code == 200
    assert NOTES_HEADER not in answer.headers


def test_a_pack_says_the_value_no_clause_states_in_warnings_txt(client: TestClient) -> None:
    fields = fields_of(client.get("/example").text)
    answer = client.post("/download/pack", data=fields)
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    said = archive.read("riverside-primary-care-network/warnings.txt").decode()
    assert "practices[0].signatory" in said and "schedule-1.signatures.signatory" in said
    assert "refused to fetch" in said
