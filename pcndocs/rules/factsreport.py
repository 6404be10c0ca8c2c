"""`pcndocs facts [YEAR]`: every national figure the documents would use, for checking.

An LMC adviser reads this before a board: each figure with its confidence and its sources in
full (title, publisher, date, section and address), so each can be looked up.
"""

from __future__ import annotations

from collections.abc import Iterator

from pcndocs import years
from pcndocs.rules.facts import Citation, Confidence, Facts, Rate, Sourced


def _sources(citation: Citation) -> Iterator[str]:
    for ref in citation.refs:
        yield f"      source: {ref.full}"


def _entry(
    name: str,
    value: str,
    fact: Sourced | None = None,
    *,
    confidence: Confidence | None = None,
    source: Citation | None = None,
    note: str | None = None,
) -> list[str]:
    """Return one figure's lines: name and value, confidence, each source, the caveat."""
    confidence = confidence or (fact.confidence if fact else None)
    source = source or (fact.source if fact else None)
    lines = [f"  {name}: {value}"]
    if confidence:
        lines.append(f"      confidence: {confidence}")
    if source:
        lines += list(_sources(source))
    if note:
        lines.append(f"      note: {' '.join(note.split())}")
    return lines


def _rate_text(rate: Rate, per: str) -> str:
    single = rate.value is not None
    figure = f"£{rate.value:g}" if single else f"£{rate.low:g} to £{rate.high:g}"
    part = f", for {rate.months} months from {rate.from_}" if rate.months != 12 else ""
    return f"{figure} per {per}{part}"


def report(year: str, facts: Facts) -> list[str]:
    """Return the lines `pcndocs facts YEAR` prints."""
    return [
        f"National facts pcndocs uses for {year} (checked {facts.checked:%-d %B %Y}).",
        "Confidence: confirmed (the specification, or two sources that agree); reported (one "
        "reliable secondary source); estimate (one third party, or pcndocs' own arithmetic).",
        "",
        "Funding",
        *_year_funding(year, facts),
        *_time_and_pay(year, facts),
        "",
        f"Funding streams in {year}",
        *(
            line
            for stream in facts.funding.streams
            if stream.exists_in(year)
            for line in _entry(stream.name_in(year).title, stream.text, stream)
        ),
        *_footprint(year, facts),
        *_added_duties(year, facts),
        "",
        f"Workstreams in {year}",
        *_workstreams(year, facts),
    ]


def _year_funding(year: str, facts: Facts) -> list[str]:
    """Return the year's national payments and Core PCN Funding, or say none are held."""
    national = facts.funding_year(year)
    if not national.held:
        return [
            f"  No national figures for {year} had been published when these facts were "
            f"checked; the latest year held is {facts.funding.latest}. The documents use the "
            "network's own figures (funding: in its profile).",
        ]
    out = _entry(f"About {year}", national.note, national, note=None)
    per_registered = "registered patient"
    payments = (
        ("Clinical director payment", national.cd_payment, per_registered),
        ("Core payment", national.core_payment, per_registered),
        (
            "Leadership and management payment",
            national.leadership_and_management_payment,
            "patient of the adjusted population",
        ),
    )
    for name, rate, per in payments:
        if rate:
            out += _entry(name, _rate_text(rate, per), rate, note=rate.note)
    return out + _core_funding(year, facts)


def _core_funding(year: str, facts: Facts) -> list[str]:
    """Return the year's Core PCN Funding rate and its split, or say none was published."""
    core = facts.funding_year(year).core_pcn_funding
    if not core:
        if years.at_least(facts.funding.cd_basis.last_paid, year):
            return []
        return [
            f"  Core PCN Funding: no national rate for {year} had been published when "
            "these facts were checked; the network states its own (funding.core_pcn_funding)."
        ]
    out = _entry("Core PCN Funding", f"£{core.value:g} a patient", core, note=core.note)
    out += _entry(
        "  its split",
        f"£{core.registered_part:g} × registered patients + £{core.adjusted_part:g} × "
        "adjusted population",
        confidence=core.split_confidence or core.confidence,
        source=core.split_source or core.source,
        note=core.split_note,
    )
    if core.first_published:
        first = core.first_published
        out += _entry("  as first published", _rate_text(first, "patient"), first, note=first.note)
    return out


def _time_and_pay(year: str, facts: Facts) -> list[str]:
    """Return the director's funded time, a GP session, a lead's time and the GP pay range."""
    basis = facts.funding.cd_basis
    guide = (
        ""
        if years.at_least(basis.last_paid, year)
        else f" (the level of time funded until {basis.last_paid}, kept as a guide)"
    )
    out = _entry(
        "Clinical director's funded time",
        f"{basis.wte:g} WTE per {basis.per_registered_patients:,} registered patients{guide}",
        basis,
    )
    session = facts.funding.session
    out += _entry("GP session", session.text, session)
    out += _entry(
        "A lead's time",
        facts.workstreams.typical_sessions_per_month_max.text,
        facts.workstreams.typical_sessions_per_month_max,
    )
    pay = facts.funding.salaried_gp_range_2023_24
    out += _entry(
        "Salaried GP range 2023/24",
        f"£{pay.low:,} to £{pay.high:,} a year for {pay.sessions_per_week} sessions a week",
        pay,
    )
    for uplift in pay.uplifts:
        if years.at_least(year, uplift.from_):
            out += _entry(f"  uplift {uplift.from_}", uplift.text, uplift)
    return out


def _footprint(year: str, facts: Facts) -> list[str]:
    """Return what the contract lets a network change in its footprint in the year, if any."""
    changes = (
        ("Local Variation Agreements", facts.funding.local_variation),
        ("Neighbourhood footprints", facts.funding.neighbourhoods),
    )
    out: list[str] = []
    for name, change in changes:
        if years.at_least(year, change.first):
            out += _entry(name, " ".join(change.text.split()), change)
    return ["", f"The network's footprint in {year}", *out] if out else []


def _added_duties(year: str, facts: Facts) -> list[str]:
    """Return the duties the DES adds to the director's role in the year, if any."""
    duties = facts.annex_e.added_duties.of_year(year)
    if not duties:
        return []
    out = [
        "",
        f"Duties the DES adds to the clinical director's role in {year} "
        f"(the list: {duties.confidence})",
    ]
    if duties.note:
        out.append(f"  note: {' '.join(duties.note.split())}")
    for duty in duties.duties:
        out += _entry(duty.title, " ".join(duty.text.split()).rstrip(";."), duty)
    return out


def _workstreams(year: str, facts: Facts) -> list[str]:
    """Return the year's workstreams, each with the changes made to it by then."""
    out: list[str] = []
    for work in facts.workstreams_in(year):
        since = f" (since {work.since})" if work.since else ""
        out += _entry(f"{work.title}{since}", " ".join(work.summary.split()), work)
        for change in work.notes_in(year):
            out += _entry("  from " + change.from_, " ".join(change.text.split()), change)
    return out
