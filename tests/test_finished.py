"""A finished (not blank) build never prints a placeholder: each value is required, optional or
warned about, and --strict fails on any placeholder a template still leaves."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.output.build import BuildResult

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

WriteProfile = Callable[[dict[str, Any] | str], Path]


def test_the_example_holds_no_placeholder(example_build: BuildResult) -> None:
    pages = [p for p in example_build.written if p.suffix == ".html"]
    assert pages
    for page in pages:
        assert 'class="placeholder"' not in page.read_text(encoding="utf-8"), page.name
    assert not [w for w in example_build.warnings if "still shows" in w.text]


def test_strict_fails_on_a_placeholder_a_template_leaves(
    write_profile: WriteProfile, example_data: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "leadership-summary.md").write_text(
        "# Summary\n\n## Money\n\nThe budget is [[to be agreed: budget]].\n", encoding="utf-8"
    )
    args = ["build", str(write_profile(example_data)), "-o", str(tmp_path / "out")]
    args += ["-d", "leadership-summary", "-f", "html", "--templates", str(folder)]
    relaxed = CliRunner().invoke(cli, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert "Summary, section 'Money', still shows '[to be agreed: budget]'" in relaxed.output
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1


def test_values_another_choice_needs_are_required(
    write_profile: WriteProfile, example_data: dict[str, Any], tmp_path: Path
) -> None:
    data = copy.deepcopy(example_data)
    data["appointment"]["interim_cover"] = "deputy"
    del data["leads"][0]["practice"]
    path = write_profile(data)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert "appointment.deputy: is required with deputy cover but missing" in result.output
    assert (
        "leads[0].reimbursed_to: lead 1 (Dr Sam Patel): is 'practice' (the default), so the "
        "lead needs a practice" in result.output
    )
    assert "Traceback" not in result.output


def test_optional_lead_values_read_naturally_without_them(
    write_profile: WriteProfile, example_data: dict[str, Any], tmp_path: Path
) -> None:
    data = copy.deepcopy(example_data)
    del data["document_control"]["review_date"]
    data["leads"] = [
        {
            "name": "Jo Local",
            "kind": "non_clinical",
            "workstream": {"id": "estates", "title": "Estates", "summary": "Rooms and buildings."},
            "practice": "A99001",
            "sessions_per_month": 1,
            "session_rate": 150,
        }
    ]
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", str(write_profile(data)), "-o", str(out), "-f", "html"]
    )
    assert result.exit_code == 0, result.output
    folder = out / "riverside-primary-care-network"
    for page in folder.glob("lead-*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'class="placeholder"' not in text, page.name
        assert "Start date" not in text
    checklist = next(folder.glob("lead-checklist-*.html")).read_text(encoding="utf-8")
    assert "have set no items of their own for this workstream yet" in checklist


def test_a_lead_with_staff_to_manage_says_so(
    write_profile: WriteProfile, example_data: dict[str, Any], tmp_path: Path
) -> None:
    data = copy.deepcopy(example_data)
    data["leads"] = [dict(data["leads"][2], line_manages="the network's clinical pharmacists")]
    out = tmp_path / "out"
    args = ["build", str(write_profile(data)), "-o", str(out), "-f", "html"]
    result = CliRunner().invoke(cli, [*args, "-d", "lead-role-description"])
    assert result.exit_code == 0, result.output
    (page,) = (out / "riverside-primary-care-network").glob("lead-role-description-*.html")
    text = page.read_text(encoding="utf-8")
    assert "Line manages" in text
    assert "Line-manage the network&#x27;s clinical pharmacists" in text or (
        "Line-manage the network's clinical pharmacists" in text
    )
    assert "appraising them" in text
