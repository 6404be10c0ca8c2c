"""One translator of pydantic's errors: `check` and `new` say the same words for one value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.new import answers
from pcndocs.profile.items import item_name
from pcndocs.profile.model import ClinicalDirector, Lead, Practice


@pytest.mark.parametrize(
    ("section", "key", "convert", "typed", "message"),
    [
        ("practices", "list_size", answers.whole(Practice, "list_size"), "0",
         "expected a number above 0, got 0"),
        ("practices", "list_size", answers.whole(Practice, "list_size"), "600,000",
         "expected a number of at most 500000, got 600000"),
        ("clinical_directors", "sessions_per_week",
         answers.decimal(ClinicalDirector, "sessions_per_week"), "10",
         "expected a number of at most 9, got 10"),
        ("leads", "session_rate", answers.decimal(Lead, "session_rate"), "6000",
         "expected a number of at most 5000, got 6000"),
        ("practices", "ods_code", answers.text(Practice, "ods_code"), "A9900",
         "expected an ODS code: a letter and five digits (A81001), got 'A9900'"),
    ],
)  # fmt: skip
def test_check_and_new_say_the_same_words_for_one_wrong_value(
    section: str,
    key: str,
    convert: Callable[[str], Any],
    typed: str,
    message: str,
    example_data: dict[str, Any],
    write_profile: Callable[[dict[str, Any]], Path],
) -> None:
    with pytest.raises(ValueError) as refused:
        convert(typed)
    assert str(refused.value) == message

    data = {**example_data, section: [dict(item) for item in example_data[section]]}
    data[section][0][key] = yaml.safe_load(typed)  # as the same text reads in a file
    result = CliRunner().invoke(cli, ["check", str(write_profile(data))])
    assert result.exit_code == 1
    item = item_name(section, 0, example_data[section][0]["name"])
    assert f"{section}[0].{key}: {item}: {message}\n" in result.stderr
