"""The HTML of each document of the example, kept in tests/snapshots/ so a review shows wording.

A change to a template or a figure changes a snapshot: the test fails with the first lines
that differ. When the change is meant, write the snapshots again and commit them:

    PCNDOCS_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_snapshots.py

The diff of tests/snapshots/ in the commit then shows the change in words.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from pcndocs.output.build import BuildResult

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("PCNDOCS_UPDATE_SNAPSHOTS") == "1"


def _readable(html: str) -> str:
    """Return HTML with a line break after each block's end tag, so a diff is of sentences.

    The stylesheet is left out: the snapshots are of what the documents say.
    """
    html = re.sub(r"<style>.*?</style>", "<style>(left out)</style>", html, flags=re.S)
    for tag in ("</p>", "</li>", "</tr>", "</h1>", "</h2>", "</h3>", "</h4>", "</table>"):
        html = html.replace(tag, tag + "\n")
    return "\n".join(line.rstrip() for line in html.splitlines()) + "\n"


def test_each_document_of_the_example_matches_its_snapshot(example_build: BuildResult) -> None:
    built = {
        p.name: _readable(p.read_text(encoding="utf-8"))
        for p in example_build.written
        if p.suffix == ".html"
    }
    assert built, "the example build wrote no HTML"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        for old in SNAPSHOTS.glob("*.html"):
            old.unlink()
        for name, text in built.items():
            (SNAPSHOTS / name).write_text(text, encoding="utf-8")
        pytest.skip(f"wrote {len(built)} snapshots to {SNAPSHOTS}")
    kept = sorted(p.name for p in SNAPSHOTS.glob("*.html"))
    assert sorted(built) == kept, "documents added or removed: write the snapshots again"
    for name, text in built.items():
        expected = (SNAPSHOTS / name).read_text(encoding="utf-8")
        if text != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), text.splitlines(), f"snapshots/{name}", "built", lineterm=""
            )
            shown = "\n".join(list(diff)[:40])
            pytest.fail(
                f"{name} differs from its snapshot. If the change is meant, run "
                f"PCNDOCS_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_snapshots.py\n{shown}"
            )
