"""The questions `pcndocs new` asks, and the commented profile written from the answers.

Nothing here talks to the terminal: questions go through an `Ask` callable and notes
through a `Say` callable, so the whole conversation can be driven from a test. Each
answer is checked as it is typed with the profile model's own rules.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar, cast, get_args

from annotated_types import MaxLen
from pydantic import BaseModel, TypeAdapter, ValidationError

from pcndocs import years
from pcndocs.errors import PcndocsError
from pcndocs.facts import Facts, Workstream
from pcndocs.files import write_atomically
from pcndocs.funding import funded_sessions
from pcndocs.profile.explain import explain
from pcndocs.profile.model import (
    Appointment,
    ClinicalDirector,
    Lead,
    Method,
    Network,
    Practice,
    Profile,
    british_date,
)
from pcndocs.profile.write import description, profile_data, profile_yaml
from pcndocs.profile.write import number_text as _number_text

T = TypeVar("T")
Say = Callable[[str], None]
Read = Callable[[str], str | None]  # returns None at the end of the input
Kind = Literal["clinical", "non_clinical"]

METHODS: tuple[str, ...] = get_args(Method)
KINDS: tuple[str, ...] = get_args(Lead.model_fields["kind"].annotation)
MAX_DIRECTORS = next(
    m.max_length
    for m in Profile.model_fields["clinical_directors"].metadata
    if isinstance(m, MaxLen)
)


class Ask(Protocol):
    """Asks one question until `convert` accepts the answer, and returns what it made of it.

    A blank answer takes `default`; a default of "" lets the question be left blank
    (then `convert` gets ""), and no default makes an answer required.
    """

    def __call__(
        self, question: str, convert: Callable[[str], T], default: str | None = None
    ) -> T: ...


class Described(Generic[T]):
    """A conversion of an answer, with the help `?` shows: the key's description."""

    def __init__(self, convert: Callable[[str], T], help_text: str) -> None:
        self.convert = convert
        self.help_text = help_text

    def __call__(self, text: str) -> T:
        return self.convert(text)


def help_of(convert: object) -> str:
    """Return the help of a conversion, or a general word where it has none."""
    if isinstance(convert, Described) and convert.help_text:
        return convert.help_text
    return "answer in your own words; a value in [brackets] is taken if you press Enter"


class InputEndedError(PcndocsError):
    """The input ended while a question that needs an answer was still open."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question

    def message(self) -> str:
        return f"the input ended before '{self.question}' was answered; nothing was written"


class LineAsker:
    """An `Ask` over a line reader: says why an answer is wrong, then asks again.

    Once the input has ended, every later question takes its default (a loop that a
    blank answer ends, ends); a question with no default raises InputEndedError.
    """

    def __init__(self, read: Read, say: Say) -> None:
        self.read = read
        self.say = say
        self.ended = False

    def __call__(self, question: str, convert: Callable[[str], T], default: str | None = None) -> T:
        prompt = f"{question} [{default}]: " if default else f"{question}: "
        while True:
            answer = None if self.ended else self.read(prompt)
            if answer is None:
                self.ended = True
            if (answer or "").strip() == "?":
                self.say(f"  {help_of(convert)}")
                continue
            text = (answer or "").strip() or (default or "")
            if not text and default is None:
                if self.ended:
                    raise InputEndedError(question)
                self.say("  an answer is needed")
                continue
            try:
                return convert(text)
            except ValueError as exc:
                if self.ended:
                    raise InputEndedError(question) from None
                self.say(f"  {exc}")


# --- checking one answer --------------------------------------------------------------


def _field(model: type[BaseModel], name: str) -> Callable[[Any], Any]:
    """Return a check of one value against the rules of one field of a profile model."""
    adapter: TypeAdapter[Any] = TypeAdapter(model.model_fields[name].rebuild_annotation())

    def check(value: Any) -> Any:
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            raise ValueError(explain(exc.errors()[0])) from None

    return check


def _text(model: type[BaseModel], name: str) -> Callable[[str], str]:
    check = _field(model, name)
    return Described(lambda text: cast(str, check(text)), description(model, name))


def _optional(convert: Callable[[str], T]) -> Callable[[str], T | None]:
    """Return a conversion that makes a blank answer None."""

    def optional(text: str) -> T | None:
        return convert(text) if text.strip() else None

    return Described(optional, help_of(convert) if isinstance(convert, Described) else "")


_WHOLE = re.compile(r"^[0-9]+$")
_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def _whole(model: type[BaseModel], name: str) -> Callable[[str], int]:
    """Return a conversion of a whole number (commas allowed: 12,450) checked by a field."""
    check = _field(model, name)

    def convert(text: str) -> int:
        clean = text.replace(",", "").strip()
        if not _WHOLE.match(clean):
            raise ValueError(f"expected a whole number, got '{text}'")
        return cast(int, check(int(clean)))

    return Described(convert, description(model, name))


def _decimal(model: type[BaseModel], name: str) -> Callable[[str], float]:
    """Return a conversion of a number such as 2.5 or £350, checked by a field."""
    check = _field(model, name)

    def convert(text: str) -> float:
        clean = text.replace(",", "").strip().removeprefix("£").strip()
        if not _DECIMAL.match(clean):
            raise ValueError(f"expected a number such as 2 or 2.5, got '{text}'")
        return cast(float, check(float(clean)))

    return Described(convert, description(model, name))


def _date(text: str) -> date:
    """Return a date written 2026-04-01 or, as people in England write it, 01/04/2026."""
    british = british_date(text)
    if british is not None:
        return british
    if not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text):
        raise ValueError(f"expected a date such as 01/04/2026 or 2026-04-01, got '{text}'")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date that exists, got '{text}'") from None


def _word(text: str) -> str:
    """Return an answer folded to a key word: 'Non-clinical' -> 'non_clinical'."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    """Return a conversion to one of a few words, by the word or by its number."""

    def convert(text: str) -> str:
        word = _word(text)
        if word.isdigit() and 1 <= int(word) <= len(options):
            return options[int(word) - 1]
        if word in options:
            return word
        numbered = ", ".join(f"{i} {o}" for i, o in enumerate(options, start=1))
        close = difflib.get_close_matches(word, options, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"expected one of: {numbered}; got '{text}'{hint}")

    return convert


def contract_year_now(today: date) -> str:
    """Return the contract year a date falls in: a year starts on 1 April."""
    return str(years.containing(today))


def _contract_year(text: str) -> str:
    wrong = years.problem(text)
    if wrong:
        raise ValueError(wrong)
    return text.strip()


def _practice_name(practices: Sequence[Practice]) -> Callable[[str], str]:
    check = _text(Practice, "name")

    def convert(text: str) -> str:
        name = check(text)
        folded = " ".join(name.lower().split())
        if any(" ".join((p.name or "").lower().split()) == folded for p in practices):
            raise ValueError(f"a practice called '{name}' is already entered")
        return name

    return convert


def _new_ods_code(practices: Sequence[Practice]) -> Callable[[str], str]:
    check = _text(Practice, "ods_code")

    def convert(text: str) -> str:
        code = check(text)
        twin = next((p for p in practices if p.ods_code == code), None)
        if twin is not None:
            raise ValueError(f"{code} is already given for {twin.name}; each practice has its own")
        return code

    return convert


def _member(practices: Sequence[Practice]) -> Callable[[str], str]:
    """Return a conversion to the ODS code of an entered practice, given its code or number."""

    def convert(text: str) -> str:
        answer = text.strip().upper()
        if answer.isdigit() and 1 <= int(answer) <= len(practices):
            return practices[int(answer) - 1].ods_code or answer
        if any(p.ods_code == answer for p in practices):
            return answer
        codes = ", ".join(p.ods_code or "" for p in practices)
        raise ValueError(f"expected a practice entered above ({codes}) or its number, got '{text}'")

    return convert


def _workstream(workstreams: Sequence[Workstream]) -> Callable[[str], Workstream]:
    def convert(text: str) -> Workstream:
        word = _word(text)
        if word.isdigit() and 1 <= int(word) <= len(workstreams):
            return workstreams[int(word) - 1]
        found = next((w for w in workstreams if w.id == word), None)
        if found is not None:
            return found
        close = difflib.get_close_matches(word, [w.id for w in workstreams], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"unknown workstream '{text}': give a number from 1 to {len(workstreams)} "
            f"or an id from the list{hint}"
        )

    return convert


# --- the questions --------------------------------------------------------------------


def _suggested_sessions(left: float) -> str:
    """Return the funded time left, rounded down to a quarter session, so it stays within it.

    Nothing is suggested when less than a quarter session is left: the answer is needed.
    """
    quarters = math.floor(min(left, 9.0) * 4 + 1e-9) / 4
    return _number_text(quarters) if quarters >= 0.25 else ""


def ask_profile(ask: Ask, say: Say, facts: Facts, today: date) -> Profile:
    """Return the profile of a new network, built from the answers to the questions."""
    say("Describe the network. A value in [brackets] is taken if you press Enter.")
    name = ask("Network name", _text(Network, "name"))
    code = ask("PCN code, U and five digits (blank to skip)", _optional(_text(Network, "code")), "")
    commissioner = ask(
        "Commissioner, such as NHS Example Integrated Care Board (blank to skip)",
        _optional(_text(Network, "commissioner")),
        "",
    )
    year = ask(
        f"Contract year (pcndocs holds national figures up to {facts.funding.latest})",
        _contract_year,
        contract_year_now(today),
    )
    population_date = ask(
        "Date the practices' list sizes refer to (01/01/2026 or 2026-01-01)",
        _date,
        facts.funding_year(year).population_date.isoformat(),
    )
    practices = _ask_practices(ask, say)
    say("The practices:")
    for i, practice in enumerate(practices, start=1):
        say(f"  {i}. {practice.ods_code}  {practice.name}")
    payee = ask(
        "Nominated payee, the practice that receives the funding (ODS code or number)",
        _member(practices),
        practices[0].ods_code,
    )
    directors = _ask_directors(ask, say, facts, practices)
    method = ask(f"Appointment method ({', '.join(METHODS)})", _choice(METHODS))
    term = ask("Term of office in years", _whole(Appointment, "term_years"), "3")
    leads = _ask_leads(ask, say, facts, practices, year)
    return Profile(
        network=Network(
            name=name,
            code=code,
            commissioner=commissioner,
            population_date=population_date,
            nominated_payee=payee,
        ),
        contract_year=year,
        practices=practices,
        clinical_directors=directors,
        appointment=Appointment(method=cast(Method, method), term_years=term),
        leads=leads,
    )


def _ask_practices(ask: Ask, say: Say) -> list[Practice]:
    say("The member practices, one by one; leave the name blank when all are entered.")
    practices: list[Practice] = []
    while True:
        n = len(practices) + 1
        if practices:
            name = ask(f"Practice {n}: name", _optional(_practice_name(practices)), "")
            if name is None:
                return practices
        else:
            name = ask("Practice 1: name", _practice_name(practices))
        code = ask(f"Practice {n}: ODS code, a letter and five digits", _new_ods_code(practices))
        size = ask(f"Practice {n}: registered patients", _whole(Practice, "list_size"))
        practices.append(Practice(name=name, ods_code=code, list_size=size))


def _ask_directors(
    ask: Ask, say: Say, facts: Facts, practices: Sequence[Practice]
) -> list[ClinicalDirector]:
    funded = funded_sessions(sum(p.list_size or 0 for p in practices), facts)
    basis = facts.funding.cd_basis
    say(
        f"The clinical director. The network is funded for {funded:.2f} sessions a week "
        f"({basis.wte} WTE per {basis.per_registered_patients:,} patients); up to "
        f"{MAX_DIRECTORS} directors may share the role."
    )
    directors: list[ClinicalDirector] = []
    while len(directors) < MAX_DIRECTORS:
        n = len(directors) + 1
        if directors:
            name = ask(
                f"Director {n}, sharing the role: name (blank for none)",
                _optional(_text(ClinicalDirector, "name")),
                "",
            )
            if name is None:
                break
        else:
            name = ask("Director 1: name", _text(ClinicalDirector, "name"))
        profession = ask(f"Director {n}: profession", _text(ClinicalDirector, "profession"), "GP")
        practice = ask(
            f"Director {n}: practice (ODS code or number)",
            _member(practices),
            practices[0].ods_code,
        )
        left = funded - sum(d.sessions_per_week or 0 for d in directors)
        sessions = ask(
            f"Director {n}: sessions a week (funded: {max(left, 0):.2f})",
            _decimal(ClinicalDirector, "sessions_per_week"),
            _suggested_sessions(left) or None,
        )
        directors.append(
            ClinicalDirector(
                name=name, profession=profession, practice=practice, sessions_per_week=sessions
            )
        )
    return directors


def _ask_leads(
    ask: Ask, say: Say, facts: Facts, practices: Sequence[Practice], year: str
) -> list[Lead]:
    workstreams = facts.workstreams_in(year)
    say(f"Leads: each takes on one workstream. The built-in workstreams of {year}:")
    width = max(len(w.id) for w in workstreams)
    for i, item in enumerate(workstreams, start=1):
        say(f"  {i:>2}. {item.id:<{width}}  {item.title}")
    say("Leave the workstream blank when all the leads are entered.")
    leads: list[Lead] = []
    while True:
        n = len(leads) + 1
        workstream = ask(
            f"Lead {n}: workstream (number or id)", _optional(_workstream(workstreams)), ""
        )
        if workstream is None:
            return leads
        name = ask(f"Lead {n}: name", _text(Lead, "name"))
        kind = ask(
            f"Lead {n}: kind ({', '.join(KINDS)})",
            _choice(KINDS),
            "clinical" if workstream.clinical else "non_clinical",
        )
        practice = ask(
            f"Lead {n}: practice (ODS code or number; blank for none)",
            _optional(_member(practices)),
            "",
        )
        sessions = ask(f"Lead {n}: sessions a month", _decimal(Lead, "sessions_per_month"), "2")
        rate = ask(f"Lead {n}: pounds paid per session", _decimal(Lead, "session_rate"))
        leads.append(
            Lead(
                name=name,
                kind=cast(Kind, kind),
                workstream=workstream.id,
                practice=practice,
                sessions_per_month=sessions,
                session_rate=rate,
                # With no practice to pay for the lead's time, the lead is paid directly.
                reimbursed_to="practice" if practice else "individual",
            )
        )


# --- writing the profile --------------------------------------------------------------


def profile_text(profile: Profile, facts: Facts, file_name: str, today: date) -> str:
    """Return the profile as hand-written YAML, with a comment that explains each key."""
    shown = file_name if file_name.isprintable() and file_name else "this-file.yaml"
    years = list(facts.funding.years)
    funded = funded_sessions(profile.population, facts)
    notes = {
        "contract_year": f"selects the national funding rates ({years[0]} to {years[-1]})",
        "clinical_directors": f"one, or up to {MAX_DIRECTORS} sharing",
        "clinical_directors[0].sessions_per_week": f"agreed; funded: {funded:.2f}",
        "leads": "each takes on one workstream"
        if profile.leads
        else "none yet; profiles/example.yaml shows some",
    }
    for i, lead in enumerate(profile.leads):
        notes[f"leads[{i}].workstream"] = facts.workstream(lead.workstream_id).title
    hints = {
        "network.code": "U00000",
        "network.commissioner": "NHS ...",
        "network.area": "...",
        "practices[0].signatory": "{name: ..., role: ...}",
        "clinical_directors[0].start_date": "YYYY-MM-DD",
        "document_control": "{author: ..., approved_by: ..., review_date: YYYY-MM-DD}",
    }
    header = [
        f"A network profile for pcndocs, written by `pcndocs new` on {today.isoformat()}.",
        f"Check it with:  pcndocs check {shown}",
        f"Build it with:  pcndocs build {shown}",
        "`pcndocs schema` describes every key; profiles/example.yaml shows the optional ones.",
    ]
    return profile_yaml(profile_data(profile), header, notes, hints)


def refuse_to_replace(path: Path, force: bool) -> None:
    """Raise a user's error if a profile would replace a file, unless forced."""
    if path.exists() and not force:
        raise PcndocsError(f"{path} already exists; give another name or add --force")
    if path.exists() and not path.is_file():  # asked before the questions, not after
        raise PcndocsError(f"{path} is not a file (a device or a pipe); give another name")


def write_new_profile(path: Path, profile: Profile, facts: Facts, today: date) -> None:
    """Write the profile `pcndocs new` made, commented, to path (atomically)."""
    write_atomically(path, profile_text(profile, facts, path.name, today).encode("utf-8"))
