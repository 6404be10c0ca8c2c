"""Tests for the warnings `pcndocs check` and `build` give, each with its figures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.output.build import load
from pcndocs.rules.checks import warnings_for
from pcndocs.rules.facts import load_facts

TODAY = date(2025, 6, 1)
LISTS = (12_345, 9_876, 11_111, 8_642, 11_143)
WriteProfile = Callable[[dict[str, Any] | str], Path]


@pytest.fixture
def clean(example_data: dict[str, Any]) -> dict[str, Any]:
    """Return a profile that gives no warning: 53,117 patients, every workstream led."""
    data = copy.deepcopy(example_data)
    data["contract_year"] = "2023/24"
    # 2023/24 had no Core PCN Funding (a core payment per patient): the example's figure goes.
    del data["funding"]["core_pcn_funding"]
    data["network"]["population_date"] = date(2023, 1, 1)
    data["practices"] = data["practices"][:5]  # 53,117 patients in five practices
    for practice, size in zip(data["practices"], LISTS, strict=True):
        practice["list_size"] = size
    data["clinical_directors"][0]["sessions_per_week"] = 1.2  # 2.2 of the funded 2.39
    for director in data["clinical_directors"]:
        director["session_rate"] = 320
        del director["funded_share"]  # shared as the sessions are: 1.2 and 1
    data["leads"] = [
        {
            "name": f"Lead {i}",
            "kind": "clinical",
            "workstream": workstream,
            "practice": "A99001",
            "sessions_per_month": 1,
            "session_rate": 300,
        }
        for i, workstream in enumerate(w.id for w in load_facts().workstreams_in("2023/24"))
    ]
    data["local_cd_responsibilities"] = []
    # Far ahead, so that the CLI, which checks against the real date, finds it in the future.
    data["document_control"]["review_date"] = date(2099, 3, 31)
    return data


def texts(write_profile: WriteProfile, data: dict[str, Any]) -> list[str]:
    """Return the text of every warning about a profile, without file and line."""
    loaded = load(write_profile(data))
    found = warnings_for(loaded, load_facts(), TODAY)
    return [": ".join(part for part in (w.key, w.item, w.text) if part) for w in found]


def test_a_clean_profile_gives_no_warning(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    assert texts(write_profile, clean) == []


def test_directors_over_the_funded_time(write_profile: WriteProfile, clean: dict[str, Any]) -> None:
    # 53,117 patients fund 0.25 x 53,117 / 50,000 = 0.2656 WTE = 2.39 sessions a week.
    clean["clinical_directors"][0]["sessions_per_week"] = 2
    assert texts(write_profile, clean) == [
        "clinical_directors: the directors' agreed time is 3 sessions a week, 0.61 sessions more "
        "than the funded equivalent of 2.39 sessions (0.2656 WTE: 0.25 WTE per 50,000 patients, "
        "for 53,117 patients); agree how the difference is paid for"
    ]


def test_one_director_over_the_funded_time(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    director = clean["clinical_directors"][0]
    director.pop("funded_share", None)
    director["sessions_per_week"] = 2.5
    clean["clinical_directors"] = [director]
    assert texts(write_profile, clean) == [
        "clinical_directors: the director's agreed time is 2.5 sessions a week, 0.11 sessions more "
        "than the funded equivalent of 2.39 sessions (0.2656 WTE: 0.25 WTE per 50,000 patients, "
        "for 53,117 patients); agree how the difference is paid for"
    ]


def test_local_responsibilities(write_profile: WriteProfile, clean: dict[str, Any]) -> None:
    clean["local_cd_responsibilities"] = ["Chair the network board."]
    assert texts(write_profile, clean) == [
        "local_cd_responsibilities: 1 local responsibility is added beyond the national "
        "minimum (Annex E); the LMC advises agreeing nothing that cannot be delivered within "
        "the funded 2.39 sessions a week"
    ]


def test_local_responsibilities_with_time_push_the_directors_over(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["clinical_directors"][0]["sessions_per_week"] = 1.5
    clean["local_cd_responsibilities"] = [
        "Chair the network board.",
        {"duty": "Lead the estates review.", "sessions_per_week": 0.5},
    ]
    assert texts(write_profile, clean) == [
        "clinical_directors: the directors' agreed time is 3 sessions a week (including "
        "0.5 sessions for local duties), 0.61 sessions more than the funded equivalent of "
        "2.39 sessions (0.2656 WTE: "
        "0.25 WTE per 50,000 patients, for 53,117 patients); agree how the difference is "
        "paid for",
        "local_cd_responsibilities: 2 local responsibilities are added beyond the national "
        "minimum (Annex E), taking 0.5 sessions more a week; the LMC advises agreeing nothing "
        "that cannot be delivered within the funded 2.39 sessions a week",
    ]


def test_a_lead_with_more_than_two_sessions(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["leads"][4]["sessions_per_month"] = 2.5
    clean["leads"][5]["sessions_per_month"] = 2  # at the limit: no warning
    assert texts(write_profile, clean) == [
        "leads[4].sessions_per_month: lead 5 (Lead 4): 2.5 sessions a month for Cardiovascular "
        "disease prevention; leads typically have at most 2"
    ]


def test_no_review_date(write_profile: WriteProfile, clean: dict[str, Any]) -> None:
    del clean["document_control"]["review_date"]
    assert texts(write_profile, clean) == [
        "document_control: no review_date: the LMC advises a review date for the job description"
    ]


def test_a_review_date_in_the_past(write_profile: WriteProfile, clean: dict[str, Any]) -> None:
    clean["document_control"]["review_date"] = date(2025, 5, 31)
    assert texts(write_profile, clean) == [
        "document_control.review_date: the review date 2025-05-31 has passed (today is 2025-06-01)"
    ]


def test_a_review_date_of_today_has_not_passed(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["document_control"]["review_date"] = TODAY
    assert texts(write_profile, clean) == []


def test_population_date_not_1_january_of_the_contract_year(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["network"]["population_date"] = date(2023, 4, 1)
    assert texts(write_profile, clean) == [
        "network.population_date: list sizes are at 2023-04-01, but 2023/24 funding uses the "
        "list at 2023-01-01"
    ]


def test_workstreams_without_a_lead(write_profile: WriteProfile, clean: dict[str, Any]) -> None:
    clean["leads"] = [
        lead for lead in clean["leads"] if lead["workstream"] not in ("vaccination", "iif")
    ]
    assert texts(write_profile, clean) == [
        "leads: 2 workstreams have no lead in 2023/24: Vaccination programme, "
        "Investment and Impact Fund (IIF)"
    ]


def test_one_workstream_without_a_lead_is_singular(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["leads"] = [lead for lead in clean["leads"] if lead["workstream"] != "operations"]
    assert texts(write_profile, clean) == [
        "leads: 1 workstream has no lead in 2023/24: Day-to-day operations"
    ]


def test_warnings_name_the_file_and_line(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["leads"][4]["sessions_per_month"] = 3
    path = write_profile(clean)
    (warning,) = warnings_for(load(path), load_facts(), TODAY)
    line = path.read_text(encoding="utf-8").splitlines()[(warning.line or 0) - 1]
    assert warning.file == str(path)
    assert "sessions_per_month: 3" in line


def test_check_prints_warnings_and_strict_fails(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    runner = CliRunner()
    path = str(write_profile(clean))
    assert runner.invoke(cli, ["check", "--strict", path]).exit_code == 0

    clean["leads"][4]["sessions_per_month"] = 3
    path = str(write_profile(clean))
    result = runner.invoke(cli, ["check", path])
    assert result.exit_code == 0
    assert (
        "leads[4].sessions_per_month: lead 5 (Lead 4): 3 sessions a month for Cardiovascular "
        "disease prevention"
    ) in result.output
    assert runner.invoke(cli, ["check", "--strict", path]).exit_code == 1


@pytest.mark.e2e
def test_build_strict_fails_after_writing(
    write_profile: WriteProfile, clean: dict[str, Any], tmp_path: Path
) -> None:
    clean["local_cd_responsibilities"] = ["Chair the network board."]
    path = str(write_profile(clean))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", "--strict", "-f", "html", "-d", "leadership-summary", "-o", str(out), path]
    )
    assert result.exit_code == 1
    assert "1 local responsibility is added beyond the national minimum" in result.output
    assert "--strict: 1 warning" in result.output
    assert list(out.rglob("leadership-summary.html"))


def test_two_practices_with_one_name_is_a_warning_not_an_error(
    example_data: dict[str, Any], write_profile: Callable[[Any], Path]
) -> None:
    data = copy.deepcopy(example_data)
    data["practices"][1]["name"] = "riverside  SURGERY"
    path = write_profile(data)
    loaded = load(path)
    texts = [str(w) for w in warnings_for(loaded, load_facts(), date(2026, 1, 1))]
    line = path.read_text().splitlines().index("- name: riverside  SURGERY") + 1
    assert (
        f"{path}:{line}: practices[1].name: practice 2 (riverside SURGERY): the same name as "
        "practice 1; add a place to tell them apart"
    ) in texts


def test_one_practice_that_can_block_or_carry_a_weighted_vote_is_warned_about(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["appointment"].update(voting="list_size_weighted", quorum_percent=75)
    clean["governance"] = {"voting": "list_size_weighted", "quorum_percent": 50}
    clean["practices"][0]["list_size"] = 60_000  # of 100,772: over a quarter and over half
    loaded = load(write_profile(clean))
    texts = [w.text for w in warnings_for(loaded, load_facts(), TODAY)]
    name = f"practice 1 ({clean['practices'][0]['name']})"
    assert (
        f"{name} holds 59.5% of the weighted votes, so without it no vote on appointing the "
        "clinical director reaches the 75% quorum"
    ) in texts
    assert (
        f"{name} holds 59.5% of the weighted votes, so its votes alone carry a vote on "
        "appointing the clinical director"
    ) in texts
    assert any("carry a vote on the network's decisions" in t for t in texts)
    clean["practices"][0]["list_size"] = 12_345
    clean["appointment"]["voting"] = "one_practice_one_vote"
    clean["governance"]["voting"] = "one_practice_one_vote"
    quiet = warnings_for(load(write_profile(clean)), load_facts(), TODAY)
    assert not [w for w in quiet if "weighted votes" in w.text]


def test_a_term_that_ended_before_the_contract_year(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["clinical_directors"][1]["start_date"] = date(2019, 4, 1)
    assert texts(write_profile, clean) == [
        "clinical_directors[1].start_date: clinical director 2 (Helen Okafor): the current term "
        "began on 2019-04-01 and, at 3 years, ended on 2022-03-31, before 2023/24 begins on "
        "2023-04-01; give the start of the term they now serve"
    ]


def test_a_local_variation_agreement_before_2026_27(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["network"]["local_variation_agreement"] = True
    assert texts(write_profile, clean) == [
        "network.local_variation_agreement: is true for 2023/24, but Local Variation "
        "Agreements exist only from 1 May 2026 (2026/27), so Schedule 1 states none"
    ]
    # Set false, it has no effect either: Schedule 1 of that year says nothing of one.
    clean["network"]["local_variation_agreement"] = False
    assert texts(write_profile, clean) == [
        "network.local_variation_agreement: is false for 2023/24, but Local Variation "
        "Agreements exist only from 1 May 2026 (2026/27), so Schedule 1 says nothing of one "
        "either way"
    ]


def test_a_lead_of_a_workstream_the_year_did_not_have(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["leads"][0]["workstream"] = "neighbourhood_teams"
    (warning,) = [w for w in texts(write_profile, clean) if w.startswith("leads[0]")]
    assert warning.startswith("leads[0].workstream: lead 1 (Lead 0): Neighbourhood")
    # Neighbourhood teams began in the 2024/25 specification (issue 22).
    assert warning.endswith(
        "is not a workstream of 2023/24: it began only in 2024/25"
    )  # issue 22: in the 2024/25 specification


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"appointment": {"method": "selection", "tie_break": "drawing_lots"}},
            "appointment.tie_break: drawing lots has no effect: under selection alone there is "
            "no ballot, so no tie to break",
        ),
        (
            {"appointment": {"majority": "two_thirds", "tie_break": "drawing_lots"}},
            "appointment.tie_break: drawing lots has no effect: under a two-thirds majority two "
            "tied candidates each have half the votes, which is not enough, so there is no tie "
            "to break",
        ),
        (
            {"appointment": {"method": "election", "selection_panel": ["the LMC"]}},
            "appointment.selection_panel: the LMC has no effect: the method is election, which "
            "has no panel",
        ),
        (
            {"appointment": {"deputy": "Dr Tom Fielding"}},
            "appointment.deputy: Dr Tom Fielding has no effect: interim_cover is nominated by "
            "practices, not deputy",
        ),
        (
            {"network": {"local_variation_details": "sections 7 and 8"}},
            "network.local_variation_details: has no effect: local_variation_agreement is not "
            "true, so Schedule 1 states no Local Variation Agreement",
        ),
        (
            {
                "funding": {"leadership_and_management_rate_per_patient": 0.7},
                "contract_year": "2020/21",
            },
            "funding.leadership_and_management_rate_per_patient: £0.7 has no effect: the "
            "leadership and management payment is not paid in 2020/21",
        ),
    ],
)
def test_a_value_with_no_effect_says_why(
    write_profile: WriteProfile,
    clean: dict[str, Any],
    change: dict[str, Any],
    expected: str,
) -> None:
    for section, values in change.items():
        if isinstance(values, dict):
            clean[section] = {**clean.get(section, {}), **values}
        else:
            clean[section] = values
    key, text = expected.split(": ", 1)
    found = warnings_for(load(write_profile(clean)), load_facts(), TODAY)
    assert text in [w.text for w in found if w.key.startswith(key[:40])]


def test_joint_shares_unlike_the_directors_time(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    clean["clinical_directors"][0]["sessions_per_week"] = 1.5
    for director in clean["clinical_directors"]:
        director["funded_share"] = 0.5
    found = texts(write_profile, clean)
    assert (
        "clinical_directors[0].funded_share: clinical director 1 (Dr Priya Shah): 50% of the "
        "benchmark, but their 1.5 of the directors' 2.5 sessions a week are 60% of the agreed "
        "time; the job description shows each director's own sessions and pay, and this share "
        "divides only the benchmark"
    ) in found
    assert any(w.startswith("clinical_directors[1].funded_share") for w in found)


def test_a_default_stated_again_is_not_warned_of(
    write_profile: WriteProfile, clean: dict[str, Any]
) -> None:
    # The web form sends every default: a selection's second ballot is the default, not a choice.
    clean["appointment"].update(method="selection", tie_break="second_ballot")
    assert not [w for w in texts(write_profile, clean) if "has no effect" in w]
