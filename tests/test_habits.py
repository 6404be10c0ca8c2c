"""Command-line habits: one map of exit codes, -v/-q anywhere, check's verdict, example."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pcndocs.cli import EXIT_BUG, EXIT_INTERRUPTED, EXIT_USAGE, cli, exit_code
from pcndocs.errors import PcndocsError
from pcndocs.resources import example_profile


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_exit_codes_are_mapped_in_one_place() -> None:
    import click

    assert exit_code(None) == 0
    assert exit_code(PcndocsError("wrong")) == 1
    assert exit_code(click.UsageError("mistyped")) == EXIT_USAGE == 2
    assert exit_code(KeyboardInterrupt()) == EXIT_INTERRUPTED == 130
    assert exit_code(SystemExit(143)) == 143
    assert exit_code(ZeroDivisionError()) == EXIT_BUG == 70


def test_a_bug_exits_70_with_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("pcndocs.rules.facts.load_facts", broken)
    result = run("check", str(example_profile()))
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError: a bug" in result.stderr
    assert "a bug in pcndocs" in result.stderr


@pytest.mark.e2e
def test_quiet_after_the_subcommand_hides_warnings(tmp_path: Path) -> None:
    loud = run("build", "-f", "html", "-o", str(tmp_path / "a"))
    assert loud.exit_code == 0
    assert "warning:" in loud.stderr
    quiet = run("build", "-q", "-f", "html", "-o", str(tmp_path / "b"))
    assert quiet.exit_code == 0
    assert quiet.stderr == "" and quiet.stdout == ""
    assert run("-q", "build", "-f", "html", "-o", str(tmp_path / "c")).stderr == ""


def test_check_ends_with_its_verdict(
    example_data: dict[str, Any], write_profile: Callable[[dict[str, Any] | str], Path]
) -> None:
    good = run("check", str(example_profile()))
    assert good.exit_code == 0
    last = good.stdout.splitlines()[-1]
    assert last.startswith("ready: 1 profile, no errors, ")
    assert last.endswith(" warnings") or last.endswith(" warning")
    data = copy.deepcopy(example_data)
    data["practices"][0]["list_size"] = "twelve"
    data["appointment"]["term_years"] = "long"
    bad = run("check", str(write_profile(data)))
    assert bad.exit_code == 1
    assert bad.stdout.splitlines()[-1] == "not ready: 2 errors, 0 warnings"


def test_check_blank_lists_what_is_still_to_agree(
    write_profile: Callable[[dict[str, Any] | str], Path],
) -> None:
    path = write_profile(
        "network:\n  name: North PCN\npractices:\n  - name: A\n    ods_code: A12345\n"
    )
    assert run("check", str(path)).exit_code == 1
    result = run("check", "--blank", str(path))
    assert result.exit_code == 0, result.output
    assert "still to agree" in result.stdout
    assert "practices[0].list_size" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("ready: ")


def test_example_writes_the_example_profile(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    result = run("example", str(path))
    assert result.exit_code == 0
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == yaml.safe_load(
        example_profile().read_text(encoding="utf-8")
    )
    again = run("example", str(path))
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_help_points_a_newcomer_at_new() -> None:
    assert "pcndocs new" in run("--help").stdout


def test_a_missing_section_is_named_with_its_key_not_line_1(
    example_data: dict[str, Any], write_profile: Callable[[dict[str, Any] | str], Path]
) -> None:
    data = copy.deepcopy(example_data)
    del data["appointment"]
    path = write_profile(data)
    result = run("check", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"error: {path}: appointment.method: is required but missing; "
        "the file has no appointment: section"
    )


def test_the_file_takes_list_sizes_and_dates_as_people_write_them(
    example_data: dict[str, Any], write_profile: Callable[[dict[str, Any] | str], Path]
) -> None:
    data = copy.deepcopy(example_data)
    data["practices"][0]["list_size"] = "12,450"
    data["network"]["population_date"] = "01/01/2026"
    assert run("check", str(write_profile(data))).exit_code == 0
    data["network"]["population_date"] = "31/02/2026"
    result = run("check", str(write_profile(data)))
    assert "network.population_date: expected a date that exists, got '31/02/2026'" in (
        result.stderr
    )


def test_new_says_did_you_mean_for_a_choice() -> None:
    from pcndocs.new.answers import choice
    from pcndocs.new.questions import METHODS

    with pytest.raises(ValueError, match="did you mean 'election'"):
        choice(METHODS)("elction")


def test_new_shows_a_questions_help_on_a_question_mark() -> None:
    from pcndocs.new.answers import text
    from pcndocs.new.prompt import LineAsker
    from pcndocs.profile.model import Network

    answers = ["?", "U12345"]
    said: list[str] = []
    ask = LineAsker(lambda _prompt: answers.pop(0) if answers else None, said.append)
    assert ask("PCN code", text(Network, "code")) == "U12345"
    assert said[1:] == ["  PCN code: U and five digits; type < to go back to the question before"]


@pytest.mark.parametrize(
    ("left", "suggested"), [(2.66, "2.5"), (1.5, "1.5"), (0.3, "0.25"), (0.1, ""), (12.0, "9")]
)
def test_new_suggests_no_more_sessions_than_are_funded(left: float, suggested: str) -> None:
    from pcndocs.new.questions import suggested_sessions

    assert suggested_sessions(left) == suggested
