"""The years and dates in the profile's help come from the data, never from the code's prose."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pcndocs import years
from pcndocs.profile.model import FundingOverrides, Network, Profile
from pcndocs.profile.yearwords import WORDS, long_date
from pcndocs.rules.facts import load_facts
from pcndocs.web.fields import FORM_HELP

PACKAGE = Path(__file__).resolve().parents[1] / "pcndocs"
# A contract year, a year, a day of a month, or a sum of money, written into a string.
FACT = re.compile(r"\b20\d\d/\d\d\b|\b(?:19|20)\d\d\b|£\d")


def test_the_year_words_are_the_facts() -> None:
    funding = load_facts().funding
    streams = {stream.id: stream for stream in funding.streams}
    core_last = max((y for y, f in funding.years.items() if f.core_payment), key=years.parse_key)
    without = [
        y for y, f in funding.years.items() if years.later(y, core_last) and not f.core_pcn_funding
    ]
    assert WORDS.cd_payment_last == funding.cd_basis.last_paid
    assert WORDS.core_payment_last == core_last
    core = funding.years[core_last].core_payment
    assert core is not None and WORDS.core_payment == f"£{core.value:.2f}"
    assert WORDS.core_pcn_funding_first == min(
        (y for y, f in funding.years.items() if f.core_pcn_funding), key=years.parse_key
    )
    assert (WORDS.leadership_first, WORDS.leadership_last) == (
        streams["leadership_and_management"].first,
        streams["leadership_and_management"].last,
    )
    assert WORDS.capacity_last == streams["capacity_and_access"].last
    assert list(WORDS.no_core_rate) == without
    assert WORDS.core_rate_needed_from == (
        without[0] if without else years.following(funding.latest)
    )
    assert WORDS.latest == funding.latest
    assert WORDS.variation_first == funding.local_variation.first
    assert WORDS.variation_from == funding.local_variation.from_
    assert WORDS.neighbourhoods_first == funding.neighbourhoods.first


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (Profile.model_fields["contract_year"].description, [WORDS.latest]),
        (Network.model_fields["neighbourhood"].description, [WORDS.neighbourhoods_first]),
        (
            Network.model_fields["local_variation_agreement"].description,
            [long_date(WORDS.variation_from)],
        ),
        (
            FundingOverrides.model_fields["core_rate_per_patient"].description,
            [WORDS.core_payment_last, WORDS.core_pcn_funding_first, WORDS.core_rate_needed_from],
        ),
        (
            FORM_HELP["FundingOverrides.core_rate_per_patient"],
            [WORDS.core_payment, WORDS.core_rate_needed_from],
        ),
        (FORM_HELP["Lead.funding_stream"], [WORDS.capacity_last, WORDS.leadership_last]),
    ],
)
def test_the_help_says_what_the_data_says(text: str | None, words: list[str]) -> None:
    for word in words:
        assert word and word in (text or "")


@pytest.mark.parametrize("module", ["profile/model.py", "web/fields.py"])
def test_no_year_date_or_sum_is_written_into_the_help(module: str) -> None:
    # Docstrings may show how people write a number or a date (01/04/2026, £350): they are
    # examples of input, not facts. Every other string must take its years from the data.
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    written = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and FACT.search(node.value)
    ]
    assert written == []
