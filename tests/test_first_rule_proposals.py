"""The first rule for proposals: a default the profile never set is printed as proposed.

In a blank build, each appointment and governance rule the profile leaves to its default is a
proposal (`check` lists it as a default to confirm; the documents mark it [proposed: ...]).
The property, over generated blank profiles in every contract year: every document that states
such a value (its text changes when the value changes) marks it as proposed (its text changes
when the same value is set, that is agreed). Then the marks are counted in every format: the
DOCX, the PDF's text and the HTML show as many as the Markdown has.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, note, settings
from hypothesis import strategies as st

from pcndocs.cli import cli
from pcndocs.profile.load import validate_profile
from pcndocs.profile.yamlfile import YamlDocument
from pcndocs.rules.checks import assumed_values
from pcndocs.rules.facts import load_facts
from tests.readback import docx_text, pdf_text
from tests.test_first_rule import SETTINGS, generated_profiles
from tests.test_honour_or_warn import BASES, alternatives, changed, outcome

# End to end: renders every document of many profiles (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

MARK = "[proposed:"


# A value inside a "to be agreed" mark is not printed as agreed either.
TO_AGREE = re.compile(r"\[\[to be agreed:[^\]]*\]\]")


def _documents(data: dict[str, Any]) -> dict[str, str]:
    found = outcome(data, blank=True)
    assert found is not None
    return {name: TO_AGREE.sub("[[to be agreed]]", text) for name, text in found.documents}


def _annotation(key: str) -> Any:
    from pcndocs.profile.model import Appointment, Governance

    section, name = key.split(".")
    model = Appointment if section == "appointment" else Governance
    return model.model_fields[name].annotation


def _unmarked(data: dict[str, Any]) -> list[str]:
    """Return 'key in document' for each default a document states without marking it."""
    facts = load_facts()
    loaded = validate_profile(YamlDocument("p.yaml", data), facts.known_ids(), blank=True)
    before = _documents(data)
    found = []
    for assumed in assumed_values(loaded.profile):
        path = tuple(assumed.key.split("."))
        agreed = _documents(changed(data, path, assumed.value))
        for other in alternatives(_annotation(assumed.key), assumed.value):
            try:
                after = _documents(changed(data, path, other))
            except AssertionError:
                continue  # not a valid value here
            for name, text in before.items():
                if after.get(name) != text and agreed.get(name) == text:
                    found.append(f"{assumed.key} ({assumed.value!r}) in {name}")
            break
    return sorted(set(found))


@st.composite
def blank_profiles(draw: st.DrawFn) -> dict[str, Any]:
    data, _blank = draw(generated_profiles())
    make, _ = BASES["imported-blank"]
    body = make()
    body["contract_year"] = data.get("contract_year", body["contract_year"])
    # Some rules set by the walk, the rest left to their defaults.
    for section in ("appointment", "governance"):
        walked = data.get(section) or {}
        keep = draw(st.lists(st.sampled_from(sorted(walked) or ["method"]), unique=True))
        body[section] = {k: copy.deepcopy(walked[k]) for k in keep if k in walked}
    body["appointment"].setdefault("method", draw(st.sampled_from(["selection", "election"])))
    return body if outcome(body, blank=True) is not None else make()


@settings(max_examples=12, **SETTINGS)
@given(data=blank_profiles())
def test_every_default_a_document_states_is_marked_proposed(data: dict[str, Any]) -> None:
    note(yaml.safe_dump(data, sort_keys=False))
    unmarked = _unmarked(data)
    assert not unmarked, "defaults printed as agreed in a blank build:\n" + "\n".join(unmarked)


def test_the_imported_network_marks_each_default_in_every_document() -> None:
    make, _ = BASES["imported-blank"]
    assert _unmarked(make()) == []


@pytest.mark.slow
def test_every_format_shows_each_proposal(tmp_path: Path) -> None:
    make, _ = BASES["imported-blank"]
    data = make()
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", "--blank", "-f", "html,docx,pdf", "-o", str(out), str(profile)]
    )
    assert result.exit_code == 0, result.output
    marks = {name: text.count(MARK) for name, text in _documents(data).items()}
    assert sum(marks.values()) > 15
    for path in sorted(out.rglob("*")):
        if path.suffix not in (".html", ".docx", ".pdf"):
            continue
        text = {".html": lambda p: p.read_text(encoding="utf-8"), ".docx": docx_text}.get(
            path.suffix, pdf_text
        )(path)
        shown = " ".join(text.split()).count("proposed:")
        expected = next(n for name, n in marks.items() if Path(name).stem == path.stem)
        assert shown == expected, (path.name, shown, expected)
