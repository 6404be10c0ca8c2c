"""Turns a typed answer into a profile's value, checked by the profile model's own rules.

Each conversion takes the text typed and returns the value, or raises ValueError with the
reason in plain words (the same words `pcndocs check` uses for the same value in a file).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any, Final, Literal, TypeVar, cast

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from pcndocs import years
from pcndocs.new.prompt import Described, help_of
from pcndocs.profile.explain import explain
from pcndocs.profile.load import FIRST_DATE, LAST_DATE
from pcndocs.profile.model import (
    CustomWorkstream,
    Network,
    Practice,
    british_date,
    choice_word,
    not_a_number,
    peoples_number,
)
from pcndocs.profile.write import description
from pcndocs.rules.facts import Workstream

T = TypeVar("T")


def field_check(model: type[BaseModel], name: str) -> Callable[[Any], Any]:
    """Return a check of one value against the rules of one field of a profile model."""
    adapter: TypeAdapter[Any] = TypeAdapter(model.model_fields[name].rebuild_annotation())

    def check(value: Any) -> Any:
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            raise ValueError(explain(exc.errors()[0])) from None

    return check


def text(model: type[BaseModel], name: str) -> Callable[[str], str]:
    """Return a conversion of text checked by one field of a profile model (a name, a code)."""
    check = field_check(model, name)
    return Described(lambda text: cast(str, check(text)), description(model, name))


def about(convert: Callable[[str], T], model: type[BaseModel], name: str) -> Described[T]:
    """Return a conversion with the help `?` shows: the description of the key it fills."""
    return Described(convert, description(model, name))


def optional(convert: Callable[[str], T]) -> Callable[[str], T | None]:
    """Return a conversion that makes a blank answer None."""

    def optional(text: str) -> T | None:
        return convert(text) if text.strip() else None

    return Described(optional, help_of(convert) if isinstance(convert, Described) else "")


def whole(model: type[BaseModel], name: str) -> Callable[[str], int]:
    """Return a conversion of a whole number as a file takes it (12,450), checked by a field."""
    check = field_check(model, name)

    def convert(text: str) -> int:
        number = peoples_number(text)
        if number is None or not float(number).is_integer():
            raise ValueError(not_a_number("a whole number", text))
        return cast(int, check(int(number)))  # 12450.0 is 12450, as in a file

    return Described(convert, description(model, name))


def decimal(model: type[BaseModel], name: str) -> Callable[[str], float]:
    """Return a conversion of a number as a file takes it (2.5, £350), checked by a field."""
    check = field_check(model, name)

    def convert(text: str) -> float:
        number = peoples_number(text)
        if number is None:
            raise ValueError(not_a_number("a number such as 2 or 2.5", text))
        return cast(float, check(float(number)))

    return Described(convert, description(model, name))


def session_pay(model: type[BaseModel], name: str) -> Callable[[str], float | None]:
    """Return a conversion of the pounds paid a session, blank to give a yearly sum instead.

    A sum too large for a session is most likely a yearly one: the message says where it goes.
    """
    convert = decimal(model, name)

    def session_pay(text: str) -> float | None:
        if not text.strip():
            return None
        try:
            return convert(text)
        except ValueError as exc:
            if peoples_number(text) is None:
                raise
            raise ValueError(
                f"{exc}; for a yearly sum, leave this blank and give it at the next question"
            ) from None

    return Described(
        session_pay,
        f"{description(model, name)}; leave it blank to give a yearly sum instead, "
        "or if the pay is still to be agreed",
    )


# A date as a file takes one: 2026-04-01.
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def date_answer(text: str) -> date:
    """Return a date written as a file takes it: 2026-04-01 or, as in England, 01/04/2026."""
    when = british_date(text)
    if when is None:
        match = _ISO_DATE.match(text.strip())
        if match is None:
            raise ValueError(f"expected a date such as 01/04/2026 or 2026-04-01, got '{text}'")
        try:
            when = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueError(f"expected a date that exists, got '{text}'") from None
    if not FIRST_DATE <= when <= LAST_DATE:
        span = f"{FIRST_DATE.year} to {LAST_DATE.year}"
        raise ValueError(f"expected a date from {span}, got {text.strip()}")
    return when


def choice(options: Sequence[str]) -> Callable[[str], str]:
    """Return a conversion to one of a few words, by the word or by its number."""

    def convert(text: str) -> str:
        word = choice_word(text)
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


contract_year = years.checked


def practice_name(practices: Sequence[Practice]) -> Callable[[str], str]:
    """Return a conversion to the name of a practice not yet entered."""
    check = text(Practice, "name")

    def convert(text: str) -> str:
        name = check(text)
        if any(_folded(p.name or "") == _folded(name) for p in practices):
            raise ValueError(f"a practice called '{name}' is already entered")
        return name

    return Described(convert, description(Practice, "name"))


def new_ods_code(practices: Sequence[Practice]) -> Callable[[str], str]:
    """Return a conversion to an ODS code no practice entered has."""
    check = text(Practice, "ods_code")

    def convert(text: str) -> str:
        code = check(text)
        twin = next((p for p in practices if p.ods_code == code), None)
        if twin is not None:
            raise ValueError(f"{code} is already given for {twin.name}; each practice has its own")
        return code

    return Described(convert, description(Practice, "ods_code"))


def member(practices: Sequence[Practice]) -> Callable[[str], str]:
    """Return a conversion to the ODS code of an entered practice: its code, number or name."""

    def convert(text: str) -> str:
        answer = text.strip().upper()
        if answer.isdigit() and 1 <= int(answer) <= len(practices):
            return practices[int(answer) - 1].ods_code or answer
        if any(p.ods_code == answer for p in practices):
            return answer
        words = _folded(text)
        named = [p for p in practices if words and words in _folded(p.name or "")]
        if len(named) == 1 and named[0].ods_code:
            return named[0].ods_code
        if len(named) > 1:
            numbers = ", ".join(str(practices.index(p) + 1) for p in named)
            raise ValueError(
                f"'{text.strip()}' is in the names of {len(named)} practices ({numbers}); "
                "give the number or the code of one"
            )
        codes = ", ".join(p.ods_code or "" for p in practices)
        names = {_folded(p.name or ""): p for p in practices}
        close = difflib.get_close_matches(words, list(names), n=1, cutoff=0.6)
        hint = (
            f"; did you mean {names[close[0]].ods_code} ({names[close[0]].name})?" if close else ""
        )
        raise ValueError(
            f"expected a practice entered above ({codes}), its number or its name, "
            f"got '{text}'{hint}"
        )

    return Described(convert, "the practice's ODS code, its number in the list above, or its name")


# The answer to the nominated payee that names a provider which is not a member practice.
OTHER: Final = "other"


def payee(practices: Sequence[Practice]) -> Callable[[str], str]:
    """Return a conversion to the nominated payee: a member practice (its code, number or
    name); OTHER for another provider, whose code is asked next; or 'other CODE' for another
    provider with its code (how `new --from` answers for a profile that has one).
    """
    as_member = member(practices)
    as_provider = provider_code(practices)

    def convert(text: str) -> str:
        first, _, rest = text.strip().partition(" ")
        if choice_word(first) == OTHER:
            return as_provider(rest) if rest.strip() else OTHER
        try:
            return as_member(text)
        except ValueError as not_member:
            raise ValueError(
                f"{not_member}; for a provider that is not a member practice, type {OTHER}"
            ) from None

    return Described(
        convert,
        "a member practice's ODS code, its number in the list above or its name; or "
        f"{OTHER} for a provider that is not a member practice, such as a GP federation",
    )


def provider_code(practices: Sequence[Practice]) -> Callable[[str], str]:
    """Return a conversion to the ODS code of a payee that is not a member practice."""
    check = text(Network, "nominated_payee")

    def convert(text: str) -> str:
        code = check(text)
        twin = next((p for p in practices if p.ods_code == code), None)
        if twin is not None:
            raise ValueError(
                f"{code} is {twin.name}, a member practice; go back (<) and choose it there"
            )
        return code

    return Described(
        convert,
        "the provider's ODS code: three to six letters and digits, such as a federation's",
    )


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


# The answer to a lead's workstream that adds a workstream of the network's own.
LOCAL: Final = "local"


def workstream_choice(
    workstreams: Sequence[Workstream | CustomWorkstream],
) -> Callable[[str], Workstream | CustomWorkstream | Literal["local"]]:
    """Return a conversion to a workstream, by its number or id, or LOCAL for a new one.

    A local workstream written as in a file ({id: ..., title: ..., summary: ...}) is taken
    as it is: that is how `new --from` keeps one a profile already has.
    """

    def convert(text: str) -> Workstream | CustomWorkstream | Literal["local"]:
        if text.strip().startswith("{"):
            return _local_workstream(text)
        word = choice_word(text)
        if word in (LOCAL, "new"):
            return LOCAL
        if word.isdigit() and 1 <= int(word) <= len(workstreams):
            return workstreams[int(word) - 1]
        found = next((w for w in workstreams if w.id == word), None)
        if found is not None:
            return found
        close = difflib.get_close_matches(word, [w.id for w in workstreams], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"unknown workstream '{text}': give a number from 1 to {len(workstreams)} "
            f"or an id from the list, or {LOCAL} to add your own{hint}"
        )

    return Described(
        convert,
        f"the number or id of a workstream listed above, or {LOCAL} to add one of the "
        "network's own (an id, a title, a sentence on what it covers, clinical or not)",
    )


def _local_workstream(text: str) -> CustomWorkstream:
    try:
        data = yaml.safe_load(text)
        return CustomWorkstream.model_validate(data)
    except yaml.YAMLError:
        raise ValueError(
            f"expected a workstream as {{id:, title:, summary:}}, got '{text}'"
        ) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ValueError(f"workstream {where}: {explain(error)}") from None


def local_workstream_id(taken: Collection[str]) -> Callable[[str], str]:
    """Return a conversion to the id of a new local workstream, unlike any other's."""
    check = field_check(CustomWorkstream, "id")

    def convert(text: str) -> str:
        word = choice_word(text)
        if word in taken:
            raise ValueError(
                f"'{word}' is already a workstream; choose it by its number, or give another id"
            )
        try:
            return cast(str, check(word))
        except ValueError:
            raise ValueError(
                "expected a short id of lower-case letters, digits and _, starting with a "
                f"letter, such as frailty; got '{text}'"
            ) from None

    return Described(convert, description(CustomWorkstream, "id"))
