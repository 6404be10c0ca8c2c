"""Against the usual route: pcndocs' DOCX made into a PDF by LibreOffice, beside our own PDF.

Most document-assembly tools fill a Word template and then run
`soffice --headless --convert-to pdf`. This converts pcndocs' own DOCX that way and compares
the time with pcndocs writing the PDF itself, both as whole processes (each starts, converts
or builds, exits) and, for pcndocs, warm inside one process as a batch build is.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from benchmarks.documents import available
from benchmarks.measure import ProcessRun, highest_load, interleaved, min_runs, ratio, run_process
from benchmarks.report import Section, Settings, Verdict, note, seconds
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.resources import example_profile


def run(settings: Settings) -> Section:
    """Convert each available document with LibreOffice and compare; return the section."""
    section = Section("2. Against the usual route: DOCX to PDF with LibreOffice")
    soffice = shutil.which("soffice")
    kinds, skipped = available(settings.smoke)
    section.bullets(skipped)
    if soffice is None or not kinds:
        section.say(
            "LibreOffice (soffice) is not installed here." if soffice is None else "No template."
        )
        section.verdicts.append(Verdict("LibreOffice ÷ pcndocs for a PDF", "-", None))
        return section
    repeat = settings.repeats(5, 2)
    out = settings.out / "libreoffice"
    shutil.rmtree(out, ignore_errors=True)
    profile_dir = out / "lo-profile"
    example = example_profile()
    converted = out / "converted"

    def soffice_command(files: list[Path]) -> list[str]:
        return [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile_dir.resolve().as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(converted),
            *map(str, files),
        ]

    documents = tuple(k.name for k in kinds)
    build_profile(
        example,
        BuildOptions(out=out / "warm-up", formats=("docx",), documents=documents, force=True),
    )
    note("LibreOffice: first run, which creates its user profile (not timed)")
    first_docx = sorted((out / "warm-up").rglob("*.docx"))
    run_process(soffice_command(first_docx[:1]), timeout=600)
    section.say(
        f"CPU time, minimum of {repeat} alternating runs after one warm-up (whole processes: "
        "every process of the tree, soffice.bin included). LibreOffice runs with its own user "
        "profile, created before timing. Whole-process times include each program's start-up; "
        "'warm' is pcndocs' build_profile (with force) inside a running process, as each "
        "worker of a batch build runs it. Ratios are LibreOffice's CPU ÷ pcndocs' CPU."
    )
    section.say()
    rows: list[list[str]] = []
    ratios: list[float] = []
    all_files: list[Path] = []
    warm_total = 0.0
    for kind in kinds:
        note(f"LibreOffice: {kind.name}")
        folder = out / "pcndocs" / kind.name
        result = build_profile(
            example,
            BuildOptions(out=folder, formats=("docx", "pdf"), documents=(kind.name,), force=True),
        )
        files = [p for p in result.written if p.suffix == ".docx"]
        ours_pdf = sorted(p for p in result.written if p.suffix == ".pdf")
        all_files += files
        options = BuildOptions(out=folder, formats=("pdf",), documents=(kind.name,), force=True)
        warm = interleaved({"pdf": partial(build_profile, example, options)}, repeat)["pdf"]
        warm_total += warm.cpu
        process_command = [
            settings.pcndocs,
            "-q",
            "build",
            "--force",
            "-f",
            "pdf",
            "-d",
            kind.name,
            "-o",
            str(folder),
            str(example),
        ]
        run_process(process_command)
        ours_runs: list[ProcessRun] = []
        theirs_runs: list[ProcessRun] = []
        for _ in range(repeat):
            ours_runs.append(run_process(process_command))
            theirs_runs.append(run_process(soffice_command(files), timeout=600))
        ours_process, theirs = min_runs(ours_runs), min_runs(theirs_runs)
        routes = ratio(theirs[1], ours_process[1])
        ratios.append(routes)
        pages = _pages(ours_pdf), _pages([converted / f"{p.stem}.pdf" for p in files])
        rows.append(
            [
                kind.name,
                str(len(files)),
                seconds(warm.cpu),
                seconds(ours_process[1]),
                seconds(theirs[1]),
                f"**{routes:.1f}×**",
                f"{ratio(theirs[1], warm.cpu):.1f}×",
                f"{pages[0]} / {pages[1]}",
                f"{max(warm.load, highest_load(ours_runs + theirs_runs)):.1f}",
            ]
        )
    note("LibreOffice: every document in one call")
    batch_runs = [run_process(soffice_command(all_files), timeout=1200) for _ in range(repeat)]
    batch = min_runs(batch_runs)
    per_file = batch[1] / len(all_files)
    rows.append(
        [
            "all in one soffice call",
            str(len(all_files)),
            seconds(warm_total / len(all_files)) + " a file",
            "-",
            seconds(per_file) + " a file",
            "-",
            f"{per_file / (warm_total / len(all_files)):.1f}×",
            "-",
            f"{highest_load(batch_runs):.1f}",
        ]
    )
    section.table(
        [
            "document",
            "files",
            "pcndocs PDF, warm",
            "pcndocs PDF, whole process",
            "LibreOffice, whole process",
            "LibreOffice ÷ pcndocs (processes)",
            "LibreOffice ÷ pcndocs warm",
            "pages: ours / LibreOffice's",
            "load",
        ],
        rows,
    )
    section.say(
        "LibreOffice's PDF is an untagged rendering of the DOCX; pcndocs' is tagged PDF/UA-1 "
        "with form check boxes, so the two are not the same work: the comparison is of routes."
    )
    section.say()
    span = f"{min(ratios):.1f}×" + (f" to {max(ratios):.1f}×" if max(ratios) > min(ratios) else "")
    section.verdicts.append(
        Verdict(
            "LibreOffice's time ÷ pcndocs' for a PDF (no target; the usual route)",
            f"{span} as whole processes; {per_file / (warm_total / len(all_files)):.1f}× per "
            "file in a batch (one soffice call; pcndocs warm)",
            None,
        )
    )
    return section


def _pages(files: list[Path]) -> str:
    from pypdf import PdfReader

    try:
        return str(sum(len(PdfReader(str(path)).pages) for path in files))
    except (OSError, ValueError):
        return "?"
