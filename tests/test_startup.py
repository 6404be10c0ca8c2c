"""Start-up paid once: WeasyPrint's libraries found with one program, templates compiled once
per user, workers forked from a warm server; each lever leaves every byte of output as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pcndocs.render.cache import ENVIRONMENT_VARIABLE
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

LINUX = pytest.mark.skipif(sys.platform != "linux", reason="the library search is Linux's")

# Imports WeasyPrint (plainly first if argv[1] is "plain") and prints how many programs
# the process ran and which of Pango's, HarfBuzz's and fontconfig's files it loaded.
_LIBRARIES = r"""
import json, sys
programs = []
def hook(event, args):
    if event == "subprocess.Popen":
        programs.append(args[0])
sys.addaudithook(hook)
if sys.argv[1] == "plain":
    import weasyprint
import pcndocs.render.writers.pdf
with open("/proc/self/maps") as maps:
    files = sorted({line.split()[-1] for line in maps
                    if any(n in line for n in ("pango", "harfbuzz", "fontconfig", "gobject"))})
print(json.dumps({"programs": [str(p) for p in programs], "files": files}))
"""

# Builds the example (argv[2]: documents) into argv[1], WeasyPrint first imported plainly if
# argv[3] is "plain"; prints each file's checksum.
_BUILD = r"""
import hashlib, json, sys
from pathlib import Path
if sys.argv[3] == "plain":
    import weasyprint
from pcndocs.output.build import BuildOptions
from pcndocs.output.batch import build_profile
from pcndocs.resources import example_profile
out = Path(sys.argv[1])
options = BuildOptions(out=out, formats=("pdf", "docx", "html"),
                       documents=tuple(sys.argv[2].split(",")), force=True)
result = build_profile(example_profile(), options)
print(json.dumps({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in result.written}))
"""


def _python(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    run = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.strip().splitlines()[-1]


@LINUX
def test_weasyprint_finds_its_libraries_with_one_program() -> None:
    quick = json.loads(_python(_LIBRARIES, "quick"))
    plain = json.loads(_python(_LIBRARIES, "plain"))
    assert len(quick["programs"]) <= 1, quick["programs"]  # one read of the linker cache
    assert len(plain["programs"]) > 10  # what it was: ldconfig, gcc and ld for each name
    assert quick["files"] == plain["files"]
    assert any("libpango" in f for f in quick["files"])


def test_levers_leave_every_byte_as_it_was(tmp_path: Path) -> None:
    documents = "schedule-1,leadership-summary"
    plain = _python(_BUILD, str(tmp_path / "a"), documents, "plain", env={ENVIRONMENT_VARIABLE: ""})
    cache = str(tmp_path / "cache")
    cold = _python(
        _BUILD, str(tmp_path / "b"), documents, "quick", env={ENVIRONMENT_VARIABLE: cache}
    )
    warm = _python(
        _BUILD, str(tmp_path / "c"), documents, "quick", env={ENVIRONMENT_VARIABLE: cache}
    )
    assert list(Path(cache).rglob("*.cache"))  # the second build read compiled templates
    assert json.loads(plain) == json.loads(cold) == json.loads(warm)
    assert len(json.loads(plain)) == 6


def _render(user: Path, text: str) -> str:
    (user / "note.md").write_text(text, encoding="utf-8")
    os.utime(user / "note.md", (1_000_000_000, 1_000_000_000))  # the same time each write
    return Templates(builtin_templates(), user).render("note.md", {"x": 1})


def test_compiled_templates_are_never_stale(tmp_path: Path, own_cache_folder: Path) -> None:
    user = tmp_path / "templates"
    user.mkdir()
    assert _render(user, "Hello {{ x }}\n") == "Hello 1\n"
    cached = list(own_cache_folder.rglob("*.cache"))
    assert cached
    # Same name, path, size and modification time; one character changed: compiled again.
    assert _render(user, "Hallo {{ x }}\n") == "Hallo 1\n"
    # A damaged cache file (a disk filled mid-write, say) is compiled afresh, not read.
    for path in own_cache_folder.rglob("*.cache"):
        path.write_bytes(path.read_bytes()[:20])
    assert _render(user, "Hallo {{ x }}\n") == "Hallo 1\n"


def test_no_cache_where_the_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    env = {ENVIRONMENT_VARIABLE: str(blocker / "cache")}
    out = _python(_BUILD, str(tmp_path / "out"), "leadership-summary", "quick", env=env)
    assert len(json.loads(out)) == 3


def test_concurrent_builds_share_a_cold_cache(tmp_path: Path) -> None:
    """Two builds at once over one cold cache: each compiles and writes; both agree."""
    cache = str(tmp_path / "cache")
    env = {**os.environ, ENVIRONMENT_VARIABLE: cache}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(tmp_path / f"out{n}"), "leadership-summary", "q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(2)
    ]
    outputs = [run.communicate() for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    first, second = (json.loads(out.strip().splitlines()[-1]) for out, _ in outputs)
    assert first == second


# Runs `pcndocs --help` in this interpreter and prints the top-level packages it imported.
_HELP_IMPORTS = r"""
import sys
from pcndocs.cli import main
sys.argv = ["pcndocs", "--help"]
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def test_help_imports_none_of_the_heavy_libraries() -> None:
    """`pcndocs --help` (and a mistyped command) answers at once: it loads none of the
    libraries that render, check or read documents, only Click and the standard library."""
    done = subprocess.run(
        [sys.executable, "-c", _HELP_IMPORTS], capture_output=True, text=True, check=True
    )
    assert "Usage:" in done.stdout
    loaded = set(done.stderr.split())
    heavy = {"weasyprint", "docx", "pydantic", "jinja2", "markdown_it", "yaml", "openpyxl", "PIL"}
    assert "click" in loaded
    assert not loaded & heavy, sorted(loaded & heavy)
