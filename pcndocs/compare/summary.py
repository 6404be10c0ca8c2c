"""Says in plain words what changed between two versions of a network's profile.

One line per change, as a board member would put it: "Practice added: Meadow Lane Surgery
(B83001)", "Term of office: 3 years → 4 years". Practices are matched by ODS code, leads by
name and workstream, directors by name; a key no rule below knows is still reported, by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel

from pcndocs.profile.model import ClinicalDirector, Lead, Practice, Profile
from pcndocs.render.context import METHOD_NAMES
from pcndocs.rules.facts import Facts
from pcndocs.rules.funding import contract_year
from pcndocs.rules.leads import workstream_view

ARROW = "→"
NOT_SET = "not set"
MAJORITIES = {"simple": "more than half", "two_thirds": "at least two thirds", "unanimous": "all"}
VOTING = {
    "one_practice_one_vote": "one practice one vote",
    "list_size_weighted": "weighted by list size",
}
TIE_BREAKS = {
    "second_ballot": "a second ballot",
    "drawing_lots": "drawing lots",
    "joint_appointment": "a joint appointment",
}
INTERIM_COVER = {"deputy": "a named deputy", "nominated_by_practices": "chosen by the practices"}


def _plural(unit: str) -> Callable[[Any], str]:
    return lambda n: f"{n} {unit}{'' if n == 1 else 's'}"


#: Each appointment key: its label and how its value reads.
APPOINTMENT: dict[str, tuple[str, Callable[[Any], str]]] = {
    "method": ("Method", lambda v: METHOD_NAMES.get(v, str(v))),
    "term_years": ("Term of office", _plural("year")),
    "voting": ("Voting", lambda v: VOTING.get(v, str(v))),
    "majority": ("Majority to be appointed", lambda v: MAJORITIES.get(v, str(v))),
    "nomination_days": ("Nominations open for", _plural("day")),
    "notice_days": ("Notice before the vote", _plural("day")),
    "quorum_percent": ("Quorum", lambda v: f"{v}%"),
    "tie_break": ("A tie is settled by", lambda v: TIE_BREAKS.get(v, str(v))),
    "max_consecutive_terms": ("Terms in a row", lambda v: "no limit" if v is None else str(v)),
    "resignation_notice_months": ("Notice of resignation", _plural("month")),
    "removal_majority": ("Majority to remove a director", lambda v: MAJORITIES.get(v, str(v))),
    "interim_cover": ("Interim cover", lambda v: INTERIM_COVER.get(v, str(v))),
    "deputy": ("Deputy", str),
    "review_date": ("Review of the process by", lambda v: _value(v)),
    "selection_panel": ("Selection panel", lambda v: _value(v)),
    "selection_criteria": ("Further selection criteria", lambda v: _value(v)),
}
NETWORK = {
    "name": "Network name",
    "code": "PCN code",
    "commissioner": "Commissioner",
    "area": "Area covered",
    "population_date": "List sizes dated",
    "payee_name": "Nominated payee that is not a member practice",
    "payee_holds_funds": "How the nominated payee holds the network's funds",
}
DIRECTOR = {
    "profession": "profession",
    "practice": "member practice",
    "sessions_per_week": "sessions a week",
    "start_date": "start date",
    "funded_share": "share of the funding benchmark",
    "line_manages": "line-manages",
}
LEAD = {
    "kind": "kind",
    "practice": "member practice",
    "role": "role",
    "sessions_per_month": "sessions a month",
    "session_rate": "rate a session (£)",
    "funding_stream": "funded from",
    "reimbursed_to": "paid to",
    "start_date": "start date",
}
DOCUMENT_CONTROL = {
    "version": "Version",
    "author": "Author",
    "approved_by": "Approved by",
    "approval_date": "Approval date",
    "review_date": "Review date",
    "effective_date": "Effective date",
    "show_generator": "Says it was prepared with pcndocs",
}


def what_changed(old: Profile, new: Profile, facts: Facts) -> list[str]:
    """Return one plain line for each change from the old profile to the new."""
    lines: list[str] = []
    lines += _fields(old.network, new.network, NETWORK, skip={"nominated_payee"})
    if old.network.nominated_payee != new.network.nominated_payee:
        lines.append(f"Nominated payee: {_payee(old)} {ARROW} {_payee(new)}")
    if old.contract_year != new.contract_year:
        lines.append(
            f"Contract year: {_value(old.contract_year)} {ARROW} {_value(new.contract_year)}"
        )
    lines += _practices(old.practices, new.practices)
    lines += _directors(old, new)
    for key, (label, show) in APPOINTMENT.items():
        before, after = getattr(old.appointment, key, None), getattr(new.appointment, key, None)
        if before != after:
            lines.append(f"{label}: {_shown(show, before)} {ARROW} {_shown(show, after)}")
    lines += _leads(old.leads, new.leads, facts, contract_year(new, facts))
    lines += _duties(old, new)
    lines += _fields(old.document_control, new.document_control, DOCUMENT_CONTROL)
    covered = {"network", "contract_year", "practices", "clinical_directors", "leads"}
    covered |= {"local_cd_responsibilities", "document_control"}
    lines += _others(old, new, covered, set(APPOINTMENT))
    return lines


def _practices(olds: Sequence[Practice], news: Sequence[Practice]) -> Iterator[str]:
    before = {p.ods_code: p for p in olds}
    after = {p.ods_code: p for p in news}
    for code, practice in after.items():
        if code not in before:
            yield f"Practice added: {practice.name} ({code})"
    for code, practice in before.items():
        if code not in after:
            yield f"Practice removed: {practice.name} ({code})"
    for code, old in before.items():
        new = after.get(code)
        if new is None:
            continue
        if old.name != new.name:
            yield f"Practice renamed: {old.name} {ARROW} {new.name} ({code})"
        if old.list_size != new.list_size:
            yield (
                f"Registered patients at {new.name} ({code}): {_value(old.list_size)} {ARROW} "
                f"{_value(new.list_size)}"
            )
        if old.signatory != new.signatory:
            yield (f"Signs for {new.name} ({code}): {_signatory(old)} {ARROW} {_signatory(new)}")


def _directors(old: Profile, new: Profile) -> Iterator[str]:
    before = {d.name: d for d in old.clinical_directors}
    after = {d.name: d for d in new.clinical_directors}
    gone = [d for name, d in before.items() if name not in after]
    came = [d for name, d in after.items() if name not in before]
    while gone and came:  # one out and one in is a replacement
        left, joined = _director(gone.pop(0)), _director(came.pop(0))
        yield f"Clinical director replaced: {left} {ARROW} {joined}"
    yield from (f"Clinical director added: {_director(d)}" for d in came)
    yield from (f"Clinical director no longer in post: {_director(d)}" for d in gone)
    for name, was in before.items():
        now = after.get(name)
        if now is not None:
            yield from (f"{name}: {line}" for line in _fields(was, now, DIRECTOR, lower=True))


def _leads(olds: Sequence[Lead], news: Sequence[Lead], facts: Facts, year: str) -> Iterator[str]:
    def key(lead: Lead) -> tuple[str, str]:
        return lead.name, _workstream(lead, facts, year)

    before = {key(lead): lead for lead in olds}
    after = {key(lead): lead for lead in news}
    for (name, work), lead in after.items():
        if (name, work) not in before:
            yield f"Lead added: {name}, {_kind(lead)} lead for {work}"
    for (name, work), lead in before.items():
        if (name, work) not in after:
            yield f"Lead removed: {name}, {_kind(lead)} lead for {work}"
    for (name, work), was in before.items():
        now = after.get((name, work))
        if now is not None:
            for line in _fields(was, now, LEAD, lower=True, skip={"workstream", "name"}):
                yield f"{name} ({work}): {line}"


def _duties(old: Profile, new: Profile) -> Iterator[str]:
    def text(item: Any) -> str:
        return item if isinstance(item, str) else f"{item.duty} ({item.sessions_per_week} a week)"

    before = [text(i) for i in old.local_cd_responsibilities]
    after = [text(i) for i in new.local_cd_responsibilities]
    yield from (f"Local duty of the director added: {t}" for t in after if t not in before)
    yield from (f"Local duty of the director removed: {t}" for t in before if t not in after)


def _fields(
    old: BaseModel,
    new: BaseModel,
    labels: dict[str, str],
    lower: bool = False,
    skip: set[str] | None = None,
) -> list[str]:
    """Return 'Label: old → new' for each field that changed, labelled ones first."""
    lines = []
    names = [*labels, *(n for n in type(new).model_fields if n not in labels)]
    for name in names:
        if name in (skip or set()):
            continue
        before, after = getattr(old, name, None), getattr(new, name, None)
        if before != after:
            label = labels.get(name, name.replace("_", " "))
            label = label if lower else label[:1].upper() + label[1:]
            lines.append(f"{label}: {_value(before)} {ARROW} {_value(after)}")
    return lines


def _others(old: Profile, new: Profile, covered: set[str], appointment: set[str]) -> list[str]:
    """Return a line for any other key that changed, named by its place in the profile."""
    lines = []
    for name in type(new).model_fields:
        if name in covered:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if name == "appointment":
            lines += _fields(before, after, {}, skip=appointment)
        elif isinstance(after, BaseModel) and isinstance(before, BaseModel):
            lines += [
                f"{name.replace('_', ' ').capitalize()}: {line}"
                for line in _fields(before, after, {}, lower=True)
            ]
        elif before != after:
            lines.append(
                f"{name.replace('_', ' ').capitalize()}: {_value(before)} {ARROW} {_value(after)}"
            )
    return lines


def _value(value: Any) -> str:
    """Return a value as a reader writes it: dates in words, numbers with commas."""
    if value is None or value == [] or value == ():
        return NOT_SET
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return "; ".join(_value(v) for v in value)
    if isinstance(value, BaseModel):
        return ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value if v is not None)
    return str(value).replace("_", " ") if str(value).islower() else str(value)


def _shown(show: Callable[[Any], str], value: Any) -> str:
    return (
        NOT_SET
        if value is None and show is not APPOINTMENT["max_consecutive_terms"][1]
        else show(value)
    )


def _payee(profile: Profile) -> str:
    """Return the nominated payee in words: a member practice, or a provider named."""
    network = profile.network
    if network.payee_name is not None and profile.practice(network.nominated_payee) is None:
        return f"{network.payee_name} ({network.nominated_payee}), not a member practice"
    return _practice(profile, network.nominated_payee)


def _practice(profile: Profile, code: str | None) -> str:
    practice = profile.practice(code)
    return f"{practice.name} ({code})" if practice is not None else _value(code)


def _signatory(practice: Practice) -> str:
    who = practice.signatory
    if who is None:
        return NOT_SET
    return f"{who.name}, {who.role}" if who.role else who.name


def _director(director: ClinicalDirector) -> str:
    return f"{director.name} ({director.profession})"


def _kind(lead: Lead) -> str:
    return "clinical" if lead.kind == "clinical" else "non-clinical"


def _workstream(lead: Lead, facts: Facts, year: str) -> str:
    try:
        return workstream_view(lead.workstream, facts, year).title
    except (KeyError, ValueError):
        return str(lead.workstream)
