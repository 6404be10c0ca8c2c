"""Every sentence of every document of every contract year is spaced from the next.

A template line ending in a Jinja tag can swallow the line break after it, so two sentences
run together ("paid for.The network pays"). This reads every built document back.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html

from pcndocs import years
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.rules.facts import load_facts

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

# A full stop, colon or semicolon with a capital letter straight after it: "for.The", "it;The".
RUN_TOGETHER = re.compile(r"[a-z\)][.;:][A-Z][a-z]")


def every_year() -> list[str]:
    """Return every contract year pcndocs holds figures for, in order."""
    return sorted(load_facts().funding.years, key=years.parse_key)


@pytest.mark.parametrize("blank", [False, True], ids=["finished", "blank"])
def test_no_two_sentences_run_together_in_any_document_of_any_year(
    example_data: dict[str, Any], tmp_path: Path, blank: bool
) -> None:
    found = []
    for year in every_year():
        data = copy.deepcopy(example_data)
        data["contract_year"] = year
        data["network"]["population_date"] = load_facts().funding_year(year).population_date
        # More time than the benchmark: the summary's clause on the difference is printed.
        data["clinical_directors"][0]["sessions_per_week"] = 4
        if blank:
            data["practices"][1]["list_size"] = None
            data["clinical_directors"][0].pop("session_rate", None)
            data["leads"] = []
        path = tmp_path / f"{year.replace('/', '-')}-{blank}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        out = tmp_path / path.stem
        result = build_profile(path, BuildOptions(out=out, formats=("html",), blank=blank))
        for page in result.written:
            if page.suffix != ".html":
                continue
            main = html.fromstring(page.read_text(encoding="utf-8")).find(".//main")
            text = " ".join(main.text_content().split())
            found += [
                (year, page.name, text[max(0, m.start() - 30) : m.end() + 20])
                for m in RUN_TOGETHER.finditer(text)
            ]
    assert not found
