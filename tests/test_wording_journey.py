"""Issue 25's journey, through the command line: an LMC adviser's house wording for an area.

The adviser changes three clauses and omits one for every network of the area, builds ten
blank packs with that wording, then upgrades to a pcndocs whose built-in text of one of those
clauses changed, and is told exactly which clause to review. The built documents are read
back as a user's tools would (python-docx, pdftotext).
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from pcndocs.cli import cli
from pcndocs.render import clauses as clause_catalogue
from pcndocs.render.clauses import (
    all_clauses,
    catalogue_text,
    load_catalogue,
    updated_catalogue,
)
from pcndocs.render.templating import Templates
from pcndocs.resources import example_profile
from tests.readback import pdf_text, squash

pytestmark = pytest.mark.e2e  # builds through the CLI, the server and its workers

NETWORKS = 10

AREA_PROFILE = """\
network:
  name: {name}
  population_date: 2026-01-01
  nominated_payee: null
contract_year: 2026/27
practices:
  - name: {name} Surgery
    ods_code: {ods}
    list_size: null
  - name: {name} Health Centre
    ods_code: {ods2}
    list_size: 8000
clinical_directors: []
appointment:
  method: null
"""

# Three clauses in the LMC's words, one left out, for every network of the area.
WORDING = """\
# Anytown LMC: house wording for the networks of the area
clauses:
  # The LMC's advice: removal needs two thirds, in writing.
  schedule-1.appointment.removal.vote:
    text: |
      The member practices of {network.name} may remove a clinical director before the end
      of the term only if at least two thirds of all member practices agree in writing.
  schedule-1.appointment.term.length: >-
    A clinical director holds office for {appointment.term_years} years, and may serve
    at most two terms in a row.
  schedule-1.appointment.nominations.period:
    text: |
      Nominations are open for {appointment.nomination_days} days from the notice. The
      Local Medical Committee is told of every nomination.
  schedule-1.appointment.conflicts.own-practice: omit
"""

REPLACED = {
    "schedule-1.appointment.removal.vote": (
        "may remove a clinical director before the end of the term only if at least two "
        "thirds of all member practices agree in writing."
    ),
    "schedule-1.appointment.term.length": ("years, and may serve at most two terms in a row."),
    "schedule-1.appointment.nominations.period": (
        "The Local Medical Committee is told of every nomination."
    ),
}
OMITTED = "A practice may vote for a candidate who works in it."


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.fixture
def area(tmp_path: Path) -> Path:
    """A folder of ten blank profiles, the LMC's wording.yaml beside them."""
    folder = tmp_path / "area"
    folder.mkdir()
    for n in range(NETWORKS):
        name = f"Area {n + 1} PCN"
        text = AREA_PROFILE.format(name=name, ods=f"B8{n:04d}", ods2=f"C8{n:04d}")
        (folder / f"area-{n + 1}.yaml").write_text(text, encoding="utf-8")
    (folder / "wording.yaml").write_text(WORDING, encoding="utf-8")
    return folder


def clause_paragraphs(path: Path) -> list[tuple[str, str, str | None, int | None]]:
    """Return each paragraph of a DOCX: text, style, and its list's numId and level."""
    found = []
    for paragraph in docx.Document(str(path)).paragraphs:
        num = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        num_id = level = None
        if num is not None:
            num_id = num.find(qn("w:numId")).get(qn("w:val"))
            level = int(num.find(qn("w:ilvl")).get(qn("w:val")))
        style = paragraph.style.name if paragraph.style is not None else ""
        found.append((paragraph.text, style, num_id, level))
    return found


def test_an_lmc_house_wording_for_ten_blank_packs_and_the_upgrade_that_moves_a_clause(
    area: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    wording = area / "wording.yaml"

    # 1. The adviser checks the wording and pins it to the built-in text it replaces.
    code, said = run("clauses", "--pin", "--wording", str(wording))
    assert code == 0, said
    assert "pinned 4 clauses" in said
    pinned = wording.read_text(encoding="utf-8")
    assert "# The LMC's advice: removal needs two thirds, in writing." in pinned  # kept
    assert len(re.findall(r"pinned: [0-9a-f]{16}", pinned)) == 4

    # 2. `check` says what every pack takes from the house wording, and warns of nothing.
    code, said = run("check", "--blank", str(area / "area-1.yaml"))
    assert "Every pack takes 4 clauses from the house wording" in said
    assert "schedule-1.appointment.conflicts.own-practice: omitted" in said
    assert "review it" not in said

    # 3. Ten blank packs, DOCX, with the folder's wording used by default (and said).
    code, said = run("build", "--blank", str(area), "-o", str(out), "-f", "docx", "-j", "2")
    assert code == 0, said
    assert f"House wording: {wording}" in said
    packs = sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(packs) == NETWORKS
    read_back: dict[str, str] = {}
    for pack in packs:
        paragraphs = clause_paragraphs(pack / "schedule-1.docx")
        texts = [text for text, *_ in paragraphs]
        for ident, words in REPLACED.items():
            (hit,) = [p for p in paragraphs if words in p[0]]
            text, style, num_id, level = hit
            read_back.setdefault(ident, text)
            # A numbered clause still: the clauses' style and list, at the second level.
            assert style == "List Number 2", (ident, style)
            assert num_id is not None and level == 1
        assert "Area" in next(t for t in texts if "may remove a clinical director" in t)
        assert not any(OMITTED in t for t in texts)
        # The Removal clause keeps its three sub-clauses, numbered in one list.
        removal = texts.index("Removal")
        removal_items = paragraphs[removal + 1 : removal + 4]
        assert [p[3] for p in removal_items] == [1, 1, 1]
        assert len({p[2] for p in removal_items}) == 1
        # The conflicts clause lost exactly one of its four sub-clauses.
        conflicts = texts.index("Conflicts of interest")
        following = paragraphs[conflicts + 1 : conflicts + 4]
        assert all(p[3] == 1 for p in following)
        assert paragraphs[conflicts + 4][3] == 0  # the next clause of the first level
        still = (pack / "still-to-agree.txt").read_text(encoding="utf-8")
        assert "House wording" in still
        assert "schedule-1.appointment.removal.vote: replaced" in still
    names = {p.name for p in packs}
    assert "area-1-pcn" in names
    assert read_back["schedule-1.appointment.removal.vote"].startswith(
        "The member practices of Area "
    )
    print("\nRead back from the DOCX of", packs[0].name)
    for ident, text in read_back.items():
        print(f"  {ident}: {text}")

    # 4. The PDF of one pack says the same (pdftotext), numbering and all.
    code, said = run(
        "build",
        "--blank",
        str(area / "area-1.yaml"),
        "-o",
        str(out),
        "-f",
        "pdf",
        "-d",
        "schedule-1",
    )
    assert code == 0, said
    text = squash(pdf_text(out / "area-1-pcn" / "schedule-1.pdf"))
    for words in REPLACED.values():
        assert squash(words) in text
    assert OMITTED not in text

    # 5. Unchanged wording, unchanged packs: up to date. A changed file rebuilds them.
    code, said = run("build", "--blank", str(area), "-o", str(out), "-f", "docx")
    assert "Built 0 of 10 networks" in said and "10 already up to date" in said
    # 6. The upgrade: a pcndocs whose built-in text of the nominations clause changed.
    new_templates = tmp_path / "upgraded"
    assert run("templates", "export", str(new_templates))[0] == 0
    schedule = new_templates / "schedule-1.md"
    source = schedule.read_text(encoding="utf-8")
    assert "1. {@appointment.nominations.period} Nominations are open for" in source
    schedule.write_text(
        source.replace(
            "1. {@appointment.nominations.period} Nominations are open for",
            "1. {@appointment.nominations.period} Nominations, in writing, are open for",
        ),
        encoding="utf-8",
    )
    # That version ships its catalogue with the new text recorded as a new version.
    upgraded = updated_catalogue(
        load_catalogue(),
        all_clauses(Templates(new_templates)),
        "pcndocs 0.2.0, contract year 2027/28",
    )
    catalogue = tmp_path / "clauses.yaml"
    catalogue.write_text(catalogue_text(upgraded), encoding="utf-8")
    monkeypatch.setattr(clause_catalogue, "CATALOGUE", catalogue)

    code, said = run(
        "build",
        "--blank",
        str(area),
        "-o",
        str(out),
        "-f",
        "docx",
        "--templates",
        str(new_templates),
    )
    assert code == 0, said
    warnings = [line for line in said.splitlines() if "review it" in line]
    lines = wording.read_text(encoding="utf-8").splitlines()
    line = lines.index("  schedule-1.appointment.nominations.period:") + 1
    assert warnings == [
        f"warning: {wording}:{line}: schedule-1.appointment.nominations.period: your wording "
        "replaces schedule-1.appointment.nominations.period, whose national text changed in "
        "pcndocs 0.2.0, contract year 2027/28: review it (`pcndocs clauses --changed "
        f"--wording {wording}` shows what changed, and --pin records that you have)"
    ]
    code, said = run("check", "--blank", str(area / "area-1.yaml"))  # built-in: as pinned
    assert "review it" not in said
    code, said = run(
        "clauses", "--changed", "--wording", str(wording), "--templates", str(new_templates)
    )
    assert code == 0
    assert (
        "schedule-1.appointment.nominations.period: the built-in text changed in pcndocs "
        "0.2.0, contract year 2027/28" in said
    )
    assert "{+Nominations, in writing,+} are open for" in said
    assert "Medical Committee is told of every nomination." in said  # the house text
    print(said)
    # Reviewed: pinning again records the new text, and the warning goes.
    assert (
        run("clauses", "--pin", "--wording", str(wording), "--templates", str(new_templates))[0]
        == 0
    )
    code, said = run(
        "build",
        "--blank",
        str(area),
        "-o",
        str(out),
        "-f",
        "docx",
        "--templates",
        str(new_templates),
    )
    assert "review it" not in said


def test_an_annex_e_item_reworded_keeps_its_number_and_style_in_the_docx(tmp_path: Path) -> None:
    """One item of a list printed per data item, reworded by its own id, read back from Word."""
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        "clauses:\n"
        "  cd-job-description.core.responsibility.research:\n"
        "    text: >-\n"
        "      **Research.** The director helps the practices of {network.name} take part in\n"
        "      research studies, as the LMC advises.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = run(
        "build", str(example_profile()), "--wording", str(wording), "-o", str(out),
        "-f", "docx", "-d", "cd-job-description",
    )  # fmt: skip
    assert code == 0, output
    (built,) = out.glob("*/cd-job-description.docx")
    paragraphs = clause_paragraphs(built)
    start = next(i for i, p in enumerate(paragraphs) if p[0].startswith("Strategic and clinical"))
    core = paragraphs[start : start + 8]
    assert core[5][0] == (
        "Research. The director helps the practices of Riverside Primary Care Network take part "
        "in research studies, as the LMC advises."
    )
    assert core[4][0].startswith("Work with system partners.")
    assert core[6][0].startswith("Represent the network in the system.")
    # The same list, style and level as the items around it: Word numbers it 6.
    assert {(style, num, level) for _t, style, num, level in core} == {
        (core[0][1], core[0][2], core[0][3])
    }
    assert core[0][2] is not None
