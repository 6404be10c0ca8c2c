"""Dates, clocks and the terminal: inputs that `check` accepts never crash `build`."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.resources import example_profile
from tests.readback import documents_in, docx_text

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


def _profile(tmp_path: Path, old: str, new: str) -> Path:
    text = example_profile().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "network.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize(
    ("key", "date", "written"),
    [
        ("approval_date", "2125-03-20", "2125-03-20"),
        ("approval_date", "0225-03-20", "0225-03-20"),
        ("population_date", "2108-01-01", "2108-01-01"),
        ("review_date", "9999-12-31", "9999-12-31"),
    ],
)
def test_check_and_build_refuse_the_same_dates_with_one_line(
    key: str, date: str, written: str, tmp_path: Path
) -> None:
    text = example_profile().read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.strip().startswith(f"{key}:"))
    path = _profile(tmp_path, old, old.split(":")[0] + f": {date}")
    line = _line_of(path, f"{key}: {date}")
    for command in (["check"], ["build", "-f", "docx", "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, [*command, str(path)])
        assert result.exit_code == 1, result.output
        assert f"{path}:{line}: " in result.stderr
        assert f"expected a date from 2000 to 2099, got {written}" in result.stderr
        assert "Traceback" not in result.output
    assert documents_in(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("epoch", "year"),
    [("99999999999", 2107), ("1" * 30, 2026), ("0", 1980), ("4102444800", 2100)],
)
def test_any_source_date_epoch_gives_timestamps_a_zip_can_hold(
    epoch: str, year: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    arguments = ["build", "-f", "docx", "-d", "leadership-summary", "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, [*arguments, str(example_profile())])
    assert result.exit_code == 0, result.output
    (docx,) = documents_in(tmp_path / "out")
    with zipfile.ZipFile(docx) as package:
        years = {item.date_time[0] for item in package.infolist()}
    if year == 2026:  # an epoch too long to be a time is ignored: the profile's date is used
        assert len(years) == 1 and 1980 <= years.pop() <= 2107
    else:
        assert years == {year}


# --- Files ----------------------------------------------------------------------------------


def test_a_rebuild_keeps_a_documents_mode(tmp_path: Path) -> None:
    arguments = ["build", "-f", "html", "-d", "leadership-summary", "-o", str(tmp_path / "out")]
    assert CliRunner().invoke(cli, [*arguments, str(example_profile())]).exit_code == 0
    (page,) = documents_in(tmp_path / "out")
    page.chmod(0o600)
    assert CliRunner().invoke(cli, [*arguments, str(example_profile())]).exit_code == 0
    assert page.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("number", ["9" * 10, "9" * 30, "9" * 200])
def test_a_temporary_like_name_with_a_huge_number_does_not_stop_a_build(
    number: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out" / "riverside-primary-care-network"
    folder.mkdir(parents=True)
    (folder / f".notes.{number}.abc.tmp").write_text("x", encoding="utf-8")
    arguments = ["build", "-f", "html", "-d", "leadership-summary", "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, [*arguments, str(example_profile())])
    assert result.exit_code == 0, result.output


# --- Hidden line breaks in a profile ---------------------------------------------------------

HIDDEN_BREAKS = ["\x85", "\u2028", "\u2029"]


def test_hidden_line_breaks_in_a_profile_become_spaces_in_every_format(tmp_path: Path) -> None:
    # NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are line breaks: like a newline in a value,
    # each becomes a space, in a short value (the name) and in free text (the area).
    path = _profile(
        tmp_path,
        "name: Riverside Primary Care Network",
        'name: "Riverside\\u2028Primary\\x85Care\\u2029Network"',
    )
    text = path.read_text(encoding="utf-8").replace(
        "area: The wards of Riverside North,",
        'area: "The wards\\u2028of\\x85Riverside\\u2029North"  #',
    )
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["build", "-f", "html,docx", "-d", "schedule-1", "-o", str(out), str(path)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    written = documents_in(out)
    assert len(written) == 2
    for document in written:
        shown = docx_text(document) if document.suffix == ".docx" else document.read_text("utf-8")
        if document.suffix == ".docx":
            with zipfile.ZipFile(document) as package:
                shown += "".join(
                    package.read(n).decode("utf-8")
                    for n in package.namelist()
                    if n.endswith(".xml")
                )
        assert not any(c in shown for c in HIDDEN_BREAKS), document.name
        assert "Riverside Primary Care Network" in shown
        assert "The wards of Riverside North" in shown


@pytest.mark.parametrize("written", ["3:20:00", "0x2EE0", "190:20:30.15"])
def test_yaml_1_1_sexagesimal_and_hex_numbers_are_refused_as_list_sizes(
    written: str, tmp_path: Path
) -> None:
    path = _profile(tmp_path, "list_size: 12452", f"list_size: {written}")
    line = _line_of(path, f"list_size: {written}")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {path}:{line}: practices[0].list_size: practice 1 (Riverside Surgery): expected a "
    )
    assert f"got '{written}'" in result.stderr


def test_ten_thousand_checklist_items_each_get_a_tick_box(tmp_path: Path) -> None:
    items = "".join(f"        - Item {i}\n" for i in range(10_001))
    workstream = (
        "workstream:\n      id: audit\n      title: Audit\n      summary: Audits.\n"
        f"      checklist:\n{items}"
    )
    path = _profile(tmp_path, "workstream: cvd_prevention\n", workstream)
    out = tmp_path / "out"
    arguments = ["build", "-f", "html", "-d", "lead-checklist", "-o", str(out), str(path)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    page = next(p for p in documents_in(out) if "audit" in p.name).read_text(encoding="utf-8")
    assert page.count('type="checkbox"') >= 10_001
    assert 'name="tick-10001"' in page


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX pipes")
def test_new_force_never_replaces_a_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "network.yaml"
    os.mkfifo(pipe)
    result = CliRunner().invoke(cli, ["new", "--force", str(pipe)], input="")
    assert result.exit_code == 1
    assert result.stderr == f"error: {pipe} is not a file (a device or a pipe); give another name\n"
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


# --- The importer reads files only, and within limits ---------------------------------------

LISTS_HEADER = (
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS"
)


def test_the_importer_refuses_a_count_of_4300_digits(tmp_path: Path) -> None:
    from pcndocs.errors import InputFileError
    from pcndocs.importer.lists import read_list_sizes

    path = tmp_path / "lists.csv"
    row = "P,01JAN2021,GP,99A,E1,A00001,X,ALL,ALL," + "9" * 4300
    path.write_text(f"{LISTS_HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="line 2: NUMBER_OF_PATIENTS"):
        read_list_sizes(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX pipes")
@pytest.mark.parametrize("reader", ["lists", "epcn"])
def test_the_importer_never_reads_a_pipe_or_a_device(reader: str, tmp_path: Path) -> None:
    from pcndocs.errors import InputFileError
    from pcndocs.importer.epcn import read_epcn
    from pcndocs.importer.lists import read_list_sizes

    read = read_list_sizes if reader == "lists" else read_epcn
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # opening it to read would wait for a writer for ever
    for path in (pipe, Path("/dev/zero")):
        with pytest.raises(InputFileError, match="is not a file"):
            read(path)
