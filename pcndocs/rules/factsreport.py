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
    national = facts.funding_year(year)
    out = [
        f"National facts pcndocs uses for {year} (checked {facts.checked:%-d %B %Y}).",
        "Confidence: confirmed (the specification, or two sources that agree); reported (one "
        "reliable secondary source); estimate (one third party, or pcndocs' own arithmetic).",
        "",
        "Funding",
    ]
    if not national.held:
        out += [
            f"  No national figures for {year} had been published when these facts were "
            f"checked; the latest year held is {facts.funding.latest}. The documents use the "
            "network's own figures (funding: in its profile).",
        ]
    else:
        out += _entry(f"About {year}", national.note, national, note=None)
        per_registered = "registered patient"
        if national.cd_payment:
            out += _entry(
                "Clinical director payment",
                _rate_text(national.cd_payment, per_registered),
                national.cd_payment,
                note=national.cd_payment.note,
            )
        if national.core_payment:
            out += _entry(
                "Core payment",
                _rate_text(national.core_payment, per_registered),
                national.core_payment,
                note=national.core_payment.note,
            )
        if national.leadership_and_management_payment:
            lm = national.leadership_and_management_payment
            out += _entry(
                "Leadership and management payment",
                _rate_text(lm, "patient of the adjusted population"),
                lm,
                note=lm.note,
            )
        core = national.core_pcn_funding
        if core:
            out += _entry(
                "Core PCN Funding",
                f"£{core.value:g} a patient",
                core,
                note=core.note,
            )
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
                out += _entry(
                    "  as first published", _rate_text(first, "patient"), first, note=first.note
                )
        elif not years.at_least(facts.funding.cd_basis.last_paid, year):
            out.append(
                f"  Core PCN Funding: no national rate for {year} had been published when "
                "these facts were checked; the network states its own (funding.core_pcn_funding)."
            )
    basis = facts.funding.cd_basis
    guide = (
        ""
        if years.at_least(basis.last_paid, year)
        else f" (the level of time funded until {basis.last_paid}, kept as a guide)"
    )
    out += _entry(
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
    out += ["", f"Funding streams in {year}"]
    for stream in facts.funding.streams:
        if stream.exists_in(year):
            out += _entry(stream.name_in(year).title, stream.text, stream)
    duties = facts.annex_e.added_duties.of_year(year)
    if duties:
        out += [
            "",
            f"Duties the DES adds to the clinical director's role in {year} "
            f"(the list: {duties.confidence})",
        ]
        if duties.note:
            out.append(f"  note: {' '.join(duties.note.split())}")
        for duty in duties.duties:
            out += _entry(duty.title, " ".join(duty.text.split()).rstrip(";."), duty)
    out += ["", f"Workstreams in {year}"]
    for work in facts.workstreams_in(year):
        since = f" (since {work.since})" if work.since else ""
        out += _entry(f"{work.title}{since}", " ".join(work.summary.split()), work)
        for change in work.notes_in(year):
            out += _entry("  from " + change.from_, " ".join(change.text.split()), change)
    return out
