"""What the benchmarks share besides timing: settings, the machine, sections and tables."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"


@dataclass(frozen=True)
class Settings:
    """How the benchmarks run: --quick or --smoke, the output folder, the national data."""

    quick: bool
    out: Path  # scratch output, ignored by git
    data: Path  # the national files: ../shared/data beside the repository
    jobs: int = 2
    sizes: tuple[int, ...] = (100, 300, 1250)
    # --smoke: each benchmark once, in its quickest form, so that a test sees it still runs;
    # its figures mean nothing.
    smoke: bool = False

    def repeats(self, normal: int, quick: int) -> int:
        """Return how many times to repeat a measurement in this mode."""
        if self.smoke:
            return 1
        return quick if self.quick else normal

    @property
    def pcndocs(self) -> str:
        """Return the pcndocs console script of the running environment."""
        script = Path(sys.executable).parent / "pcndocs"
        return str(script) if script.exists() else "pcndocs"


@dataclass
class Verdict:
    """One target: what it asks, what was measured, and whether it was met."""

    target: str
    measured: str
    met: bool | None  # None: no target to meet, or not measured in this run


@dataclass
class Section:
    """A benchmark's part of RESULTS.md: its tables and notes, and its verdicts."""

    title: str
    lines: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        """Print a line as the benchmark goes, and keep it for RESULTS.md."""
        print(text, flush=True)
        self.lines.append(text)

    def bullets(self, items: list[str]) -> None:
        """Print and keep a Markdown list, with a blank line after it if it has items."""
        for item in items:
            self.say(f"- {item}")
        if items:
            self.say()

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        """Print and keep a Markdown table."""
        self.say("| " + " | ".join(header) + " |")
        self.say("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.say("| " + " | ".join(row) + " |")
        self.say()


def note(text: str) -> None:
    """Print a progress note that is not part of RESULTS.md."""
    print(f"  .. {text}", flush=True)


def machine() -> list[tuple[str, str]]:
    """Return what the figures depend on: CPU, cores, memory, load, versions."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rows = [
        ("pcndocs commit", commit()),
        ("CPU", cpu),
        ("Cores usable", f"{usable} (of {os.cpu_count()} online)"),
        ("Memory", memory),
        ("Load average (1, 5, 15 min) at start", load_average()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
    ]
    for package in ("pcndocs", "weasyprint", "python-docx", "pydyf", "jinja2", "markdown-it-py"):
        try:
            rows.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    rows.append(("HarfBuzz", harfbuzz_version()))
    rows.append(("LibreOffice", libreoffice_version()))
    return rows


def commit() -> str:
    """Return the checked-out commit, marked if the working tree has changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} (with uncommitted changes)" if dirty else head


def load_average() -> str:
    """Return the load averages, which say whether other work shared the machine."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def harfbuzz_version() -> str:
    """Return the installed HarfBuzz packages' versions, as the system package manager has them."""
    try:
        result = subprocess.run(
            [
                "dpkg-query",
                "-W",
                "-f=${Package} ${Version}\\n",
                "libharfbuzz0b",
                "libharfbuzz-subset0",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown (no dpkg-query)"
    return "; ".join(result.stdout.split("\n")[:2]).strip("; ") or "unknown"


def libreoffice_version() -> str:
    """Return `soffice --version`, or that it is missing."""
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None:
        return "not installed"
    try:
        result = subprocess.run(
            [soffice, "--version"], capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() or "unknown"


def seconds(value: float) -> str:
    """Return seconds to three significant places, as ms below one second."""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def megabytes(value: float) -> str:
    """Return a size in MB."""
    return f"{value:.0f} MB"


def verdict_text(verdict: Verdict) -> str:
    """Return how a verdict reads in a table."""
    if verdict.met is None:
        return "not measured" if verdict.measured == "-" else "figure only"
    return "met" if verdict.met else "**missed**"
