"""Loading a profile: every problem at once, each with its file, line and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pcndocs.errors import ProfileError
from pcndocs.output.build import load


def problems(path: Path) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load(path)
    return [str(p).split(": ", 1)[1] for p in caught.value.problems]


def test_example_profile_loads(
    example_data: dict[str, Any], write_profile: Callable[[Any], Path]
) -> None:
    profile = load(write_profile(example_data)).profile
    assert profile.network.name == "Riverside Primary Care Network"
    assert len(profile.practices) == 6
    assert profile.population == 59_126


def test_only_the_documented_keys_build(write_profile: Callable[[Any], Path]) -> None:
    minimal = """
network:
  name: Tiny PCN
  population_date: 2025-01-01
  nominated_payee: a12345
contract_year: 2025/26
practices:
  - {name: One, ods_code: A12345, list_size: 30000}
clinical_directors:
  - {name: Dr One, practice: A12345, sessions_per_week: 1.5}
appointment:
  method: election
"""
    profile = load(write_profile(minimal)).profile
    assert profile.network.nominated_payee == "A12345"  # codes are read in capitals
    assert profile.appointment.term_years == 3
    assert profile.leads == []


BAD = [
    (
        "network.code",
        "U9999",
        "network.code: expected a PCN code: U and five digits (U35980), got 'U9999'",
    ),
    (
        "practices.0.ods_code",
        "A1234",
        "practices[0].ods_code: practice 1 (Riverside Surgery): expected an ODS code: a letter "
        "and five digits (A81001), got 'A1234'",
    ),
    (
        "practices.1.list_size",
        -5,
        "practices[1].list_size: practice 2 (Millbrook Medical Centre): expected a number above "
        "0, got -5",
    ),
    (
        "practices.1.list_size",
        2_000_000,
        "practices[1].list_size: practice 2 (Millbrook Medical Centre): expected a number of at "
        "most 500000, got 2000000",
    ),
    (
        "clinical_directors.0.sessions_per_week",
        12,
        "clinical_directors[0].sessions_per_week: clinical director 1 (Dr Priya Shah): expected "
        "a number of at most 9, got 12",
    ),
    (
        "appointment.method",
        "vote",
        "appointment.method: expected one of selection, election or selection_and_election, "
        "got 'vote'",
    ),
    (
        "contract_year",
        "2025/27",
        "contract_year: expected a contract year such as 2026/27 (two years in a row), "
        "got '2025/27'",
    ),
    (
        "contract_year",
        "2018/19",
        "contract_year: expected 2019/20 or later (the Network Contract DES began then), "
        "got '2018/19'",
    ),
    (
        "network.nominated_payee",
        "B11111",
        "network.nominated_payee: the nominated payee must be a member practice "
        "(A99001, A99002, A99003, A99004, A99005, A99006), got 'B11111'; for another provider, "
        "give its name as payee_name",
    ),
    (
        "leads.0.practice",
        "B11111",
        "leads[0].practice: lead 1 (Dr Sam Patel): the practice must be a member practice "
        "(A99001, A99002, A99003, A99004, A99005, A99006), got 'B11111'",
    ),
    (
        "leads.0.workstream",
        "cvd_preventon",
        "leads[0].workstream: lead 1 (Dr Sam Patel): unknown workstream 'cvd_preventon'; did you "
        "mean 'cvd_prevention'?",
    ),
    (
        "leads.0.funding_stream",
        "ifi",
        "leads[0].funding_stream: lead 1 (Dr Sam Patel): unknown funding stream 'ifi'; did you "
        "mean 'iif'?",
    ),
    (
        "leads.0.funding_stream",
        "grant",
        "leads[0].funding_stream: lead 1 (Dr Sam Patel): unknown funding stream 'grant'; known "
        "funding streams: core, leadership_and_management, iif, capacity_and_access, other",
    ),
    (
        "network.nominated_payer",
        "A99001",
        "network.nominated_payer: unknown key; did you mean 'nominated_payee'?",
    ),
    (
        "practices.1.ods_code",
        "A99001",
        "practices[1].ods_code: practice 2 (Millbrook Medical Centre): A99001 is listed twice, "
        "also for practice 1 (Riverside Surgery)",
    ),
]


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value


@pytest.mark.parametrize(("key", "value", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_values_name_the_key_and_what_was_expected(
    example_data: dict[str, Any],
    write_profile: Callable[[Any], Path],
    key: str,
    value: Any,
    expected: str,
) -> None:
    data: dict[str, Any] = __import__("copy").deepcopy(example_data)
    _set(data, key, value)
    assert expected in problems(write_profile(data))


def test_every_problem_is_reported_at_once_with_its_line(
    write_profile: Callable[[Any], Path],
) -> None:
    path = write_profile("""network:
  name: Riverside PCN
  population_date: 2025-02-30
  nominated_payee: A99001
contract_year: 2025/26
practices:
  - name: A
    ods_code: A99001
    list_size: twelve thousand
clinical_directors:
  - name: Dr X
    practice: A99001
appointment:
  method: election
""")
    with pytest.raises(ProfileError) as caught:
        load(path)
    lines = str(caught.value).splitlines()
    assert (
        f"{path}:3: network.population_date: expected a date that exists, got '2025-02-30'" in lines
    )


def test_structural_problems_are_all_listed(write_profile: Callable[[Any], Path]) -> None:
    path = write_profile("""network:
  name: Riverside PCN
  population_date: 2025-01-01
  nominated_payee: A99001
contract_year: 2025/26
practices:
  - name: A
    ods_code: A99001
    list_size: twelve thousand
clinical_directors:
  - name: Dr X
    practice: A99001
appointment:
  method: election
""")
    assert [str(p) for p in _problems_of(path)] == [
        f"{path}:9: practices[0].list_size: practice 1 (A): expected a whole number, got "
        "'twelve thousand'",
        f"{path}:11: clinical_directors[0].sessions_per_week: clinical director 1 (Dr X): is "
        "required but missing",
    ]


def _problems_of(path: Path) -> list[Any]:
    with pytest.raises(ProfileError) as caught:
        load(path)
    return caught.value.problems
