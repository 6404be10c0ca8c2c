"""Tests for the funding arithmetic and the figures the documents quote.

Expected figures are worked out here from the numbers in pcn-facts.md (0.25 WTE per 50,000
patients, 9 sessions a week, the per-patient rate of each year), not taken from the code.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcndocs.profile.model import Practice, Profile
from pcndocs.render.context import figure, join_and, person_spec_areas, readable_source
from pcndocs.rules.appointment import appointment_figures, term_end
from pcndocs.rules.facts import load_facts
from pcndocs.rules.funding import director_funding, leadership_costs, stream_funds, voting_weights
from pcndocs.rules.voting import votes_for_quorum, votes_to_carry

# Five practices whose lists add up to 53,117: not a round number.
LISTS = (12_345, 9_876, 11_111, 8_642, 11_143)
POPULATION = 53_117
# Clinical director payment per patient, from pcn-facts.md ("checked 2026-11"): 2022/23 is a
# range because the sources do not settle which of two rates applied.
RATES = {
    "2019/20": (0.51430, 0.51430),
    "2020/21": (0.722, 0.722),
    "2021/22": (0.722, 0.722),
    "2022/23": (0.722, 0.72963),
    "2023/24": (0.72963, 0.72963),
}


def network(example_data: dict[str, Any], year: str = "2023/24", **changes: Any) -> Profile:
    """Return the example network with the five practices above, in a given contract year."""
    data = copy.deepcopy(example_data)
    data["contract_year"] = year
    data["network"]["population_date"] = date(int(year[:4]), 1, 1)
    data["network"]["nominated_payee"] = "A10001"
    data["practices"] = [
        {"name": f"Practice {i}", "ods_code": f"A1000{i}", "list_size": size}
        for i, size in enumerate(LISTS, start=1)
    ]
    for d in data["clinical_directors"]:
        d["practice"] = "A10001"
    for lead in data["leads"]:
        lead["practice"] = "A10002"
    data.update(changes)
    return Profile.model_validate(data)


def test_the_practices_add_up_to_the_population(example_data: dict[str, Any]) -> None:
    assert network(example_data).population == POPULATION == sum(LISTS)


def test_funded_time_for_53117_patients(example_data: dict[str, Any]) -> None:
    funding = director_funding(network(example_data), load_facts())
    wte = 0.25 * POPULATION / 50_000
    assert round(funding.funded_wte, 4) == round(wte, 4) == 0.2656
    assert round(funding.funded_sessions_per_week, 2) == round(wte * 9, 2) == 2.39
    # 2.39 sessions of 4 hours 10 minutes: 597.5 minutes, said as 9 hours 58 minutes.
    assert funding.funded_minutes_per_week == round(wte * 9 * 250) == 598


@pytest.mark.parametrize("year", sorted(RATES))
def test_the_payment_for_each_year_it_was_made(example_data: dict[str, Any], year: str) -> None:
    funding = director_funding(network(example_data, year), load_facts())
    assert funding.payment_made and funding.paid_from == "cd_payment"
    assert funding.payment is not None and funding.payment.amount is not None
    low, high = RATES[year]
    assert funding.payment.amount.low == pytest.approx(low * POPULATION)
    assert funding.payment.amount.high == pytest.approx(high * POPULATION)
    # Only 2022/23's rate is unconfirmed (two sources disagree).
    assert funding.payment.amount.indicative == (year == "2022/23")
    assert funding.months == (9 if year == "2019/20" else 12)


def test_2023_24_pounds(example_data: dict[str, Any]) -> None:
    funding = director_funding(network(example_data), load_facts())
    assert funding.payment is not None and funding.payment.amount is not None
    assert round(funding.payment.amount.low) == round(0.72963 * 53_117) == 38_756


def test_2019_20_is_a_nine_month_sum(example_data: dict[str, Any]) -> None:
    funding = director_funding(network(example_data, "2019/20"), load_facts())
    assert funding.payment is not None and funding.payment.amount is not None
    assert round(funding.payment.amount.low) == round(0.51430 * 53_117) == 27_318
    assert "for the 9 months 1 July 2019 to 31 March 2020" in funding.payment.working


@pytest.mark.parametrize("year", ["2024/25", "2025/26", "2026/27", "2027/28"])
def test_from_2024_25_no_payment_only_a_benchmark(example_data: dict[str, Any], year: str) -> None:
    funding = director_funding(network(example_data, year), load_facts())
    assert not funding.payment_made and funding.payment is None
    assert funding.paid_from == "core"
    assert round(funding.funded_sessions_per_week, 2) == 2.39  # the benchmark still shows


def test_core_pcn_funding_2024_25_needs_the_adjusted_population(
    example_data: dict[str, Any],
) -> None:
    facts = load_facts()
    without = stream_funds(network(example_data, "2024/25", funding={}), facts)["core"]
    assert without.amount is None and "adjusted population" in without.working
    with_adjusted = stream_funds(
        network(example_data, "2024/25", funding={"adjusted_population": 55_000}), facts
    )["core"]
    assert with_adjusted.amount is not None
    # £2.967 a patient from September 2024, backdated; its split is our scaling of the first.
    assert with_adjusted.amount.low == pytest.approx(2.2568 * POPULATION + 0.7102 * 55_000)
    assert with_adjusted.amount.indicative and with_adjusted.estimate
    assert "its split between registered and adjusted patients is pcndocs’ own" in (
        with_adjusted.source
    )
    assert with_adjusted.note is not None and "backdated to 1 April 2024" in with_adjusted.note


def test_leadership_and_management_2021_22_is_for_six_months(
    example_data: dict[str, Any],
) -> None:
    facts = load_facts()
    funds = stream_funds(
        network(example_data, "2021/22", funding={"adjusted_population": 60_000}), facts
    )["leadership_and_management"]
    # Paid from October 2021 (correction 13): half a year at the rate, and an estimate.
    assert funds.amount is not None and funds.amount.low == pytest.approx(0.707 * 60_000 / 2)
    assert "6/12 months" in funds.working and funds.estimate


def test_core_pcn_funding_2026_27_is_the_networks_own(example_data: dict[str, Any]) -> None:
    facts = load_facts()
    unknown = stream_funds(network(example_data, "2026/27", funding={}), facts)["core"]
    assert unknown.amount is None
    assert "the profile can state the network’s own figure" in unknown.working
    stated = stream_funds(
        network(example_data, "2026/27", funding={"core_pcn_funding": 160_000}), facts
    )["core"]
    assert stated.amount is not None and stated.amount.low == 160_000
    assert stated.source == "the network’s own figure"


def test_streams_of_a_year(example_data: dict[str, Any]) -> None:
    facts = load_facts()
    assert set(stream_funds(network(example_data, "2023/24"), facts)) == {
        "cd_payment",
        "core",
        "leadership_and_management",
        "iif",
        "capacity_and_access",
        "other",
    }
    assert set(stream_funds(network(example_data, "2026/27"), facts)) == {"core", "iif", "other"}


def test_a_rate_set_by_the_network_is_its_own(example_data: dict[str, Any]) -> None:
    profile = network(example_data, "2023/24", funding={"cd_rate_per_patient": 0.75})
    funding = director_funding(profile, load_facts())
    assert funding.payment is not None and funding.payment.amount is not None
    assert funding.payment.amount.indicative
    assert funding.payment.amount.low == pytest.approx(0.75 * POPULATION)


def test_pay_is_sessions_times_rate_apart_from_funding(example_data: dict[str, Any]) -> None:
    directors = copy.deepcopy(example_data["clinical_directors"])
    directors[0]["session_rate"] = 320
    directors[1].pop("session_rate", None)
    directors[1]["annual_pay"] = 15_000
    funding = director_funding(network(example_data, clinical_directors=directors), load_facts())
    first, second = funding.pay
    assert first.per_year == 1.5 * 320 * 52
    assert second.per_year == 15_000
    assert funding.pay_per_year == 1.5 * 320 * 52 + 15_000
    directors[1].pop("annual_pay")
    funding = director_funding(network(example_data, clinical_directors=directors), load_facts())
    assert funding.pay[1].per_year is None and funding.pay_per_year is None


def test_joint_directors_share_the_funded_time_as_the_profile_says(
    example_data: dict[str, Any],
) -> None:
    funding = director_funding(network(example_data), load_facts())
    first, second = funding.shares
    assert (first.share, second.share) == (0.6, 0.4)
    assert first.funded_sessions_per_week == pytest.approx(0.6 * 0.2656 * 9, abs=1e-3)


def test_without_shares_joint_directors_share_by_sessions(example_data: dict[str, Any]) -> None:
    directors = copy.deepcopy(example_data["clinical_directors"])
    for d in directors:
        del d["funded_share"]
        d["practice"] = "A10001"
    funding = director_funding(network(example_data, clinical_directors=directors), load_facts())
    assert [s.share for s in funding.shares] == [pytest.approx(1.5 / 2.5), pytest.approx(1 / 2.5)]


def test_leads_cost_by_stream(example_data: dict[str, Any]) -> None:
    leads = copy.deepcopy(example_data["leads"])
    leads[3]["funding_stream"] = "leadership_and_management"
    costs = leadership_costs(network(example_data, leads=leads))
    # The example's leads: sessions a month x 12 x rate.
    assert costs.by_stream == {
        "core": 2 * 12 * 350 * 2 + 2 * 12 * 180 + 1.5 * 12 * 180,
        "iif": 2 * 12 * 280,
        "leadership_and_management": 1 * 12 * 350,
    }
    assert costs.total == 35_280
    assert costs.sessions_per_month == 10.5
    assert costs.sessions_per_year == 126
    assert [(s.stream, s.leads, s.sessions_per_year) for s in costs.streams] == [
        ("core", 4, 90),
        ("iif", 1, 24),
        ("leadership_and_management", 1, 12),
    ]


def test_voting_weights_for_the_five_practices(example_data: dict[str, Any]) -> None:
    weights = voting_weights(network(example_data).practices)
    naive = [round(size * 100 / POPULATION, 1) for size in LISTS]
    assert [w.percent for w in weights] == naive == [23.2, 18.6, 20.9, 16.3, 21.0]


def test_voting_weights_round_to_exactly_100() -> None:
    # Three equal practices: 33.3 each by plain rounding, 99.9 in all.
    practices = [Practice(name=f"P{i}", ods_code=f"A0000{i}", list_size=1000) for i in range(3)]
    assert sorted(w.percent for w in voting_weights(practices)) == [33.3, 33.3, 33.4]


@given(st.lists(st.integers(min_value=1, max_value=500_000), min_size=1, max_size=33))
def test_voting_weights_always_add_up_and_stay_close(sizes: list[int]) -> None:
    practices = [
        Practice(name=f"P{i}", ods_code=f"A{i:05d}", list_size=size) for i, size in enumerate(sizes)
    ]
    weights = voting_weights(practices)
    assert round(sum(w.percent * 10 for w in weights)) == 1000
    for w, size in zip(weights, sizes, strict=True):
        assert abs(w.percent - size * 100 / sum(sizes)) < 0.1


@pytest.mark.parametrize(
    ("majority", "voters", "needed"),
    [
        ("simple", 5, 3),
        ("simple", 6, 4),
        ("two_thirds", 5, 4),
        ("two_thirds", 6, 4),
        ("two_thirds", 7, 5),
        ("unanimous", 6, 6),
    ],
)
def test_votes_needed(majority: Any, voters: int, needed: int) -> None:
    assert votes_to_carry(majority, voters) == needed


@pytest.mark.parametrize(
    ("percent", "whole", "needed"), [(75, 5, 4), (75, 6, 5), (75, 4, 3), (50, 6, 3), (100, 7, 7)]
)
def test_quorum(percent: int, whole: int, needed: int) -> None:
    assert votes_for_quorum(percent, whole) == needed


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2025, 4, 1), 3, date(2028, 3, 31)),
        (date(2019, 7, 1), 3, date(2022, 6, 30)),
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
    ],
)
def test_term_end(start: date, years: int, end: date) -> None:
    assert term_end(start, years) == end


def test_appointment_figures(example_data: dict[str, Any]) -> None:
    profile = network(example_data)
    figures = appointment_figures(profile, profile.clinical_directors)
    assert figures.practices == 5
    assert figures.quorum_practices == 4  # 75% of 5 is 3.75
    assert figures.majority_votes == 3
    assert figures.removal_votes == 4
    assert not figures.weighted and figures.weights == ()
    assert figures.uses_panel and figures.uses_ballot
    assert [t.end for t in figures.terms] == [date(2028, 3, 31), date(2028, 3, 31)]


def test_readable_sources_name_no_project_files() -> None:
    assert readable_source("LMC briefing (seed 001)") == (
        "LMC briefing on the PCN clinical director role"
    )
    assert readable_source("Clinical leads blog (seed 000); Annex E") == (
        "THC Primary Care, clinical leads blog, 2022; Annex E"
    )
    assert readable_source("Clinical lead checklist (seed 000, after Dr Najib Seedat)") == (
        "Clinical lead checklist (THC Primary Care, after Dr Najib Seedat)"
    )
    assert readable_source("Annex E, item 3") == "Annex E, item 3"
    facts = load_facts()
    sources = [r.source for r in facts.person_spec.rows] + [
        n.source for n in (*facts.annex_e.lmc_advice, *facts.workstreams.lead_duties)
    ]
    assert not [s for s in map(readable_source, sources) if "seed" in s]


def test_small_helpers() -> None:
    assert [figure(2), figure(1.5), figure(2.25), figure(8.333, 1)] == ["2", "1.5", "2.25", "8.3"]
    assert join_and(["a"]) == "a"
    assert join_and(["a", "b"]) == "a and b"
    assert join_and(["a", "b", "c"]) == "a, b and c"


def test_person_specification_keeps_every_criterion_once() -> None:
    facts = load_facts()
    areas = person_spec_areas(facts)
    assert [a.category for a in areas] == list(
        dict.fromkeys(r.category for r in facts.person_spec.rows)
    )
    shown = [row.criterion for a in areas for row in a.rows]
    assert sorted(shown) == sorted(r.criterion for r in facts.person_spec.rows)
    assert all(row.assessed for a in areas for row in a.rows)
