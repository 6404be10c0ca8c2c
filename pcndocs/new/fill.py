"""`pcndocs new --from PROFILE`: asks only what a profile lacks or has wrong, keeps the rest.

The questions are those of a new network (questions.py). Each one whose key the profile
already answers rightly is answered from it without a word; a value that is wrong is said,
with its line, and asked; an optional value the profile leaves out is not asked. A list the
profile has (its practices, say) gets no new items; a list it lacks is asked whole. Every
value the profile had that no question asked for is kept as it was.
"""

from __future__ import annotations

import copy
import itertools
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from pydantic import BaseModel

from pcndocs.new.answers import OTHER
from pcndocs.new.prompt import Known, KnownValues
from pcndocs.profile.explain import models_in
from pcndocs.profile.items import item_at
from pcndocs.profile.model import Needed, Profile
from pcndocs.profile.write import TO_FILL, number_text, profile_data
from pcndocs.profile.yamlfile import KeyPath, YamlDocument, dotted

_ABSENT = object()
PAYEE: KeyPath = ("network", "nominated_payee")


@dataclass(frozen=True)
class PartialProfile:
    """A profile to fill in: its text, and its data with the line of each key."""

    text: str
    document: YamlDocument

    def header(self) -> list[str]:
        """Return the comment lines at the top of the profile, without their '#'."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line[1:].strip())
        return lines

    def comments(self, asked: Iterable[KeyPath]) -> dict[str, str]:
        """Return the comment beside each key, by key, for the keys kept as they were.

        A key asked gets its comment afresh, and so does one marked as still to fill in.
        """
        lines = self.text.splitlines()
        fresh = set(asked)
        found: dict[str, str] = {}
        for key, number in self.document.lines.items():
            comment = _comment(lines[number - 1]) if 0 < number <= len(lines) else ""
            if key and key not in fresh and comment and not comment.startswith(TO_FILL):
                found[dotted(key)] = comment
        return found


def _comment(line: str) -> str:
    """Return the comment at the end of a line of YAML ('' if none), outside any quotes."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and (i == 0 or line[i - 1] in " :-[{,"):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


# Keys asked again when the profile marks them "check:": an imported profile's contract year
# follows the old national list sizes, not the year being agreed.
RECHECKED: tuple[KeyPath, ...] = (("contract_year",),)
# Keys asked even where the profile leaves them out: a finished build needs them.
ASKED_WHEN_ABSENT: tuple[KeyPath, ...] = (
    ("document_control", "review_date"),
    ("funding", "core_pcn_funding"),
)


def known_values(document: YamlDocument, text: str = "") -> KnownValues:
    """Return what a profile says for each question's key, as the asker needs it.

    text is the profile's own text: a key in RECHECKED whose comment there starts with
    "check:" is asked again, as for a new network.
    """
    lines = text.splitlines()
    rechecked = {
        key
        for key in RECHECKED
        if (number := document.line_of(key))
        and 0 < number <= len(lines)
        and _comment(lines[number - 1]).startswith("check:")
    }

    def known(key: KeyPath) -> Known | None:
        if _in_new_list(document.data, key):
            return None  # an item of a list the profile lacks: asked as for a new network
        line = document.line_of(key)
        where = f"{document.path}:{line}: {dotted(key)}" if line else dotted(key)
        item = item_at(document.data, key)  # as `check` names it
        where = f"{where}: {item}" if item else where
        if key in rechecked:
            return Known(None, where)
        value = _at(document.data, key)
        if value is _ABSENT and _paid_through_a_practice(document.data, key):
            return Known(None, where)  # the lead's practice is paid, so it is needed
        if value is _ABSENT:
            skip = key not in ASKED_WHEN_ABSENT and (
                _beyond_a_list(document.data, key) or not _required(key)
            )
            return Known(None, where, skip=skip)
        if value is None:
            return Known(None, where)
        if key == PAYEE and _provider_named(document.data):
            return Known(f"{OTHER} {_as_typed(value)}", where)  # the payee's answer for it
        return Known(_as_typed(value), where)

    return known


def filled_data(document: YamlDocument, answered: Profile, asked: Iterable[KeyPath]) -> Any:
    """Return the profile's data with the answers put in, everything else as it was."""
    answers = profile_data(answered)
    asked = list(asked)
    data = copy.deepcopy(document.data) if isinstance(document.data, dict) else {}
    for section in ("practices", "clinical_directors", "leads"):
        if not _has_items(data, section):  # a list the profile lacked is asked whole
            data[section] = answers.get(section, [])
    # Who is paid for a lead's time follows the answer on the lead's practice.
    paid = [
        (*key[:2], "reimbursed_to")
        for key in asked
        if key[0] == "leads" and key[2:] == ("practice",)
    ]
    for key in sorted([*asked, *paid], key=len):
        value = _at(answers, key)
        if value is not _ABSENT and not _in_new_list(document.data, key):
            _put(data, key, value)
    network = data.get("network")
    payee_asked = PAYEE in asked
    if payee_asked and answered.network.payee_name is None and isinstance(network, dict):
        network.pop("payee_name", None)  # the payee answered is a member practice
    return data


def _at(data: Any, key: KeyPath) -> Any:
    """Return the value at a key path in plain data, or _ABSENT."""
    for part in key:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        in_mapping = isinstance(part, str) and isinstance(data, dict) and part in data
        if not (in_list or in_mapping):
            return _ABSENT
        data = data[part]
    return data


def _put(data: dict[str, Any], key: KeyPath, value: Any) -> None:
    """Set the value at a key path, making mappings on the way where there are none."""
    here: Any = data
    for part, after in itertools.pairwise(key):
        if isinstance(part, int) and not (isinstance(here, list) and 0 <= part < len(here)):
            return  # not an item of the profile's: its answers came whole
        if isinstance(part, str) and not isinstance(here, dict):
            return
        if not isinstance(here[part] if isinstance(part, int) else here.get(part), dict | list):
            here[part] = [] if isinstance(after, int) else {}
        here = here[part]
    if isinstance(here, dict):
        here[key[-1]] = value


def _provider_named(data: Any) -> bool:
    """Return whether the profile names its payee as a provider that is not a member."""
    return _at(data, ("network", "payee_name")) not in (_ABSENT, None)


def _paid_through_a_practice(data: Any, key: KeyPath) -> bool:
    """Return whether a key is the practice of a lead whose practice is paid (the default)."""
    if len(key) != 3 or key[0] != "leads" or key[2] != "practice":
        return False
    lead = _at(data, key[:2])
    if not isinstance(lead, dict):
        return lead is not _ABSENT  # an item that is not a group of keys is asked whole
    return bool(lead.get("reimbursed_to", "practice") == "practice")


def _beyond_a_list(data: Any, key: KeyPath) -> bool:
    """Return whether a key is in an item after the last of a list the profile has."""
    for end, part in enumerate(key):
        if isinstance(part, int):
            items = _at(data, key[:end])
            return isinstance(items, list) and bool(items) and part >= len(items)
    return False


def _in_new_list(data: Any, key: KeyPath) -> bool:
    """Return whether a key is in a list the profile lacked (its answers are taken whole)."""
    return len(key) > 1 and isinstance(key[1], int) and not _has_items(data, str(key[0]))


def _has_items(data: Any, section: str) -> bool:
    """Return whether a list section of the profile has items (not empty, not another kind)."""
    items = data.get(section) if isinstance(data, dict) else None
    return isinstance(items, list) and bool(items)


def _required(key: KeyPath) -> bool:
    """Return whether the profile model needs a value at a key path (no default will do)."""
    model: type[BaseModel] | None = Profile
    for part in key:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return False
        if part == key[-1]:
            return field.is_required() or Needed in field.metadata or _needed(field.annotation)
        model = next(models_in(field.annotation), None)
    return False


def _needed(annotation: Any) -> bool:
    """Return whether an annotation carries the Needed mark (inside an Annotated)."""
    return typing.get_origin(annotation) is typing.Annotated and any(
        mark is Needed for mark in typing.get_args(annotation)[1:]
    )


def _as_typed(value: Any) -> str:
    """Return a profile's value as a person would type it as an answer."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
    return str(value)
