"""The edges of input: invisible characters, hidden line breaks, nesting past the limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.new.prompt import InputEndedError, LineAsker
from pcndocs.resources import example_profile


def _asker(lines: list[str]) -> tuple[LineAsker, list[str]]:
    said: list[str] = []
    answers = iter(lines)
    return LineAsker(lambda _prompt: next(answers, None), said.append), said


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Riverside\x7f", "007F"),  # DEL: a backspace the terminal did not apply
        ("River\x08side", "0008"),
        ("River\x1bside", "001B"),
        ("River\x85side", "0085"),  # NEL, which YAML reads as a new line
        ("River\u2028side", "2028"),
        ("River\x9bside", "009B"),
    ],
)
def test_new_refuses_an_answer_with_a_control_character(typed: str, code: str) -> None:
    ask, said = _asker([typed, "Riverside"])
    assert ask("Network name", str) == "Riverside"
    assert said[-1] == (
        f"  the answer holds a control character (U+{code}) that cannot be seen or printed; "
        "type it again without it"
    )


def test_new_refuses_a_control_character_to_the_end_of_input() -> None:
    ask, _ = _asker(["Riverside\x7f"])
    with pytest.raises(InputEndedError):
        ask("Network name", str, "Riverside")


@pytest.mark.parametrize(
    ("char", "name"),
    [("\x85", "next line"), ("\u2028", "line separator"), ("\u2029", "paragraph separator")],
)
def test_a_hidden_line_break_in_a_profile_cannot_smuggle_a_key(
    char: str, name: str, tmp_path: Path
) -> None:
    text = example_profile().read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  name:"))
    # Looks like one value in an editor; YAML would read a second key of `network`.
    lines[at] += f"{char}  code: U00000"
    path = tmp_path / "network.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    column = len(lines[at].split(char)[0]) + 1
    assert (
        f"error: {path}:{at + 1}: a hidden line break ({name}, U+{ord(char):04X}) in column "
        f"{column}: YAML reads a new line there that an editor does not show"
    ) in result.output


@pytest.mark.parametrize("depth", [32, 40, 2_000, 50_000])
def test_the_nesting_message_states_the_real_limit(depth: int, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("network: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        f"error: {path}:1: values nested more than 32 levels deep (the top level counts as "
        "one); a profile needs five at most"
    ) in result.output


def test_nesting_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("network: " + "[" * 31 + "]" * 31 + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert "nested" not in result.output
