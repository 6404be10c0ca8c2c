"""Rebuilds: no-change rebuilds, one changed profile, and our PDF beside raw WeasyPrint (one
pack on two cores is benchmarks/cores.py). Every figure is a whole `pcndocs` process, and each ratio
compares runs made side by side in this one run (alternating where repeated).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from benchmarks.documents import SMOKE_DOCUMENT
from benchmarks.measure import ProcessRun, highest_load, ratio, run_process
from benchmarks.report import Section, Settings, Verdict, note, seconds
from pcndocs.resources import example_profile

NO_CHANGE_TARGET = 0.02
PDF_TARGET = 1.05

# Renders the HTML pages given, with the same stylesheet, in one process: WeasyPrint alone,
# as a user of the library would call it; argv[3] "tagged" asks for what pcndocs asks of it
# (PDF/UA-1 tagging, form fields, metadata), "plain" for an untagged PDF.
_RAW_WEASYPRINT = r"""
import sys
from pathlib import Path
from weasyprint import CSS, HTML
css = CSS(string=Path(sys.argv[1]).read_text(encoding="utf-8"))
tagged = sys.argv[3] == "tagged"
options = {"pdf_variant": "pdf/ua-1", "pdf_forms": True, "custom_metadata": True} if tagged else {}
for page in sys.argv[4:]:
    html = HTML(string=Path(page).read_text(encoding="utf-8"), base_url=sys.argv[2])
    html.write_pdf(Path(page).with_suffix(".raw.pdf"), stylesheets=[css], **options)
"""


# Where a whole-process PDF pack spends what raw WeasyPrint does not: each stage of our own in
# a fresh process, by CPU time (argv[1]: the profile). Prints JSON: stage -> seconds.
_STAGES = r"""
import json, resource, sys
from pathlib import Path
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
spent = {}
start = cpu(); import weasyprint; spent["importing WeasyPrint (raw pays it too)"] = cpu() - start
start = cpu()
import pcndocs.cli, pcndocs.output.batch, pcndocs.render.writers.pdf
ours = "importing pcndocs beyond WeasyPrint (pydantic models, Jinja, markdown-it, YAML, Click)"
spent[ours] = cpu() - start
from pcndocs.rules.facts import load_facts
from pcndocs.output.build import BuildOptions, document_sources, load, templates_for
from pcndocs.render.document import parse_markdown
start = cpu(); facts = load_facts(); spent["loading the national facts"] = cpu() - start
start = cpu()
loaded = load(Path(sys.argv[1]), facts)
options = BuildOptions(out=Path("."), formats=("pdf",))
sources = list(document_sources(loaded, options, facts, templates_for(None)))
spent["loading the profile and rendering its templates"] = cpu() - start
start = cpu()
for source in sources:
    parse_markdown(source.text, source.kind.template)
spent["parsing the Markdown"] = cpu() - start
print(json.dumps(spent))
"""


def _stages(example: str, repeat: int) -> dict[str, float]:
    """Return the least CPU of each of our own stages of a PDF pack, over fresh processes."""
    least: dict[str, float] = {}
    for _ in range(repeat):
        run = subprocess.run(
            [sys.executable, "-c", _STAGES, example], capture_output=True, text=True, check=True
        )
        for stage, spent in json.loads(run.stdout).items():
            least[stage] = min(spent, least.get(stage, spent))
    return least


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
    if lines:
        return lines[-1]
    said = (run.stdout.strip() or run.stderr.strip()).splitlines()
    return f"exit {run.returncode}: {said[-1] if said else 'nothing said'}"


def run(settings: Settings) -> Section:
    """Measure rebuilds, and our PDF beside WeasyPrint alone."""
    section = Section("6. Rebuilds")
    pcndocs = settings.pcndocs
    scratch = settings.out / "rebuilds"
    count = 2 if settings.smoke else 10 if settings.quick else 40
    section.say(
        f"Whole processes of `pcndocs build` (DOCX and PDF) on {count} copies of the example "
        f"network (every document), -j {settings.jobs}. CPU time is of the whole process tree "
        "(getrusage through a subreaper), the minimum of alternating runs, with the 1-minute "
        "load average beside it; each ratio compares runs made one after the other in this run."
    )
    section.say()

    # 1. Cold build, then the same build with nothing changed, then one profile changed.
    paths = _profiles(scratch / "profiles", count)
    out = scratch / "out"
    # --smoke: the shortest document only, as a test checks that this runs.
    only = ["-d", SMOKE_DOCUMENT] if settings.smoke else []
    build = [pcndocs, "build", *only, "-j", str(settings.jobs), "-o", str(out)]
    build.append(str(scratch / "profiles"))
    note(f"cold build of {count} networks")
    cold = run_process([*build, "--force"])
    note("rebuild with nothing changed")
    unchanged = [run_process(build) for _ in range(settings.repeats(3, 3))]
    again = min(r.cpu for r in unchanged)
    changed = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    changed["clinical_directors"][0]["name"] = "Dr Changed For The Benchmark"
    paths[0].write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    note("rebuild with one profile changed")
    one = run_process(build)
    no_change = ratio(again, cold.cpu)
    section.table(
        ["build", "CPU", "wall", "load", "what it said"],
        [
            [
                f"cold, {count} networks",
                seconds(cold.cpu),
                seconds(cold.wall),
                f"{cold.load:.1f}",
                _built(cold),
            ],
            [
                f"nothing changed (minimum of {len(unchanged)})",
                seconds(again),
                seconds(min(r.wall for r in unchanged)),
                f"{highest_load(unchanged):.1f}",
                _built(unchanged[0]),
            ],
            [
                "one profile changed",
                seconds(one.cpu),
                seconds(one.wall),
                f"{one.load:.1f}",
                _built(one),
            ],
        ],
    )
    section.say()
    section.verdicts.append(
        Verdict(
            f"a rebuild with nothing changed in ≤ {NO_CHANGE_TARGET:.0%} of the cold build (CPU)",
            f"{no_change:.2%} ({seconds(again)} ÷ {seconds(cold.cpu)}, {count} networks, "
            f"load {highest_load([cold, *unchanged]):.1f})",
            no_change <= NO_CHANGE_TARGET,
        )
    )
    rebuilt_one = "Built 1 of" in _built(one)
    section.verdicts.append(
        Verdict("changing one profile rebuilds that network only", _built(one), rebuilt_one)
    )

    # One pack on two cores: benchmarks/cores.py (`--only cores`), quick enough to run alone.
    example = str(example_profile())
    repeat = settings.repeats(3, 2)

    # 2. Our PDFs against WeasyPrint alone on the same HTML, whole processes, -j 1.
    html_out = scratch / "html"
    run_process(
        [pcndocs, "-q", "build", *only, "--force", "-f", "html", "-o", str(html_out), example]
    )
    pages = sorted(str(p) for p in html_out.glob("*/*.html"))
    css = scratch / "pdf.css"
    css.write_text("", encoding="utf-8")  # each page carries its stylesheet already
    base = (Path(__file__).resolve().parents[1] / "templates").as_uri() + "/"
    ours_runs: list[ProcessRun] = []
    raw_runs: dict[str, list[ProcessRun]] = {"tagged": [], "plain": []}
    for _ in range(repeat):
        note("our PDFs, then WeasyPrint alone, tagged and plain")
        ours_runs.append(
            run_process(
                [
                    pcndocs,
                    "-q",
                    "build",
                    *only,
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
        )
        for variant, runs in raw_runs.items():
            raw = [sys.executable, "-c", _RAW_WEASYPRINT, str(css), base, variant, *pages]
            runs.append(run_process(raw))
    ours_cpu = min(r.cpu for r in ours_runs)
    tagged_cpu = min(r.cpu for r in raw_runs["tagged"])
    plain_cpu = min(r.cpu for r in raw_runs["plain"])
    pdf_load = highest_load([*ours_runs, *raw_runs["tagged"], *raw_runs["plain"]])
    section.say(
        f"The example's {len(pages)} PDFs as whole processes, CPU, minimum of {repeat} "
        f"alternating runs (load {pdf_load:.1f}): pcndocs (start, load, check, render, tag for "
        f"PDF/UA, write) {seconds(ours_cpu)}; WeasyPrint alone on the same HTML pages, with "
        f"the same PDF/UA-1 tagging, forms and metadata, {seconds(tagged_cpu)} "
        f"({ratio(ours_cpu, tagged_cpu):.3f}×); untagged {seconds(plain_cpu)} "
        f"({ratio(ours_cpu, plain_cpu):.3f}×)."
    )
    section.say()
    note("our own stages of a PDF pack, in fresh processes")
    stages = _stages(example, repeat)
    gap = ours_cpu - tagged_cpu
    section.say(
        f"Where the {seconds(gap)} more than tagged WeasyPrint goes (each stage's least CPU in "
        f"{repeat} fresh processes; the rest is writing the files and the record, and the "
        "writer's limits):"
    )
    section.say()
    section.table(
        ["stage", "CPU", "share of the difference"],
        [
            [stage, seconds(spent), f"{spent / gap:.0%}" if gap > 0 and "raw" not in stage else "-"]
            for stage, spent in stages.items()
        ],
    )
    section.say()
    section.verdicts.append(
        Verdict(
            f"our PDF pack ≤ {PDF_TARGET}× raw WeasyPrint with the same tagging (whole "
            "processes, CPU)",
            f"{ratio(ours_cpu, tagged_cpu):.3f}× ({seconds(ours_cpu)} ÷ {seconds(tagged_cpu)}); "
            f"untagged WeasyPrint {ratio(ours_cpu, plain_cpu):.3f}×; load {pdf_load:.1f}",
            ratio(ours_cpu, tagged_cpu) <= PDF_TARGET,
        )
    )
    (scratch / "figures.json").write_text(
        json.dumps(
            {
                "cold_cpu": cold.cpu,
                "again_cpu": again,
                "pdf_cpu": ours_cpu,
                "raw_tagged_cpu": tagged_cpu,
                "raw_plain_cpu": plain_cpu,
            }
        ),
        encoding="utf-8",
    )
    return section
