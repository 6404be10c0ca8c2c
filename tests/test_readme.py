"""The README's examples of messages are the real ones: each is made here and looked for there."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")

# The profile of the README's "Errors and exit codes": two mistakes, both reported at once.
RIVERSIDE = """\
network:
  name: Riverside Primary Care Network
  code: U99999
  population_date: 2026-01-01
  nominated_payee: A81001
contract_year: 2026/27
practices:
  - name: Riverside Surgery
    ods_code: A81001
    list_size: 12450
  - name: Canal Street Practice
    ods_code: A81002
    list_size: twelve thousand
clinical_directors:
  - name: Dr Jane Example
    practice: A81001
    sessions_per_week: 2
appointment:
  method: election
leads:
  - name: Dr Sam Example
    kind: clinical
    workstream: cvd_prevention
    practice: B12345
    sessions_per_month: 2
    session_rate: 350
"""


def _stderr(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 1
    return result.stderr


def test_the_readme_shows_the_real_message_of_a_profile_with_two_mistakes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "riverside.yaml").write_text(RIVERSIDE, encoding="utf-8")
    shown = "$ pcndocs build profiles/riverside.yaml\n" + _stderr(
        "build", "profiles/riverside.yaml"
    )
    assert f"```\n{shown}```" in README
    first = shown.splitlines()[1].replace("profiles/riverside.yaml", "my-network.yaml")
    assert f"```\n{first}\n```" in README


def test_the_readme_shows_the_real_message_of_a_template_mistake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "my-templates"
    folder.mkdir()
    lines = [f"Line {n}" for n in range(1, 12)] + ["{{ netwrok.name }}"]
    (folder / "cd-job-description.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shown = _stderr("build", "--templates", "my-templates", "-d", "cd-job-description")
    assert f"```\n{shown}```" in README


def test_the_readme_shows_the_real_message_of_a_stylesheet_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "my-templates"
    folder.mkdir()
    css = '@import "builtin/pdf.css";\n\n@page { size: 2px 2px }\n'
    (folder / "pdf.css").write_text(css, encoding="utf-8")
    shown = _stderr("build", "--templates", "my-templates", "-f", "pdf", "-o", "out")
    assert f"```\n{shown}```" in README
