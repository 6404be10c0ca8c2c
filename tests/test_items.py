"""Messages name a practice, clinical director or lead as people count: from 1, with its name."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli, exit_code
from pcndocs.errors import Problem, ProfileError, Stopped
from pcndocs.profile.items import item_at, item_name


def test_an_item_is_named_by_number_from_one_and_by_name() -> None:
    assert item_name("practices", 1, "Millbrook Medical Centre") == (
        "practice 2 (Millbrook Medical Centre)"
    )
    assert item_name("clinical_directors", 0, "Dr  Jane\nExample") == (
        "clinical director 1 (Dr Jane Example)"
    )
    assert item_name("leads", 4) == "lead 5"
    assert item_name("leads", 4, "   ") == "lead 5"
    long = item_name("practices", 0, "x" * 200)
    assert long.startswith("practice 1 (xxx") and long.endswith("…)") and len(long) < 80


@pytest.mark.parametrize(
    ("key_path", "named"),
    [
        (("practices", 1, "list_size"), "practice 2 (Canal Street Practice)"),
        (("practices", 0), "practice 1"),  # a name that is not text is left out
        (("leads", 0, "practice"), "lead 1"),  # no leads: the number alone
        (("practices", 7, "name"), "practice 8"),
        (("clinical_directors",), ""),  # the whole list, not one item
        (("network", "name"), ""),
    ],
)
def test_the_item_a_key_is_in(key_path: tuple[str | int, ...], named: str) -> None:
    data: Any = {"practices": [{"name": 12}, {"name": "Canal Street Practice"}]}
    assert item_at(data, key_path) == named


def test_a_problem_reads_file_line_key_item_then_what_is_wrong() -> None:
    problem = Problem("p.yaml", 13, "practices[1].list_size", "expected a number", "practice 2")
    assert str(problem) == "p.yaml:13: practices[1].list_size: practice 2: expected a number"
    assert str(Problem("p.yaml", None, "network", "no name")) == "p.yaml: network: no name"


def test_an_error_while_reading_the_yaml_names_its_item(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "practices:\n  - name: Canal Street Practice\n    list_size: 1\n    list_size: 2\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:4: practices[0].list_size: practice 1 (Canal Street Practice): this key is "
        "given twice (first on line 3)"
    ) in result.stderr


def test_one_map_gives_every_exit_code() -> None:
    assert exit_code(None) == 0
    assert exit_code(ProfileError([])) == 1
    assert exit_code(KeyboardInterrupt()) == 130
    assert exit_code(Stopped(signal.SIGTERM)) == 143
    assert exit_code(RuntimeError()) == 70
