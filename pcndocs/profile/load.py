"""Loads a profile file into a validated Profile, reporting every problem with its line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pcndocs.errors import Problem, ProblemKind, ProfileError
from pcndocs.profile.codes import is_practice_code
from pcndocs.profile.explain import explain, kind_of
from pcndocs.profile.items import item_at, item_name
from pcndocs.profile.model import REQUIRED, Profile
from pcndocs.profile.yamlfile import KeyPath, YamlDocument, dotted, parse_yaml, read_text

# A file that is not a profile at all can have thousands of problems; the first ones tell.
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class KnownIds:
    """The ids a profile may name that the data files define, not the profile model."""

    workstreams: Collection[str]  # the built-in workstreams (workstreams.yaml)
    funding_streams: Collection[str]  # what may pay a lead (funding.yaml)


@dataclass(frozen=True)
class LoadedProfile:
    """A validated profile, the file it came from with each key's line, and its gaps."""

    profile: Profile
    source: YamlDocument
    gaps: tuple[Problem, ...] = ()  # required values still missing (blank builds only)

    def problem(self, key_path: KeyPath, text: str) -> Problem:
        """Return a warning pointing at a key of this profile."""
        return problem_at(self.source, key_path, text, "warning")


def problem_at(document: YamlDocument, key_path: KeyPath, text: str, kind: ProblemKind) -> Problem:
    """Return a Problem at a key of a profile file: its line, and the item it is in, named."""
    return Problem(
        document.path,
        document.line_of(key_path),
        dotted(key_path),
        text,
        item_at(document.data, key_path),
        kind,
    )


def load_profile(path: Path, known: KnownIds, blank: bool = False) -> LoadedProfile:
    """Return the validated profile in a file, or raise ProfileError listing every problem.

    With blank, missing required values are allowed and listed as gaps instead of errors.
    """
    document = parse_yaml(read_text(path), str(path))
    return validate_profile(document, known, blank)


def validate_draft(document: YamlDocument, known: KnownIds) -> LoadedProfile:
    """Return the validated profile of an older version, which may be a draft.

    A profile whose only problems are values still missing loads as a blank build takes it
    (its gaps are those values), so its documents show their placeholders; any other problem
    is refused as `check` says, with every problem.
    """
    try:
        return validate_profile(document, known)
    except ProfileError as exc:
        try:
            return validate_profile(document, known, blank=True)
        except ProfileError:
            raise exc from None


def validate_profile(document: YamlDocument, known: KnownIds, blank: bool = False) -> LoadedProfile:
    """Return the loaded profile for parsed YAML, or raise ProfileError with every problem."""
    problems: list[Problem] = []
    gaps: list[Problem] = []
    profile: Profile | None = None
    try:
        profile = Profile.model_validate(document.data, context={"blank": False})
    except ValidationError as exc:
        for error in exc.errors():
            found = _problem_from_error(document, error)
            (gaps if blank and found.kind == "missing" else problems).append(found)
    for key_path in _missing_shares(document.data):
        found = problem_at(document, key_path, REQUIRED, "missing")
        (gaps if blank else problems).append(found)
    for key_path, text in _cross_checks(document.data, known):
        problems.append(problem_at(document, key_path, text, "cross-check"))
    for key_path, text in _dates_out_of_range(document.data):
        problems.append(problem_at(document, key_path, text, "value"))
    if blank and gaps and not problems:
        try:
            profile = Profile.model_validate(document.data, context={"blank": True})
        except ValidationError as exc:  # a value no placeholder stands for (a lead's name)
            problems.extend(_problem_from_error(document, error) for error in exc.errors())
    if problems or profile is None:
        unique = list(dict.fromkeys(problems))
        unique.sort(key=lambda p: p.line or 0)
        if len(unique) > MAX_PROBLEMS:
            more = len(unique) - MAX_PROBLEMS
            unique = [
                *unique[:MAX_PROBLEMS],
                Problem(document.path, None, "", f"{more} more problems; fix those above first"),
            ]
        raise ProfileError(unique)
    return LoadedProfile(profile, document, tuple(gaps))


def _problem_from_error(document: YamlDocument, error: ErrorDetails) -> Problem:
    key_path = _in_section(document.data, _real_key_path(document.data, error["loc"]))
    text = explain(error, key_path)
    kind = kind_of(error)
    if key_path and isinstance(document.data, dict) and key_path[0] not in document.data:
        # The whole section is missing: no line of the file holds it, so none is named.
        section = key_path[0]
        text = f"{text}; the file has no {section}: section"
        return Problem(document.path, None, dotted(key_path), text, kind=kind)
    return problem_at(document, key_path, text, kind)


def _in_section(data: Any, loc: KeyPath) -> KeyPath:
    """Return an error's location with its section, which a section left out loses.

    A section the file leaves out is validated from its default, and pydantic then reports
    `method` for `appointment.method`.
    """
    if not loc or not isinstance(loc[0], str) or loc[0] in Profile.model_fields:
        return loc
    for name, field in Profile.model_fields.items():
        model = field.annotation
        section = isinstance(model, type) and issubclass(model, BaseModel)
        absent = not isinstance(data, dict) or name not in data
        if section and absent and loc[0] in getattr(model, "model_fields", {}):
            return (name, *loc)
    return loc


def _real_key_path(data: Any, loc: tuple[int | str, ...]) -> KeyPath:
    """Return the error location with pydantic's union tags removed, using the data's shape."""
    path: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str) and (part in current or last):
            path.append(part)
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int):
            path.append(part)
            current = current[part] if part < len(current) else None
    return tuple(path)


def _code(value: Any) -> str | None:
    return value.strip().upper() if isinstance(value, str) else None


#: The dates a profile may hold: a typo such as 2125 or 225 is caught here, so that `check`
#: and `build` agree and every date fits where the documents put it (a zip holds 1980-2107).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)
_DATE_TEXT = re.compile(r"^\s*(\d{1,5})-(\d{1,2})-(\d{1,2})\s*$")
_BRITISH_DATE_TEXT = re.compile(r"^\s*\d{1,2}/\d{1,2}/(\d{1,5})\s*$")  # 01/04/2026


def _dates_out_of_range(data: Any, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Yield every date (written as a date or as text) outside FIRST_DATE to LAST_DATE."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _dates_out_of_range(value, (*key_path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _dates_out_of_range(value, (*key_path, i))
    else:
        year = data.year if isinstance(data, date) else None
        text = data if isinstance(data, str) else ""
        match = _DATE_TEXT.match(text) or _BRITISH_DATE_TEXT.match(text)
        if match is not None:
            year = int(match.group(1))
        if year is not None and not FIRST_DATE.year <= year <= LAST_DATE.year:
            span = f"{FIRST_DATE.year} to {LAST_DATE.year}"
            yield key_path, f"expected a date from {span}, got {str(data).strip()}"


def _cross_checks(data: dict[str, Any], known: KnownIds) -> Iterator[tuple[KeyPath, str]]:
    """Yield the problems in how the parts of a profile refer to each other."""
    raw_practices = data.get("practices")
    practices: list[Any] = raw_practices if isinstance(raw_practices, list) else []
    members = _member_codes(practices)
    yield from _listed_twice(practices, members)
    network = data.get("network")
    if isinstance(network, dict):
        yield from _payee(network, members)
    directors = data.get("clinical_directors")
    if isinstance(directors, list):
        yield from _director_checks(directors, members)
    leads = data.get("leads")
    if isinstance(leads, list):
        yield from _lead_checks(leads, members, known)


def _member_codes(practices: list[Any]) -> dict[str, int]:
    """Return each well-formed ODS code of the practices, with the first practice that has it."""
    members: dict[str, int] = {}
    for i, practice in enumerate(practices):
        if isinstance(practice, dict):
            code = _code(practice.get("ods_code"))
            if code and is_practice_code(code):
                members.setdefault(code, i)
    return members


def _listed_twice(practices: list[Any], members: dict[str, int]) -> Iterator[tuple[KeyPath, str]]:
    """Yield each practice whose ODS code an earlier practice has."""
    for i, practice in enumerate(practices):
        if not isinstance(practice, dict):
            continue
        code = _code(practice.get("ods_code"))
        if code in members and members[code] != i:
            first = members[code]
            yield (
                ("practices", i, "ods_code"),
                f"{code} is listed twice, also for "
                + item_name("practices", first, practices[first].get("name")),
            )


def _member(
    key_path: KeyPath, value: Any, what: str, members: dict[str, int]
) -> Iterator[tuple[KeyPath, str]]:
    """Yield a problem where an ODS code is not one of the member practices'."""
    code = _code(value)
    if code and is_practice_code(code) and members and code not in members:
        yield key_path, f"{what} must be a member practice ({_some(members)}), got '{value}'"


def _director_checks(
    directors: list[Any], members: dict[str, int]
) -> Iterator[tuple[KeyPath, str]]:
    """Yield the directors' practices that are not members, and funded shares that do not fit."""
    shares: dict[int, float] = {}
    for i, director in enumerate(directors):
        if isinstance(director, dict):
            yield from _member(
                ("clinical_directors", i, "practice"),
                director.get("practice"),
                "the practice",
                members,
            )
            share = director.get("funded_share")
            if isinstance(share, int | float) and not isinstance(share, bool):
                shares[i] = float(share)
    if shares and len(shares) == len(directors) and abs(sum(shares.values()) - 1) > 0.001:
        yield (
            ("clinical_directors",),
            "funded_share must be given for every director and add up to 1, "
            f"got {' + '.join(f'{s:g}' for s in shares.values())}",
        )


def _lead_checks(
    leads: list[Any], members: dict[str, int], known: KnownIds
) -> Iterator[tuple[KeyPath, str]]:
    """Yield the leads' practices that are not members, and unknown workstreams and streams."""
    for i, lead in enumerate(leads):
        if not isinstance(lead, dict):
            continue
        yield from _member(("leads", i, "practice"), lead.get("practice"), "the practice", members)
        workstream = lead.get("workstream")
        if isinstance(workstream, str) and workstream.strip() not in known.workstreams:
            hint = _did_you_mean(workstream, known.workstreams) or (
                "; give a built-in id or a custom one as {id:, title:, summary:}"
            )
            yield ("leads", i, "workstream"), f"unknown workstream '{workstream}'{hint}"
        stream = lead.get("funding_stream")
        if isinstance(stream, str) and stream.strip() not in known.funding_streams:
            hint = _did_you_mean(stream, known.funding_streams) or (
                f"; known funding streams: {', '.join(known.funding_streams)}"
            )
            yield ("leads", i, "funding_stream"), f"unknown funding stream '{stream}'{hint}"


def _some(codes: Iterable[str], shown: int = 8) -> str:
    """Return codes for a message, the first few: one line even for 200 practices."""
    listed = list(codes)
    more = f", and {len(listed) - shown} more" if len(listed) > shown else ""
    return ", ".join(listed[:shown]) + more


def _missing_shares(data: Any) -> Iterator[KeyPath]:
    """Yield each joint director's funded_share left out where another director's is given.

    Once one director's share is given, every director's is needed: a director without one
    (such as one just added) is a value still to fill in, as in a draft.
    """
    directors = data.get("clinical_directors") if isinstance(data, dict) else None
    if not isinstance(directors, list):
        return
    shares = [
        director.get("funded_share") if isinstance(director, dict) else None
        for director in directors
    ]
    if any(isinstance(s, int | float) and not isinstance(s, bool) for s in shares):
        for i, share in enumerate(shares):
            if share is None:
                yield ("clinical_directors", i, "funded_share")


def _payee(network: dict[str, Any], members: dict[str, int]) -> Iterator[tuple[KeyPath, str]]:
    """Yield the problems of the nominated payee: a member practice, or a provider named."""
    value = network.get("nominated_payee")
    code = _code(value)
    if not code or not members:
        return
    if network.get("payee_name") is None and code not in members:
        yield (
            ("network", "nominated_payee"),
            f"the nominated payee must be a member practice ({_some(members)}), got "
            f"'{value}'; for another provider, give its name as payee_name",
        )
    elif network.get("payee_name") is not None and code in members:
        yield (
            ("network", "payee_name"),
            f"is for a payee that is not a member practice, but {code} is one; leave payee_name "
            "out",
        )


def _did_you_mean(given: str, known: Collection[str]) -> str:
    """Return "; did you mean 'x'?" for the known id closest to a mistyped one, or ''."""
    close = difflib.get_close_matches(given.strip(), list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
