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

from pcndocs.rules.facts import (
    DATA_FILES,
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
    "proactive_care",
    "continuity_of_care",
    "care_home_vaccination",
    "neighbourhood_teams",
)


@pytest.fixture(scope="module")
def facts() -> Facts:
    """Return the packaged facts."""
    return load_facts()


def with_sources() -> dict[str, Any]:
    """Return the validation context a data file's model needs to look up its sources."""
    return {"sources": load_facts().sources}


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
        AnnexE.model_validate(data, context=with_sources())


# --- Annex E ----------------------------------------------------------------------------


def test_annex_e_has_eight_items_in_order(facts: Facts) -> None:
    items = facts.annex_e.core_responsibilities
    assert [i.number for i in items] == list(range(1, 9))
    assert [str(i.source) for i in items] == [f"Annex E, item {n}" for n in range(1, 9)]
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
        AnnexE.model_validate(data, context=with_sources())


@pytest.mark.parametrize(
    ("year", "titles", "confidence"),
    [
        ("2023/24", None, None),
        ("2024/25", 5, "confirmed"),
        ("2025/26", 5, "reported"),  # the 2025/26 clause itself was not read
        ("2026/27", 2, "estimate"),
        ("2027/28", 2, "estimate"),  # a later year keeps the last list, unconfirmed
    ],
)
def test_added_duties_by_year(
    facts: Facts, year: str, titles: int | None, confidence: str | None
) -> None:
    duties = facts.annex_e.added_duties.of_year(year)
    if titles is None:
        assert duties is None
        return
    assert duties is not None and len(duties.duties) == titles
    assert duties.confidence == confidence
    text = " ".join(d.text for d in duties.duties)
    assert ("capacity and access" in text) == (titles == 5)
    # The capacity and access improvement assessment, before 31 March (correction 6).
    assert ("before 31 March" in text) == (titles == 5)
    assert "informing the commissioner" in text or titles == 2
    assert "report" not in text.lower()


def test_lmc_advice(facts: Facts) -> None:
    assert len(facts.annex_e.lmc_advice) == 3
    assert all(
        str(a.source) == str(facts.annex_e.lmc_advice[0].source) for a in facts.annex_e.lmc_advice
    )
    assert "Londonwide LMCs" in str(facts.annex_e.lmc_advice[0].source)


# --- workstreams ------------------------------------------------------------------------


def test_all_workstreams_present_once_in_order(facts: Facts) -> None:
    assert tuple(w.id for w in facts.workstreams.workstreams) == EXPECTED_IDS


def test_every_workstream_has_summary_and_checklist(facts: Facts) -> None:
    for w in facts.workstreams.workstreams:
        assert w.summary, w.id
        assert 4 <= len(w.checklist) <= 7, w.id


def test_non_clinical_workstreams(facts: Facts) -> None:
    non_clinical = {w.id for w in facts.workstreams.workstreams if not w.clinical}
    assert non_clinical == {
        "neighbourhood_teams",
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
    assert all("Dr Najib Seedat" in str(i.source) and "THC" in str(i.source) for i in items)


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
    assert all(f.confidence == "confirmed" for f in ws.functions_from_2024_25)
    # One consultancy's remark: an estimate, and said to be one.
    assert ws.typical_sessions_per_month_max.confidence == "estimate"
    assert "an estimate" in ws.typical_sessions_per_month_max.cited


# --- funding ----------------------------------------------------------------------------


def test_funding_years_and_rates(facts: Facts) -> None:
    years = facts.funding.years
    assert list(years) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2019, 2027)]
    assert years["2019/20"].months == 9 and years["2019/20"].cd_payment is not None
    assert years["2019/20"].cd_payment.value == Decimal("0.51430")
    assert years["2023/24"].cd_payment is not None
    assert years["2023/24"].cd_payment.value == Decimal("0.72963")
    assert years["2023/24"].cd_payment.confidence == "reported"
    lm = {k: y.leadership_and_management_payment for k, y in years.items()}
    assert lm["2022/23"] is not None and lm["2022/23"].value == Decimal("0.699")
    assert lm["2023/24"] is not None and lm["2023/24"].value == Decimal("0.684")
    twenty_two = years["2022/23"].cd_payment
    assert twenty_two is not None and twenty_two.estimate
    assert (twenty_two.low, twenty_two.high) == (Decimal("0.722"), Decimal("0.72963"))
    core = years["2024/25"].core_pcn_funding
    # Raised to £2.967 in September 2024, backdated (correction 2); the split is ours.
    assert core is not None and core.confidence == "confirmed" and core.split_estimate
    assert core.value == Decimal("2.967")
    assert core.first_published is not None
    assert core.first_published.value == Decimal("2.916")
    later = years["2025/26"].core_pcn_funding
    assert later is not None and later.estimate
    l_and_m = years["2021/22"].leadership_and_management_payment
    assert l_and_m is not None and l_and_m.months == 6 and l_and_m.estimate
    assert years["2026/27"].core_pcn_funding is None  # not found anywhere: the profile states it
    for key, year in years.items():
        assert year.population_date.isoformat() == f"{key[:4]}-01-01", key
        assert (year.cd_payment is not None) == (key <= "2023/24"), key


def test_a_later_year_has_no_national_figures(facts: Facts) -> None:
    later = facts.funding_year("2027/28")
    assert not later.held and later.core_pcn_funding is None
    with pytest.raises(KeyError):
        facts.funding_year("2018/19")


def test_streams_by_year(facts: Facts) -> None:
    exists = {
        s.id: [y for y in facts.funding.years if s.exists_in(y)] for s in facts.funding.streams
    }
    assert exists["leadership_and_management"] == ["2021/22", "2022/23", "2023/24"]
    # The support payment began in October 2022 (correction 5).
    assert exists["capacity_and_access"] == ["2022/23", "2023/24", "2024/25", "2025/26"]
    assert exists["core"] == list(facts.funding.years)
    core = facts.stream("core")
    assert core.name_in("2023/24").title.startswith("Core payment")
    assert core.name_in("2024/25").title == "Core PCN Funding"


def test_workstreams_by_year(facts: Facts) -> None:
    new = {"continuity_of_care", "care_home_vaccination"}
    assert not new & {w.id for w in facts.workstreams_in("2025/26")}
    assert new <= {w.id for w in facts.workstreams_in("2026/27")}
    # Neighbourhood teams and proactive care began in the 2024/25 specification (correction 9).
    for year in ("2024/25", "2025/26"):
        assert {"neighbourhood_teams", "proactive_care"} <= {
            w.id for w in facts.workstreams_in(year)
        }
    assert "neighbourhood_teams" not in {w.id for w in facts.workstreams_in("2023/24")}
    assert "proactive_care" not in {w.id for w in facts.workstreams_in("2026/27")}
    assert "cvd_prevention" not in {w.id for w in facts.workstreams_in("2020/21")}
    in_2019 = {w.id for w in facts.workstreams_in("2019/20")}
    assert not {"vaccination", "care_homes"} & in_2019


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
        Funding.model_validate(data, context=with_sources())


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


def entries_missing_source(value: Any, path: str, sourced: bool = False) -> Iterator[str]:
    """Yield the path of every entry (mapping below a file's top level) without a source.

    An entry inside a mapping that has a source (a stream's names, the job description's
    clauses) shares it. The ``years`` mappings only group the years, and the mapping under a
    ``source`` key is the source itself; neither needs a source of its own.
    """
    if isinstance(value, dict):
        has = bool(str(value.get("source") or "").strip())
        is_entry = path.count(".") >= 1 and not path.endswith((".years", ".source"))
        if is_entry and not has and not sourced:
            yield path
        for key, item in value.items():
            yield from entries_missing_source(item, f"{path}.{key}", sourced or has)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from entries_missing_source(item, f"{path}[{index}]", sourced)


def test_every_entry_has_a_source() -> None:
    missing = [p for name, data in raw_data().items() for p in entries_missing_source(data, name)]
    assert missing == []


def test_unconfirmed_figures_are_flagged(facts: Facts) -> None:
    years = facts.funding.years
    cd = years["2022/23"].cd_payment
    assert cd is not None and cd.estimate
    assert not years["2026/27"].population_date_confirmed


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


def test_every_data_file_reads_the_same_with_either_yaml_parser() -> None:
    """The shipped data files are read with libyaml where it is installed (faster): it must
    give the very values PyYAML's own parser gives, or the documents would depend on it."""
    from pcndocs.resources import read_yaml

    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML here has no libyaml: both are PyYAML's own parser")
    folder = Path(str(resources.files("pcndocs"))) / "data"
    files = sorted(folder.glob("*.yaml"))
    assert len(files) >= 7
    for path in files:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path.name
