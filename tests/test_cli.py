"""The command line as a user meets it: commands, options, output and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pcndocs import __version__
from pcndocs.cli import cli
from pcndocs.render.documents import DOCUMENTS
from pcndocs.resources import example_profile
from pcndocs.rules.facts import load_facts


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_version_and_help() -> None:
    # The version, and the day the national facts were last checked (issue 22).
    assert run("--version").output.strip() == (
        f"pcndocs, version {__version__} (national facts checked 2026-12-06)"
    )
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "check", "docs", "schema"):
        assert command in result.output
    assert "--templates" in run("build", "--help").output


def test_docs_lists_every_document_with_its_name() -> None:
    result = run("docs")
    assert result.exit_code == 0
    for kind in DOCUMENTS:
        assert kind.name in result.output


def test_schema_is_json_schema_of_the_profile() -> None:
    schema = json.loads(run("schema").output)
    assert schema["title"] == "pcndocs network profile"
    assert set(schema["required"]) >= {"network", "contract_year", "practices"}
    practice = schema["$defs"]["Practice"]
    assert set(practice["properties"]) >= {"name", "ods_code", "list_size", "signatory"}
    # The ids the data files define are listed, for autocompletion.
    lead = schema["$defs"]["Lead"]["properties"]
    facts = load_facts()
    assert lead["funding_stream"]["enum"] == [s.id for s in facts.funding.streams]
    assert "iif" in lead["funding_stream"]["enum"]
    (text,) = [shape for shape in lead["workstream"]["oneOf"] if shape.get("type") == "string"]
    assert text["enum"] == list(facts.workstreams.ids)


@pytest.mark.e2e
def test_build_one_document_in_every_format(tmp_path: Path) -> None:
    result = run(
        "-q",
        "build",
        "-o",
        str(tmp_path),
        "-d",
        "cd-job-description",
        "-f",
        "pdf,docx",
        "-f",
        "html",
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "riverside-primary-care-network"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "cd-job-description.docx",
        "cd-job-description.html",
        "cd-job-description.pdf",
    ]
    # The profile built from is kept beside the documents, for `compare --since-last-build`.
    assert (folder / ".pcndocs" / "profile.yaml").read_bytes() == example_profile().read_bytes()


@pytest.mark.e2e
def test_build_prints_the_files_it_wrote(tmp_path: Path) -> None:
    result = run("build", "-o", str(tmp_path), "-d", "cd-job-description", "-f", "html")
    assert result.exit_code == 0
    assert "Riverside Primary Care Network: 1 file in" in result.output
    assert (
        str(tmp_path / "riverside-primary-care-network" / "cd-job-description.html")
        in result.output
    )


def test_unknown_format_and_document_are_usage_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path), "-f", "odt"])
    assert result.exit_code == 2
    assert "unknown format 'odt'" in result.output
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path), "-d", "minutes"])
    assert result.exit_code == 2
    assert "unknown document 'minutes'" in result.output


def test_check_summarises_the_example(
    example_data: dict[str, Any], write_profile: Callable[[Any], Path]
) -> None:
    path = write_profile(example_data)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    assert "practices: 6, registered patients: 59,126 at 2026-01-01" in result.output
    assert (
        "contract year 2026/27; clinical director time funded until 2023/24 (a guide):"
        in result.output
    )
    # Sessions are written one way throughout: 1.5 and 1 stated, 2.66 worked out, no "1.50".
    assert (
        "0.2956 WTE = 2.66 sessions a week; agreed: 2.5 sessions a week "
        "(Dr Priya Shah 1.5, Helen Okafor 1)"
    ) in result.output
    assert ".00" not in result.output and ".50" not in result.output
    # 2.5 sessions a week at £350, for 52 weeks, in whole pounds as the documents give it.
    assert "clinical director pay: £45,500 a year" in result.output
    # The LMC's advice is for the author, not for the candidate's job description.
    assert "copied from the internet" in result.output


def test_bad_profile_is_one_line_per_problem_and_exit_1(
    example_data: dict[str, Any], write_profile: Callable[[Any], Path]
) -> None:
    text = (
        Path(write_profile(example_data))
        .read_text()
        .replace("list_size: 9873", "list_size: twelve thousand")
    )
    path = write_profile(text)
    line = text.splitlines().index("  list_size: twelve thousand") + 1
    for command in ("build", "check"):
        result = CliRunner().invoke(
            cli,
            [command, str(path), "-o", "unused"] if command == "build" else [command, str(path)],
        )
        assert result.exit_code == 1
        assert (
            f"{path}:{line}: practices[1].list_size: practice 2 (Millbrook Medical Centre): "
            "expected a whole number, got 'twelve thousand'" in result.output
        )
        assert "Traceback" not in result.output


def test_every_problem_is_its_own_error_line(
    example_data: dict[str, Any], write_profile: Callable[[Any], Path]
) -> None:
    text = (
        Path(write_profile(example_data))
        .read_text()
        .replace("list_size: 9873", "list_size: -5")
        .replace("list_size: 7214", "list_size: none")
    )
    path = write_profile(text)
    for command in ("build", "check"):
        args = [command, str(path), "-o", "unused"] if command == "build" else [command, str(path)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        problems = [line for line in result.output.splitlines() if str(path) in line]
        assert len(problems) == 2
        # A user scanning the output, or a script grepping it, finds each problem as an error.
        assert all(line.startswith(f"error: {path}:") for line in problems)
        assert "practice 2 (Millbrook Medical Centre)" in problems[0]
        assert "practice 3 (Canal Street Practice)" in problems[1]


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    # The example has warnings (a local duty, workstreams without a lead).
    result = CliRunner().invoke(
        cli, ["build", "--strict", "-o", str(tmp_path), "-f", "html", "-d", "cd-job-description"]
    )
    assert result.exit_code == 1
    assert "--strict:" in result.output


@pytest.mark.e2e
def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pcndocs", "docs"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "cd-job-description" in result.stdout


@pytest.mark.parametrize("args", [["build", "no-such.yaml"], ["check", "no-such.yaml"]])
def test_missing_profile_file(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, [*args, *(["-o", str(tmp_path)] if args[0] == "build" else [])]
    )
    assert result.exit_code == 1
    assert "no-such.yaml: no such file" in result.output


# A count of one followed by a plural noun: "1 files", "1 networks", "1 warnings".
ONE_AND_A_PLURAL = re.compile(
    r"(?<![\d,.])1 (files|networks|warnings|errors|profiles|practices|values|leads|documents)\b"
)


@pytest.mark.e2e
def test_counts_of_one_are_singular(write_profile: Callable[..., Path], tmp_path: Path) -> None:
    """build, a batch, check and compare say '1 file', '1 network', '1 warning', '1 value'."""
    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["leads"] = data["leads"][:1]  # one workstream lead: the check warns of the rest
    profile = write_profile(data)
    outputs = [
        run("build", str(profile), "-o", str(tmp_path / "a"), "-d", "schedule-1", "-f", "html"),
        run("build", str(profile), "-o", str(tmp_path / "a"), "-d", "schedule-1", "-f", "html"),
        run("check", str(profile)),
    ]
    changed = dict(data, contract_year="2026/27")
    changed["network"] = dict(data["network"], name=data["network"]["name"])
    changed["governance"] = dict(data["governance"], meetings_per_year=11)
    newer = tmp_path / "newer.yaml"
    newer.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    outputs.append(
        run(
            "compare",
            str(profile),
            str(newer),
            "-o",
            str(tmp_path / "c"),
            "-d",
            "schedule-1",
            "-f",
            "html",
        )
    )
    blank = tmp_path / "blank.yaml"
    blank.write_text(
        "network: {name: One PCN}\ncontract_year: 2026/27\n"
        "practices: [{name: Only Surgery, ods_code: A99001, list_size: 9000}]\n",
        encoding="utf-8",
    )
    outputs.append(run("build", "--blank", str(blank), "-o", str(tmp_path / "b"), "-f", "html"))
    outputs.append(run("check", "--blank", str(blank)))
    for result in outputs:
        text = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert not ONE_AND_A_PLURAL.search(text), text
    assert "1 file in" in outputs[0].output
    assert "up to date, 1 file in" in outputs[1].output
