"""Hostile stylesheets: read with WeasyPrint's own parser, and bounded when rendered.

Each is a user's pdf.css (and the files it imports) in a --templates folder. Those the
parser can judge are refused before anything is rendered, with one line naming the file,
the line and the rule; the rest are stopped while the PDF is made, failing that document
with one line, and never printing thousands.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.render.writers import pdf
from pcndocs.render.writers.pdf import MAX_MESSAGES, MAX_PAGES
from pcndocs.resources import example_profile
from tests.readback import documents_in

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

SELF = "imports itself (pdf.css -> pdf.css)"
NOT_A_PAGE = "is not a real page: each side must be 50 to 2000 mm"
WORKED_OUT = "is worked out by a function such as var() or calc()"

#: name: (files of the folder, the line expected after "error: FOLDER/")
REFUSED: dict[str, tuple[dict[str, str], str]] = {
    "an import with no space": ({"pdf.css": '@import"pdf.css";\n'}, f"pdf.css:1: {SELF}"),
    "an import with a comment": (
        {"pdf.css": 'h1 { color: red }\n@import/* hidden */"pdf.css";\n'},
        f"pdf.css:2: {SELF}",
    ),
    "an import with a query": ({"pdf.css": '@import "pdf.css?1";\n'}, f"pdf.css:1: {SELF}"),
    "an import with a fragment": ({"pdf.css": "@import url(pdf.css#top);\n"}, f"pdf.css:1: {SELF}"),
    "an escaped at-keyword": ({"pdf.css": '@\\69mport "pdf.css";\n'}, f"pdf.css:1: {SELF}"),
    "an escaped file name": ({"pdf.css": '@import "\\70 df.css";\n'}, f"pdf.css:1: {SELF}"),
    "an escaped url()": ({"pdf.css": "@import u\\72l(pdf.css);\n"}, f"pdf.css:1: {SELF}"),
    "upper case and ./": ({"pdf.css": '@IMPORT "./pdf.css" print;\n'}, f"pdf.css:1: {SELF}"),
    "a loop through a data: URL": (
        {
            "pdf.css": "@import url(\"data:text/css,@import 'a.css';\");\n",
            "a.css": '@import "pdf.css";\n',
        },
        "a.css:1: imports itself (pdf.css -> a.css -> pdf.css)",
    ),
    "a loop through a base64 data: URL": (
        # @import "pdf.css";
        {"pdf.css": '@import url("data:text/css;base64,QGltcG9ydCAicGRmLmNzcyI7");\n'},
        f"pdf.css:1:1: {SELF}",
    ),
    "a loop inside @media": (
        {"pdf.css": '@media print {\n  @import "pdf.css";\n}\n'},
        f"pdf.css:2: {SELF}",
    ),
    "a page size with an escaped unit": (
        {"pdf.css": "@page { size: 2p\\78  2px }\n"},
        # Named as WeasyPrint reads it, the escape resolved.
        f"pdf.css:1: @page size '2px 2px' {NOT_A_PAGE}",
    ),
    "a page size from var()": (
        {"pdf.css": ":root { --tiny: 2px }\n@page { size: var(--tiny) var(--tiny) }\n"},
        f"pdf.css:2: @page size 'var(--tiny) var(--tiny)' {WORKED_OUT}: write the length "
        "itself (such as A4, or 210mm 297mm)",
    ),
    "a page size from calc()": (
        {"pdf.css": "@page { size: calc(1mm + 1mm) 100mm }\n"},
        f"pdf.css:1: @page size 'calc(1mm + 1mm) 100mm' {WORKED_OUT}: write the length "
        "itself (such as A4, or 210mm 297mm)",
    ),
    "a page size in ems": (
        {"pdf.css": "@page { size: 1em 1em }\n"},
        f"pdf.css:1: @page size '1em 1em' {NOT_A_PAGE}",
    ),
    "a page size with no unit": (
        {"pdf.css": "@page { size: 0 }\n"},
        f"pdf.css:1: @page size '0' {NOT_A_PAGE}",
    ),
    "a page the size of a house": (
        {"pdf.css": "@page :first { size: 30m 30m }\n"},
        f"pdf.css:1: @page size '30m 30m' {NOT_A_PAGE}",
    ),
    "a tiny page inside @media": (
        {"pdf.css": "@media print {\n  @page { size: 10mm 10mm }\n}\n"},
        f"pdf.css:2: @page size '10mm 10mm' {NOT_A_PAGE}",
    ),
    "a tiny page in an imported file": (
        {"pdf.css": '@import "b.css";\n', "b.css": "\n\n@page { SIZE: 1in 1in !important }\n"},
        f"b.css:3: @page size '1in 1in' {NOT_A_PAGE}",
    ),
    "a margin from var()": (
        {"pdf.css": "@page { margin: 0 var(--m) }\n"},
        f"pdf.css:1: @page margin '0 var(--m)' {WORKED_OUT}: write the length itself "
        "(such as A4, or 210mm 297mm)",
    ),
}


def build(tmp_path: Path, files: dict[str, str], *extra: str) -> tuple[int, str, Path]:
    """Build one document's PDF with a --templates folder of these files."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["build", "-f", "pdf", "-d", "schedule-1", "--templates", str(folder), "-o"]
    result = CliRunner().invoke(cli, [*arguments, str(out), *extra, str(example_profile())])
    return result.exit_code, result.stderr.replace(f"{folder}/", ""), out


@pytest.mark.parametrize("name", REFUSED)
def test_the_parser_refuses_it_with_one_line(name: str, tmp_path: Path) -> None:
    files, line = REFUSED[name]
    code, stderr, out = build(tmp_path, files)
    assert code == 1
    assert stderr == f"error: {line}\n"
    assert documents_in(out) == []


@pytest.mark.parametrize(
    "css",
    [
        '@import "builtin/pdf.css";\n@page { size: A5 landscape; margin: 15mm }\n',
        "@page { size: 210mm 297mm }\n@page :first { margin-top: 3cm }\n",
        '@import "builtin/pdf.css";\n@page { size: letter }\n@media print { h1 { color: navy } }\n',
    ],
)
def test_ordinary_pages_are_used(css: str, tmp_path: Path) -> None:
    code, stderr, out = build(tmp_path, {"pdf.css": css})
    assert code == 0, stderr
    assert [p.name for p in documents_in(out)] == ["schedule-1.pdf"]


#: Stylesheets no parser can judge: only rendering shows how many pages they make.
RENDERED = {
    "a huge font": "html { font-size: 300px }\n",
    "a huge line height": "body { line-height: 200mm }\n",
}


@pytest.mark.parametrize("name", RENDERED)
def test_a_render_past_the_page_limit_fails_the_document_with_one_line(
    name: str, tmp_path: Path
) -> None:
    code, stderr, out = build(tmp_path, {"pdf.css": RENDERED[name]}, "-j", "1")
    assert code == 1
    assert stderr == (
        f"error: schedule-1: the PDF would be longer than {MAX_PAGES} pages: check the stylesheet\n"
    )
    assert documents_in(out) == []


def test_thousands_of_mistakes_print_a_few_lines(tmp_path: Path) -> None:
    """Run as a user runs it, so WeasyPrint's messages reach the terminal as they would."""
    folder = tmp_path / "mine"
    folder.mkdir()
    mistakes = "".join(f"h{i % 6 + 1} {{ colour-{i}: red; }}\n" for i in range(5000))
    (folder / "pdf.css").write_text(mistakes, encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["build", "-j", "1", "-f", "pdf", "-d", "schedule-1", "--templates"]
    done = subprocess.run(
        [sys.executable, "-m", "pcndocs", *arguments, str(folder), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert [p.name for p in documents_in(out)] == ["schedule-1.pdf"]
    lines = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == MAX_MESSAGES + 1, lines[:3]
    assert "Ignored `colour-0: red`" in lines[0]
    assert lines[-1].endswith("4990 more messages of WeasyPrint about this document were left out")


# An alarm that lands in a garbage-collector callback (hypothesis installs one) is reported
# by Python as ignored; the limit then fires again and stops the render all the same.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_render_past_its_time_fails_the_document_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit as the worker applies it, made small enough for an ordinary document."""
    monkeypatch.setattr(pdf, "PDF_SECONDS", 0.01)
    code, stderr, out = build(tmp_path, {"pdf.css": "h1 { color: navy }\n"}, "-j", "1")
    assert code == 1
    expected = "the PDF took longer than 0.01 seconds to make: check the stylesheet"
    assert stderr == f"error: schedule-1: {expected}\n"
    assert documents_in(out) == []
