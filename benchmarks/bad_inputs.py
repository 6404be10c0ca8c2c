"""How fast, and in how little memory, pcndocs refuses hostile profiles. Measured, not asserted.

For each file: the wall time and peak memory (ru_maxrss) of a whole `pcndocs build` process,
including Python's start-up (and a small wrapper's); and the time and the peak of Python
allocations (tracemalloc) of loading the profile alone in this process, with libyaml and
with PyYAML's pure-Python parser (used where libyaml is missing).

    python benchmarks/bad_inputs.py
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

from pcndocs.errors import PcndocsError
from pcndocs.output.build import load
from pcndocs.profile import yamlfile
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
NEAR_LIMIT = yamlfile.MAX_FILE_BYTES - 64


def hostile_files(folder: Path) -> dict[str, Path]:
    """Write the hostile profiles and return them by name."""
    base = example_profile().read_text(encoding="utf-8")
    files = {
        "billion laughs": LAUGHS,
        "5 MB (a profile and a long comment)": base + "#" + "x" * 5 * 1024 * 1024 + "\n",
        "0.99 MB flow list (too many values)": "a: [" + "1," * (NEAR_LIMIT // 2) + "1]\n",
        "0.99 MB of list lines (too many values)": "a:\n" + "  - x\n" * (NEAR_LIMIT // 6),
        "0.99 MB nest (too deep)": "a: " + "[" * (NEAR_LIMIT // 2) + "]" * (NEAR_LIMIT // 2),
        "0.99 MB quoted string": 'network: "' + "x" * NEAR_LIMIT + '"\n',
        "0.99 MB comment (a valid profile)": base + "#" + "x" * (NEAR_LIMIT - len(base)) + "\n",
    }
    paths = {}
    for i, (name, text) in enumerate(files.items()):
        path = folder / f"hostile-{i}.yaml"
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


# A small Python that runs the command and reports its peak memory: measured from this big
# process instead, the child's peak would count the pages it shares with us until exec.
_PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, peak, (done.stderr.splitlines() or [""])[0], sep="\\n")
"""


def whole_process(path: Path, out: Path) -> tuple[float, float, int, str]:
    """Return seconds, peak MB, exit code and first line of stderr of one CLI run."""
    command = [sys.executable, "-m", "pcndocs", "build", "-f", "html", "-o", str(out), str(path)]
    start = time.perf_counter()
    report = subprocess.run(
        [sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    seconds = time.perf_counter() - start  # includes the small wrapper's own start
    return seconds, int(report[1]) / 1024, int(report[0]), report[2][:90]


def in_process(path: Path, repeat: int = 5) -> tuple[float, float]:
    """Return the median seconds and the peak MB of Python allocations of loading a file."""
    facts = load_facts()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(PcndocsError):
            load(path, facts)
        times.append(time.perf_counter() - start)
    tracemalloc.start()  # once more, apart: tracing slows Python several times over
    with contextlib.suppress(PcndocsError):
        load(path, facts)
    peak = tracemalloc.get_traced_memory()[1] / 1_048_576
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = hostile_files(folder)
        print(
            f"{'file':42} {'process s':>9} {'peak MB':>8} {'load s':>8} {'alloc MB':>9}"
            f" {'pure s':>7}  exit, message"
        )
        for name, path in files.items():
            seconds, peak, code, message = whole_process(path, folder / "out")
            load_s, alloc = in_process(path)
            yamlfile._PARSER = yaml.SafeLoader  # the pure-Python parser, where libyaml is missing
            pure_s, _ = in_process(path, repeat=1)
            yamlfile._PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            print(
                f"{name:42} {seconds:9.2f} {peak:8.0f} {load_s:8.3f} {alloc:9.1f}"
                f" {pure_s:7.3f}  {code}, {message}"
            )


if __name__ == "__main__":
    main()
