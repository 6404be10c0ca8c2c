"""import_networks: selection, the files written, and the report of problems."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from pcndocs.errors import OutputError, PcndocsError
from pcndocs.files import slug
from pcndocs.importer import ImportReport, import_networks

from .sample_files import AS_OF


def run(
    epcn: Path,
    lists: Path | None,
    out: Path,
    pcn: tuple[str, ...] = (),
    ccg: tuple[str, ...] = (),
    everything: bool = False,
    overwrite: bool = False,
) -> ImportReport:
    """Return the report of an import on the fixture day."""
    return import_networks(epcn, lists, pcn, ccg, everything, out, overwrite=overwrite, as_of=AS_OF)


def load(path: Path) -> dict[str, Any]:
    """Return a written profile, loaded."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_import_all_2019(epcn_2019: Path, lists_2021: Path, tmp_path: Path) -> None:
    out = tmp_path / "profiles"
    report = run(epcn_2019, lists_2021, out, everything=True)
    assert [p.name for p in report.written] == [
        "barrow-in-furness-pcn.yaml",
        "central-testtown-pcn.yaml",
        "st-john-s-north-1-pcn.yaml",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in report.written)
    assert (report.networks, report.practices, report.missing_list_sizes) == (3, 6, 2)
    assert report.population == 12345 + 6789 + 2500 + 8000
    assert report.problems == [
        (
            "Barrow-in-Furness PCN (U00003): practice 2 (Testtown Community Trust, RXX01) does "
            "not have a GP practice code; kept"
        ),
        (
            "Barrow-in-Furness PCN (U00003): practice 2 (Testtown Community Trust, RXX01) has no "
            "list size in gp-reg-pat-prac-all-2021-01.csv"
        ),
        (
            'St John\'s: "North" #1 PCN (U00002): practice 1 (No List Surgery, A00005) has no '
            "list size in gp-reg-pat-prac-all-2021-01.csv"
        ),
    ]
    # The report numbers a practice as the profile written lists it.
    barrow = load(out / "barrow-in-furness-pcn.yaml")
    assert barrow["practices"][1]["ods_code"] == "RXX01"
    central = load(out / "central-testtown-pcn.yaml")
    assert central["network"] == {
        "name": "Central Testtown PCN",
        "code": "U00001",
        "commissioner": "NHS Testtown CCG (99A)",
        "population_date": dt.date(2021, 1, 1),
        "nominated_payee": None,
    }
    assert central["contract_year"] == "2021/22"
    # A00003 left on 31 March 2020: not a member, not reported, not counted.
    assert central["practices"] == [
        {"name": "Dr A Patel's Practice", "ods_code": "A00002", "list_size": 6789},
        {"name": "The Example Surgery", "ods_code": "A00001", "list_size": 12345},
    ]
    awkward = load(out / "st-john-s-north-1-pcn.yaml")
    assert awkward["network"]["name"] == 'St John\'s: "North" #1 PCN'
    assert awkward["practices"] == [
        {"name": "No List Surgery", "ods_code": "A00005", "list_size": None},
        {"name": "St John's Health Centre", "ods_code": "Y00004", "list_size": 2500},
    ]


def test_import_later_layouts(epcn_later: Path, lists_later: Path, tmp_path: Path) -> None:
    report = run(epcn_later, lists_later, tmp_path, ccg=("27d",))
    assert [p.name for p in report.written] == ["riverside-pcn.yaml"]
    riverside = load(tmp_path / "riverside-pcn.yaml")
    assert riverside["network"] == {
        "name": "Riverside PCN",
        "code": "U00010",
        "commissioner": "NHS Cheshire and Merseyside ICB (27D)",
        "population_date": dt.date(2026, 4, 1),
        "nominated_payee": None,
    }
    assert riverside["contract_year"] == "2026/27"
    assert riverside["practices"] == [
        {"name": "Dr A Patel's Practice", "ods_code": "A00002", "list_size": 7001},
        {"name": "Riverside Medical Centre", "ods_code": "A00008", "list_size": 15002},
    ]
    assert report.population == 22003
    assert report.problems == [
        (
            "gp-reg-pat-prac-all.csv: list sizes are of 2026-04-01, not 1 January; "
            "check each contract_year"
        )
    ]


def test_select_by_pcn_and_commissioner_codes(
    epcn_2019: Path, lists_2021: Path, tmp_path: Path
) -> None:
    report = run(epcn_2019, lists_2021, tmp_path, pcn=("u00003", "U00003"), ccg=("99A",))
    assert [p.name for p in report.written] == [
        "barrow-in-furness-pcn.yaml",
        "central-testtown-pcn.yaml",
        "st-john-s-north-1-pcn.yaml",
    ]


def test_codes_not_in_the_file_are_reported(
    epcn_2019: Path, lists_2021: Path, tmp_path: Path
) -> None:
    report = run(
        epcn_2019, lists_2021, tmp_path, pcn=("U00001", "U99999", "U00004", "01K"), ccg=("00X",)
    )
    assert [p.name for p in report.written] == ["central-testtown-pcn.yaml"]
    assert report.problems == [
        "U99999: no network with this PCN code in ePCN-2019-12.xlsx",
        "U00004: network closed on 2020-03-31",
        "01K: a commissioner code, not a PCN code, in ePCN-2019-12.xlsx",
        "00X: no open network with this commissioner code in ePCN-2019-12.xlsx",
    ]


@pytest.mark.parametrize(
    ("pcn", "ccg", "message"),
    [
        ((), (), "nothing to import: give PCN codes, commissioner (CCG or Sub ICB) codes, or all"),
        (
            ("U99999",),
            (),
            "nothing to import: U99999: no network with this PCN code in ePCN-2019-12.xlsx",
        ),
        (
            ("U99999",),
            ("00X",),
            (
                "nothing to import: U99999: no network with this PCN code in ePCN-2019-12.xlsx; "
                "00X: no open network with this commissioner code in ePCN-2019-12.xlsx"
            ),
        ),
    ],
)
def test_empty_selection_is_an_error(
    epcn_2019: Path,
    lists_2021: Path,
    tmp_path: Path,
    pcn: tuple[str, ...],
    ccg: tuple[str, ...],
    message: str,
) -> None:
    out = tmp_path / "out"
    with pytest.raises(PcndocsError) as caught:
        run(epcn_2019, lists_2021, out, pcn=pcn, ccg=ccg)
    assert str(caught.value) == message
    assert not out.exists()  # nothing written before the selection is known


def test_without_a_list_file(epcn_2019: Path, tmp_path: Path) -> None:
    report = run(epcn_2019, None, tmp_path, pcn=("U00001",))
    assert report.problems == ["no list-size file given: every list size is to be filled in"]
    assert (report.population, report.missing_list_sizes) == (0, 0)
    profile = load(tmp_path / "central-testtown-pcn.yaml")
    assert profile["contract_year"] is None


def test_existing_profile_is_kept_unless_overwrite(
    epcn_2019: Path, lists_2021: Path, tmp_path: Path
) -> None:
    edited = tmp_path / "central-testtown-pcn.yaml"
    edited.write_text("network: {name: My edits}\n", encoding="utf-8")
    report = run(epcn_2019, lists_2021, tmp_path, pcn=("U00001",))
    assert report.written == []
    assert report.kept == [edited]
    assert report.problems == [
        f"{edited}: already exists; left unchanged (overwrite not asked for)"
    ]
    assert edited.read_text(encoding="utf-8") == "network: {name: My edits}\n"
    report = run(epcn_2019, lists_2021, tmp_path, pcn=("U00001",), overwrite=True)
    assert report.written == [edited]
    assert load(edited)["contract_year"] == "2021/22"


def test_files_are_written_whole_and_readable(
    epcn_2019: Path, lists_2021: Path, tmp_path: Path
) -> None:
    out = tmp_path / "a" / "b"
    run(epcn_2019, lists_2021, out, everything=True)
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".")]  # no temporary files left
    if os.name == "posix":
        # Like any file the user creates, not private as temporary files are.
        umask = os.umask(0)
        os.umask(umask)
        assert (out / names[0]).stat().st_mode & 0o777 == 0o666 & ~umask


def test_output_folder_that_is_a_file(epcn_2019: Path, lists_2021: Path, tmp_path: Path) -> None:
    out = tmp_path / "file"
    out.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match=r"is a file, not a folder; cannot write documents"):
        run(epcn_2019, lists_2021, out, everything=True)


def test_networks_with_the_same_name_get_their_code(tmp_path: Path) -> None:
    from .sample_files import EPCN_2019_DETAILS, EPCN_2019_PARTNERS, write_xlsx

    details = [*EPCN_2019_DETAILS, ("U00005", "CENTRAL TESTTOWN PCN", "01K", "X", 20191001)]
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": details, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    report = run(path, None, tmp_path / "out", ccg=("99A", "01K"))
    assert [p.name for p in report.written] == [
        "barrow-in-furness-pcn.yaml",
        "central-testtown-pcn-u00001.yaml",
        "central-testtown-pcn-u00005.yaml",
        "st-john-s-north-1-pcn.yaml",
    ]
    assert "Central Testtown PCN (U00005): no current member practices" in report.problems


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Central Liverpool PCN", "central-liverpool-pcn"),
        ('St John\'s: "North" #1 PCN', "st-john-s-north-1-pcn"),
        ("  --Café Été--  ", "cafe-ete"),
        ("../../etc/passwd", "etc-passwd"),
    ],
)
def test_slug(name: str, stem: str) -> None:
    assert slug(name) == stem


def test_a_name_with_no_letters_still_gets_its_own_file_name() -> None:
    assert slug("***").startswith("network-")
    assert slug("***") != slug("+++")


@pytest.mark.e2e
def test_importing_the_package_does_not_load_openpyxl() -> None:
    import subprocess
    import sys

    code = "import sys, pcndocs.importer; print('openpyxl' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False"


def test_a_newer_commissioner_and_a_tiny_list_are_reported(
    epcn_2019: Path, lists_2021: Path, tmp_path: Path
) -> None:
    # Barrow-in-Furness's practices moved from 01K to a new commissioner, 42X; one is closing.
    text = lists_2021.read_text(encoding="utf-8").replace(",01K,", ",42X,")
    lists_2021.write_text(
        text.replace("A00006,LA15 1AA,ALL,ALL,8000", "A00006,LA15 1AA,ALL,ALL,12")
    )
    out = tmp_path / "out"
    report = import_networks(epcn_2019, lists_2021, ["U00003"], [], False, out, as_of=AS_OF)
    assert (
        "Barrow-in-Furness PCN (U00003): commissioner 01K in the ePCN file, 42X in "
        "gp-reg-pat-prac-all-2021-01.csv of 2021-01-01; used 42X, the newer"
    ) in report.problems
    assert (
        "Barrow-in-Furness PCN (U00003): practice 1 (Dalton-in-Furness Surgery, A00006) has only "
        "12 "
        "registered patients in gp-reg-pat-prac-all-2021-01.csv; is it closing or merging? "
        "check before it is counted"
    ) in report.problems
    (profile,) = out.glob("*.yaml")
    assert yaml.safe_load(profile.read_text(encoding="utf-8"))["network"]["commissioner"] == (
        "42X, formerly NHS Morecambe Bay CCG (01K)"
    )
