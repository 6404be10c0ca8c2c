"""One network's pack on two cores: `pcndocs build -j 2` beside `-j 1`, whole processes.

The one figure of the benchmarks that must be wall time (a speed-up is time saved on the
clock), so it means something only on an idle machine: the load average is given beside
every pair, and the verdict is left open where the load shows other work shared the cores.
Quick to run on its own, for that idle moment:

    .venv/bin/python benchmarks/run.py --only cores [--quick]
"""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmarks.documents import SMOKE_DOCUMENT
from benchmarks.measure import ProcessRun, ratio, run_process
from benchmarks.report import Section, Settings, Verdict, note, seconds
from pcndocs.resources import example_profile

PACK_TARGET = 0.65  # -j 2 wall ÷ -j 1 wall, one pack, idle machine (issue 24)


def run(settings: Settings) -> Section:
    """Build the example pack with -j 1 and -j N in alternating pairs; return the section."""
    section = Section("One network's pack on two cores")
    pcndocs = settings.pcndocs
    scratch = settings.out / "cores"
    example = str(example_profile())
    only = ["-d", SMOKE_DOCUMENT] if settings.smoke else []  # --smoke: that it runs, no more
    pairs = settings.repeats(9, 4)  # a pair moves by ±0.1 on an idle machine: 9 for a median
    jobs = settings.jobs
    runs: list[tuple[ProcessRun, ProcessRun]] = []
    for number in range(pairs):
        # Alternate which goes first, so that neither always follows the other.
        order = (1, jobs) if number % 2 == 0 else (jobs, 1)
        made: dict[int, ProcessRun] = {}
        for each in order:
            note(f"example pack -j {each} ({number + 1} of {pairs})")
            command = [pcndocs, "-q", "build", *only, "--force", "-j", str(each)]
            made[each] = run_process([*command, "-o", str(scratch / f"pack-{each}"), example])
        runs.append((made[1], made[jobs]))
    same = _same_files(scratch / "pack-1", scratch / f"pack-{jobs}")
    rows = [
        [
            f"{number + 1}",
            seconds(serial.wall),
            seconds(parallel.wall),
            f"{ratio(parallel.wall, serial.wall):.2f}",
            seconds(serial.cpu),
            seconds(parallel.cpu),
            f"{ratio(parallel.cpu, serial.cpu):.2f}",
            f"{max(serial.load, parallel.load):.1f}",
        ]
        for number, (serial, parallel) in enumerate(runs)
    ]
    section.say(
        f"`pcndocs -q build --force -j 1` and `-j {jobs}` of the example network (every "
        f"document, DOCX and PDF), {pairs} pairs, each pair's order swapped from the last. "
        "Wall time from start to exit; CPU of the whole process tree (getrusage through a "
        "subreaper: the forkserver and the workers included); the 1-minute load average "
        "when the later of the pair ended."
    )
    section.say()
    section.table(
        [
            "pair",
            "-j 1 wall",
            f"-j {jobs} wall",
            "wall ratio",
            "-j 1 CPU",
            f"-j {jobs} CPU",
            "CPU ratio",
            "load",
        ],
        rows,
    )
    section.say()
    walls = [ratio(parallel.wall, serial.wall) for serial, parallel in runs]
    cpus = [ratio(parallel.cpu, serial.cpu) for serial, parallel in runs]
    load = max(max(s.load, p.load) for s, p in runs)
    # These builds raise the load themselves, to about 1 to 1.5 on an idle machine.
    idle = load < jobs
    median = statistics.median(walls)
    best = ratio(min(p.wall for _, p in runs), min(s.wall for s, _ in runs))
    section.say(
        f"Median of the pairs' wall ratios {median:.2f} (least wall ÷ least wall {best:.2f}); "
        f"CPU of -j {jobs} {statistics.median(cpus):.2f}× that of -j 1 (the second process's "
        f"imports and the forkserver); the files are "
        f"{'byte-identical' if same else '**not** byte-identical'}. "
        + ("" if idle else f"The load reached {load:.1f}: not idle, so not a fair test.")
    )
    section.verdicts.append(
        Verdict(
            f"the example pack with -j {jobs} in ≤ {PACK_TARGET}× the wall of -j 1 "
            "(idle machine; median of pairs)",
            f"{median:.2f}× (pairs {', '.join(f'{w:.2f}' for w in walls)}; load up to "
            f"{load:.1f}{'' if idle else ': not idle, so not a fair test'}); CPU "
            f"{statistics.median(cpus):.2f}×; {'byte-identical' if same else 'bytes differ'}",
            (median <= PACK_TARGET and same) if idle and not settings.smoke else None,
        )
    )
    return section


def _same_files(first: Path, second: Path) -> bool:
    """Return whether two builds' documents are the same, byte for byte."""
    mine = sorted(p.relative_to(first) for p in first.glob("*/*.*") if p.name[0] != ".")
    theirs = sorted(p.relative_to(second) for p in second.glob("*/*.*") if p.name[0] != ".")
    return (
        bool(mine)
        and mine == theirs
        and all((first / p).read_bytes() == (second / p).read_bytes() for p in mine)
    )
