"""The network's own Core PCN Funding rate in two parts (from 2024/25).

From 2024/25 Core PCN Funding is paid partly for each registered patient and partly for each
patient of the adjusted population. A profile that states both parts of its own rate
(funding.core_rate_per_registered_patient and core_rate_per_adjusted_patient) gets its own
figure, worked out and called the network's own, never an estimate; one rate a patient stays an
estimate (split as the national rate was) and `check` suggests the two parts; a part that cannot
be used (alone, beside core_pcn_funding, or in a year before Core PCN Funding) is named by
`check` with the reason. The documents are read back as a user opens them: DOCX and HTML.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from tests.test_figure_sources import TODAY, WriteProfile, read_docx, year_profile

PARTS = {"core_rate_per_registered_patient": 2.3, "core_rate_per_adjusted_patient": 0.8}
# £2.30 × 59,126 registered patients + £0.80 × 60,000 adjusted population = £183,989.80
WORKING = "£2.30 × 59,126 registered patients + £0.80 × 60,000 adjusted population"
SUM = "£183,990"
DOCUMENTS = ("leadership-summary", "cd-job-description")


def _html_text(path: Path) -> str:
    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(unescape(text).split()).replace("’", "'")


def _read_back(
    write_profile: WriteProfile, tmp_path: Path, data: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """Build the summary and job description as DOCX and HTML; return each one's text by format."""
    options = BuildOptions(tmp_path / "out", ("docx", "html"), DOCUMENTS, today=TODAY)
    result = build_profile(write_profile(data), options)
    found: dict[str, dict[str, str]] = {"docx": {}, "html": {}}
    for path in result.written:
        if path.suffix == ".docx":
            found["docx"][path.stem] = read_docx(path)
        elif path.suffix == ".html":
            found["html"][path.stem] = _html_text(path)
    assert all(set(texts) == set(DOCUMENTS) for texts in found.values()), found.keys()
    return found


def _check(write_profile: WriteProfile, data: dict[str, Any]) -> str:
    result = CliRunner().invoke(cli, ["check", str(write_profile(data))])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _profile(example_data: dict[str, Any], year: str, **funding: Any) -> dict[str, Any]:
    data = year_profile(example_data, year)
    data["funding"] = funding
    return data


@pytest.mark.parametrize("year", ["2024/25", "2026/27"])
def test_both_parts_give_the_networks_own_figure_not_an_estimate(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path, year: str
) -> None:
    """In a year with a national rate (2024/25) and one without (2026/27), the two parts
    the network states are the figure: its own, with its working, in DOCX and HTML alike."""
    data = _profile(example_data, year, adjusted_population=60_000, **PARTS)
    for fmt, texts in _read_back(write_profile, tmp_path, data).items():
        summary, jd = texts["leadership-summary"], texts["cd-job-description"]
        assert f"{SUM} (at the network's own rate)" in summary, fmt
        line = f"Core PCN Funding for {year}, {SUM}: {WORKING}. Worked out by pcndocs at the "
        assert f"{line}network's own rate, as its profile states it" in jd, fmt
        # Never the split of one rate, nor the national rate, nor the word estimate beside it.
        assert "split as the national rate" not in summary + jd, fmt
        assert f"{SUM} (estimate)" not in summary, fmt
        assert "£2.218 ×" not in jd and "£2.2568 ×" not in jd, fmt
    checked = _check(write_profile, data)
    assert "has no effect" not in checked
    assert "rests on" not in checked  # no estimate to replace


def test_both_parts_without_the_adjusted_population_are_not_worked_out(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = _profile(example_data, "2026/27", **PARTS)
    texts = _read_back(write_profile, tmp_path, data)["docx"]
    summary, jd = texts["leadership-summary"], texts["cd-job-description"]
    assert "Not worked out: the profile does not give the adjusted population" in summary
    assert (
        "Core PCN Funding for 2026/27: £2.30 × 59,126 registered patients, plus £0.80 for each "
        "patient of the adjusted population, which the profile does not give. The network's own "
        "rate, as its profile states it" in jd
    )
    assert "Worked out by pcndocs at the network's own rate" not in jd  # nothing was
    assert (
        "funding: the Core PCN Funding for 2026/27 is not worked out: the network's rate is paid "
        "partly for each patient of the adjusted population, which the profile does not give "
        "(funding.adjusted_population)" in _check(write_profile, data)
    )


def test_one_rate_a_patient_stays_an_estimate_and_check_suggests_the_two_parts(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = _profile(example_data, "2026/27", adjusted_population=60_000, core_rate_per_patient=3.1)
    texts = _read_back(write_profile, tmp_path, data)["html"]
    assert "£183,939 (estimate)" in texts["leadership-summary"]
    assert "split as the national rate of 2024/25 was: 76%" in texts["cd-job-description"]
    assert (
        "state the network's own figure (funding.core_pcn_funding), or the two parts of its rate "
        "(funding.core_rate_per_registered_patient and funding.core_rate_per_adjusted_patient), "
        "if it has them" in _check(write_profile, data)
    )


def _summary(write_profile: WriteProfile, tmp_path: Path, data: dict[str, Any]) -> str:
    options = BuildOptions(tmp_path / "out", ("html",), ("leadership-summary",), today=TODAY)
    (path,) = build_profile(write_profile(data), options).written
    return _html_text(path)


@pytest.mark.parametrize(
    ("year", "funding", "key", "why"),
    [
        # One part alone: the documents use the rest of the profile, as if it were not there.
        (
            "2026/27",
            {"adjusted_population": 60_000, "core_rate_per_registered_patient": 2.3},
            "core_rate_per_registered_patient",
            "£2.3 has no effect: core_rate_per_adjusted_patient is not given, and Core PCN "
            "Funding is paid partly for each registered patient and partly for each patient of "
            "the adjusted population, so the documents use the network's rate only when both "
            "parts are given",
        ),
        (
            "2026/27",
            {"core_pcn_funding": 177_500, "core_rate_per_adjusted_patient": 0.8},
            "core_rate_per_adjusted_patient",
            "£0.8 has no effect: core_pcn_funding states the year's Core PCN Funding, which takes "
            "its place",
        ),
        # Before 2024/25 there was no Core PCN Funding: the core payment had one rate.
        (
            "2023/24",
            {"adjusted_population": 60_000, "core_rate_per_adjusted_patient": 0.8},
            "core_rate_per_adjusted_patient",
            "£0.8 has no effect: 2023/24 has no Core PCN Funding, which began in 2024/25; its "
            "core payment was one rate for each registered patient (core_rate_per_patient), with "
            "no part for the adjusted population",
        ),
        (
            "2021/22",
            {"adjusted_population": 60_000, "core_rate_per_registered_patient": 2.3},
            "core_rate_per_registered_patient",
            "£2.3 has no effect: 2021/22 has no Core PCN Funding, which began in 2024/25; its "
            "core payment was one rate for each registered patient (core_rate_per_patient)",
        ),
    ],
)
def test_a_part_that_cannot_be_used_changes_nothing_and_check_says_why(
    example_data: dict[str, Any],
    write_profile: WriteProfile,
    tmp_path: Path,
    year: str,
    funding: dict[str, Any],
    key: str,
    why: str,
) -> None:
    data = _profile(example_data, year, **funding)
    without = _profile(example_data, year, **{k: v for k, v in funding.items() if k != key})
    assert _summary(write_profile, tmp_path / "with", data) == _summary(
        write_profile, tmp_path / "without", without
    )
    assert f"funding.{key}: {why}" in _check(write_profile, data)


def test_both_parts_take_the_place_of_one_rate_a_patient(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = _profile(
        example_data, "2026/27", adjusted_population=60_000, core_rate_per_patient=3.1, **PARTS
    )
    assert f"{SUM} (at the network's own rate)" in _summary(write_profile, tmp_path, data)
    assert (
        "funding.core_rate_per_patient: £3.1 has no effect: core_rate_per_registered_patient and "
        "core_rate_per_adjusted_patient state the two parts of the network's rate, which take "
        "its place" in _check(write_profile, data)
    )
