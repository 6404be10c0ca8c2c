"""Numbers written in a profile file as a spreadsheet or a programmer might write them.

Across every number key of a profile (list sizes, sessions, rates, shares, quorums, the
network's own funding figures), each text is either taken as the number it plainly means
(.5 is 0.5, 5. is 5) or refused by one line in plain English naming the file, the line and the
key, with what to write instead where that can be said (1e3, £1,0.00, 1_000, -.5, 3,50), and
`check` exits 1. Never pydantic's own wording, never a traceback.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.errors import ProfileError
from pcndocs.output.build import load
from pcndocs.profile.load import validate_profile
from pcndocs.profile.yamlfile import YamlDocument, dotted
from pcndocs.rules.facts import load_facts
from tests.test_honour_or_warn import _example, _plain, leaves

# Each text, and the number it plainly means where a profile takes it (None: refused), with
# the words the refusal must hold beside "expected ..., got ...".
TEXTS: list[tuple[str, Decimal | None, str]] = [
    (".5", Decimal("0.5"), ""),
    ("5.", Decimal("5"), ""),
    ("1e3", None, "write it in plain digits (1e3 is 1000)"),
    ("1.5e3", None, "write it in plain digits (1.5e3 is 1500)"),
    ("£1,0.00", None, "a comma may only separate thousands, as in 12,450"),
    ("3,50", None, "a comma may only separate thousands, as in 12,450"),
    ("1_000", None, "write it without underscores; a comma may separate thousands"),
    ("-.5", None, "write the number without a + or - sign: it cannot be below 0"),
    ("+.5", None, "write the number without a + or - sign"),
    (".nan", None, "got YAML's 'not a number' (.nan)"),
    (".inf", None, "got infinity"),
    ("twelve", None, "got 'twelve'"),
]
# What pydantic says in its own words, which a user must never see.
PYDANTIC_WORDS = re.compile(r"Input should|valid (number|integer)|type=|errors\.pydantic|parsing")


def _profile() -> dict[str, Any]:
    """The example with every funding key set, so that each is among the keys tried."""
    data = _example()
    data["funding"] = {
        "core_pcn_funding": 177_500,
        "adjusted_population": 60_000,
        "core_rate_per_patient": 3.1,
        "core_rate_per_registered_patient": 2.3,
        "core_rate_per_adjusted_patient": 0.8,
        "cd_rate_per_patient": 0.7,
        "leadership_and_management_rate_per_patient": 0.7,
    }
    return data


def _number_keys() -> list[tuple[tuple[str | int, ...], type]]:
    """Return each number key the profile sets (the first item of each list), with its type."""
    data = _profile()
    facts = load_facts()
    loaded = validate_profile(YamlDocument("p.yaml", data), facts.known_ids(), False)
    found = []
    for path, annotation, value in leaves(loaded.profile, data):
        kind, _ = _plain(annotation)
        later_item = any(isinstance(p, int) and p > 0 for p in path)
        if kind in (int, float) and value is not None and not later_item:
            found.append((path, kind))
    return found


KEYS = _number_keys()


def _written(path: tuple[str | int, ...], text: str) -> str:
    """Return the profile's YAML with the text written, unquoted, as the key's value."""
    data = _profile()
    here: Any = data
    for part in path[:-1]:
        here = here[part]
    here[path[-1]] = "THE-VALUE"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).replace("THE-VALUE", text)


def _line_of(text: str, key: str) -> int:
    """Return the line of the file where the value was written."""
    (line,) = [i for i, row in enumerate(text.splitlines(), start=1) if row.endswith(f": {key}")]
    return line


def test_every_number_key_is_tried() -> None:
    names = {str(path[-1]) for path, _ in KEYS}
    assert {"list_size", "sessions_per_week", "session_rate", "funded_share"} <= names
    assert {"core_rate_per_registered_patient", "core_rate_per_adjusted_patient"} <= names
    assert {int, float} == {kind for _, kind in KEYS}


@pytest.mark.parametrize(("path", "kind"), KEYS, ids=[dotted(p) for p, _ in KEYS])
def test_a_number_is_taken_as_meant_or_refused_in_one_plain_line(
    tmp_path: Path, path: tuple[str | int, ...], kind: type
) -> None:
    key = dotted(path)
    for text, means, words in TEXTS:
        written = _written(path, text)
        file = tmp_path / "p.yaml"
        file.write_text(written, encoding="utf-8")
        whole = means is not None and means == means.to_integral_value()
        try:
            profile = load(file).profile
        except ProfileError as exc:
            problems = [p for p in exc.problems if p.key == key]
            if means is not None and not problems:
                continue  # taken, then refused by a rule of several keys (shares add up to 1)
            assert len(problems) == 1, (text, [str(p) for p in exc.problems])
            (problem,) = problems
            said = str(problem)
            assert problem.line == _line_of(written, text), (text, said)
            assert said.startswith(f"{file}:{problem.line}: {key}: "), said
            assert "\n" not in said and not PYDANTIC_WORDS.search(said), said
            assert problem.text.startswith("expected "), said
            if means is None:
                assert words in said, (text, said)
            else:  # a number it plainly means: refused only for not being whole or in range
                assert kind is int or "expected a number of" in said, (text, said)
            continue
        assert means is not None, f"{key}: {text!r} was taken"
        assert kind is float or whole, f"{key}: {text!r} was taken as a whole number"
        held: Any = profile
        for part in path:
            held = held[part] if isinstance(part, int) else getattr(held, part)
        assert Decimal(str(held)) == means, (key, text, held)


@pytest.mark.parametrize(("text", "words"), [(t, w) for t, m, w in TEXTS if m is None])
def test_check_refuses_it_in_one_line_and_exits_1(tmp_path: Path, text: str, words: str) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(_written(("funding", "core_rate_per_adjusted_patient"), text), "utf-8")
    result = CliRunner().invoke(cli, ["check", str(file)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    line = _line_of(file.read_text(encoding="utf-8"), text)
    assert errors[0].startswith(f"error: {file}:{line}: funding.core_rate_per_adjusted_patient: ")
    assert words in errors[0] and "Traceback" not in result.output
