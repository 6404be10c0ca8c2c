"""Blank templates: an incomplete profile builds with --blank, gaps shown and listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from tests.conftest import NATIONAL_DATA
from tests.readback import pdf_text, squash

INCOMPLETE = """\
network:
  name: Newtown PCN
  population_date: 2025-01-01
  nominated_payee: null   # to be filled in
contract_year: 2025/26
practices:
  - name: Newtown Surgery
    ods_code: B12345
    list_size: null   # to be filled in
  - name: Oldtown Surgery
    ods_code: B12346
    list_size: 8000
clinical_directors: []
appointment:
  method: null
"""


@pytest.fixture
def incomplete(write_profile: Callable[[Any], Path]) -> Path:
    return write_profile(INCOMPLETE)


def test_without_blank_every_missing_value_is_an_error(incomplete: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(incomplete), "-o", str(tmp_path)])
    assert result.exit_code == 1
    for line, key in [
        (4, "network.nominated_payee"),
        (9, "practices[0].list_size"),
        (13, "clinical_directors"),
        (15, "appointment.method"),
    ]:
        assert f"{incomplete}:{line}: {key}: is required but missing" in result.output


def test_blank_build_shows_placeholders_and_lists_the_gaps(
    incomplete: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--blank",
            str(incomplete),
            "-o",
            str(tmp_path),
            "-d",
            "cd-job-description",
            "-f",
            "docx,pdf,html",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Still to agree (4), shown as placeholders:" in result.output
    folder = tmp_path / "newtown-pcn"
    listed = (folder / "still-to-agree.txt").read_text(encoding="utf-8").splitlines()
    assert listed[0] == "Still to agree for Newtown PCN"
    assert listed[3:] == [
        "- line 4: network.nominated_payee",
        "- line 9: practices[0].list_size",
        "- line 13: clinical_directors",
        "- line 15: appointment.method",
    ]
    html = (folder / "cd-job-description.html").read_text(encoding="utf-8")
    assert '<mark class="placeholder">[to be agreed' in html
    assert "[to be agreed" in squash(pdf_text(folder / "cd-job-description.pdf"))
    document = docx.Document(str(folder / "cd-job-description.docx"))
    # Placeholders carry the "Placeholder" character style: shaded, and restylable in Word.
    paragraphs = [
        *document.paragraphs,
        *(
            p
            for t in document.tables
            for row in t.rows
            for cell in row.cells
            for p in cell.paragraphs
        ),
    ]
    highlighted = [
        run.text
        for p in paragraphs
        for run in p.runs
        if run.style is not None and run.style.name == "Placeholder"
    ]
    assert highlighted and all(text.startswith("[to be agreed") for text in highlighted)


def test_blank_still_refuses_values_that_are_wrong(
    write_profile: Callable[[Any], Path], tmp_path: Path
) -> None:
    path = write_profile(INCOMPLETE.replace("list_size: 8000", "list_size: lots"))
    result = CliRunner().invoke(cli, ["build", "--blank", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"{path}:12: practices[1].list_size: expected a whole number, got 'lots'" in result.output
    )


@pytest.mark.national
def test_imported_profiles_build_blank_as_they_come(national_data: Path, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    imported = CliRunner().invoke(
        cli,
        [
            "import",
            "--epcn",
            str(NATIONAL_DATA / "ePCN-2019-12.xlsx"),
            "--lists",
            str(NATIONAL_DATA / "gp-reg-pat-prac-all-2021-01.csv"),
            "--pcn",
            "U35980",
            "--pcn",
            "U94471",
            "--pcn",
            "U38216",
            "-o",
            str(profiles),
        ],
    )
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["-q", "build", "--blank", str(profiles), "-o", str(out), "-j", "2", "-f", "html"]
    )
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(built) == 3
    for folder in (out / name for name in built):
        if folder.is_dir():
            assert "clinical_directors" in (folder / "still-to-agree.txt").read_text()
