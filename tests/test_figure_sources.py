"""Every figure a document prints carries its own source and standing (issue 22).

A table over the contract years 2019/20 to 2027/28 builds the leadership summary and the
job description of one network per year, reads the DOCX back, and asserts that each figure
is printed with its sources in the words of its confidence: a confirmed figure names its
specification, a reported one who reported it, an estimate says it is one, and a year the
facts do not reach says so with the facts' date. Then one test per correction of pcn-facts,
"Corrections checked 2026-12", reads the built documents back.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.profile.load import load_profile
from pcndocs.render.context import network_context
from pcndocs.rules.citations import FigureLine
from pcndocs.rules.facts import load_facts
from tests.readback import docx_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 12, 6)
ADJUSTED = 60_000
QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")
WriteProfile = Callable[[dict[str, Any] | str], Path]

# Per year: phrases the summary and the job description must both print, beside the figure
# they belong to, and the sources that must stand next to the year's money.
EXPECTED: dict[str, dict[str, list[str]]] = {
    "2019/20": {
        "both": ["Parliamentary written answer 257552", "9 months"],
        "summary": ["Network Contract DES specification 2019/20"],
    },
    "2020/21": {
        # The temporary uplift to 1 WTE per 50,000, January to June 2021 (correction 13).
        "both": ["1 WTE per 50,000", "GPonline, January 2021", "as reported by BMA"],
        "summary": [],
    },
    "2021/22": {
        "both": ["end of June 2021", "as reported by BMA"],
        # Leadership and management, from October 2021, an estimate (corrections 3 and 13).
        "summary": ["an estimate, from Bucks, Berks and Oxon LMC", "1 October 2021"],
    },
    "2022/23": {
        # Capacity and access payments began in October 2022 (correction 5).
        "both": ["an estimate, from BMA", "began on 1 October 2022"],
        "summary": ["as reported by Bucks, Berks and Oxon LMC"],
    },
    "2023/24": {
        "both": ["as reported by THC Primary Care, 2023"],
        "summary": ["as reported by PCC, 2023"],
    },
    "2024/25": {
        # £2.967 from September 2024, backdated; its split is our scaling (correction 2).
        "both": ["£2.967", "backdated to 1 April 2024", "from £2.916 to £2.967"],
        "summary": ["(estimate)"],
    },
    "2025/26": {
        "both": ["an estimate, from pcnd.info's payment calculator"],
        "summary": ["(estimate)"],
    },
    "2026/27": {
        "both": ["published when these facts were checked (6 December 2026)"],
        "summary": [],
    },
    "2027/28": {
        "both": ["had been published when these facts were checked (6 December 2026)"],
        "summary": [],
    },
}
YEARS = list(EXPECTED)


def year_profile(example_data: dict[str, Any], year: str, **changes: Any) -> dict[str, Any]:
    """Return the example network in a contract year, with an adjusted population.

    Where a year had one, a lead is paid from the leadership and management payment, so the
    summary prints that payment's sum too. The network states no figure of its own.
    """
    data = copy.deepcopy(example_data)
    first = int(year[:4])
    data["contract_year"] = year
    data["network"]["population_date"] = date(first, 1, 1)
    data["funding"] = {"adjusted_population": ADJUSTED}
    if 2021 <= first <= 2023:
        data["leads"][0]["funding_stream"] = "leadership_and_management"
    if first < 2020:  # the IIF began in 2020/21
        data["leads"] = [lead for lead in data["leads"] if lead["funding_stream"] != "iif"]
    for key, value in changes.items():
        data[key] = value
    return data


def read_docx(path: Path) -> str:
    """Return a DOCX's text in single spaces, with straight quotes."""
    return squash(docx_text(path)).translate(QUOTES)


def built_texts(
    write_profile: WriteProfile, tmp_path: Path, data: dict[str, Any], *documents: str
) -> dict[str, str]:
    """Build documents of a profile as DOCX and return each one's text, by file stem."""
    options = BuildOptions(tmp_path / "out", ("docx",), documents, today=TODAY)
    result = build_profile(write_profile(data), options)
    return {p.stem: read_docx(p) for p in result.written if p.suffix == ".docx"}


def lines_of(path: Path) -> tuple[list[FigureLine], list[FigureLine], FigureLine]:
    """Return the summary's and the job description's figure lines, and the year's note."""
    facts = load_facts()
    context = network_context(load_profile(path, facts.known_ids()).profile, facts)
    return list(context.summary_lines), list(context.director_figure_lines), context.year_note


@pytest.mark.parametrize("year", YEARS)
def test_each_printed_figure_carries_its_source_and_standing(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path, year: str
) -> None:
    data = year_profile(example_data, year)
    texts = built_texts(write_profile, tmp_path, data, "leadership-summary", "cd-job-description")
    summary, jd = texts["leadership-summary"], texts["cd-job-description"]
    summary_lines, jd_lines, year_note = lines_of(write_profile(data))
    for line in jd_lines:
        # The job description prints every figure of its funding with its whole sentence.
        expected = f"{line.label}{', ' + line.value if line.value else ''}: {line.sentence}"
        assert expected.translate(QUOTES) in jd, (
            year,
            line.label,
        )
    for line in summary_lines:
        expected = f"{line.label}{', ' + line.value if line.value else ''}: {line.brief}"
        assert expected.translate(QUOTES) in summary, (year, line.label)
    if load_facts().funding_year(year).held:
        note = f"{year_note.working} ({year_note.brief_sources})"
        assert note.translate(QUOTES) in summary, year
    # An estimate is never printed without saying so, next to it.
    for line in jd_lines + summary_lines:
        if line.standing == "estimate":
            assert "an estimate" in line.sentence.lower() and "an estimate" in line.brief.lower()
    # A sentence may start with the phrase, so its first letter is a capital there.
    for phrase in EXPECTED[year]["both"]:
        assert phrase.lower() in summary.lower(), (year, "summary", phrase)
        assert phrase.lower() in jd.lower(), (year, "job description", phrase)
    for phrase in EXPECTED[year]["summary"]:
        assert phrase.lower() in summary.lower(), (year, phrase)
    # The tool's own arithmetic is labelled as worked out, never as a national figure.
    assert "National funding benchmark" not in jd
    assert "(indicative)" not in summary + jd
    assert "worked out by pcndocs" in summary.lower() and "Worked out by pcndocs" in jd
    if int(year[:4]) >= 2024:
        assert "level of time funded until 2023/24, kept as a guide" in summary
        assert "Level of time funded until 2023/24" in jd


def test_a_reported_figure_names_who_reported_it_and_an_estimate_says_so() -> None:
    years = load_facts().funding.years
    cd = years["2023/24"].cd_payment
    assert cd is not None and cd.cited == (
        "Network Contract DES specification 2023/24, as reported by THC Primary Care, 2023"
    )
    core = years["2025/26"].core_pcn_funding
    assert core is not None and core.cited.startswith("an estimate, from ")
    basis = load_facts().funding.cd_basis
    assert str(basis.source).startswith("Network Contract DES specification 2019/20, section 5.3.1")


# --- the corrections of 2026-12, one by one -----------------------------------------------


def test_capacity_and_access_is_paid_in_2022_23(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = year_profile(example_data, "2022/23")
    data["leads"][1]["funding_stream"] = "capacity_and_access"
    stem = "lead-role-description-care-homes-dr-lucy-hargreaves"
    text = built_texts(write_profile, tmp_path, data, "lead-role-description")[stem]
    assert "not paid in 2022/23" not in text
    assert "Capacity and access support payment" in text and "1 October 2022" in text


def test_2021_22_leadership_payment_is_for_six_months(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = year_profile(example_data, "2021/22")
    summary = built_texts(write_profile, tmp_path, data, "leadership-summary")["leadership-summary"]
    assert f"£{round(0.707 * ADJUSTED / 2):,}" in summary  # £21,210, not a whole year's
    assert f"£{round(0.707 * ADJUSTED):,}" not in summary


@pytest.mark.parametrize(("year", "has"), [("2023/24", False), ("2024/25", True)])
def test_neighbourhood_teams_and_proactive_care_from_2024_25(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path, year: str, has: bool
) -> None:
    data = year_profile(example_data, year)
    summary = built_texts(write_profile, tmp_path, data, "leadership-summary")["leadership-summary"]
    assert ("Neighbourhood team working" in summary) is has
    assert ("Proactive care" in summary) is has


def test_a_2024_25_neighbourhood_lead_cites_the_2024_25_specification(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = year_profile(example_data, "2026/27")
    data["leads"][5]["workstream"] = "neighbourhood_teams"
    texts = built_texts(write_profile, tmp_path, data, "lead-checklist")
    (text,) = [t for stem, t in texts.items() if "neighbourhood" in stem]
    # History is cited to the specification that began it; the 2026/27 change to its own.
    assert "Since 2024/25" in text and "Network Contract DES specification 2024/25" in text
    assert "Network Contract DES specification 2026/27, as reported by Pulse, 2026" in text


@pytest.mark.parametrize(
    ("year", "assessment", "heading"),
    [
        ("2024/25", True, "Duties the contract adds for 2024/25"),
        ("2025/26", True, "Duties the contract adds for 2025/26"),
        ("2026/27", False, "Duties the contract probably adds for 2026/27 (not yet confirmed)"),
    ],
)
def test_director_duties_of_the_year(
    example_data: dict[str, Any],
    write_profile: WriteProfile,
    tmp_path: Path,
    year: str,
    assessment: bool,
    heading: str,
) -> None:
    data = year_profile(example_data, year)
    jd = built_texts(write_profile, tmp_path, data, "cd-job-description")["cd-job-description"]
    assert heading in jd
    # Each duty is its own item, even one whose own source is printed beside it.
    assert ";- " not in jd and "; - " not in jd
    # The capacity and access improvement assessment before 31 March (correction 6).
    assert ("before 31 March" in jd) is assessment
    if year == "2025/26":
        assert "Humberside LMC, 2025" in jd  # the 2025/26 list names its source
    if year == "2026/27":
        assert "has not yet been confirmed against the specification for 2026/27" in jd
        assert "These are national duties" not in jd


def test_care_home_lead_condition(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = year_profile(example_data, "2026/27")
    texts = built_texts(write_profile, tmp_path, data, "lead-role-description", "lead-checklist")
    for stem in ("lead-role-description", "lead-checklist"):
        text = texts[f"{stem}-care-homes-dr-lucy-hargreaves"]
        assert "only where the member practices, the commissioner and the community" in text
        assert "does not have to be a GP" not in text


@pytest.mark.parametrize(("year", "figure"), [("2023/24", "£1.47m"), ("2026/27", "£1.6m")])
def test_finance_workstream_uses_nhs_englands_figures(
    example_data: dict[str, Any],
    write_profile: WriteProfile,
    tmp_path: Path,
    year: str,
    figure: str,
) -> None:
    data = year_profile(example_data, year)
    texts = built_texts(write_profile, tmp_path, data, "lead-role-description", "lead-checklist")
    assert "£400k" not in texts["lead-role-description-finance-karen-wells"]
    # The year's figures are in the checklist; the role description points to it.
    text = texts["lead-checklist-finance-karen-wells"]
    assert "£400k" not in text and figure in text and "NHS England" in text
    assert (
        "The lead checklist sets out what changes in"
        in (texts["lead-role-description-finance-karen-wells"])
    )


def test_2026_27_cancer_screening_and_salaried_uplifts(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = year_profile(example_data, "2026/27")
    texts = built_texts(
        write_profile, tmp_path, data, "lead-role-description", "cd-job-description"
    )
    cancer = texts["lead-role-description-early-cancer-diagnosis-dr-ruth-adeyemi"]
    assert "The lead checklist sets out what changes in 2026/27" in cancer
    checklist = built_texts(write_profile, tmp_path / "checklist", data, "lead-checklist")[
        "lead-checklist-early-cancer-diagnosis-dr-ruth-adeyemi"
    ]
    # The 2026/27 screening duties, and one consultancy's reading called an estimate.
    assert "cancer screening" in checklist and "NHS Confederation, 2026" in checklist
    assert "an estimate, from Core Prescribing Solutions, 2026" in checklist
    jd = texts["cd-job-description"]
    assert "6% in 2024/25 (BMA, 2024)" in jd
    assert "3.5% in 2026/27 (Management in Practice, 2026)" in jd


def test_lead_role_description_names_its_sources_and_local_terms(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    data = year_profile(example_data, "2026/27")
    texts = built_texts(write_profile, tmp_path, data, "lead-role-description")
    clinical = texts["lead-role-description-cvd-prevention-dr-sam-patel"]
    assert 'THC Primary Care, "Why does my PCN need clinical leads?" (2022)' in clinical
    assert "Typical PCN clinical lead job descriptions" not in clinical
    assert "Agreed locally, not national: clinical governance, education and" in clinical
    assert "supervising any additional roles (ARRS) staff" in clinical
    assert "published PCN job descriptions and role profiles" in clinical
    # A lead's usual time is one consultancy's estimate, and said to be one.
    assert "no more than 2 sessions a month on the role: an estimate, from THC" in clinical


def test_check_suggests_the_networks_own_figure_for_an_estimate(
    example_data: dict[str, Any], write_profile: WriteProfile
) -> None:
    from click.testing import CliRunner

    from pcndocs.cli import cli

    path = write_profile(year_profile(example_data, "2025/26"))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert "an estimate, from pcnd.info’s payment calculator" in result.output
    assert "funding.core_pcn_funding" in result.output
    data = year_profile(example_data, "2025/26")
    data["funding"]["core_pcn_funding"] = 180_000
    result = CliRunner().invoke(cli, ["check", str(write_profile(data))])
    assert "pcnd.info" not in result.output


def test_facts_command_prints_each_figure_with_confidence_and_source() -> None:
    from click.testing import CliRunner

    from pcndocs.cli import cli

    result = CliRunner().invoke(cli, ["facts", "2024/25"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "checked 6 December 2026" in out
    assert "Core PCN Funding: £2.967 a patient" in out
    assert "https://pulsetoday.co.uk/pulse-pcn/pcns-can-claim-more-for-arrs-staff" in out
    entries = [line for line in out.splitlines() if line.startswith("  ") and ": " in line]
    assert entries
    confidence = [line for line in out.splitlines() if "confidence:" in line]
    assert {c.split(": ")[1] for c in confidence} <= {"confirmed", "reported", "estimate"}
    later = CliRunner().invoke(cli, ["facts", "2027/28"])
    assert "No national figures for 2027/28 had been published" in later.output
    wrong = CliRunner().invoke(cli, ["facts", "2018/19"])
    assert wrong.exit_code == 1 and "2019/20 or later" in wrong.output


def test_version_prints_the_facts_date() -> None:
    from click.testing import CliRunner

    from pcndocs.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "national facts checked 2026-12-06" in result.output
    assert f"checked {load_facts().checked.isoformat()}" in result.output


def test_every_fact_in_the_data_has_a_source_and_a_confidence() -> None:
    """A mapping of the data files that names a source also says how sure it is, and back."""
    from importlib import resources

    from pcndocs.rules.facts import DATA_FILES

    def walk(value: Any, path: str) -> list[str]:
        missing: list[str] = []
        if isinstance(value, dict):
            top_source = path.endswith("annex_e")  # the publication, described in full
            if ("source" in value) != ("confidence" in value) and not top_source:
                missing.append(path)
            for key, item in value.items():
                missing += walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                missing += walk(item, f"{path}[{i}]")
        return missing

    data_dir = resources.files("pcndocs") / "data"
    missing = []
    for name in DATA_FILES:
        data = yaml.safe_load((data_dir / f"{name}.yaml").read_text(encoding="utf-8"))
        missing += walk(data, name)
    assert missing == []


def test_every_source_in_the_register_is_cited_and_complete() -> None:
    facts = load_facts()
    from importlib import resources

    from pcndocs.rules.facts import DATA_FILES

    data_dir = resources.files("pcndocs") / "data"
    text = " ".join((data_dir / f"{name}.yaml").read_text(encoding="utf-8") for name in DATA_FILES)
    for key, source in facts.sources.items():
        assert source.title and source.publisher and source.date and source.address, key
        if key != "network-profile":  # used by the code for a year the facts do not reach
            assert key in text, f"{key} is cited nowhere"


@pytest.mark.parametrize(("year", "stated"), [("2025/26", False), ("2026/27", True)])
def test_a_local_variation_agreement_only_from_2026_27(
    example_data: dict[str, Any],
    write_profile: WriteProfile,
    tmp_path: Path,
    year: str,
    stated: bool,
) -> None:
    """Correction 8: before 2026/27 check warns and Schedule 1 states no agreement at all."""
    from click.testing import CliRunner

    from pcndocs.cli import cli

    data = year_profile(example_data, year)
    data["network"]["local_variation_agreement"] = True
    schedule = built_texts(write_profile, tmp_path, data, "schedule-1")["schedule-1"]
    assert ("Local Variation Agreement | Agreed with the ICB" in schedule) is stated
    assert ("have agreed a Local Variation Agreement" in schedule) is stated
    result = CliRunner().invoke(cli, ["check", str(write_profile(data))])
    warned = "Local Variation Agreements exist only from 1 May 2026 (2026/27), so Schedule 1"
    assert (warned in " ".join(result.output.split())) is not stated


@pytest.mark.parametrize("adjusted", [60_000, None])
def test_core_pcn_funding_at_the_networks_own_rate_counts_the_adjusted_population(
    example_data: dict[str, Any],
    write_profile: WriteProfile,
    tmp_path: Path,
    adjusted: int | None,
) -> None:
    """From 2024/25 Core PCN Funding is paid on registered patients and on the adjusted
    population: a network's one rate a patient is split as the national rate was, and the sum
    is called an estimate, with the source of the split; never the rate × registered alone."""
    data = year_profile(example_data, "2026/27")
    data["funding"] = {"core_rate_per_patient": 3.1}
    if adjusted is not None:
        data["funding"]["adjusted_population"] = adjusted
    texts = built_texts(write_profile, tmp_path, data, "leadership-summary", "cd-job-description")
    summary, jd = texts["leadership-summary"], texts["cd-job-description"]
    split = (
        "an estimate: the network's own rate of £3.10 a patient, split as the national rate of "
        "2024/25 was: 76% for each registered patient and 24% for each patient of the adjusted "
        "population (Network Contract DES specification 2024/25"
    )
    assert "£183,291" not in summary + jd  # £3.10 × 59,126 registered patients alone
    assert split.lower() in summary.lower() and split.lower() in jd.lower()
    if adjusted is None:
        assert "Not worked out: the profile does not give the adjusted population" in summary
        assert (
            "partly for each patient of the adjusted population, which the profile does not give"
            in jd
        )
        return
    # 2.2568 ÷ 2.967 of £3.10 to 4 places, the rest for the adjusted population.
    working = "£2.3580 × 59,126 registered patients + £0.7420 × 60,000 adjusted population"
    assert f"Core PCN Funding for 2026/27, £183,939: {working}. This is {split}" in jd
    assert "£183,939 (estimate)" in summary
    assert round(2.3580 * 59_126 + 0.7420 * 60_000) == 183_939
    from click.testing import CliRunner

    from pcndocs.cli import cli

    checked = CliRunner().invoke(cli, ["check", str(write_profile(data))]).output
    assert "has no effect" not in checked  # the adjusted population is used
    assert "state the network's own figure (funding.core_pcn_funding)" in checked


def test_a_lead_paid_from_core_pcn_funding_is_told_how_it_is_paid(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    """The role description names the stream and says that from 2024/25 it is paid on
    registered patients and on the adjusted population, not per registered patient alone."""
    data = year_profile(example_data, "2026/27")
    texts = built_texts(write_profile, tmp_path, data, "lead-role-description")
    text = texts["lead-role-description-cvd-prevention-dr-sam-patel"]
    assert (
        "from 2024/25 Core PCN Funding, which took in the director's and the leadership "
        "payments and is paid partly for each registered patient and partly for each patient "
        "of the adjusted population. (Network Contract DES specification 2019/20; Network "
        "Contract DES specification 2024/25)" in text
    )


def test_a_2019_20_lead_of_a_later_workstream_is_warned_of_and_its_history_dated(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    """Correction 12: a CVD lead in 2019/20 (the work began in October 2021) is a warning at
    the lead's workstream, and the role description cites that history to 2021/22."""
    data = year_profile(example_data, "2019/20")
    data["leads"] = data["leads"][:1]  # Dr Sam Patel, cardiovascular disease prevention
    options = BuildOptions(tmp_path / "out", ("docx",), ("lead-role-description",), today=TODAY)
    result = build_profile(write_profile(data), options)
    (warning,) = [w for w in result.warnings if w.key == "leads[0].workstream"]
    assert warning.text.endswith(
        "Cardiovascular disease prevention is not a workstream of 2019/20: it began only in 2021/22"
    )
    (path,) = [p for p in result.written if p.suffix == ".docx"]
    text = read_docx(path)
    assert "The work began in October 2021" in text
    assert "Source: Network Contract DES specification 2021/22, as reported by Ockham" in text
    assert "specification 2019/20, as reported by Ockham" not in text


def test_annex_e_item_2_is_the_whole_network_not_only_its_practices(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path
) -> None:
    """Annex E item 2 is about relationships across the network (seed 001, Annex 1), not only
    between the member practices."""
    data = year_profile(example_data, "2026/27")
    jd = built_texts(write_profile, tmp_path, data, "cd-job-description")["cd-job-description"]
    assert "Build relationships across the network. Lead and encourage good working" in jd
    assert "relationships throughout the network" in jd
    assert "relationships between the member practices" not in jd


@pytest.mark.parametrize("year", ["2025/26", "2026/27"])
def test_the_care_homes_lead_hears_of_the_2026_27_vaccination_duty(
    example_data: dict[str, Any], write_profile: WriteProfile, tmp_path: Path, year: str
) -> None:
    """From 2026/27 care-home residents must be offered their vaccinations (pcn-facts, the
    2026/27 contract): the care homes lead's checklist says so, with its sources, from that
    year only; the role description points to the checklist."""
    data = year_profile(example_data, year)
    texts = built_texts(write_profile, tmp_path, data, "lead-role-description", "lead-checklist")
    checklist = texts["lead-checklist-care-homes-dr-lucy-hargreaves"]
    role = texts["lead-role-description-care-homes-dr-lucy-hargreaves"]
    said = "seasonal and routine vaccinations" in checklist
    assert said == (year == "2026/27")
    if said:
        assert "Pulse, 2026 and SSLMCs, 2026" in checklist
        assert "The lead checklist sets out what changes in 2026/27" in role
