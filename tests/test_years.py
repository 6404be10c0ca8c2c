"""How every document words the money, contract year by contract year, 2019/20 to 2027/28.

Read back from the DOCX a user receives. The rules come from pcn-facts.md ("checked
2026-11"): a separate clinical director payment until 2023/24 (for 9 months in 2019/20), no
money "received for the role" from 2024/25, the 0.25 WTE per 50,000 basis called a benchmark
from then, and the pay the network agrees always apart from the funding.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, BuildResult, load
from pcndocs.rules.checks import warnings_for
from pcndocs.rules.facts import load_facts
from tests.readback import docx_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LISTS = (12_345, 9_876, 11_111, 8_642, 11_143)
POPULATION = 53_117
# The clinical director payment per patient, where there was one (pcn-facts.md).
PAYMENT = {
    "2019/20": 0.51430,
    "2020/21": 0.722,
    "2021/22": 0.722,
    "2023/24": 0.72963,
}
YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2019, 2028)]
WriteProfile = Callable[[dict[str, Any] | str], Path]
DOCUMENTS = ("schedule-1", "cd-job-description", "leadership-summary", "lead-role-description")


def money(value: float) -> str:
    """Return pounds as the documents print them."""
    return f"£{round(value):,}"


def profile_of(example_data: dict[str, Any], year: str, **changes: Any) -> dict[str, Any]:
    """Return a one-director network of 53,117 patients in a contract year, paid £320 a session."""
    data = copy.deepcopy(example_data)
    data["contract_year"] = year
    data["network"]["population_date"] = date(int(year[:4]), 1, 1)
    data["practices"] = data["practices"][:5]
    for practice, size in zip(data["practices"], LISTS, strict=True):
        practice["list_size"] = size
    director = data["clinical_directors"][0]
    director.update(session_rate=320, sessions_per_week=2)
    director.pop("funded_share")
    data["clinical_directors"] = [director]
    data["leads"] = [dict(data["leads"][0], funding_stream="other")]
    data["funding"] = {}
    data.update(changes)
    return data


def build(write_profile: WriteProfile, tmp_path: Path, data: dict[str, Any]) -> dict[str, str]:
    """Return the text of each document built from a profile, by file stem."""
    options = BuildOptions(tmp_path / "out", ("docx",), DOCUMENTS, today=TODAY)
    result: BuildResult = build_profile(write_profile(data), options)
    return {p.stem.split("-dr-")[0]: squash(docx_text(p)) for p in result.written}


@pytest.mark.parametrize("year", YEARS)
def test_how_each_year_words_the_money(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any], year: str
) -> None:
    texts = build(write_profile, tmp_path, profile_of(example_data, year))
    job, summary = texts["cd-job-description"], texts["leadership-summary"]
    everything = " ".join(texts.values())
    # Pay is the agreed sessions at the agreed rate, whatever the year: 2 x £320 x 52 weeks.
    pay = 2 * 320 * 52
    assert f"Remuneration | {money(pay)} a year (£320 a session)" in job
    assert f"The network pays the director {money(pay)} a year" in summary
    paid_until_2023_24 = year <= "2023/24"
    assert ("Clinical director payment" in job) == paid_until_2023_24
    if year in PAYMENT:
        payment = money(PAYMENT[year] * POPULATION)
        assert payment in job
        assert payment != money(pay)
        assert f"{payment} a year" not in everything  # the payment is never shown as pay
    if year == "2019/20":
        assert "Clinical director payment for the 9 months" in job
        # The board's view sets 9 months of pay against the 9-month payment.
        assert "Cost for the 9 months" in summary
        assert money(pay * 9 / 12) in summary
        assert (
            "the sum covers the 9 months from 1 July 2019 to 31 March 2020, not a whole year" in job
        )
    elif year == "2022/23":  # two rates in the sources: a range, called an estimate
        assert f"{money(0.722 * POPULATION)} to {money(0.72963 * POPULATION)}" in job
        assert "The figure is an estimate: the sources do not settle which rate applied" in job
    if paid_until_2023_24:
        assert "Paid from | The clinical director payment" in job
    else:
        # The payee receives the network's funding, but nothing is received "for the role".
        assert not re.search(r"receiv[^.]*\bfor (its|the) (clinical director )?role", everything)
        assert "received this payment" not in job
        assert "Level of time funded until 2023/24" in job
        assert "level of time funded until 2023/24, kept as a guide" in summary
        assert "Paid from | Core PCN Funding" in job
        assert "Time funded until 2023/24, as sessions a week" in job
    if year == "2027/28":
        for text in (job, summary):
            assert (
                "No national figures for 2027/28 had been published when these facts were "
                "checked (6 December 2026"
            ) in text


def test_a_later_year_builds_with_a_warning(
    write_profile: WriteProfile, example_data: dict[str, Any]
) -> None:
    loaded = load(write_profile(profile_of(example_data, "2027/28")))
    messages = [f"{w.key}: {w.text}" for w in warnings_for(loaded, load_facts(), TODAY)]
    assert (
        "contract_year: pcndocs holds no national figures for 2027/28 (the latest it holds are "
        "for 2026/27); the documents use the network's own figures, so state them under "
        "funding: (core_pcn_funding, adjusted_population)"
    ) in messages


@pytest.mark.parametrize(
    ("year", "stream", "message"),
    [
        (
            "2026/27",
            "capacity_and_access",
            "paid from Capacity and access payments, which is not paid in 2026/27, which "
            "ended in 2025/26. It was removed from the DES for 2026/27; the money moved to a "
            "practice-level GP reimbursement scheme; choose another funding stream",
        ),
        (
            "2025/26",
            "leadership_and_management",
            "paid from Leadership and management payment, which is not paid in 2025/26, "
            "which ended in 2023/24. From 2024/25 it is part of Core PCN Funding; choose another "
            "funding stream",
        ),
        (
            "2019/20",
            "iif",
            "paid from Investment and Impact Fund (IIF) earnings, which is not paid in "
            "2019/20, which began only in 2020/21; choose another funding stream",
        ),
    ],
)
def test_a_lead_paid_from_a_stream_of_another_year(
    write_profile: WriteProfile,
    tmp_path: Path,
    example_data: dict[str, Any],
    year: str,
    stream: str,
    message: str,
) -> None:
    data = profile_of(example_data, year)
    data["leads"][0]["funding_stream"] = stream
    loaded = load(write_profile(data))
    name = data["leads"][0]["name"]
    texts = [str(w).split(": ", 1)[1] for w in warnings_for(loaded, load_facts(), TODAY)]
    assert f"leads[0].funding_stream: lead 1 ({name}): {message}" in texts
    role = build(write_profile, tmp_path, data)["lead-role-description-cvd-prevention"]
    # The documents never name the stream as if it were still paid.
    assert f"This stream is not paid in {year}" in role
    assert "The member practices must agree another source" in role


def test_the_2026_27_job_description_has_no_capacity_and_access_duty(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any]
) -> None:
    job = build(write_profile, tmp_path, profile_of(example_data, "2026/27"))["cd-job-description"]
    assert "Duties the contract probably adds for 2026/27 (not yet confirmed)" in job
    duties = job.split("in particular by:")[1].split("Source of the list")[0]
    assert "capacity and access" not in duties and "commissioner" not in duties
    assert "has not yet been confirmed against the specification for 2026/27" in job
    # Its clause was not read, so the 2026/27 specification is not named as the list's source
    # (pcn-facts, corrections 3 and 6): the list is 2024/25's, less the payments removed.
    source = job.split("Source of the list: ")[1].split(".\n")[0].split(". ")[0]
    assert "specification 2026/27" not in source, source
    assert "specification 2024/25" in source and "PRN02353" in source, source


def test_pay_to_be_agreed_is_said_plainly(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any]
) -> None:
    data = profile_of(example_data, "2026/27")
    del data["clinical_directors"][0]["session_rate"]
    texts = build(write_profile, tmp_path, data)
    assert "Remuneration | to be agreed by the member practices" in texts["cd-job-description"]
    assert "pay is still to be agreed" in texts["leadership-summary"]
    assert "[to be agreed" not in " ".join(texts.values())
