"""Schedule 1 and the job description hold together, read back from the DOCX and PDF.

Two networks built once each: joint directors with their own sessions and pay, a payee that is
not a member practice and a one-term limit; and a network whose votes are weighted, whose
appointment needs every practice, and which lists no decision needing unanimity.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, BuildResult
from pcndocs.resources import example_profile
from tests.readback import docx_text, pdf_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 6, 1)
FORMATS = ("docx", "pdf")
QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")


def _example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    return data


def _build(tmp: Path, data: dict[str, Any]) -> BuildResult:
    path = tmp / "profile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    documents = ("schedule-1", "cd-job-description", "lead-role-description")
    return build_profile(path, BuildOptions(tmp / "out", FORMATS, documents, today=TODAY))


def _texts(result: BuildResult, stem: str) -> dict[str, str]:
    """Return the text of one document in each format, in single spaces, quotes made straight."""
    found = {}
    for path in result.written:
        if path.stem == stem:
            text = docx_text(path) if path.suffix == ".docx" else pdf_text(path)
            found[path.suffix[1:]] = squash(text).translate(QUOTES)
    assert set(found) == set(FORMATS)
    return found


@pytest.fixture(scope="module")
def joint(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Joint directors on 1.5 and 1 sessions, paid £31,200 and £15,600, with shares 50/50."""
    data = _example()
    first, second = data["clinical_directors"]
    first.update(session_rate=400, funded_share=0.5, line_manages=["the PCN manager"])
    second.update(session_rate=300, funded_share=0.5)
    data["job_description"]["line_manages"] = ["the network's care coordinators"]
    data["network"].update(nominated_payee="Y01234", payee_name="Riverside GP Federation")
    data["appointment"]["max_consecutive_terms"] = 1
    data["governance"].update(meetings_per_year=1, body_name="Members Meeting")
    data["document_control"].update(approved_by="Members Meeting", effective_date=date(2026, 4, 1))
    return _build(tmp_path_factory.mktemp("joint"), data)


@pytest.fixture(scope="module")
def weighted(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One director; board votes weighted, the appointment one practice one vote, unanimous."""
    data = _example()
    data["clinical_directors"] = data["clinical_directors"][:1]
    del data["clinical_directors"][0]["funded_share"]
    data["appointment"].update(method="selection", majority="unanimous", max_consecutive_terms=3)
    del data["appointment"]["tie_break"]
    del data["appointment"]["quorum_percent"]
    data["governance"].update(voting="list_size_weighted", unanimous_matters=[])
    data["document_control"]["show_generator"] = True
    del data["document_control"]["effective_date"]  # the approval date takes its place
    return _build(tmp_path_factory.mktemp("weighted"), data)


def test_joint_directors_own_sessions_and_pay_in_both_documents(joint: BuildResult) -> None:
    for fmt, text in _texts(joint, "schedule-1").items():
        assert "share the role, its time and its pay" not in text, fmt
        assert (
            "is paid for that time: Dr Priya Shah £31,200 a year and Helen Okafor £15,600 a year."
            in text
        ), fmt
        assert "divided between them as Dr Priya Shah 50% and Helen Okafor 50%: this" in text, fmt
    (path,) = [p for p in joint.written if p.name == "schedule-1.docx"]
    rows = [
        [cell.text for cell in row.cells]
        for table in docx.Document(str(path)).tables
        for row in table.rows
        if row.cells[0].text.startswith(("Dr Priya Shah", "Helen Okafor"))
    ]
    assert [(row[0], row[2]) for row in rows] == [
        ("Dr Priya Shah (GP)", "1.5"),
        ("Helen Okafor (Advanced Nurse Practitioner)", "1"),
    ]
    for fmt, text in _texts(joint, "cd-job-description").items():
        assert "Dr Priya Shah: £31,200 a year (£400 a session)" in text, fmt
        assert "Helen Okafor: £15,600 a year (£300 a session)" in text, fmt
        assert "Each director's own practice" in text, fmt


def test_the_shares_that_disagree_with_the_time_are_warned_of(joint: BuildResult) -> None:
    shares = [w for w in joint.warnings if w.key.endswith("funded_share")]
    assert [w.key for w in shares] == [
        "clinical_directors[0].funded_share",
        "clinical_directors[1].funded_share",
    ]
    assert "50% of the benchmark, but their 1.5 of the directors' 2.5 sessions" in shares[0].text


def test_a_payee_that_is_another_provider(joint: BuildResult) -> None:
    for fmt, text in _texts(joint, "schedule-1").items():
        assert (
            "Riverside GP Federation (ODS code Y01234) is the nominated payee. It is not a "
            "member practice" in text
        ), fmt
        # How it holds the funds is not given: still to be agreed.
        assert (
            "How it holds the network's funds (on trust for the member practices, in a separate "
            "bank account kept for the network, or both) is still to be agreed by the member "
            "practices." in text
        ), fmt


@pytest.mark.parametrize(
    ("payee", "held", "words"),
    [
        (
            "Y01234",
            "separate_account_on_trust",
            "in a separate bank account, held on trust for the member practices.",
        ),
        ("Y01234", "on_trust", "on trust for the member practices, apart from its own money."),
        (
            "A99001",
            "separate_account",
            "in a separate bank account kept for the network, apart from its own money.",
        ),
    ],
)
def test_how_the_payee_holds_the_networks_funds(
    tmp_path: Path, payee: str, held: str, words: str
) -> None:
    """Correction 4: the payee may be another provider, and the profile says how it holds the
    funds; Schedule 1 prints it for any payee, and check then has nothing to say of it."""
    data = _example()
    data["network"].update(nominated_payee=payee, payee_holds_funds=held)
    if payee == "Y01234":
        data["network"]["payee_name"] = "Riverside GP Federation"
    result = _build(tmp_path, data)
    for fmt, text in _texts(result, "schedule-1").items():
        assert f"It holds the network's funds {words}" in text, fmt
        assert "still to be agreed by the member practices" not in text, fmt


def test_effective_date_and_no_generator_line(joint: BuildResult) -> None:
    for stem in ("schedule-1", "cd-job-description"):
        for fmt, text in _texts(joint, stem).items():
            assert "Effective from 1 April 2026." in text, (stem, fmt)
            assert "Effective date | 1 April 2026" in text or "Effective date 1 April 2026" in (
                text
            ), (stem, fmt)
            assert "Prepared with" not in text, (stem, fmt)


def test_the_generator_line_when_asked_and_the_approval_date_as_effective(
    weighted: BuildResult,
) -> None:
    for stem in ("schedule-1", "cd-job-description"):
        for fmt, text in _texts(weighted, stem).items():
            assert "Prepared with" in text, (stem, fmt)
            assert "Effective from 20 March 2026." in text, (stem, fmt)


def test_one_term_limit_and_once_a_year_and_body_names(joint: BuildResult) -> None:
    for fmt, text in _texts(joint, "schedule-1").items():
        assert "sitting director may stand" not in text, fmt
        assert "may not stand again straight after it" in text, fmt
        assert "at least once a year" in text, fmt
        assert "1 time" not in text, fmt
        assert "a meeting of the Members Meeting" not in text, fmt


def test_changing_the_schedule_names_what_needs_no_unanimity(joint: BuildResult) -> None:
    for fmt, text in _texts(joint, "schedule-1").items():
        assert "changing this schedule" in text, fmt
        assert (
            "Keeping this schedule up to date is not a change to it that needs every practice"
            in text
        ), fmt
        assert 'by the majority in "Decisions"' in text, fmt


def test_no_unanimous_matters_no_clause_and_no_quorum_under_unanimity(
    weighted: BuildResult,
) -> None:
    for fmt, text in _texts(weighted, "schedule-1").items():
        assert "Decisions that need every practice" not in text, fmt
        assert "at the meeting:" not in text, fmt
        assert "A vote counts only if" not in text, fmt
        assert "Majority and quorum" not in text, fmt
        assert "practices vote no" not in text, fmt
        assert (
            'see "Decisions" below; the clinical director is appointed one practice one vote'
            in text
        ), fmt
        assert "unless the term now ending is their third in a row" in text, fmt


def test_the_source_of_the_year_sits_under_the_table_of_the_post(joint: BuildResult) -> None:
    (path,) = [p for p in joint.written if p.name == "cd-job-description.docx"]
    body = docx.Document(str(path)).element.body
    before = None
    for element in body.iterchildren():
        text = "".join(element.itertext()).strip()
        if text.startswith("Source for how the role is paid in 2026/27"):
            break
        if text:
            before = element
    else:
        pytest.fail("no source line for 2026/27")
    assert before is not None and before.tag.endswith("}tbl")
    assert "Paid from" in "".join(before.itertext())


def test_each_joint_director_line_manages_as_given(joint: BuildResult) -> None:
    for fmt, text in _texts(joint, "cd-job-description").items():
        assert "Dr Priya Shah line-manages the PCN manager." in text, fmt
        assert (
            "The directors also line-manage the network's care coordinators; they agree between "
            "them which of them line-manages whom" in text
        ), fmt


def test_workstream_titles_keep_their_capitals(joint: BuildResult) -> None:
    for fmt, text in _texts(joint, "lead-role-description-recruitment-and-hr-james-murray").items():
        assert "Recruitment and HR" in text, fmt
        assert "recruitment and hr" not in text, fmt


def test_working_relationships_are_people_and_bodies_and_the_payee_is_named(
    joint: BuildResult,
) -> None:
    for fmt, text in _texts(joint, "cd-job-description").items():
        assert "The directors work with these people and bodies: " in text, fmt
        assert "The Local Medical Committee (LMC)" in text, fmt
        assert "These are the working relationships usually named in published" in text, fmt
        assert "through the nominated payee, Riverside GP Federation" in text, fmt
    for fmt, text in _texts(joint, "schedule-1").items():
        assert "who receives its funding" in text, fmt


def test_a_network_of_one_practice_reads_true(tmp_path: Path) -> None:
    """A large practice may be a network on its own: no "all 1 practices", "1 votes",
    "between them" or "1 of the 1", and the weighted counts of several practices are not
    stated for one."""
    data = _example()
    first = data["practices"][0]
    data["practices"] = [first]
    data["network"]["nominated_payee"] = first["ods_code"]
    data["clinical_directors"] = data["clinical_directors"][:1]
    data["clinical_directors"][0].update(practice=first["ods_code"])
    del data["clinical_directors"][0]["funded_share"]
    data["leads"] = [dict(data["leads"][1], practice=first["ods_code"])]
    result = _build(tmp_path, data)
    for stem in ("schedule-1", "cd-job-description", f"lead-role-description-{LEAD_STEM}"):
        for fmt, text in _texts(result, stem).items():
            for wrong in ("all 1 ", " 1 votes", "1 practices", "between them on", "1 of the 1"):
                assert wrong not in text, (stem, fmt, wrong)
    schedule = _texts(result, "schedule-1")["docx"]
    assert "The network has 1 member practice with 12,452 registered patients on 1" in schedule
    assert "take part: the network's one member practice." in schedule
    jd = _texts(result, "cd-job-description")["docx"]
    assert "working across the network's one member practice" in jd
    assert "The member practice's list" in jd
    role = _texts(result, f"lead-role-description-{LEAD_STEM}")["docx"]
    assert "for the network's one member practice, and is the person" in role


LEAD_STEM = "care-homes-dr-lucy-hargreaves"


@pytest.mark.parametrize(
    ("practices", "who"),
    [
        (1, "The member practice may call an extra meeting"),
        (2, "The two member practices together may call an extra meeting"),
        (3, "Any two member practices together may call an extra meeting"),
    ],
)
def test_who_may_call_an_extra_meeting_holds_for_any_number_of_practices(
    tmp_path: Path, practices: int, who: str
) -> None:
    """A network of one practice has no two practices to call a meeting (found in the PDF of
    a one-practice network, which said "Any two member practices together may call")."""
    data = _example()
    data["practices"] = data["practices"][:practices]
    kept = {p["ods_code"] for p in data["practices"]}
    data["network"]["nominated_payee"] = data["practices"][0]["ods_code"]
    for person in (*data["clinical_directors"], *data["leads"]):
        if person["practice"] not in kept:
            person["practice"] = data["practices"][0]["ods_code"]
    built = _build(tmp_path, data)
    for path in (p for p in built.written if p.stem == "schedule-1"):
        text = squash(docx_text(path) if path.suffix == ".docx" else pdf_text(path))
        assert who in text, path.name
        if practices < 3:
            assert "Any two member practices" not in text, path.name
