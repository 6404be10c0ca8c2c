"""The workspace store: atomic saves based on a version, conflicts, names confined, versions."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest

from pcndocs.output.workspace import (
    ConflictError,
    Workspace,
    WorkspaceError,
    file_name_for,
    fingerprint,
)
from pcndocs.resources import example_profile

EXAMPLE = example_profile().read_text(encoding="utf-8")


def test_a_missing_folder_is_made(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "networks")
    assert (tmp_path / "networks").is_dir()
    assert space.names() == []


def test_a_network_is_saved_to_the_file_its_name_makes(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    saved = space.create("Café Network PCN", EXAMPLE)
    assert saved.name == "cafe-network-pcn.yaml" == file_name_for("Café Network PCN")
    assert (tmp_path / saved.name).read_text(encoding="utf-8") == EXAMPLE
    assert saved.version == fingerprint(EXAMPLE.encode())
    assert space.names() == ["cafe-network-pcn.yaml"]


def test_two_networks_making_the_same_file_are_refused_naming_both(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    space.create("Riverside PCN", EXAMPLE)
    with pytest.raises(WorkspaceError) as caught:
        space.create("Riverside: PCN", EXAMPLE.replace("Riverside Primary", "Riverside: Primary"))
    message = str(caught.value)
    assert "riverside-pcn.yaml" in message
    assert "Riverside Primary Care Network" in message  # the network already in the file
    assert "'Riverside: PCN'" in message
    assert (tmp_path / "riverside-pcn.yaml").read_text(encoding="utf-8") == EXAMPLE


def test_a_save_based_on_the_current_version_replaces_the_file(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    second = space.save(first.name, EXAMPLE + "# more\n", first.version)
    assert space.read(first.name) == second
    assert second.version != first.version


def test_a_save_based_on_an_older_version_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    theirs = space.save(first.name, EXAMPLE + "# theirs\n", first.version)
    with pytest.raises(ConflictError) as caught:
        space.save(first.name, EXAMPLE + "# mine\n", first.version)
    assert caught.value.current == theirs
    assert space.read(first.name).text.endswith("# theirs\n")


def test_an_editor_changing_the_file_is_a_conflict(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    (tmp_path / first.name).write_text(EXAMPLE + "# by hand\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="changed by someone else"):
        space.save(first.name, EXAMPLE, first.version)
    (tmp_path / first.name).unlink()
    with pytest.raises(ConflictError, match="was removed"):
        space.save(first.name, EXAMPLE, first.version)


def test_a_hand_edit_saved_while_pcndocs_writes_is_refused_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version is compared again once the new bytes are on disk, just before the rename:
    an editor saving after the first comparison keeps its edit, and the save is a conflict."""
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    target = tmp_path / first.name
    real_fsync = os.fsync
    edits: list[int] = []

    def edited_while_writing(handle: int) -> None:
        real_fsync(handle)  # the new bytes are on disk, not yet renamed over the file
        edits.append(handle)
        target.write_text(EXAMPLE + "# by hand\n", encoding="utf-8")

    monkeypatch.setattr(os, "fsync", edited_while_writing)
    with pytest.raises(ConflictError) as caught:
        space.save(first.name, EXAMPLE + "# from the browser\n", first.version)
    monkeypatch.undo()
    assert edits, "the edit was not made while the save wrote"
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{first.name}: was changed by someone else")
    assert target.read_text(encoding="utf-8") == EXAMPLE + "# by hand\n"
    assert caught.value.current is not None
    assert caught.value.current.text.endswith("# by hand\n")  # what the page offers to reload
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]  # no temporary left
    # Based on the file as it is now, the next save goes through.
    space.save(first.name, EXAMPLE + "# from the browser\n", caught.value.current.version)
    assert target.read_text(encoding="utf-8").endswith("# from the browser\n")


def test_of_many_saves_based_on_one_version_exactly_one_wins(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    won: list[str] = []
    refused: list[str] = []
    start = threading.Barrier(8)

    def save(n: int) -> None:
        start.wait()
        try:
            space.save(first.name, EXAMPLE + f"# tab {n}\n", first.version)
            won.append(str(n))
        except ConflictError:
            refused.append(str(n))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(refused) == 7
    assert space.read(first.name).text.endswith(f"# tab {won[0]}\n")


def test_a_save_leaves_no_temporary_file_and_keeps_the_old_one_on_failure(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    space.save(first.name, "x: 1\n", first.version)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-pcn.yaml"]
    with pytest.raises(WorkspaceError, match="over 1 MB"):
        space.save(first.name, "x" * (1024 * 1024 + 1), space.read(first.name).version)
    assert space.read(first.name).text == "x: 1\n"


@pytest.mark.parametrize(
    "name",
    ["../outside.yaml", "/etc/passwd", "sub/a.yaml", "a.txt", ".hidden.yaml", "A.yaml", "..yaml"],
)
def test_names_that_would_leave_the_workspace_are_refused(tmp_path: Path, name: str) -> None:
    space = Workspace(tmp_path / "w")
    with pytest.raises(WorkspaceError):
        space.read(name)
    with pytest.raises(WorkspaceError):
        space.save(name, EXAMPLE, None)


def test_a_symbolic_link_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: 1\n", encoding="utf-8")
    space = Workspace(tmp_path / "w")
    (tmp_path / "w" / "link.yaml").symlink_to(outside)
    assert space.names() == []
    with pytest.raises(WorkspaceError, match="symbolic link"):
        space.read("link.yaml")
    with pytest.raises(WorkspaceError, match="symbolic link"):
        space.save("link.yaml", "x: 2\n", fingerprint(b"secret: 1\n"))
    assert outside.read_text(encoding="utf-8") == "secret: 1\n"


def test_keep_both_saves_the_other_beside(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    kept = space.keep_beside(first.name, "mine: 1\n")
    assert kept.name.startswith("a-pcn-kept-") and kept.name.endswith(".yaml")
    assert space.read(first.name).text == EXAMPLE
    assert space.read(kept.name).text == "mine: 1\n"


def test_agreed_versions_are_kept_with_date_and_note(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    note = "approved at the board\nof 12 March"
    one = space.agree(first.name, date(2026, 3, 12), note, first.version)
    second = space.save(first.name, EXAMPLE + "# later\n", first.version)
    two = space.agree(first.name, date(2026, 4, 2), "", second.version)
    assert [v.id for v in space.versions(first.name)] == ["001", "002"]
    assert one.note == "approved at the board of 12 March"
    assert one.label == "version 1, agreed on 12/03/2026: approved at the board of 12 March"
    assert space.last_agreed(first.name) == two
    assert space.version_text(first.name, "001") == EXAMPLE
    assert space.version_text(first.name, "002").endswith("# later\n")
    assert (tmp_path / ".pcndocs" / "versions" / "a-pcn" / "001.yaml").is_file()
    assert space.names() == ["a-pcn.yaml"]  # versions are not networks


def test_agreeing_a_version_the_file_no_longer_is_refused(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    space.save(first.name, EXAMPLE + "# later\n", first.version)
    with pytest.raises(ConflictError):
        space.agree(first.name, date(2026, 3, 12), "", first.version)
    assert space.versions(first.name) == []


def test_an_unknown_version_is_refused(tmp_path: Path) -> None:
    space = Workspace(tmp_path)
    first = space.create("A PCN", EXAMPLE)
    for wrong in ("007", "../x", "1"):
        with pytest.raises(WorkspaceError, match="no agreed version"):
            space.version_text(first.name, wrong)


def test_versions_are_never_written_through_a_symbolic_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    space = Workspace(tmp_path / "w")
    first = space.create("A PCN", EXAMPLE)
    (tmp_path / "w" / ".pcndocs").symlink_to(elsewhere)
    with pytest.raises(WorkspaceError, match="symbolic link"):
        space.agree(first.name, date(2026, 3, 12), "", first.version)
    assert list(elsewhere.iterdir()) == []


def test_a_fifo_in_the_workspace_is_refused_never_waited_on(tmp_path: Path) -> None:
    """A pipe named like a profile, or like an agreed version's record, would block the
    thread that reads it for ever: it is named and refused, or passed over."""
    space = Workspace(tmp_path)
    saved = space.create("Riverside PCN", EXAMPLE)
    space.agree(saved.name, date(2026, 3, 12), "the board", saved.version)
    os.mkfifo(tmp_path / "trap.yaml")
    os.mkfifo(space._versions_folder(saved.name) / "2.json")
    answers: list[object] = []

    def read() -> None:
        try:
            space.read("trap.yaml")
        except WorkspaceError as exc:
            answers.append(str(exc))
        answers.append([v.note for v in space.versions(saved.name)])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "waited on a FIFO"
    assert answers == ["trap.yaml: is not a file (a pipe or a device); move it away", ["the board"]]
    assert "trap.yaml" not in space.names()
