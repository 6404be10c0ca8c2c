"""Start-up: `pcndocs --help`, `pcndocs docs` and `pcndocs check` as whole processes."""

from __future__ import annotations

import sys

from benchmarks.documents import available
from benchmarks.measure import ProcessRun, highest_load, min_runs, run_process
from benchmarks.report import Section, Settings, Verdict, megabytes, note, seconds
from pcndocs.resources import example_profile

HELP_TARGET = 0.1
HEAVY = ("weasyprint", "docx", "openpyxl", "pydantic", "jinja2", "markdown_it", "yaml", "PIL")


def run(settings: Settings) -> Section:
    """Time each command from process start to exit; return the section."""
    section = Section("4. Start-up: whole processes")
    repeat = settings.repeats(15, 5)
    pcndocs = settings.pcndocs
    example = str(example_profile())
    kinds, _ = available(settings.smoke)
    build_out = settings.out / "startup-build"
    commands: list[tuple[str, list[str], float | None]] = [
        ("pcndocs --help", [pcndocs, "--help"], HELP_TARGET),
        ("pcndocs docs", [pcndocs, "docs"], None),
        ("pcndocs check profiles/example.yaml", [pcndocs, "check", example], None),
    ]
    if kinds:
        docs = ",".join(k.name for k in kinds)
        commands.append(
            (
                f"pcndocs -q build -d {docs} (the example, DOCX and PDF; for comparison)",
                [pcndocs, "-q", "build", "--force", "-d", docs, "-o", str(build_out), example],
                None,
            )
        )
    section.say(
        f"Minimum of {repeat} runs after one warm-up; CPU time of the whole process tree "
        "(getrusage), wall time from the process's start to its exit, its peak resident "
        "memory (ru_maxrss), and the highest 1-minute load average seen. The target is of "
        "CPU time, which other work on a shared machine does not inflate."
    )
    section.say()
    rows: list[list[str]] = []
    help_wall: float | None = None
    for label, command, target in commands:
        note(label)
        runs = _repeat(command, 1 if "build" in command else repeat)
        wall, cpu, peak = min_runs(runs)
        failed = [r for r in runs if r.returncode != 0]
        if target is not None:
            help_wall = cpu
        rows.append(
            [
                f"`{label}`",
                seconds(cpu),
                seconds(wall),
                megabytes(peak),
                f"{highest_load(runs):.1f}",
                (
                    f"≤ {seconds(target)}: {'met' if cpu <= target else '**missed**'}"
                    if target
                    else "-"
                )
                + (f" (exit {failed[0].returncode})" if failed else ""),
            ]
        )
    section.table(["command", "CPU", "wall", "peak memory", "load", "target (CPU)"], rows)
    section.say("The build row is one run after the warm-up, not a minimum.")
    section.say()
    section.say(_imports_of_help())
    section.say()
    section.verdicts.append(
        Verdict(
            f"`pcndocs --help` in ≤ {HELP_TARGET} s of CPU",
            seconds(help_wall) if help_wall is not None else "-",
            None if help_wall is None else help_wall <= HELP_TARGET,
        )
    )
    return section


def _repeat(command: list[str], repeat: int) -> list[ProcessRun]:
    run_process(command)  # warm-up: the page cache and the bytecode
    return [run_process(command) for _ in range(repeat)]


def _imports_of_help() -> str:
    """Return what `python -X importtime -m pcndocs --help` imports, and the heaviest."""
    run = run_process([sys.executable, "-X", "importtime", "-m", "pcndocs", "--help"])
    top: list[tuple[int, str]] = []
    names: set[str] = set()
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [part.strip() for part in line.split(":", 1)[1].split("|")]
        if not parts[1].isdigit():
            continue
        name = parts[2]
        names.add(name.strip().split(".")[0])
        if not name.startswith(" "):  # a top-level import
            top.append((int(parts[1]), name.strip()))
    heavy = sorted(h for h in HEAVY if h in names)
    top.sort(reverse=True)
    listed = ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in top[:5])
    return (
        f"`python -X importtime -m pcndocs --help` imports {len(names)} top-level packages; "
        f"of WeasyPrint, python-docx, openpyxl, pydantic, Jinja, markdown-it, PyYAML and Pillow "
        f"it imports {', '.join(heavy) if heavy else 'none'}. The slowest top-level imports "
        f"(cumulative): {listed}."
    )
