"""The template reference: every name and filter a template can use, and docs/templates.md."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.output.build import load
from pcndocs.render.context import network_context, render_context
from pcndocs.render.reference import OPTION_WORDS, filter_options, reference
from pcndocs.render.templating import FILTERS
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts

DOCS = Path(__file__).resolve().parents[1] / "docs" / "templates.md"


def test_docs_templates_md_is_the_reference_as_the_code_makes_it() -> None:
    assert DOCS.read_text(encoding="utf-8") == reference(), (
        "docs/templates.md is out of date: run `pcndocs templates reference > docs/templates.md`"
    )


def test_the_command_prints_the_reference() -> None:
    result = CliRunner().invoke(cli, ["templates", "reference"])
    assert result.exit_code == 0, result.output
    assert result.stdout == reference()


def test_every_name_a_template_sees_is_in_the_reference() -> None:
    facts = load_facts()
    shared = network_context(load(example_profile(), facts).profile, facts)
    names = render_context(shared, facts, shared.leads[0]).variables()
    listed = set(re.findall(r"^- \*\*`(\w+)`\*\*", reference(), re.M))
    assert set(names) - set(FILTERS) <= listed
    assert set(FILTERS) <= listed
    assert set(names) <= listed


def test_every_name_and_part_says_what_it_is() -> None:
    # An entry is '- `name`: What it is. *Its kind.*'; one with only its kind says nothing.
    bare = re.findall(r"^\s*- (?:\*\*)?`[^`]+`(?:\*\*)?: \*[^*]+\*$", reference(), re.M)
    assert bare == []


def test_every_filter_and_option_is_described() -> None:
    for name, function in FILTERS.items():
        assert function.__doc__, name
        if not isinstance(function, type):
            for option in filter_options(function):
                assert option.name in OPTION_WORDS, f"{name}({option.name}=) has no words"
