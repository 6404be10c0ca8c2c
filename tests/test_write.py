"""The one profile writer: every key described, and what it writes reads back as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pcndocs.output.build import load
from pcndocs.profile.model import Profile
from pcndocs.profile.write import profile_data, profile_yaml
from pcndocs.resources import example_profile


def _properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    models = [("Profile", schema), *schema.get("$defs", {}).items()]
    return [
        (name, key, value)
        for name, model in models
        for key, value in model.get("properties", {}).items()
    ]


def test_every_key_of_the_schema_has_a_description() -> None:
    properties = _properties(Profile.model_json_schema())
    assert len(properties) > 60
    assert [f"{m}.{k}" for m, k, v in properties if not v.get("description")] == []


def test_the_example_written_again_reads_back_as_the_same_profile(tmp_path: Path) -> None:
    example = load(example_profile()).profile
    path = tmp_path / "again.yaml"
    path.write_text(profile_yaml(profile_data(example), ["written again"]), encoding="utf-8")
    assert load(path).profile == example
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# written again\n")
    assert f"    list_size: {example.practices[0].list_size} " in text


def test_a_missing_value_is_null_and_says_what_to_fill_in() -> None:
    text = profile_yaml({"network": {"name": "North PCN", "nominated_payee": None}})
    assert yaml.safe_load(text) == {"network": {"name": "North PCN", "nominated_payee": None}}
    line = next(line for line in text.splitlines() if "nominated_payee" in line)
    assert line.split("#")[1].strip() == (
        "to be filled in: ODS code of the member practice, or of another provider (give its "
        "payee_name), that receives the network's funding"
    )


def test_comments_come_from_the_model_and_notes_replace_them() -> None:
    data = {"practices": [{"name": "A", "ods_code": "A12345"}, {"name": "B", "ods_code": "B12345"}]}
    text = profile_yaml(data, notes={"practices[1].name": "the second"})
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert lines == [
        "practices: # the member practices, one or more",
        "- name: A # the practice's name",
        "ods_code: A12345 # the practice's ODS code: a letter and five digits, unique",
        "- name: B # the second",
        "ods_code: B12345",
    ]


def test_an_item_still_to_fill_in_reads_back_as_an_item() -> None:
    # The web form sends a director added and not yet filled in as {}: saved, it stays one.
    text = profile_yaml({"clinical_directors": [{}, {"name": "Dr A"}]})
    assert yaml.safe_load(text)["clinical_directors"] == [{}, {"name": "Dr A"}]


def test_the_authors_own_comments_are_kept_beside_their_keys() -> None:
    from pcndocs.profile.write import own_comments

    text = example_profile().read_text(encoding="utf-8")
    notes = own_comments(text)
    # The comment above a key, and the one beside it, as the example's author wrote them.
    assert notes["funding.core_pcn_funding"].startswith("No national rate of Core PCN Funding")
    assert notes["clinical_directors[0].funded_share"] == (
        "her share of the national benchmark (not of her pay)"
    )
    again = profile_yaml(yaml.safe_load(text), notes=notes)
    assert own_comments(again) == notes  # written again, they read back the same
    assert yaml.safe_load(again) == yaml.safe_load(text)
    # pcndocs' own comments are not taken for the author's.
    assert own_comments(profile_yaml(yaml.safe_load(text))) == {}
    assert own_comments('a: "x # not a comment"\n') == {}


def test_a_comment_carried_on_below_its_key_is_kept_whole() -> None:
    """A comment beside a key that runs on to the lines below, its # in the same column, is
    the author's one note: kept whole (it was cut to its first line), and not taken for a
    note above the next key."""
    from pcndocs.profile.write import own_comments

    text = (
        "network:\n"
        "  name: Test PCN\n"
        "  nominated_payee: A99001   # the practice paid\n"
        "                            # (or another provider)\n"
        "  area: North\n"
        "  # the date of the list sizes\n"
        "  population_date: 2026-01-01\n"
    )
    notes = own_comments(text)
    assert notes["network.nominated_payee"] == "the practice paid (or another provider)"
    assert notes["network.population_date"] == "the date of the list sizes"
    assert "network.area" not in notes
    # The example's own: the payee's note says what another provider as payee needs.
    example = own_comments(example_profile().read_text(encoding="utf-8"))
    assert example["network.nominated_payee"].endswith(
        "(another provider: its ODS code, and payee_name)"
    )
    again = profile_yaml(yaml.safe_load(text), notes=notes)
    assert own_comments(again) == notes
