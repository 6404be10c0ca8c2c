"""`pcndocs new`: the questions, the checks on each answer, and the profile it writes."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pcndocs.cli import cli
from pcndocs.new.answers import contract_year_now
from pcndocs.new.prompt import InputEndedError, LineAsker
from pcndocs.new.questions import ask_profile
from pcndocs.new.write import profile_text
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, load
from pcndocs.profile.model import Profile
from pcndocs.profile.write import scalar
from pcndocs.rules.facts import load_facts

TODAY = date(2026, 11, 22)
HINT = "(Type < to go back to the question before; type ? for help on a question.)"
ODD_NAME = 'Ríverside: "East" # St Anne\'s PCN'


def reader(lines: Iterable[str]) -> Callable[[str], str | None]:
    """Return a line reader that gives these answers, then None (the end of the input)."""
    queue = list(lines)
    return lambda _prompt: queue.pop(0) if queue else None


def asker(lines: Iterable[str]) -> tuple[LineAsker, list[str]]:
    said: list[str] = []
    return LineAsker(reader(lines), said.append), said


# --- writing values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Riverside Surgery", "Riverside Surgery"),
        ("St Anne's Family Practice", "St Anne's Family Practice"),
        ("Zoë Brontë", "Zoë Brontë"),
        ("A99001", "A99001"),
        ("2025/26", "2025/26"),
        ("Network: North", '"Network: North"'),
        ("No 1 # best", '"No 1 # best"'),
        ('The "Old" Surgery', '"The \\"Old\\" Surgery"'),
        ("yes", '"yes"'),
        ("null", '"null"'),
        ("2025-01-01", '"2025-01-01"'),
        ("1.0", '"1.0"'),
        ("- dash", '"- dash"'),
        ("back\\slash", '"back\\\\slash"'),
        ("tab\there", '"tab\\u0009here"'),
        (12450, "12450"),
        (2.5, "2.5"),
        (2.0, "2"),
        (date(2025, 1, 1), "2025-01-01"),
    ],
)
def test_scalar_is_plain_where_safe_and_quoted_where_not(
    value: str | float | date, written: str
) -> None:
    assert scalar(value) == written
    assert yaml.safe_load(f"key: {written}  # a comment")["key"] == value


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_any_text_reads_back_as_itself(text: str) -> None:
    assert yaml.safe_load(f"key: {scalar(text)}  # a comment\nnext: 1\n") == {
        "key": text,
        "next": 1,
    }


# --- asking ---------------------------------------------------------------------------


def test_a_wrong_answer_is_explained_in_one_line_and_asked_again() -> None:
    ask, said = asker(["", "twelve", "12"])
    assert ask("Size", int_or_error) == 12
    assert said == [HINT, "  an answer is needed", "  expected a whole number, got 'twelve'"]


def test_blank_takes_the_default_but_the_end_of_input_is_no_answer() -> None:
    ask, said = asker([""])
    assert ask("Term", int_or_error, "3") == 3
    with pytest.raises(InputEndedError) as caught:  # the input has ended: no default taken
        ask("Kind", str, "clinical")
    assert str(caught.value) == "the input ended before 'Kind' was answered; nothing was written"
    assert ask.ended
    assert said == [HINT]


def test_the_end_of_input_with_an_answer_still_needed() -> None:
    ask, _ = asker([])
    with pytest.raises(InputEndedError) as caught:
        ask("Network name", str)
    assert str(caught.value) == (
        "the input ended before 'Network name' was answered; nothing was written"
    )
    ask, said = asker(["x"])
    with pytest.raises(InputEndedError):
        ask("Size", int_or_error)
    assert said == [HINT, "  expected a whole number, got 'x'"]


def int_or_error(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"expected a whole number, got '{text}'")
    return int(text)


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 3, 31), "2025/26"),
        (date(2026, 4, 1), "2026/27"),
        (date(2099, 12, 31), "2099/00"),
    ],
)
def test_a_contract_year_starts_in_april(today: date, year: str) -> None:
    assert contract_year_now(today) == year


# The answers of a whole session, in the order asked; `None` marks where a test
# puts a wrong answer first.
# Every answer of a whole session, named by the question it answers: `at` finds its place.
ANSWERED: list[tuple[str, str]] = [
    ("network name", ODD_NAME),
    ("PCN code", "u12345"),
    ("commissioner", "NHS Example Integrated Care Board"),
    ("contract year", ""),  # the default
    ("population date", ""),  # the default
    ("practice 1 name", "Riverside Surgery"),
    ("practice 1 code", "A99001"),
    ("practice 1 size", "12,450"),
    ("practice 2 name", "Zoë Practice"),
    ("practice 2 code", "a99002"),
    ("practice 2 size", "9873"),
    ("practice 3 name", ""),  # no more practices
    ("payee", "2"),  # practice 2
    ("director name", "Dr Jane Example"),
    ("director profession", ""),  # GP
    ("director practice", "A99002"),
    ("director sessions", ""),  # the suggestion
    ("director start", "01/04/2025"),
    ("director session pay", "£400"),
    ("director 2 name", ""),  # no second director
    ("method", "election"),
    ("term", "4"),
    ("lead 1 workstream", "5"),  # by number (cvd_prevention)
    ("lead 1 name", "Dr Sam Patel"),
    ("lead 1 kind", ""),  # clinical, from the workstream
    ("lead 1 practice", "1"),
    ("lead 1 sessions", ""),  # 2 a month
    ("lead 1 pay", "350"),
    ("lead 2 workstream", "finance"),  # by id
    ("lead 2 name", "Karen Wells"),
    ("lead 2 kind", ""),  # non_clinical, from the workstream
    ("lead 2 practice", ""),  # none
    ("lead 2 sessions", "1.5"),
    ("lead 2 pay", "£180"),
    ("lead 3 workstream", ""),  # no more leads
    ("core funding", "177,500"),  # no national rate for 2026/27: the network's own
    ("review date", ""),  # the end of the contract year
]
SESSION = [answer for _, answer in ANSWERED]


def at(question: str) -> int:
    """Return the place in SESSION of the answer to a question, named as in ANSWERED."""
    return [name for name, _ in ANSWERED].index(question)


def test_a_whole_session_makes_a_valid_profile(tmp_path: Path) -> None:
    facts = load_facts()
    ask, said = asker(SESSION)
    profile = ask_profile(ask, said.append, facts, TODAY)
    assert profile.network.name == ODD_NAME
    assert profile.network.code == "U12345"
    assert profile.contract_year == "2026/27"  # the year that holds 22 November 2026
    assert profile.network.population_date == date(2026, 1, 1)
    assert [p.ods_code for p in profile.practices] == ["A99001", "A99002"]
    assert profile.network.nominated_payee == "A99002"
    (director,) = profile.clinical_directors
    assert (director.profession, director.practice) == ("GP", "A99002")
    # 22,323 patients: 0.25 WTE per 50,000 x 9 sessions = 1.00 a week.
    assert director.sessions_per_week == 1
    assert (director.start_date, director.session_rate, director.annual_pay) == (
        date(2025, 4, 1),
        400,
        None,
    )
    assert profile.appointment.method == "election"
    assert profile.appointment.term_years == 4
    assert [(le.workstream, le.kind, le.practice) for le in profile.leads] == [
        ("cvd_prevention", "clinical", "A99001"),
        ("finance", "non_clinical", None),
    ]
    assert (profile.leads[1].sessions_per_month, profile.leads[1].session_rate) == (1.5, 180)
    assert "   5. cvd_prevention          Cardiovascular disease prevention" in said

    path = tmp_path / "network.yaml"
    path.write_text(profile_text(profile, facts, path.name, TODAY), encoding="utf-8")
    assert load(path).profile == profile


@pytest.mark.parametrize(
    ("place", "wrong", "message"),
    [
        (at("network name"), "  ", "an answer is needed"),
        (at("PCN code"), "12345", "expected a PCN code: U and five digits (U35980), got '12345'"),
        (
            at("contract year"),
            "2018/19",
            "expected 2019/20 or later (the Network Contract DES began then), got '2018/19'",
        ),
        (
            at("contract year"),
            "2025/27",
            "expected a contract year such as 2026/27 (two years in a row), got '2025/27'",
        ),
        (at("population date"), "2025-02-30", "expected a date that exists, got '2025-02-30'"),
        (at("population date"), "31/02/2025", "expected a date that exists, got '31/02/2025'"),
        (
            at("population date"),
            "2025.01.01",
            "expected a date such as 01/04/2026 or 2026-04-01, got '2025.01.01'",
        ),
        (
            at("practice 1 code"),
            "A9900",
            "expected an ODS code: a letter and five digits (A81001), got 'A9900'",
        ),
        (at("practice 1 size"), "0", "expected a number above 0, got 0"),
        (at("practice 1 size"), "600000", "expected a number of at most 500000, got 600000"),
        (
            at("practice 2 name"),
            "riverside  surgery",
            "a practice called 'riverside  surgery' is already entered",
        ),
        (
            at("practice 2 code"),
            "A99001",
            "A99001 is already given for Riverside Surgery; each practice has its own",
        ),
        (
            at("payee"),
            "A99003",
            "expected a practice entered above (A99001, A99002), its number or its name, "
            "got 'A99003'; for a provider that is not a member practice, type other",
        ),
        (at("director sessions"), "10", "expected a number of at most 9, got 10"),
        (at("director sessions"), "nan", "expected a number such as 2 or 2.5, got 'nan'"),
        (
            at("director sessions"),
            "1.5e0",
            "expected a number such as 2 or 2.5, got '1.5e0': write it in plain digits (1.5e0 "
            "is 1.5)",
        ),
        (
            at("director sessions"),
            "1,5",
            "expected a number such as 2 or 2.5, got '1,5': a comma may only separate "
            "thousands, as in 12,450; a part follows a point: 2.50",
        ),
        (at("director start"), "31/02/2025", "expected a date that exists, got '31/02/2025'"),
        (
            at("director start"),
            "1 April 2025",
            "expected a date such as 01/04/2026 or 2026-04-01, got '1 April 2025'",
        ),
        (
            at("director session pay"),
            "45,500",
            "expected a number of at most 5000, got 45500; for a yearly sum, leave this blank "
            "and give it at the next question",
        ),
        (at("director session pay"), "lots", "expected a number such as 2 or 2.5, got 'lots'"),
        (
            at("method"),
            "vote",
            "expected one of: 1 selection, 2 election, 3 selection_and_election; got 'vote'",
        ),
        (at("term"), "11", "expected a number of at most 10, got 11"),
        (
            at("lead 1 workstream"),
            "cvd",
            "unknown workstream 'cvd': give a number from 1 to 18 or an id from the list, "
            "or local to add your own",
        ),
        (
            at("lead 1 workstream"),
            "finanse",
            "unknown workstream 'finanse': give a number from 1 to 18 or an id from the list, "
            "or local to add your own; did you mean 'finance'?",
        ),
        (
            at("lead 1 workstream"),
            "19",
            "unknown workstream '19': give a number from 1 to 18 or an id from the list, "
            "or local to add your own",
        ),
        (at("lead 1 kind"), "medic", "expected one of: 1 clinical, 2 non_clinical; got 'medic'"),
        (at("lead 1 pay"), "6000", "expected a number of at most 5000, got 6000"),
    ],
)
def test_each_wrong_answer_is_refused_with_why(place: int, wrong: str, message: str) -> None:
    lines = [*SESSION[:place], wrong, *SESSION[place:]]
    ask, said = asker(lines)
    profile = ask_profile(ask, said.append, load_facts(), TODAY)
    assert f"  {message}" in said
    assert profile.network.name == ODD_NAME


def test_joint_directors_share_the_funded_time(tmp_path: Path) -> None:
    facts = load_facts()
    lines = [
        "Big Network",
        "",
        "",
        "2024/25",
        "",  # population date: 1 January 2024
        "One",
        "A10001",
        "60000",
        "Two",
        "A10002",
        "40000",
        "",
        "",
        "Dr One",
        "",
        "1",
        "3",  # 4.5 funded; 3 agreed
        "2023-04-01",  # start date, as ISO
        "£450",  # pay a session
        "Sister Two",
        "Nurse",
        "2",
        "",  # suggestion: the 1.5 left
        "",  # no start date yet
        "",  # no pay a session: a yearly sum instead
        "45,500",
        "",  # no third director
        "selection and election",
        "",
        "",  # no leads
        "",  # Core PCN Funding: not known
        "",  # review date: the end of the contract year
    ]
    ask, _ = asker(lines)
    profile = ask_profile(ask, lambda _text: None, facts, date(2024, 6, 1))
    assert profile.network.population_date == date(2024, 1, 1)
    assert [
        (d.profession, d.sessions_per_week, d.start_date, d.session_rate, d.annual_pay)
        for d in profile.clinical_directors
    ] == [
        ("GP", 3, date(2023, 4, 1), 450, None),
        ("Nurse", 1.5, None, None, 45500),
    ]
    assert profile.appointment.method == "selection_and_election"
    assert profile.leads == []
    path = tmp_path / "big.yaml"
    path.write_text(profile_text(profile, facts, path.name, TODAY), encoding="utf-8")
    assert load(path).profile == profile


def test_the_written_profile_explains_its_keys() -> None:
    facts = load_facts()
    ask, _ = asker(SESSION)
    profile: Profile = ask_profile(ask, lambda _text: None, facts, TODAY)
    text = profile_text(profile, facts, "network.yaml", TODAY)
    assert text.startswith(
        "# A network profile for pcndocs, written by `pcndocs new` on 2026-11-22"
    )
    assert "# Check it with:  pcndocs check network.yaml" in text
    lines = text.splitlines()
    for key in ("ods_code", "list_size", "profession", "sessions_per_week", "method", "kind"):
        line = next(line for line in lines if line.strip().startswith(f"{key}:"))
        assert " # " in line, line
    assert "\n  # area: ...                        # optional: " in text
    assert "    workstream: finance              # Financial management" in lines


# --- the command ----------------------------------------------------------------------


def piped(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def test_new_writes_a_profile_that_builds(tmp_path: Path) -> None:
    path = tmp_path / "riverside.yaml"
    answers = list(SESSION)
    answers.insert(at("lead 1 workstream"), "heart")  # an unknown workstream, then lead 1 by number
    answers.insert(10, "twelve thousand")  # a list size that is not a number
    answers.insert(9, "A99001")  # a code already given
    answers.insert(6, "A9900X")  # not an ODS code
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*answers))
    assert result.exit_code == 0, result.output
    for message in (
        "expected an ODS code: a letter and five digits (A81001), got 'A9900X'",
        "A99001 is already given for Riverside Surgery; each practice has its own",
        "expected a whole number, got 'twelve thousand'",
        "unknown workstream 'heart'",
    ):
        assert message in result.output
    assert f"Wrote {path}\nNext: pcndocs check {path}\n      pcndocs build {path}\n" in (
        result.output
    )

    profile = load(path).profile
    assert profile.network.name == ODD_NAME
    assert [(p.name, p.ods_code, p.list_size) for p in profile.practices] == [
        ("Riverside Surgery", "A99001", 12450),
        ("Zoë Practice", "A99002", 9873),
    ]
    assert profile.network.nominated_payee == "A99002"
    assert [(d.name, d.practice) for d in profile.clinical_directors] == [
        ("Dr Jane Example", "A99002")
    ]
    assert profile.appointment.method == "election"
    assert [(le.name, le.workstream, le.session_rate) for le in profile.leads] == [
        ("Dr Sam Patel", "cvd_prevention", 350),
        ("Karen Wells", "finance", 180),
    ]

    out = tmp_path / "out"
    built = build_profile(
        path, BuildOptions(out=out, formats=("html",), documents=("cd-job-description",))
    )
    (page,) = built.written
    assert ODD_NAME in html.unescape(page.read_text(encoding="utf-8"))


def test_the_end_of_the_input_mid_way_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*SESSION[:7]))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the input ended before 'Practice 1 (Riverside Surgery): registered patients' "
        "was answered; "
        "nothing was written\n"
    )
    assert "Traceback" not in result.output
    assert not path.exists()


def test_input_that_ends_at_a_question_with_a_default_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*SESSION[: at("method") + 1]))
    assert result.exit_code == 1
    assert result.output.endswith(
        "error: the input ended before 'Term of office in years' was answered; "
        "nothing was written\n"
    )
    assert not path.exists()


def test_blank_lines_after_the_last_needed_answer_take_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    answers = [*SESSION[: at("method") + 1], *[""] * 60]
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*answers))
    assert result.exit_code == 0, result.output
    profile = load(path).profile
    assert (profile.appointment.method, profile.appointment.term_years) == ("election", 3)
    assert profile.leads == []


@pytest.mark.parametrize(
    ("pay", "paid"),
    [(["£400"], (400, None)), (["", "45,500"], (None, 45500))],
)
def test_a_profile_with_every_answer_checks_with_no_warning_on_the_director(
    pay: list[str], paid: tuple[float | None, float | None], tmp_path: Path
) -> None:
    path = tmp_path / "network.yaml"
    place = at("director session pay")
    answers = [*SESSION[:place], *pay, *SESSION[place + 1 :]]
    made = CliRunner().invoke(cli, ["new", str(path)], input=piped(*answers))
    assert made.exit_code == 0, made.output
    (director,) = load(path).profile.clinical_directors
    assert (director.session_rate, director.annual_pay) == paid
    checked = CliRunner().invoke(cli, ["check", str(path)])
    assert checked.exit_code == 0, checked.output
    warnings = [line for line in checked.stderr.splitlines() if line.startswith("warning:")]
    assert warnings  # check does warn, of what new does not ask
    assert not [line for line in warnings if "clinical_directors" in line], warnings
    assert "clinical director pay: to be agreed" not in checked.output


def test_an_existing_file_is_kept_unless_force(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    path.write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*SESSION))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {path} already exists; give another name or add --force\n")
    assert "Network name" not in result.output  # refused before asking anything
    assert path.read_text(encoding="utf-8") == "mine\n"

    result = CliRunner().invoke(cli, ["new", "--force", str(path)], input=piped(*SESSION))
    assert result.exit_code == 0, result.output
    assert load(path).profile.network.name == ODD_NAME


def test_new_writes_network_yaml_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new"], input=piped(*SESSION))
    assert result.exit_code == 0, result.output
    assert "Next: pcndocs check network.yaml" in result.output
    assert load(tmp_path / "network.yaml").profile.network.code == "U12345"


@pytest.mark.e2e
def test_python_dash_m_new_reads_answers_from_stdin(tmp_path: Path) -> None:
    path = tmp_path / "piped network.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pcndocs", "new", str(path)],
        input=piped(*SESSION).encode("utf-8"),
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 0, result.stderr.decode()
    assert f"pcndocs build '{path}'" in result.stdout.decode("utf-8")
    profile = load(path).profile
    assert profile.network.name == ODD_NAME
    assert profile.practices[1].name == "Zoë Practice"


@pytest.mark.e2e
def test_a_profile_new_completes_builds_with_no_placeholder_and_no_missing_value(
    tmp_path: Path,
) -> None:
    # Every question answered: the review date and the network's Core PCN Funding (no national
    # rate for 2026/27) included, so a finished build has nothing to fill in or warn about.
    path = tmp_path / "network.yaml"
    made = CliRunner().invoke(cli, ["new", str(path)], input=piped(*SESSION))
    assert made.exit_code == 0, made.output
    profile = load(path).profile
    assert profile.document_control.review_date == date(2027, 3, 31)
    assert profile.funding.core_pcn_funding == 177_500
    built = build_profile(path, BuildOptions(out=tmp_path / "out", formats=("html", "docx")))
    assert built.placeholders == []
    for document in built.written:
        if document.suffix == ".html":
            assert "[to be agreed" not in document.read_text(encoding="utf-8"), document.name
    # What is left to say is no missing value: only the workstreams nobody leads this year.
    warnings = [w.text for w in built.warnings]
    assert len(warnings) == 1 and "workstreams have no lead in 2026/27" in warnings[0], warnings
