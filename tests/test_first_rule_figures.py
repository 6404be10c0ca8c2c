"""The first rule for a figure's standing: wherever a sum of national money is printed, it says
what it is: an estimate is called one beside the sum, the network's own figure is called the
network's own, and the document that prints it names its source.

For every contract year pcndocs holds and several shapes of network (adjusted population given
or not, a lead paid from the leadership and management payment, a finance lead whose checklist
states the core funding, the network's own rates, its Core PCN Funding rate in two parts or in
one figure), each stream's sum the rules work out (`stream_funds`) is looked for in every
document's text; each line (a paragraph or a table row) that prints it is checked. Rendered in
process, as Markdown: the words are the same in every format (tests/test_first_rule_proposals.py
counts marks across formats).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from pcndocs.profile.load import validate_profile
from pcndocs.profile.yamlfile import YamlDocument
from pcndocs.rules.funding import stream_funds
from tests.test_honour_or_warn import BASES, _facts, outcome

# End to end: renders every document of a profile per case (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


def _plain(text: str) -> str:
    """Return Markdown as read: without escapes and emphasis, white space as single spaces."""
    return " ".join(re.sub(r"\\(.)", r"\1", text).replace("**", "").split())


def _money(value: float) -> str:
    return f"£{round(value):,}"


def _shape(name: str, year: str) -> dict[str, Any]:
    data = BASES["example"][0]()
    data["contract_year"] = year
    data.pop("funding", None)
    if name in ("adjusted", "lm-lead", "finance-lead"):
        data["funding"] = {"adjusted_population": 60_000}
    if name == "lm-lead":
        data["leads"][0]["funding_stream"] = "leadership_and_management"
    if name == "finance-lead":
        data["leads"][0].update(workstream="finance", kind="non_clinical")
    if name == "own-rates":
        data["funding"] = {"cd_rate_per_patient": 0.75, "core_rate_per_patient": 1.6}
        if year >= "2024/25":
            data["funding"] = {"core_pcn_funding": 181_000}
    if name == "own-rate-parts":  # before 2024/25 the parts change nothing (check says so)
        data["funding"] = {
            "core_rate_per_registered_patient": 2.3,
            "core_rate_per_adjusted_patient": 0.8,
            "adjusted_population": 60_000,
        }
    if name == "own-rate-one-figure":  # from 2024/25 split as the national rate: an estimate
        data["funding"] = {"core_rate_per_patient": 3.1, "adjusted_population": 60_000}
    return data


SHAPES = [
    "adjusted",
    "lm-lead",
    "finance-lead",
    "own-rates",
    "own-rate-parts",
    "own-rate-one-figure",
    "nothing-own",
]
CheckLine = Callable[[str], bool]


def _unsaid(data: dict[str, Any]) -> list[str]:
    facts = _facts()
    loaded = validate_profile(YamlDocument("p.yaml", data), facts.known_ids(), False)
    found = outcome(data, False)
    assert found is not None
    documents = {name: _plain(text) for name, text in found.documents}
    lines = {name: [_plain(line) for line in text.splitlines()] for name, text in found.documents}
    wrong: list[str] = []
    for stream, funds in stream_funds(loaded.profile, facts).items():
        if funds.amount is None:
            continue
        money = _money(funds.amount.low)
        sources = {_plain(funds.brief_source or funds.source)[:40], _plain(funds.source)[:40]}
        for name, text in documents.items():
            printed = [line for line in lines[name] if money in line]
            if not printed:
                continue
            where = f"{stream} {money} in {name}"
            for line in printed:
                if funds.estimate and "estimate" not in line.lower():
                    wrong.append(f"{where}: not called an estimate: {line[:200]}")
                if funds.network_figure and not re.search(r"network's (own|figure)", line):
                    wrong.append(f"{where}: not called the network's own: {line[:200]}")
            named = any(source.lower() in text.lower() for source in sources)
            if not funds.network_figure and not named:
                wrong.append(f"{where}: its source ({min(sources)}...) is not named")
    return wrong


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("year", _facts().funding.years)
def test_each_printed_sum_says_its_standing_and_source(year: str, shape: str) -> None:
    data = _shape(shape, year)
    if shape == "finance-lead" and not _facts().workstream("finance").applies_in(year):
        pytest.skip(f"no finance workstream in {year}")
    wrong = _unsaid(copy.deepcopy(data))
    assert not wrong, "\n".join(wrong)
