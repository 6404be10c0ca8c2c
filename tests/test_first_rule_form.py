"""The first rule in the browser: what a profile holds comes back from the form unaltered.

Generated profiles (tests/test_first_rule.py's: any base, any contract year, a random walk over
every key of the schema), with values written as people write them (£350, 12,450, 01/04/2026,
names in any script), are opened in the web page as a file is; the fields the page draws are
sent back as a browser sends them, untouched. The profile read from them must be the one
opened: the same values, the same keys set and unset (a default the profile never set is still
a default, proposed in a blank build and listed by `check`, not a value agreed), the same
documents and the same `check`. The YAML a save writes from that data reads back the same too.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from typing import Any

import lxml.html
import pytest
import yaml
from hypothesis import given, note, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from pcndocs.errors import ProfileError
from pcndocs.profile.load import validate_profile
from pcndocs.profile.write import profile_yaml
from pcndocs.profile.yamlfile import YamlDocument, parse_yaml
from pcndocs.rules.facts import load_facts
from pcndocs.web.app import Settings, create_app
from pcndocs.web.formdata import data_from_form
from pcndocs.web.service import _without_empty_items
from tests.test_first_rule import SETTINGS, generated_profiles
from tests.test_honour_or_warn import BASES, outcome
from tests.test_web import form_fields
from tests.webclient import PageClient

# End to end: the web app over HTTP, in process (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
NAMES = ["Dr Siân Ó Móráin", "Dr Zoë Ng-Łukasik", "د. ليلى حداد", "Д-р Анна Иванова", "O'Brien"]


@pytest.fixture(scope="module")
def client() -> Iterator[PageClient]:
    app = create_app(Settings(today=TODAY, workers=1))
    with PageClient(app, base_url="http://127.0.0.1") as test:
        yield test


def _as_people_write(value: Any, how: int) -> Any:
    """Return a value as a person may type it in a file (how 1: thousands, 2: and a £ sign),
    or a date the British way."""
    if isinstance(value, date) and how:
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or not how:
        return value
    whole = f"{value:,.2f}" if value != int(value) else f"{int(value):,}"
    return f"£{whole}" if how == 2 else whole


def _written(data: Any, draw: st.DrawFn, path: tuple[str, ...] = ()) -> Any:
    """Return the data with some numbers, dates and names written as people write them."""
    if isinstance(data, dict):
        return {k: _written(v, draw, (*path, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [_written(v, draw, path) for v in data]
    if path and path[-1] == "name" and isinstance(data, str) and draw(st.booleans()):
        return draw(st.sampled_from(NAMES))
    if path and path[-1] in ("list_size", "session_rate", "annual_pay", "core_pcn_funding"):
        return _as_people_write(data, draw(st.integers(0, 2)))
    if isinstance(data, str) and len(data) == 10 and data[4] == "-" and draw(st.booleans()):
        return _as_people_write(date.fromisoformat(data), 1)
    return data


@st.composite
def opened_profiles(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    data, blank = draw(generated_profiles())
    written = _written(copy.deepcopy(data), draw)
    return (written if _loaded(written, blank) is not None else data), blank


def _loaded(data: dict[str, Any], blank: bool) -> Any:
    facts = load_facts()
    try:
        return validate_profile(YamlDocument("profile.yaml", data), facts.known_ids(), blank)
    except ProfileError:
        return None


def _set_keys(model: BaseModel, path: str = "") -> Iterator[str]:
    """Yield the key path of every value a profile sets, inside lists and sections too."""
    for name in sorted(model.model_fields_set):
        value = getattr(model, name)
        yield f"{path}{name}"
        if isinstance(value, BaseModel):
            yield from _set_keys(value, f"{path}{name}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _set_keys(item, f"{path}{name}[{i}].")


def _through_the_form(client: PageClient, data: dict[str, Any]) -> dict[str, Any]:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    page = client.post("/open", files={"profile": ("n.yaml", text.encode(), "application/yaml")})
    assert page.status_code == 200
    back, _left_out = _without_empty_items(data_from_form(form_fields(page.text)))
    return back


@settings(max_examples=25, **SETTINGS)
@given(profile=opened_profiles())
def test_a_profile_comes_back_from_the_form_as_it_was_opened(
    profile: tuple[dict[str, Any], bool], client: PageClient
) -> None:
    data, blank = profile
    note(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    before = _loaded(data, blank)
    assert before is not None
    back = _through_the_form(client, data)
    after = _loaded(back, blank)
    assert after is not None, back
    if before.profile.clinical_directors or not blank:  # the form adds a director to fill in
        assert after.profile == before.profile
        assert list(_set_keys(after.profile)) == list(_set_keys(before.profile))
        assert outcome(back, blank) == outcome(data, blank)
    # What a save writes reads back as the same profile, with the same keys set.
    saved = parse_yaml(profile_yaml(back, ["Saved from the browser"]), "saved.yaml").data
    again = _loaded(saved, blank)
    assert again is not None
    assert again.profile == after.profile
    assert list(_set_keys(again.profile)) == list(_set_keys(after.profile))


def test_a_blank_profile_keeps_its_proposals_through_the_form(client: PageClient) -> None:
    # An imported network sets none of the appointment's or meetings' rules: each is a proposal.
    make, blank = BASES["imported-blank"]
    data = make()
    back = _through_the_form(client, data)
    before, after = outcome(data, blank), outcome(back, blank)
    assert before is not None and after is not None
    proposed = [t.count("[proposed:") for _, t in before.documents]
    assert sum(proposed) > 15
    assert [t.count("[proposed:") for _, t in after.documents] == proposed
    assert not back.get("appointment") and not back.get("governance")


def test_a_default_changed_in_the_form_is_set_and_one_set_stays_set(client: PageClient) -> None:
    data = BASES["imported-blank"][0]()
    data["appointment"]["term_years"] = 3  # the default, written: agreed
    text = yaml.safe_dump(data, sort_keys=False)
    page = client.post("/open", files={"profile": ("n.yaml", text.encode(), "application/yaml")})
    fields = form_fields(page.text)
    assert "_opened.appointment.term_years" not in fields
    assert fields["_opened.appointment.nomination_days"] == "null"  # unset, shown as 14
    assert fields["appointment.nomination_days"] == "14"
    fields["appointment.nomination_days"] = "21"
    fields["governance.chair"] = "clinical_director"  # the default, left as shown
    back = data_from_form(fields)
    assert back["appointment"] == {"term_years": 3, "nomination_days": 21}
    assert not back.get("governance")


def test_an_empty_list_the_profile_sets_stays_set_through_the_form(client: PageClient) -> None:
    # Found by the property above: `line_manages: []` came back with the key left out.
    data = BASES["imported-blank"][0]()
    data["clinical_directors"] = [{"name": "Dr A Shah", "line_manages": []}]
    data["job_description"] = {"working_relationships": []}
    text = yaml.safe_dump(data, sort_keys=False)
    page = client.post("/open", files={"profile": ("n.yaml", text.encode(), "application/yaml")})
    fields = form_fields(page.text)
    assert fields["_opened.clinical_directors[0].line_manages"] == "[]"
    assert data_from_form(fields)["clinical_directors"][0]["line_manages"] == []
    assert data_from_form(fields)["job_description"]["working_relationships"] == []
    fields["clinical_directors[0].line_manages"] = "the PCN manager"
    assert data_from_form(fields)["clinical_directors"][0]["line_manages"] == ["the PCN manager"]
    del fields["_opened.clinical_directors[0].line_manages"]
    fields["clinical_directors[0].line_manages"] = ""
    assert "line_manages" not in data_from_form(fields)["clinical_directors"][0]


def test_a_default_agreed_as_shown_is_set_and_printed_as_agreed(client: PageClient) -> None:
    """ "Agree as shown" beside a proposed default writes it as agreed; the documents stop
    printing it as proposed, and `check` no longer lists it as a default to confirm."""
    make, blank = BASES["imported-blank"]
    data = make()
    text = yaml.safe_dump(data, sort_keys=False)
    page = client.post("/open", files={"profile": ("n.yaml", text.encode(), "application/yaml")})
    box = lxml.html.fromstring(page.text).get_element_by_id("agree-f-appointment-term_years")
    assert box.get("type") == "checkbox" and box.get("name") == "_agree.appointment.term_years"
    label = lxml.html.fromstring(page.text).xpath("//label[@for=$i]", i=box.get("id"))[0]
    assert " ".join(label.text_content().split()) == "Agree “Length of a term (years)” as shown"
    fields = form_fields(page.text)
    assert "_agree.appointment.term_years" not in fields  # not ticked: nothing sent
    untouched = _through_the_form(client, data)
    assert not untouched.get("appointment")
    fields["_agree.appointment.term_years"] = "yes"  # ticked, as a browser sends it
    back, _left_out = _without_empty_items(data_from_form(fields))
    assert back["appointment"] == {"term_years": 3}
    before, after = outcome(untouched, blank), outcome(back, blank)
    assert before is not None and after is not None
    schedule = {name: t for name, t in before.documents}["schedule-1"]
    assert "holds office for [[proposed: 3]] years" in schedule
    schedule = {name: t for name, t in after.documents}["schedule-1"]
    assert "holds office for 3 years" in schedule and "office for [[proposed" not in schedule
    assert any(c.startswith("appointment.term_years:") for c in before.check)
    assert not any(c.startswith("appointment.term_years:") for c in after.check)
    # Ticked but changed: the value typed, as always.
    fields["appointment.term_years"] = "4"
    assert data_from_form(fields)["appointment"] == {"term_years": 4}


def test_every_proposal_agreed_as_shown_leaves_only_those_with_no_value(
    client: PageClient,
) -> None:
    """Each "Agree as shown" box ticked: every proposal the form shows becomes agreed, at the
    value shown; only the two with no value to show (no limit of terms, no unanimous matters)
    are still listed by `check` as defaults to confirm."""
    make, blank = BASES["imported-blank"]
    data = make()
    text = yaml.safe_dump(data, sort_keys=False)
    page = client.post("/open", files={"profile": ("n.yaml", text.encode(), "application/yaml")})
    boxes = lxml.html.fromstring(page.text).xpath("//input[starts-with(@name, '_agree.')]")
    fields = form_fields(page.text)
    fields.update({str(box.get("name")): "yes" for box in boxes})
    back, _left_out = _without_empty_items(data_from_form(fields))
    agreed = _loaded(back, blank)
    assert agreed is not None
    shown = {str(box.get("name")).removeprefix("_agree.") for box in boxes}
    for key in shown:
        section, name = key.split(".")
        model = getattr(agreed.profile, section)
        assert name in model.model_fields_set
        assert getattr(model, name) == type(model).model_fields[name].default
    after = outcome(back, blank)
    assert after is not None
    left = {c.split(":")[0] for c in after.check if c.startswith(("appointment.", "governance."))}
    assert left == {"appointment.max_consecutive_terms", "governance.unanimous_matters"}
