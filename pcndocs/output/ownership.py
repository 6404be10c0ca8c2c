"""Whose is a file in the output folder, and where pcndocs puts its own when a user's is there.

One rule for `build` and `compare` alike: a file pcndocs is about to write replaces what
is there only if nothing is there, the same bytes are there, or bytes pcndocs is recorded
as having written under that name. Anything else is the user's: a document edited since
pcndocs wrote it, or one pcndocs has no record of at all (the record deleted or garbled, a
folder copied without its `.pcndocs`, a folder an earlier release wrote). It stays as it
is, and pcndocs' file goes beside it as NAME.new.FORMAT, or NAME.new-2.FORMAT when that
one has been edited too, and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pcndocs.errors import OutputError
from pcndocs.files import sha256_of

#: What pcndocs is recorded as having written under a file name: its checksums.
Known = Callable[[str], Collection[str]]

#: Copies beside one user's file before pcndocs stops and asks for some to be moved away.
MOST_BESIDE = 50


class Kept(NamedTuple):
    """A user's file left in place, and the file pcndocs wrote beside it instead."""

    edited: Path
    beside: Path
    recorded: bool = True  # pcndocs' record knew the file (edited since); else no record


@dataclass(frozen=True)
class Placement:
    """Where pcndocs' bytes for a file go, and whose file, if any, was left in place."""

    name: str  # the file pcndocs writes: the name asked for, or one beside it
    kept: str | None = None  # the user's file left as it was
    recorded: bool = False  # the record knew the kept file as pcndocs' (so it was edited since)
    unchanged: bool = False  # the same bytes are already there: nothing to write


def beside_names(name: str) -> Iterator[str]:
    """Yield the names a file's new version may take beside a user's: NAME.new.FMT, .new-2..."""
    stem, dot, fmt = name.rpartition(".")
    stem, suffix = (stem, f".{fmt}") if dot and stem else (name, "")
    yield f"{stem}.new{suffix}"
    for number in range(2, MOST_BESIDE + 1):
        yield f"{stem}.new-{number}{suffix}"


def is_ours(folder: Path, name: str, known: Known, checksum: str | None = None) -> bool:
    """Return whether pcndocs may replace or remove folder/name: absent, or as it wrote it."""
    on_disk = sha256_of(folder / name)
    if on_disk is None:
        return not (folder / name).exists()  # a special or unreadable file is no one's to touch
    return on_disk == checksum or on_disk in known(name)


def place(
    folder: Path,
    name: str,
    checksum: str,
    known: Known,
    replace_edited: bool = False,
    refresh: Callable[[], None] | None = None,
) -> Placement:
    """Return where pcndocs' file `name` (of this checksum) goes in folder.

    `known` gives what pcndocs recorded writing under a name; `refresh` reads that record
    again (what another build running at the same time wrote) before calling a file the
    user's. With `replace_edited`, the user's file is replaced (`build --overwrite-edited`).
    """
    if replace_edited or _ours_or_free(folder, name, checksum, known, refresh):
        return Placement(name, unchanged=sha256_of(folder / name) == checksum)
    recorded = bool(known(name))
    for other in beside_names(name):
        if _ours_or_free(folder, other, checksum, known, None):
            unchanged = sha256_of(folder / other) == checksum
            return Placement(other, kept=name, recorded=recorded, unchanged=unchanged)
    raise OutputError(
        folder / name,
        f"has {MOST_BESIDE} edited copies beside it; move some away and build again",
    )


def _ours_or_free(
    folder: Path, name: str, checksum: str, known: Known, refresh: Callable[[], None] | None
) -> bool:
    path = folder / name
    on_disk = sha256_of(path)
    if on_disk is None:
        # Absent: free. A FIFO, a device or an unreadable file: the writer reports it.
        return True
    if on_disk == checksum or on_disk in known(name):
        return True
    if refresh is not None:
        refresh()
        return on_disk in known(name)
    return False
