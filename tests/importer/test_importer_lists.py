"""Reading NHS Digital's list sizes in the CCG and Sub ICB Location layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pcndocs.errors import InputFileError
from pcndocs.importer.lists import ListSizes, read_list_sizes

HEADER_2021 = (
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS"
)


def test_2021_layout(lists_2021: Path) -> None:
    assert read_list_sizes(lists_2021) == ListSizes(
        sizes={
            "A00001": 12345,
            "A00002": 6789,
            "A00003": 4000,
            "Y00004": 2500,
            "A00006": 8000,
            "A00007": 3000,
        },
        extract_date=dt.date(2021, 1, 1),
        # The CCG each practice belonged to on the extract date.
        commissioners={
            "A00001": "99A",
            "A00002": "99A",
            "A00003": "99A",
            "Y00004": "99A",
            "A00006": "01K",
            "A00007": "01K",
        },
    )


def test_later_layout_keeps_practice_totals_only(lists_later: Path) -> None:
    assert read_list_sizes(lists_later) == ListSizes(
        sizes={"A00001": 12500, "A00002": 7001, "A00008": 15002},
        extract_date=dt.date(2026, 4, 1),
        # The Sub ICB Location: A00002 has moved from 99A to 27D since the ePCN file.
        commissioners={"A00001": "99A", "A00002": "27D", "A00008": "27D"},
    )


def test_file_without_type_sex_or_age_columns(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(
        "Extract Date,Practice Code,Number of Patients\n01-Apr-2024,a00001,100\n", encoding="utf-8"
    )
    assert read_list_sizes(path) == ListSizes({"A00001": 100}, dt.date(2024, 4, 1))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no CODE column; not a 'Patients Registered' CSV file?"),
        ("PRACTICE,PATIENTS\nA00001,5\n", "no CODE column; not a 'Patients Registered' CSV file?"),
        ("CODE,EXTRACT_DATE\nA00001,01JAN2021\n", "no NUMBER_OF_PATIENTS column"),
        ("CODE,NUMBER_OF_PATIENTS\nA00001,5\n", "no EXTRACT_DATE column"),
        (HEADER_2021 + "\n", "no practice rows"),
        (
            HEADER_2021 + "\nP,01JAN2021,GP,99A,E1,A00001,X,ALL,ALL,twelve\n",
            "line 2: NUMBER_OF_PATIENTS 'twelve' for A00001",
        ),
        (
            HEADER_2021 + "\nP,01JAN2021,GP,99A,E1,A00001,X,ALL,ALL,1\u00b2\n",
            "line 2: NUMBER_OF_PATIENTS '1\u00b2' for A00001",
        ),
        (
            HEADER_2021 + "\nP,01JAN2021,GP,99A,E1,A00001,X,ALL,ALL,5"
            "\nP,01JAN2021,GP,99A,E1,A00001,X,ALL,ALL,6\n",
            "line 3: practice A00001 appears twice",
        ),
        (
            HEADER_2021 + "\nP,31FEB2021,GP,99A,E1,A00001,X,ALL,ALL,5\n",
            "line 2: EXTRACT_DATE '31FEB2021' is not a date",
        ),
        (
            HEADER_2021 + "\nP,01JAN2021,GP,99A,E1,A00001,X,ALL,ALL,5"
            "\nP,2021-02-01,GP,99A,E1,A00002,X,ALL,ALL,6\n",
            "more than one EXTRACT_DATE (2021-01-01, 2021-02-01)",
        ),
    ],
    ids=["empty", "other-csv", "no-patients", "no-date", "no-rows", "bad-number", "superscript",
         "twice", "bad-date", "two-dates"],
)  # fmt: skip
def test_unusable_csv_raises_input_file_error(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "lists.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_list_sizes(path)
    assert caught.value.reason == reason


def test_missing_folder_and_binary_files(tmp_path: Path, epcn_2019: Path) -> None:
    with pytest.raises(InputFileError, match=r"no such file$"):
        read_list_sizes(tmp_path / "absent.csv")
    with pytest.raises(InputFileError, match=r"is a folder, not a list-size .csv file$"):
        read_list_sizes(tmp_path)
    with pytest.raises(InputFileError, match=r"not a text CSV file$"):
        read_list_sizes(epcn_2019)


def test_a_file_of_millions_of_practices_is_refused_at_once(tmp_path: Path) -> None:
    from pcndocs.importer.lists import MAX_PRACTICES

    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("EXTRACT_DATE,TYPE,CODE,SEX,AGE,NUMBER_OF_PATIENTS\n")
        for number in range(MAX_PRACTICES + 10):  # as if it went on to two million rows
            stream.write(f"01JAN2021,GP,Z{number:07d},ALL,ALL,5000\n")
    with pytest.raises(InputFileError) as caught:
        read_list_sizes(path)
    assert str(caught.value) == (
        f"{path}: line {MAX_PRACTICES + 2}: more than {MAX_PRACTICES:,} practices; England has "
        "about 6,300 (is this the 'Patients Registered at a GP Practice' file?)"
    )
