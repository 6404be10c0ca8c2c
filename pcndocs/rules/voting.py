"""The voting rules of Schedule 1 as a model: what any tally of votes decides.

Schedule 1's clauses are prose; this module is the same rules as code, so tests can play every
combination of method, majority, tie-break and number of candidates through it and check that
the rendered clauses say what the model does. It is pure: no template, no I/O; of the profile
it takes only the names of the majorities and tie-breaks, which the profile declares once.

Votes are whole numbers (1 per practice, or its registered patients when weighted), so every
comparison is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pcndocs.profile.model import Majority, TieBreak

# After the notice, a week passes between nominations closing and the vote or panel, so the
# practices can read the candidates' statements.
DAYS_TO_READ_STATEMENTS = 7
# A vote held again (no quorum, a tie, no majority) needs fresh notice of its closing date.
DAYS_FOR_A_REPEAT_VOTE = 14


def carried(majority: Majority, in_favour: int, cast: int, total: int) -> bool:
    """Return whether votes in favour meet a majority rule.

    simple: more than half of the votes cast; two_thirds: at least two thirds of the votes
    cast; unanimous: every member practice's votes, not only those that took part.
    """
    if majority == "unanimous":
        return in_favour >= total > 0
    if majority == "two_thirds":
        return cast > 0 and 3 * in_favour >= 2 * cast
    return 2 * in_favour > cast


def quorate(taking_part: int, total: int, quorum_percent: int) -> bool:
    """Return whether enough votes took part: at least quorum_percent of all the votes."""
    return 100 * taking_part >= quorum_percent * total


def tie_break_applies(majority: Majority) -> bool:
    """Return whether a tie-break can ever decide a vote under a majority rule.

    Two candidates tied hold half the votes cast each: under two thirds or unanimity neither
    has the majority, so a tie is a vote that elects no one, never one the tie-break decides.
    """
    return majority == "simple"


def votes_to_carry(majority: Majority, total: int) -> int:
    """Return the fewest votes that carry a decision when every vote is cast."""
    if majority == "unanimous":
        return total
    if majority == "two_thirds":
        return -(-2 * total // 3)
    return total // 2 + 1


def votes_for_quorum(quorum_percent: int, total: int) -> int:
    """Return the fewest votes that must take part for a vote to count."""
    return -(-quorum_percent * total // 100)


def can_block_quorum(weight: int, total: int, quorum_percent: int) -> bool:
    """Return whether one voter staying away leaves too few votes for a quorum."""
    return not quorate(total - weight, total, quorum_percent)


def can_carry_alone(weight: int, total: int, majority: Majority) -> bool:
    """Return whether one voter's votes alone carry a decision when every vote is cast."""
    return carried(majority, weight, total, total)


def process_days(notice_days: int, nomination_days: int) -> int:
    """Return the days from the notice to the decision: the notice, or nominations and a week."""
    return max(notice_days, nomination_days + DAYS_TO_READ_STATEMENTS)


def reappointment_days(notice_days: int, nomination_days: int) -> int:
    """Return how long before a term ends the process must start, with room to vote again.

    The process takes process_days; a vote held again (no quorum, a tie, no majority) takes a
    further DAYS_FOR_A_REPEAT_VOTE, and the new director needs that time again to take over.
    """
    days = process_days(notice_days, nomination_days) + 2 * DAYS_FOR_A_REPEAT_VOTE
    return -(-days // 7) * 7  # whole weeks read better in a schedule


# What a round of a vote decides.
Decision = Literal[
    "appointed",  # the candidate(s) in `who` are appointed
    "not_quorate",  # too few took part: the same vote is held again with a new closing date
    "drop_out",  # more than two candidates, none with the majority: `who` drops out
    "second_vote",  # a tie under the second_ballot rule: vote again between `who`
    "draw_lots",  # lots are drawn between `who`; the one drawn is appointed
    "offer_jointly",  # a tie under joint_appointment: `who` are offered the role together
    "vote_again",  # two candidates, neither with the majority: vote once more
    "no_appointment",  # no one is appointed: nominations open again, interim cover applies
    "next_candidate",  # selection: members did not confirm; the panel recommends another
]


@dataclass(frozen=True)
class Outcome:
    """What one round decides, and whom it concerns."""

    decision: Decision
    who: tuple[str, ...] = ()
    by_tie_break: bool = False  # appointed by the tie-break rather than by the majority


@dataclass(frozen=True)
class Rules:
    """The appointment rules the model plays: the profile's choices, and the votes each holds."""

    majority: Majority
    tie_break: TieBreak
    quorum_percent: int
    weights: tuple[int, ...]  # each practice's votes: 1 each, or its registered patients

    @property
    def total(self) -> int:
        return sum(self.weights)


RoundKind = Literal["first", "second_vote", "vote_again"]  # a first vote, or a vote held again


def count_ballot(
    rules: Rules,
    candidates: Sequence[str],
    ballots: Sequence[str | None],
    round_kind: RoundKind = "first",
) -> Outcome:
    """Return what one round of a ballot decides.

    ballots[i] is practice i's vote: a candidate's name, "no" (against a single candidate), or
    None (the practice took no part).
    """
    taking_part = sum(w for w, b in zip(rules.weights, ballots, strict=True) if b is not None)
    if not quorate(taking_part, rules.total, rules.quorum_percent):
        return Outcome("not_quorate")
    tally = {c: 0 for c in candidates}
    for weight, ballot in zip(rules.weights, ballots, strict=True):
        if ballot in tally:
            tally[ballot] += weight
    cast = taking_part
    for candidate, votes in tally.items():
        if carried(rules.majority, votes, cast, rules.total):
            return Outcome("appointed", (candidate,))
    return _no_majority(rules, candidates, tally, round_kind)


def _no_majority(
    rules: Rules,
    candidates: Sequence[str],
    tally: dict[str, int],
    round_kind: RoundKind,
) -> Outcome:
    """Return what a quorate round in which no candidate has the majority decides."""
    if len(candidates) == 1:
        # A single candidate voted down, or a tied yes-and-no vote: no one is appointed.
        return Outcome("no_appointment")
    if len(candidates) > 2:
        fewest = min(tally.values())
        lowest = tuple(c for c in candidates if tally[c] == fewest)
        if len(lowest) == 1:
            return Outcome("drop_out", lowest)
        return Outcome("draw_lots", lowest)  # lots decide which of them drops out
    first, second = candidates
    tied = tally[first] == tally[second]
    if tied and tie_break_applies(rules.majority):
        if rules.tie_break == "joint_appointment":
            return Outcome("offer_jointly", (first, second))
        if rules.tie_break == "second_ballot" and round_kind == "first":
            return Outcome("second_vote", (first, second))
        return Outcome("draw_lots", (first, second))
    if round_kind == "vote_again":
        return Outcome("no_appointment")
    return Outcome("vote_again", (first, second))


Voter = Callable[[Sequence[str], int], Sequence[str | None]]
Lots = Callable[[Sequence[str]], str]
Accepts = Callable[[str], bool]


@dataclass(frozen=True)
class Result:
    """How a whole ballot ended: who is appointed (none, one, or a pair), and the rounds."""

    appointed: tuple[str, ...]
    by_tie_break: bool
    rounds: tuple[Outcome, ...]


MAX_ROUNDS = 200  # far beyond any real ballot: a model that needs more has a loop


def run_ballot(
    rules: Rules,
    candidates: Sequence[str],
    vote: Voter,
    draw: Lots,
    accepts: Accepts = lambda _name: True,
    max_not_quorate: int = 3,
) -> Result:
    """Play a whole ballot through the rules until someone is appointed or no one can be.

    vote(candidates, round) returns each practice's ballot; draw(names) picks one by lot;
    accepts(name) says whether a candidate offered a joint role takes it. A vote that is not
    quorate is held again; after max_not_quorate such votes the model stops (in the schedule
    the person running the process keeps setting new dates, and interim cover applies).
    """
    left = list(candidates)
    rounds: list[Outcome] = []
    kind: RoundKind = "first"
    not_quorate = 0
    for number in range(MAX_ROUNDS):
        outcome = count_ballot(rules, left, vote(left, number), kind)
        rounds.append(outcome)
        not_quorate += outcome.decision == "not_quorate"
        ended = _ended(outcome, len(left), draw, accepts, not_quorate >= max_not_quorate)
        if ended is not None:
            appointed, by_tie_break = ended
            return Result(appointed, by_tie_break, tuple(rounds))
        left, kind = _next_round(outcome, left, draw, kind)
    raise RuntimeError(f"the ballot did not end within {MAX_ROUNDS} rounds")


def _ended(
    outcome: Outcome, left: int, draw: Lots, accepts: Accepts, gave_up: bool
) -> tuple[tuple[str, ...], bool] | None:
    """Return who a round's outcome appoints and whether by a tie-break, or None to go on."""
    match outcome.decision:
        case "appointed":
            return outcome.who, False
        case "not_quorate" if gave_up:
            return (), False
        case "draw_lots" if left <= 2:
            return (draw(outcome.who),), True
        case "offer_jointly":
            willing = tuple(name for name in outcome.who if accepts(name))
            return willing, bool(willing)
        case "no_appointment" | "next_candidate":
            return (), False
    return None


def _next_round(
    outcome: Outcome, left: list[str], draw: Lots, kind: RoundKind
) -> tuple[list[str], RoundKind]:
    """Return the candidates of the next round and its kind, after a round that ended nothing."""
    match outcome.decision:
        case "drop_out" | "draw_lots":
            out = outcome.who[0] if outcome.decision == "drop_out" else draw(outcome.who)
            rest = list(left)
            rest.remove(out)
            return rest, "first"
        case "second_vote" | "vote_again":
            return list(outcome.who), outcome.decision
    return left, kind  # not quorate: the same vote is held again


def confirm_selection(rules: Rules, ballots: Sequence[str | None]) -> Outcome:
    """Return what the members' vote on the panel's recommended candidate decides.

    ballots[i] is "yes", "no" or None. A tie, a "no" majority, or too little support under the
    majority rule all mean the appointment is not confirmed: the panel recommends another
    candidate who met the criteria, or the process starts again.
    """
    outcome = count_ballot(rules, ["yes"], ballots)
    if outcome.decision == "appointed":
        return Outcome("appointed", ("recommended candidate",))
    if outcome.decision == "not_quorate":
        return outcome
    return Outcome("next_candidate")
