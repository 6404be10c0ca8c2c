"""The checks a network manager needs: warnings, with the figures, about a valid profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pcndocs import years
from pcndocs.errors import Problem
from pcndocs.profile.items import item_name
from pcndocs.profile.load import LoadedProfile
from pcndocs.profile.model import Lead, Profile
from pcndocs.rules import voting
from pcndocs.rules.facts import Facts
from pcndocs.rules.funding import (
    contract_year,
    director_funding,
    own_core_parts,
    own_rate,
    payment_made,
    sessions_number,
    sessions_text,
    stream_funds,
    wte_text,
)
from pcndocs.rules.no_effect import no_effect, share_warnings, term_warnings

LEAD_SESSIONS_PER_MONTH = 2


def warnings_for(loaded: LoadedProfile, facts: Facts, today: date) -> list[Problem]:
    """Return every warning about a profile, each pointing at the key it concerns."""
    profile = loaded.profile
    warn = loaded.problem
    year = contract_year(profile, facts)
    return [
        *_time_warnings(loaded, facts),
        *_lead_session_warnings(loaded, facts),
        *_weight_warnings(loaded),
        *_start_date_warnings(loaded),
        *_control_warnings(loaded, today),
        *_list_warnings(loaded, facts, year),
        *_workstream_warnings(loaded, facts, year),
        *_year_warnings(loaded, facts, year),
        *(warn(key, text) for key, text in term_warnings(profile, facts)),
        *(warn(key, text) for key, text in no_effect(profile, facts)),
        *(warn(key, text) for key, text in share_warnings(profile)),
    ]


def _time_warnings(loaded: LoadedProfile, facts: Facts) -> list[Problem]:
    """Warn where the directors' time exceeds the funding, or local duties are added."""
    profile = loaded.profile
    warn = loaded.problem
    found: list[Problem] = []
    funding = director_funding(profile, facts)
    agreed = funding.agreed_sessions_per_week + funding.local_sessions_per_week
    if funding.sessions_over_funding > 0.005:
        whose = "directors'" if len(profile.clinical_directors) > 1 else "director's"
        local = (
            f" (including {sessions_text(funding.local_sessions_per_week)} for local duties)"
            if funding.local_sessions_per_week
            else ""
        )
        found.append(
            warn(
                ("clinical_directors",),
                f"the {whose} agreed time is {sessions_text(agreed)} a week{local}, "
                f"{sessions_text(funding.sessions_over_funding)} more than the "
                + (
                    "funded equivalent"
                    if funding.payment_made
                    else f"level of time funded until {funding.last_paid}, kept as a guide,"
                )
                + " of "
                f"{sessions_text(funding.funded_sessions_per_week)} "
                f"({wte_text(funding.funded_wte)}: "
                f"{wte_text(funding.basis_wte)} per {funding.basis_patients:,} patients, for "
                f"{profile.population:,} patients); agree how the difference is paid for",
            )
        )
    if profile.local_cd_responsibilities:
        count = len(profile.local_cd_responsibilities)
        extra = (
            f", taking {sessions_text(funding.local_sessions_per_week)} more a week"
            if funding.local_sessions_per_week
            else ""
        )
        found.append(
            warn(
                ("local_cd_responsibilities",),
                f"{count} local responsibilit{'y is' if count == 1 else 'ies are'} added "
                f"beyond the national minimum (Annex E){extra}; "
                + (
                    "the LMC advises agreeing nothing that cannot be delivered within the "
                    f"funded {sessions_text(funding.funded_sessions_per_week)} a week"
                    if funding.payment_made
                    else "set the time against the level of time funded until "
                    f"{funding.last_paid}, {sessions_text(funding.funded_sessions_per_week)} "
                    "a week, kept as a guide"
                ),
            )
        )
    return found


def _lead_session_warnings(loaded: LoadedProfile, facts: Facts) -> list[Problem]:
    """Warn about each lead given more sessions a month than leads typically have."""
    limit = facts.workstreams.typical_sessions_per_month_max.value or LEAD_SESSIONS_PER_MONTH
    return [
        loaded.problem(
            ("leads", i, "sessions_per_month"),
            f"{lead.sessions_per_month:g} sessions a month for "
            f"{_workstream_title(lead, facts)}; leads typically have at most {limit}",
        )
        for i, lead in enumerate(loaded.profile.leads)
        if lead.sessions_per_month > limit
    ]


def _start_date_warnings(loaded: LoadedProfile) -> list[Problem]:
    """Warn about each director with no start date, whose term Schedule 1 cannot date."""
    return [
        loaded.problem(
            ("clinical_directors", i),
            "no start_date, so Schedule 1 cannot give the dates of their term; add "
            "the date they were appointed",
        )
        for i, director in enumerate(loaded.profile.clinical_directors)
        if director.start_date is None
    ]


def _control_warnings(loaded: LoadedProfile, today: date) -> list[Problem]:
    """Warn about the documents' approver and review date."""
    profile = loaded.profile
    warn = loaded.problem
    found: list[Problem] = []
    approver = profile.document_control.approved_by
    body = profile.governance.body_name
    if approver and " ".join(approver.lower().split()).removeprefix("the ") != body.lower():
        found.append(
            warn(
                ("document_control", "approved_by"),
                f"the documents say they are approved by '{approver}', but Schedule 1 names "
                f"the '{body}' as the meeting that decides; use the same name "
                "(governance.body_name)",
            )
        )
    review = profile.document_control.review_date
    if review is None:
        found.append(
            warn(
                ("document_control",),
                "no review_date: the LMC advises a review date for the job description",
            )
        )
    elif review < today:
        found.append(
            warn(
                ("document_control", "review_date"),
                f"the review date {review.isoformat()} has passed (today is {today.isoformat()})",
            )
        )
    return found


def _list_warnings(loaded: LoadedProfile, facts: Facts, year: str) -> list[Problem]:
    """Warn about list sizes of another date than the year's, and practices of one name."""
    profile = loaded.profile
    warn = loaded.problem
    found: list[Problem] = []
    expected = facts.funding_year(year).population_date
    actual = profile.network.population_date
    if actual is not None and actual != expected:
        found.append(
            warn(
                ("network", "population_date"),
                f"list sizes are at {actual.isoformat()}, but "
                f"{year} funding uses the list at {expected.isoformat()}",
            )
        )
    # Two practices may share a name (the national file has such pairs); readers need to
    # tell them apart, so say so rather than refuse the profile.
    first_named: dict[str, int] = {}
    for i, practice in enumerate(profile.practices):
        folded = " ".join((practice.name or "").lower().split())
        if folded and folded in first_named:
            found.append(
                warn(
                    ("practices", i, "name"),
                    f"the same name as {item_name('practices', first_named[folded])}; add a "
                    "place to tell them apart",
                )
            )
        first_named.setdefault(folded, i)
    return found


def _workstream_warnings(loaded: LoadedProfile, facts: Facts, year: str) -> list[Problem]:
    """Warn, in one line, about the contract year's workstreams that have no lead."""
    led = {lead.workstream_id for lead in loaded.profile.leads}
    missing = [w.title for w in facts.workstreams_in(year) if w.id not in led]
    if not missing:
        return []
    return [
        loaded.problem(
            ("leads",),
            f"{len(missing)} workstream{'s have' if len(missing) != 1 else ' has'} no lead "
            f"in {year}: " + ", ".join(missing),
        )
    ]


def _year_warnings(loaded: LoadedProfile, facts: Facts, year: str) -> list[Problem]:
    """Return the warnings about money that depend on the contract year."""
    profile = loaded.profile
    warn = loaded.problem
    found: list[Problem] = []
    national = facts.funding_year(year)
    if profile.contract_year and not national.held:
        found.append(
            warn(
                ("contract_year",),
                f"pcndocs holds no national figures for {year} (the latest it holds are for "
                f"{facts.funding.latest}); the documents use the network's own figures, so state "
                "them under funding: (core_pcn_funding, adjusted_population)",
            )
        )
    elif (
        profile.contract_year
        and national.core_pcn_funding is None
        and not payment_made(year, facts)
        and profile.funding.core_pcn_funding is None
        and profile.funding.core_rate_per_patient is None
        and own_core_parts(profile) is None
    ):
        found.append(
            warn(
                ("funding",),
                f"no national rate of Core PCN Funding is known for {year}; state the network's "
                "own figure (funding.core_pcn_funding) so the summary can set the costs against it",
            )
        )
    found.extend(_estimate_warnings(loaded, facts))
    core = stream_funds(profile, facts).get("core")
    own = profile.funding
    if core and core.amount is None and own.adjusted_population is None and own_rate(profile):
        found.append(
            warn(
                ("funding",),
                f"the {core.title} for {year} is not worked out: the network's rate is paid "
                "partly for each patient of the adjusted population, which the profile does not "
                "give (funding.adjusted_population)",
            )
        )
    for i, lead in enumerate(profile.leads):
        stream = facts.stream(lead.funding_stream)
        if stream.exists_in(year):
            continue
        if stream.first is not None and years.later(stream.first, year):
            why = f"which began only in {stream.first}"
        else:
            why = f"which ended in {stream.last}. {stream.replaced_by or ''}".strip()
        found.append(
            warn(
                ("leads", i, "funding_stream"),
                f"paid from {stream.name_in(year).title}, which is not paid in "
                f"{year}, {why.rstrip('.')}; choose another funding stream",
            )
        )
    for i, director in enumerate(profile.clinical_directors):
        if director.session_rate is None and director.annual_pay is None:
            found.append(
                warn(
                    ("clinical_directors", i),
                    "no session_rate or annual_pay, so the job description says the pay is "
                    "still to be agreed",
                )
            )
    return found


def _estimate_warnings(loaded: LoadedProfile, facts: Facts) -> list[Problem]:
    """Return a suggestion for each sum the documents work out from an estimated rate.

    The documents call such a sum an estimate; the network's own figure, stated under
    `funding:`, replaces it.
    """
    from pcndocs.rules.citations import OWN_FIGURE_KEYS  # citations imports funding, as we do

    found: list[Problem] = []
    year = contract_year(loaded.profile, facts)
    for funds in stream_funds(loaded.profile, facts).values():
        if not funds.estimate or funds.stream not in OWN_FIGURE_KEYS:
            continue
        key = OWN_FIGURE_KEYS[funds.stream]
        if funds.stream == "core" and payment_made(year, facts):
            key = "funding.core_rate_per_patient"
        state = f"state the network's own figure ({key}) if it has one"
        if funds.stream == "core" and loaded.profile.funding.core_rate_per_patient is not None:
            # From 2024/25 the rate has two parts: one rate a patient is split by pcndocs.
            state = (
                f"state the network's own figure ({key}), or the two parts of its rate "
                "(funding.core_rate_per_registered_patient and "
                "funding.core_rate_per_adjusted_patient), if it has them"
            )
        found.append(
            loaded.problem(
                ("funding",),
                f"the {funds.title} for {year} in the documents rests on {funds.source}; {state}",
            )
        )
    return found


def advice(facts: Facts) -> list[str]:
    """Return the LMC's advice on the director's role, for the author and the board."""
    return [item.text for item in facts.annex_e.lmc_advice]


def _workstream_title(lead: Lead, facts: Facts) -> str:
    """Return the title of a lead's workstream, built in or custom."""
    if isinstance(lead.workstream, str):
        return facts.workstream(lead.workstream).title
    return lead.workstream.title


# The appointment rules Schedule 1 states whatever the profile says: unset, they are defaults.
ASSUMED_APPOINTMENT = (
    "term_years",
    "voting",
    "majority",
    "nomination_days",
    "notice_days",
    "quorum_percent",
    "tie_break",
    "max_consecutive_terms",
    "resignation_notice_months",
    "removal_majority",
    "interim_cover",
)


@dataclass(frozen=True)
class Assumed:
    """A value the documents use that the profile never set: a default to confirm."""

    key: str  # such as appointment.quorum_percent
    value: object

    def words(self) -> str:
        """Return the value as the profile would write it."""
        if self.value is None:
            return "not set (no limit)"
        if isinstance(self.value, list):
            return "; ".join(str(v) for v in self.value)
        return str(self.value)


def assumed_values(profile: Profile) -> list[Assumed]:
    """Return the defaults the documents use where the profile sets nothing, to be confirmed.

    The tie-break is listed only where it can decide a vote: a ballot under a simple majority.
    """
    rules = profile.appointment
    found: list[Assumed] = []
    for name in ASSUMED_APPOINTMENT:
        if name in rules.model_fields_set:
            continue
        if name == "tie_break" and (
            rules.method == "selection" or not voting.tie_break_applies(rules.majority)
        ):
            continue
        if name == "quorum_percent" and rules.majority == "unanimous":
            continue
        found.append(Assumed(f"appointment.{name}", getattr(rules, name)))
    governance = profile.governance
    for name in type(governance).model_fields:
        if name not in governance.model_fields_set:
            found.append(Assumed(f"governance.{name}", getattr(governance, name)))
    return found


def _weight_warnings(loaded: LoadedProfile) -> list[Problem]:
    """Warn where, with votes weighted by list size, one practice alone blocks or carries."""
    profile = loaded.profile
    sizes = [p.list_size for p in profile.practices]
    if len(sizes) < 2 or any(size is None for size in sizes):
        return []
    total = sum(size or 0 for size in sizes)
    found: list[Problem] = []
    rules = (
        ("appointment", profile.appointment.voting, profile.appointment.quorum_percent,
         profile.appointment.majority, "appointing the clinical director"),
        ("governance", profile.governance.voting, profile.governance.quorum_percent,
         profile.governance.majority, "the network's decisions"),
    )  # fmt: skip
    for section, way, quorum, majority, what in rules:
        if way != "list_size_weighted":
            continue
        for i, practice in enumerate(profile.practices):
            weight = practice.list_size or 0
            share = f"{100 * weight / total:.1f}%"
            who = item_name("practices", i, practice.name)
            if voting.can_block_quorum(weight, total, quorum):
                found.append(
                    loaded.problem(
                        (section, "quorum_percent"),
                        f"{who} holds {share} of the weighted votes, so without it no "
                        f"vote on {what} reaches the {quorum}% quorum",
                    )
                )
            if majority != "unanimous" and voting.can_carry_alone(weight, total, majority):
                found.append(
                    loaded.problem(
                        (section, "majority"),
                        f"{who} holds {share} of the weighted votes, so its votes "
                        f"alone carry a vote on {what}",
                    )
                )
    return found


def summary(loaded: LoadedProfile, facts: Facts) -> list[str]:
    """Return what `pcndocs check` says of a profile: practices, time, pay, leads, defaults."""
    profile = loaded.profile
    funding = director_funding(profile, facts)
    when = profile.network.population_date or "a date still to agree"
    lines = [
        f"practices: {len(profile.practices)}, registered patients: {profile.population:,} "
        f"at {when}"
    ]
    benchmark = (
        "funded time"
        if funding.payment_made
        else f"time funded until {funding.last_paid} (a guide)"
    )
    if all(p.list_size is not None for p in profile.practices) and profile.practices:
        lines.append(
            f"contract year {funding.year}; clinical director {benchmark}: "
            f"{wte_text(funding.funded_wte)} = {sessions_text(funding.funded_sessions_per_week)} a "
            f"week; agreed: {_agreed_sessions(profile)}"
        )
    else:  # a blank profile: no time can be worked out from a list size still missing
        lines.append(
            f"contract year {funding.year}; clinical director {benchmark}: to be worked "
            "out when every list size is given"
        )
    if funding.payment and funding.payment.amount:
        amount = funding.payment.amount
        note = " (indicative)" if amount.indicative else ""
        months = "a year" if funding.months == 12 else f"for {funding.months} months"
        lines.append(f"clinical director payment: £{amount.low:,.0f} {months}{note}")
    pay = funding.pay_per_year if profile.clinical_directors else None
    lines.append(
        f"clinical director pay: £{pay:,.0f} a year"
        if pay is not None
        else "clinical director pay: to be agreed"
    )
    lines.append(f"leads: {len(profile.leads)}")
    assumed = assumed_values(profile)
    if assumed:
        lines.append(
            f"assumed ({counted(len(assumed), 'value')} the profile does not set; "
            "the documents use these defaults, so confirm them or set your own):"
        )
        lines += [f"  {value.key}: {value.words()}" for value in assumed]
    if loaded.gaps:
        lines.append(
            f"still to agree ({len(loaded.gaps)}), shown as placeholders by build --blank:"
        )
        lines += [f"  {gap_line(gap)}" for gap in loaded.gaps]
    return lines


def counted(number: int, word: str, plural: str | None = None) -> str:
    """Return a count with its noun, singular for one: '1 file', '3 files', '2 practices'."""
    if number == 1:
        return f"1 {word}"
    return f"{number:,} {plural or word + 's'}"


def verdict(
    profiles: int, failed: int, errors: int, warnings: int, strict: bool, to_agree: int = 0
) -> str:
    """Return the last line of `pcndocs check`: `ready: ...` or `not ready: ...`.

    to_agree counts the values a blank check found still to agree: ready for a blank build.
    """
    checked = counted(profiles, "profile")
    if to_agree and not errors:
        checked += f" for a blank build ({counted(to_agree, 'value')} still to agree)"
    if errors:
        which = "" if profiles == 1 else f" in {failed} of {profiles} profiles"
        return f"not ready: {counted(errors, 'error')}{which}, {counted(warnings, 'warning')}"
    if strict and warnings:
        return f"not ready: {checked}, no errors, {counted(warnings, 'warning')} (--strict)"
    return f"ready: {checked}, no errors, {counted(warnings, 'warning')}"


def _agreed_sessions(profile: Profile) -> str:
    """Return the directors' agreed time: '2.5 sessions a week (Dr A 1.5, Dr B 1)' when joint."""
    directors = profile.clinical_directors
    total = sessions_text(sum(d.sessions_per_week or 0 for d in directors))
    if len(directors) < 2:
        return f"{total} a week"
    each = ", ".join(
        f"{d.name} {sessions_number(d.sessions_per_week)}"
        if d.sessions_per_week is not None
        else f"{d.name} to be agreed"
        for d in directors
    )
    return f"{total} a week ({each})"


def gap_line(gap: Problem) -> str:
    """Return a value still to agree as `check` and `build --blank` list it: line, key, item."""
    where = f"line {gap.line}: " if gap.line else ""
    return f"{where}{gap.key}: {gap.item}" if gap.item else f"{where}{gap.key}"
