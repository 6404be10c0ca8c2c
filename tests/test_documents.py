"""Tests of the five documents, read back from the DOCX and PDF files a user receives.

Figures are worked out here from pcn-facts.md (0.25 WTE per 50,000 patients, 9 sessions a
week, £0.72963 per patient in 2023/24), never taken from the code under test.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, BuildResult
from pcndocs.rules.facts import load_facts
from tests.readback import docx_text, pdf_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2025, 6, 1)
# Five practices of the example, resized to 53,117 patients: not a round number.
LISTS = (12_345, 9_876, 11_111, 8_642, 11_143)
POPULATION = 53_117
WTE = 0.25 * POPULATION / 50_000  # 0.265585
RATE_2023_24 = 0.72963
TIMES = "\u00d7"  # the multiplication sign the working tables use
FORMATS = ("docx", "pdf")
METHODS = ("selection", "election", "selection_and_election")
VOTING = ("one_practice_one_vote", "list_size_weighted")
WriteProfile = Callable[[dict[str, Any] | str], Path]


def money(value: float) -> str:
    """Return pounds the way the documents print them: £38,756."""
    return f"£{round(value):,}"


@pytest.fixture
def network(example_data: dict[str, Any]) -> dict[str, Any]:
    """Return the example network cut to five practices and 53,117 patients, in 2023/24."""
    data = copy.deepcopy(example_data)
    data["contract_year"] = "2023/24"
    data["network"]["population_date"] = date(2023, 1, 1)
    data["practices"] = data["practices"][:5]
    for practice, size in zip(data["practices"], LISTS, strict=True):
        practice["list_size"] = size
    data["leads"] = [lead for lead in data["leads"] if lead["practice"] != "A99006"]
    return data


def build(
    write_profile: WriteProfile, tmp_path: Path, data: dict[str, Any], *documents: str
) -> BuildResult:
    """Build some documents of a profile in DOCX and PDF."""
    options = BuildOptions(tmp_path / "out", FORMATS, documents, today=TODAY)
    return build_profile(write_profile(data), options)


QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")


def read(path: Path) -> str:
    """Return a built document's text as a user's tools read it, in single spaces.

    Curly quotes (the typographer's) are made straight, so tests can be written plainly.
    """
    text = docx_text(path) if path.suffix == ".docx" else pdf_text(path)
    return squash(text).translate(QUOTES)


def texts(result: BuildResult, stem: str) -> Iterator[tuple[str, str]]:
    """Yield (format, text) of one document in each format built."""
    for fmt in FORMATS:
        (path,) = [p for p in result.written if p.name == f"{stem}.{fmt}"]
        yield fmt, read(path)


# --- Schedule 1 ---------------------------------------------------------------------------


def test_schedule_1_lists_every_practice_with_the_total(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "schedule-1")
    for fmt, text in texts(result, "schedule-1"):
        for practice, size in zip(network["practices"], LISTS, strict=True):
            assert practice["name"] in text, fmt
            assert practice["ods_code"] in text, fmt
            assert f"{size:,}" in text, fmt
        assert f"{POPULATION:,}" == "53,117"
        assert "Total (5 practices)" in text, fmt
        assert "53,117" in text, fmt
        assert "Riverside Surgery (A99001), a member practice, is the nominated payee" in text, fmt


def test_schedule_1_practice_table_in_the_docx(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "schedule-1")
    (path,) = [p for p in result.written if p.suffix == ".docx"]
    table = next(t for t in docx.Document(str(path)).tables if t.cell(0, 0).text == "Practice")
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1:-1] == [
        [p["name"], p["ods_code"], f"{size:,}"]
        for p, size in zip(network["practices"], LISTS, strict=True)
    ]
    assert rows[-1] == ["Total (5 practices)", "", "53,117"]


def test_schedule_1_has_a_signature_block_for_every_practice(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "schedule-1")
    for fmt, text in texts(result, "schedule-1"):
        for p in network["practices"]:
            signer = p["signatory"]
            assert f"{p['name']} ({p['ods_code']}) To be signed by {signer['name']}, " in text, fmt
        assert text.count("Signature") >= len(network["practices"]), fmt


# The figures and dates every Schedule 1 states, whatever the method and the way of voting;
# its wording is in the snapshot (tests/snapshots/schedule-1.html).
COMMON_CLAUSES = (
    "at least 28 days before",
    "Nominations are open for 14 days",
    "holds office for 3 years",
    "No one may serve more than 2 terms in a row",
    "giving 3 months' notice",
    "review this appointment process by 31 March 2027",
)
METHOD_CLAUSES = {
    "selection": (
        ["Method: selection.", "The selection panel", "which candidate to recommend",
         "The members' decision", "tied yes-or-no vote on the panel's recommended candidate"],
        ["The ballot", "go forward to the ballot", "a second vote is held between them"],
    ),
    "election": (
        ["Method: election.", "The ballot", "Every candidate validly nominated",
         "none has the majority, the candidate with the fewest votes drops out",
         "a second vote is held between them"],
        ["selection panel", "The members' decision"],
    ),
    "selection_and_election": (
        ["Method: selection followed by election.", "The selection panel",
         "Those candidates go forward to the ballot", "The ballot",
         "a second vote is held between them"],
        ["The members' decision", "which candidate to recommend"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("voting", VOTING)
@pytest.mark.parametrize("method", METHODS)
def test_schedule_1_appointment_clauses(
    write_profile: WriteProfile,
    tmp_path: Path,
    network: dict[str, Any],
    method: str,
    voting: str,
) -> None:
    network["appointment"].update(method=method, voting=voting)
    result = build(write_profile, tmp_path, network, "schedule-1")
    present, absent = METHOD_CLAUSES[method]
    chosen = "appointed" if method == "selection" else "elected"
    if voting == "one_practice_one_vote":
        present = [
            *present,
            "Each member practice has one vote, whatever its size: 5 votes in all",
            # 75% of 5 practices is 3.75, so 4 must take part; a simple majority of 5 is 3.
            "at least 75% of the member practices take part: 4 of the 5 practices",
            f"To be {chosen}, a candidate needs more than half of the votes cast. "
            "If all 5 practices vote, that is 3 votes",
            "at least two thirds of all member practices agree: 4 of the 5",
        ]
    else:
        present = [
            *present,
            "Share of the vote",
            "Votes are weighted by list size",
            "practices holding at least 75% of the votes take part",
            f"To be {chosen}, a candidate needs more than half of the weighted votes cast",
            "practices holding at least two thirds of all the votes agree",
        ]
        absent = [*absent, "whatever its size"]
    for fmt, text in texts(result, "schedule-1"):
        for clause in (*COMMON_CLAUSES, *present):
            assert clause in text, (fmt, clause)
        for clause in absent:
            assert clause not in text, (fmt, clause)
        if voting == "list_size_weighted":
            shares = [round(size * 100 / POPULATION, 1) for size in LISTS]
            assert sum(shares) == pytest.approx(100)
            assert shares == [23.2, 18.6, 20.9, 16.3, 21.0]
            codes = [p["ods_code"] for p in network["practices"]]
            for code, share in zip(codes, shares, strict=True):
                assert re.search(rf"{code}\D+[\d,]+\D+{share:.1f}%", text), (fmt, code, share)


def test_schedule_1_clauses_are_numbered_1_and_1_1(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "schedule-1")
    (pdf,) = [p for p in result.written if p.suffix == ".pdf"]
    text = squash(pdf_text(pdf))
    assert "1. Who may stand 1.1 Any practising clinician" in text
    assert "2. Running the process 2.1 The member practices name" in text
    (path,) = [p for p in result.written if p.suffix == ".docx"]
    paragraphs = docx.Document(str(path)).paragraphs
    levels = {}
    for p in paragraphs:
        ilvl = p._p.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
        if ilvl:
            levels[p.text[:20]] = int(ilvl[0])
    assert levels["Who may stand"] == 0
    assert levels["Any practising clini"] == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"tie_break": "drawing_lots"}, "draws lots between them, in front of a witness, and the "
         "candidate drawn is elected"),
        ({"tie_break": "joint_appointment"}, "offered the role together, as joint clinical"),
        ({"interim_cover": "deputy", "deputy": "Dr Ann Deputy"}, "Dr Ann Deputy acts as interim"),
        ({"max_consecutive_terms": None}, "no limit on the number of terms"),
        ({"majority": "two_thirds"}, "at least two thirds of the votes cast. If all 5 practices "
         "vote, that is 4 votes"),
        ({"majority": "unanimous"}, "the votes of every member practice, not only of those that "
         "take part"),
        ({"resignation_notice_months": 1}, "giving 1 month's notice"),
        ({"selection_panel": ["the clinical director of a neighbouring network", "the LMC",
          "two practice representatives"]}, "The panel is made up of the clinical director of a "
         "neighbouring network, the LMC and two practice representatives."),
        ({"selection_criteria": ["Lives locally"]}, "and against these further criteria: Lives "
         "locally."),
        ({"review_date": None}, "review this appointment process by the review date in"),
    ],
)  # fmt: skip
def test_schedule_1_follows_the_profile(
    write_profile: WriteProfile,
    tmp_path: Path,
    network: dict[str, Any],
    changes: dict[str, Any],
    expected: str,
) -> None:
    network["appointment"].update(changes)
    options = BuildOptions(tmp_path / "out", ("docx",), ("schedule-1",), today=TODAY)
    (path,) = build_profile(write_profile(network), options).written
    assert expected in read(path)


# --- The clinical director's job description ----------------------------------------------


def test_job_description_has_all_eight_annex_e_items(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "cd-job-description")
    items = load_facts().annex_e.core_responsibilities
    assert len(items) == 8
    for fmt, text in texts(result, "cd-job-description"):
        for item in items:
            assert f"{item.number}. {item.title}." in text or fmt == "docx", (fmt, item.title)
            assert f"{item.title}." in text, (fmt, item.title)
            assert f"(Annex E, item {item.number})" in text, (fmt, item.number)


def test_job_description_funding_for_53117_patients(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "cd-job-description")
    pounds = RATE_2023_24 * POPULATION  # 38,755.76
    for fmt, text in texts(result, "cd-job-description"):
        assert f"{WTE:.4f}" == "0.2656"
        assert f"0.25 {TIMES} 53,117 ÷ 50,000" in text, fmt
        assert "0.2656 WTE" in text, fmt
        assert f"{WTE * 9:.2f} sessions a week" == "2.39 sessions a week"
        assert "2.39 sessions a week (0.2656 WTE)" in text, fmt
        # 2.39 sessions of 4 hours 10 minutes: 598 minutes, said as people say it.
        assert "9 hours 58 minutes" in text, fmt
        assert f"£0.72963 {TIMES} 53,117 registered patients" in text, fmt
        assert money(pounds) == "£38,756"
        assert "Clinical director payment for the year" in text, fmt
        assert money(pounds) in text, fmt
        # Joint directors share the benchmark time 60:40; the money is never split into
        # "salaries": pay is the agreed sessions at the agreed rate.
        assert f"{0.6 * WTE * 9:.2f}" in text and f"{0.4 * WTE * 9:.2f}" in text, fmt
        assert money(0.6 * pounds) not in text and money(0.4 * pounds) not in text, fmt
        assert "Dr Priya Shah: £27,300 a year (£350 a session)" in text, fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_shares_of_the_benchmark_keep_two_places(example_build: BuildResult, fmt: str) -> None:
    # 2.66 sessions shared 60:40 is 1.596 and 1.064: the column reads 1.60 and 1.06, adding
    # up to the total, beside the agreed time as the profile states it (1.5 and 1).
    (path,) = [p for p in example_build.written if p.name == f"cd-job-description.{fmt}"]
    text = read(path).replace(" |", "")  # the DOCX reader marks table cells with bars
    assert "Dr Priya Shah 1.5 sessions 60% 1.60 sessions" in text
    assert "Helen Okafor 1 session 40% 1.06 sessions" in text
    assert "Total 2.5 sessions 100% 2.66 sessions" in text


def test_job_description_header_and_sections(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, network, "cd-job-description")
    for fmt, text in texts(result, "cd-job-description"):
        # The names, figures and dates a reader checks; the wording is in the snapshot.
        for phrase in (
            "Joint clinical director, Riverside Primary Care Network",
            "The member practices, at the Network Board",
            "3 years, appointed by selection followed by election",
            "Current term: 1 April 2025 to 31 March 2028",
            "Chair the monthly network board meeting",  # the profile's local responsibility
            "review this job description by 31 March 2027",
        ):
            assert phrase in text, (fmt, phrase)
        # 2023/24 is before the duties added in 2024/25.
        assert "Duties the contract adds" not in text, fmt
        # The LMC's advice is for the network, not for the candidate.
        assert "copied from the internet" not in text, fmt
        assert "| None |" not in text and "| None" not in text, fmt  # no empty cell says "None"


@pytest.mark.parametrize(
    ("year", "capacity_duties", "confirmed"),
    [("2024/25", True, True), ("2025/26", True, True), ("2026/27", False, False)],
)
def test_job_description_duties_of_the_year(
    write_profile: WriteProfile,
    tmp_path: Path,
    network: dict[str, Any],
    year: str,
    capacity_duties: bool,
    confirmed: bool,
) -> None:
    network.update(contract_year=year)
    network["network"]["population_date"] = date(int(year[:4]), 1, 1)
    result = build(write_profile, tmp_path, network, "cd-job-description")
    for fmt, text in texts(result, "cd-job-description"):
        assert f"adds for {year}" in text, fmt
        assert "Use the funding and additional roles well" in text, fmt
        assert "Integrated neighbourhood teams" in text, fmt
        assert ("capacity and access support payment" in text) == capacity_duties, fmt
        assert ("informing the commissioner" in text) == capacity_duties, fmt
        # The commissioner is informed, not reported to ("as reported by" names a source).
        duties = text.split("adds for")[1].split("Terms agreed locally")[0]
        assert not re.search(r"\breport(?!ed by)", duties), fmt
        unconfirmed = "has not yet been confirmed against the specification" in text
        assert unconfirmed == (not confirmed), fmt
        assert ("These are national duties" in text) == (year == "2024/25"), fmt
        # From 2024/25 there is no separate payment: the basis is kept as a guide only.
        assert "Level of time funded until 2023/24" in text, fmt
        assert "Clinical director payment" not in text, fmt


def test_job_description_without_local_duties_or_review_date(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    network["local_cd_responsibilities"] = []
    del network["document_control"]["review_date"]
    result = build(write_profile, tmp_path, network, "cd-job-description")
    for fmt, text in texts(result, "cd-job-description"):
        assert "None. The role is the national minimum above" in text, fmt
        # A finished document reads naturally without the optional review date (a warning says
        # it is missing); it never prints a placeholder.
        assert "review this job description each year" in text, fmt
        assert "[to be agreed" not in text, fmt


# --- One checklist and one role description per lead --------------------------------------


def lead_files(result: BuildResult, kind: str, fmt: str) -> list[Path]:
    """Return one kind of per-lead document in one format."""
    return sorted(p for p in result.written if p.name.startswith(kind) and p.suffix == f".{fmt}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_checklist_per_lead(
    example_build: BuildResult, example_data: dict[str, Any], fmt: str
) -> None:
    facts = load_facts()
    files = lead_files(example_build, "lead-checklist-", fmt)
    assert len(files) == len(example_data["leads"]) == 6
    for lead in example_data["leads"]:
        workstream = facts.workstream(lead["workstream"])
        (path,) = [p for p in files if lead["name"].lower().replace(" ", "-") in p.name]
        text = read(path)
        kind = "Clinical" if lead["kind"] == "clinical" else "Non-clinical"
        assert f"{kind} lead checklist: {workstream.title}" in text
        assert lead["name"] in text
        assert "Review date" in text and "31 March 2027" in text
        for item in facts.workstreams.general_checklist:
            # A non-clinical lead's checklist has no clinical items.
            assert (item.title in text) == (lead["kind"] == "clinical" or not item.clinical_only)
        for own in workstream.checklist:
            assert own.text in text
        if workstream.specification is None:  # finance, HR: nothing to read
            assert "What does the specification ask" not in text
            assert "whenever the specification for the workstream changes" not in text
        else:
            # From 2024/25 one specification a year covers every service: the example's year.
            # History is cited to the specification that began the work, with its standing.
            assert f"Source: {workstream.cited}." in text


def test_checklist_items_are_tick_boxes(
    example_build: BuildResult, example_data: dict[str, Any]
) -> None:
    facts = load_facts()
    for lead in example_data["leads"]:
        general = len(
            [
                item
                for item in facts.workstreams.general_checklist
                if lead["kind"] == "clinical" or not item.clinical_only
            ]
        )
        own = len(facts.workstream(lead["workstream"]).checklist)
        name = lead["name"].lower().replace(" ", "-")
        (path,) = [
            p for p in lead_files(example_build, "lead-checklist-", "docx") if name in p.name
        ]
        xml = docx.Document(str(path)).element.xml
        assert xml.count("<w14:checkbox>") == general + own
        (html,) = [p for p in example_build.written if p.name == path.with_suffix(".html").name]
        assert html.read_text(encoding="utf-8").count('type="checkbox"') == general + own


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_role_description_per_lead(
    example_build: BuildResult, example_data: dict[str, Any], fmt: str
) -> None:
    facts = load_facts()
    files = lead_files(example_build, "lead-role-description-", fmt)
    assert len(files) == len(example_data["leads"])
    practices = {p["ods_code"]: p["name"] for p in example_data["practices"]}
    for lead in example_data["leads"]:
        name = lead["name"].lower().replace(" ", "-")
        (path,) = [p for p in files if name in p.name]
        text = read(path)
        workstream = facts.workstream(lead["workstream"])
        cost = lead["sessions_per_month"] * 12 * lead["session_rate"]
        count = lead["sessions_per_month"]
        sessions = f"{count:g} session{'s' if count != 1 else ''}"
        assert lead["name"] in text
        assert workstream.title in text
        assert f"{sessions} a month" in text
        assert f"{lead['sessions_per_month'] * 12:g} {TIMES} £{lead['session_rate']}" in text
        assert money(cost) in text
        for duty in facts.workstreams.lead_duties:
            # No "read the specification" where the workstream has none.
            expected = (
                duty.text
                if workstream.specification or not duty.without_specification
                else duty.without_specification
            )
            # The example's joint directors are named as such.
            expected = expected.replace("the clinical director ", "the clinical directors ")
            assert " ".join(expected.split()) in text
        assert "read the specification" not in text.lower() or workstream.specification
        # No line management unless the profile gives the lead staff to manage.
        assert "appraising them" not in text and "Line manages" not in text
        assert text.count("Go to the meetings held about the workstream") == 1
        assert ("Paid as an individual." in text) == (lead.get("reimbursed_to") == "individual")
        assert "Dr Priya Shah and Helen Okafor keep overall leadership of the network" in text
        if lead["kind"] == "clinical":
            assert f"Clinical lead: {workstream.title}" in text
            assert "This is a clinical role" in text
            assert "Carry on with clinical work alongside the lead role" in text
        else:
            assert f"Non-clinical lead: {workstream.title}" in text
            assert "This is a non-clinical role" in text
            assert "Carry on with clinical work" not in text
            # A finance or HR lead runs no services: its duties say so in its own terms.
            assert "services" not in text
            assert "Improve how the network carries out the workstream's work." in text
        # The example has joint directors: no duty speaks of one clinical director.
        assert "with the clinical director " not in text
        if lead.get("reimbursed_to", "practice") == "practice":
            assert f"This role is paid to {practices[lead['practice']]}" in text
        else:
            assert f"This role is paid to {lead['name']} directly" in text


def test_role_description_funding_streams(example_build: BuildResult) -> None:
    files = lead_files(example_build, "lead-role-description-", "docx")
    texts_by_name = {p.name: read(p) for p in files}
    karen = texts_by_name["lead-role-description-finance-karen-wells.docx"]
    assert "Agree with the clinical directors and the member practices" in karen
    assert "Funding stream: Core PCN Funding." in karen  # the example's year is 2026/27
    omar = texts_by_name["lead-role-description-medication-reviews-omar-haddad.docx"]
    assert "Funding stream: Investment and Impact Fund (IIF) earnings." in omar


def test_a_lead_over_two_sessions_is_called_out(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    network["leads"] = [{**network["leads"][0], "sessions_per_month": 3}]
    result = build(write_profile, tmp_path, network, "lead-role-description")
    for fmt, text in texts(result, "lead-role-description-cvd-prevention-dr-sam-patel"):
        assert "This is more than usual. At 3 sessions a month the role takes 1 more" in text, fmt
    assert any(w.text.startswith("3 sessions a month for ") for w in result.warnings)


# --- Leadership and funding summary -------------------------------------------------------


def test_leadership_summary_fits_on_one_page(example_build: BuildResult) -> None:
    (pdf,) = [p for p in example_build.written if p.name == "leadership-summary.pdf"]
    assert len(PdfReader(str(pdf)).pages) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_leadership_summary_figures(
    example_build: BuildResult, example_data: dict[str, Any], fmt: str
) -> None:
    (path,) = [p for p in example_build.written if p.name == f"leadership-summary.{fmt}"]
    text = read(path)
    population = sum(p["list_size"] for p in example_data["practices"])
    assert population == 59_126
    leads = example_data["leads"]
    cost = {
        stream: sum(
            lead["sessions_per_month"] * 12 * lead["session_rate"]
            for lead in leads
            if lead["funding_stream"] == stream
        )
        for stream in ("core", "iif")
    }
    assert sum(cost.values()) == 35_280
    # The directors' pay: 1.5 + 1 sessions a week at £350, for 52 weeks.
    pay = (1.5 + 1) * 350 * 52
    assert pay == 45_500
    core_pcn_funding = example_data["funding"]["core_pcn_funding"]  # the network's own figure
    for lead in leads:
        assert lead["name"] in text
    assert "The network pays the directors £45,500 a year" in text
    assert money(pay + cost["core"]) in text  # what Core PCN Funding pays for
    assert money(core_pcn_funding) in text and "(the network's own figure)" in text
    assert f"{round((pay + cost['core']) * 100 / core_pcn_funding)}%" in text
    assert money(pay + sum(cost.values())) in text  # all leadership
    assert "level of time funded until 2023/24, kept as a guide, of 2.66 sessions" in " ".join(
        text.split()
    )
    # Sessions read one way: as the profile states them (1.5, 1), worked-out ones to 2 places.
    flat = " ".join(text.split())
    assert "1.5 sessions and 1 session a week, 2.5 sessions in all" in flat
    assert "1.50" not in text and "1.00" not in text
    assert "Core PCN Funding still pays the clinical director" in flat
    assert "its rate for 2026/27 was not published when these facts were checked" in flat
    # The IIF row says why its amount is unknown instead of leaving a bare "not known".
    assert "Not known in advance" in flat and "the network earns" in flat
    assert "| not known |" not in text and "IIF) earnings Omar Haddad £6,720 not known" not in flat
    assert "(a dash where either is not known)" in flat
    # Nothing set against the directors' money, and no money "received for the role".
    assert "The leads cost" not in text and "receives" not in text
    assert "Workstreams without a lead: Vaccination programme" in text
    assert "Continuity of care" in text  # a 2026/27 workstream with no lead
    assert "The LMC advises" in text


def test_summary_says_why_core_funding_is_not_shown(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any]
) -> None:
    # No national Core PCN Funding rate is known for 2026/27; without the network's own figure
    # the table says so in words, and the share cell holds a dash the note under it explains.
    data = copy.deepcopy(example_data)
    del data["funding"]
    result = build(write_profile, tmp_path, data, "leadership-summary")
    for fmt, text in texts(result, "leadership-summary"):
        assert "Not known: no national rate" in text, fmt
        assert "network states none" in text, fmt
        assert "(a dash where either is not known)" in text, fmt
    (pdf,) = [p for p in result.written if p.name == "leadership-summary.pdf"]
    assert len(PdfReader(str(pdf)).pages) == 1  # the reasons keep the summary to one page


def test_build_warnings_carry_their_figures(example_build: BuildResult) -> None:
    messages = [w.text for w in example_build.warnings]
    assert (
        "1 local responsibility is added beyond the national minimum (Annex E); set the time "
        "against the level of time funded until 2023/24, 2.66 sessions a week, kept as a guide"
    ) in messages
    assert any(
        m.startswith("12 workstreams have no lead in 2026/27: Vaccination programme")
        for m in messages
    )


def test_optional_values_left_out_leave_no_placeholder(
    write_profile: WriteProfile, tmp_path: Path, network: dict[str, Any]
) -> None:
    for key in ("code", "commissioner", "area"):
        del network["network"][key]
    result = build(write_profile, tmp_path, network, "schedule-1")
    for fmt, text in texts(result, "schedule-1"):
        assert "[to be agreed" not in text, fmt
        for row in ("PCN code", "Commissioner |", "Area covered"):
            assert row not in text, (fmt, row)


# --- the finance lead's figure -------------------------------------------------------------


def _finance_workstream(result: BuildResult) -> list[str]:
    """Return the finance lead checklist's section 'The workstream', in each format."""
    found = []
    for fmt in FORMATS:
        (path,) = [
            p for p in result.written if p.name == f"lead-checklist-finance-karen-wells.{fmt}"
        ]
        text = read(path)
        found.append(text.split("The workstream ", 1)[1].split("Every workstream", 1)[0])
    return found


@pytest.mark.parametrize(
    ("year", "funding", "says", "not_said"),
    [
        # The network states its Core PCN Funding: that figure, called so, replaces what
        # NHS England said of a typical network.
        (
            "2026/27",
            {"core_pcn_funding": 177_500},
            "The network's Core PCN Funding for 2026/27 is £177,500: the network's own figure.",
            "ready reckoner",
        ),
        # Its own rate a patient: split between registered patients and the adjusted
        # population as the national rate was, and so an estimate, with where the split is from.
        (
            "2026/27",
            {"core_rate_per_patient": 3.1, "adjusted_population": 60_000},
            "The network's Core PCN Funding for 2026/27 is £183,939: worked out by pcndocs "
            "(£2.3580 × 59,126 registered patients + £0.7420 × 60,000 adjusted population), an "
            "estimate: the network's own rate of £3.10 a patient, split as the national rate of "
            "2024/25 was: 76% for each registered patient and 24% for each patient of the "
            "adjusted population",
            "£183,291",  # never the rate times registered patients alone
        ),
        # The two parts of its own rate: worked out, and the network's own, never an estimate.
        (
            "2026/27",
            {
                "core_rate_per_registered_patient": 2.3,
                "core_rate_per_adjusted_patient": 0.8,
                "adjusted_population": 60_000,
            },
            "The network's Core PCN Funding for 2026/27 is £183,990: worked out by pcndocs at "
            "the network's own rate (£2.30 × 59,126 registered patients + £0.80 × 60,000 "
            "adjusted population).",
            "estimate",
        ),
        # Before 2024/25 the core payment was for each registered patient alone.
        (
            "2023/24",
            {"core_rate_per_patient": 1.6},
            "The network's Core payment for 2023/24 is £94,602: worked out by pcndocs at "
            "the network's own rate (£1.60 × 59,126 registered patients).",
            "£1.50 per registered patient)",  # the title never names a rate it does not use
        ),
        # National rates of a year whose split is one calculator's: an estimate, with whose.
        (
            "2025/26",
            {"adjusted_population": 60_000},
            "The network's Core PCN Funding for 2025/26 is £177,960: worked out by pcndocs "
            "(£2.266 × 59,126 registered patients + £0.733 × 60,000 adjusted population), "
            "an estimate, from pcnd.info's payment calculator.",
            "the network's own figure",
        ),
        # Nothing to work from: only what NHS England said of a typical network, reported.
        (
            "2026/27",
            {},
            "NHS England's 2025/26 ready reckoner gave about £1.6m for 30,000 patients "
            "(Management in Practice, 2025).",
            "The network's Core PCN Funding",
        ),
    ],
)
def test_the_finance_checklist_states_the_networks_own_core_funding(
    write_profile: WriteProfile,
    tmp_path: Path,
    example_data: dict[str, Any],
    year: str,
    funding: dict[str, Any],
    says: str,
    not_said: str,
) -> None:
    data = copy.deepcopy(example_data)
    data["contract_year"] = year
    data["network"]["population_date"] = date(int(year[:4]), 1, 1)
    data["funding"] = funding
    result = build(write_profile, tmp_path, data, "lead-checklist")
    for text in _finance_workstream(result):
        assert says in text, text
        assert not_said not in text


# --- words a board reads: no national benchmark after 2023/24 ----------------------------


@pytest.mark.parametrize(("year", "benchmark"), [("2026/27", False), ("2023/24", True)])
def test_schedule_1_calls_the_joint_directors_shares_what_they_are(
    write_profile: WriteProfile,
    tmp_path: Path,
    example_data: dict[str, Any],
    year: str,
    benchmark: bool,
) -> None:
    """From 2024/25 nothing is paid for the role apart: the shares are of the time funded
    until 2023/24, kept as a guide, not of a national benchmark (corrections of 2026-12)."""
    data = copy.deepcopy(example_data)
    data["contract_year"] = year
    data["network"]["population_date"] = date(int(year[:4]), 1, 1)
    if benchmark:
        data["funding"] = {}
    result = build(write_profile, tmp_path, data, "schedule-1")
    for _fmt, text in texts(result, "schedule-1"):
        assert ("national funding benchmark" in text) is benchmark
        if not benchmark:
            assert (
                "The level of time funded for the role until 2023/24, kept as a guide, is "
                "divided between them as Dr Priya Shah 60% and Helen Okafor 40%: this divides "
                "the guide level only" in text
            )
            assert "their shares of the level of time funded until 2023/24, kept as a guide" in (
                text
            )


def test_the_salaried_gp_uplifts_read_as_a_list(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any]
) -> None:
    result = build(write_profile, tmp_path, example_data, "cd-job-description")
    for _fmt, text in texts(result, "cd-job-description"):
        assert "4% in 2025/26 (Pulse and Management in Practice, 2025) and 3.5% in 2026/27" in text


def test_a_sentence_introducing_a_list_stays_with_it(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any]
) -> None:
    """LibreOffice once ended a page of the job description with 'The member practices have
    agreed these duties beyond the national minimum:' and began the next with the list."""
    result = build(write_profile, tmp_path, example_data, "cd-job-description")
    (path,) = [p for p in result.written if p.suffix == ".docx"]
    paragraphs = docx.Document(str(path)).paragraphs
    (intro,) = [p for p in paragraphs if p.text.endswith("beyond the national minimum:")]
    assert intro.paragraph_format.keep_with_next
    # A paragraph that introduces nothing is left free to break where it falls.
    (free,) = [p for p in paragraphs if p.text.startswith("A year is worked out as 52 weeks")]
    assert not free.paragraph_format.keep_with_next


# A profile key or a Python word, as a sentence must never hold one.
KEY_LIKE = re.compile(r"\b(?:funding|network|appointment|governance)\.[a-z_]+|\b[a-z]+_[a-z_]+\b")


@pytest.mark.parametrize("year", ["2024/25", "2025/26", "2026/27"])
def test_a_figure_the_profile_cannot_give_names_no_key(
    write_profile: WriteProfile, tmp_path: Path, example_data: dict[str, Any], year: str
) -> None:
    """No adjusted population (2024/25, 2025/26) or Core PCN Funding (2026/27): the job
    description and the summary say so in words, not as 'funding.adjusted_population'."""
    data = copy.deepcopy(example_data)
    data["contract_year"] = year
    data["network"]["population_date"] = date(int(year[:4]), 1, 1)
    data["funding"] = {}
    result = build(write_profile, tmp_path, data, "cd-job-description", "leadership-summary")
    for stem in ("cd-job-description", "leadership-summary"):
        for _fmt, text in texts(result, stem):
            assert not KEY_LIKE.search(text), KEY_LIKE.findall(text)


# --- typography: one kind of quote in every document ---------------------------------------


def test_the_templates_quotes_are_curly_and_a_values_as_typed(
    example_build: BuildResult, tmp_path: Path, write_profile: Callable[[Any], Path]
) -> None:
    """The templates' words and placeholders quote alike ("the practices’ list sizes",
    "[to be agreed: the director’s rate per session]"); a value is shown as typed ("St
    Anne's PCN", with the user's straight apostrophe). DOCX and PDF, finished and blank."""
    blank = build_profile(
        write_profile({"network": {"name": "St Anne's PCN"}, "contract_year": "2026/27"}),
        BuildOptions(tmp_path / "out", FORMATS, blank=True),
    )
    for path in blank.written:
        if path.name == "cd-job-description.docx":  # a PDF's table cells wrap the phrase
            text = squash(docx_text(path))
            assert "[to be agreed: the director\u2019s rate per session]" in text, path.name
            assert "the practices\u2019 list sizes" in text, path.name
    summary = docx_text(next(p for p in blank.written if p.name == "leadership-summary.docx"))
    assert "St Anne's PCN" in summary and "the practices\u2019 list sizes" in summary
    (schedule,) = [p for p in example_build.written if p.name == "schedule-1.docx"]
    assert "St Anne's Family Practice" in docx_text(schedule)  # the profile's, as typed
