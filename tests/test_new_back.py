"""`pcndocs new`: going back to an earlier answer, and a workstream of the network's own."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.new import answers
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, load
from pcndocs.profile.model import Practice
from tests.test_new import SESSION, at, piped


def new(path: Path, answers: list[str]) -> str:
    result = CliRunner().invoke(cli, ["new", str(path)], input=piped(*answers))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_first_prompt_says_once_how_to_go_back(tmp_path: Path) -> None:
    output = new(tmp_path / "n.yaml", SESSION)
    hint = "(Type < to go back to the question before; type ? for help on a question.)"
    assert output.count(hint) == 1
    assert output.index(hint) < output.index("Network name:")


@pytest.mark.parametrize(
    ("question", "help_text"),
    [
        (
            "contract year",
            "the contract year, such as 2026/27: selects the national rates and duties",
        ),
        ("population date", "the date the practices' list sizes refer to"),
        ("practice 1 name", "the practice's name"),
        (
            "payee",
            "a member practice's ODS code, its number in the list above or its name; or other "
            "for a provider that is not a member practice, such as a GP federation",
        ),
        ("director start", "when their current term began"),
        (
            "director session pay",
            "pounds the network pays the director for each session: their pay, which is not "
            "the national funding",
        ),
        ("method", "selection, election, or selection_and_election"),
        ("lead 1 workstream", "the number or id of a workstream listed above, or local to add one"),
        ("lead 1 kind", "clinical or non_clinical: a non-clinical lead gets no clinical duties"),
    ],
)
def test_a_question_mark_says_what_to_answer_and_how_to_go_back(
    question: str, help_text: str, tmp_path: Path
) -> None:
    place = at(question)
    output = new(tmp_path / "n.yaml", [*SESSION[:place], "?", *SESSION[place:]])
    (said,) = [line for line in output.splitlines() if line.startswith(f"  {help_text}")]
    assert said.endswith("; type < to go back to the question before")


def test_going_back_at_the_first_question_says_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    output = new(path, ["<", *SESSION])
    assert "  this is the first question; there is none before it\n" in output
    assert load(path).profile.network.code == "U12345"


def test_going_back_in_the_practices_keeps_the_answers_after_it(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    # At "Practice 3: name", back four questions to practice 1's list size; change it,
    # then Enter keeps each later answer, offered as the default.
    answers = [*SESSION[:11], "<", "<", "back", "<", "13,000", "", "", "", *SESSION[11:]]
    output = new(path, answers)
    assert "Practice 1 (Riverside Surgery): registered patients [12,450]: " in output
    assert "Practice 2: name [Zoë Practice]: " in output
    assert "Practice 2 (Zoë Practice): ODS code, a letter and five digits [a99002]: " in output
    assert "Practice 2 (Zoë Practice): registered patients [9873]: " in output
    assert output.count("Describe the network.") == 1  # the notes before are not said again
    profile = load(path).profile
    assert [(p.name, p.ods_code, p.list_size) for p in profile.practices] == [
        ("Riverside Surgery", "A99001", 13000),
        ("Zoë Practice", "A99002", 9873),
    ]
    assert profile.network.nominated_payee == "A99002"


def test_going_back_in_the_directors_and_across_sections(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    # At the appointment method: back over director 1's answers to the payee, which is
    # changed; the director's answers after it are kept as defaults.
    method = at("method")
    back = ["<"] * (method - at("payee"))
    kept = [""] * (method - at("director name"))
    output = new(path, [*SESSION[:method], *back, "1", *kept, *SESSION[method:]])
    assert (
        "Nominated payee, the practice or provider that receives the funding (a member "
        "practice's ODS code, number or name; or other for another provider) [2]: " in (output)
    )
    assert "Clinical director 1: name [Dr Jane Example]: " in output
    profile = load(path).profile
    assert profile.network.nominated_payee == "A99001"
    assert (
        "Clinical director 1 (Dr Jane Example): date their current term began (01/04/2026 or "
        "2026-04-01; blank if not yet known) [01/04/2025]: " in output
    )
    assert (
        "Clinical director 1 (Dr Jane Example): pay, pounds per session (blank to give a "
        "yearly sum instead) [£400]: " in output
    )
    (director,) = profile.clinical_directors
    assert (director.name, director.practice, director.sessions_per_week) == (
        "Dr Jane Example",
        "A99002",
        1,
    )
    assert (director.start_date, director.session_rate) == (date(2025, 4, 1), 400)


def test_going_back_over_the_pay_from_a_yearly_sum_to_a_sessional_rate(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    # No pay a session, so a yearly sum; at director 2, back over the sum to the rate.
    pay = at("director session pay")
    answers = [*SESSION[:pay], "", "45,500", "<", "<", "£380", *SESSION[pay + 1 :]]
    output = new(path, answers)
    assert (
        "Clinical director 1 (Dr Jane Example): pay, pounds a year (blank if still to be agreed) "
        "[45,500]: " in output
    )
    assert output.count("pay, pounds a year") == 2  # asked, then offered again going back
    (director,) = load(path).profile.clinical_directors
    assert (director.session_rate, director.annual_pay) == (380, None)


def test_going_back_in_the_leads_changes_one_answer(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    # At lead 1's sessions a month, back to its practice: 2 instead of 1.
    lead_sessions = at("lead 1 sessions")
    output = new(path, [*SESSION[:lead_sessions], "<", "2", *SESSION[lead_sessions:]])
    assert (
        "Lead 1 (Dr Sam Patel): practice (ODS code, number or name; blank for none) [1]: " in output
    )
    leads = load(path).profile.leads
    assert [(lead.name, lead.practice) for lead in leads] == [
        ("Dr Sam Patel", "A99002"),
        ("Karen Wells", None),
    ]


def test_an_earlier_answer_no_longer_right_is_not_offered(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    # Practice 2's code was A99002; going back to practice 1 and giving it A99002 makes
    # that earlier answer wrong for practice 2, so it is not offered again.
    answers = [*SESSION[:10], "<", "<", "<", "<", "A99002", "", "", "A99001", *SESSION[10:]]
    output = new(path, answers)
    assert "Practice 2 (Zoë Practice): ODS code, a letter and five digits: " in output
    assert [p.ods_code for p in load(path).profile.practices] == ["A99002", "A99001"]


# Lead 2 takes a workstream of the network's own, and lead 3 the same one by its number.
LOCAL_LEADS = [
    "local",
    "Frailty",  # the id, folded to lower case
    "",  # the title suggested from the id
    "Proactive care of frail older people at home and in care homes.",
    "",  # clinical: yes
    "Dr Lee Hall",
    "",  # kind: clinical, from the workstream
    "2",
    "",
    "300",
    "19",  # the local workstream, numbered after the 18 built-in ones
    "Nurse Amy Ward",
    "",
    "1",
    "1",
    "200",
    "",
    "",  # Core PCN Funding: not known
    "",  # review date: the end of the contract year
]


def test_a_lead_can_take_a_local_workstream_and_it_builds(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    output = new(path, [*SESSION[: at("lead 2 workstream")], "local", "finance", *LOCAL_LEADS[1:]])
    assert "'finance' is already a workstream; choose it by its number, or give another id" in (
        output
    )
    assert "  19. frailty  Frailty (local; for later leads too)" in output
    leads = load(path).profile.leads
    assert [(lead.name, lead.workstream_id, lead.kind) for lead in leads] == [
        ("Dr Sam Patel", "cvd_prevention", "clinical"),
        ("Dr Lee Hall", "frailty", "clinical"),
        ("Nurse Amy Ward", "frailty", "clinical"),
    ]
    local = leads[1].workstream
    assert not isinstance(local, str)
    assert (local.title, local.clinical) == ("Frailty", True)

    built = build_profile(
        path, BuildOptions(out=tmp_path / "out", formats=("html",), documents=("lead-checklist",))
    )
    pages = [html.unescape(page.read_text(encoding="utf-8")) for page in built.written]
    frailty = [page for page in pages if "Dr Lee Hall" in page]
    assert len(frailty) == 1
    assert "Frailty" in frailty[0]
    assert "Proactive care of frail older people" in frailty[0]


@pytest.mark.parametrize(
    ("typed", "taken"),
    [
        ("2", "N82117"),
        ("n82033", "N82033"),
        ("dingle", "N82033"),
        ("Brownlow Group", "N82117"),
        ("brownlow", "'brownlow' is in the names of 2 practices (1, 2); give the number or the "
         "code of one"),
        ("Dingle Prak Practice", "expected a practice entered above (N82617, N82117, N82033), "
         "its number or its name, got 'Dingle Prak Practice'; did you mean N82033 "
         "(Dingle Park Practice)?"),
    ],
)  # fmt: skip
def test_a_practice_is_given_by_number_code_or_name(typed: str, taken: str) -> None:
    practices = [
        Practice(name="Brownlow at Marybone", ods_code="N82617", list_size=7506),
        Practice(name="Brownlow Group Practice", ods_code="N82117", list_size=47680),
        Practice(name="Dingle Park Practice", ods_code="N82033", list_size=5355),
    ]
    try:
        assert answers.member(practices)(typed) == taken
    except ValueError as refused:
        assert str(refused) == taken


# --- a nominated payee that is not a member practice -------------------------------------------


def test_the_payee_may_be_another_provider_named_with_its_code(tmp_path: Path) -> None:
    """'other' at the payee asks the provider's ODS code and name; Schedule 1 names it."""
    path = tmp_path / "n.yaml"
    payee = at("payee")
    output = new(
        path,
        [
            *SESSION[:payee],
            "other",
            "A99001",  # a member practice's code: refused here, it is chosen above
            "ad5",
            "Riverside GP Federation",
            "",  # how it holds the funds: not yet agreed
            *SESSION[payee + 1 :],
        ],
    )
    assert "A99001 is Riverside Surgery, a member practice" in output
    assert "Nominated payee (AD5): the provider's name" in output
    profile = load(path).profile
    assert (profile.network.nominated_payee, profile.network.payee_name) == (
        "AD5",
        "Riverside GP Federation",
    )
    build_profile(
        path, BuildOptions(out=tmp_path / "out", documents=("schedule-1",), formats=("html",))
    )
    (page,) = (tmp_path / "out").glob("*/schedule-1.html")
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert "Riverside GP Federation</strong> (ODS code AD5) is the nominated payee" in text


def test_other_and_a_code_at_the_payee_names_another_provider(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    payee = at("payee")
    new(path, [*SESSION[:payee], "other rxx", "North Trust", "1", *SESSION[payee + 1 :]])
    network = load(path).profile.network
    assert (network.nominated_payee, network.payee_name) == ("RXX", "North Trust")
    assert network.payee_holds_funds == "on_trust"


HOLDS_QUESTION = (
    "How North Trust holds the network's funds: 1 on_trust (on trust for the member practices), "
    "2 separate_account (in a separate bank account kept for the network) or 3 "
    "separate_account_on_trust (both) (blank if not yet agreed)"
)


@pytest.mark.parametrize(
    ("typed", "held", "schedule_says"),
    [
        ("2", "separate_account", "It holds the network's funds in a separate bank account kept "
         "for the network, apart from its own money."),
        ("separate_account_on_trust", "separate_account_on_trust", "It holds the network's "
         "funds in a separate bank account, held on trust for the member practices."),
        (" On_Trust ", "on_trust", "It holds the network's funds on trust for the member "
         "practices, apart from its own money."),
        ("", None, "How it holds the network's funds (on trust for the member practices, in a "
         "separate bank account kept for the network, or both) is still to be agreed by the "
         "member practices."),
    ],
)  # fmt: skip
def test_new_asks_how_a_payee_that_is_not_a_member_holds_the_funds(
    tmp_path: Path, typed: str, held: str | None, schedule_says: str
) -> None:
    """The answer is written to the profile, and Schedule 1 says it (or that it is to agree)."""
    path = tmp_path / "n.yaml"
    payee = at("payee")
    output = new(path, [*SESSION[:payee], "other rxx", "North Trust", typed, *SESSION[payee + 1 :]])
    assert f"{HOLDS_QUESTION}:" in " ".join(output.split())
    assert load(path).profile.network.payee_holds_funds == held
    written = path.read_text(encoding="utf-8")
    assert (f"payee_holds_funds: {held}" in written) is (held is not None)
    build_profile(
        path, BuildOptions(out=tmp_path / "out", documents=("schedule-1",), formats=("html",))
    )
    (page,) = (tmp_path / "out").glob("*/schedule-1.html")
    text = " ".join(html.unescape(page.read_text(encoding="utf-8")).split())
    assert schedule_says in text.replace("’", "'")


def test_a_wrong_answer_on_how_the_payee_holds_the_funds_is_asked_again(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    payee = at("payee")
    answers_ = [*SESSION[:payee], "other rxx", "North Trust", "in a box", "3"]
    output = new(path, [*answers_, *SESSION[payee + 1 :]])
    assert (
        "expected one of: 1 on_trust, 2 separate_account, 3 separate_account_on_trust; got 'in "
        "a box'" in " ".join(output.split())
    )
    assert load(path).profile.network.payee_holds_funds == "separate_account_on_trust"


def test_a_member_practice_as_payee_is_not_asked_how_it_holds_the_funds(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    output = new(path, SESSION)
    assert "holds the network's funds" not in output
    assert load(path).profile.network.payee_holds_funds is None


def test_a_wrong_payee_says_how_to_name_another_provider(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    payee = at("payee")
    output = new(path, [*SESSION[:payee], "Nowhere Surgery!", *SESSION[payee:]])
    assert "for a provider that is not a member practice, type other" in output
    assert load(path).profile.network.payee_name is None
