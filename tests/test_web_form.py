"""The web form never alters what was typed: it reads values by the profile model's own rules,
keeps keys it does not know, and speaks in the form's words."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from starlette.testclient import TestClient

from pcndocs.profile.yamlfile import dotted
from pcndocs.rules.facts import load_facts
from pcndocs.web.app import Settings, create_app
from pcndocs.web.formdata import data_from_form, typed
from pcndocs.web.service import check_data
from tests.test_new_forms import FIELDS, FORMS, file_reads
from tests.test_web import form_fields, text_of
from tests.webclient import PageClient

# End to end: the web app over HTTP, as a browser drives it (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with PageClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as test:
        yield test


@pytest.fixture(scope="module")
def example_form(client: TestClient) -> dict[str, str]:
    """Return the fields the example's form sends, as a browser sends them."""
    return form_fields(client.get("/example").text)


def _at(data: Any, key: tuple[str | int, ...]) -> Any:
    for part in key:
        data = data[part]
    return data


def test_3_50_is_never_350(example_form: dict[str, str]) -> None:
    key = "clinical_directors[0].sessions_per_week"
    data = data_from_form({**example_form, key: "3,50", "practices[0].list_size": "1,2,3"})
    assert data["clinical_directors"][0]["sessions_per_week"] == "3,50"
    assert data["practices"][0]["list_size"] == "1,2,3"
    said = {p.key: p.text for p in check_data(data, load_facts(), TODAY).errors}
    comma = "a comma may only separate thousands, as in 12,450; a part follows a point: 2.50"
    assert said[key] == f"expected a number, got '3,50': {comma}"
    assert said["practices[0].list_size"] == f"expected a whole number, got '1,2,3': {comma}"


@pytest.mark.parametrize(("field", "text"), FORMS)
def test_the_form_reads_what_is_typed_as_the_file_and_new_do(
    field: str,
    text: str,
    example_form: dict[str, str],
    example_data: dict[str, Any],
    write_profile: Callable[[dict[str, Any] | str], Path],
) -> None:
    key, convert = FIELDS[field]
    try:
        convert(text)
        new_message = ""
    except ValueError as exc:
        new_message = str(exc)
    in_file, file_message = file_reads(key, text, example_data, write_profile)
    form = {**example_form, dotted(key): text}
    data = data_from_form(form)
    checked = check_data(data, load_facts(), TODAY)
    if in_file is None:
        # Refused in the model's words: those of the file, or of `new` where the file reads a
        # number YAML gave (-5 unquoted is a number to YAML, and text to `new`).
        said = [p.text for p in checked.errors if p.key == dotted(key)]
        assert said in ([file_message], [new_message]), said
    else:
        assert checked.loaded is not None, checked.errors
        assert _at(checked.loaded.profile.model_dump(), key) == in_file


@pytest.mark.parametrize(
    ("text", "kind", "held"),
    [
        ("12,450", "int", "12,450"),  # text: the model reads it as 12450, as in a file
        ("3,50", "float", "3,50"),
        ("1,2,3", "int", "1,2,3"),
        ("1_000", "int", "1_000"),  # YAML's other forms are not taken
        ("0x1F", "int", "0x1F"),
        ("1:30", "float", "1:30"),
        (".inf", "float", ".inf"),
        (" 2.5 ", "float", 2.5),
        ("-5", "int", -5),
        ("01/04/2026", "date", "01/04/2026"),
        ("2026-04-01", "date", date(2026, 4, 1)),
        ("2026-02-31", "date", "2026-02-31"),
    ],
)
def test_the_form_holds_what_a_file_holds(text: str, kind: str, held: Any) -> None:
    assert typed(text, kind) == held


# --- keys the form does not know ------------------------------------------------------------


def _open(client: TestClient, data: dict[str, Any]) -> str:
    answer = client.post(
        "/open",
        files={"profile": ("n.yaml", yaml.safe_dump(data, sort_keys=False), "application/yaml")},
    )
    assert answer.status_code == 200
    return answer.text


def test_a_misspelt_key_is_shown_and_kept_until_removed(
    client: TestClient, example_data: dict[str, Any]
) -> None:
    data = copy.deepcopy(example_data)
    data["practises"] = [{"name": "Kept Surgery", "ods_code": "B12345", "list_size": 900}]
    data["practices"][1]["lsit_size"] = 7  # inside an item: it moves with its practice
    page = _open(client, data)
    said = text_of(page, "unknown-keys")
    assert (
        "this profile has a key pcndocs does not know: practises — did you mean practices?" in said
    )
    assert "lsit_size — did you mean list_size?" in said
    fields = form_fields(page)
    fields["network.name"] = "Edited PCN"  # the first edit keeps them
    kept = data_from_form(fields)
    assert kept["practises"] == data["practises"]
    assert kept["practices"][1]["lsit_size"] == 7
    saved = client.post("/download/profile", data=fields)
    assert yaml.safe_load(saved.text)["practises"] == data["practises"]
    # Moving the practice up takes its unknown key with it.
    moved = client.post("/edit", data={**fields, "_op": "up:practices[1]"})
    assert data_from_form(form_fields(moved.text))["practices"][0]["lsit_size"] == 7
    # Removed by the user: gone, and the focus is on what is left of the list.
    removed = client.post("/edit", data={**fields, "_op": "forget:practises"})
    after = data_from_form(form_fields(removed.text))
    assert "practises" not in after
    assert after["practices"][1]["lsit_size"] == 7
    assert 'id="unknown-keys" tabindex="-1" aria-labelledby="unknown-title" autofocus' in (
        removed.text
    )


# --- items added but not filled in --------------------------------------------------------


def test_an_added_empty_lead_and_director_are_still_to_fill_in(
    client: TestClient, example_form: dict[str, str]
) -> None:
    added = client.post("/edit", data={**example_form, "_op": "add:leads"})
    fields = form_fields(added.text)
    added = client.post("/edit", data={**fields, "_op": "add:clinical_directors"})
    fields = form_fields(added.text)
    checked = client.post("/form/check", data=fields)
    heading = text_of(checked.text, "problems-title")
    assert "to put right" not in heading
    assert "still to fill in" in heading
    listed = text_of(checked.text, "problems")
    assert "Lead 7, Paid to: is 'practice' (the default), so the lead needs a practice" in listed
    assert "choose “Individual” for “Paid to”" in listed
    assert "Clinical director 3, Share of the funded time: is required but missing" in listed
    assert "Not yet in the draft, as nothing of them is filled in: lead 7, clinical director 3" in (
        listed
    )
    # The pack downloads, without them.
    pack = client.post("/download/pack", data=fields)
    assert pack.status_code == 200
    assert pack.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        assert sum("lead-" in n and n.endswith(".pdf") for n in archive.namelist()) == 12  # 6 leads


# --- the form's words ---------------------------------------------------------------------

YAMLISH = re.compile(r"\w_\w|--\w|`")


def _outside_quotes(text: str) -> str:
    return re.sub(r"'[^']*'", "''", text)


@pytest.mark.parametrize(
    "change",
    [
        {"leads[0].reimbursed_to": "practice", "leads[0].practice": ""},
        {"clinical_directors[0].funded_share": "0.9"},
        {"clinical_directors[0].session_rate": "£300", "clinical_directors[0].annual_pay": "9"},
        {"appointment.interim_cover": "deputy", "appointment.deputy": ""},
        {"document_control.review_date": ""},
        {"funding.core_pcn_funding": "12"},
        {"network.nominated_payee": "Z99999"},
        {"leads[0].workstream": "vaccinations"},
        {"practices[0].ods_code": "A99002"},
        {"contract_year": "2031/32"},
    ],
)
def test_every_message_uses_the_forms_words(
    client: TestClient, example_form: dict[str, str], change: dict[str, str]
) -> None:
    answer = client.post("/form/check", data={**example_form, **change})
    page = lxml.html.fromstring(answer.text)
    said = [" ".join(li.text_content().split()) for li in page.xpath('//*[@id="problems"]//li')]
    said += [" ".join(p.text_content().split()) for p in page.xpath('//*[@class="msg"]/p')]
    assert said, "the change was meant to give a message"
    yamlish = [text for text in said if YAMLISH.search(_outside_quotes(text))]
    assert yamlish == []


def test_every_form_label_names_a_real_field_and_every_key_is_in_a_step() -> None:
    from pcndocs.profile import model as profile_model
    from pcndocs.web.fields import FORM_LABELS, profile_form
    from pcndocs.web.view import STEPS

    for key in FORM_LABELS:
        model, name = key.split(".")
        assert name in getattr(profile_model, model).model_fields, key
    in_steps = [key for step in STEPS for key in step.keys]
    assert sorted(in_steps) == sorted(node.name for node in profile_form().fields)


def test_a_new_network_with_an_empty_lead_added_is_still_a_draft(client: TestClient) -> None:
    fields = form_fields(client.get("/new").text)
    added = client.post("/edit", data={**fields, "_op": "add:leads"})
    checked = client.post("/form/check", data=form_fields(added.text))
    assert "to put right" not in text_of(checked.text, "problems-title")
    assert "lead 1" in text_of(checked.text, "problems")


def test_only_a_proposal_is_offered_to_agree_as_shown(client: TestClient) -> None:
    """The appointment's and meetings' rules left unset are proposals (`check` lists them,
    the documents mark them): each has its "Agree as shown" box. Other defaults shown, such
    as a director's profession, are not proposals and have none."""
    from pcndocs.profile.load import LoadedProfile
    from pcndocs.rules.checks import assumed_values

    page = client.get("/new")
    assert page.status_code == 200
    boxes = lxml.html.fromstring(page.text).xpath("//input[@type='checkbox']")
    offered = {str(box.get("name")) for box in boxes}
    checked = check_data({"contract_year": "2026/27"}, load_facts(), TODAY)
    loaded = checked.loaded
    assert isinstance(loaded, LoadedProfile)
    listed = {f"_agree.{a.key}" for a in assumed_values(loaded.profile)}
    assert offered <= listed
    # Two proposals have no value to show: agreeing "no limit" or "none" is not offered.
    assert listed - offered == {
        "_agree.appointment.max_consecutive_terms",
        "_agree.governance.unanimous_matters",
    }
    fields = form_fields(page.text)
    assert fields["_opened.clinical_directors[0].profession"] == "null"  # shown as GP
    assert "_agree.clinical_directors[0].profession" not in offered


def test_a_record_of_the_form_as_opened_never_drops_what_was_typed() -> None:
    """The hidden record of what a field held as opened (formdata.AS_OPENED) decides only for
    the text it was shown with: whatever it says, text typed over it is kept, a list is kept
    only where the field is a list's, and a record of another kind is ignored."""
    typed_in = {
        "network.name": "Hillside PCN",
        "_opened.network.name": "[]",  # no list field: ignored
        "appointment.term_years": "4",
        "_opened.appointment.term_years": "null",  # shown 3, typed 4: kept
        "governance.body_name": "Network Board",
        "_opened.governance.body_name": "Network Board",  # not a record: ignored
        "clinical_directors[0].line_manages": "the PCN manager",
        "_opened.clinical_directors[0].line_manages": "[]",
        "job_description.line_manages": "",
        "_opened.job_description.line_manages": "[]",  # shown empty, sent back empty: []
        "governance.chair": "clinical_director",
        "_opened.governance.chair": "null",  # the default as shown: unset
    }
    data = data_from_form(typed_in)
    assert data["network"] == {"name": "Hillside PCN"}
    assert data["appointment"] == {"term_years": 4}
    assert data["governance"] == {"body_name": "Network Board"}
    assert data["clinical_directors"] == [{"line_manages": ["the PCN manager"]}]
    assert data["job_description"] == {"line_manages": []}


def test_the_two_parts_of_the_networks_core_rate_are_typed_as_any_number(
    client: TestClient, example_form: dict[str, str]
) -> None:
    """The parts of the network's own Core PCN Funding rate are drawn with their labels and
    help, and read as every number of the form is: '£2.30' is 2.3, '0,80' is refused there."""
    page = lxml.html.fromstring(client.get("/example").text)
    for key, label in (
        ("core_rate_per_registered_patient", "Core PCN Funding a registered patient"),
        ("core_rate_per_adjusted_patient", "Core PCN Funding a patient of the adjusted population"),
    ):
        (field,) = page.xpath(f'//*[@id="w-f-funding-{key}"]')
        assert label in " ".join(field.text_content().split())
        assert "From 2024/25: the part of the network's Core PCN Funding rate" in (
            field.text_content()
        )
    form = {
        **example_form,
        "funding.core_pcn_funding": "",
        "funding.core_rate_per_registered_patient": "£2.30",
        "funding.core_rate_per_adjusted_patient": " 0.80 ",
        "funding.adjusted_population": "60,000",
    }
    checked = check_data(data_from_form(form), load_facts(), TODAY)
    assert checked.loaded is not None, checked.errors
    funding = checked.loaded.profile.funding
    assert (funding.core_rate_per_registered_patient, funding.core_rate_per_adjusted_patient) == (
        2.3,
        0.8,
    )
    assert not [w.text for w in checked.warnings if "core_rate" in w.key]
    comma = {**form, "funding.core_rate_per_adjusted_patient": "0,80"}
    said = {p.key: p.text for p in check_data(data_from_form(comma), load_facts(), TODAY).errors}
    assert said["funding.core_rate_per_adjusted_patient"] == (
        "expected a number, got '0,80': a comma may only separate thousands, as in 12,450; a "
        "part follows a point: 2.50"
    )
