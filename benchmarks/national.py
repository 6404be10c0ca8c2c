"""National: import every network in England and build all their documents, at several sizes.

`pcndocs import --all` writes a profile for each of the 1,250 networks in the ODS ePCN file
(with list sizes from NHS Digital's file). Then, for the first N profiles (sorted by file name)
for each N, one `pcndocs -q build --blank --jobs 2` builds every document in DOCX and PDF,
as a whole process tree: wall time, CPU time of every process, documents a second, and each
process's peak memory, to show how time and memory grow with the number of networks.

Imported profiles have no clinical director or appointment method: they build only with
`--blank`. Where the CLI rejects `--blank` (exit 2), the benchmark says so and builds copies of
the imported profiles that it completes itself with a made-up director and appointment method
(and, where the national files have none, a payee and list sizes).
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from benchmarks.documents import available
from benchmarks.measure import ProcessRun, ratio, run_process
from benchmarks.report import Section, Settings, Verdict, load_average, megabytes, note, seconds

WALL_TARGET = 300.0  # seconds for every network, every document, both formats, 2 cores
MEMORY_TARGET = 500.0  # MB per process
NETWORKS = 1250
MEMORY_SIZES = (10, 100, 1250)  # networks, for the main process's memory (HTML only)
MEMORY_GROWTH = 0.10  # the most the main process's peak may grow from the first to the last


def run(settings: Settings) -> Section:
    """Import, then build each size of the national set; return the section."""
    section = Section("3. National: every network in England")
    epcn = sorted(settings.data.glob("ePCN*.xlsx"))
    lists = sorted(settings.data.glob("gp-reg-pat-prac*.csv"))
    if not epcn:
        section.say(f"The national files are not in {settings.data}; nothing measured.")
        section.verdicts.append(Verdict("every network in ≤ 5 min on 2 cores", "-", None))
        return section
    kinds, skipped = available(settings.smoke)
    section.bullets(skipped)
    out = settings.out / "national"
    shutil.rmtree(out, ignore_errors=True)
    imported = out / "imported"
    pcndocs = settings.pcndocs

    note("national: pcndocs import --all")
    command = [pcndocs, "-q", "import", "--epcn", str(epcn[-1]), "--all", "-o", str(imported)]
    if lists:
        command += ["--lists", str(lists[-1])]
    imported_run = run_process(command)
    profiles = sorted(imported.glob("*.yaml"))
    if imported_run.returncode != 0 or not profiles:
        section.say(f"`pcndocs import` failed (exit {imported_run.returncode}):")
        section.say(f"```\n{imported_run.stderr.strip()[-2000:]}\n```")
        section.verdicts.append(Verdict("every network in ≤ 5 min on 2 cores", "-", None))
        return section
    section.say(
        f"`pcndocs import --all` from {epcn[-1].name}"
        f"{' and ' + lists[-1].name if lists else ''}: {len(profiles)} profiles in "
        f"{seconds(imported_run.wall)} (CPU {seconds(imported_run.cpu)}, peak "
        f"{megabytes(imported_run.peak_rss_mb)}; exit {imported_run.returncode})."
    )
    probe = run_process([pcndocs, "build", "--blank", "--help"])
    blank = probe.returncode == 0
    if blank:
        section.say("Built with `--blank`, as imported.")
    else:
        why = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        section.say(
            f"**`pcndocs build --blank` was rejected (exit {probe.returncode}: {why})**, so each "
            "imported "
            "profile was completed by the benchmark instead: one made-up clinical director "
            "(2 sessions a week), appointment by election, the first practice as nominated "
            "payee where none is given, and the network's median list size for a practice "
            "the list-size file lacks. Rerun once `--blank` exists."
        )
        completed = out / "completed"
        renamed = _complete(profiles, completed)
        if renamed:
            section.say(
                f"{renamed} practices share a name with another practice of their network in "
                "the national file, which a profile may not: their ODS code was added to "
                "their name."
            )
        profiles = sorted(completed.glob("*.yaml"))
    if not kinds:
        section.say("No document template is available; nothing built.")
        section.verdicts.append(Verdict("every network in ≤ 5 min on 2 cores", "-", None))
        return section
    section.say()

    rows: list[list[str]] = []
    runs: list[tuple[int, ProcessRun, int]] = []
    for size in sorted({min(size, len(profiles)) for size in settings.sizes}):
        note(f"national: {size} networks, --jobs {settings.jobs}")
        folder = out / f"profiles-{size}"
        folder.mkdir(parents=True)
        for path in profiles[:size]:
            (folder / path.name).symlink_to(path.resolve())
        target = out / f"build-{size}"
        command = [pcndocs, "-q", "build", "--jobs", str(settings.jobs), "-f", "docx,pdf"]
        if blank:
            command.append("--blank")
        if skipped or settings.smoke:
            command += ["-d", ",".join(k.name for k in kinds)]
        command += ["-o", str(target), str(folder)]
        load_before = load_average().split(",")[0]
        result = run_process(command, sample=True, interval=0.25)
        load_after = load_average().split(",")[0]
        documents = sum(1 for p in target.rglob("*") if p.suffix in (".docx", ".pdf"))
        failed = sum(1 for line in result.stderr.splitlines() if line.startswith("failed:"))
        runs.append((size, result, documents))
        rows.append(
            [
                f"{size:,}",
                f"{documents:,}",
                seconds(result.wall),
                seconds(result.cpu),
                seconds(result.cpu / settings.jobs),
                f"{load_before} → {load_after}",
                f"{documents / result.wall:.1f}",
                seconds(result.cpu / documents) if documents else "-",
                " / ".join(f"{c:.0f} s" for c in sorted(result.cpu_by_role.get("worker", []))),
                megabytes(result.peak_of("main")),
                " / ".join(megabytes(p) for p in sorted(result.peaks_mb.get("worker", []))),
                megabytes(result.peak_rss_mb),
                megabytes(result.peak_tree_mb),
                f"{failed}" + (f" (exit {result.returncode})" if result.returncode else ""),
            ]
        )
        if failed:
            first = next(line for line in result.stderr.splitlines() if line.startswith("failed:"))
            section.say(f"- {size} networks: first failure: {first[:300]}")
        shutil.rmtree(target, ignore_errors=True)
    section.say(
        f"Each run: `pcndocs -q build{' --blank' if blank else ''} --jobs {settings.jobs} "
        f"-f docx,pdf{' -d ' + ','.join(k.name for k in kinds) if skipped else ''} -o OUT "
        "FOLDER` on the first N profiles, as one process tree. CPU is user + system time of "
        "every process in the tree (exact: a subreaper collects them); the CPU of each worker "
        "is sampled from /proc, to show how evenly the work was shared. Peak memory: "
        "per process, sampled from /proc every 0.25 s (VmHWM); the largest process's exact peak "
        "(ru_maxrss); and the largest sum over the tree at one sample. "
        f"CPU ÷ {settings.jobs} is the wall time the run would take at best with the "
        f"{settings.jobs} cores to itself: where the load average exceeds {settings.jobs}, "
        "other work shared the cores and the wall time is longer than pcndocs alone needs."
    )
    section.say()
    section.table(
        [
            "networks",
            "documents",
            "wall",
            "CPU",
            f"CPU ÷ {settings.jobs}",
            "load (1 min) before → after",
            "documents/s",
            "CPU a document",
            "CPU of each worker",
            "peak: main",
            "peak: each worker",
            "peak: largest process",
            "peak: whole tree",
            "failed",
        ],
        rows,
    )
    size, largest, documents = runs[-1]
    if documents:
        per_network = documents / size
        needed = WALL_TARGET * settings.jobs / (NETWORKS * per_network)
        section.say(
            f"At {per_network:.1f} documents a network, {NETWORKS:,} networks make "
            f"{NETWORKS * per_network:,.0f} documents; to build them in {WALL_TARGET:.0f} s on "
            f"{settings.jobs} cores each may take at most {seconds(needed)} of CPU. Here each "
            f"took {seconds(largest.cpu / documents)} ({size:,}-network run)."
        )
        section.say()
    _verdicts(section, runs, settings)
    _split(section, settings, profiles, blank, [k.name for k in kinds], out, runs[-1])
    # The main process's memory as the batch grows: its own benchmark, `memory`.
    return section


#: The packages a national build's CPU is split into; the rest is "the standard library, other".
SPLIT = {
    "WeasyPrint (with pydyf, tinyhtml5, cssselect2, tinycss2, fontTools, cffi, Pillow)": {
        "weasyprint",
        "pydyf",
        "tinyhtml5",
        "cssselect2",
        "tinycss2",
        "fontTools",
        "cffi",
        "PIL",
        "pyphen",
        "webencodings",
    },
    "python-docx (with lxml)": {"python-docx", "lxml"},
    "pcndocs (our code)": {"pcndocs (our code)"},
    "markdown-it, Jinja, pydantic, YAML (libraries our code calls)": {
        "markdown_it",
        "mdit_py_plugins",
        "mdurl",
        "jinja2",
        "markupsafe",
        "pydantic",
        "pydantic_core",
        "yaml",
        "annotated_types",
    },
}

# What every process of a build pays before its first document: the imports and the facts.
_START = (
    "import pcndocs.output.batch, pcndocs.render.writers.pdf, pcndocs.render.writers.docx\n"
    "from pcndocs.rules.facts import load_facts\n"
    "load_facts()\n"
)


def _split(
    section: Section,
    settings: Settings,
    profiles: list[Path],
    blank: bool,
    documents: list[str],
    out: Path,
    largest: tuple[int, ProcessRun, int],
) -> None:
    """Split a national build's CPU into WeasyPrint, python-docx, start-up and our own code."""
    from benchmarks.hotspots import _area
    from pcndocs.output.batch import build_many
    from pcndocs.output.build import BuildOptions

    count = 2 if settings.smoke else 5 if settings.quick else 20
    note(f"national split: {count} networks under cProfile, in this process")
    options = BuildOptions(
        out=out / "split",
        formats=("docx", "pdf"),
        documents=tuple(documents),
        blank=blank,
        force=True,
    )
    build_many(profiles[:1], options, jobs=1)  # warm: imports, fonts, templates
    profiler = cProfile.Profile()
    profiler.enable()
    build_many(profiles[:count], options, jobs=1)
    profiler.disable()
    raw: Any = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    spent: dict[str, float] = {}
    for function, (_, _, own, _, callers) in raw.items():
        if function[0] == "~" and callers:  # a C function: charged to its callers' packages
            for caller, edge in callers.items():
                group = _group(_area(caller[0]))
                spent[group] = spent.get(group, 0.0) + edge[2]
        else:
            group = _group(_area(function[0]))
            spent[group] = spent.get(group, 0.0) + own
    total = sum(spent.values())
    starts = [run_process([sys.executable, "-c", _START]) for _ in range(2)]
    start = min(r.cpu for r in starts)
    size, run, _documents = largest
    processes = settings.jobs + 1
    section.say(
        f"Where a national build's CPU goes: cProfile of a warm build of {count} imported "
        f"networks in one process ({'--blank, ' if blank else ''}DOCX and PDF), split by "
        "package (a C function is charged to the package that called it; cProfile slows "
        "Python code more than C, so our code's share is if anything overstated). Start-up, "
        f"paid once by each process, is apart: {seconds(start)} of CPU for importing pcndocs, "
        f"WeasyPrint and python-docx and loading the facts (least of {len(starts)} fresh "
        f"processes); {processes} processes pay it in a `-j {settings.jobs}` build, "
        f"{processes * start / run.cpu:.1%} of the {size:,}-network run's {seconds(run.cpu)}."
    )
    section.say()
    documents_cpu = run.cpu - processes * start  # the run's CPU less its start-ups
    scale = NETWORKS / size  # the documents' CPU grows with the networks; start-up does not
    section.table(
        [
            "part",
            "share of the documents' CPU",
            f"in the {size:,}-network run, about",
            f"in all {NETWORKS:,} networks, about (CPU; ÷ {settings.jobs} for the wall at best)",
        ],
        [
            [
                group,
                f"{part / total:.0%}",
                seconds(part / total * documents_cpu) if documents_cpu > 0 else "-",
                seconds(part / total * documents_cpu * scale) if documents_cpu > 0 else "-",
            ]
            for group, part in sorted(spent.items(), key=lambda item: -item[1])
            if part / total >= 0.005
        ]
        + [
            [
                "start-up (each process, once)",
                "-",
                seconds(processes * start),
                seconds(processes * start),
            ]
        ],
    )
    section.say()
    if documents_cpu > 0:
        whole = documents_cpu * scale + processes * start
        section.say(
            f"So a national blank build (all {NETWORKS:,} networks, DOCX and PDF) needs about "
            f"{seconds(whole)} of CPU: at best {seconds(whole / settings.jobs)} on "
            f"{settings.jobs} idle cores; {documents_cpu * scale / whole:.0%} of it the "
            "documents themselves (the libraries and our code), the rest start-up."
        )
        section.say()
    shutil.rmtree(out / "split", ignore_errors=True)


def _group(area: str) -> str:
    return next(
        (group for group, packages in SPLIT.items() if area in packages),
        "the standard library, other",
    )


def memory(settings: Settings) -> Section:
    """The main process's peak memory alone (`run.py --only memory`): import, then _memory."""
    section = Section("National: the main process's memory as the batch grows")
    epcn = sorted(settings.data.glob("ePCN*.xlsx"))
    lists = sorted(settings.data.glob("gp-reg-pat-prac*.csv"))
    if not epcn:
        section.say(f"The national files are not in {settings.data}; nothing measured.")
        return section
    out = settings.out / "national-memory"
    shutil.rmtree(out, ignore_errors=True)
    imported = out / "imported"
    note("national memory: pcndocs import --all")
    command = [settings.pcndocs, "-q", "import", "--epcn", str(epcn[-1]), "--all"]
    command += ["-o", str(imported), *(["--lists", str(lists[-1])] if lists else [])]
    run_process(command)
    profiles = sorted(imported.glob("*.yaml"))
    if not profiles:
        section.say("`pcndocs import --all` wrote no profiles; nothing measured.")
        return section
    _memory(section, settings, profiles, True, out)
    shutil.rmtree(out, ignore_errors=True)
    return section


def _memory(
    section: Section, settings: Settings, profiles: list[Path], blank: bool, out: Path
) -> None:
    """Measure the main process's peak memory as the batch grows, building HTML only."""
    sizes = (2,) if settings.smoke else (10, 100) if settings.quick else MEMORY_SIZES
    rows: list[list[str]] = []
    peaks: list[tuple[int, float]] = []
    for size in sorted({min(size, len(profiles)) for size in sizes}):
        note(f"national memory: {size} networks, HTML only")
        folder = out / f"memory-profiles-{size}"
        folder.mkdir(parents=True)
        for path in profiles[:size]:
            (folder / path.name).symlink_to(path.resolve())
        target = out / f"memory-{size}"
        command = [settings.pcndocs, "-q", "build", "--jobs", str(settings.jobs), "-f", "html"]
        command += [*(["--blank"] if blank else []), "-o", str(target), str(folder)]
        result = run_process(command, sample=True, interval=0.1)
        documents = sum(1 for p in target.rglob("*.html"))
        main = result.peak_of("main")
        peaks.append((size, main))
        rows.append(
            [
                f"{size:,}",
                f"{documents:,}",
                megabytes(main),
                " / ".join(megabytes(p) for p in sorted(result.peaks_mb.get("worker", []))),
                seconds(result.cpu),
                f"{result.load:.1f}",
                f"{result.returncode}",
            ]
        )
        shutil.rmtree(target, ignore_errors=True)
    section.say(
        f"Memory as the batch grows: `pcndocs -q build{' --blank' if blank else ''} --jobs "
        f"{settings.jobs} -f html` on the first N profiles (HTML only, so that 1,250 networks "
        "fit in a run); the main process's peak resident memory (VmHWM, sampled every "
        "0.1 s: a high-water mark, so only growth in the last 0.1 s could be missed)."
    )
    section.say()
    section.table(
        ["networks", "documents", "peak: main", "peak: each worker", "CPU", "load", "exit"],
        rows,
    )
    (small, first), (big, last) = peaks[0], peaks[-1]
    growth = ratio(last, first) - 1 if first else 0.0
    section.verdicts.append(
        Verdict(
            f"the main process's peak within {MEMORY_GROWTH:.0%} from {small:,} to {big:,} "
            "networks (HTML)",
            f"{megabytes(first)} → {megabytes(last)} ({growth:+.0%})",
            growth <= MEMORY_GROWTH if big > small else None,
        )
    )


def _verdicts(
    section: Section, runs: list[tuple[int, ProcessRun, int]], settings: Settings
) -> None:
    size, largest, documents = runs[-1]
    if size >= NETWORKS:
        measured = (
            f"{seconds(largest.wall)} for {size:,} networks ({documents:,} documents); "
            f"CPU ÷ {settings.jobs}: {seconds(largest.cpu / settings.jobs)}"
        )
        met: bool | None = largest.wall <= WALL_TARGET
    else:
        rate = documents / largest.wall if largest.wall else 0.0
        per_network = documents / size if size else 0.0
        estimate = NETWORKS * per_network / rate if rate else 0.0
        measured = (
            f"not run at {NETWORKS:,}; at the {size}-network rate, about {seconds(estimate)} "
            f"(CPU ÷ {settings.jobs}: {seconds(largest.cpu * NETWORKS / size / settings.jobs)})"
        )
        met = None
    section.verdicts.append(
        Verdict(
            f"every network, every document, DOCX and PDF, in ≤ 5 min on {settings.jobs} cores",
            measured,
            met,
        )
    )
    peak = max(r.peak_rss_mb for _, r, _ in runs)
    section.verdicts.append(
        Verdict(
            f"peak memory < {MEMORY_TARGET:.0f} MB per process",
            megabytes(peak),
            peak < MEMORY_TARGET,
        )
    )
    if len(runs) > 1:
        (small, first, _), (big, last, _) = runs[0], runs[-1]
        grew = last.peak_of("worker") - first.peak_of("worker")
        section.verdicts.append(
            Verdict(
                "peak memory does not grow with the number of networks",
                f"largest worker {megabytes(first.peak_of('worker'))} at {small:,} networks, "
                f"{megabytes(last.peak_of('worker'))} at {big:,} ({grew:+.0f} MB); main "
                f"{megabytes(first.peak_of('main'))} → {megabytes(last.peak_of('main'))}",
                abs(grew) < 25 and last.peak_of("main") - first.peak_of("main") < 25,
            )
        )


def _complete(profiles: list[Path], folder: Path) -> int:
    """Write a copy of each imported profile with what --blank would leave out filled in.

    Return how many practices were renamed because their network has two of that name.
    """
    folder.mkdir(parents=True)
    renamed = 0
    for path in profiles:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        practices: list[dict[str, Any]] = data["practices"]
        sizes = [p["list_size"] for p in practices if p.get("list_size")]
        median = int(statistics.median(sizes)) if sizes else 8000
        for practice in practices:
            if not practice.get("list_size"):
                practice["list_size"] = median
        names: set[str] = set()
        for practice in practices:  # the validator refuses two practices of one name
            if practice["name"] in names:
                practice["name"] = f"{practice['name']} ({practice['ods_code']})"
                renamed += 1
            names.add(practice["name"])
        first = practices[0]["ods_code"]
        if not data["network"].get("nominated_payee"):
            data["network"]["nominated_payee"] = first
        if not data.get("clinical_directors"):
            data["clinical_directors"] = [
                {
                    "name": "Dr Alex Example",
                    "profession": "GP",
                    "practice": first,
                    "sessions_per_week": 2,
                }
            ]
        appointment = data.get("appointment") or {}
        if not appointment.get("method"):
            appointment["method"] = "election"
        data["appointment"] = appointment
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (folder / path.name).write_text(text, encoding="utf-8")
    return renamed
