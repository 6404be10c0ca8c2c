"""Templates are bounded without slowing ordinary ones. Measured, not asserted.

1. The built-in templates rendered for the example profile, side by side in one run: with
   pcndocs' bounded sandbox (Templates.render) and with Jinja's plain immutable sandbox over
   the same folder, same options. Their ratio is the cost of the limits.
2. Each hostile template and stylesheet of issue 12 built by a whole `pcndocs build` process:
   its wall time, its peak memory (ru_maxrss) and the one-line message it ends with.

    python benchmarks/hostile_templates.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repository, not benchmarks/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pcndocs.output.build import load
from pcndocs.render.context import network_context, render_context
from pcndocs.render.documents import DOCUMENTS
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates, example_profile
from pcndocs.rules.facts import load_facts

HOSTILE: dict[str, dict[str, str]] = {
    "'x'.center(10**9)": {"cd-job-description.md": "{{ 'x'.center(10**9) }}"},
    "|indent(10**9)": {"cd-job-description.md": "{{ 'a\nb'|indent(10**9) }}"},
    "'%*s'|format": {"cd-job-description.md": "{{ '%*s'|format(999999999, 'x') }}"},
    "string doubling": {
        "cd-job-description.md": "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    },
    "lipsum(10**6)": {"cd-job-description.md": "{{ lipsum(10**6) }}"},
    "nested range() loops": {
        "cd-job-description.md": "{% for i in range(99999) %}{% for j in range(99999) %}"
        "{% endfor %}{% endfor %}"
    },
    "a macro calling itself twice, 40 deep": {
        "cd-job-description.md": "{% macro m(n) %}{% if n < 40 %}{{ m(n+1) }}{{ m(n+1) }}"
        "{% endif %}{% endmacro %}{{ m(0) }}"
    },
    "40 bytes writing 300 MB": {
        "cd-job-description.md": "{% for i in range(99999) %}{% for j in range(99999) %}"
        "xxxx{% endfor %}{% endfor %}"
    },
    "pdf.css importing itself twice": {"pdf.css": '@import "pdf.css";\n@import "pdf.css";\n'},
    "@page { size: 2px 2px }": {"pdf.css": "@page { size: 2px 2px }\n"},
    # Issue 26: what a text-based guard missed, now read by tinycss2 or bounded at render.
    '@import"pdf.css" (no space)': {"pdf.css": '@import"pdf.css";\n'},
    "@import with a comment": {"pdf.css": '@import/**/"pdf.css";\n'},
    '@import "pdf.css?1"': {"pdf.css": '@import "pdf.css?1";\n@import "pdf.css?2";\n'},
    "@\\69mport (an escape)": {"pdf.css": '@\\69mport "pdf.css";\n'},
    "size: 2p\\78  2px (an escape)": {"pdf.css": "@page { size: 2p\\78  2p\\78  }\n"},
    "size: var(--tiny)": {"pdf.css": ":root { --t: 2px }\n@page { size: var(--t) var(--t) }\n"},
    "font-size: 300px": {"pdf.css": "html { font-size: 300px }\n"},
    "line-height: 200mm": {"pdf.css": "body { line-height: 200mm }\n"},
    "letter-spacing: 150mm": {"pdf.css": "p, li, td { letter-spacing: 150mm }\n"},
    "5,000 unknown properties": {
        "pdf.css": "".join(f"h1 {{ colour-{i}: red }}\n" for i in range(5000))
    },
}
#: A render is stopped after 60 s (pcndocs.render.writers.pdf.PDF_SECONDS); a template after 10 s.
SLOWEST_SECONDS = 60

# A small Python that runs the command and reports its peak memory (the child's own, not ours).
_PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, peak, (done.stderr.splitlines() or [""])[0], sep="\\n")
"""


def ordinary(repeat: int) -> tuple[float, float]:
    """Return the median seconds to render every built-in template: bounded, then plain."""
    facts = load_facts()
    loaded = load(example_profile(), facts)
    shared = network_context(loaded.profile, facts)
    jobs = [
        (kind.template, render_context(shared, facts, lead).variables())
        for kind in DOCUMENTS
        for lead in (shared.leads[:1] if kind.per_lead else [None])
    ]
    bounded = Templates(builtin_templates())
    plain = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(builtin_templates())),
        undefined=StrictUndefined,
        finalize=bounded.env.finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    plain.filters.update({k: v for k, v in bounded.env.filters.items() if k not in plain.filters})
    bounded_times, plain_times = [], []
    for _ in range(repeat):  # interleaved, so the machine's load falls on both alike
        start = time.perf_counter()
        for name, context in jobs:
            bounded.render(name, context)
        bounded_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for name, context in jobs:
            plain.get_template(name).render(context)
        plain_times.append(time.perf_counter() - start)
    return statistics.median(bounded_times), statistics.median(plain_times)


def hostile(name: str, files: dict[str, str], folder: Path) -> tuple[float, float, int, str]:
    """Return seconds, peak MB, exit code and the message of one hostile build."""
    mine = folder / "mine"
    mine.mkdir()
    for file, text in files.items():
        (mine / file).write_text(text, encoding="utf-8")
    formats = "pdf" if "pdf.css" in files else "html"
    command = [sys.executable, "-m", "pcndocs", "build", "-q", "-f", formats]
    command += ["-d", "cd-job-description"]
    command += ["--templates", str(mine), "-o", str(folder / "out"), str(example_profile())]
    start = time.perf_counter()
    report = subprocess.run(
        [sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    seconds = time.perf_counter() - start
    message = report[2].replace(str(mine), "mine")
    return seconds, int(report[1]) / 1024, int(report[0]), message[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    bounded, plain = ordinary(repeat)
    print(f"Ordinary templates, every built-in document, median of {repeat}, one run:")
    print(f"  bounded sandbox {bounded * 1000:8.1f} ms")
    print(f"  plain sandbox   {plain * 1000:8.1f} ms")
    print(f"  ratio           {bounded / plain:8.2f}")
    print()
    print(f"Hostile templates, a whole `pcndocs build` each (limit: {SLOWEST_SECONDS} s and 1 GB):")
    print(f"  {'case':40} {'seconds':>8} {'peak MB':>8} {'exit':>4}  message")
    print("  (a build that ends well says nothing: its message is empty)")
    for name, files in HOSTILE.items():
        with tempfile.TemporaryDirectory() as folder:
            seconds, peak, code, message = hostile(name, files, Path(folder))
        refused = code == 1 or name.startswith(("letter-spacing", "5,000"))  # built, bounded
        verdict = "ok" if seconds < SLOWEST_SECONDS and peak < 1024 and refused else "OVER"
        print(f"  {name:40} {seconds:8.2f} {peak:8.0f} {code:4}  {verdict}: {message}")


if __name__ == "__main__":
    main()
