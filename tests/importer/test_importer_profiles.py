"""The YAML text of an imported profile: its keys, its comments, and safe quoting."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from pcndocs.importer.epcn import Network, Partner
from pcndocs.importer.lists import ListSizes
from pcndocs.importer.profiles import commissioner_label, contract_year, profile_text
from pcndocs.profile.write import scalar as yaml_string

NETWORK = Network(
    code="U00001",
    name="CENTRAL TESTTOWN PCN",
    commissioner_code="99A",
    commissioner_name="NHS TESTTOWN CCG",
    open_date=dt.date(2019, 10, 1),
    practices=[
        Partner("Y02657", "THE EXAMPLE SURGERY"),
        Partner("A81001", "ABBEY ROAD SURGERY"),
        Partner("RXX01", "TESTTOWN COMMUNITY TRUST"),
    ],
)
SIZES = ListSizes({"A81001": 12345, "Y02657": 6789}, dt.date(2021, 1, 1))
IMPORTED_ON = dt.date(2024, 1, 15)


def make_text(network: Network = NETWORK, sizes: ListSizes | None = SIZES) -> str:
    """Return the profile text of a network with the sample file names."""
    return profile_text(
        network,
        sizes,
        epcn_name="ePCN-2019-12.xlsx",
        lists_name="gp-reg-pat-prac-all-2021-01.csv" if sizes else None,
        imported_on=IMPORTED_ON,
    )


def spaced(lines: list[str]) -> list[str]:
    """Return lines with runs of spaces made one, so a test reads past comment alignment."""
    return [" ".join(line.split()) for line in lines]


def test_profile_loads_with_the_keys_of_the_profile_format() -> None:
    assert yaml.safe_load(make_text()) == {
        "network": {
            "name": "Central Testtown PCN",
            "code": "U00001",
            "commissioner": "NHS Testtown CCG (99A)",
            "population_date": dt.date(2021, 1, 1),
            "nominated_payee": None,
        },
        "contract_year": "2021/22",
        "practices": [
            {"name": "Abbey Road Surgery", "ods_code": "A81001", "list_size": 12345},
            {"name": "Testtown Community Trust", "ods_code": "RXX01", "list_size": None},
            {"name": "The Example Surgery", "ods_code": "Y02657", "list_size": 6789},
        ],
        "clinical_directors": [],
        "appointment": {"method": None},
        "leads": [],
    }


def test_profile_comments_say_where_it_came_from_and_what_to_fill_in() -> None:
    lines = spaced(make_text().splitlines())
    assert lines[0] == (
        "# Imported by pcndocs from ePCN-2019-12.xlsx and gp-reg-pat-prac-all-2021-01.csv "
        "on 2024-01-15."
    )
    assert lines[1] == '# Values marked "to be filled in" were not in the national files.'
    assert "code: U00001 # opened 2019-10-01" in lines
    assert (
        "practices: # 3 practices, 19,134 patients on 2021-01-01 (1 without a list size)" in lines
    )
    assert (
        "list_size: null # to be filled in: not in the list-size file "
        "gp-reg-pat-prac-all-2021-01.csv"
    ) in lines
    assert "ods_code: RXX01 # check: not a GP practice code (a letter and five digits)" in lines
    assert (
        "nominated_payee: null # to be filled in: ODS code of the member practice, or of "
        "another provider (give its payee_name), that receives the network's funding"
    ) in lines
    assert (
        "method: null # to be filled in: selection, election, or selection_and_election"
    ) in lines


def test_profile_without_a_list_file() -> None:
    text = make_text(sizes=None)
    loaded = yaml.safe_load(text)
    assert loaded["network"]["population_date"] is None
    assert loaded["contract_year"] is None
    assert [p["list_size"] for p in loaded["practices"]] == [None, None, None]
    assert text.splitlines()[0] == "# Imported by pcndocs from ePCN-2019-12.xlsx on 2024-01-15."
    assert "contract_year: null # to be filled in: for example 2025/26" in spaced(text.splitlines())


def test_profile_of_a_network_without_practices_or_commissioner() -> None:
    empty = Network("U00009", "EMPTY PCN", "", "", None, [])
    text = make_text(empty)
    loaded = yaml.safe_load(text)
    assert loaded["practices"] == []
    assert loaded["network"]["commissioner"] is None
    assert (
        "practices: [] # to be filled in: no current member practices in ePCN-2019-12.xlsx"
        in spaced(text.splitlines())
    )


def test_population_date_other_than_1_january_is_flagged() -> None:
    text = make_text(sizes=ListSizes({}, dt.date(2026, 4, 1)))
    assert "contract_year: 2026/27 # check: list sizes are of 2026-04-01, not 1 January;" in (
        "\n".join(spaced(text.splitlines()))
    )


AWKWARD_NAMES = [
    'ST JOHN\'S: "NORTH" #1 PCN',
    "KEY: VALUE",
    "HASH #TAG",
    "#START",
    "'QUOTED'",
    '"DOUBLE"',
    "BACK\\SLASH",
    "- DASH",
    "& ANCHOR",
    "* ALIAS",
    "! TAG",
    "% DIRECTIVE",
    "@ AT",
    "`TICK`",
    "{BRACE}",
    "[BRACKET]",
    "| PIPE",
    "> FOLD",
    "? QUERY",
    "~",
    "YES",
    "NO",
    "ON",
    "NULL",
    "TRUE",
    "123",
    "1E3",
    "2021-01-01",
    "0X1F",
    ".INF",
    "<<",
    "=",
    "CAFÉ ÉTÉ",
    "TAB\tINSIDE",
]


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_awkward_names_round_trip(name: str) -> None:
    network = Network(
        code="U00001",
        name=name,
        commissioner_code="99A",
        commissioner_name=name,
        open_date=None,
        practices=[Partner("A00001", name)],
    )
    loaded = yaml.safe_load(make_text(network))
    expected = " ".join(name.split())  # whitespace is collapsed; the rest kept
    assert loaded["network"]["name"].upper() == expected.upper()
    assert loaded["practices"][0]["name"].upper() == expected.upper()
    assert loaded["network"]["commissioner"].upper() == f"{expected} (99A)".upper()


@pytest.mark.parametrize(
    "text",
    [
        *AWKWARD_NAMES,
        "",
        " leading",
        "trailing ",
        "line\nbreak",
        "carriage\rreturn",
        "nul\x00char",
        "bell\x07",
        "del\x7f",
        "next\x85line",
        "line\u2028separator",
        "para\u2029graph",
        "bom\ufeff",
        "emoji \U0001f600",
        "surrogate-free \uffff",
        "Central Liverpool PCN",
        "y",
        "n",
        "Off",
        "null",
        "~",
    ],
)
def test_yaml_string_round_trips(text: str) -> None:
    scalar = yaml_string(text)
    assert "\n" not in scalar
    assert yaml.safe_load(f"key: {scalar}   # comment") == {"key": text}


@pytest.mark.parametrize(
    ("text", "scalar"),
    [
        ("Central Liverpool PCN", "Central Liverpool PCN"),
        ("St John's Health Centre", "St John's Health Centre"),
        ("NHS Liverpool CCG (99A)", "NHS Liverpool CCG (99A)"),
        ("A81001", "A81001"),
        ("Phoenix @ Panacea NEL PCN", "Phoenix @ Panacea NEL PCN"),
        ("Key: value", '"Key: value"'),
        ("Yes", '"Yes"'),
        ('Say "hi"', '"Say \\"hi\\""'),
        ("4 Doncaster PCN", "4 Doncaster PCN"),
    ],
)
def test_yaml_string_is_plain_only_when_safe(text: str, scalar: str) -> None:
    assert yaml_string(text) == scalar


@pytest.mark.parametrize(
    ("date", "year"),
    [
        (dt.date(2019, 1, 1), "2019/20"),
        (dt.date(2021, 1, 1), "2021/22"),
        (dt.date(2099, 1, 1), "2099/00"),
        (dt.date(2026, 4, 1), "2026/27"),
    ],
)
def test_contract_year(date: dt.date, year: str) -> None:
    assert contract_year(date) == year


@pytest.mark.parametrize(
    ("code", "name", "label"),
    [
        ("99A", "NHS LIVERPOOL CCG", "NHS Liverpool CCG (99A)"),
        ("99A", "NHS CHESHIRE AND MERSEYSIDE ICB - 99A", "NHS Cheshire and Merseyside ICB (99A)"),
        ("", "NHS LIVERPOOL CCG", "NHS Liverpool CCG"),
        ("99A", "", "99A"),
        ("", "", None),
    ],
)
def test_commissioner_label(code: str, name: str, label: str | None) -> None:
    network = Network("U00001", "X PCN", code, name, None, [])
    assert commissioner_label(network) == label


def test_the_year_and_the_commissioner_are_marked_as_old_national_data() -> None:
    lines = spaced(make_text().splitlines())
    assert (
        "contract_year: 2021/22 # check: from the national list sizes of 2021-01-01, old data: "
        "set the year you are agreeing, with that year's list sizes"
    ) in lines
    assert (
        "commissioner: NHS Testtown CCG (99A) # check: from ePCN-2019-12.xlsx, old national "
        "data; commissioners have changed since"
    ) in lines


def test_a_newer_commissioner_code_in_the_list_file_is_used_and_said() -> None:
    sizes = ListSizes(
        {"A81001": 12345, "Y02657": 6789},
        dt.date(2021, 1, 1),
        commissioners={"A81001": "27D", "Y02657": "27D"},
    )
    text = make_text(sizes=sizes)
    assert yaml.safe_load(text)["network"]["commissioner"] == "27D"
    assert "newer than ePCN-2019-12.xlsx's NHS Testtown CCG (99A)" in text
    same = ListSizes(sizes.sizes, sizes.extract_date, commissioners={"A81001": "99A"})
    assert yaml.safe_load(make_text(sizes=same))["network"]["commissioner"] == (
        "NHS Testtown CCG (99A)"
    )


def test_an_implausibly_small_list_is_flagged() -> None:
    sizes = ListSizes({"A81001": 12345, "Y02657": 40}, dt.date(2021, 1, 1))
    lines = spaced(make_text(sizes=sizes).splitlines())
    assert "list_size: 40 # check: only 40 patients; is the practice closing or merging?" in lines
    assert not any(line.startswith("list_size: 12345 # check") for line in lines)
