"""The whole pipeline on the example: profile to DOCX, PDF and HTML, read back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, BuildResult
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts
from tests.readback import docx_text, pdf_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def job_description(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("jd")
    options = BuildOptions(
        out=out, formats=("docx", "pdf", "html"), documents=("cd-job-description",)
    )
    return build_profile(example_profile(), options)


def _file(result: BuildResult, suffix: str) -> Path:
    return next(p for p in result.written if p.suffix == suffix)


def test_one_file_per_format_in_the_network_folder(job_description: BuildResult) -> None:
    assert [p.name for p in job_description.written] == [
        "cd-job-description.docx",
        "cd-job-description.pdf",
        "cd-job-description.html",
    ]
    assert job_description.folder.name == "riverside-primary-care-network"


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_document_holds_network_and_every_responsibility(
    job_description: BuildResult, suffix: str
) -> None:
    path = _file(job_description, suffix)
    text = squash(docx_text(path) if suffix == ".docx" else pdf_text(path))
    assert "Riverside Primary Care Network (U99999)" in text
    items = load_facts().annex_e.core_responsibilities
    assert len(items) == 8
    for item in items:
        assert squash(item.title) in text
        assert f"Annex E, item {item.number}" in text
    # The funded time, worked out for 59,126 patients: 0.25 x 59,126 / 50,000 = 0.2956 WTE.
    assert "0.25 × 59,126 ÷ 50,000" in text
    assert "0.2956 WTE" in text


def test_docx_uses_named_word_styles(job_description: BuildResult) -> None:
    document = docx.Document(str(_file(job_description, ".docx")))
    styles = {p.style.name for p in document.paragraphs if p.style is not None}
    assert {"Title", "Heading 1", "Normal", "List Number"} <= styles
    assert document.core_properties.title == "Clinical director: job description"
    assert document.paragraphs[0].text == "Clinical director: job description"


def test_pdf_metadata_and_pages(job_description: BuildResult) -> None:
    reader = PdfReader(str(_file(job_description, ".pdf")))
    assert reader.metadata is not None
    assert reader.metadata.title == "Clinical director: job description"
    assert len(reader.pages) >= 2
    assert "Page 1 of" in (reader.pages[0].extract_text() or "")


def test_html_is_a_page_with_language_and_title(job_description: BuildResult) -> None:
    html = _file(job_description, ".html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    assert "<title>Clinical director: job description</title>" in html


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_docx(job_description: BuildResult, tmp_path: Path) -> None:
    source = _file(job_description, ".docx")
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = tmp_path / "cd-job-description.pdf"
    assert "Riverside Primary Care Network" in pdf_text(converted)


def test_a_non_clinical_leads_headers_name_its_kind(tmp_path: Path) -> None:
    options = BuildOptions(out=tmp_path, formats=("docx",), documents=("lead-checklist",))
    result = build_profile(example_profile(), options)
    finance = next(p for p in result.written if "finance" in p.name)
    document = docx.Document(str(finance))
    title = document.core_properties.title
    assert title == "Non-clinical lead checklist: Financial management"
    assert title in docx_text(finance)
