"""The DOCX writer beside python-docx alone, building the same content, in one process.

For each document of the example profile, in alternation:
- pcndocs' writer: `write_docx` on the document tree, page details, reference document and
  logo that a build hands it (captured once), up to the DOCX's bytes in memory;
- python-docx alone: a document with the same paragraphs, styles, runs and tables, header
  and footer text and core properties (read back from pcndocs' own DOCX before timing), built
  with python-docx's public API from the same reference document and saved to bytes.
Both start from the reference document on disk each time. The ratio is what the writer costs
beyond python-docx doing the same job through its public API.
"""

from __future__ import annotations

import inspect
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.documents import available
from benchmarks.measure import interleaved, ratio
from benchmarks.per_document import WordModel, _python_docx_alone, _read_word
from benchmarks.report import Section, Settings, Verdict, note, seconds
from pcndocs.output.batch import build_profile
from pcndocs.output.build import REFERENCE_DOCX, BuildOptions
from pcndocs.render.document import Document, PageInfo
from pcndocs.render.documents import DocumentKind
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates, example_profile

TARGET = 1.3


@dataclass(frozen=True)
class WriterInput:
    """What a build passed to the DOCX writer for one file."""

    document: Document
    info: PageInfo
    reference: Path | None
    logo: Path | None
    when: datetime
    revision_author: str = "pcndocs"


def run(settings: Settings) -> Section:
    """Time the DOCX writer against python-docx alone for every document of the example."""
    section = Section("DOCX writer: pcndocs' writer beside python-docx alone")
    kinds, skipped = available(settings.smoke)
    section.bullets(skipped)
    repeat = settings.repeats(15, 5)
    out = settings.out / "docx-writer"
    shutil.rmtree(out, ignore_errors=True)
    section.say(
        f"The example profile ({example_profile().name}); minimum of {repeat} runs after one "
        "warm-up, the writer alternating with python-docx alone on the same content. The "
        "ratio is of CPU time (getrusage), which other work on a shared machine does not "
        "inflate; wall time beside it, and the highest 1-minute load average seen."
    )
    section.say()
    rows: list[list[str]] = []
    total_ours = total_theirs = 0.0
    worst = 0.0
    for kind in kinds:
        note(f"docx writer: {kind.name}")
        inputs = capture_inputs(kind, out / kind.name)
        ours, theirs = writer_and_baseline(inputs)
        timings = interleaved({"ours": ours, "theirs": theirs}, repeat)
        mine, base = timings["ours"], timings["theirs"]
        cpu_ratio = ratio(mine.cpu, base.cpu)
        worst = max(worst, cpu_ratio)
        total_ours += mine.cpu
        total_theirs += base.cpu
        rows.append(
            [
                kind.name,
                str(len(inputs)),
                seconds(mine.cpu),
                seconds(base.cpu),
                f"**{cpu_ratio:.3f}**",
                f"{ratio(mine.wall, base.wall):.3f}",
                f"{max(mine.load, base.load):.1f}",
                "met" if cpu_ratio <= TARGET else "**missed**",
            ]
        )
    section.table(
        [
            "document",
            "files",
            "pcndocs' writer (CPU)",
            "python-docx alone (CPU)",
            "ratio (CPU)",
            "ratio (wall)",
            "load",
            f"target ≤ {TARGET:.1f}",
        ],
        rows,
    )
    whole = ratio(total_ours, total_theirs)
    section.say(
        f"- All documents together: {seconds(total_ours)} of CPU against "
        f"{seconds(total_theirs)}, "
        f"{whole:.3f}×."
    )
    section.say(
        "- The python-docx baseline sets each paragraph's style by name through the public "
        "API and saves with python-docx's own zip writer. It has no clause numbering, tick "
        "boxes, column widths, fields or logo: it is less work than the writer does."
    )
    section.say()
    section.verdicts.append(
        Verdict(
            f"DOCX writer ≤ {TARGET:.1f}× python-docx on the same content, each document (CPU)",
            f"worst {worst:.3f}, all together {whole:.3f}",
            worst <= TARGET,
        )
    )
    return section


def capture_inputs(kind: DocumentKind, folder: Path) -> list[WriterInput]:
    """Build a document's DOCX files once, keeping what the build handed the writer."""
    import pcndocs.render.writers.docx as docx_writer

    captured: list[WriterInput] = []
    original = docx_writer.write_docx
    signature = inspect.signature(original)

    def spy(*args: Any, **kwargs: Any) -> bytes:
        given = signature.bind(*args, **kwargs).arguments
        captured.append(WriterInput(**given))
        return original(*args, **kwargs)

    docx_writer.write_docx = spy
    try:
        build_profile(
            example_profile(),
            BuildOptions(out=folder, formats=("docx",), documents=(kind.name,), force=True),
        )
    finally:
        docx_writer.write_docx = original
    if not captured:
        raise RuntimeError("pcndocs no longer calls pcndocs.render.writers.docx.write_docx")
    return captured


def writer_and_baseline(
    inputs: list[WriterInput],
) -> tuple[Callable[[], object], Callable[[], object]]:
    """Return two functions: the writer on every input, python-docx alone on the same."""
    from pcndocs.render.writers.docx import write_docx

    with tempfile.TemporaryDirectory() as scratch:
        models: list[WordModel] = []
        for index, given in enumerate(inputs):
            path = Path(scratch) / f"{index}.docx"
            path.write_bytes(
                write_docx(given.document, given.info, given.reference, given.logo, given.when)
            )
            models.append(_read_word(path))
    reference = Templates(builtin_templates()).find(REFERENCE_DOCX)
    baseline = _python_docx_alone(models, reference)

    def ours() -> None:
        for given in inputs:
            write_docx(
                given.document,
                given.info,
                given.reference,
                given.logo,
                given.when,
                given.revision_author,
            )

    def theirs() -> None:
        for model in models:
            baseline(model)

    return ours, theirs
