"""The checks a network manager needs: warnings, with the figures, about a valid profile."""

from __future__ import annotations

from datetime import date

from pcndocs.errors import Problem
from pcndocs.facts import Facts
from pcndocs.funding import contract_year, director_funding
from pcndocs.profile.load import LoadedProfile

LEAD_SESSIONS_PER_MONTH = 2


def warnings_for(loaded: LoadedProfile, facts: Facts, today: date) -> list[Problem]:
    """Return every warning about a profile, each pointing at the key it concerns."""
    profile = loaded.profile
    warn = loaded.problem
    found: list[Problem] = []
    funding = director_funding(profile, facts)

    agreed = funding.agreed_sessions_per_week + funding.local_sessions_per_week
    if funding.sessions_over_funding > 0.005:
        found.append(
            warn(
                ("clinical_directors",),
                f"the directors' agreed time is {agreed:.2f} sessions a week, "
                f"{funding.sessions_over_funding:.2f} more than the funded equivalent of "
                f"{funding.funded_sessions_per_week:.2f} (0.25 WTE per 50,000 patients, "
                f"{profile.population:,} patients); agree how the difference is paid for",
            )
        )
    if profile.local_cd_responsibilities:
        count = len(profile.local_cd_responsibilities)
        found.append(
            warn(
                ("local_cd_responsibilities",),
                f"{count} local responsibilit{'y is' if count == 1 else 'ies are'} added "
                "beyond the national minimum (Annex E); the LMC advises agreeing nothing that "
                f"cannot be delivered within the funded {funding.funded_sessions_per_week:.2f} "
                "sessions a week",
            )
        )
    limit = facts.workstreams.typical_sessions_per_month_max.value or LEAD_SESSIONS_PER_MONTH
    for i, lead in enumerate(profile.leads):
        if lead.sessions_per_month > limit:
            found.append(
                warn(
                    ("leads", i, "sessions_per_month"),
                    f"{lead.name} has {lead.sessions_per_month:g} sessions a month; leads "
                    f"typically have at most {limit}",
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
    year = contract_year(profile, facts)
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
    led = {lead.workstream_id for lead in profile.leads}
    missing = [w.title for w in facts.workstreams.workstreams if w.id not in led]
    if missing:
        found.append(
            warn(
                ("leads",),
                f"{len(missing)} workstream{'s have' if len(missing) != 1 else ' has'} no lead: "
                + ", ".join(missing),
            )
        )
    return found
