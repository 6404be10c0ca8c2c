"""Per document: pcndocs' whole build of one document beside the libraries doing only their part.

For each document of the example profile, in one process and in alternation:
- pcndocs: build_profile for that document and one format (load and check the profile, render
  the template, parse the Markdown, write the HTML or Word tree, call the library, write the
  file atomically);
- WeasyPrint alone: the exact HTML page and stylesheet pcndocs gave WeasyPrint, rendered with
  the same options and a reused FontConfiguration and parsed stylesheet;
- python-docx alone: a document with the same paragraphs, styles, runs and tables (read back
  from pcndocs' own DOCX before timing), built with python-docx's public API and saved.
The ratio pcndocs / library is what our own code adds on top of the library.
"""

from __future__ import annotations

import inspect
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.documents import available
from benchmarks.measure import Timing, cpu_now, interleaved, ratio
from benchmarks.report import Section, Settings, Verdict, note, seconds
from pcndocs.output.batch import build_profile
from pcndocs.output.build import REFERENCE_DOCX, BuildOptions
from pcndocs.render.documents import DocumentKind
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates, example_profile

TARGET = 1.15

Runs = list[tuple[str, bool | None, bool | None]]


@dataclass(frozen=True)
class PdfInput:
    """What pcndocs passed to its WeasyPrint writer for one document."""

    html: str
    css: str
    folders: tuple[Path, ...]
    identifier: bytes


@dataclass(frozen=True)
class WordModel:
    """The content of a DOCX as python-docx sees it: blocks, header and footer, properties."""

    blocks: list[tuple[str, str | None, Any]]  # ("p", style, runs) or ("t", style, rows)
    header: str
    footer: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Measured:
    """One document in one format: pcndocs' build, its render step, and the library alone."""

    fmt: str
    library: str
    ours: Timing
    render: float | None  # median seconds inside pcndocs.output.build._render, if it can be seen
    theirs: Timing
    files: int


def run(settings: Settings) -> Section:
    """Measure every available document of the example profile; return the section."""
    section = Section("1. Per document: what pcndocs adds to WeasyPrint and python-docx")
    kinds, skipped = available(settings.smoke)
    section.bullets(skipped)
    if not kinds:
        section.say("No document template is available; nothing measured.")
        section.verdicts.append(Verdict("our code adds ≤ 15% per document", "-", None))
        return section
    repeat = settings.repeats(7, 3)
    out = settings.out / "per-document"
    shutil.rmtree(out, ignore_errors=True)
    section.say(
        f"The example profile ({example_profile().name}); minimum of {repeat} runs after one "
        "warm-up, each pcndocs run (with force: every file rendered) alternating with its "
        "library-only run. The ratio is of CPU time (getrusage, this process and its children), "
        "which other work on a shared machine does not inflate; wall time beside it, and the "
        "highest 1-minute load average seen while the pair ran."
    )
    section.say()
    rows: list[list[str]] = []
    worst = 0.0
    checks: list[str] = []
    for kind in kinds:
        note(f"per document: {kind.name}")
        measured = _measure(kind, out, repeat, checks)
        for m in measured:
            cpu_ratio = ratio(m.ours.cpu, m.theirs.cpu)
            worst = max(worst, cpu_ratio)
            rows.append(
                [
                    kind.name,
                    str(m.files),
                    m.fmt.upper(),
                    seconds(m.ours.cpu),
                    f"{m.library}: {seconds(m.theirs.cpu)}",
                    seconds(m.ours.cpu - m.theirs.cpu),
                    f"**{cpu_ratio:.3f}**",
                    f"{ratio(m.ours.wall, m.theirs.wall):.3f}",
                    "-"
                    if m.render is None
                    else f"{seconds(m.render)}: {ratio(m.render, m.theirs.cpu):.3f}",
                    f"{max(m.ours.load, m.theirs.load):.1f}",
                    "met" if cpu_ratio <= TARGET else "**missed**",
                ]
            )
    section.table(
        [
            "document",
            "files",
            "format",
            "pcndocs build (CPU)",
            "library alone (CPU)",
            "our code adds",
            "ratio (CPU)",
            "ratio (wall)",
            "render step only: CPU, ratio",
            "load",
            f"target ≤ {TARGET:.2f}",
        ],
        rows,
    )
    for text in checks:
        section.say(f"- {text}")
    section.say(
        "- The python-docx baseline has the same paragraphs, styles, runs and tables, header "
        "and footer text and core properties, but not pcndocs' raw XML (clause numbering, tick "
        "boxes, cell shading, PAGE fields) nor the fixed timestamps of its zip entries; so it is "
        "a little less work than pcndocs asks of python-docx, and the DOCX ratio is, if "
        "anything, an overestimate of what our code adds."
    )
    section.say(
        "- pcndocs' build is `build_profile` for that one document and format: loading and "
        "checking the profile, rendering the template, parsing the Markdown, the writer and "
        "the library, and writing the file (a temporary file, fsync, rename); the libraries' "
        "time ends with the bytes in memory. The render step is the part inside "
        "`pcndocs.output.build._render`: from the parsed document to the file's bytes (our HTML or "
        "Word writer plus the library)."
    )
    section.say()
    section.verdicts.append(
        Verdict(
            f"our code adds ≤ {TARGET - 1:.0%} to each document's library time",
            f"worst ratio {worst:.3f}",
            worst <= TARGET,
        )
    )
    return section


def _measure(kind: DocumentKind, out: Path, repeat: int, checks: list[str]) -> list[Measured]:
    """Return pcndocs' and the library's timings of a document, as PDF and as DOCX."""
    profile = example_profile()
    folder = out / kind.name
    pdf_inputs = _capture_pdf_inputs(profile, kind, folder)
    result = build_profile(
        profile, BuildOptions(out=folder, formats=("docx",), documents=(kind.name,), force=True)
    )
    docx_files = [p for p in result.written if p.suffix == ".docx"]
    pdf_files = sorted(p for p in (result.folder).glob("*.pdf"))
    models = [_read_word(path) for path in docx_files]
    reference = Templates(builtin_templates()).find(REFERENCE_DOCX)

    weasyprint_alone = _weasyprint_alone(pdf_inputs)
    python_docx_alone = _python_docx_alone(models, reference)

    # The library renderings are the same documents: check it once, outside the timing.
    same_pdf = [p.read_bytes() for p in pdf_files] == [
        weasyprint_alone(i) for i in range(len(pdf_inputs))
    ]
    checks.append(
        f"{kind.name}: WeasyPrint alone gives {'byte-identical' if same_pdf else 'different'} "
        f"PDFs to pcndocs' ({len(pdf_inputs)} file{'s' if len(pdf_inputs) != 1 else ''}); "
        f"python-docx alone gives {_same_text(docx_files, models, reference)}"
    )

    clock = _RenderClock()
    spent: dict[str, list[float]] = {"pdf": [], "docx": []}

    def ours(fmt: str) -> Callable[[], object]:
        options = BuildOptions(out=folder, formats=(fmt,), documents=(kind.name,), force=True)

        def build() -> None:
            clock.spent = 0.0
            build_profile(profile, options)
            spent[fmt].append(clock.spent)

        return build

    with clock:
        timings = interleaved(
            {
                "pcndocs pdf": ours("pdf"),
                "weasyprint": lambda: [weasyprint_alone(i) for i in range(len(pdf_inputs))],
                "pcndocs docx": ours("docx"),
                "python-docx": lambda: [python_docx_alone(m) for m in models],
            },
            repeat,
        )

    def render(fmt: str) -> float | None:
        return min(spent[fmt][1:]) if clock.seen else None  # [0]: warm-up

    return [
        Measured(
            "pdf",
            "WeasyPrint",
            timings["pcndocs pdf"],
            render("pdf"),
            timings["weasyprint"],
            len(pdf_inputs),
        ),
        Measured(
            "docx",
            "python-docx",
            timings["pcndocs docx"],
            render("docx"),
            timings["python-docx"],
            len(models),
        ),
    ]


class _RenderClock:
    """Adds up the CPU time spent in output.build._render while active (if it still exists)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.seen = False
        self.original: Callable[..., Any] | None = None

    def __enter__(self) -> _RenderClock:
        import pcndocs.output.build

        original = getattr(pcndocs.output.build, "_render", None)
        if original is None:
            return self
        self.original = original

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = cpu_now()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent += cpu_now() - start
                self.seen = True

        pcndocs.output.build._render = timed
        return self

    def __exit__(self, *_: object) -> None:
        import pcndocs.output.build

        if self.original is not None:
            pcndocs.output.build._render = self.original


def _capture_pdf_inputs(profile: Path, kind: DocumentKind, folder: Path) -> list[PdfInput]:
    """Build the document's PDFs once, keeping what pcndocs handed to WeasyPrint."""
    import pcndocs.render.writers.pdf as pdf_writer

    captured: list[PdfInput] = []
    original = pdf_writer.write_pdf

    signature = inspect.signature(original)

    def spy(*args: Any, **kwargs: Any) -> Any:
        given = signature.bind(*args, **kwargs).arguments
        captured.append(
            PdfInput(given["html"], given["css_text"], tuple(given["folders"]), given["identifier"])
        )
        return original(*args, **kwargs)

    pdf_writer.write_pdf = spy
    try:
        build_profile(
            profile, BuildOptions(out=folder, formats=("pdf",), documents=(kind.name,), force=True)
        )
    finally:
        pdf_writer.write_pdf = original
    if not captured:
        raise RuntimeError(
            "pcndocs no longer calls pcndocs.render.writers.pdf.write_pdf at build time"
        )
    return captured


def _weasyprint_alone(inputs: list[PdfInput]) -> Callable[[int], bytes]:
    """Return a function rendering input i with WeasyPrint only, as pcndocs asks it to."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    base_url = inputs[0].folders[-1].resolve().as_uri() + "/"
    stylesheets = {
        text: CSS(string=text, base_url=base_url, font_config=fonts)
        for text in {i.css for i in inputs}
    }

    def render(index: int) -> bytes:
        item = inputs[index]
        pdf: bytes = HTML(string=item.html, base_url=base_url).write_pdf(
            stylesheets=[stylesheets[item.css]],
            font_config=fonts,
            pdf_variant="pdf/ua-1",
            pdf_forms=True,
            pdf_identifier=item.identifier,
            custom_metadata=True,
        )
        return pdf

    return render


def _read_word(path: Path) -> WordModel:
    """Return the blocks, header, footer and properties of a DOCX, read with python-docx."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    word = docx.Document(str(path))

    def runs(paragraph: Any) -> Runs:
        return [(r.text, r.bold, r.italic) for r in paragraph.runs if r.text]

    blocks: list[tuple[str, str | None, Any]] = []
    for child in word.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, word.part)
            blocks.append(("p", paragraph.style.name if paragraph.style else None, runs(paragraph)))
        elif child.tag == qn("w:tbl"):
            table = Table(child, word.part)
            rows = [
                [[run for p in cell.paragraphs for run in runs(p)] for cell in row.cells]
                for row in table.rows
            ]
            blocks.append(("t", table.style.name if table.style else None, rows))
    section = word.sections[0]
    props = word.core_properties
    return WordModel(
        blocks,
        section.header.paragraphs[0].text,
        section.footer.paragraphs[0].text,
        {
            "title": props.title,
            "subject": props.subject,
            "author": props.author,
            "keywords": props.keywords,
            "created": props.created,
        },
    )


def _python_docx_alone(
    models: list[WordModel], reference: Path | None
) -> Callable[[WordModel], bytes]:
    """Return a function building and saving a model's document with python-docx only."""
    import docx

    names = {style.name for style in docx.Document(str(reference) if reference else None).styles}

    def build(model: WordModel) -> bytes:
        word = docx.Document(str(reference) if reference else None)
        body = word.element.body  # the reference's sample paragraphs go, as pcndocs' do
        body.remove_all("w:p", "w:tbl")
        section = word.sections[0]
        section.header.paragraphs[0].add_run(model.header)
        section.footer.paragraphs[0].add_run(model.footer)
        for key, value in model.properties.items():
            setattr(word.core_properties, key, value)
        for kind, style, content in model.blocks:
            if kind == "p":
                paragraph = word.add_paragraph(style=style if style in names else None)
                _add_runs(paragraph, content)
                continue
            table = word.add_table(rows=len(content), cols=max(len(r) for r in content))
            if style in names:
                table.style = style
            for row, cells in zip(table.rows, content, strict=True):
                for cell, cell_runs in zip(row.cells, cells, strict=False):
                    _add_runs(cell.paragraphs[0], cell_runs)
        buffer = io.BytesIO()
        word.save(buffer)
        return buffer.getvalue()

    del models
    return build


def _add_runs(paragraph: Any, runs: Runs) -> None:
    for text, bold, italic in runs:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic


def _same_text(files: list[Path], models: list[WordModel], reference: Path | None) -> str:
    """Return whether the python-docx-only documents hold the same text as pcndocs' DOCX."""
    import docx

    build = _python_docx_alone(models, reference)
    for path, model in zip(files, models, strict=True):
        ours = [p.text for p in docx.Document(str(path)).paragraphs]
        theirs = [p.text for p in docx.Document(io.BytesIO(build(model))).paragraphs]
        if ours != theirs:
            return "documents whose paragraphs differ from pcndocs' (check the baseline)"
    return "documents with the same paragraphs and tables as pcndocs'"
