"""Runs pcndocs' benchmarks and writes benchmarks/RESULTS.md: `make bench`, or

    .venv/bin/python benchmarks/run.py [--quick] [--only per-document,libreoffice,...]

The benchmarks print figures; they never pass or fail. Each target is shown beside its figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repository, not benchmarks/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks import (
    cores,
    docx_writer,
    hotspots,
    libreoffice,
    national,
    per_document,
    rebuilds,
    startup,
    web,
    web_browser,
)
from benchmarks.report import BENCH, REPO, Section, Settings, load_average, machine, verdict_text

BENCHMARKS: dict[str, Callable[[Settings], Section]] = {
    "per-document": per_document.run,
    "docx-writer": docx_writer.run,
    "libreoffice": libreoffice.run,
    "national": national.run,
    "memory": national.memory,
    "startup": startup.run,
    "profile": hotspots.run,
    "web": web.run,
    "web-browser": web_browser.run,
    "rebuilds": rebuilds.run,
    "cores": cores.run,
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks, print their figures and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, small national runs")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="each benchmark once in its quickest form, to see that it runs (figures mean nothing)",
    )
    parser.add_argument(
        "--only",
        default="",
        metavar="NAMES",
        help=f"comma-separated benchmarks to run, of: {', '.join(BENCHMARKS)} (default: all)",
    )
    parser.add_argument(
        "--sizes",
        default="",
        metavar="N,N,...",
        help="numbers of networks for the national benchmark (default 100,300,1250; "
        "--quick: 10,30; --smoke: 2)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--results",
        type=Path,
        default=BENCH / "RESULTS.md",
        help="where to write the results (default benchmarks/RESULTS.md)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=BENCH / "out",
        help="scratch folder for what the benchmarks build (default benchmarks/out)",
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    else:
        sizes = (2,) if args.smoke else (10, 30) if args.quick else (100, 300, 1250)
    settings = Settings(
        quick=args.quick or args.smoke,
        out=args.out,
        data=REPO.parent / "shared" / "data",
        jobs=args.jobs,
        sizes=sizes,
        smoke=args.smoke,
    )
    settings.out.mkdir(parents=True, exist_ok=True)

    started = datetime.now().astimezone()
    about = machine()
    for key, value in about:
        print(f"{key}: {value}")
    sections: list[Section] = []
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        clock = time.perf_counter()
        sections.append(BENCHMARKS[name](settings))
        print(f"({name} took {time.perf_counter() - clock:.0f} s)", flush=True)

    text = _results(started, about, sections, args, chosen)
    args.results.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.results}")
    return 0


def _results(
    started: datetime,
    about: list[tuple[str, str]],
    sections: list[Section],
    args: argparse.Namespace,
    chosen: list[str],
) -> str:
    lines = [
        "# pcndocs benchmarks",
        "",
        "Written by `benchmarks/run.py` (`make bench`); measured, not asserted. Rerun it "
        "after changing pcndocs, on the machine the figures should describe.",
        "",
        f"Run on {started:%Y-%m-%d %H:%M %Z}: "
        f"`python benchmarks/run.py{' --quick' if args.quick else ''}"
        f"{' --smoke' if args.smoke else ''}"
        f"{' --only ' + ','.join(chosen) if args.only else ''}"
        f"{' --sizes ' + args.sizes if args.sizes else ''}"
        f"{' --jobs ' + str(args.jobs) if args.jobs != 2 else ''}`",
        "",
        "## The machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in about),
        f"| Load average at the end | {load_average()} |",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for section in sections:
        for verdict in section.verdicts:
            lines.append(f"| {verdict.target} | {verdict.measured} | {verdict_text(verdict)} |")
    lines.append("")
    for section in sections:
        lines += [f"## {section.title}", "", *section.lines, ""]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
