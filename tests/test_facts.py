"""Tests for the national facts shipped in pcndocs/data and their loader."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pcndocs.facts import (
    DATA_FILES,
    WORKSTREAM_IDS,
    AnnexE,
    Facts,
    Funding,
    load_facts,
)

# The seeds live in shared/ beside the repository, as the national data does.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
NGRAM = 8

EXPECTED_IDS = (
    "vaccination",
    "enhanced_access",
    "social_prescribing",
    "care_homes",
    "cvd_prevention",
    "medication_reviews",
    "early_cancer_diagnosis",
    "health_inequalities",
    "personalised_care",
    "iif",
    "performance",
    "recruitment_and_hr",
    "stakeholders",
    "finance",
    "operations",
)


@pytest.fixture(scope="module")
def facts() -> Facts:
    """Return the packaged facts."""
    return load_facts()


def raw_data() -> dict[str, Any]:
    """Return each data file parsed as plain YAML, keyed by file name."""
    data_dir = resources.files("pcndocs") / "data"
    return {
        name: yaml.safe_load((data_dir / f"{name}.yaml").read_text(encoding="utf-8"))
        for name in DATA_FILES
    }


def raw_comments() -> Iterator[str]:
    """Yield the text of every comment line in the data files."""
    data_dir = resources.files("pcndocs") / "data"
    for name in DATA_FILES:
        for line in (data_dir / f"{name}.yaml").read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#"):
                yield line.lstrip().lstrip("#")


def strings_in(value: Any) -> Iterator[str]:
    """Yield every string held anywhere in a parsed YAML value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def words(text: str) -> list[str]:
    """Return the text's words, lower-cased, with quotes and punctuation dropped."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9£]+", text)


def ngrams(text: str, n: int = NGRAM) -> set[tuple[str, ...]]:
    """Return the set of consecutive n-word runs in the text."""
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


# --- loading ----------------------------------------------------------------------------


def test_files_load_and_are_cached(facts: Facts) -> None:
    assert isinstance(facts, Facts)
    assert load_facts() is facts


def test_models_are_frozen(facts: Facts) -> None:
    item: Any = facts.annex_e.core_responsibilities[0]
    with pytest.raises(ValidationError):
        item.title = "changed"


def test_unknown_keys_are_rejected() -> None:
    data = raw_data()["annex_e"]
    data["core_responsibilities"][0]["extra"] = "x"
    with pytest.raises(ValidationError, match="extra"):
        AnnexE.model_validate(data)


# --- Annex E ----------------------------------------------------------------------------


def test_annex_e_has_eight_items_in_order(facts: Facts) -> None:
    items = facts.annex_e.core_responsibilities
    assert [i.number for i in items] == list(range(1, 9))
    assert [i.source for i in items] == [f"Annex E, item {n}" for n in range(1, 9)]
    for item in items:
        assert 3 <= len(item.title.split()) <= 6, item.title


def test_annex_e_item_8_is_the_limit(facts: Facts) -> None:
    text = facts.annex_e.core_responsibilities[7].text.lower()
    assert "not" in text and "responsib" in text


def test_annex_e_source(facts: Facts) -> None:
    src = facts.annex_e.source
    assert src.title.startswith("Investment and evolution: A five-year framework")
    assert src.publisher == "NHS England and BMA"
    assert src.published.isoformat() == "2019-01-31"
    assert "4.4.2" in src.repeated_in


def test_annex_e_mismatched_number_is_rejected() -> None:
    data = raw_data()["annex_e"]
    data["core_responsibilities"][2]["number"] = 4
    with pytest.raises(ValidationError, match="numbered 4"):
        AnnexE.model_validate(data)


def test_2024_25_duties_are_unconfirmed(facts: Facts) -> None:
    duties = facts.annex_e.additional_from_2024_25
    assert len(duties) == 4
    assert all(not d.confirmed for d in duties)
    assert all(d.source == "Network Contract DES 2024/25 (wording unconfirmed)" for d in duties)


def test_lmc_advice(facts: Facts) -> None:
    assert len(facts.annex_e.lmc_advice) == 3
    assert all(a.source == "LMC briefing (seed 001)" for a in facts.annex_e.lmc_advice)


# --- workstreams ------------------------------------------------------------------------


def test_all_workstreams_present_once_in_order(facts: Facts) -> None:
    assert WORKSTREAM_IDS == EXPECTED_IDS
    assert tuple(w.id for w in facts.workstreams.workstreams) == EXPECTED_IDS


def test_every_workstream_has_summary_and_checklist(facts: Facts) -> None:
    for w in facts.workstreams.workstreams:
        assert w.summary, w.id
        assert 4 <= len(w.checklist) <= 7, w.id


def test_non_clinical_workstreams(facts: Facts) -> None:
    non_clinical = {w.id for w in facts.workstreams.workstreams if not w.clinical}
    assert non_clinical == {
        "performance",
        "recruitment_and_hr",
        "stakeholders",
        "finance",
        "operations",
    }


def test_enhanced_access_figures(facts: Facts) -> None:
    ea = facts.workstream("enhanced_access")
    assert ea.since == "1 October 2022"
    for figure in ("6.30pm to 8pm", "9am to 5pm", "60 minutes", "1,000"):
        assert figure in ea.summary


def test_workstream_lookup_unknown_id(facts: Facts) -> None:
    with pytest.raises(KeyError, match="unknown workstream 'dentistry'"):
        facts.workstream("dentistry")


def test_general_checklist_has_eleven_items(facts: Facts) -> None:
    items = facts.workstreams.general_checklist
    assert len(items) == 11
    assert all(
        i.source == "Clinical lead checklist (seed 000, after Dr Najib Seedat)" for i in items
    )


def test_lead_facts(facts: Facts) -> None:
    ws = facts.workstreams
    assert len(ws.lead_duties) == 4
    assert [b.title for b in ws.benefits] == [
        "Trust",
        "Transparency",
        "Communication",
        "Collaboration",
    ]
    assert ws.typical_sessions_per_month_max.value == 2
    assert len(ws.functions_from_2024_25) == 4
    assert all(f.confirmed for f in ws.functions_from_2024_25)


# --- funding ----------------------------------------------------------------------------

EXPECTED_CD_RATES: dict[str, tuple[str | None, int, bool]] = {
    "2019/20": ("0.514", 9, True),
    "2020/21": ("0.722", 12, True),
    "2021/22": ("0.722", 12, True),
    "2022/23": ("0.729", 12, False),
    "2023/24": ("0.72963", 12, False),
    "2024/25": (None, 12, True),
    "2025/26": (None, 12, False),
}


def test_funding_years_and_cd_rates(facts: Facts) -> None:
    assert list(facts.funding.years) == list(EXPECTED_CD_RATES)
    for key, (rate, months, confirmed) in EXPECTED_CD_RATES.items():
        year = facts.funding_year(key)
        expected = None if rate is None else Decimal(rate)
        assert year.cd_rate_per_patient == expected, key
        assert year.months == months, key
        assert year.confirmed is confirmed, key
        assert year.population_date.isoformat() == f"{key[:4]}-01-01", key


def test_other_rates(facts: Facts) -> None:
    for key in ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24"):
        core = facts.funding_year(key).core_rate_per_patient
        assert core is not None and core.value == Decimal("1.50"), key
    for key in ("2022/23", "2023/24"):
        lm = facts.funding_year(key).leadership_and_management_rate_per_adjusted_patient
        assert lm is not None and (lm.low, lm.high) == (Decimal("0.68"), Decimal("0.70"))
        assert not lm.confirmed
    merged = facts.funding_year("2024/25").core_pcn_funding_per_patient
    assert merged is not None and not merged.confirmed
    assert (merged.value, merged.registered_part, merged.adjusted_part) == (
        Decimal("2.916"),
        Decimal("2.218"),
        Decimal("0.698"),
    )
    assert facts.funding_year("2025/26").core_pcn_funding_per_patient is None


def test_funding_basis_session_and_pay(facts: Facts) -> None:
    f = facts.funding
    assert (f.cd_basis.wte, f.cd_basis.per_registered_patients) == (Decimal("0.25"), 50000)
    assert f.session.length_minutes == 250
    assert f.session.full_time_sessions_per_week == 9
    assert f.session.full_time_hours_per_week == Decimal("37.5")
    pay = f.salaried_gp_range_2023_24
    assert (pay.low, pay.high, pay.sessions_per_week) == (68974, 104086, 9)


def test_funding_year_lookup_unknown(facts: Facts) -> None:
    with pytest.raises(KeyError, match="no funding data for '2018/19'"):
        facts.funding_year("2018/19")


def test_funding_year_with_wrong_population_date_is_rejected() -> None:
    data = raw_data()["funding"]
    data["years"]["2020/21"]["population_date"] = data["years"]["2019/20"]["population_date"]
    with pytest.raises(ValidationError, match="1 January 2020"):
        Funding.model_validate(data)


# --- person specification ---------------------------------------------------------------


def test_person_spec(facts: Facts) -> None:
    rows = facts.person_spec.rows
    assert 10 <= len(rows) <= 14
    assert {r.category for r in rows} == {
        "Qualifications",
        "Experience",
        "Skills and knowledge",
        "Personal qualities",
    }
    assert any(r.essential for r in rows) and any(not r.essential for r in rows)


# --- sources and paraphrase -------------------------------------------------------------


def entries_missing_source(value: Any, path: str) -> Iterator[str]:
    """Yield the path of every entry (mapping below a file's top level) without a source.

    The ``years`` mapping only groups the years, and the mapping under a ``source`` key
    is the source itself; neither needs a source of its own.
    """
    if isinstance(value, dict):
        is_entry = path.count(".") >= 1 and not path.endswith((".years", ".source"))
        if is_entry and not str(value.get("source") or "").strip():
            yield path
        for key, item in value.items():
            yield from entries_missing_source(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from entries_missing_source(item, f"{path}[{index}]")


def test_every_entry_has_a_source() -> None:
    missing = [p for name, data in raw_data().items() for p in entries_missing_source(data, name)]
    assert missing == []


def test_unconfirmed_figures_are_flagged(facts: Facts) -> None:
    fund = facts.funding
    assert not fund.years["2022/23"].confirmed and not fund.years["2023/24"].confirmed
    streams = {s.title: s for s in facts.workstreams.funding_streams_used}
    assert not streams["Leadership and management payment"].confirmed


def seed_ngrams() -> set[tuple[str, ...]]:
    """Return every 8-word run in the seed files."""
    found: set[tuple[str, ...]] = set()
    for seed in sorted(SEEDS_DIR.glob("*.txt")):
        found |= ngrams(seed.read_text(encoding="utf-8"))
    return found


def test_ngram_guard_catches_a_copied_sentence() -> None:
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    if not seeds:
        pytest.skip("seed files not available")
    copied = "The clinical director would not be solely responsible for the operational delivery"
    assert ngrams(copied) & seed_ngrams()


def test_no_sentence_copied_from_the_seeds(facts: Facts) -> None:
    seeds = seed_ngrams()
    if not seeds:
        pytest.skip("seed files not available")
    # The publication's title is a name, not a sentence: quoting it exactly is required.
    allowed = {facts.annex_e.source.title}
    texts = [s for s in strings_in(raw_data()) if " ".join(s.split()) not in allowed]
    texts += list(raw_comments())
    copied = sorted(" ".join(g) for text in texts for g in ngrams(text) & seeds)
    assert copied == []
