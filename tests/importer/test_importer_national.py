"""The importer on the real national files in ../shared/data, checked against the raw files.

The raw files are read here again, independently of the importer (openpyxl for the
workbook, the csv module for the list sizes), so the figures are checked, not repeated.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pcndocs.importer import import_networks

pytestmark = pytest.mark.national

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
EPCN = DATA / "ePCN-2019-12.xlsx"
LISTS = DATA / "gp-reg-pat-prac-all-2021-01.csv"
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Raw:
    """The raw national files: networks, their practices, and the list sizes."""

    network_names: dict[str, str]
    members: dict[str, set[str]]
    sizes: dict[str, int]


@pytest.fixture(scope="module")
def raw() -> Raw:
    """Return the national files read directly, or skip when they are not there."""
    if not (EPCN.is_file() and LISTS.is_file()):
        pytest.skip(f"national files not found in {DATA.resolve()}")
    import openpyxl  # type: ignore[import-untyped, unused-ignore]

    workbook = openpyxl.load_workbook(EPCN, read_only=True, data_only=True)
    try:
        details = list(workbook["PCN Details"].iter_rows(values_only=True))
        partners = list(workbook["PCN Core Partner Details"].iter_rows(values_only=True))
    finally:
        workbook.close()
    code, name = details[0].index("PCN Code"), details[0].index("PCN Name")
    network_names = {row[code]: row[name] for row in details[1:]}
    practice, network = (
        partners[0].index("Partner Organisation Code"),
        partners[0].index("PCN Code"),
    )
    members: dict[str, set[str]] = defaultdict(set)
    for row in partners[1:]:
        members[row[network]].add(row[practice])
    with LISTS.open(newline="", encoding="utf-8") as handle:
        sizes = {r["CODE"]: int(r["NUMBER_OF_PATIENTS"]) for r in csv.DictReader(handle)}
    return Raw(network_names, dict(members), sizes)


def load(path: Path) -> dict[str, Any]:
    """Return a written profile, loaded with the fast loader where there is one."""
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize(
    ("code", "file_name", "name", "commissioner"),
    [
        ("U35980", "central-liverpool-pcn.yaml", "Central Liverpool PCN",
         "NHS Liverpool CCG (99A)"),
        ("U36299", "alpha-pcn.yaml", "Alpha PCN", "NHS Herts Valleys CCG (06N)"),
        ("U12754", "south-east-oxford-health-alliance-seoxha-pcn.yaml",
         "South East Oxford Health Alliance (SEOxHA) PCN", "NHS Oxfordshire CCG (10Q)"),
    ],
)  # fmt: skip
def test_three_named_networks(
    raw: Raw, tmp_path: Path, code: str, file_name: str, name: str, commissioner: str
) -> None:
    report = import_networks(EPCN, LISTS, [code], [], False, tmp_path)
    assert report.written == [tmp_path / file_name]
    profile = load(tmp_path / file_name)
    assert profile["network"]["name"] == name
    assert profile["network"]["code"] == code
    assert profile["network"]["commissioner"] == commissioner
    assert str(profile["network"]["population_date"]) == "2021-01-01"
    assert profile["contract_year"] == "2021/22"
    members = raw.members[code]
    assert {p["ods_code"] for p in profile["practices"]} == members
    for practice in profile["practices"]:
        assert practice["list_size"] == raw.sizes.get(practice["ods_code"])
    population = sum(raw.sizes.get(m, 0) for m in members)
    assert report.population == population
    assert sum(p["list_size"] or 0 for p in profile["practices"]) == population
    missing = sorted(m for m in members if m not in raw.sizes)
    assert report.missing_list_sizes == len(missing)
    assert sorted(re.findall(r", (\w\d{5})\) has no list size", " ".join(report.problems))) == (
        missing
    )


def test_all_networks(raw: Raw, tmp_path: Path) -> None:
    report = import_networks(EPCN, LISTS, [], [], True, tmp_path)
    # The facts: 1,250 networks in the December 2019 file; 194 practices without a list size.
    assert len(raw.network_names) == 1250
    assert report.networks == len(report.written) == len(list(tmp_path.iterdir())) == 1250
    members = {m for ms in raw.members.values() for m in ms}
    assert report.practices == len(members) == sum(len(ms) for ms in raw.members.values())
    missing = {m for m in members if m not in raw.sizes}
    assert len(missing) == 194
    assert report.missing_list_sizes == 194
    reported = re.findall(r", (\w\d{5})\) has no list size in ", "\n".join(report.problems))
    assert sorted(reported) == sorted(missing)
    # Every imported list size, summed from the written files, against the raw CSV.
    expected_population = sum(raw.sizes[m] for m in members if m in raw.sizes)
    written_population = 0
    written_codes: set[str] = set()
    for path in report.written:
        profile = load(path)
        assert profile["network"]["name"]
        written_codes.add(profile["network"]["code"])
        written_population += sum(p["list_size"] or 0 for p in profile["practices"])
    assert written_codes == set(raw.network_names)
    assert written_population == report.population == expected_population
