"""Reading the ePCN workbook in its December 2019 and later layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pcndocs.errors import InputFileError
from pcndocs.importer.epcn import Network, Partner, read_epcn

from .sample_files import AS_OF, EPCN_2019_DETAILS, EPCN_2019_PARTNERS, write_xlsx


def test_2019_layout_networks_and_current_partners(epcn_2019: Path) -> None:
    epcn = read_epcn(epcn_2019, AS_OF)
    assert [n.code for n in epcn.networks] == ["U00001", "U00002", "U00003"]
    assert epcn.networks[0] == Network(
        code="U00001",
        name="CENTRAL TESTTOWN PCN",
        commissioner_code="99A",
        commissioner_name="NHS TESTTOWN CCG",
        open_date=dt.date(2019, 10, 1),
        practices=[
            Partner("A00001", "THE EXAMPLE SURGERY"),
            Partner("A00002", "DR A PATEL'S PRACTICE"),
        ],
    )
    assert epcn.networks[1].name == 'ST JOHN\'S: "NORTH" #1 PCN'
    assert epcn.networks[2].open_date == dt.date(2019, 12, 1)
    assert [p.code for p in epcn.networks[2].practices] == ["RXX01", "A00006"]
    assert epcn.problems == []


def test_2019_layout_leaves_out_ended_relationships_and_closed_networks(epcn_2019: Path) -> None:
    epcn = read_epcn(epcn_2019, AS_OF)
    all_codes = {p.code for n in epcn.networks for p in n.practices}
    assert "A00003" not in all_codes
    assert epcn.ended_relationships == 1
    assert [(n.code, n.close_date) for n in epcn.closed_networks] == [
        ("U00004", dt.date(2020, 3, 31))
    ]
    assert epcn.closed_networks[0].practices == [Partner("A00007", "OLD TOWN SURGERY")]


def test_relationship_ending_later_is_kept(epcn_2019: Path) -> None:
    before_end = read_epcn(epcn_2019, dt.date(2020, 3, 31))
    assert [p.code for p in before_end.networks[0].practices] == ["A00001", "A00002", "A00003"]
    assert before_end.ended_relationships == 0
    assert [n.code for n in before_end.networks] == ["U00001", "U00002", "U00003", "U00004"]


def test_later_layout_with_sub_icb_columns_and_broken_headers(epcn_later: Path) -> None:
    epcn = read_epcn(epcn_later, AS_OF)
    assert epcn.networks == [
        Network(
            code="U00001",
            name="CENTRAL TESTTOWN PCN",
            commissioner_code="99A",
            commissioner_name="NHS CHESHIRE AND MERSEYSIDE ICB - 99A",
            open_date=dt.date(2019, 10, 1),
            practices=[Partner("A00001", "THE EXAMPLE SURGERY")],
        ),
        Network(
            code="U00010",
            name="RIVERSIDE PCN",
            commissioner_code="27D",
            commissioner_name="NHS CHESHIRE AND MERSEYSIDE ICB - 27D",
            open_date=dt.date(2023, 4, 1),
            practices=[
                Partner("A00002", "DR A PATEL'S PRACTICE"),
                Partner("A00008", "RIVERSIDE MEDICAL CENTRE"),
            ],
        ),
    ]
    assert epcn.ended_relationships == 1


def test_as_of_defaults_to_today(epcn_later: Path) -> None:
    # A00008's relationship ends on 2030-03-31; both readings agree until then.
    if dt.date.today() > dt.date(2030, 3, 31):
        pytest.skip("the fixture's future end date has passed")
    assert read_epcn(epcn_later).networks == read_epcn(epcn_later, dt.date.today()).networks


def test_partner_of_an_unknown_network_and_duplicates_are_reported(tmp_path: Path) -> None:
    partners = [
        *EPCN_2019_PARTNERS,
        ("A00009", "LOST SURGERY", "99A", "X", "U99999", None, "99A", "X", 20191001, None, True),
        (
            "A00001",
            "THE EXAMPLE SURGERY",
            "99A",
            "X",
            "U00001",
            None,
            "99A",
            "X",
            20191001,
            None,
            True,
        ),
    ]
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": partners},
    )
    epcn = read_epcn(path, AS_OF)
    assert epcn.problems == [
        ("A00009 LOST SURGERY: its network U99999 is not among the networks of e.xlsx; left out"),
        "U00001 CENTRAL TESTTOWN PCN: A00001 THE EXAMPLE SURGERY is listed twice",
    ]
    assert [p.code for p in epcn.networks[0].practices] == ["A00001", "A00002"]


def test_partner_joining_later_is_kept_and_reported(epcn_later: Path) -> None:
    epcn = read_epcn(epcn_later, dt.date(2023, 3, 1))
    riverside = epcn.networks[1]
    assert [p.code for p in riverside.practices] == ["A00002", "A00008"]
    assert epcn.problems == [
        "U00010 RIVERSIDE PCN: A00002 DR A PATEL'S PRACTICE joins on 2023-04-01; included",
        "U00010 RIVERSIDE PCN: A00008 RIVERSIDE MEDICAL CENTRE joins on 2023-04-01; included",
    ]


def test_unreadable_date_is_reported(tmp_path: Path) -> None:
    partners = [
        *EPCN_2019_PARTNERS[:2],
        ("A00002", "DR A PATEL'S PRACTICE", "99A", "X", "U00001", None, "99A", "X", 20191001,
         "soon", True),
    ]  # fmt: skip
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": partners},
    )
    epcn = read_epcn(path, AS_OF)
    assert epcn.problems == ["A00002 DR A PATEL'S PRACTICE: end date 'soon' is not a date; ignored"]
    assert [p.code for p in epcn.networks[0].practices] == ["A00001", "A00002"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a folder, not an ePCN .xlsx file"),
        (lambda p: (p.write_text("PCN Code,PCN Name\n"), p)[1], "not an Excel .xlsx workbook"),
        (
            lambda p: write_xlsx(p, {"Sheet1": [("a",)]}),
            "no 'PCN Details' sheet (sheets: 'Sheet1'); not an ePCN file?",
        ),
        (
            lambda p: write_xlsx(
                p, {"PCN Details": EPCN_2019_DETAILS, "PCN Non-Core Partner Details": [("a",)]}
            ),
            (
                "no 'PCN Core Partner Details' sheet "
                "(sheets: 'PCN Details', 'PCN Non-Core Partner Details'); not an ePCN file?"
            ),
        ),
        (
            lambda p: write_xlsx(
                p,
                {
                    "PCN Details": [row[:2] for row in EPCN_2019_DETAILS],
                    "PCN Core Partner Details": EPCN_2019_PARTNERS,
                },
            ),
            "sheet 'PCN Details' has no commissioner code (CCG or Sub ICB Location) column",
        ),
        (
            lambda p: write_xlsx(
                p, {"PCN Details": [("Code", "Name")], "PCN Core Partner Details": [("x",)]}
            ),
            "sheet 'PCN Details' has no 'PCN Code' column",
        ),
    ],
    ids=["missing", "folder", "csv", "no-sheets", "non-core-only", "no-ccg-column", "no-header"],
)
def test_unusable_files_raise_input_file_error(tmp_path: Path, make: object, reason: str) -> None:
    path = tmp_path / "ePCN.xlsx"
    assert callable(make)
    make(path)
    with pytest.raises(InputFileError) as caught:
        read_epcn(path, AS_OF)
    assert caught.value.reason == reason
    assert str(caught.value) == f"{path}: {reason}"
    assert "\n" not in str(caught.value)


def test_a_pcn_code_listed_twice_is_reported_and_only_the_first_imported(tmp_path: Path) -> None:
    twin = ("U00001", "ANOTHER PCN", "99A", "NHS TESTTOWN CCG", 20191001, None)
    details = [*EPCN_2019_DETAILS, (*twin, "2 LOW ST", None, None, "TESTTOWN", None, "TT1 1AB")]
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": details, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    epcn = read_epcn(path, AS_OF)
    assert [n.name for n in epcn.networks if n.code == "U00001"] == ["CENTRAL TESTTOWN PCN"]
    assert (
        "U00001: listed twice in 'PCN Details' ('CENTRAL TESTTOWN PCN' and 'ANOTHER PCN'); "
        "only the first is imported"
    ) in epcn.problems


def test_a_sheet_of_too_many_rows_is_refused_naming_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pcndocs.importer import epcn

    monkeypatch.setattr(epcn, "MAX_SHEET_ROWS", 3)
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": EPCN_2019_DETAILS * 2, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    with pytest.raises(InputFileError) as caught:
        read_epcn(path, AS_OF)
    assert str(caught.value) == (
        f"{path}: sheet 'PCN Details', row 4: more than 3 rows; the national file has a few "
        "thousand (is this the ePCN file?)"
    )
