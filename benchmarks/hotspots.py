"""Where the time goes: cProfile of one network's build, grouped by library, and the fonts.

The example profile is built once to warm the process's caches (fonts, stylesheets, templates),
then built again under cProfile. Each function's own time is given to the package its code is
in; C functions (lxml, Pango through cffi, zlib...) count for the package that called them.
Also: the cost of a process's first build against the next ones, and whether WeasyPrint
subsets fonts with HarfBuzz here.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.documents import available
from benchmarks.measure import interleaved, load_now
from benchmarks.report import REPO, Section, Settings, note, seconds
from pcndocs.output.batch import build_profile
from pcndocs.output.build import STYLESHEET, BuildOptions
from pcndocs.resources import builtin_templates, example_profile

_FIRST_AND_NEXT = r"""
import json, sys, time
from pathlib import Path
clock = time.process_time()
from pcndocs.output.build import BuildOptions
from pcndocs.output.batch import build_profile
imported = time.process_time() - clock
# force: every build renders every file (without it the second would be a no-op rebuild)
options = BuildOptions(
    out=Path(sys.argv[2]), documents=tuple(sys.argv[3].split(",")), force=True
)
times = []
for _ in range(3):
    clock = time.process_time()
    build_profile(Path(sys.argv[1]), options)
    times.append(time.process_time() - clock)
print(json.dumps({"import": imported, "builds": times}))
"""


def run(settings: Settings) -> Section:
    """Profile one network's build; return the section."""
    section = Section("5. Where the time goes")
    kinds, skipped = available(settings.smoke)
    section.bullets(skipped)
    if not kinds:
        section.say("No document template is available; nothing profiled.")
        return section
    out = settings.out / "profile"
    example = example_profile()
    options = BuildOptions(
        out=out, formats=("docx", "pdf"), documents=tuple(k.name for k in kinds), force=True
    )
    note("profile: the example, warm, under cProfile")
    build_profile(example, options)
    profiler = cProfile.Profile()
    profiler.enable()
    result = build_profile(example, options)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: Any = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    areas: dict[str, float] = {}
    for function, (_, _, own, _, callers) in raw.items():
        if function[0] == "~" and callers:  # a C function: charge its callers' packages
            for caller, edge in callers.items():
                area = _area(caller[0])
                areas[area] = areas.get(area, 0.0) + edge[2]
        else:
            area = _area(function[0])
            areas[area] = areas.get(area, 0.0) + own
    section.say(
        f"cProfile of one warm build of the example profile: {len(result.written)} files "
        f"({', '.join(k.name for k in kinds)}; DOCX and PDF), {seconds(total)} of profiled "
        "time (cProfile slows Python code more than C code, so shares are approximate)."
    )
    section.say()
    rows = [
        [area, seconds(spent), f"{spent / total:.0%}"]
        for area, spent in sorted(areas.items(), key=lambda item: -item[1])
        if spent / total >= 0.005
    ]
    section.table(["package", "own time", "share"], rows)

    ours = sorted(
        (
            (entry[3], function)
            for function, entry in raw.items()
            if _area(function[0]) == "pcndocs (our code)"
        ),
        key=lambda item: -item[0],
    )
    section.say("pcndocs functions by cumulative time (including the libraries they call):")
    section.say()
    section.table(
        ["function", "cumulative", "share"],
        [
            [f"`{Path(f[0]).name}:{f[2]}`", seconds(spent), f"{spent / total:.0%}"]
            for spent, f in ours[:12]
        ],
    )
    heaviest = sorted(
        ((entry[3], function) for function, entry in raw.items() if "weasyprint" in function[0]),
        key=lambda item: -item[0],
    )
    layout = [
        (spent, f)
        for spent, f in heaviest
        if f[2] in ("table_and_columns_preferred_widths", "split_first_line", "layout_document")
    ]
    if layout:
        section.say(
            "Inside WeasyPrint (cumulative, so they overlap): "
            + "; ".join(f"`{f[2]}` {spent / total:.0%}" for spent, f in layout)
            + " of the build."
        )
        section.say()
    cells = [
        (entry[1], entry[3])
        for function, entry in raw.items()
        if function[2] == "_cells" and function[0].endswith("docx/table.py")
    ]
    if cells:
        count, spent = cells[0]
        section.say(
            f"Inside python-docx: `Table._cells`, which builds the list of every cell of a table "
            f"and which `table.cell(row, column)` calls each time, ran {count} times for "
            f"{seconds(spent)} ({spent / total:.0%} of the build): filling a table cell by cell "
            "costs time in the square of its size."
        )
        section.say()
    section.say(_stylesheet_levers(example, out, options, settings))
    section.say()
    section.say(_table_cells_lever(example, out, options, settings))
    section.say()
    section.say(_first_and_next(example, out, [k.name for k in kinds]))
    section.say()
    section.say(_fonts(raw))
    section.say()
    return section


LEVERS = {
    "`td, th { overflow-wrap: break-word }` instead of `anywhere`": (
        "td, th { overflow-wrap: break-word; }"
    ),
    "`table { table-layout: fixed }`": "table { table-layout: fixed; }",
}


def _stylesheet_levers(example: Path, out: Path, options: BuildOptions, settings: Settings) -> str:
    """Return how much faster the PDFs are with two changes to the stylesheet's tables.

    Each change is appended to the built-in pdf.css in a --templates folder, so it overrides
    the built-in rule; the built-in stylesheet itself is not changed.
    """
    stylesheet = builtin_templates() / STYLESHEET
    if not stylesheet.is_file():
        return "(no built-in stylesheet to try changes on)"
    note("profile: the stylesheet's tables, two changes")
    pdf_only = replace(options, formats=("pdf",))
    functions: dict[str, Callable[[], object]] = {
        "as shipped": partial(build_profile, example, pdf_only)
    }
    for label, rule in LEVERS.items():
        folder = out / "levers" / str(len(functions))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STYLESHEET).write_text(
            stylesheet.read_text(encoding="utf-8") + "\n" + rule + "\n", encoding="utf-8"
        )
        variant = replace(pdf_only, templates=folder, out=out / "levers" / "out")
        functions[label] = partial(build_profile, example, variant)
    timings = interleaved(functions, settings.repeats(5, 2))
    shipped = timings["as shipped"].cpu
    changes = "; ".join(
        f"with {label}: {seconds(t.cpu)} ({t.cpu / shipped - 1:+.0%})"
        for label, t in timings.items()
        if label != "as shipped"
    )
    load = max(t.load for t in timings.values())
    return (
        f"Stylesheet levers, tried against the shipped stylesheet (CPU, minimum of "
        f"alternating runs, load {load:.1f}): the example's PDFs take "
        f"{seconds(shipped)} warm as shipped; {changes}. The shipped stylesheet already sizes "
        "columns once (`table-layout: fixed`, with `<col>` widths from render/layout.py), so "
        "WeasyPrint no longer breaks every cell's text at each opportunity to find each "
        "column's minimum width; before that change the job description's PDF took about 2.5 "
        "times as long (768 ms against 300 ms) and the whole example about 1.4 times."
    )


def _table_cells_lever(example: Path, out: Path, options: BuildOptions, settings: Settings) -> str:
    """Return how much faster the DOCX are if each table's cell list is built once.

    python-docx's `Table.cell(row, column)` builds the list of every cell of the table on each
    call. The experiment lets each table keep that list while pcndocs fills it, by replacing
    `Table.cell` for the duration of the build only; pcndocs itself is not changed.
    """
    from docx.table import Table

    note("profile: DOCX tables, each table's cells listed once")
    docx_only = replace(options, formats=("docx",), out=out / "levers" / "docx")
    original = Table.cell

    def cell_from_list(table: Any, row: int, column: int) -> Any:
        cells = table.__dict__.get("_bench_cells")
        if cells is None:
            cells = table.__dict__["_bench_cells"] = table._cells
        return cells[column + row * table._column_count]

    def with_list() -> None:
        Table.cell = cell_from_list  # type: ignore[method-assign, assignment]
        try:
            build_profile(example, docx_only)
        finally:
            Table.cell = original  # type: ignore[method-assign]

    timings = interleaved(
        {"as is": partial(build_profile, example, docx_only), "listed once": with_list},
        settings.repeats(7, 3),
    )
    before, after = timings["as is"].cpu, timings["listed once"].cpu
    load = max(t.load for t in timings.values())
    return (
        f"DOCX lever (pcndocs/render/writers/docx.py now reads each row's cells once; this check "
        f"replaces `Table.cell` too; CPU, load {load:.1f}): the example's DOCX take "
        f"{seconds(before)} warm; filling each table from one list of its cells, rather than "
        f"`table.cell(r, c)` for each cell, {seconds(after)} ({after / before - 1:+.0%})."
    )


def _area(filename: str) -> str:
    if filename.startswith(str(REPO / "pcndocs")):
        return "pcndocs (our code)"
    if filename.startswith(str(REPO / "benchmarks")):
        return "benchmarks"
    for marker in ("site-packages/", "dist-packages/"):
        if marker in filename:
            package = filename.split(marker, 1)[1].split("/", 1)[0]
            return {"docx": "python-docx"}.get(
                package.removesuffix(".py"), package.removesuffix(".py")
            )
    if filename.startswith(sysconfig.get_paths()["stdlib"]) or filename.startswith("<frozen"):
        return "Python standard library"
    return "other" if filename != "~" else "C built-ins (uncalled)"


def _first_and_next(example: Path, out: Path, documents: list[str]) -> str:
    """Return how long a fresh process's first build takes beside its next ones."""
    note("profile: first build in a fresh process")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _FIRST_AND_NEXT,
            str(example),
            str(out / "fresh"),
            ",".join(documents),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return f"(the fresh-process build failed: {result.stderr.strip()[-300:]})"
    data = json.loads(result.stdout.strip().splitlines()[-1])
    first, *later = data["builds"]
    return (
        f"In a fresh process (CPU time, load {load_now():.1f}), importing output.build takes "
        f"{seconds(data['import'])}; the first forced build of the example then takes "
        f"{seconds(first)} and the next "
        f"{' and '.join(seconds(t) for t in later)}: the first pays for importing WeasyPrint and "
        "python-docx, the system font configuration, parsing the stylesheet and compiling the "
        "templates, which later builds in the same process reuse."
    )


def _fonts(raw: Any) -> str:
    """Return whether WeasyPrint subsets fonts with HarfBuzz here, and what it cost."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    usable = harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    calls = {
        name: (entry[1], entry[3])
        for function, entry in raw.items()
        for name in ("_harfbuzz_subset", "_fonttools_subset")
        if function[2] == name and "weasyprint" in function[0]
    }
    used = ", ".join(
        f"`{name}` {count} calls, {seconds(spent)}" for name, (count, spent) in calls.items()
    )
    how = "subsets with HarfBuzz" if usable else "falls back to fontTools"
    return (
        f"Fonts: WeasyPrint {'finds' if usable else 'does NOT find'} libharfbuzz-subset "
        f"(HarfBuzz ≥ 4.1) here, so it {how}. "
        f"In the profiled build: {used or 'no subsetting call seen'}."
    )
