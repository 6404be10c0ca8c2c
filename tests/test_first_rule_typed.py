"""The first rule for what is typed in the browser: kept exactly, or refused at its field.

Text typed in each number and date field of the web form (commas, spaces, £ and % signs,
other scripts' digits, signs, stray dots; dates the British way, the ISO way and others) goes
through the form's reading (`formdata.typed`) and the profile model, as the page sends it. The
property: a value taken is the number the text means, with a comma only ever a separator of
thousands ("3,50" is never 350) and a date read day first; anything else is refused by a
message at that very field. Fast: no page and no document, just the form's data and `check`.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcndocs.profile.yamlfile import KeyPath, dotted
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts
from pcndocs.web.fields import Group, Input, Repeat, profile_form
from pcndocs.web.formdata import typed
from pcndocs.web.service import check_data

TODAY = date(2026, 11, 28)
SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow],
}

# What a number means, read independently of the code: a £ sign first, then digits with commas
# only between groups of three, and at most one decimal point.
_MEANS_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|[+-]?\.[0-9]+")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def meant_number(text: str) -> Decimal | None:
    """Return the number a person means by the text, or None if it is not plainly one."""
    body = text.strip()
    body = body[1:].lstrip() if body.startswith("£") else body
    return Decimal(body.replace(",", "")) if _MEANS_NUMBER.fullmatch(body) else None


def meant_date(text: str) -> date | None:
    """Return the date a person in England means by the text, or None."""
    body = text.strip()
    try:
        if found := _UK_DATE.fullmatch(body):
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", body):
            return date.fromisoformat(body)
    except ValueError:
        return None
    return None


@cache
def _example() -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    return data


def _fields(group: Group, path: KeyPath, data: Any) -> list[tuple[KeyPath, str]]:
    """Return (key path, kind) of each number and date field the form draws for the data."""
    found: list[tuple[KeyPath, str]] = []
    for node in group.fields:
        here = (*path, node.name)
        value = data.get(node.name) if isinstance(data, dict) else None
        if isinstance(node, Input) and node.kind in ("int", "float", "date"):
            found.append((here, node.kind))
        elif isinstance(node, Group):
            found += _fields(node, here, value or {})
        elif (
            isinstance(node, Repeat)
            and isinstance(value, list)
            and value
            and isinstance(value[0], dict)
        ):
            found += _fields(node.item, (*here, 0), value[0])
    return found


FIELDS = _fields(profile_form(), (), _example())

digits = st.sampled_from("0123456789")
piece = st.one_of(
    st.text(digits, min_size=1, max_size=4),
    st.sampled_from([",", ".", " ", "\u00a0", "£", "%", "+", "-", "/", "e", "½", "٣", "１", "O"]),
)
number_text = st.one_of(
    st.lists(piece, min_size=1, max_size=6).map("".join),
    st.sampled_from(["3,50", "1,234", "12,450", "£350", "£ 350", "1 234", "50%", "2.5", ".5"]),
    st.decimals(0, 100_000, places=2, allow_nan=False).map(lambda d: f"£{d:,}"),
)
date_text = st.one_of(
    st.builds(
        lambda d, m, y: f"{d}/{m}/{y}",
        st.integers(0, 32),
        st.integers(0, 13),
        st.integers(2018, 2031),
    ),
    st.dates(date(2018, 1, 1), date(2031, 12, 31)).map(str),
    st.sampled_from(["1 April 2026", "04/01/26", "2026/04/01", "1.4.2026", "31/02/2026"]),
)


def _at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _put(data: dict[str, Any], path: KeyPath, value: Any) -> dict[str, Any]:
    new = copy.deepcopy(data)
    here: Any = new
    for part in path[:-1]:
        here = here.setdefault(part, {}) if isinstance(here, dict) else here[part]
    here[path[-1]] = value
    return new


@settings(max_examples=100, **SETTINGS)
@given(field=st.sampled_from(FIELDS), data=st.data())
def test_a_typed_value_is_kept_exactly_or_refused_at_its_field(
    field: tuple[KeyPath, str], data: st.DataObject
) -> None:
    path, kind = field
    text = data.draw(date_text if kind == "date" else number_text)
    checked = check_data(_put(_example(), path, typed(text, kind)), load_facts(), TODAY)
    key = dotted(path)
    said = [p.text for p in checked.errors if p.key == key]
    if checked.loaded is None:
        # Refused at the field typed in, or at its list where a rule joins the items (joint
        # directors' shares must add up to 1).
        at = [
            p for p in checked.errors if key == p.key or key.startswith((p.key + ".", p.key + "["))
        ]
        assert at, (text, [(p.key, p.text) for p in checked.errors])
        return
    assert not said
    taken = _at(checked.loaded.profile.model_dump(), path)
    if kind == "date":
        assert taken == meant_date(text), (text, taken)
    else:
        meant = meant_number(text)
        assert meant is not None, f"{text!r} was taken as {taken!r} in {key}"
        assert Decimal(str(taken)) == meant, (text, taken)


def test_the_examples_a_user_types() -> None:
    # 010 is what a file holds as the text 010, which the model reads as 10; YAML alone, 8.
    assert typed("010", "int") == "010"
    assert meant_number("3,50") is None
    assert meant_number("£1,234.50") == Decimal("1234.50")
    assert meant_date("04/01/2026") == date(2026, 1, 4)
    assert ("clinical_directors", 0, "session_rate") in [p for p, _ in FIELDS]
    assert len(FIELDS) > 20
