"""The voting model (pcndocs/rules/voting.py) and Schedule 1's clauses, played through every case.

The first tests play the model itself through every ballot of small networks: every ballot ends,
and no one is appointed without the majority except by a tie-break that the majority allows.
The last tests render Schedule 1 for every method x voting x majority x tie-break x one or joint
directors, put the cases the issue found (two candidates under two thirds, a tie, a single
candidate voted down, a tied confirmation, unanimity) to the model, and check the clauses say
what the model decides.
"""

from __future__ import annotations

import copy
import itertools
import re
from functools import cache
from typing import Any

import pytest

from pcndocs.profile.model import Majority, Profile, TieBreak
from pcndocs.render.context import network_context, render_context
from pcndocs.render.documents import DOCUMENTS
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates
from pcndocs.rules import voting
from pcndocs.rules.facts import load_facts
from pcndocs.rules.voting import Rules, carried, confirm_selection, count_ballot, run_ballot

MAJORITIES: tuple[Majority, ...] = ("simple", "two_thirds", "unanimous")
TIE_BREAKS: tuple[TieBreak, ...] = ("second_ballot", "drawing_lots", "joint_appointment")
METHODS = ("selection", "election", "selection_and_election")
VOTING = ("one_practice_one_vote", "list_size_weighted")
NAMES = ("Ana", "Ben", "Cat", "Dev")


def first_drawn(names: Any) -> str:
    return str(sorted(names)[0])


@pytest.mark.parametrize("majority", MAJORITIES)
@pytest.mark.parametrize("tie_break", TIE_BREAKS)
@pytest.mark.parametrize("weights", [(1, 1, 1, 1), (5, 3, 2, 2)])
def test_every_ballot_ends_and_no_one_wins_without_the_majority(
    majority: Majority, tie_break: TieBreak, weights: tuple[int, ...]
) -> None:
    rules = Rules(majority, tie_break, 50, weights)
    for count in range(1, len(NAMES) + 1):
        candidates = NAMES[:count]
        options: tuple[str | None, ...] = (*candidates, None) + (("no",) if count == 1 else ())
        for first_choices in itertools.product(options, repeat=len(weights)):

            def vote(left: Any, _round: int, first: Any = first_choices) -> list[str | None]:
                # A practice whose candidate dropped out votes for the first one left.
                return [c if c is None or c == "no" or c in left else left[0] for c in first]

            result = run_ballot(rules, candidates, vote, first_drawn)
            last = result.rounds[-1]
            if result.by_tie_break:
                assert voting.tie_break_applies(majority), (majority, first_choices)
            elif result.appointed:
                (winner,) = result.appointed
                ballots = vote([c for c in candidates if c in (winner, *NAMES)], 0)
                assert last.decision == "appointed"
                cast = [w for w, b in zip(weights, ballots, strict=True) if b is not None]
                assert count == 1 or len(cast) > 0
            if len(result.appointed) == 2:
                assert tie_break == "joint_appointment" and majority == "simple"


def test_unanimity_counts_every_practice_not_only_those_voting() -> None:
    rules = Rules("unanimous", "second_ballot", 50, (1, 1, 1, 1, 1))
    four_of_five = ["Ana", "Ana", "Ana", "Ana", None]
    assert count_ballot(rules, ["Ana", "Ben"], four_of_five).decision != "appointed"
    assert count_ballot(rules, ["Ana", "Ben"], ["Ana"] * 5).decision == "appointed"


def test_two_candidates_under_two_thirds_vote_again_then_reopen_nominations() -> None:
    rules = Rules("two_thirds", "drawing_lots", 75, (1, 1, 1, 1, 1))
    three_two = ["Ana", "Ana", "Ana", "Ben", "Ben"]
    assert count_ballot(rules, ["Ana", "Ben"], three_two).decision == "vote_again"
    result = run_ballot(rules, ["Ana", "Ben"], lambda _left, _n: three_two, first_drawn)
    assert result.appointed == ()
    assert [r.decision for r in result.rounds] == ["vote_again", "no_appointment"]


def test_drawing_lots_never_overrides_two_thirds() -> None:
    rules = Rules("two_thirds", "drawing_lots", 50, (1, 1, 1, 1))
    tied = ["Ana", "Ana", "Ben", "Ben"]
    assert count_ballot(rules, ["Ana", "Ben"], tied).decision == "vote_again"
    simple = Rules("simple", "drawing_lots", 50, (1, 1, 1, 1))
    assert count_ballot(simple, ["Ana", "Ben"], tied).decision == "draw_lots"


def test_a_single_candidate_voted_down_or_tied_is_not_appointed() -> None:
    rules = Rules("simple", "second_ballot", 50, (1, 1, 1, 1))
    assert count_ballot(rules, ["Ana"], ["no", "no", "no", "Ana"]).decision == "no_appointment"
    assert count_ballot(rules, ["Ana"], ["no", "no", "Ana", "Ana"]).decision == "no_appointment"
    assert count_ballot(rules, ["Ana"], ["no", "Ana", "Ana", "Ana"]).decision == "appointed"


def test_a_tied_or_no_confirmation_goes_to_the_next_candidate() -> None:
    rules = Rules("simple", "second_ballot", 50, (1, 1, 1, 1))
    assert confirm_selection(rules, ["yes", "yes", "no", "no"]).decision == "next_candidate"
    assert confirm_selection(rules, ["no", "no", "no", "yes"]).decision == "next_candidate"
    assert confirm_selection(rules, ["yes", "yes", "yes", "no"]).decision == "appointed"
    assert confirm_selection(rules, ["yes", None, None, None]).decision == "not_quorate"


def test_one_large_practice_can_block_or_carry() -> None:
    assert voting.can_block_quorum(30, 100, 75)  # 70 left is under 75
    assert not voting.can_block_quorum(25, 100, 75)  # exactly 75 is enough
    assert voting.can_carry_alone(51, 100, "simple")
    assert not voting.can_carry_alone(50, 100, "simple")
    assert not voting.can_carry_alone(66, 100, "two_thirds")
    assert voting.can_carry_alone(67, 100, "two_thirds")
    assert carried("two_thirds", 2, 3, 3) and not carried("two_thirds", 1, 2, 3)


@pytest.mark.parametrize(("notice", "nominations"), [(28, 14), (7, 30), (1, 1), (180, 90)])
def test_reappointment_starts_long_before_the_process_ends(notice: int, nominations: int) -> None:
    process = voting.process_days(notice, nominations)
    assert process >= notice and process >= nominations + voting.DAYS_TO_READ_STATEMENTS
    assert voting.reappointment_days(notice, nominations) >= process + 2 * 14


# The rendered clauses, for every combination of the profile's choices.


@cache
def _templates() -> Templates:
    return Templates(builtin_templates())


def schedule_text(data: dict[str, Any]) -> str:
    """Return Schedule 1's Markdown for profile data, with its line breaks joined."""
    facts = load_facts()
    profile = Profile.model_validate(data, context={"blank": False})
    kind = next(k for k in DOCUMENTS if k.name == "schedule-1")
    context = render_context(network_context(profile, facts), facts, None)
    return " ".join(_templates().render(kind.template, context.variables()).split())


def profile_for(
    example: dict[str, Any],
    method: str,
    votes: str,
    majority: str,
    tie_break: str,
    joint: bool,
) -> dict[str, Any]:
    data = copy.deepcopy(example)
    data["appointment"].update(method=method, voting=votes, majority=majority, tie_break=tie_break)
    if not joint:
        data["clinical_directors"] = data["clinical_directors"][:1]
        del data["clinical_directors"][0]["funded_share"]
    return data


# What the clauses must say for each decision of the model.
SAYS = {
    "second_vote": "a second vote is held between them",
    "draw_lots": "draws lots between them, in front of a witness, and the candidate drawn is",
    "offer_jointly": "they are offered the role together, as joint clinical directors",
    "vote_again": "the vote between them is held once more",
    "no_appointment": "nominations open again",
    "next_candidate": "the panel recommends another candidate who met the criteria",
}


def weights_of(data: dict[str, Any], votes: str) -> tuple[int, ...]:
    if votes == "one_practice_one_vote":
        return tuple(1 for _ in data["practices"])
    return tuple(int(p["list_size"]) for p in data["practices"])


@pytest.mark.parametrize("joint", [False, True])
@pytest.mark.parametrize("tie_break", TIE_BREAKS)
@pytest.mark.parametrize("majority", MAJORITIES)
@pytest.mark.parametrize("votes", VOTING)
@pytest.mark.parametrize("method", METHODS)
def test_schedule_1_says_what_the_model_decides(
    example_data: dict[str, Any],
    method: str,
    votes: str,
    majority: Majority,
    tie_break: TieBreak,
    joint: bool,
) -> None:
    data = profile_for(example_data, method, votes, majority, tie_break, joint)
    text = schedule_text(data)
    weights = weights_of(data, votes)
    rules = Rules(majority, tie_break, data["appointment"]["quorum_percent"], weights)
    ballot = method != "selection"
    chosen = "elected" if ballot else "appointed"
    n = len(weights)

    if ballot:
        # Two candidates tied: the model's decision is what the tie clause says.
        tied = ["Ana", "Ben"] * (n // 2)
        outcome = count_ballot(rules, ["Ana", "Ben"], tied)
        if votes == "one_practice_one_vote":
            assert SAYS[outcome.decision] in text
        if voting.tie_break_applies(majority):
            assert SAYS[{"second_ballot": "second_vote", "drawing_lots": "draw_lots",
                         "joint_appointment": "offer_jointly"}[tie_break]] in text  # fmt: skip
        else:
            assert "the candidate drawn is" not in text
            assert SAYS["vote_again"] in text and SAYS["no_appointment"] in text
        # A single candidate voted down: no one is elected and nominations reopen.
        down = ["no"] * (n - 1) + ["Ana"]
        assert count_ballot(rules, ["Ana"], down).decision == "no_appointment"
        assert f"no one is {chosen}: nominations open again" in text
        assert "fewest votes drops out" in text
    else:
        tied_confirmation = ["yes", "no"] * (n // 2)
        assert confirm_selection(rules, tied_confirmation).decision == "next_candidate"
        assert SAYS["next_candidate"] in text
        assert "including when the votes for and against are tied" in text
        assert "The ballot" not in text

    if majority == "unanimous":
        assert "every member practice, not only of those that take part" in text
        assert "that takes part" not in text
    elif votes == "list_size_weighted":
        total = sum(weights)
        to_carry = voting.votes_to_carry(majority, total)
        assert f"that is {to_carry:,} of the {total:,} votes" in text
    else:
        assert f"that is {voting.votes_to_carry(majority, n)} votes" in text
    if votes == "list_size_weighted" and majority != "unanimous":
        quorum = voting.votes_for_quorum(data["appointment"]["quorum_percent"], sum(weights))
        assert f"take part: {quorum:,} of the {sum(weights):,} votes" in text

    pairs = joint or (tie_break == "joint_appointment" and ballot and majority == "simple")
    assert ("If one joint director leaves" in text) == pairs
    if pairs:
        assert "a candidate is one clinician, or two clinicians who stand together" in text
        assert "how they divide the role's responsibilities, the sessions each works" in text

    # A finished schedule marks nothing as proposed.
    assert "the list below" not in text and "the clause below" not in text
    # The conflict of interest clause does not read as an accusation.
    assert "who has a close personal" not in text
    assert "has a close personal or business relationship with a candidate, they say so" in text

    # The reappointment notice is longer than the process it starts.
    starts = int(re.search(r"At least (\d+) days before a term ends", text)[1])  # type: ignore[index]
    takes = int(re.search(r"The process takes at least (\d+) days", text)[1])  # type: ignore[index]
    a = data["appointment"]
    assert takes == voting.process_days(a["notice_days"], a["nomination_days"])
    assert starts > takes


def test_weighted_votes_name_a_practice_that_can_block_or_carry(
    example_data: dict[str, Any],
) -> None:
    data = profile_for(
        example_data, "election", "list_size_weighted", "simple", "second_ballot", False
    )
    data["practices"][3]["list_size"] = 60_000  # Northgate: more than half of all the patients
    text = schedule_text(data)
    assert "Northgate Health Centre holds" in text
    assert "so no vote counts unless it takes part" in text
    assert "so its votes alone are enough when every practice votes" in text
    small = profile_for(
        example_data, "election", "list_size_weighted", "simple", "second_ballot", False
    )
    assert "votes alone are enough" not in schedule_text(small)
