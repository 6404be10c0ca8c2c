"""What each build wrote, and from what: the record that makes rebuilds incremental and safe.

`OUT/.pcndocs/manifest.json` holds, for each network folder, the profile it was built from,
a fingerprint of every input the documents depend on, and the checksum of each file
pcndocs wrote there. A build uses it to skip a network whose inputs have not changed and
whose files are intact, to notice a document someone has edited since, and to write
`OUT/index.csv`. Each file is also noted in a journal as it is written, so even a build that
is killed outright leaves a record of what it replaced.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import hashlib
import heapq
import io
import itertools
import json
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pcndocs import __version__
from pcndocs.errors import OutputError, Problem
from pcndocs.files import (
    clean_temporaries,
    make_folder,
    read_regular,
    refuse_link,
    sha256_of,
    write_atomically,
)
from pcndocs.resources import builtin_templates

FOLDER = ".pcndocs"
MANIFEST = "manifest.json"
INDEX_NAME = "index.csv"
INDEX_COLUMNS = ("network", "document", "format", "file", "sha256", "bytes")
FORMAT_VERSION = 1

#: The libraries whose versions change what a document looks like, byte for byte.
RENDERING_LIBRARIES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "cssselect2",
    "fonttools",
    "pillow",
    "python-docx",
    "lxml",
    "jinja2",
    "markdown-it-py",
    "mdit-py-plugins",
)
FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
)


# --- Fingerprints -------------------------------------------------------------------------


def _hash_tree(digest: Any, folder: Path) -> bool:
    """Add every file under folder (names and bytes) to digest; return whether any says today."""
    mentions_today = False
    if not folder.is_dir():
        return False
    files = (p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):  # not Python's compiled caches: they change on their own
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
        mentions_today = mentions_today or b"today" in data
    return mentions_today


@cache
def _code_and_libraries() -> str:
    """Return a fingerprint of pcndocs' own code and data and the rendering libraries."""
    digest = hashlib.sha256(f"pcndocs {__version__}\0python {sys.version}\0".encode())
    _hash_tree(digest, Path(__file__).resolve().parents[1])  # the whole package
    for name in RENDERING_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name} {version}\0".encode())
    for folder in FONT_FOLDERS:  # a font added, removed or updated changes the PDFs
        with contextlib.suppress(OSError):
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = path.stat()
                    digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def inputs_fingerprint(
    templates: Path | None, blank: bool, today: date, wording: Path | None = None
) -> str:
    """Return a fingerprint of everything a build depends on except the profile itself.

    A house wording file counts by its bytes, so changing its text rebuilds every network.

    Today's date counts only where a template mentions it (the built-in ones do not), so
    nothing is rebuilt merely because a day has passed.
    """
    digest = hashlib.sha256(_code_and_libraries().encode())
    uses_today = _hash_tree(digest, builtin_templates())
    if templates is not None:
        digest.update(f"\0templates {templates.resolve()}\0".encode())
        uses_today = _hash_tree(digest, templates) or uses_today
    if wording is not None:
        digest.update(f"\0wording {wording.resolve()}\0".encode())
        with contextlib.suppress(OSError):  # unreadable: the build says why, with its name
            digest.update(hashlib.sha256(wording.read_bytes()).digest())
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    digest.update(f"\0blank {blank}\0epoch {epoch}\0".encode())
    if uses_today:
        digest.update(f"today {today.isoformat()}".encode())
    return digest.hexdigest()


def profile_fingerprint(profile: Path, inputs: str) -> str | None:
    """Return the fingerprint of one network's build, or None if its profile cannot be read."""
    data = profile_bytes(profile)
    return None if data is None else hashlib.sha256(inputs.encode() + b"\0" + data).hexdigest()


#: Larger than any profile the loader accepts; such a file is its to refuse, not ours to read.
_PROFILE_LIMIT = 2 * 1024 * 1024


def profile_bytes(profile: Path) -> bytes | None:
    """Return a profile's bytes, or None for anything but a readable, modest, regular file.

    A FIFO or a device would make reading wait for ever; the loader says what is wrong.
    """
    return read_regular(profile, _PROFILE_LIMIT)


# --- The manifest -------------------------------------------------------------------------


# What the manifest may hold. Anything else means it was not written by pcndocs as it is
# (a tampered or damaged record): it is set aside, and the next build starts a fresh one.
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*$")  # a slug, with its suffixes
_CHECKSUM = re.compile(r"^[0-9a-f]{64}$")
_TEXT_LIMIT = 1000  # a network's name or a warning: longer is not one pcndocs wrote
MANIFEST_LIMIT = 64 * 1024 * 1024


class DamagedRecordError(ValueError):
    """The manifest is not in the shape pcndocs writes it."""


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > _TEXT_LIMIT * 4:
        raise DamagedRecordError("a text field is not text")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DamagedRecordError("a field is not a mapping")
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str) or not SAFE_NAME.match(value) or len(value) > 255:
        raise DamagedRecordError(f"{str(value)[:40]!r} is not a file name pcndocs writes")
    return value


def _checksum(value: Any) -> str:
    if not isinstance(value, str) or not (value == "" or _CHECKSUM.match(value)):
        raise DamagedRecordError("a checksum is not one")
    return value


@dataclass
class Entry:
    """One network folder: where it came from, and what pcndocs wrote in it."""

    folder: str
    profile: str
    network: str
    fingerprint: str = ""  # empty: not known to be complete, so never skipped
    outputs: dict[str, list[str]] = field(default_factory=dict)  # "kind.fmt" -> file names
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256 as written
    sizes: dict[str, int] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)  # edited file -> sha256 pcndocs wrote
    warnings: list[Problem] = field(default_factory=list)  # shown again when skipped
    code: str = ""  # the network's PCN code, which tells two networks of one name apart

    def to_json(self) -> dict[str, Any]:
        """Return the entry as it is stored."""
        return {
            "profile": self.profile,
            "network": self.network,
            "code": self.code,
            "fingerprint": self.fingerprint,
            "outputs": self.outputs,
            "files": {name: [self.files[name], self.sizes.get(name, 0)] for name in self.files},
            "kept": self.kept,
            "warnings": [[w.file, w.line, w.key, w.text] for w in self.warnings],
        }

    @classmethod
    def from_json(cls, folder: str, data: Any) -> Entry:
        """Return an entry read back from the manifest; DamagedRecordError if it is not one."""
        data = _mapping(data)
        files: dict[str, str] = {}
        sizes: dict[str, int] = {}
        for name, value in _mapping(data.get("files", {})).items():
            if not (isinstance(value, list) and len(value) == 2 and type(value[1]) is int):
                raise DamagedRecordError("a file's checksum and size are not a pair")
            files[_name(name)] = _checksum(value[0])
            sizes[name] = value[1]
        outputs: dict[str, list[str]] = {}
        for output, names in _mapping(data.get("outputs", {})).items():
            if not isinstance(names, list):
                raise DamagedRecordError("an output's files are not a list")
            outputs[_name(output)] = [_name(n) for n in names]
        warnings = data.get("warnings", [])
        if not isinstance(warnings, list) or not all(
            isinstance(w, list) and len(w) == 4 for w in warnings
        ):
            raise DamagedRecordError("the warnings are not a list of four fields each")
        line_numbers = [w[1] for w in warnings]
        if not all(n is None or type(n) is int for n in line_numbers):
            raise DamagedRecordError("a warning's line is not a number")
        return cls(
            folder=_name(folder),
            profile=_text(data.get("profile", "")),
            network=_text(data.get("network", ""))[:_TEXT_LIMIT],
            code=_text(data.get("code", ""))[:_TEXT_LIMIT],
            fingerprint=_checksum(data.get("fingerprint", "")),
            outputs=outputs,
            files=files,
            sizes=sizes,
            kept={_name(k): _checksum(v) for k, v in _mapping(data.get("kept", {})).items()},
            warnings=[
                Problem(_text(f), n, _text(k), _text(t), kind="warning") for f, n, k, t in warnings
            ],
        )

    def missing(self, root: Path, wanted: Iterable[str]) -> list[str] | None:
        """Return the wanted outputs ("kind.fmt") not on disk as written; None if all are."""
        absent: list[str] = []
        for output in wanted:
            names = self.outputs.get(output)
            if names is None or not all(self._intact(root / self.folder, n) for n in names):
                absent.append(output)
        return absent or None

    def _intact(self, folder: Path, name: str) -> bool:
        try:
            size = (folder / name).stat().st_size
        except OSError:
            return False
        if name not in self.files or size != self.sizes.get(name):
            return False
        return sha256_of(folder / name) == self.files[name]


class Manifest:
    """The record of an output folder, read once at the start of a build.

    `entries` holds the record as read and the entries this build is still writing; an
    entry this build has finished is put aside in a temporary file (`set_aside`) and read
    back only to be saved, so a batch's memory does not grow by an entry a network.
    """

    def __init__(self, out: Path, journals: bool = True) -> None:
        """Read the record of `out`; with journals, the files other builds noted as written."""
        self.out = out
        self.entries: dict[str, Entry] = {}
        self.index_sha256 = ""
        self.journaled: dict[str, set[str]] = {}  # "folder/file" -> checksums written
        self.problem: str | None = None  # why the record on disk was set aside, if it was
        self._journal: Path | None = None
        self._aside: dict[str, tuple[int, int]] = {}  # folder -> where its entry is in _spill
        self._spill: Any = None  # a temporary file, made at the first entry put aside
        # This build's own records are named by its process and this number, as a server
        # runs several builds at once in one process ("build several" twice).
        self._mine = f"{os.getpid()}-{next(_BUILDS)}"
        self._read(journals)

    @property
    def folder(self) -> Path:
        """Return the hidden folder of pcndocs' own records."""
        return self.out / FOLDER

    def _read(self, journals: bool) -> None:
        # Journals first: a build that finishes meanwhile records its files in the manifest
        # before it removes its journal, so reading in this order misses none of them.
        if journals:
            self._read_journals()
        path = self.folder / MANIFEST
        if self.folder.is_symlink():
            return  # never read through a link: a build refuses to write there
        raw = read_regular(path, MANIFEST_LIMIT)
        if raw is None:
            if path.exists() or path.is_symlink():
                self.problem = f"{path}: is not a file pcndocs can read"
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            self._take(data)
        except (ValueError, RecursionError) as exc:  # DamagedRecordError is a ValueError
            self.entries, self.index_sha256 = {}, ""
            reason = exc if isinstance(exc, DamagedRecordError) else "it is not JSON pcndocs wrote"
            self.problem = (
                f"{path}: the record of what pcndocs wrote is damaged ({reason}); "
                "a fresh one is started, and files it does not know are kept, not replaced"
            )

    def _take(self, data: Any) -> None:
        """Take the entries of a manifest's JSON; DamagedRecordError if it is not in our shape."""
        data = _mapping(data)
        if data.get("version") != FORMAT_VERSION:
            raise DamagedRecordError(f"its version is not {FORMAT_VERSION}")
        self.index_sha256 = _checksum(data.get("index_sha256", ""))
        networks = _mapping(data.get("networks", {}))
        self.entries = {name: Entry.from_json(name, entry) for name, entry in networks.items()}

    def _read_journals(self) -> None:
        for journal in self._journals():
            raw = read_regular(journal, MANIFEST_LIMIT)
            for line in (raw or b"").decode("utf-8", "replace").splitlines():
                name, _, checksum = line.rpartition(" ")
                self.journaled.setdefault(name, set()).add(checksum)

    def _journals(self) -> list[Path]:
        if self.folder.is_symlink():
            return []
        try:
            return sorted(self.folder.glob("journal-*.txt"))
        except OSError:
            return []

    def refresh(self) -> None:
        """Learn what other builds into this folder have recorded since this one began.

        Two builds of one network at once must not take each other's documents for ones a
        user edited.
        """
        other = Manifest(self.out)
        for name, checksums in other.journaled.items():
            self.journaled.setdefault(name, set()).update(checksums)
        for entry in other.entries.values():
            for name, checksum in (*entry.files.items(), *entry.kept.items()):
                self.journaled.setdefault(f"{entry.folder}/{name}", set()).add(checksum)

    def index_stale(self) -> bool:
        """Return whether index.csv is missing or is not the one pcndocs last wrote."""
        return not self.index_sha256 or sha256_of(self.out / INDEX_NAME) != self.index_sha256

    def entry(self, folder: str) -> Entry | None:
        """Return a folder's entry: the one this build wrote (even put aside), else the record's."""
        if folder in self.entries:
            return self.entries[folder]
        if folder not in self._aside:
            return None
        offset, length = self._aside[folder]
        self._spill.seek(offset)
        entry: Entry = pickle.loads(self._spill.read(length))
        return entry

    def set_aside(self, folder: str) -> None:
        """Move a finished network's entry out of memory, into this build's temporary file.

        It is read back, one entry at a time, when the record is saved. The journal, not
        this file, is what survives a build that is killed.
        """
        entry = self.entries.pop(folder, None)
        if entry is None:
            return
        if self._spill is None:
            # Closed by close(), once the build has saved the record.
            self._spill = tempfile.TemporaryFile(prefix="pcndocs-entries-")  # noqa: SIM115
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        offset = self._spill.seek(0, os.SEEK_END)
        self._spill.write(data)
        self._aside[folder] = (offset, len(data))

    def close(self) -> None:
        """Remove the temporary file of the entries put aside (the build has saved them)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._aside = {}

    def by_profile(self, profile: Path) -> Entry | None:
        """Return the entry of the folder last built from this profile file."""
        wanted = str(profile.resolve())
        return next((e for e in self.entries.values() if e.profile == wanted), None)

    def written_by_us(self, folder: str, name: str) -> set[str]:
        """Return every checksum pcndocs is known to have written for a file.

        The journal counts too: a build killed between writing a file and recording it
        must not make the next build take its own document for one a user edited.
        """
        known = set(self.journaled.get(f"{folder}/{name}", ()))
        entry = self.entry(folder)
        if entry is not None:
            known |= {c for c in (entry.files.get(name), entry.kept.get(name)) if c}
        return known

    def note_written(self, folder: str, name: str, checksum: str) -> None:
        """Add a file about to be put in place to this build's journal."""
        if self._journal is None:
            self._make_folder()
            self._journal = self.folder / f"journal-{self._mine}.txt"
        try:
            with _open_record(self._journal) as handle:
                os.write(handle, f"{folder}/{name} {checksum}\n".encode())
        except OSError as exc:
            raise OutputError(self._journal, f"cannot be written: {exc.strerror}") from None
        # Not kept in memory as well: the journal on disk holds it for a later build, and
        # this build records the file in its entry once it is in place (a national batch
        # would otherwise hold every file's checksum twice).

    def claim(self, folder: str, profile: str, network: str, code: str) -> list[list[str]]:
        """Note that this build will write a network's folder; return the claims other builds
        running now have on it, each [profile, network, code].

        Two builds started at once each read the record before either has written it: these
        claims, one append-only file a build (`claims-PID-N.txt`, removed when it ends), taken
        under the lock, let the second see the first and refuse a different network.
        """
        own = self.folder / f"claims-{self._mine}.txt"
        others: list[list[str]] = []
        try:
            self._make_folder()
        except (OutputError, OSError):
            return others  # nothing can be written here: writing the network says why
        with _locked(self.folder / "lock"):
            for path in sorted(self.folder.glob("claims-*.txt")):
                if path == own or path.is_symlink() or not _pid_alive(path):
                    continue
                raw = read_regular(path, MANIFEST_LIMIT)
                for line in (raw or b"").decode("utf-8", "replace").splitlines():
                    fields = line.split("\t")
                    if len(fields) == 4 and fields[0] == folder:
                        others.append(fields[1:])
            with _open_record(own) as handle:
                os.write(handle, "\t".join((folder, profile, network, code)).encode() + b"\n")
        return others

    def release_claims(self) -> None:
        """Remove this build's claims, and those of builds that are no longer running."""
        for path in self.folder.glob("claims-*.txt") if not self.folder.is_symlink() else []:
            if path.name == f"claims-{self._mine}.txt" or not _pid_alive(path):
                with contextlib.suppress(OSError):
                    path.unlink()

    def _make_folder(self) -> None:
        refuse_link(self.folder)
        make_folder(self.folder)
        refuse_link(self.folder)  # made a link between the two looks: still refused

    def clean_stopped(self) -> None:
        """Remove what stopped builds left: .index.csv.*.tmp in OUT, .manifest.json.*.tmp here.

        A temporary whose build is still running is kept (files.clean_temporaries), so this
        needs no lock; nothing is cleaned through a link.
        """
        for folder in (self.out, self.folder):
            if not folder.is_symlink():
                clean_temporaries(folder)

    def save(self, touched: Iterable[str], legacy_rows: bool = True) -> IndexOutcome:
        """Record the touched folders' entries, under a lock, and rewrite index.csv from the record.

        Another build writing into the same folder at the same time waits for the lock,
        then merges its own networks with these: no one's rows are lost. The record and the
        index are written an entry at a time, those put aside read back one by one.
        """
        self._make_folder()
        with _locked(self.folder / "lock"):
            # What killed builds left: .index.csv.*.tmp here, .manifest.json.*.tmp in .pcndocs.
            for folder in (self.out, self.folder):
                clean_temporaries(folder)
            # What other builds may have recorded meanwhile. Not the journals: the files they
            # list are in the record once it is saved (this build's own journal lists every
            # file it wrote: thousands of lines in a national build).
            current = Manifest(self.out, journals=False)
            ours = {name: None for name in touched if name in self.entries or name in self._aside}
            # A folder another build of the same network saved meanwhile holds, file by file,
            # whichever build wrote last: the record says so, or the next build would take
            # the other's files for ones a user edited.
            mixed: dict[str, Entry] = {}
            for name in ours:
                theirs = current.entries.pop(name, None)
                mine = self.entry(name)
                if theirs is not None and mine is not None:
                    found = _as_on_disk(self.out / name, mine, theirs)
                    if found is not None:
                        mixed[name] = found
            names = sorted({*current.entries, *ours})

            def entry_of(name: str) -> Entry:
                if name in mixed:
                    return mixed[name]
                found = self.entry(name) if name in ours else current.entries[name]
                assert found is not None
                return found

            outcome = write_index(self.out, names, entry_of, current.index_sha256, legacy_rows)
            write_atomically(self.folder / MANIFEST, _record(outcome.sha256, names, entry_of))
            for journal in current._journals():  # all now in the manifest
                if journal == self._journal or not _pid_alive(journal):
                    journal.unlink(missing_ok=True)
            self._journal = None
        # The record as saved: entries read from disk, this build's own (in memory or aside).
        current.entries.update((n, e) for n, e in self.entries.items() if n in ours)
        self.entries = current.entries
        self.index_sha256 = outcome.sha256
        return outcome


def _as_on_disk(folder: Path, mine: Entry, theirs: Entry) -> Entry | None:
    """Return this build's entry with the files another build wrote last put in its place,
    or None if every file on disk is this build's.

    Such a folder is a mix of two versions: its fingerprint is left empty, so the next build
    rebuilds it rather than taking it as up to date.
    """
    files, sizes = dict(mine.files), dict(mine.sizes)
    for name, checksum in mine.files.items():
        other = theirs.files.get(name)
        if other is None or other == checksum:
            continue  # unchanged between the two, or only this build writes it
        if sha256_of(folder / name) == other:
            files[name] = other
            sizes[name] = theirs.sizes.get(name, 0)
    if files == mine.files:
        return None
    return dataclasses.replace(mine, files=files, sizes=sizes, fingerprint="")


def _record(
    index_sha256: str, names: Sequence[str], entry_of: Callable[[str], Entry]
) -> Iterator[bytes]:
    """Yield the manifest's JSON a network at a time, as one json.dumps(indent=1) of it all.

    `names`: the folders, sorted. A national build's record is megabytes: made whole, it and
    its text would be the largest thing the main process ever holds, just as the build ends.
    """
    head = {"version": FORMAT_VERSION, "index_sha256": index_sha256}
    yield json.dumps(head, indent=1)[:-2].encode("utf-8")  # without the closing "\n}"
    yield b',\n "networks": {'
    for number, name in enumerate(names):
        body = json.dumps(entry_of(name).to_json(), indent=1).replace("\n", "\n  ")
        yield f"{',' if number else ''}\n  {json.dumps(name)}: {body}".encode()
    yield b"\n }\n}\n" if names else b"}\n}\n"


@contextlib.contextmanager
def _open_record(path: Path) -> Iterator[int]:
    """Open one of pcndocs' own records to append to: never through a link, never a FIFO."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError as exc:
        if path.is_symlink():
            reason = "is a link; pcndocs never writes its records through one"
            raise OutputError(path, reason) from None
        if exc.errno == errno.ENXIO:  # a FIFO with no reader
            raise OutputError(path, "is not a file (a device or a pipe); move it away") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OutputError(path, "is not a file (a device or a pipe); move it away") from None
        yield handle
    finally:
        os.close(handle)


#: Numbers the builds of this process, for the names of their records.
_BUILDS = itertools.count(1)


def _pid_alive(journal: Path) -> bool:
    from pcndocs.files import _still_writing  # the same test as for temporaries

    pid = journal.stem.split("-")[1]  # journal-PID-N, claims-PID-N (journal-PID before)
    return pid.isdigit() and len(pid) < 10 and _still_writing(int(pid), journal)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file while the block runs (where the system has them)."""
    try:
        import fcntl
    except ImportError:  # Windows: builds into one folder at once are not guarded there
        yield
        return
    with _open_record(path) as handle:  # never through a link, never a FIFO
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- index.csv ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexOutcome:
    """Where the index went, and where a user's edited copy of it was kept."""

    path: Path
    sha256: str
    kept: Path | None = None


def write_index(
    out: Path,
    names: Sequence[str],
    entry_of: Callable[[str], Entry],
    recorded_sha256: str,
    legacy_rows: bool = True,
) -> IndexOutcome:
    """Write OUT/index.csv listing every document pcndocs has written, with its checksum.

    `names`: the record's folders, `entry_of` each one's entry, `recorded_sha256` the
    index's checksum as pcndocs last wrote it. Rows come from the record, not from the old
    index, so an index opened and saved in Excel (another encoding, columns added or
    removed) cannot break a build; such a copy is kept beside the new one under its own
    name. Folders an older pcndocs built, with no manifest entry, keep the rows the old
    index gave them.
    """
    index = out / INDEX_NAME
    rows: list[dict[str, str]] = []
    kept: Path | None = None
    existing = sha256_of(index)
    if existing is not None and existing != recorded_sha256:
        if legacy_rows:
            known = set(names)
            rows += [r for r in read_index(index) if r["file"].split("/", 1)[0] not in known]
        if recorded_sha256:  # we wrote it, and someone has changed it since
            kept = _keep_copy(index)
    rows.sort(key=lambda row: row["file"])
    merged = heapq.merge(
        ([row[column] for column in INDEX_COLUMNS] for row in rows),
        _record_rows(names, entry_of),
        key=lambda row: row[3],  # the file, as the old rows and the record's are sorted
    )
    digest = hashlib.sha256()
    write_atomically(index, _csv_pieces(merged, digest))
    return IndexOutcome(index, digest.hexdigest(), kept)


def _record_rows(names: Sequence[str], entry_of: Callable[[str], Entry]) -> Iterator[list[str]]:
    """Yield the index's rows of the record's files, sorted by "folder/file", an entry at a time.

    Sorting the folders by "folder/" and then each folder's files gives the order of the
    whole "folder/file" texts: no folder's name has a "/" in it.
    """
    for name in sorted(names, key=lambda folder: f"{folder}/"):
        entry = entry_of(name)
        for file in sorted(entry.files):
            yield _index_row(f"{name}/{file}", entry, file)


def _csv_pieces(rows: Iterable[list[str]], digest: Any, per_piece: int = 500) -> Iterator[bytes]:
    """Yield the index's CSV a few hundred rows at a time, adding each piece to the digest."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INDEX_COLUMNS)
    for number, row in enumerate(rows, 1):
        writer.writerow([as_text(cell) for cell in row])
        if number % per_piece == 0:
            piece = buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            digest.update(piece)
            yield piece
    piece = buffer.getvalue().encode("utf-8")
    digest.update(piece)
    yield piece


def _index_row(file: str, entry: Entry, name: str) -> list[str]:
    """Return the index's row of one file, in the order of INDEX_COLUMNS."""
    return [
        entry.network,
        name.split(".", 1)[0],  # NAME.new.FORMAT is still document NAME
        Path(name).suffix.lstrip("."),
        file,
        entry.files[name],
        str(entry.sizes.get(name, 0)),
    ]


def read_index(index: Path) -> list[dict[str, str]]:
    """Return the rows of an index, read tolerantly: UTF-8 or Windows-1252, any columns."""
    raw = read_regular(index, MANIFEST_LIMIT)
    if raw is None:
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    rows: list[dict[str, str]] = []
    with contextlib.suppress(csv.Error):  # a field over the CSV limit: the rows before it
        for row in csv.DictReader(io.StringIO(text, newline="")):
            folder, _, name = str(row.get("file") or "").partition("/")
            if not (SAFE_NAME.match(folder) and SAFE_NAME.match(name)):
                continue  # only a file pcndocs could have written, inside its own folder
            rows.append(
                {column: str(row.get(column) or "")[:_TEXT_LIMIT] for column in INDEX_COLUMNS}
            )
    return rows


def as_text(cell: str) -> str:
    """Return a cell Excel shows as the text it is, never as a formula (= + - @ first)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _keep_copy(index: Path) -> Path:
    """Copy a user's edited index to a name of its own that no other file has."""
    number = 1
    while (copy := index.with_name(f"index.edited-{number}.csv")).exists():
        number += 1
    write_atomically(copy, read_regular(index) or b"")
    return copy
