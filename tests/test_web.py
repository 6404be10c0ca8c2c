"""pcndocs serve: the pages, the form, the live checks and the JSON API, through TestClient."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from pcndocs.cli import cli
from pcndocs.profile import model as profile_model
from pcndocs.profile.model import Profile
from pcndocs.render.documents import DOCUMENTS
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts
from pcndocs.web.app import Settings, create_app
from pcndocs.web.fields import FORM_HELP, Group, Input, Node, Repeat, profile_form
from pcndocs.web.formdata import apply_operation, data_from_form
from pcndocs.web.guard import PROFILE_BYTES
from pcndocs.web.service import check_text
from tests.webclient import PageClient

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """Return a client of one server (its build pool started once for the module)."""
    with PageClient(create_app(Settings(today=TODAY, workers=2)), base_url=LOCAL) as test:
        yield test


def example_text() -> str:
    return example_profile().read_text(encoding="utf-8")


def form_fields(page: str) -> dict[str, str]:
    """Return the fields the profile form would send, as a browser sends them."""
    form = lxml.html.fromstring(page).get_element_by_id("profile")
    fields: dict[str, str] = {}
    for name, value in form.form_values():
        fields.setdefault(name, value)
    return fields


def text_of(page: str, element_id: str) -> str:
    """Return the text of one element of a page, as a reader sees it."""
    found = lxml.html.fromstring(page).xpath(f'//*[@id="{element_id}"]')
    assert found, f"no element with id {element_id}"
    return " ".join(found[0].text_content().split())


# --- the pages ------------------------------------------------------------------------------


def test_pages_have_no_inline_script_and_send_a_csp(client: TestClient) -> None:
    for path in ("/", "/new", "/example", "/national"):
        answer = client.get(path)
        assert answer.status_code == 200
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        page = lxml.html.fromstring(answer.text)
        assert all(script.get("src") for script in page.iter("script"))
        assert not [
            (el.tag, name) for el in page.iter() for name in el.attrib if name.startswith("on")
        ]
        assert not page.xpath("//*[@style]"), "inline style is refused by the CSP"


def test_htmx_is_vendored_with_its_licence(client: TestClient) -> None:
    answer = client.get("/static/htmx.min.js")
    assert answer.status_code == 200
    assert answer.text.startswith("/*! htmx 2.")
    assert "Zero-Clause BSD" in answer.text[:1000]


def test_every_field_has_a_label(client: TestClient) -> None:
    page = lxml.html.fromstring(client.get("/example").text)
    labelled = {label.get("for") for label in page.iter("label")}
    fields = [
        el
        for el in page.xpath("//input|//select|//textarea")
        if el.get("type") not in ("hidden", "submit")
    ]
    assert len(fields) > 100
    assert [el.get("id") for el in fields if el.get("id") not in labelled] == []


def _leaves(group: Group, prefix: str = "") -> Iterator[str]:
    for node in group.fields:
        key = f"{prefix}{node.name}"
        if isinstance(node, Group):
            yield from _leaves(node, key + ".")
        elif isinstance(node, Repeat):
            yield from _leaves(node.item, key + "[].")
        else:
            yield key


def test_the_form_has_a_field_for_every_key_of_the_model() -> None:
    def keys(model: Any, prefix: str = "") -> Iterator[str]:
        for name, info in model.model_fields.items():
            node = next(n for n in _form_nodes(prefix) if n.name == name)
            key = f"{prefix}{name}"
            if isinstance(node, Group):
                yield from keys(_model_of(info), key + ".")
            elif isinstance(node, Repeat):
                yield from (f"{key}[].{k}" for k in _leaves(node.item))
            else:
                yield key

    assert sorted(keys(Profile)) == sorted(_leaves(profile_form()))


def _form_nodes(prefix: str) -> tuple[Any, ...]:
    group: Group = profile_form()
    for part in [p for p in prefix.split(".") if p]:
        found = next(n for n in group.fields if n.name == part)
        assert isinstance(found, Group)
        group = found
    return group.fields


def _model_of(info: Any) -> Any:
    from pcndocs.web.fields import _unwrap

    return _unwrap(info.annotation)[0]


def test_labels_and_help_come_from_the_model() -> None:
    network = next(n for n in profile_form().fields if n.name == "network")
    assert isinstance(network, Group)
    payee = next(n for n in network.fields if n.name == "nominated_payee")
    assert isinstance(payee, Input)
    assert payee.kind == "payee"  # a member practice, or another provider
    name = next(n for n in network.fields if n.name == "name")
    info = Profile.model_fields["network"].annotation.model_fields["name"]  # type: ignore[union-attr]
    assert name.help == info.description
    # Where the model's words are written for the YAML file, the form says it in plain words.
    assert payee.help == FORM_HELP["Network.nominated_payee"] != info.description


def every_node(node: Node) -> Iterator[Node]:
    """Yield a form node and every node inside it."""
    yield node
    inner = (
        node.fields
        if isinstance(node, Group)
        else (node.item,)
        if isinstance(node, Repeat)
        else (node.custom,)
        if node.custom
        else ()
    )
    for child in inner:
        yield from every_node(child)


def test_field_help_is_plain_english() -> None:
    """No help reads like the YAML file: no {key:} shapes, key_names, or 'Unset:'."""
    yamlish = re.compile(r"[{}]|\w_\w|\bunset\b", re.IGNORECASE)
    found = [
        (n.name, n.help) for n in every_node(profile_form()) if n.name and yamlish.search(n.help)
    ]
    assert found == []
    drawn = {
        f"{model}.{key}"
        for model, key in (k.split(".") for k in FORM_HELP)
        if key in getattr(profile_model, model).model_fields
    }
    assert drawn == set(FORM_HELP)  # every override names a real field


def test_workstreams_offered_are_the_contract_years(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    facts = load_facts()

    def offered(year: str, workstream: str = "cvd_prevention") -> list[tuple[str, str]]:
        data = {**fields, "contract_year": year, "leads[0].workstream": workstream}
        page = lxml.html.fromstring(client.post("/edit", data=data).text)
        select = page.get_element_by_id("f-leads-0-workstream")
        return [(o.get("value"), o.text_content()) for o in select.iter("option") if o.get("value")]

    in_2024 = [value for value, _label in offered("2024/25")]
    assert in_2024 == [w.id for w in facts.workstreams_in("2024/25")] + [":local"]
    assert "continuity_of_care" not in in_2024  # a duty from 2026/27
    assert "continuity_of_care" in [value for value, _label in offered("2026/27")]
    # A lead's workstream from another year stays chosen, and says so.
    kept = offered("2024/25", "continuity_of_care")
    assert kept[-1] == ("continuity_of_care", "Continuity of care (not a workstream in 2024/25)")
    # Changing the year in the form updates the drop-down's options with the live check.
    answer = client.post("/form/check", data={**fields, "contract_year": "2024/25"})
    select = lxml.html.fromstring(f"<div>{answer.text}</div>").xpath(
        '//select[@id="f-leads-0-workstream"]'
    )
    assert select and "continuity_of_care" not in [o.get("value") for o in select[0].iter("option")]


def test_the_example_survives_the_form_unchanged(client: TestClient) -> None:
    """Open the example, send the form back as a browser would: the profile is the same."""
    fields = form_fields(client.get("/example").text)
    data = data_from_form(fields)
    original = Profile.model_validate(yaml.safe_load(example_text()))
    assert Profile.model_validate(data) == original


def test_the_saved_yaml_reads_back_as_the_same_profile(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    answer = client.post("/download/profile", data=fields)
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.headers["content-disposition"].endswith('riverside-primary-care-network.yaml"')
    checked = check_text(answer.text, load_facts(), TODAY)
    assert checked.errors == []
    assert checked.loaded is not None
    original = Profile.model_validate(yaml.safe_load(example_text()))
    assert checked.loaded.profile == original


def test_drop_downs_offer_member_practices_and_the_years_workstreams(client: TestClient) -> None:
    page = lxml.html.fromstring(client.get("/example").text)
    payee = page.get_element_by_id("f-network-nominated_payee")
    codes = [o.get("value") for o in payee.iter("option") if o.get("value")]
    practices = yaml.safe_load(example_text())["practices"]
    assert codes == [*(p["ods_code"] for p in practices), ":other"]
    assert payee.value == "A99001"
    # The provider's part is drawn, hidden, for a payee that is a member practice.
    assert page.get_element_by_id("f-network-nominated_payee-other").get("hidden") is not None
    workstream = page.get_element_by_id("f-leads-0-workstream")
    offered = [o.get("value") for o in workstream.iter("option") if o.get("value")]
    # The example's year's workstreams: proactive care ended with 2025/26.
    assert offered == [w.id for w in load_facts().workstreams_in("2026/27")] + [":local"]
    method = page.get_element_by_id("f-appointment-method")
    assert [o.get("value") for o in method.iter("option") if o.get("value")] == [
        "selection",
        "election",
        "selection_and_election",
    ]


def test_a_local_workstream_takes_its_own_keys() -> None:
    data = data_from_form(
        {
            "leads[0]": "",
            "leads[0].name": "Ann",
            "leads[0].workstream": ":local",
            "leads[0].workstream.id": "dementia",
            "leads[0].workstream.title": "Dementia",
            "leads[0].workstream.summary": "Memory care.",
            "leads[0].workstream.checklist": "One\n\nTwo\n",
        }
    )
    assert data["leads"][0]["workstream"] == {
        "id": "dementia",
        "title": "Dementia",
        "summary": "Memory care.",
        "checklist": ["One", "Two"],
    }


# --- live checks: the same words as `pcndocs check` ------------------------------------------


def cli_messages(path: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["check", str(path)])
    return [line.split(": ", 2)[-1] for line in result.output.splitlines() if ": " in line]


def test_an_error_is_shown_at_its_field_in_the_words_of_check(
    client: TestClient, tmp_path: Path
) -> None:
    fields = form_fields(client.get("/example").text)
    fields["practices[1].list_size"] = "twelve thousand"
    fields["leads[0].session_rate"] = "-5"
    answer = client.post("/form/check", data=fields)
    assert answer.status_code == 200
    at_field = text_of(answer.text, "msg-f-practices-1-list_size")
    data = yaml.safe_load(example_text())
    data["practices"][1]["list_size"] = "twelve thousand"
    data["leads"][0]["session_rate"] = -5
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    expected = CliRunner().invoke(cli, ["check", str(path)]).output
    assert "expected a whole number, got 'twelve thousand'" in expected
    assert at_field == "Error: expected a whole number, got 'twelve thousand'"
    assert "expected a number of 0 or more, got -5" in expected
    assert "expected a number of 0 or more, got -5" in text_of(
        answer.text, "msg-f-leads-0-session_rate"
    )
    summary = text_of(answer.text, "problems")
    assert summary.startswith("2 things to put right")
    assert (
        "Practice 2 (Millbrook Medical Centre), List size: expected a whole number, got "
        "'twelve thousand'"
    ) in summary
    # A field that is right again gets an empty message, so the old one clears.
    assert text_of(answer.text, "msg-f-practices-0-list_size") == ""


def test_warnings_stand_apart_from_errors(client: TestClient) -> None:
    answer = client.post("/form/check", data=form_fields(client.get("/example").text))
    page = lxml.html.fromstring(answer.text)
    assert not page.xpath('//*[@id="problems"]//ul[@class="errors"]')
    warnings = page.xpath('//*[@id="problems"]//ul[@class="warnings"]/li')
    assert len(warnings) == 2
    assert "workstreams have no lead" in warnings[1].text_content()
    figures = lxml.html.fromstring(answer.text).get_element_by_id("figures")
    # The figures read as in the documents and `check`: 2.5, not 2.50; whole pounds.
    assert [dd.text_content() for dd in figures.iter("dd")] == [
        "59,126",
        "0.2956 WTE, 2.66 sessions a week",
        "2.5 sessions a week",
        "£45,500 a year",
        "6, costing £35,280 a year",
    ]


def test_a_new_network_lists_what_is_still_to_fill_in(client: TestClient) -> None:
    page = client.get("/new").text
    summary = text_of(page, "problems")
    assert summary.startswith("9 values still to fill in")
    assert "Network, Name: is required but missing" in summary
    fields = form_fields(page)
    years = list(load_facts().funding.years)
    assert fields["contract_year"] == ("2026/27" if "2026/27" in years else years[-1])
    assert fields["appointment.term_years"] == "3"  # the model's default, shown


def test_a_structural_change_redraws_the_fields(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    answer = client.post(
        "/edit", data={**fields, "_op": "add:practices"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert answer.headers["hx-trigger-after-settle"] == "recheck"
    page = lxml.html.fromstring(answer.text)
    count = len(yaml.safe_load(example_text())["practices"])
    new = page.get_element_by_id(f"f-practices-{count}-name")
    assert new.get("autofocus") is not None
    moved = client.post("/edit", data={**fields, "_op": "down:practices[0]"})
    assert form_fields(moved.text)["practices[1].ods_code"] == "A99001"
    removed = client.post("/edit", data={**fields, "_op": "remove:practices[0]"})
    assert form_fields(removed.text)["practices[0].ods_code"] == "A99002"


def test_operations_on_lists() -> None:
    data: dict[str, Any] = {"practices": [{"name": "A"}, {"name": "B"}]}
    assert apply_operation(data, "up:practices[1]")[0]["practices"][0] == {"name": "B"}
    assert apply_operation(data, "remove:practices[5]")[1] is None
    assert apply_operation(data, "add:network")[1] is None  # not a list: ignored
    assert apply_operation({}, "add:leads") == ({"leads": [{}]}, "leads[0]")


def test_nonsense_from_the_browser_is_not_a_traceback(client: TestClient) -> None:
    for fields in (
        {"practices[x].name": "a", "network.name[3]": "b", "_op": "remove:practices[99]"},
        {"_op": "up:"},
        {"network.population_date": "\x00"},
    ):
        answer = client.post("/edit", data=fields)
        assert answer.status_code == 200
        assert "Traceback" not in answer.text


# --- previews and downloads -----------------------------------------------------------------


def test_a_preview_is_the_html_of_the_document(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    answer = client.post("/form/preview", data={**fields, "doc": "cd-job-description"})
    frame = lxml.html.fromstring(answer.text).xpath("//iframe")[0]
    assert frame.get("title") == "Preview of Clinical director: job description"
    document = client.get(frame.get("src"))
    assert document.status_code == 200
    assert "style-src 'unsafe-inline'" in document.headers["content-security-policy"]
    assert "script-src" not in document.headers["content-security-policy"]
    assert "<script" not in document.text
    assert "Riverside Primary Care Network" in document.text
    lead = client.post("/form/preview", data={**fields, "doc": "lead-checklist:1"})
    src = lxml.html.fromstring(lead.text).xpath("//iframe")[0].get("src")
    assert "Dr Priya Example" in client.get(src).text or "checklist" in client.get(src).text


def test_a_preview_of_a_profile_with_gaps_is_a_blank_build(client: TestClient) -> None:
    answer = client.post("/form/preview", data=form_fields(client.get("/new").text))
    assert "A blank build" in answer.text
    src = lxml.html.fromstring(answer.text).xpath("//iframe")[0].get("src")
    assert "to be agreed" in client.get(src).text


def test_a_preview_keeps_the_last_one_while_there_are_errors(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    answer = client.post("/form/preview", data={**fields, "practices[0].list_size": "many"})
    assert answer.headers["hx-reswap"] == "none"
    assert "put right the 1 error" in answer.text


def test_document_choices_follow_the_leads(client: TestClient) -> None:
    page = lxml.html.fromstring(client.get("/example").text)
    values = [o.get("value") for o in page.get_element_by_id("doc").iter("option")]
    leads = len(yaml.safe_load(example_text())["leads"])
    assert len(values) == 3 + 2 * leads
    assert values[0] == DOCUMENTS[0].name


def test_download_one_document_as_pdf(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    answer = client.post(
        "/download/document", data={**fields, "doc": "schedule-1", "format": "pdf"}
    )
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    assert answer.headers["content-disposition"] == 'attachment; filename="schedule-1.pdf"'


# --- a nominated payee that is not a member practice ------------------------------------------

FEDERATION = {
    "network.nominated_payee": ":other",
    "network.nominated_payee:code": "ad5",
    "network.payee_name": "Riverside GP Federation",
}


def test_the_payee_may_be_another_provider_typed_in_the_form(client: TestClient) -> None:
    """'Another provider', its ODS code and name: the profile and Schedule 1 name it."""
    fields = {**form_fields(client.get("/example").text), **FEDERATION}
    answer = client.post("/download/profile", data=fields)
    assert answer.status_code == 200, answer.text
    network = yaml.safe_load(answer.text)["network"]
    assert (network["nominated_payee"], network["payee_name"]) == (
        "ad5",
        "Riverside GP Federation",
    )
    document = client.post(
        "/download/document", data={**fields, "doc": "schedule-1", "format": "docx"}
    )
    assert document.status_code == 200
    paragraphs = docx.Document(io.BytesIO(document.content)).paragraphs
    said = " ".join(" ".join(p.text for p in paragraphs).split())
    assert "Riverside GP Federation (ODS code AD5) is the nominated payee" in said


def test_a_profile_with_another_provider_opens_with_it_chosen(client: TestClient) -> None:
    data = yaml.safe_load(example_text())
    data["network"].update(nominated_payee="AD5", payee_name="Riverside GP Federation")
    text = yaml.safe_dump(data, sort_keys=False).encode()
    page = client.post("/open", files={"profile": ("fed.yaml", text, "text/yaml")}).text
    html = lxml.html.fromstring(page)
    assert html.get_element_by_id("f-network-nominated_payee").value == ":other"
    assert html.get_element_by_id("f-network-nominated_payee-other").get("hidden") is None
    assert html.get_element_by_id("f-network-nominated_payee-code").value == "AD5"
    assert html.get_element_by_id("f-network-payee_name").value == "Riverside GP Federation"
    # What the page sends back is the profile it opened: nothing lost on the way.
    again = client.post("/download/profile", data=form_fields(page))
    assert yaml.safe_load(again.text)["network"]["payee_name"] == "Riverside GP Federation"


def test_a_member_chosen_leaves_the_providers_part_out(client: TestClient) -> None:
    fields = {**form_fields(client.get("/example").text), **FEDERATION}
    fields["network.nominated_payee"] = "A99002"  # chosen after the provider was typed
    answer = client.post("/download/profile", data=fields)
    assert answer.status_code == 200, answer.text
    network = yaml.safe_load(answer.text)["network"]
    assert network["nominated_payee"] == "A99002" and "payee_name" not in network


def test_a_download_with_errors_shows_them_instead(client: TestClient) -> None:
    fields = form_fields(client.get("/example").text)
    fields["network.nominated_payee"] = "B12345"
    answer = client.post("/download/pack", data=fields)
    assert answer.status_code == 422
    assert "the nominated payee must be a member practice" in text_of(answer.text, "problems")


# --- the JSON API ----------------------------------------------------------------------------


def test_api_check_answers_problems_with_lines_and_keys(client: TestClient) -> None:
    text = re.sub(r"list_size: \d+", "list_size: twelve", example_text(), count=1)
    answer = client.post("/api/check", content=text.encode())
    assert answer.status_code == 200
    problems = answer.json()["problems"]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "list_size: twelve" in t)
    assert problems[0] == {
        "severity": "error",
        "kind": "type",
        "line": line,
        "key": "practices[0].list_size",
        "item": "practice 1 (Riverside Surgery)",
        "message": "expected a whole number, got 'twelve'",
    }
    good = client.post("/api/check", content=example_text().encode()).json()["problems"]
    assert {(p["severity"], p["kind"]) for p in good} == {("warning", "warning")}


def test_api_check_of_text_that_is_not_yaml(client: TestClient) -> None:
    answer = client.post("/api/check", content=b"network: {name: 'open\n")
    assert answer.status_code == 200
    (problem,) = answer.json()["problems"]
    assert problem["severity"] == "error" and problem["line"] is not None
    assert problem["kind"] == "syntax"
    binary = client.post("/api/check", content=b"\x00\x01")
    assert binary.json()["problems"][0]["message"] == (
        "profile.yaml: is a binary file, not a YAML text file"
    )


def test_api_refuses_a_body_over_1_mb(client: TestClient) -> None:
    answer = client.post("/api/check", content=b"#" * (PROFILE_BYTES + 100_000))
    assert answer.status_code == 413


def test_api_build_answers_a_zip_of_every_document(client: TestClient) -> None:
    answer = client.post("/api/build?format=docx&blank=0", content=example_text().encode())
    assert answer.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    leads = len(yaml.safe_load(example_text())["leads"])
    assert len(names) == 3 + 2 * leads
    assert all(n.startswith("riverside-primary-care-network/") for n in names)
    assert all(n.endswith(".docx") for n in names)


def test_api_build_holds_the_same_bytes_as_the_command_line(
    client: TestClient, tmp_path: Path
) -> None:
    """One task per document (every format from one rendering of its template) changes no byte."""
    answer = client.post("/api/build?format=docx,pdf&blank=0", content=example_text().encode())
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    built = CliRunner().invoke(
        cli, ["-q", "build", "-f", "docx,pdf", "-o", str(tmp_path), str(example_profile())]
    )
    assert built.exit_code == 0, built.output
    names = [n for n in archive.namelist() if n.endswith((".docx", ".pdf"))]
    assert len(names) == 2 * (3 + 2 * len(yaml.safe_load(example_text())["leads"]))
    for name in names:
        assert archive.read(name) == (tmp_path / name).read_bytes(), name


def test_api_build_blank_adds_still_to_agree(client: TestClient) -> None:
    data = yaml.safe_load(example_text())
    del data["clinical_directors"][0]["name"]
    text = yaml.safe_dump(data, sort_keys=False).encode()
    refused = client.post("/api/build?format=docx", content=text)
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["key"] == "clinical_directors[0].name"
    answer = client.post("/api/build?format=docx&blank=1", content=text)
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    still = archive.read("riverside-primary-care-network/still-to-agree.txt").decode()
    assert "Fill in clinical director 1: its name" in still  # plain words, not the key path


def test_a_pack_keeps_the_warnings_build_prints(tmp_path: Path) -> None:
    """A fetch the stylesheet asked for and was refused is said in the pack, as `build` says it."""
    folder = tmp_path / "templates"
    folder.mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("h1 { color: red; }", encoding="utf-8")
    (folder / "pdf.css").write_text(f'@import url("{secret.as_uri()}");\n', encoding="utf-8")
    app = create_app(Settings(today=TODAY, workers=2, templates=folder))
    with TestClient(app, base_url=LOCAL) as client:
        answer = client.post("/api/build?format=pdf", content=example_text().encode())
    assert answer.status_code == 200, answer.text
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    said = archive.read("riverside-primary-care-network/warnings.txt").decode().splitlines()
    built = CliRunner().invoke(
        cli,
        [
            "build",
            "-f",
            "pdf",
            "--templates",
            str(folder),
            "-o",
            str(tmp_path / "out"),
            str(example_profile()),
        ],
    )
    assert built.exit_code == 0, built.output
    printed = [line for line in built.stderr.splitlines() if "refused to fetch" in line]
    assert printed and "secret.css" in printed[0]
    # The same words; said once in the pack, where `build` says it once per document.
    assert said == list(dict.fromkeys(printed))


def test_api_build_refuses_an_unknown_format(client: TestClient) -> None:
    answer = client.post("/api/build?format=odt", content=example_text().encode())
    assert answer.status_code == 400
    assert "unknown format 'odt'" in answer.json()["error"]


# --- safety ----------------------------------------------------------------------------------


def test_another_address_needs_the_token() -> None:
    app = create_app(Settings(host="0.0.0.0", token="s3cret", today=TODAY))
    with TestClient(app, base_url="http://192.0.2.1:8765") as other:
        assert other.get("/").status_code == 401
        assert other.get("/?token=wrong").status_code == 403
        first = other.get("/?token=s3cret")
        assert first.status_code == 200
        assert "HttpOnly" in first.headers["set-cookie"]
        assert other.get("/new").status_code == 200  # the cookie carries it from then on
    with TestClient(app, base_url="http://192.0.2.1:8765") as api:
        answer = api.post(
            "/api/check",
            content=example_text().encode(),
            headers={"Authorization": "Bearer s3cret"},
        )
        assert answer.status_code == 200


def test_a_local_server_answers_to_local_names_only() -> None:
    app = create_app(Settings(today=TODAY))
    with TestClient(app, base_url="http://evil.example") as client:
        assert client.get("/").status_code == 403
    with TestClient(app, base_url="http://localhost:8765") as client:
        assert client.get("/").status_code == 200


def test_no_path_from_the_browser_reaches_the_files(client: TestClient) -> None:
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/preview/..%2f..%2fetc%2fpasswd").status_code == 404
    upload = client.post(
        "/open", files={"profile": ("../../etc/passwd", example_text().encode(), "text/yaml")}
    )
    assert upload.status_code == 200  # the name is only a name in messages
    assert "Riverside Primary Care Network" in upload.text


def test_an_upload_that_is_not_a_profile_gets_one_line(client: TestClient) -> None:
    answer = client.post("/open", files={"profile": ("x.yaml", b"\xff\xfe\x00bad", "text/yaml")})
    assert answer.status_code == 422
    assert "x.yaml: is UTF-16 text, not UTF-8; save it as UTF-8" in text_of(answer.text, "problems")
    bad = client.post("/open", files={"profile": ("y.yaml", b"network: [\n", "text/yaml")})
    assert re.search(r"y\.yaml:\d+: ", text_of(bad.text, "problems"))


def test_the_command_lines_profile_opens_at_given(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(example_text().replace("Riverside", "Hillside"), encoding="utf-8")
    app = create_app(Settings(today=TODAY, profile=path))
    with TestClient(app, base_url=LOCAL) as client:
        assert "<h1>Hillside Primary Care Network</h1>" in client.get("/given").text


def test_national_files_fill_in_a_network(client: TestClient, tmp_path: Path) -> None:
    from tests.importer.sample_files import EPCN_2019_DETAILS, EPCN_2019_PARTNERS, write_xlsx

    workbook = write_xlsx(
        tmp_path / "ePCN.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    found = client.post(
        "/national",
        files={"epcn": ("ePCN.xlsx", workbook.read_bytes(), "application/octet-stream")},
        data={"query": "testtown"},
    )
    assert found.status_code == 200
    page = lxml.html.fromstring(found.text)
    (choice,) = page.xpath("//ul[@class='matches']//button")
    assert choice.get("value") == "U00001"
    upload = page.xpath("//input[@name='upload']")[0].get("value")
    chosen = client.post("/national/choose", data={"upload": upload, "code": "U00001"})
    assert "<h1>Central Testtown PCN</h1>" in chosen.text
    fields = form_fields(chosen.text)
    assert fields["practices[0].ods_code"] == "A00002"
    # The year the page named for its list sizes: this contract year, as a workspace adds.
    assert fields["contract_year"] == "2026/27"
    assert "still to fill in" in text_of(chosen.text, "problems")


def test_a_file_that_is_not_a_workbook_is_named(client: TestClient) -> None:
    answer = client.post(
        "/national",
        files={"epcn": ("mine.xlsx", b"not a workbook", "application/octet-stream")},
        data={"query": "x"},
    )
    assert answer.status_code == 422
    message = text_of(answer.text, "problems")
    assert "mine.xlsx" in message and "/tmp" not in message


# --- the server: ports, Ctrl-C, the bounded pool -----------------------------------------------


def test_a_port_in_use_moves_to_the_next_free_one() -> None:
    from pcndocs.errors import PcndocsError
    from pcndocs.web.server import bind

    taken = bind("127.0.0.1", 0, next_free=False)
    port = taken.getsockname()[1]
    try:
        moved = bind("127.0.0.1", port, next_free=True)
        assert moved.getsockname()[1] > port
        moved.close()
        with pytest.raises(PcndocsError, match=f"cannot listen on 127.0.0.1 port {port}: in use"):
            bind("127.0.0.1", port, next_free=False)
    finally:
        taken.close()


@pytest.mark.slow
def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import urllib.request

    server = subprocess.Popen(
        [sys.executable, "-m", "pcndocs", "serve", "--no-browser", "--port", "0", "-j", "1"],
        cwd=tmp_path,  # the workspace, ./networks, is made there
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        address = re.search(r"http://\S+", first)
        assert address, first
        with urllib.request.urlopen(address.group(0), timeout=30) as answer:
            assert answer.status == 200
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err
    assert "pcndocs stopped." in out
    assert (tmp_path / "networks").is_dir()
    assert "Traceback" not in err


def test_identical_builds_share_one_and_too_many_are_refused() -> None:
    import asyncio

    from pcndocs.errors import BusyError
    from pcndocs.web.service import MAX_WAITING_BUILDS, BuildPool

    facts = load_facts()
    loaded = check_text(example_text(), facts, TODAY).loaded
    assert loaded is not None

    async def clicks() -> list[Any]:
        pool = BuildPool(1)
        try:
            same = [pool.build(loaded, ("html",), ["schedule-1"], None, TODAY) for _ in range(10)]
            shared = await asyncio.gather(*same)
            different = [
                pool.build(loaded, ("html",), ["schedule-1"], None, date(2026, 1, 1 + i))
                for i in range(MAX_WAITING_BUILDS + 2)
            ]
            return [shared, await asyncio.gather(*different, return_exceptions=True)]
        finally:
            pool.shutdown()

    shared, different = asyncio.run(clicks())
    assert all(result is shared[0] for result in shared)  # ten clicks, one build
    refused = [r for r in different if isinstance(r, BusyError)]
    assert len(refused) == 2
    assert str(refused[0]) == "the server is busy with other builds; try again in a moment"


def test_a_mistake_in_the_command_lines_templates_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "schedule-1.md").write_text("# Schedule\n\n{{ netwrok }}\n", encoding="utf-8")
    app = create_app(Settings(today=TODAY, templates=tmp_path, workers=1))
    with TestClient(app, base_url=LOCAL) as client:
        answer = client.post("/api/build?format=docx", content=example_text().encode())
    assert answer.status_code == 422
    assert answer.json()["error"].endswith("schedule-1.md:3: unknown variable 'netwrok'")


# --- the author's comments in the profile downloaded -----------------------------------------


def test_the_profile_downloaded_keeps_the_comments_of_the_file_opened(client: TestClient) -> None:
    """A file opened in the single page (not a workspace) and downloaded again as YAML keeps
    what its author noted in it: the first lines, and each comment beside its key."""
    import json

    from pcndocs.profile.write import own_comments
    from pcndocs.web.comments import COMMENTS

    text = "# Draft for the March board, from Karen Wells\n" + example_text()
    text = text.replace(
        "    list_size: 9873\n", "    list_size: 9873                 # January's list, recheck\n"
    )
    page = client.post("/open", files={"profile": ("r.yaml", text.encode(), "text/yaml")}).text
    fields = form_fields(page)
    fields["network.name"] = "Riverside PCN"  # changed in the form
    # An item added without JavaScript: the page is drawn again, still carrying the comments.
    fields = form_fields(client.post("/edit", data={**fields, "_op": "add:leads"}).text)
    answer = client.post("/download/profile", data=fields)
    assert answer.status_code == 200, answer.text
    saved = answer.text
    assert yaml.safe_load(saved)["network"]["name"] == "Riverside PCN"
    first = [line for line in saved.splitlines() if line.startswith("#")][:8]
    assert "# Draft for the March board, from Karen Wells" in first
    assert "# Every key is described by `pcndocs schema`." in first
    notes = own_comments(saved)
    assert notes["practices[1].list_size"] == "January's list, recheck"
    assert notes["clinical_directors"] == "joint directors share the role and its funded time"
    assert own_comments(text).items() <= notes.items()  # every one of the author's kept
    # Whatever the field holds is written as comment text, never as a key.
    forged = {"header": ["x\nmalicious: 1"], "notes": {"network.name": "y\nsneaked: 2"}}
    again = client.post("/download/profile", data={**fields, COMMENTS: json.dumps(forged)})
    back = yaml.safe_load(again.text)
    assert "malicious" not in back and "sneaked" not in back["network"]
    assert back["network"]["name"] == "Riverside PCN"
    # A field that is not the page's own: no comments, and the download still made.
    plain = client.post("/download/profile", data={**fields, COMMENTS: "{not json"})
    assert plain.status_code == 200 and "January's list" not in plain.text
