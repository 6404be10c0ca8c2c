"""Reading documents back as a user's tools would: python-docx, pypdf and pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
from pypdf import PdfReader

#: LibreOffice, as a user without Word prints a DOCX (None where it is not installed).
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def docx_text(path: Path) -> str:
    """Return every paragraph and table cell of a DOCX, one per line, in document order."""
    document = docx.Document(str(path))
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                        for cell in row
                        if cell.tag.endswith("}tc")
                    ]
                    lines.append(" | ".join(cells))
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    """Return the text of a PDF as pdftotext gives it (pypdf where pdftotext is missing)."""
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        )
        return result.stdout
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdf_pages(path: Path) -> list[str]:
    """Return the text of each page of a PDF, in order."""
    if shutil.which("pdftotext"):
        return pdf_text(path).split("\f")[: len(PdfReader(str(path)).pages)]
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def squash(text: str) -> str:
    """Return text with all runs of white space made single spaces, for phrase searches."""
    return " ".join(text.split())


def documents_in(folder: Path) -> list[Path]:
    """Return every document a build wrote under folder: not index.csv, which only lists them,
    nor pcndocs' own hidden records (.pcndocs/)."""
    if not folder.exists():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.name != "index.csv"
        and not any(part.startswith(".") for part in p.relative_to(folder).parts[:-1])
    )


def libreoffice_pdfs(docx_files: list[Path], folder: Path, profile: Path) -> list[Path]:
    """Print DOCX files to PDF with LibreOffice into folder, with its user profile at
    `profile` (made on first use); return the PDFs, in the order of the files."""
    assert SOFFICE is not None, "LibreOffice (soffice) is not installed"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, docx_files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return [folder / f"{path.stem}.pdf" for path in docx_files]
