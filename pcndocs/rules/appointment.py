"""The figures of a network's votes: quorum, majorities, who can block or carry, and terms.

Schedule 1 quotes them; the arithmetic of a single vote is `voting`'s, which the tests play
through every combination of rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pcndocs.profile.model import ClinicalDirector, Majority, Practice, Profile
from pcndocs.rules import voting
from pcndocs.rules.funding import VotingWeight, voting_weights


@dataclass(frozen=True)
class Term:
    """A clinical director's current term of office: its first and last day, where known."""

    director: ClinicalDirector
    start: date | None
    end: date | None


@dataclass(frozen=True)
class VoteFigures:
    """The thresholds of one voting rule, in votes: practices, or registered patients."""

    weighted: bool  # votes are weighted by list size
    complete: bool  # False when a weighted vote lacks a practice's list size (blank builds)
    total: int  # every vote: the number of practices, or all their registered patients
    quorum: int  # votes that must take part for a vote to count
    to_carry: int  # votes that carry a decision when every vote is cast
    to_remove: int  # votes that remove a director (appointment rules only)
    blockers: tuple[Practice, ...]  # a practice whose absence alone leaves no quorum
    carriers: tuple[Practice, ...]  # a practice whose votes alone carry a decision


@dataclass(frozen=True)
class AppointmentFigures:
    """The numbers Schedule 1's appointment clauses quote, worked out for this network."""

    practices: int  # how many member practices vote
    weighted: bool  # votes are weighted by list size
    weights: tuple[VotingWeight, ...]  # every practice's share of the votes, if weighted
    quorum_practices: int  # practices that must take part, one practice one vote
    majority_votes: int  # votes a candidate needs to win when every practice votes
    removal_votes: int  # practices that must agree to remove a director
    uses_panel: bool  # the method has a selection panel
    uses_ballot: bool  # the method has a vote of the practices
    terms: tuple[Term, ...]  # each director's current term: its start and end
    figures: VoteFigures  # the thresholds in votes, weighted or not
    tie_break_applies: bool  # False: a tie gives no one two thirds or unanimity
    process_days: int  # from the notice to the vote or the panel
    reappointment_days: int  # how long before a term ends the process starts


def term_end(start: date, years: int) -> date:
    """Return the last day of a term of whole years that begins on start."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February, in a year that has none
        anniversary = start.replace(year=start.year + years, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def vote_figures(
    practices: Sequence[Practice],
    weighted: bool,
    quorum_percent: int,
    majority: Majority,
    removal: Majority = "unanimous",
) -> VoteFigures:
    """Return a voting rule's quorum and majorities in votes, and who can block or carry."""
    sizes = [p.list_size for p in practices]
    complete = not weighted or all(size is not None for size in sizes)
    weights = [(size or 0) if weighted else 1 for size in sizes]
    total = sum(weights)
    return VoteFigures(
        weighted=weighted,
        complete=complete,
        total=total,
        quorum=voting.votes_for_quorum(quorum_percent, total),
        to_carry=voting.votes_to_carry(majority, total),
        to_remove=voting.votes_to_carry(removal, total),
        # Only a weighted vote gives one practice more say than another: with one vote each,
        # the figures above already say how many practices block or carry.
        blockers=tuple(
            p
            for p, w in zip(practices, weights, strict=True)
            if weighted
            and complete
            and len(practices) > 1
            and voting.can_block_quorum(w, total, quorum_percent)
        ),
        carriers=tuple(
            p
            for p, w in zip(practices, weights, strict=True)
            if weighted
            and complete
            and len(practices) > 1
            and voting.can_carry_alone(w, total, majority)
        ),
    )


def appointment_figures(
    profile: Profile, directors: Sequence[ClinicalDirector]
) -> AppointmentFigures:
    """Return the quorum, majorities, voting weights and terms of the appointment process."""
    rules = profile.appointment
    count = len(profile.practices)
    weighted = rules.voting == "list_size_weighted"
    figures = vote_figures(
        profile.practices, weighted, rules.quorum_percent, rules.majority, rules.removal_majority
    )
    return AppointmentFigures(
        figures=figures,
        tie_break_applies=voting.tie_break_applies(rules.majority),
        process_days=voting.process_days(rules.notice_days, rules.nomination_days),
        reappointment_days=voting.reappointment_days(rules.notice_days, rules.nomination_days),
        practices=count,
        weighted=weighted,
        weights=voting_weights(profile.practices) if weighted else (),
        quorum_practices=voting.votes_for_quorum(rules.quorum_percent, count),
        majority_votes=voting.votes_to_carry(rules.majority, count),
        removal_votes=voting.votes_to_carry(rules.removal_majority, count),
        uses_panel=rules.method in ("selection", "selection_and_election"),
        uses_ballot=rules.method in ("election", "selection_and_election"),
        terms=tuple(
            Term(
                d, d.start_date, term_end(d.start_date, rules.term_years) if d.start_date else None
            )
            for d in directors
        ),
    )
