"""Writes files safely: names that cannot leave their folder, and atomic replacement."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pcndocs.errors import OutputError

_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


# Latin letters (lower case) with no accent to drop, so NFKD leaves them whole.
_SPELLED_OUT = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)


def slug(text: str, limit: int = 80) -> str:
    """Return a safe file or folder name: lower-case letters, digits and hyphens only.

    Accented letters lose their accents (Café becomes cafe). A name with no Latin letter or
    digit at all (مرحبا) becomes 'network-' and a short hash of it, so two such names do not
    share a folder.
    """
    spelled = unicodedata.normalize("NFKD", text.lower().translate(_SPELLED_OUT))
    latin = spelled.encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")[:limit].strip("-")
    if not name:
        return f"network-{hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()[:8]}"
    return f"{name}-doc" if name in _RESERVED else name


def inside(root: Path, name: str) -> Path:
    """Return root/name, refusing any name that would leave root."""
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise OutputError(target, f"is outside the output folder {root}")
    return target


def write_atomically(
    path: Path, data: bytes | Iterable[bytes], before_rename: Callable[[], None] | None = None
) -> Path:
    """Write a file via a temporary name and a rename, so no half-written file is ever seen.

    `data` is the bytes, or pieces of them written in turn (a large record need not be held
    whole). The temporary is a hidden file beside the target, `.NAME.PID.RANDOM.tmp`: a
    build that is killed outright may leave one, and the next build of that folder removes it.
    `before_rename`, if given, runs once the temporary is on disk; what it raises leaves the
    target as it was (replace_if_unchanged compares the file there).
    """
    make_folder(path.parent)
    _check_replaceable(path)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
        )
    except OSError as exc:
        raise OutputError(path.parent, f"cannot be written: {_reason(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in [data] if isinstance(data, bytes) else data:
                stream.write(piece)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(_mode_of(path))
        if before_rename is not None:
            before_rename()
        Path(temporary).replace(path)
    except BaseException as exc:  # Ctrl-C too: never leave the temporary behind
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(path, f"cannot be written: {_reason(exc)}") from None
        raise
    return path


class ChangedMeanwhileError(OutputError):
    """A file changed on disk since it was read: nothing was written over it."""

    def __init__(self, path: Path, now: bytes | None) -> None:
        said = "was removed" if now is None else "was changed (by an editor, git or a command)"
        super().__init__(
            path, f"{said} since pcndocs read it; nothing was written over it: run it again"
        )
        self.now = now


def replace_if_unchanged(path: Path, data: bytes, read: bytes | None) -> Path:
    """Replace a file atomically with `data`, only if it still holds the bytes `read`.

    `read` is what the file held when the change was worked out (None: there was no file).
    If it holds anything else now (a hand edit saved meanwhile), ChangedMeanwhileError is
    raised and the file is left as it is. pcndocs writers of one folder wait for each other
    (a lock on the folder, where the system has them), so between them the comparison and
    the rename are one step. An editor takes no such lock: the comparison is made once the
    new bytes are on disk, just before the rename, which leaves an editor's save only the
    microseconds between the two.
    """

    def still_as_read() -> None:
        now = read_regular(path)
        if now != read:
            raise ChangedMeanwhileError(path, now)

    make_folder(path.parent)
    with _folder_locked(path.parent):
        still_as_read()  # before writing anything: a conflict leaves no temporary behind
        return write_atomically(path, data, before_rename=still_as_read)


@contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder while the block runs (no lock file is left)."""
    try:
        import fcntl
    except ImportError:  # Windows: pcndocs writers are not serialised there
        yield
        return
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # a folder we may write in but not list: the comparison still holds
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _mode_of(path: Path) -> int:
    """Return the permissions a document had (a rebuild keeps 0600 as 0600), or 0644 if new."""
    try:
        status = path.stat()
    except OSError:
        return 0o644
    return stat.S_IMODE(status.st_mode) if stat.S_ISREG(status.st_mode) else 0o644


def make_folder(folder: Path) -> None:
    """Create an output folder and its parents, or say plainly why it cannot be."""
    for ancestor in (folder, *folder.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise OutputError(ancestor, "is a file, not a folder; cannot write documents in it")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(folder, f"cannot create the folder: {_reason(exc)}") from None


def _check_replaceable(path: Path) -> None:
    """Refuse to replace a folder, or a document its owner has made read-only."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(path, f"cannot be written: {_reason(exc)}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(path, "is a folder; move it away and build again")
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise OutputError(
            path, "is not a file (a device or a pipe); move it away or use another name"
        )
    # Checked from the mode, not os.access: an administrator may write anything, and a
    # rename would replace a read-only file without a word.
    if stat.S_ISREG(mode) and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise OutputError(path, "is read-only; make it writable (or close it) and build again")


def sha256_of(path: Path) -> str | None:
    """Return a regular file's checksum, or None if it is absent, unreadable or not a file.

    A FIFO or a device is never opened for reading: that would wait for ever.
    """
    data = read_regular(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_regular(path: Path, limit: int | None = None) -> bytes | None:
    """Return a regular file's bytes, or None if absent, unreadable, special or over `limit`.

    Opened without waiting (O_NONBLOCK), then checked to be a regular file, so a FIFO put
    where a record or a document goes is reported by the writer, never waited on here.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
            return None
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(handle)


def refuse_link(path: Path) -> None:
    """Refuse a symbolic link where pcndocs keeps its own records: it is never written through."""
    if path.is_symlink():
        raise OutputError(path, "is a link; pcndocs keeps its records only in a real folder here")


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied (is it read-only, or open in another program?)"
    return (exc.strerror or str(exc)).lower()


# A process number has at most 10 digits: a longer one is not ours, and is left alone.
_TEMPORARY = re.compile(r"^\..+\.(\d{1,10})\.[^.]+\.tmp$")


STALE_SECONDS = 3600


def clean_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries that killed builds left in a folder; return what was removed."""
    removed: list[Path] = []
    if folder.is_symlink():
        return removed  # never cleaned through a link: whatever it points to is not ours
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed  # no folder yet, or one we cannot read: nothing to clean
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or not entry.is_file() or entry.is_symlink():
            continue
        if _still_writing(int(match.group(1)), entry):
            continue
        try:
            entry.unlink()
        except OSError:
            continue
        removed.append(entry)
    return removed


def _still_writing(pid: int, entry: Path) -> bool:
    """Return whether the process that made a temporary may still be writing it."""
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no safe way to ask; trust age alone
        try:
            return time.time() - entry.stat().st_mtime < STALE_SECONDS
        except OSError:
            return True
    return process_alive(pid)


def process_alive(pid: int) -> bool:
    """Return whether a process with this number is running (True where it cannot be told).

    Only on POSIX can one ask without touching the process: on Windows os.kill ends it.
    """
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: no process has that number
        return False
    except OSError:
        return True  # it exists but is another user's
    return True
