"""The older version's trees kept between comparisons: the same redlines as without them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from pcndocs.compare.run import CompareOptions, TreeCache, compare_loaded
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts
from pcndocs.web.service import check_text

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)


def test_kept_trees_give_the_same_redlines_each_time(tmp_path: Path) -> None:
    facts = load_facts()
    text = example_profile().read_text(encoding="utf-8")
    old = check_text(text, facts, TODAY).loaded
    data = yaml.safe_load(text)
    versions = []
    for step in range(3):
        changed = dict(data)
        changed["appointment"] = {**data["appointment"], "term_years": 2 + step % 2}
        changed["leads"] = data["leads"][: len(data["leads"]) - 1 - step]  # deleted documents
        changed["practices"] = [
            {**practice, "list_size": practice["list_size"] + step}
            for practice in data["practices"]
        ]
        versions.append(check_text(yaml.safe_dump(changed), facts, TODAY).loaded)
    assert old is not None
    assert all(versions), "each changed version is a valid profile"
    options = CompareOptions(out=tmp_path)
    cache = TreeCache()
    for new in [*versions, *versions]:  # each twice: kept trees must not carry marks over
        assert new is not None
        kept = compare_loaded(old, new, facts, options, cache=cache)
        fresh = compare_loaded(old, new, facts, options)
        assert [c.name for c in kept.changed] == [c.name for c in fresh.changed]
        assert kept.changed, "the change of term and of practices shows in the documents"
        for mine, theirs in zip(kept.changed, fresh.changed, strict=True):
            assert kept.render(mine, "html") == fresh.render(theirs, "html")


def test_the_trees_of_the_versions_compared_last_are_kept_and_the_oldest_let_go() -> None:
    from pcndocs.output.build import BuildOptions, templates_for

    facts = load_facts()
    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    profiles = []
    for term in (1, 2, 3):
        data["appointment"]["term_years"] = term
        loaded = check_text(yaml.safe_dump(data), facts, TODAY).loaded
        assert loaded is not None
        profiles.append(loaded)
    options = BuildOptions(out=Path(), documents=("leadership-summary",), today=TODAY)
    templates = templates_for(None)
    cache = TreeCache(kept=2)
    first, second, third = (cache.versions(p, options, facts, templates) for p in profiles)
    assert cache.versions(profiles[2], options, facts, templates) is third  # made once
    assert cache.versions(profiles[1], options, facts, templates) is second
    again = cache.versions(profiles[0], options, facts, templates)  # the least recent: let go
    assert again is not first and [key for key, _tree in again] == [key for key, _tree in first]
