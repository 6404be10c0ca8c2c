"""`pcndocs new --from PROFILE`: only what a profile lacks or has wrong is asked."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, load
from pcndocs.resources import example_profile
from tests.conftest import ImportNetworks
from tests.test_new import HINT, piped

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


def new_from(
    source: Path, path: Path, *answers: str, force: bool = False, last: tuple[str, ...] = ("", "")
) -> Result:
    """Run new --from with the answers, then `last`: Core PCN Funding and the review date,
    the two questions a profile without them is asked at its end (blank: none, and the default).
    """
    args = ["new", "--from", str(source), str(path), *(["--force"] if force else [])]
    return CliRunner().invoke(cli, args, input=piped(*answers, *last))


# A profile part filled in by hand: a list size written wrong, no appointment section, a
# lead without a rate; and values no question asks for, which are kept as they are.
PARTIAL = """\
# Millbrook's profile, begun by hand.
network:
  name: Millbrook PCN
  population_date: 01/01/2026
  nominated_payee: B10001
contract_year: 2026/27
practices:
  - name: Millbrook Medical Centre
    ods_code: B10001
    list_size: 12,450
    signatory: {name: Dr Ada Jones, role: Senior Partner}
  - name: Canal Street Practice
    ods_code: b10002
    list_size: twelve thousand
clinical_directors:
  - name: Dr Ben Ode
    practice: B10002
    sessions_per_week: 1.5
    session_rate: 420
leads:
  - name: Kim Lowe
    kind: non_clinical
    workstream: finance
    sessions_per_month: 2
    reimbursed_to: individual
    role: Practice Manager
governance:
  meetings_per_year: 10
document_control:
  author: Network Manager  # agreed at the March board
"""


def test_only_what_is_missing_or_wrong_is_asked(tmp_path: Path) -> None:
    source = tmp_path / "partial.yaml"
    source.write_text(PARTIAL, encoding="utf-8")
    path = tmp_path / "network.yaml"
    result = new_from(source, path, "9,873", "selection", "180", last=("150,000", ""))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    asked = lines[lines.index(HINT) + 1 : lines.index(f"Wrote {path}")]
    assert asked == [
        "Practice 2 (Canal Street Practice): registered patients: 9,873",
        "Appointment method (selection, election, selection_and_election): selection",
        "Lead 1 (Kim Lowe): pounds paid per session: 180",
        # What a finished build needs and the profile lacks: no national Core PCN Funding
        # rate for 2026/27, and a review date.
        "Core PCN Funding the network receives in 2026/27, in pounds (blank if not known): 150,000",
        "Date the member practices review these documents by (31/03/2027 or 2027-03-31) "
        "[2027-03-31]: ",
    ]
    assert (
        f"  {source}:14: practices[1].list_size: practice 2 (Canal Street Practice): "
        "expected a whole number, got 'twelve thousand'" in (result.output)
    )
    for question in (
        "Network name",
        "Practice 1: name",
        "Clinical director 1: name",
        "Lead 2",
        "Term",
    ):
        assert question not in result.output
    assert source.read_text(encoding="utf-8") == PARTIAL  # the profile given is never changed

    profile = load(path).profile
    assert [p.list_size for p in profile.practices] == [12450, 9873]
    assert profile.practices[1].ods_code == "B10002"
    signatory = profile.practices[0].signatory
    assert signatory is not None and signatory.role == "Senior Partner"
    assert profile.clinical_directors[0].session_rate == 420
    assert profile.appointment.method == "selection"
    assert profile.leads[0].session_rate == 180
    assert profile.leads[0].role == "Practice Manager"
    assert profile.governance.meetings_per_year == 10
    assert profile.document_control.author == "Network Manager"
    assert profile.document_control.review_date == date(2027, 3, 31)
    assert profile.funding.core_pcn_funding == 150_000
    text = path.read_text(encoding="utf-8")
    assert "\n# Millbrook's profile, begun by hand.\n" in text  # its comments are kept
    assert "  author: Network Manager            # agreed at the March board\n" in text
    data = yaml.safe_load(text)
    assert "term_years" not in data["appointment"]  # a default left unset stays unset
    assert "profession" not in data["clinical_directors"][0]


@pytest.mark.national
def test_an_imported_network_is_filled_in_and_builds(
    import_networks: ImportNetworks, tmp_path: Path
) -> None:
    imported = tmp_path / "imported"
    result = import_networks(imported, "U35980")
    assert result.exit_code == 0, result.output
    source = imported / "central-liverpool-pcn.yaml"
    before = source.read_text(encoding="utf-8")
    path = tmp_path / "network.yaml"
    answers = [
        "2026/27",  # the contract year: the import's follows its old list sizes, so it is asked
        "dingle",  # the payee, by the practice's name
        "Dr Ann Smith",
        "",  # profession: GP
        "Brownlow Group",  # practice, by name
        "",  # sessions: the suggestion
        "1/10/2025",  # start date
        "£420",  # pay a session
        "",  # no second director
        "election",
        "",  # no leads
    ]
    # Core PCN Funding (no national rate for 2026/27), and the review date: the year's end.
    result = new_from(source, path, *answers, last=("180,000", ""))
    assert result.exit_code == 0, result.output
    assert "Practice 1" not in result.output and "Network name" not in result.output
    assert "sessions a week (guide: 4.72) [4.5]" in result.output  # as 2026/27 says it
    assert source.read_text(encoding="utf-8") == before

    imported_data: dict[str, Any] = yaml.safe_load(before)
    profile = load(path).profile
    assert [(p.name, p.ods_code, p.list_size) for p in profile.practices] == [
        (p["name"], p["ods_code"], p["list_size"]) for p in imported_data["practices"]
    ]
    assert profile.network.commissioner == imported_data["network"]["commissioner"]
    assert imported_data["contract_year"] == "2021/22" and profile.contract_year == "2026/27"
    assert "Contract year (pcndocs holds national figures up to 2026/27)" in result.output
    assert profile.document_control.review_date == date(2027, 3, 31)
    assert profile.network.nominated_payee == "N82033"  # Dingle Park Practice
    (director,) = profile.clinical_directors
    assert (director.name, director.practice, director.sessions_per_week) == (
        "Dr Ann Smith",
        "N82117",
        4.5,
    )
    assert (director.start_date, director.session_rate) == (date(2025, 10, 1), 420)
    assert profile.appointment.method == "election"
    text = path.read_text(encoding="utf-8")
    assert "  # check: from ePCN-2019-12.xlsx, old national data" in text  # the import's notes
    assert "# to be filled in" not in text  # every value the import lacked is given
    built = build_profile(
        path, BuildOptions(out=tmp_path / "out", formats=("html",), documents=("schedule-1",))
    )
    (page,) = built.written
    assert "Dingle Park Practice" in page.read_text(encoding="utf-8")


def test_an_unreadable_profile_gives_the_message_of_check(tmp_path: Path) -> None:
    for text in (None, "network: [unclosed\n", "- a list\n- not a profile\n"):
        source = tmp_path / "source.yaml"
        if text is not None:
            source.write_text(text, encoding="utf-8")
        checked = CliRunner().invoke(cli, ["check", str(source)])
        result = new_from(source, tmp_path / "network.yaml", "x")
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.stderr.splitlines()[0] == checked.stderr.splitlines()[0]
        assert not (tmp_path / "network.yaml").exists()


def test_the_profile_given_is_replaced_only_when_named_with_force(tmp_path: Path) -> None:
    source = tmp_path / "partial.yaml"
    source.write_text(PARTIAL, encoding="utf-8")
    refused = new_from(source, source, "9873", "selection", "180")
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {source} already exists; give another name or add --force\n"
    assert source.read_text(encoding="utf-8") == PARTIAL
    result = new_from(source, source, "9873", "selection", "180", force=True)
    assert result.exit_code == 0, result.output
    assert load(source).profile.practices[1].list_size == 9873


def test_going_back_when_filling_in(tmp_path: Path) -> None:
    source = tmp_path / "partial.yaml"
    source.write_text(PARTIAL, encoding="utf-8")
    path = tmp_path / "network.yaml"
    # At the lead's rate, back to the method, which becomes election.
    result = new_from(source, path, "9873", "selection", "<", "election", "180")
    assert result.exit_code == 0, result.output
    assert "Appointment method (selection, election, selection_and_election) [selection]: " in (
        result.output
    )
    assert load(path).profile.appointment.method == "election"


def test_problems_no_question_covers_are_named_and_the_answers_kept(tmp_path: Path) -> None:
    source = tmp_path / "partial.yaml"
    source.write_text(PARTIAL.replace("  meetings_per_year: 10", "  meetings_a_year: 10"), "utf-8")
    path = tmp_path / "network.yaml"
    result = new_from(source, path, "9873", "selection", "180")
    assert result.exit_code == 0, result.output
    assert "Still to mend in" in result.output
    assert "governance.meetings_a_year: unknown key; did you mean 'meetings_per_year'?" in (
        result.output
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["governance"] == {"meetings_a_year": 10}
    assert data["practices"][1]["list_size"] == 9873


ODD = """\
network: Oddly PCN
practices: none yet
leads:
  - Jo Bloggs, finance
"""


def test_sections_of_the_wrong_kind_are_asked_as_new(tmp_path: Path) -> None:
    source = tmp_path / "odd.yaml"
    source.write_text(ODD, encoding="utf-8")
    path = tmp_path / "network.yaml"
    answers = [
        "Oddly PCN",  # network name: the network section is not a group of keys
        "",  # code
        "",  # commissioner
        "",  # contract year
        "",  # population date
        "One Surgery",
        "A10001",
        "50,000",
        "",  # no more practices
        "",  # payee: practice 1
        "Dr A Lee",
        "",
        "",
        "",  # sessions: the suggestion, 2.25
        "",  # no start date yet
        "",  # no pay a session
        "",  # no pay a year: to be agreed
        "",  # no second director
        "election",
        "finance",  # lead 1 (the profile's item, not a group of keys)
        "Jo Bloggs",
        "",  # kind
        "",  # practice: none, so Jo is paid directly
        "2",
        "100",
    ]
    result = new_from(source, path, *answers)
    assert result.exit_code == 0, result.output
    assert "Still to mend" not in result.output
    assert "Lead 2" not in result.output  # the profile's list of leads gets no new items
    profile = load(path).profile
    assert profile.network.name == "Oddly PCN"
    assert [(p.name, p.list_size) for p in profile.practices] == [("One Surgery", 50000)]
    (lead,) = profile.leads
    assert (lead.name, lead.practice, lead.reimbursed_to) == ("Jo Bloggs", None, "individual")


def test_a_complete_profile_is_copied_with_nothing_lost(tmp_path: Path) -> None:
    source = example_profile()
    path = tmp_path / "network.yaml"
    result = CliRunner().invoke(cli, ["new", "--from", str(source), str(path)], input="")
    assert result.exit_code == 0, result.output
    assert "Nothing to ask: the profile has every value the questions cover." in result.output
    assert load(path).profile == load(source).profile


def test_the_directors_pay_and_start_date_are_asked_only_when_wrong(tmp_path: Path) -> None:
    source = tmp_path / "partial.yaml"
    yearly = "    annual_pay: 45,500\n    start_date: 31/02/2025\n"
    source.write_text(PARTIAL.replace("    session_rate: 420\n", yearly), encoding="utf-8")
    path = tmp_path / "network.yaml"
    result = new_from(source, path, "9873", "1/3/2025", "selection", "180")
    assert result.exit_code == 0, result.output
    assert (
        "clinical_directors[0].start_date: clinical director 1 (Dr Ben Ode): expected a date"
        in (result.output)
    )
    assert "pay, pounds" not in result.output  # the yearly sum is kept, not asked
    (director,) = load(path).profile.clinical_directors
    assert (director.start_date, director.session_rate, director.annual_pay) == (
        date(2025, 3, 1),
        None,
        45500,
    )


def test_from_keeps_a_payee_that_is_not_a_member(tmp_path: Path) -> None:
    """A profile whose payee is a federation keeps it: nothing about the payee is asked."""
    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["network"].update(nominated_payee="AD5", payee_name="Riverside GP Federation")
    source = tmp_path / "fed.yaml"
    source.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    path = tmp_path / "out.yaml"
    result = new_from(source, path, last=())
    assert result.exit_code == 0, result.output
    assert "Nominated payee" not in result.output
    network = load(path).profile.network
    assert (network.nominated_payee, network.payee_name) == ("AD5", "Riverside GP Federation")


def test_from_drops_the_providers_name_when_a_member_is_chosen(tmp_path: Path) -> None:
    """A payee named by a code that is not a member's, with no name, is asked; a member chosen
    then leaves no provider's name behind."""
    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["network"].update(nominated_payee="AD5!", payee_name="Riverside GP Federation")
    source = tmp_path / "fed.yaml"
    source.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    path = tmp_path / "out.yaml"
    result = new_from(source, path, "1", last=())
    assert result.exit_code == 0, result.output
    network = load(path).profile.network
    assert (network.nominated_payee, network.payee_name) == ("A99001", None)
