"""Rebuilds: what is up to date is skipped, what changed is built, what a user edited is kept."""

from __future__ import annotations

import copy
import csv
import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from pcndocs.cli import cli
from pcndocs.resources import builtin_templates

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

FAST = ["-f", "html", "-d", "cd-job-description"]


def _build(out: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["build", "-o", str(out), *args], catch_exceptions=False)


def _profiles(folder: Path, data: dict[str, Any], names: list[str]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        other = copy.deepcopy(data)
        other["network"]["name"] = name
        path = folder / f"network-{i}.yaml"
        path.write_text(yaml.safe_dump(other, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _index(out: Path) -> dict[str, str]:
    with (out / "index.csv").open(encoding="utf-8", newline="") as stream:
        return {row["file"]: row["sha256"] for row in csv.DictReader(stream)}


def _assert_index_matches(out: Path) -> None:
    rows = _index(out)
    assert rows
    for name, checksum in rows.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == checksum, name


def test_a_rebuild_with_nothing_changed_builds_nothing(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    paths = _profiles(tmp_path / "p", example_data, ["Alpha PCN", "Beta PCN"])
    out = tmp_path / "out"
    assert "Built 2 of 2 networks" in _build(out, *FAST, *map(str, paths)).output
    again = _build(out, *FAST, *map(str, paths))
    assert again.exit_code == 0
    assert "Built 0 of 2 networks: 0 files; 2 already up to date" in again.output
    one = _build(out, *FAST, str(paths[0]))
    assert "Alpha PCN: up to date, 1 file in" in one.output
    assert "--force builds it again" in one.output
    forced = _build(out, *FAST, "--force", *map(str, paths))
    assert "Built 2 of 2 networks: 2 files;" in forced.output
    _assert_index_matches(out)


def test_a_changed_profile_rebuilds_only_its_network(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    paths = _profiles(tmp_path / "p", example_data, ["Alpha PCN", "Beta PCN"])
    out = tmp_path / "out"
    _build(out, *FAST, *map(str, paths))
    changed = copy.deepcopy(example_data)
    changed["network"]["name"] = "Beta PCN"
    changed["clinical_directors"][0]["name"] = "Dr Changed Director"
    paths[1].write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    result = _build(out, *FAST, *map(str, paths))
    assert "Built 1 of 2 networks: 1 file; 1 already up to date" in result.output
    html = (out / "beta-pcn" / "cd-job-description.html").read_text(encoding="utf-8")
    assert "Dr Changed Director" in html
    _assert_index_matches(out)


def test_a_changed_template_rebuilds_and_a_new_format_builds_only_that(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    (path,) = _profiles(tmp_path / "p", example_data, ["Alpha PCN"])
    templates = tmp_path / "templates"
    templates.mkdir()
    template = templates / "cd-job-description.md"
    source = (builtin_templates() / "cd-job-description.md").read_text(encoding="utf-8")
    template.write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    args = ["--templates", str(templates), "-d", "cd-job-description", str(path)]
    assert "1 file in" in _build(out, "-f", "html", *args).output
    assert "up to date" in _build(out, "-f", "html", *args).output
    template.write_text(source + "\nA sentence added by the network.\n", encoding="utf-8")
    rebuilt = _build(out, "-f", "html", *args)
    assert "up to date" not in rebuilt.output
    html = (out / "alpha-pcn" / "cd-job-description.html").read_text(encoding="utf-8")
    assert "A sentence added by the network." in html
    # Asking for DOCX too builds only the DOCX: the HTML is already up to date.
    html_before = (out / "alpha-pcn" / "cd-job-description.html").stat().st_mtime_ns
    both = _build(out, "-f", "html,docx", *args)
    assert "1 file in" in both.output  # the DOCX alone
    assert (out / "alpha-pcn" / "cd-job-description.docx").is_file()
    assert (out / "alpha-pcn" / "cd-job-description.html").stat().st_mtime_ns == html_before
    assert "up to date" in _build(out, "-f", "docx", *args).output
    # An option that changes the documents (--blank) rebuilds.
    assert "up to date" not in _build(out, "-f", "html", "--blank", *args).output
    _assert_index_matches(out)


def test_a_deleted_document_is_built_again(example_data: dict[str, Any], tmp_path: Path) -> None:
    (path,) = _profiles(tmp_path / "p", example_data, ["Alpha PCN"])
    out = tmp_path / "out"
    _build(out, *FAST, str(path))
    document = out / "alpha-pcn" / "cd-job-description.html"
    document.unlink()
    assert "up to date" not in _build(out, *FAST, str(path)).output
    assert document.is_file()


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_an_edited_document_is_kept_and_the_new_one_written_beside_it(
    fmt: str, example_data: dict[str, Any], tmp_path: Path
) -> None:
    (path,) = _profiles(tmp_path / "p", example_data, ["Alpha PCN"])
    out = tmp_path / "out"
    args = ["-f", fmt, "-d", "leadership-summary", str(path)]
    _build(out, *args)
    document = out / "alpha-pcn" / f"leadership-summary.{fmt}"
    edited = document.read_bytes() + b"\n% edited in Word\n"
    document.write_bytes(edited)
    # --force too: an edited document is never replaced without being asked.
    result = _build(out, "--force", *args)
    assert result.exit_code == 0
    beside = out / "alpha-pcn" / f"leadership-summary.new.{fmt}"
    assert document.read_bytes() == edited
    assert beside.is_file() and beside.read_bytes() != edited
    assert (
        f"kept: {document.resolve()} was changed since pcndocs wrote it, so it was not "
        f"replaced; the new one is {beside.resolve()} (--overwrite-edited replaces it)"
    ) in result.output
    assert "up to date" in _build(out, *args).output  # the edit stays, and is not nagged about
    assert document.read_bytes() == edited
    replaced = _build(out, "--overwrite-edited", "--force", *args)
    assert "kept:" not in replaced.output
    assert document.read_bytes() == beside.read_bytes()
    _assert_index_matches(out)


def test_parallel_and_serial_builds_give_the_same_bytes(tmp_path: Path) -> None:
    args = ["-f", "html,docx,pdf", "-d", "cd-job-description", "-d", "leadership-summary"]
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert _build(serial, "-j", "1", *args).exit_code == 0
    assert _build(parallel, "-j", "2", *args).exit_code == 0
    folder = serial.glob("riverside-primary-care-network/*")
    files = sorted(p.relative_to(serial) for p in folder if p.is_file())
    assert len(files) == 6
    for name in files:
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name


def test_names_that_make_one_folder_never_overwrite_each_other(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    names = ["Riverside Primary Care Network", "Rivérside Primary-Care Network!"]
    paths = _profiles(tmp_path / "p", example_data, names)
    out = tmp_path / "out"
    result = _build(out, *FAST, *map(str, paths))
    assert result.exit_code == 1
    assert "Built 1 of 2 networks: 1 file;" in result.output
    assert (
        f"{paths[1]}: the network 'Rivérside Primary-Care Network!' would be written to "
        f"{(out / 'riverside-primary-care-network').resolve()}, the folder of "
        f"'Riverside Primary Care Network' from {paths[0].resolve()}"
    ) in result.output
    assert [r for r in _index(out)] == ["riverside-primary-care-network/cd-job-description.html"]
    # A later build of the second alone is refused too: the folder is the first one's.
    alone = _build(out, *FAST, str(paths[1]))
    assert alone.exit_code == 1
    assert "the folder of 'Riverside Primary Care Network'" in alone.output
    html = (out / "riverside-primary-care-network" / "cd-job-description.html").read_text("utf-8")
    assert "Riverside Primary Care Network" in html


def test_an_index_saved_by_excel_does_not_break_a_build(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    paths = _profiles(tmp_path / "p", example_data, ["Alpha PCN", "Beta PCN"])
    out = tmp_path / "out"
    _build(out, *FAST, *map(str, paths))
    index = out / "index.csv"
    excel = "Network;Notes\r\nAlpha PCN;signed off – £0 é\r\n".encode("cp1252")
    index.write_bytes(excel)
    result = _build(out, *FAST, "--force", str(paths[0]))
    assert result.exit_code == 0, result.output
    kept = out / "index.edited-1.csv"
    assert kept.read_bytes() == excel
    assert f"kept: {index} had been changed since pcndocs wrote it" in result.output
    assert sorted(_index(out)) == [
        "alpha-pcn/cd-job-description.html",
        "beta-pcn/cd-job-description.html",
    ]
    _assert_index_matches(out)


def test_two_builds_into_one_folder_at_once_lose_no_rows(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    import subprocess
    import sys

    names = [f"Network {n} PCN" for n in range(6)]
    paths = _profiles(tmp_path / "p", example_data, names)
    out = tmp_path / "out"
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "pcndocs", "-q", "build", "-j", "1", "-o", str(out), *FAST]
            + [str(p) for p in share],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for share in (paths[0::2], paths[1::2])
    ]
    for build in builds:
        _, stderr = build.communicate(timeout=120)
        assert build.returncode == 0, stderr
    assert sorted(_index(out)) == [f"network-{n}-pcn/cd-job-description.html" for n in range(6)]
    _assert_index_matches(out)


def test_python_caches_do_not_change_the_fingerprint(tmp_path: Path) -> None:
    import hashlib as hashes

    from pcndocs.output.manifest import _hash_tree

    (tmp_path / "module.py").write_text("x = 1\n", encoding="utf-8")
    before = hashes.sha256()
    _hash_tree(before, tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "module.cpython-311.pyc").write_bytes(b"compiled")
    after = hashes.sha256()
    _hash_tree(after, tmp_path)
    assert before.hexdigest() == after.hexdigest()
    (tmp_path / "module.py").write_text("x = 2\n", encoding="utf-8")
    changed = hashes.sha256()
    _hash_tree(changed, tmp_path)
    assert changed.hexdigest() != before.hexdigest()
