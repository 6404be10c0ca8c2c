"""A corpus of bad inputs, each with the exact message the CLI must give for it.

Every case runs `pcndocs build` through Click's runner and must end with exit code 1, the
message below (one line per problem, `error: ` before the first) and no document written.
A few run as real subprocesses, to see what a user's terminal sees. Quickness is built in,
not timed here: the reader refuses by size before reading, and stops parsing at fixed limits
(benchmarks/bad_inputs.py measures the time and memory of the worst files).
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.profile import yamlfile
from tests.readback import documents_in

# A small valid profile; the cases change one thing in it. Its lines are numbered below.
BASE = """\
network:
  name: Riverside Primary Care Network
  code: U99999
  population_date: 2025-01-01
  nominated_payee: A99001
contract_year: 2025/26
practices:
  - name: Riverside Surgery
    ods_code: A99001
    list_size: 12000
  - name: Millbrook Medical Centre
    ods_code: A99002
    list_size: 9000
clinical_directors:
  - name: Dr Jane Example
    practice: A99001
    sessions_per_week: 1.5
    start_date: 2025-04-01
appointment:
  method: election
  term_years: 3
leads:
  - name: Dr Sam Example
    kind: clinical
    workstream: cvd_prevention
    practice: A99002
    sessions_per_month: 2
    session_rate: 350
document_control:
  author: Network Manager
  approval_date: 2025-03-20
"""

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""

BUILD = ["build", "-f", "html", "-d", "cd-job-description"]


def changed(old: str, new: str) -> str:
    """Return the base profile with one piece of it changed (which must be there once)."""
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


Content = str | bytes | Callable[[Path], Path]


@dataclass(frozen=True)
class Case:
    """One bad input: the profile's text, bytes, or a function making the path to build."""

    id: str
    content: Content
    expected: tuple[str, ...]  # the message's lines; {file} stands for the profile's path


def case(id: str, content: Content, *expected: str) -> Case:
    return Case(id, content, expected)


def _missing(tmp: Path) -> Path:
    return tmp / "nowhere.yaml"


def _folder(tmp: Path) -> Path:
    (tmp / "a-folder.yaml").mkdir()
    return tmp / "a-folder.yaml"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "plain.txt").write_text("x", encoding="utf-8")
    return tmp / "plain.txt" / "profile.yaml"


def _pipe(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.yaml")  # reading it would wait for ever
    return tmp / "pipe.yaml"


def _device(_tmp: Path) -> Path:
    return Path(os.devnull)


DEEP = "a: " + "[" * 100 + "]" * 100 + "\n"
MANY_VALUES = "a: [" + "1, " * 30_000 + "1]\n"
MANY_MEGABYTES = BASE + "# " + "x" * (5 * 1024 * 1024) + "\n"

CORPUS: list[Case] = [
    # The file itself
    case("missing file", _missing, "{file}: no such file"),
    case("a folder", _folder, "{file}: is a folder with no .yaml profiles in it"),
    case("under a file", _under_a_file, "{file}: no such file"),
    case("a named pipe", _pipe, "{file}: is not a regular file (a device, pipe or socket)"),
    case("a device", _device, "{file}: is not a regular file (a device, pipe or socket)"),
    case("empty file", "", "{file}:1: the file is empty; a profile starts with 'network:'"),
    case(
        "only comments",
        "# a profile\n\n# to come\n",
        "{file}:1: the file is empty; a profile starts with 'network:'",
    ),
    case("many megabytes", MANY_MEGABYTES, "{file}: is 5.1 MB; a profile is at most 1 MB"),
    case(
        "just over the limit",
        "#" * (yamlfile.MAX_FILE_BYTES + 1),
        "{file}: is 1.1 MB; a profile is at most 1 MB",
    ),
    case(
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "{file}: is a binary file, not a YAML text file",
    ),
    case(
        "UTF-16",
        codecs.BOM_UTF16_LE + BASE.encode("utf-16-le"),
        "{file}: is UTF-16 text, not UTF-8; save it as UTF-8",
    ),
    case(
        "Latin-1",
        changed("Riverside Surgery", "Rivérside Surgery").encode("latin-1"),
        "{file}:8: the file is not UTF-8 text (byte 0xE9 on this line); save it as UTF-8",
    ),
    case(
        "control character",
        changed("Riverside Surgery", "Riverside\x07Surgery"),
        "{file}:8: a control character (U+0007) in column 20, which a profile cannot hold; "
        "delete it",
    ),
    # YAML that cannot be read
    case(
        "a list at the top",
        "- network\n- practices\n",
        "{file}:1: expected keys such as 'network:' at the top, got a list",
    ),
    case(
        "a scalar at the top",
        "Riverside PCN\n",
        "{file}:1: expected keys such as 'network:' at the top, got a single value",
    ),
    case(
        "tab indent",
        changed("  code: U99999", "\tcode: U99999"),
        "{file}:3: not valid YAML: a tab is used for indenting; YAML needs spaces",
    ),
    case(
        "unclosed double quote",
        changed("  name: Riverside Primary", '  name: "Riverside Primary'),
        "{file}:2: not valid YAML: a quote opened on this line is never closed",
    ),
    case(
        "unclosed single quote",
        changed("  author: Network Manager", "  author: 'Network Manager"),
        "{file}:30: not valid YAML: a quote opened on this line is never closed",
    ),
    case(
        "backslash in double quotes",
        changed("  author: Network Manager", '  author: "C:\\Users\\manager"'),
        "{file}:30: not valid YAML: a '\\' in double quotes starts an escape; write '\\\\' or "
        "use single quotes",
    ),
    case(
        "colon in a value",
        changed("  author: Network Manager", "  author: Network: Manager"),
        "{file}:30: not valid YAML: a ':' where none can be; put the value in quotes",
    ),
    case(
        "bad indent",
        changed("    list_size: 9000", "   list_size: 9000"),
        "{file}:13: not valid YAML: this line does not fit the lines above it; check its "
        "indenting and its quotes",
    ),
    case(
        "unclosed list",
        changed("  term_years: 3", "  term_years: [3"),
        "{file}:22: not valid YAML: a list opened with '[' is not closed with ']'",
    ),
    case(
        "a value that starts with @",
        changed("  author: Network Manager", "  author: @manager"),
        "{file}:30: not valid YAML: '@' cannot start a value; put it in quotes",
    ),
    case(
        "two documents",
        BASE + "---\nnetwork: {}\n",
        "{file}:32: a second YAML document starts here ('---'); a profile is one",
    ),
    case(
        "duplicate key",
        changed("contract_year: 2025/26\n", "contract_year: 2025/26\ncontract_year: 2024/25\n"),
        "{file}:7: contract_year: this key is given twice (first on line 6)",
    ),
    case(
        "duplicate nested key",
        changed("    list_size: 12000", "    list_size: 12000\n    list_size: 13000"),
        "{file}:11: practices[0].list_size: practice 1 (Riverside Surgery): this key is given "
        "twice (first on line 10)",
    ),
    case(
        "a list as a key",
        changed("contract_year: 2025/26\n", "contract_year: 2025/26\n? [a, b]\n: c\n"),
        "{file}:7: a key must be a plain word such as 'name'",
    ),
    # YAML that could do harm
    case(
        "billion laughs",
        BILLION_LAUGHS,
        # The line of the key being read, not of the anchor its aliases lead back to.
        "{file}:5: e: the file expands to more than 20,000 values (YAML aliases nested too deep)",
    ),
    case(
        "an alias of itself",
        "a: &a [1, *a]\n",
        "{file}:1: a: values nested more than 32 levels deep once its YAML aliases are expanded "
        "(the top level counts as one); a profile needs five at most",
    ),
    case(
        "too many values",
        MANY_VALUES,
        "{file}:1: the file holds more than 20,000 values; a profile holds a few hundred "
        "(is this the right file?)",
    ),
    case(
        "nested too deep",
        DEEP,
        "{file}:1: values nested more than 32 levels deep (the top level counts as one); "
        "a profile needs five at most",
    ),
    case(
        "undefined alias",
        changed("  author: Network Manager", "  author: *manager"),
        "{file}:30: not valid YAML: no anchor '&manager' before this",
    ),
    case(
        "merge key",
        changed("  term_years: 3", "  <<: {term_years: 3}"),
        "{file}:21: appointment: merge keys ('<<') are not supported in a profile",
    ),
    case(
        "python/object/apply",
        changed("  author: Network Manager", '  author: !!python/object/apply:os.system ["id"]'),
        "{file}:30: document_control.author: the YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a profile",
    ),
    case(
        "python/object on a mapping",
        changed("appointment:\n", "appointment: !!python/object:collections.OrderedDict\n"),
        "{file}:19: appointment: the YAML tag 'tag:yaml.org,2002:python/object:collections."
        "OrderedDict' is not allowed in a profile",
    ),
    case(
        "python/name",
        changed("  author: Network Manager", "  author: !!python/name:os.system"),
        "{file}:30: document_control.author: the YAML tag "
        "'tag:yaml.org,2002:python/name:os.system' is not allowed in a profile",
    ),
    case(
        "a local tag",
        changed("  author: Network Manager", "  author: !secret manager"),
        "{file}:30: document_control.author: the YAML tag '!secret' is not allowed in a profile",
    ),
    case(
        "binary tag",
        changed("  author: Network Manager", "  author: !!binary aGVsbG8="),
        "{file}:30: document_control.author: the YAML tag 'tag:yaml.org,2002:binary' is not "
        "allowed in a profile",
    ),
    case(
        "a !!bool that is not",
        changed("    list_size: 12000", '    list_size: !!bool "maybe"'),
        "{file}:10: practices[0].list_size: practice 1 (Riverside Surgery): expected true or "
        "false, got 'maybe'",
    ),
    case(
        "a !!timestamp that is not",
        changed("  approval_date: 2025-03-20", '  approval_date: !!timestamp "soon"'),
        "{file}:31: document_control.approval_date: expected a date that exists, got 'soon'",
    ),
    # Values of the wrong type or out of range
    case(
        "list size in words",
        changed("list_size: 12000", "list_size: twelve thousand"),
        "{file}:10: practices[0].list_size: practice 1 (Riverside Surgery): expected a whole "
        "number, got 'twelve thousand'",
    ),
    case(
        "negative list size",
        changed("list_size: 12000", "list_size: -12000"),
        "{file}:10: practices[0].list_size: practice 1 (Riverside Surgery): expected a number "
        "above 0, got -12000",
    ),
    case(
        "absurd list size",
        changed("list_size: 9000", "list_size: 90000000000"),
        "{file}:13: practices[1].list_size: practice 2 (Millbrook Medical Centre): expected a "
        "number of at most 500000, got 90000000000",
    ),
    case(
        "fractional list size",
        changed("list_size: 12000", "list_size: 12000.5"),
        "{file}:10: practices[0].list_size: practice 1 (Riverside Surgery): expected a whole "
        "number, got 12000.5",
    ),
    case(
        "yes as a list size",
        changed("list_size: 12000", "list_size: yes"),
        "{file}:10: practices[0].list_size: practice 1 (Riverside Surgery): expected a whole "
        "number, got true",
    ),
    case(
        "no sessions",
        changed("sessions_per_week: 1.5", "sessions_per_week: 0"),
        "{file}:17: clinical_directors[0].sessions_per_week: clinical director 1 (Dr Jane "
        "Example): expected a number above 0, got 0",
    ),
    case(
        "too many sessions",
        changed("sessions_per_week: 1.5", "sessions_per_week: 40"),
        "{file}:17: clinical_directors[0].sessions_per_week: clinical director 1 (Dr Jane "
        "Example): expected a number of at most 9, "
        "got 40",
    ),
    case(
        "NaN sessions",
        changed("sessions_per_week: 1.5", "sessions_per_week: .nan"),
        "{file}:17: clinical_directors[0].sessions_per_week: clinical director 1 (Dr Jane "
        "Example): expected a number, got YAML's 'not a number' (.nan)",
    ),
    case(
        "infinite sessions",
        changed("sessions_per_week: 1.5", "sessions_per_week: .inf"),
        "{file}:17: clinical_directors[0].sessions_per_week: clinical director 1 (Dr Jane "
        "Example): expected a number, got infinity",
    ),
    case(
        "negative session rate",
        changed("session_rate: 350", "session_rate: -350"),
        "{file}:28: leads[0].session_rate: lead 1 (Dr Sam Example): expected a number of 0 or "
        "more, got -350",
    ),
    case(
        "term too long",
        changed("term_years: 3", "term_years: 11"),
        "{file}:21: appointment.term_years: expected a number of at most 10, got 11",
    ),
    case(
        "30 February",
        changed("population_date: 2025-01-01", "population_date: 2025-02-30"),
        "{file}:4: network.population_date: expected a date that exists, got '2025-02-30'",
    ),
    case(
        "a date in words",
        changed("start_date: 2025-04-01", "start_date: next April"),
        "{file}:18: clinical_directors[0].start_date: clinical director 1 (Dr Jane Example): "
        "expected a date as YYYY-MM-DD, "
        "got 'next April'",
    ),
    case(
        "a date with a time",
        changed("approval_date: 2025-03-20", "approval_date: 2025-03-20 10:30:00"),
        "{file}:31: document_control.approval_date: expected a date as YYYY-MM-DD, "
        "got '2025-03-20 10:30:00'",
    ),
    case(
        "a name given as a number",
        changed("  author: Network Manager", "  author: 1.5"),
        "{file}:30: document_control.author: expected text, got 1.5; put it in quotes if it "
        "is meant as text",
    ),
    case(
        "a name left empty",
        changed("  - name: Riverside Surgery", "  - name:"),
        "{file}:8: practices[0].name: practice 1: is required but missing",
    ),
    case(
        "a name too long",
        changed("  author: Network Manager", "  author: " + "x" * 501),
        "{file}:30: document_control.author: expected at most 500 characters, got '"
        + "x" * 60
        + "…'",
    ),
    case(
        "a missing key",
        changed("  name: Riverside Primary Care Network\n", ""),
        "{file}:1: network.name: is required but missing",
    ),
    case(
        "a misspelt key",
        changed("  term_years: 3", "  term_yeras: 3"),
        "{file}:21: appointment.term_yeras: unknown key; did you mean 'term_years'?",
    ),
    case(
        "a key with a line break",
        changed("  term_years: 3", '  "term\\nyears": 3'),
        "{file}:21: appointment.term\\nyears: unknown key; did you mean 'term_years'?",
    ),
    case(
        "an unknown choice",
        changed("method: election", "method: lottery"),
        "{file}:20: appointment.method: expected one of selection, election or "
        "selection_and_election, got 'lottery'",
    ),
    case(
        "no practices",
        changed(BASE[BASE.index("practices:") : BASE.index("clinical_")], "practices: []\n"),
        "{file}:7: practices: is required but missing",
    ),
    # Codes and references
    case(
        "malformed ODS code",
        changed("ods_code: A99001", "ods_code: A9901"),
        "{file}:5: network.nominated_payee: the nominated payee must be a member practice "
        "(A99002), got 'A99001'; for another provider, give its name as payee_name",
        "{file}:9: practices[0].ods_code: practice 1 (Riverside Surgery): expected an ODS code: "
        "a letter and five digits "
        "(A81001), got 'A9901'",
        "{file}:16: clinical_directors[0].practice: clinical director 1 (Dr Jane Example): the "
        "practice must be a "
        "member practice (A99002), got 'A99001'",
    ),
    case(
        "ODS code as a number",
        changed("ods_code: A99002", "ods_code: 99002"),
        "{file}:12: practices[1].ods_code: practice 2 (Millbrook Medical Centre): expected an "
        "ODS code: a letter and five digits "
        "(A81001), got '99002'",
        "{file}:26: leads[0].practice: lead 1 (Dr Sam Example): the practice must be a member "
        "practice (A99001), "
        "got 'A99002'",
    ),
    case(
        "malformed PCN code",
        changed("code: U99999", "code: P12345"),
        "{file}:3: network.code: expected a PCN code: U and five digits (U35980), got 'P12345'",
    ),
    case(
        "a PCN code with a line break",
        changed("code: U99999", 'code: "U99999\\n\\u202eevil"'),
        "{file}:3: network.code: expected a PCN code: U and five digits (U35980), "
        "got 'U99999\\n\\u202eevil'",
    ),
    case(
        "malformed contract year",
        changed("contract_year: 2025/26", "contract_year: 2025/27"),
        "{file}:6: contract_year: expected a contract year such as 2026/27 (two years in a row), "
        "got '2025/27'",
    ),
    case(
        "contract year as a number",
        changed("contract_year: 2025/26", "contract_year: 2025"),
        "{file}:6: contract_year: expected a contract year such as 2026/27 (two years in a row), "
        "got '2025'",
    ),
    case(
        "duplicate practice",
        changed("ods_code: A99002", "ods_code: A99001"),
        "{file}:12: practices[1].ods_code: practice 2 (Millbrook Medical Centre): A99001 is "
        "listed twice, also for practice 1 (Riverside Surgery)",
        "{file}:26: leads[0].practice: lead 1 (Dr Sam Example): the practice must be a member "
        "practice (A99001), "
        "got 'A99002'",
    ),
    case(
        "director from outside",
        changed("    practice: A99001", "    practice: B12345"),
        "{file}:16: clinical_directors[0].practice: clinical director 1 (Dr Jane Example): the "
        "practice must be a "
        "member practice (A99001, A99002), got 'B12345'",
    ),
    case(
        "lead from outside",
        changed("    practice: A99002", "    practice: B12345"),
        "{file}:26: leads[0].practice: lead 1 (Dr Sam Example): the practice must be a member "
        "practice "
        "(A99001, A99002), got 'B12345'",
    ),
    case(
        "payee from outside",
        changed("nominated_payee: A99001", "nominated_payee: B12345"),
        "{file}:5: network.nominated_payee: the nominated payee must be a member practice "
        "(A99001, A99002), got 'B12345'; for another provider, give its name as payee_name",
    ),
    case(
        "unknown workstream",
        changed("workstream: cvd_prevention", "workstream: cvd_prevnetion"),
        "{file}:25: leads[0].workstream: lead 1 (Dr Sam Example): unknown workstream "
        "'cvd_prevnetion'; did you mean "
        "'cvd_prevention'?",
    ),
    case(
        "several problems at once",
        changed("list_size: 12000", "list_size: -1")
        .replace("code: U99999", "code: U9")
        .replace("term_years: 3", "term_years: three"),
        "{file}:3: network.code: expected a PCN code: U and five digits (U35980), got 'U9'",
        "{file}:10: practices[0].list_size: practice 1 (Riverside Surgery): expected a number "
        "above 0, got -1",
        "{file}:21: appointment.term_years: expected a whole number, got 'three'",
    ),
]


def _make(tmp_path: Path, content: Content) -> Path:
    if callable(content):
        return content(tmp_path)
    path = tmp_path / "profile.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 60
    assert len({c.id for c in CORPUS}) == len(CORPUS)


@pytest.mark.e2e
def test_the_base_profile_builds(tmp_path: Path) -> None:
    path = _make(tmp_path, BASE)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 0, result.output
    assert len(documents_in(tmp_path / "out")) == 1


@pytest.mark.parametrize("bad", CORPUS, ids=[c.id for c in CORPUS])
def test_bad_input_gives_its_message_and_no_document(bad: Case, tmp_path: Path) -> None:
    path = _make(tmp_path, bad.content)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(out), str(path)])
    expected = "".join(f"error: {line.replace('{file}', str(path))}\n" for line in bad.expected)
    assert result.exit_code == 1, result.output
    assert result.stderr == expected
    assert result.stdout == ""
    assert documents_in(out) == []


def test_several_problems_are_self_contained_lines(tmp_path: Path) -> None:
    path = _make(tmp_path, next(c for c in CORPUS if c.id == "several problems at once").content)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(tmp_path / "out"), str(path)])
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"error: {path}:") for line in lines)


def test_a_file_with_very_many_problems_lists_the_first_fifty(tmp_path: Path) -> None:
    practices = "".join(
        f"  - name: Practice {i}\n    ods_code: A{i:05d}\n    list_size: -{i + 1}\n"
        for i in range(80)
    )
    text = changed(BASE[BASE.index("practices:") : BASE.index("clinical_")], "practices:\n")
    path = _make(tmp_path, text.replace("practices:\n", "practices:\n" + practices))
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(tmp_path / "out"), str(path)])
    lines = result.stderr.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 51
    assert lines[-1] == f"error: {path}: 33 more problems; fix those above first"


def test_an_unreadable_profile_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root reads any file whatever its mode, so the refusal is made to happen here; the
    # subprocess test below does it for real.
    path = _make(tmp_path, BASE)
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}: cannot be read: permission denied\n"


# --- Output files and folders -------------------------------------------------------------


def test_an_output_folder_under_a_file_is_reported(tmp_path: Path) -> None:
    path = _make(tmp_path, BASE)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out = tmp_path / "a-file" / "out"
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(out), str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path / 'a-file'}: is a file, not a folder; cannot write documents in it\n"
    )


def test_a_read_only_document_is_reported_and_left_as_it_was(tmp_path: Path) -> None:
    path = _make(tmp_path, BASE)
    out = tmp_path / "out"
    target = out / "riverside-primary-care-network" / "cd-job-description.html"
    target.parent.mkdir(parents=True)
    target.write_text("the old document", encoding="utf-8")
    target.chmod(0o444)
    # pcndocs has no record of writing it, so it would be kept; told to replace it, it cannot.
    result = CliRunner().invoke(cli, [*BUILD, "--overwrite-edited", "-o", str(out), str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {target}: is read-only; make it writable (or close it) and build again\n"
    )
    assert target.read_text(encoding="utf-8") == "the old document"
    assert documents_in(out) == [target]


def test_a_folder_where_a_document_goes_is_reported(tmp_path: Path) -> None:
    path = _make(tmp_path, BASE)
    out = tmp_path / "out"
    target = out / "riverside-primary-care-network" / "cd-job-description.html"
    target.mkdir(parents=True)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(out), str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {target}: is a folder; move it away and build again\n"


@pytest.mark.e2e
def test_a_folder_that_cannot_be_written_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    path = _make(tmp_path, BASE)
    out = tmp_path / "out"
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = CliRunner().invoke(cli, [*BUILD, "-o", str(out), str(path)])
    folder = out.resolve() / "riverside-primary-care-network"
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {folder}: cannot be written: permission denied (is it read-only, or open "
        "in another program?)\n"
    )


# --- Usage errors: Click's own, exit code 2 -----------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        (["build", "-f", "xls"], "unknown format 'xls'"),
        (["build", "-d", "minutes"], "unknown document 'minutes'"),
        (["build", "--templates", "/no/such/folder"], "'/no/such/folder' does not exist"),
        (["build", "--no-such-option"], "No such option"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2(arguments: list[str], phrase: str) -> None:
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
    assert phrase in result.stderr
    assert "Traceback" not in result.output


# --- Real subprocess runs: what a terminal sees --------------------------------------------


# Run as root, the CLI runs without the two capabilities that let root ignore a file's mode
# (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so that a file's mode counts when the profile is
# read and the documents are written. It stays root, the owner of the clone: dropping to
# 'nobody' instead fails wherever the clone's folder is private to its owner (chmod 700).
_WITHOUT_FILE_RIGHTS = """
import ctypes, os, sys
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
libc = ctypes.CDLL(None, use_errno=True)
for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
    if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
        sys.exit(f"cannot drop capability {capability}: {os.strerror(ctypes.get_errno())}")
os.execv(sys.executable, [sys.executable, "-m", "pcndocs", *sys.argv[1:]])
"""


def _run(*arguments: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a new Python, as a user would; unprivileged: never with root's rights."""
    as_root = unprivileged and os.geteuid() == 0
    command = ["-c", _WITHOUT_FILE_RIGHTS] if as_root else ["-m", "pcndocs"]
    return subprocess.run(
        [sys.executable, *command, *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.e2e
@pytest.mark.parametrize(
    "id", ["billion laughs", "many megabytes", "tab indent", "python/object/apply", "Latin-1"]
)
def test_a_real_run_prints_one_line_and_exits_1(id: str, tmp_path: Path) -> None:
    bad = next(c for c in CORPUS if c.id == id)
    path = _make(tmp_path, bad.content)
    result = _run(*BUILD, "-o", str(tmp_path / "out"), str(path))
    assert result.returncode == 1
    assert result.stderr == f"error: {bad.expected[0].replace('{file}', str(path))}\n"
    assert result.stdout == ""
    assert documents_in(tmp_path / "out") == []


@pytest.mark.e2e
def test_a_real_run_with_v_adds_detail(tmp_path: Path) -> None:
    path = _make(tmp_path, changed("list_size: 12000", "list_size: -1"))
    result = _run("-v", *BUILD, "-o", str(tmp_path / "out"), str(path))
    lines = result.stderr.splitlines()
    assert result.returncode == 1
    assert lines[0] == (
        f"error: {path}:10: practices[0].list_size: practice 1 (Riverside Surgery): "
        "expected a number above 0, got -1"
    )
    assert lines[1] == "(ProfileError; raised at)"
    assert any("pcndocs/profile/load.py" in line for line in lines)


@pytest.mark.e2e
def test_a_real_usage_error_exits_2(tmp_path: Path) -> None:
    result = _run("build", "-f", "xls")
    assert result.returncode == 2
    assert "unknown format 'xls'" in result.stderr


@pytest.mark.e2e
@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_real_unreadable_profile(tmp_path: Path) -> None:
    # As root, the build runs without the rights that ignore a file's mode.
    path = _make(tmp_path, BASE)
    path.chmod(0o000)
    result = _run(*BUILD, "-o", str(tmp_path / "out"), str(path), unprivileged=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {path}: cannot be read: permission denied\n"


@pytest.mark.e2e
@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_real_output_folder_that_cannot_be_written(tmp_path: Path) -> None:
    path = _make(tmp_path, BASE)
    path.chmod(0o644)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    result = _run(*BUILD, "-o", str(out), str(path), unprivileged=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"error: {out / 'riverside-primary-care-network'}: cannot create the folder: "
        "permission denied (is it read-only, or open in another program?)\n"
    )
    assert documents_in(out) == []


@pytest.mark.e2e
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_real_unprivileged_run_from_a_clone_only_its_owner_can_read(tmp_path: Path) -> None:
    # CI runs the suite as root in a clone whose folder is private (chmod 700).
    repository = Path(__file__).resolve().parent.parent
    clone = tmp_path / "clone"
    for part in ("pcndocs", "templates", "profiles"):
        shutil.copytree(repository / part, clone / part)
    clone.chmod(0o700)
    path = _make(tmp_path, BASE)
    path.chmod(0o000)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _WITHOUT_FILE_RIGHTS,
            *BUILD,
            "-o",
            str(tmp_path / "out"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(clone)},
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {path}: cannot be read: permission denied\n"


@pytest.mark.e2e
@pytest.mark.parametrize("command", [["check"], ["build", "-f", "html"]])
def test_a_real_run_on_a_cp1252_terminal_prints_what_it_cannot_encode(
    command: list[str], tmp_path: Path
) -> None:
    # A Windows console: a folder named Łukasz cannot be written in cp1252.
    folder = tmp_path / "Łukasz"
    folder.mkdir()
    path = _make(folder, BASE.replace("Riverside Primary Care Network", "Łódź ☃ Network"))
    out = ["-o", str(tmp_path / "out")] if command[0] == "build" else []
    result = subprocess.run(
        [sys.executable, "-m", "pcndocs", *command, *out, str(path)],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
    )
    assert result.returncode == 0, result.stderr.decode("cp1252")
    assert b"Traceback" not in result.stderr
    assert b"\\u0141" in result.stdout  # Ł shown as an escape, not a crash
    if command[0] == "build":
        assert len(documents_in(tmp_path / "out")) == 5
