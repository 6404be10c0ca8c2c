"""A batch's main process keeps nothing of a network once it is written (issue 24).

Its memory must not grow with the number of networks: each network's entry in the record
goes to disk as soon as its files are in place, and the command line tallies each outcome
as it comes instead of keeping it. Counted here as live objects, never timed.
"""

from __future__ import annotations

import copy
import csv
import gc
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.output.batch import Outcome, build_many
from pcndocs.output.build import BuildOptions, BuildResult
from pcndocs.output.manifest import Entry

NAMES = [f"Network {letter} PCN" for letter in "ABCDE"]


def _profiles(folder: Path, data: dict[str, Any]) -> list[Path]:
    folder.mkdir()
    paths = []
    for number, name in enumerate(NAMES):
        profile = copy.deepcopy(data)
        profile["network"]["name"] = name
        del profile["clinical_directors"]  # a draft: a warning and placeholders each
        path = folder / f"network-{number}.yaml"
        path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _alive(kind: type) -> int:
    return sum(isinstance(thing, kind) for thing in gc.get_objects())


def test_the_main_process_keeps_no_entry_or_result_of_a_network_once_written(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    paths = _profiles(tmp_path / "profiles", example_data)
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("html",), documents=("schedule-1",), blank=True)
    counts: list[tuple[int, int, int]] = []

    def progress(done: list[Outcome]) -> None:
        gc.collect()
        counts.append((_alive(Entry), _alive(BuildResult), _alive(Outcome)))

    returned = build_many(paths, options, jobs=1, progress=progress, keep=False)

    assert returned == []
    assert len(counts) == len(NAMES)
    # Only the network being reported is alive, however many are done: none is kept.
    assert [entries for entries, _, _ in counts] == [0] * len(NAMES)
    assert [results for _, results, _ in counts] == [1] * len(NAMES)
    assert [outcomes for _, _, outcomes in counts] == [1] * len(NAMES)
    # All the same recorded, from disk: every network's entry, and its files in the index.
    record = json.loads((out / ".pcndocs" / "manifest.json").read_text(encoding="utf-8"))
    folders = [name.lower().replace(" ", "-") for name in NAMES]
    assert sorted(record["networks"]) == folders
    for folder in folders:
        entry = record["networks"][folder]
        assert sorted(entry["files"]) == ["schedule-1.html", "still-to-agree.txt"]
        assert entry["warnings"] and entry["fingerprint"]
    with (out / "index.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["file"] for row in rows] == [
        f"{folder}/{file}"
        for folder in folders
        for file in ("schedule-1.html", "still-to-agree.txt")
    ]


@pytest.mark.e2e
def test_entries_put_aside_are_read_back_as_they_were(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    """A rebuild reads the record the batch saved from its entries on disk: nothing is built
    again, and a file edited by hand is still known as edited, so it is kept."""
    paths = _profiles(tmp_path / "profiles", example_data)
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("html",), documents=("schedule-1",), blank=True)
    build_many(paths, options, jobs=1, keep=False)
    again = build_many(paths, options, jobs=1)
    assert all(outcome.built().up_to_date for outcome in again)

    edited = out / "network-c-pcn" / "schedule-1.html"
    edited.write_text("my own words", encoding="utf-8")
    forced = BuildOptions(
        out=out, formats=("html",), documents=("schedule-1",), blank=True, force=True
    )
    rebuilt = {o.path: o.built() for o in build_many(paths, forced, jobs=1, keep=True)}
    assert edited.read_text(encoding="utf-8") == "my own words"
    assert [k.edited for k in rebuilt[paths[2]].kept] == [edited]
    assert all(not rebuilt[p].kept for p in paths if p != paths[2])


@pytest.mark.e2e
def test_many_networks_say_their_warnings_in_profile_order_then_the_counts(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    _profiles(tmp_path / "profiles", example_data)
    out = tmp_path / "out"
    command = ["build", str(tmp_path / "profiles"), "-o", str(out), "-j", "1", "-f", "html"]
    result = CliRunner().invoke(cli, [*command, "--blank", "-d", "schedule-1"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    order = [
        next(
            n
            for n, path in enumerate(sorted((tmp_path / "profiles").glob("*.yaml")))
            if str(path) in line
        )
        for line in warned
    ]
    assert warned and order == sorted(order)
    assert f"Built 5 of 5 networks: 10 files; {len(warned)} warnings; 0 failed." in result.output


def test_a_tally_gives_back_messages_in_the_profiles_order_whatever_order_they_came_in(
    tmp_path: Path,
) -> None:
    from pcndocs.output.tally import Tally

    paths = [tmp_path / f"network-{number}.yaml" for number in range(4)]
    with Tally(paths) as tally:
        tally.add(paths[2], [("yellow", "warning: third"), ("yellow", "warning: third again")])
        tally.add(paths[0], [("red", "failed: first")])
        tally.add(paths[1], [])  # nothing to say
        tally.add(paths[3], [("yellow", "kept: fourth")])
        assert list(tally.messages()) == [
            ("red", "failed: first"),
            ("yellow", "warning: third"),
            ("yellow", "warning: third again"),
            ("yellow", "kept: fourth"),
        ]
