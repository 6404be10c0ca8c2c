"""Rebuilds and cores: no-change rebuilds, one changed profile, one pack on two cores, and
our PDF beside raw WeasyPrint. Every figure is a whole `pcndocs` process, and each ratio
compares runs made side by side in this one run (alternating where repeated).
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from benchmarks.measure import ProcessRun, run_process
from benchmarks.report import Section, Settings, Verdict, note, seconds
from pcndocs.resources import example_profile

NO_CHANGE_TARGET = 0.02
PACK_TARGET = 0.6
PDF_TARGET = 1.05

# Renders the HTML pages given, with the same stylesheet, in one process: WeasyPrint alone,
# untagged, as a user of the library would call it.
_RAW_WEASYPRINT = r"""
import sys
from pathlib import Path
from weasyprint import CSS, HTML
css = CSS(string=Path(sys.argv[1]).read_text(encoding="utf-8"))
for page in sys.argv[3:]:
    html = HTML(string=Path(page).read_text(encoding="utf-8"), base_url=sys.argv[2])
    html.write_pdf(Path(page).with_suffix(".raw.pdf"), stylesheets=[css])
"""


def _profiles(folder: Path, count: int) -> list[Path]:
    """Write `count` copies of the example network under different names."""
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    paths = []
    for number in range(count):
        other = copy.deepcopy(data)
        other["network"]["name"] = f"Benchmark Network {number + 1} PCN"
        path = folder / f"network-{number + 1:04d}.yaml"
        path.write_text(yaml.safe_dump(other, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _built(run: ProcessRun) -> str:
    lines = [line for line in run.stdout.splitlines() if line.startswith("Built ")]
    return lines[-1] if lines else run.stdout.strip().splitlines()[-1]


def run(settings: Settings) -> Section:
    """Measure rebuilds, one pack on every core, and our PDF beside WeasyPrint alone."""
    section = Section("6. Rebuilds and cores")
    pcndocs = settings.pcndocs
    scratch = settings.out / "rebuilds"
    count = 10 if settings.quick else 40
    section.say(
        f"Whole processes of `pcndocs build` (DOCX and PDF) on {count} copies of the example "
        f"network (13 documents each), -j {settings.jobs}; the machine may be shared, so each "
        "ratio compares runs made one after the other in this run."
    )
    section.say()

    # 1. Cold build, then the same build with nothing changed, then one profile changed.
    paths = _profiles(scratch / "profiles", count)
    out = scratch / "out"
    build = [pcndocs, "build", "-j", str(settings.jobs), "-o", str(out), str(scratch / "profiles")]
    note(f"cold build of {count} networks")
    cold = run_process([*build, "--force"])
    note("rebuild with nothing changed")
    unchanged = [run_process(build) for _ in range(3)]
    again = statistics.median(r.wall for r in unchanged)
    changed = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    changed["clinical_directors"][0]["name"] = "Dr Changed For The Benchmark"
    paths[0].write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    note("rebuild with one profile changed")
    one = run_process(build)
    ratio = again / cold.wall
    section.table(
        ["build", "wall", "CPU", "what it said"],
        [
            [f"cold, {count} networks", seconds(cold.wall), seconds(cold.cpu), _built(cold)],
            ["nothing changed (median of 3)", seconds(again), "", _built(unchanged[0])],
            ["one profile changed", seconds(one.wall), seconds(one.cpu), _built(one)],
        ],
    )
    section.say()
    section.verdicts.append(
        Verdict(
            f"a rebuild with nothing changed in ≤ {NO_CHANGE_TARGET:.0%} of the cold build",
            f"{ratio:.2%} ({seconds(again)} ÷ {seconds(cold.wall)}, {count} networks)",
            ratio <= NO_CHANGE_TARGET,
        )
    )
    rebuilt_one = "Built 1 of" in _built(one)
    section.verdicts.append(
        Verdict("changing one profile rebuilds that network only", _built(one), rebuilt_one)
    )

    # 2. The example pack, -j 1 against -j N, alternating, DOCX and PDF.
    example = str(example_profile())
    walls: dict[int, list[float]] = {1: [], settings.jobs: []}
    cpus: dict[int, list[float]] = {1: [], settings.jobs: []}
    repeat = settings.repeats(3, 2)
    for _ in range(repeat):
        for jobs in walls:
            note(f"example pack -j {jobs}")
            pack = scratch / f"pack-{jobs}"
            result = run_process(
                [pcndocs, "-q", "build", "--force", "-j", str(jobs), "-o", str(pack), example]
            )
            walls[jobs].append(result.wall)
            cpus[jobs].append(result.cpu)
    serial = statistics.median(walls[1])
    parallel = statistics.median(walls[settings.jobs])
    same = all(
        (scratch / "pack-1" / p.relative_to(scratch / f"pack-{settings.jobs}")).read_bytes()
        == p.read_bytes()
        for p in (scratch / f"pack-{settings.jobs}").glob("*/*.*")
    )
    files = len(list((scratch / "pack-1").glob("*/*.*")))
    section.say(
        f"The example pack ({files} files), median of {repeat} alternating runs: -j 1 "
        f"{seconds(serial)} wall ({seconds(statistics.median(cpus[1]))} CPU), "
        f"-j {settings.jobs} {seconds(parallel)} wall "
        f"({seconds(statistics.median(cpus[settings.jobs]))} CPU, every process); the files are "
        f"{'byte-identical' if same else '**not** byte-identical'}. A pack can only go faster "
        "on two cores when the second core is free: see the load average above."
    )
    section.say()
    section.verdicts.append(
        Verdict(
            f"the example pack with -j {settings.jobs} in ≤ {PACK_TARGET}× the wall of -j 1",
            f"{parallel / serial:.2f}× ({seconds(parallel)} ÷ {seconds(serial)}); "
            f"{'byte-identical' if same else 'bytes differ'}",
            parallel / serial <= PACK_TARGET and same,
        )
    )

    # 3. Our PDFs against WeasyPrint alone on the same HTML, whole processes, -j 1.
    html_out = scratch / "html"
    run_process([pcndocs, "-q", "build", "--force", "-f", "html", "-o", str(html_out), example])
    pages = sorted(str(p) for p in html_out.glob("*/*.html"))
    css = scratch / "pdf.css"
    css.write_text("", encoding="utf-8")  # each page carries its stylesheet already
    base = (Path(__file__).resolve().parents[1] / "templates").as_uri() + "/"
    ours_walls: list[float] = []
    raw_walls: list[float] = []
    for _ in range(repeat):
        note("our PDFs, then WeasyPrint alone")
        ours = run_process(
            [
                pcndocs,
                "-q",
                "build",
                "--force",
                "-j",
                "1",
                "-f",
                "pdf",
                "-o",
                str(scratch / "pdf"),
                example,
            ]
        )
        raw = run_process([sys.executable, "-c", _RAW_WEASYPRINT, str(css), base, *pages])
        ours_walls.append(ours.wall)
        raw_walls.append(raw.wall)
    ours_wall, raw_wall = statistics.median(ours_walls), statistics.median(raw_walls)
    section.say(
        f"The example's {len(pages)} PDFs in one process, median of {repeat}: pcndocs (load, "
        f"check, render, tag for PDF/UA, write) {seconds(ours_wall)}; WeasyPrint alone on the "
        f"same HTML pages, untagged, {seconds(raw_wall)}."
    )
    section.verdicts.append(
        Verdict(
            f"our PDF build ≤ {PDF_TARGET}× raw WeasyPrint on the same HTML (ours tagged)",
            f"{ours_wall / raw_wall:.3f}× ({seconds(ours_wall)} ÷ {seconds(raw_wall)})",
            ours_wall / raw_wall <= PDF_TARGET,
        )
    )
    (scratch / "figures.json").write_text(
        json.dumps({"cold": cold.wall, "again": again, "serial": serial, "parallel": parallel}),
        encoding="utf-8",
    )
    return section
