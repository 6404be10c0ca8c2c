"""The web form never alters what was typed: it reads values by the profile model's own rules,
keeps keys it does not know, and speaks in the form's words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pcndocs.facts import load_facts
from pcndocs.profile.yamlfile import dotted
from pcndocs.web.app import Settings, create_app
from pcndocs.web.formdata import data_from_form, typed
from pcndocs.web.service import check_data
from tests.test_new_forms import FIELDS, FORMS, file_reads
from tests.test_web import form_fields

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as test:
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
    assert said[key] == "expected a number, got '3,50'"
    assert said["practices[0].list_size"] == "expected a whole number, got '1,2,3'"


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
