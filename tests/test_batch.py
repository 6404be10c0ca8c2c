"""Many networks in one build: folders, parallel jobs, failures, the summary and the index."""

from __future__ import annotations

import copy
import csv
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


def _network(data: dict[str, Any], name: str) -> dict[str, Any]:
    other = copy.deepcopy(data)
    other["network"]["name"] = name
    return other


def _profiles(folder: Path, data: dict[str, Any], names: list[str]) -> None:
    import yaml

    folder.mkdir()
    for i, name in enumerate(names):
        text = yaml.safe_dump(_network(data, name), sort_keys=False)
        (folder / f"network-{i}.yaml").write_text(text, encoding="utf-8")


def _index(out: Path) -> list[dict[str, str]]:
    with (out / "index.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_a_folder_builds_every_network_in_parallel(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "profiles"
    _profiles(folder, example_data, ["Alpha PCN", "Beta PCN", "Gamma PCN"])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["build", str(folder), "-o", str(out), "-j", "2", "-f", "html", "-d", "cd-job-description"],
    )
    assert result.exit_code == 0, result.output
    assert "Built 3 of 3 networks: 3 files" in result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "alpha-pcn",
        "beta-pcn",
        "gamma-pcn",
        "index.csv",
    ]
    rows = _index(out)
    assert [(r["network"], r["file"]) for r in rows] == [
        ("Alpha PCN", "alpha-pcn/cd-job-description.html"),
        ("Beta PCN", "beta-pcn/cd-job-description.html"),
        ("Gamma PCN", "gamma-pcn/cd-job-description.html"),
    ]
    for row in rows:
        data = (out / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["bytes"] == str(len(data))


def test_one_failing_network_does_not_stop_the_others(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "profiles"
    _profiles(folder, example_data, ["Alpha PCN", "Beta PCN"])
    (folder / "network-1.yaml").write_text("network: [\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["build", str(folder), "-o", str(out), "-j", "2", "-f", "html", "-d", "cd-job-description"],
    )
    assert result.exit_code == 1
    assert "Built 1 of 2 networks" in result.output
    assert (
        f"failed: {folder / 'network-1.yaml'}: {folder / 'network-1.yaml'}:2: not valid YAML"
        in result.output
    )
    assert "1 of 2 networks failed" in result.output
    assert (out / "alpha-pcn" / "cd-job-description.html").is_file()


def test_building_one_network_keeps_the_others_in_the_index(
    example_data: dict[str, Any], tmp_path: Path, write_profile: Callable[[Any], Path]
) -> None:
    folder = tmp_path / "profiles"
    _profiles(folder, example_data, ["Alpha PCN", "Beta PCN"])
    out = tmp_path / "out"
    args = ["-o", str(out), "-f", "html", "-d", "cd-job-description"]
    assert CliRunner().invoke(cli, ["build", str(folder), "-j", "1", *args]).exit_code == 0
    assert CliRunner().invoke(cli, ["build", str(folder / "network-0.yaml"), *args]).exit_code == 0
    assert [r["network"] for r in _index(out)] == ["Alpha PCN", "Beta PCN"]


def test_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{tmp_path}: is a folder with no .yaml profiles in it" in result.output


def test_a_batch_keeps_little_of_each_network_and_writes_its_record_whole(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    import json

    from pcndocs.output.batch import build_many
    from pcndocs.output.build import BuildOptions

    folder = tmp_path / "profiles"
    blank = copy.deepcopy(example_data)
    del blank["clinical_directors"]  # a draft: placeholders, and still-to-agree.txt lists them
    _profiles(folder, blank, ["Alpha PCN", "Beta PCN"])
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("html",), documents=("schedule-1",), blank=True)
    outcomes = build_many(sorted(folder.glob("*.yaml")), options, jobs=1)
    for outcome in outcomes:
        result = outcome.built()
        assert result.placeholders == [] and result.gaps == []  # not kept to the end
        notes = (result.folder / "still-to-agree.txt").read_text(encoding="utf-8")
        notes = notes.replace("\u2019", "'")  # a placeholder's apostrophe is curly
        # Each gap once, with every place it is in (still-to-agree.txt's plain sentences).
        assert (
            "Agree the clinical director's name: Schedule 1, sections 'Clinical director'" in notes
        )
    record = (out / ".pcndocs" / "manifest.json").read_text(encoding="utf-8")
    assert record == json.dumps(json.loads(record), indent=1) + "\n"  # written a piece at a time
    assert sorted(json.loads(record)["networks"]) == ["alpha-pcn", "beta-pcn"]
    rows = _index(out)
    assert [r["file"] for r in rows] == [
        f"{network}/{file}"
        for network in ("alpha-pcn", "beta-pcn")
        for file in ("schedule-1.html", "still-to-agree.txt")
    ]
    for row in rows:
        data = (out / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["bytes"] == str(len(data))
