"""`pcndocs new` takes the forms a file takes, the file those `new` takes, and the time it
suggests for the clinical director stays within the time it shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pcndocs.cli import cli
from pcndocs.errors import ProfileError
from pcndocs.new import answers
from pcndocs.new.questions import KINDS, METHODS, ask_profile, suggested_sessions
from pcndocs.output.build import load
from pcndocs.profile.model import Appointment, ClinicalDirector, Lead, Practice
from pcndocs.rules.facts import load_facts
from pcndocs.rules.funding import funded_sessions, sessions_text
from tests.test_new import SESSION, TODAY, asker, at, piped

# Where a value goes in the example profile, and `new`'s conversion of the same answer.
FIELDS: dict[str, tuple[tuple[str | int, ...], Callable[[str], Any]]] = {
    "list size": (("practices", 0, "list_size"), answers.whole(Practice, "list_size")),
    "session rate": (("leads", 0, "session_rate"), answers.decimal(Lead, "session_rate")),
    "sessions": (
        ("clinical_directors", 0, "sessions_per_week"),
        answers.decimal(ClinicalDirector, "sessions_per_week"),
    ),
    "date": (("network", "population_date"), answers.date_answer),
    "director start": (
        ("clinical_directors", 0, "start_date"),
        answers.optional(answers.date_answer),
    ),
    "director pay": (
        ("clinical_directors", 0, "session_rate"),
        answers.session_pay(ClinicalDirector, "session_rate"),
    ),
    "method": (("appointment", "method"), answers.choice(METHODS)),
    "lead kind": (("leads", 0, "kind"), answers.choice(KINDS)),
    "tie break": (
        ("appointment", "tie_break"),
        answers.choice(get_args(Appointment.model_fields["tie_break"].annotation)),
    ),
}

FORMS = [
    ("list size", "12,450"),
    ("list size", "12450"),
    ("list size", "12450.0"),
    ("list size", "1,2"),
    ("list size", "12,45"),
    ("list size", "12,450.5"),
    ("list size", "twelve"),
    ("list size", "1,2,3"),
    ("list size", "-5"),
    ("session rate", "£350"),
    ("session rate", "£1,234.50"),
    ("session rate", "350.5"),
    ("session rate", "1e3"),
    ("session rate", "nan"),
    ("sessions", "2.5"),
    ("sessions", ".5"),
    ("sessions", "2."),
    ("sessions", "10"),
    ("sessions", "3,50"),
    ("sessions", "3.50"),
    ("date", "01/01/2026"),
    ("date", "1/1/2026"),
    ("date", "2026-01-01"),
    ("date", "2026-1-1"),
    ("date", "31/02/2026"),
    ("date", "01/01/2125"),
    ("date", "2125-01-01"),
    ("date", "2026.01.01"),
    ("date", "1 January 2026"),
    ("director start", "1/4/2025"),
    ("director start", "2025-04-01"),
    ("director start", "31/04/2025"),
    ("director pay", "£350"),
    ("director pay", "350"),
    ("director pay", "£1,234.50"),
    ("director pay", "45,500"),  # a yearly sum: refused as a session's pay by both
    ("director pay", "three hundred"),
    ("method", "selection and election"),
    ("method", "Selection-and-Election"),
    ("method", "selection_and_election"),
    ("method", "  Election "),
    ("method", "vote"),
    ("lead kind", "non-clinical"),
    ("lead kind", "Non clinical"),
    ("lead kind", "NON_CLINICAL"),
    ("lead kind", "clinical"),
    ("lead kind", "medic"),
    ("tie break", "drawing lots"),
    ("tie break", "Second ballot"),
]


@pytest.mark.parametrize(("field", "typed"), FORMS)
def test_new_and_the_file_take_the_same_forms(
    field: str,
    typed: str,
    example_data: dict[str, Any],
    write_profile: Callable[[dict[str, Any] | str], Path],
) -> None:
    key, convert = FIELDS[field]
    try:
        answered: Any = convert(typed)
    except ValueError:
        answered = None

    in_file, _message = file_reads(key, typed, example_data, write_profile)
    assert answered == in_file, f"new: {answered!r}, file: {in_file!r}"


def file_reads(
    key: tuple[str | int, ...],
    typed: str,
    example_data: dict[str, Any],
    write_profile: Callable[[dict[str, Any] | str], Path],
) -> tuple[Any, str]:
    """Return the value a file holding the text typed at a key gives, or None and the message.

    The text is written into the YAML as it is typed, unquoted, as a user would write it.
    """
    data = yaml.safe_load(yaml.safe_dump(example_data))  # a deep copy
    place = data
    for part in key[:-1]:
        place = place[part]
    place[key[-1]] = "THE-VALUE"
    text = yaml.safe_dump(data, sort_keys=False).replace("THE-VALUE", typed)
    try:
        profile = load(write_profile(text)).profile
    except ProfileError as exc:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in key).lstrip(".")
        return None, next((p.text for p in exc.problems if p.key == dotted), "")
    found: Any = profile.model_dump()
    for part in key:
        found = found[part]
    return found, ""


def test_a_few_forms_are_taken_as_people_mean_them() -> None:
    assert answers.whole(Practice, "list_size")("12,450") == 12450
    assert answers.decimal(Lead, "session_rate")("£1,234.50") == 1234.5
    assert answers.date_answer("1/4/2026") == date(2026, 4, 1)


@settings(deadline=None)  # a busy machine must not fail it
@given(st.floats(min_value=0, max_value=20, allow_nan=False))
def test_the_suggestion_is_never_above_the_time_left(left: float) -> None:
    suggested = suggested_sessions(left)
    if suggested:
        assert float(suggested) <= left
        assert float(suggested) <= 9
        assert float(suggested) * 4 == int(float(suggested) * 4)  # in quarter sessions


@pytest.mark.parametrize(("year", "what"), [("2023/24", "funded"), ("2026/27", "guide")])
def test_the_director_questions_name_the_time_as_the_year_has_it(year: str, what: str) -> None:
    facts = load_facts()
    lines = [*SESSION[:3], year, *SESSION[4:]]
    ask, said = asker(lines)
    profile = ask_profile(ask, said.append, facts, TODAY)
    funded = funded_sessions(profile.population, facts)
    intro = next(line for line in said if line.startswith("The clinical director."))
    assert f"{sessions_text(funded)} a week" in intro
    assert ("no payment is made for the role" in intro) == (what == "guide")
    (director,) = profile.clinical_directors
    assert director.sessions_per_week is not None
    assert director.sessions_per_week <= funded


def test_sessions_above_the_time_shown_are_said_to_be() -> None:
    sessions = at("director sessions")
    lines = [*SESSION[:sessions], "2.5", *SESSION[sessions + 1 :]]  # 1 is the benchmark
    ask, said = asker(lines)
    ask_profile(ask, said.append, load_facts(), TODAY)
    assert (
        "  that is 1.5 more than the guide time left; agree how the difference is paid "
        "for (`check` will warn of it)"
    ) in said
    ask, said = asker(SESSION)
    ask_profile(ask, said.append, load_facts(), TODAY)
    assert not any("more than the" in line for line in said)


def test_a_joint_director_is_shown_the_time_left_of_the_whole(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    sessions, second = at("director sessions"), at("director 2 name")
    director_2 = ["Sister Two", "Nurse", "2", "", "", "", ""]  # no start date, pay to be agreed
    answers = [
        *SESSION[:sessions],
        "0.5",
        *SESSION[sessions + 1 : second],
        *director_2,
        *SESSION[second:],
    ]
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*answers))
    assert result.exit_code == 0, result.output
    assert (
        "Clinical director 1 (Dr Jane Example): sessions a week (guide: 1) [1]: " in result.output
    )
    assert (
        "Clinical director 2 (Sister Two): sessions a week (guide: 0.5 left of 1) [0.5]: "
        in result.output
    )
    assert [d.sessions_per_week for d in load(path).profile.clinical_directors] == [0.5, 0.5]
