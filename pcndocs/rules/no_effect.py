"""The values a profile sets that cannot change its documents, each with the reason why.

Honour or warn: every value a profile sets changes what the documents say, or `check` says in
one line why it has no effect. tests/test_honour_or_warn.py finds the values that do neither.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from pcndocs import years
from pcndocs.profile.model import Appointment, Profile
from pcndocs.profile.yamlfile import KeyPath
from pcndocs.rules import voting
from pcndocs.rules.affordability import affordability
from pcndocs.rules.appointment import term_end
from pcndocs.rules.facts import Facts
from pcndocs.rules.funding import (
    contract_year,
    director_funding,
    leadership_costs,
    own_core_parts,
    own_rate,
    payment_made,
)

MAJORITY_WORDS = {"simple": "a simple majority", "two_thirds": "a two-thirds majority",
                  "unanimous": "unanimity"}  # fmt: skip


def _words(value: object) -> str:
    """Return a choice as people say it: drawing_lots is 'drawing lots'."""
    return str(value).replace("_", " ")


def _not_default(model: BaseModel, name: str) -> bool:
    """Return whether a model's value differs from the default of its field."""
    return bool(getattr(model, name) != type(model).model_fields[name].get_default())


def no_effect(profile: Profile, facts: Facts) -> Iterator[tuple[KeyPath, str]]:
    """Yield (key, why) for each value the profile sets that changes none of its documents."""
    rules = profile.appointment
    yield from _tie_break(rules)
    if rules.majority == "unanimous":
        yield from _unanimity(rules)
    if rules.method == "election":
        for key in ("selection_panel", "selection_criteria"):
            if getattr(rules, key):
                yield (
                    ("appointment", key),
                    f"{'; '.join(getattr(rules, key))} has no effect: the method is election, "
                    "which has no panel",
                )
    if rules.deputy and rules.interim_cover != "deputy":
        yield (
            ("appointment", "deputy"),
            f"{rules.deputy} has no effect: interim_cover is "
            f"{_words(rules.interim_cover)}, not deputy",
        )
    network = profile.network
    if network.local_variation_details and not network.local_variation_agreement:
        yield (
            ("network", "local_variation_details"),
            "has no effect: local_variation_agreement is not true, so Schedule 1 states no "
            "Local Variation Agreement",
        )
    yield from _funding(profile, facts)


def _tie_break(rules: Appointment) -> Iterator[tuple[KeyPath, str]]:
    """Yield the tie-break where no ballot can be tied: under selection, or a large majority."""
    # A value equal to its default is said of no profile in particular (the web form sends
    # every default), so only a value other than the default is warned of.
    if not _not_default(rules, "tie_break"):
        return
    why = None
    if rules.method == "selection":
        why = "under selection alone there is no ballot, so no tie to break"
    elif not voting.tie_break_applies(rules.majority):
        why = (
            f"under {MAJORITY_WORDS[rules.majority]} two tied candidates each have half the "
            "votes, which is not enough, so there is no tie to break"
        )
    if why:
        yield ("appointment", "tie_break"), f"{_words(rules.tie_break)} has no effect: {why}"


def _unanimity(rules: Appointment) -> Iterator[tuple[KeyPath, str]]:
    """Yield the quorum, and weighted voting, where every practice must agree anyway."""
    if _not_default(rules, "quorum_percent"):
        yield (
            ("appointment", "quorum_percent"),
            f"{rules.quorum_percent}% has no effect: under unanimity every member practice "
            "must vote for the candidate, so there is no quorum to reach",
        )
    if rules.voting == "list_size_weighted" and rules.removal_majority == "unanimous":
        yield (
            ("appointment", "voting"),
            "list size weighted has no effect: appointing and removing a director both need "
            "every member practice, so no vote is weighed",
        )


def streams_shown(profile: Profile, facts: Facts) -> set[str]:
    """Return the funding streams whose sums some document prints for this profile.

    The summary shows the stream that pays the directors and each stream a lead is paid
    from; a lead's checklist of a workstream that states the core funding shows the core.
    """
    funding = director_funding(profile, facts)
    charges = affordability(profile, facts, funding, leadership_costs(profile))
    shown = {charge.stream for charge in charges}
    built_in = [lead.workstream for lead in profile.leads if isinstance(lead.workstream, str)]
    if any(facts.workstream(ident).states_core_funding for ident in built_in):
        shown.add("core")
    return shown


def _funding(profile: Profile, facts: Facts) -> Iterator[tuple[KeyPath, str]]:
    """Yield the network's own rates that its contract year, or its leads, do not use."""
    own = profile.funding
    year = contract_year(profile, facts)
    merged = not payment_made(year, facts)
    shown = streams_shown(profile, facts)
    last_paid = facts.funding.cd_basis.last_paid
    if own.cd_rate_per_patient is not None and merged:
        yield (
            ("funding", "cd_rate_per_patient"),
            f"£{own.cd_rate_per_patient:g} has no effect: {year} has no separate clinical "
            f"director payment (it ended in {last_paid})",
        )
    lm = facts.stream("leadership_and_management")
    rate = own.leadership_and_management_rate_per_patient
    if rate is not None and not lm.exists_in(year):
        yield (
            ("funding", "leadership_and_management_rate_per_patient"),
            f"£{rate:g} has no effect: the leadership and management payment is not paid in {year}",
        )
    elif rate is not None and lm.id not in shown:
        yield (
            ("funding", "leadership_and_management_rate_per_patient"),
            f"£{rate:g} has no effect: no lead is paid from the leadership and management "
            "payment, so no document shows it (give a lead funding_stream: "
            "leadership_and_management)",
        )
    if own.core_pcn_funding is not None and not merged:
        yield (
            ("funding", "core_pcn_funding"),
            f"£{own.core_pcn_funding:,g} has no effect: {year} has no Core PCN Funding, which "
            f"began in {years.following(last_paid)}; its core payment was a rate per patient "
            "(core_rate_per_patient)",
        )
    elif own.core_rate_per_patient is not None and merged and own.core_pcn_funding is not None:
        yield (
            ("funding", "core_rate_per_patient"),
            f"£{own.core_rate_per_patient:g} has no effect: core_pcn_funding states the year's "
            "Core PCN Funding, which takes its place",
        )
    elif own.core_rate_per_patient is not None and merged and own_core_parts(profile):
        yield (
            ("funding", "core_rate_per_patient"),
            f"£{own.core_rate_per_patient:g} has no effect: core_rate_per_registered_patient and "
            "core_rate_per_adjusted_patient state the two parts of the network's rate, which "
            "take its place",
        )
    elif own.core_rate_per_patient is not None and "core" not in shown:
        yield (
            ("funding", "core_rate_per_patient"),
            f"£{own.core_rate_per_patient:g} has no effect: in {year} the directors are paid from "
            "the clinical director payment and no lead is paid from the core payment, so no "
            "document shows it",
        )
    yield from _core_parts(profile, year, merged, last_paid)
    if own.adjusted_population is not None and not _adjusted_used(profile, facts, year, shown):
        yield (
            ("funding", "adjusted_population"),
            f"{own.adjusted_population:,} has no effect: no payment of {year} that the documents "
            "show is worked out from it here"
            + (" (core_pcn_funding states the year's funding)" if own.core_pcn_funding else ""),
        )


def _core_parts(
    profile: Profile, year: str, merged: bool, last_paid: str
) -> Iterator[tuple[KeyPath, str]]:
    """Yield the parts of the network's own Core PCN Funding rate that no document uses."""
    own = profile.funding
    parts = {
        "core_rate_per_registered_patient": own.core_rate_per_registered_patient,
        "core_rate_per_adjusted_patient": own.core_rate_per_adjusted_patient,
    }
    for key, rate in parts.items():
        if rate is None:
            continue
        (other,) = (k for k in parts if k != key)
        if not merged:
            payment = "one rate for each registered patient (core_rate_per_patient)"
            if key == "core_rate_per_adjusted_patient":
                payment += ", with no part for the adjusted population"
            why = (
                f"{year} has no Core PCN Funding, which began in {years.following(last_paid)}; "
                f"its core payment was {payment}"
            )
        elif own.core_pcn_funding is not None:
            why = "core_pcn_funding states the year's Core PCN Funding, which takes its place"
        elif parts[other] is None:
            why = (
                f"{other} is not given, and Core PCN Funding is paid partly for each "
                "registered patient and partly for each patient of the adjusted population, so "
                "the documents use the network's rate only when both parts are given"
            )
        else:
            continue
        yield ("funding", key), f"£{rate:g} has no effect: {why}"


def _adjusted_used(profile: Profile, facts: Facts, year: str, shown: set[str]) -> bool:
    """Return whether a payment of the year that a document shows is worked out from the
    adjusted population."""
    own = profile.funding
    national = facts.funding_year(year)
    merged = not payment_made(year, facts)
    lm = facts.stream("leadership_and_management")
    lm_rate = (
        own.leadership_and_management_rate_per_patient or national.leadership_and_management_payment
    )
    if lm.exists_in(year) and lm_rate is not None and lm.id in shown:
        return True
    if merged and own.core_pcn_funding is None and own_rate(profile):
        return True  # the network's own rate is paid on registered and adjusted patients
    core_stated = (merged and own.core_pcn_funding is not None) or own.core_rate_per_patient
    core_national = not merged and national.core_payment is not None
    core_adjusted = national.core_pcn_funding is not None
    return "core" in shown and not core_stated and not core_national and core_adjusted


def term_warnings(profile: Profile, facts: Facts) -> Iterator[tuple[KeyPath, str]]:
    """Yield the facts of the profile that do not fit its contract year."""
    year = contract_year(profile, facts)
    parsed = years.parse(year)
    if parsed is None:
        return
    term = profile.appointment.term_years
    for i, director in enumerate(profile.clinical_directors):
        if director.start_date is None:
            continue
        end = term_end(director.start_date, term)
        if end < parsed.starts:
            yield (
                ("clinical_directors", i, "start_date"),
                f"the current term began on {director.start_date.isoformat()} and, at "
                f"{term} year{'s' if term != 1 else ''}, ended on {end.isoformat()}, before "
                f"{year} begins on {parsed.starts.isoformat()}; give the start of the term "
                "they now serve",
            )
    variation = facts.funding.local_variation
    agreed = profile.network.local_variation_agreement
    if agreed is not None and years.later(variation.first, year):
        since = f"{variation.from_.day} {variation.from_:%B %Y} " if variation.from_ else ""
        yield (
            ("network", "local_variation_agreement"),
            f"is {'true' if agreed else 'false'} for {year}, but Local Variation Agreements "
            f"exist only from {since}({variation.first}), so Schedule 1 "
            + ("states none" if agreed else "says nothing of one either way"),
        )
    for i, lead in enumerate(profile.leads):
        if not isinstance(lead.workstream, str):
            continue
        workstream = facts.workstream(lead.workstream)
        if workstream.applies_in(year):
            continue
        when = (
            f"began only in {workstream.first}"
            if workstream.first and years.later(workstream.first, year)
            else f"ended in {workstream.last}"
        )
        yield (
            ("leads", i, "workstream"),
            f"{workstream.title} is not a workstream of {year}: it {when}",
        )


def share_warnings(profile: Profile) -> Iterator[tuple[KeyPath, str]]:
    """Yield where joint directors' shares of the benchmark differ from their shares of time.

    Each director works and is paid for their own sessions; funded_share divides only the
    benchmark, so a share unlike the director's part of the agreed time is worth a look.
    """
    directors = profile.clinical_directors
    total = sum(d.sessions_per_week or 0 for d in directors)
    if len(directors) < 2 or not total or any(d.sessions_per_week is None for d in directors):
        return
    for i, director in enumerate(directors):
        if director.funded_share is None:
            continue
        of_time = (director.sessions_per_week or 0) / total
        if abs(of_time - director.funded_share) > 0.005:
            yield (
                ("clinical_directors", i, "funded_share"),
                f"{director.funded_share:.0%} of the benchmark, but their "
                f"{director.sessions_per_week:g} of the directors' {total:g} sessions a week are "
                f"{of_time:.0%} of the agreed time; the job description shows each director's "
                "own sessions and pay, and this share divides only the benchmark",
            )
