"""The DOCX opened in LibreOffice and printed to PDF looks like our PDF: same pages, same words.

LibreOffice starts once per session and converts every document in one run.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.resources import example_profile
from tests.conftest import ImportNetworks
from tests.readback import SOFFICE, libreoffice_pdfs, pdf_text
from tests.writer_samples import SAMPLE

DOCUMENTS = ("cd-job-description", "schedule-1")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


@pytest.fixture(scope="session")
def renderings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Return, for each document, our PDF and LibreOffice's PDF of our DOCX."""
    assert SOFFICE is not None
    root = tmp_path_factory.mktemp("libreoffice")
    templates = root / "templates"
    templates.mkdir()
    (templates / "schedule-1.md").write_text(SAMPLE, encoding="utf-8")
    options = BuildOptions(
        out=root / "out", formats=("docx", "pdf"), documents=DOCUMENTS, templates=templates
    )
    written = build_profile(example_profile(), options).written
    docx_files = [p for p in written if p.suffix == ".docx"]
    converted = root / "converted"
    libreoffice_pdfs(docx_files, converted, root / "profile")
    return {p.stem: (p.with_suffix(".pdf"), converted / f"{p.stem}.pdf") for p in docx_files}


def words(path: Path) -> Counter[str]:
    """Return the words on a PDF's pages, lower-cased, without punctuation or tick boxes."""
    return Counter(w.lower() for w in re.findall(r"[A-Za-z0-9£]+", pdf_text(path)))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_word_and_pdf_have_the_same_number_of_pages_give_or_take_one(
    name: str, renderings: dict[str, tuple[Path, Path]]
) -> None:
    ours, theirs = renderings[name]
    assert abs(len(PdfReader(ours).pages) - len(PdfReader(theirs).pages)) <= 1


@pytest.mark.parametrize("name", DOCUMENTS)
def test_word_and_pdf_show_the_same_words(
    name: str, renderings: dict[str, tuple[Path, Path]]
) -> None:
    ours, theirs = words(renderings[name][0]), words(renderings[name][1])
    assert set(ours) == set(theirs)
    # Counts may differ only by the running header and footer of a page more or less.
    differing = (ours - theirs) + (theirs - ours)
    assert sum(differing.values()) <= 15, differing.most_common(10)


@pytest.mark.national
def test_a_real_blank_networks_job_description_has_the_same_pages_in_word_and_pdf(
    import_networks: ImportNetworks, tmp_path: Path
) -> None:
    """Apex PCN (U17435), imported from the national files and built blank.

    Its job description once took 6 pages in our PDF and 5 in Word's layout: the PDF set its
    lines further apart than the Word styles do, and kept 3 lines either side of a break where
    Word keeps 2, so a heading and its paragraph went over a page that Word filled. It is 6
    pages in both now that it states its effective date and where its working relationships
    come from.
    """
    assert SOFFICE is not None
    profiles, out = tmp_path / "profiles", tmp_path / "out"
    imported = import_networks(profiles, "U17435")
    assert imported.exit_code == 0, imported.output
    arguments = ["build", "--blank", str(profiles), "-o", str(out), "-f", "docx,pdf"]
    built = CliRunner().invoke(cli, ["-q", *arguments, "-d", "cd-job-description"])
    assert built.exit_code == 0, built.output
    (ours,) = out.glob("*/cd-job-description.pdf")
    libreoffice_pdfs([ours.with_suffix(".docx")], tmp_path / "converted", tmp_path / "lo-profile")
    theirs = tmp_path / "converted" / "cd-job-description.pdf"
    assert (len(PdfReader(ours).pages), len(PdfReader(theirs).pages)) == (6, 6)
