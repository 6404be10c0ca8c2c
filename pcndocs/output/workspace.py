"""A workspace: a folder of network profiles, one YAML file a network, and its agreed versions.

The YAML files are the record: the command line, git, an editor and a shared drive all work
on them, and the browser saves into them. This module is the only code that names, reads and
writes them for `pcndocs serve`, and it keeps three promises:

- a file's name comes from the network's name through the build's own slug, and it stays
  inside the workspace (no `..`, no absolute path, no symbolic link followed out of it);
- every save is atomic and carries the version it was based on (a fingerprint of the bytes
  it read): a save based on any other version than the file holds now is refused as a
  conflict, whoever changed the file meanwhile (another tab, an editor, git), and the bytes
  are compared again just before the rename (files.replace_if_unchanged);
- "Mark as agreed" keeps a copy of the file as it was, under `.pcndocs/versions/`, with the
  date it was agreed and a note.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pcndocs.errors import PcndocsError
from pcndocs.files import (
    ChangedMeanwhileError,
    make_folder,
    replace_if_unchanged,
    slug,
    write_atomically,
)
from pcndocs.profile.yamlfile import parse_yaml

PROFILE_SUFFIXES = (".yaml", ".yml")
WORDING_FILE = (
    "wording.yaml"  # the workspace's house wording (pcndocs.render.wording), not a network
)
HIDDEN = ".pcndocs"  # the workspace's own records: agreed versions
VERSIONS = Path(HIDDEN) / "versions"
MAX_PROFILE_BYTES = 1024 * 1024  # as the command line reads a profile
NOTE_CHARS = 500
# A file name the browser may give: what slug() makes, with the suffix of a profile.
_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,120}\.ya?ml")
_VERSION_ID = re.compile(r"[0-9]{3,6}")


class WorkspaceError(PcndocsError):
    """A name that would leave the workspace, a file that cannot be read, a clash of names."""


class ConflictError(PcndocsError):
    """The file changed since the version a save was based on: nothing was written."""

    def __init__(self, name: str, current: Saved | None) -> None:
        self.name = name
        self.current = current
        said = "was removed" if current is None else "was changed by someone else"
        super().__init__(
            f"{name}: {said} since this page opened it (another tab, an editor or git); "
            "nothing was saved: reload it, or keep both"
        )


@dataclass(frozen=True)
class Saved:
    """A profile file as read or written: its text and the version it is (a fingerprint)."""

    name: str
    text: str
    version: str


@dataclass(frozen=True)
class Agreed:
    """One agreed version of a network: which it is, when it was agreed, and why."""

    id: str  # "001", "002", ... in the order they were agreed
    agreed_on: date
    note: str
    version: str  # the fingerprint of the file agreed
    kept_at: str  # when the copy was made (UTC, ISO 8601)

    @property
    def label(self) -> str:
        """Return how the page and the redlines name this version."""
        note = f": {self.note}" if self.note else ""
        return f"version {int(self.id)}, agreed on {self.agreed_on:%d/%m/%Y}{note}"

    @property
    def title(self) -> str:
        """Return the label as a list shows it, with a capital."""
        return "V" + self.label[1:]


def fingerprint(raw: bytes) -> str:
    """Return the version of a file's bytes: the first 16 hex digits of their SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def is_profile_name(name: str) -> bool:
    """Return whether a name is one the workspace opens: a slug with .yaml or .yml."""
    return bool(_FILE_NAME.fullmatch(name)) and ".." not in name


def file_name_for(network: str) -> str:
    """Return the file a network's profile is kept in: the build folder's slug, .yaml."""
    return slug(network.strip() or "network") + ".yaml"


class Workspace:
    """A folder of profiles. Safe to share between threads: writes are serialised."""

    def __init__(self, root: Path) -> None:
        make_folder(root)
        self.root = root.resolve()
        self._lock = threading.Lock()

    # --- names ---------------------------------------------------------------------------

    def path_of(self, name: str) -> Path:
        """Return the path of a profile file named NAME, refusing any name that leaves here.

        Only a plain file name of the shape slug() makes is taken; a symbolic link is
        refused, wherever it points, so nothing outside the folder is read or replaced.
        """
        if not is_profile_name(name):
            raise WorkspaceError(f"'{name}' is not the name of a profile in the workspace")
        path = self.root / name
        if path.is_symlink():
            raise WorkspaceError(
                f"{name}: is a symbolic link; the workspace opens only its own files"
            )
        if path.resolve().parent != self.root:
            raise WorkspaceError(f"'{name}' is outside the workspace {self.root}")
        return path

    def names(self) -> list[str]:
        """Return the profile files in the workspace, by name: its networks."""
        found = []
        for path in sorted(self.root.iterdir()):
            wanted = (
                path.suffix in PROFILE_SUFFIXES
                and _FILE_NAME.fullmatch(path.name) is not None
                and path.name != WORDING_FILE  # the house wording, not a network
            )
            if wanted and path.is_file() and not path.is_symlink():
                found.append(path.name)
        return found

    # --- reading and saving ----------------------------------------------------------------

    def read(self, name: str) -> Saved:
        """Return a profile's text and version; WorkspaceError if it cannot be read."""
        found = self.current(name)
        if found is None:
            raise WorkspaceError(f"{name}: there is no such network in the workspace {self.root}")
        return found

    def current(self, name: str) -> Saved | None:
        """Return a profile as it is now, or None if there is no such file."""
        raw = _read_bytes(self.path_of(name), name)
        return None if raw is None else Saved(name, _decoded(raw, name), fingerprint(raw))

    def save(self, name: str, text: str, based_on: str | None) -> Saved:
        """Replace a profile's file atomically with TEXT, if it is still the version BASED_ON.

        `based_on` None means the file must not exist yet. Raises ConflictError, writing
        nothing, if the file is any other version now.
        """
        raw = text.encode("utf-8")
        if len(raw) > MAX_PROFILE_BYTES:
            raise WorkspaceError(f"{name}: would be over 1 MB; a profile is at most 1 MB")
        path = self.path_of(name)
        with self._lock:
            _replace_if_version(path, name, raw, based_on)
        return Saved(name, text, fingerprint(raw))

    def create(self, network: str, text: str) -> Saved:
        """Write a new network's profile to the file its name makes; refuse a name taken.

        Two networks whose names make the same file are refused, naming both.
        """
        name = file_name_for(network)
        now = self.current(name)
        if now is not None:
            raise WorkspaceError(
                f"{name}: already holds a network ({network_in(now.text) or 'no name'}); "
                f"'{network}' would be saved to the same file: give it a different name"
            )
        return self.save(name, text, None)

    def keep_beside(self, name: str, text: str, today: datetime | None = None) -> Saved:
        """Save TEXT beside NAME under a new name (`NAME-kept-TIME.yaml`): keep both."""
        stamp = (today or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        stem = self.path_of(name).stem
        for n in range(1, 100):
            beside = f"{stem}-kept-{stamp}{'' if n == 1 else f'-{n}'}.yaml"
            if self.current(beside) is None:
                return self.save(beside, text, None)
        raise WorkspaceError(f"{name}: too many copies kept beside it; remove some first")

    # --- agreed versions -------------------------------------------------------------------

    def _versions_folder(self, name: str) -> Path:
        """Return where a network's agreed versions are kept; no symbolic link on the way."""
        folder = self.root / VERSIONS / self.path_of(name).stem
        for step in (self.root / HIDDEN, self.root / VERSIONS, folder):
            if step.is_symlink():
                raise WorkspaceError(
                    f"{step}: is a symbolic link; the workspace keeps its versions only in "
                    "its own folder"
                )
        return folder

    def agree(self, name: str, agreed_on: date, note: str, based_on: str) -> Agreed:
        """Keep a copy of a profile as agreed on a date, with a note; return its record.

        The copy is of the version the page shows (`based_on`): if the file has changed
        since, ConflictError, and nothing is kept.
        """
        note = " ".join(note.split())[:NOTE_CHARS]
        with self._lock:
            now = self.current(name)
            if now is None or now.version != based_on:
                raise ConflictError(name, now)
            folder = self._versions_folder(name)
            make_folder(folder)
            done = self.versions(name)
            number = f"{int(done[-1].id) + 1 if done else 1:03d}"
            record = Agreed(
                number,
                agreed_on,
                note,
                now.version,
                datetime.now(UTC).replace(microsecond=0).isoformat(),
            )
            write_atomically(folder / f"{number}.yaml", now.text.encode("utf-8"))
            info = {
                "agreed_on": agreed_on.isoformat(),
                "note": note,
                "version": now.version,
                "kept_at": record.kept_at,
                "file": name,
            }
            write_atomically(folder / f"{number}.json", json.dumps(info, indent=1).encode())
        return record

    def versions(self, name: str) -> list[Agreed]:
        """Return a network's agreed versions, oldest first."""
        folder = self._versions_folder(name)
        if not folder.is_dir():
            return []
        found = []
        for record in sorted(folder.glob("*.json")):
            if not _VERSION_ID.fullmatch(record.stem) or record.is_symlink():
                continue
            if not record.is_file():  # a FIFO would never answer: not a record of ours
                continue
            try:
                info = json.loads(record.read_text(encoding="utf-8"))
                found.append(
                    Agreed(
                        record.stem,
                        date.fromisoformat(info["agreed_on"]),
                        str(info.get("note", "")),
                        str(info["version"]),
                        str(info.get("kept_at", "")),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a record someone broke by hand: the others are still listed
        return found

    def last_agreed(self, name: str) -> Agreed | None:
        """Return a network's last agreed version, or None."""
        done = self.versions(name)
        return done[-1] if done else None

    def version_path(self, name: str, version_id: str) -> Path:
        """Return the kept copy of an agreed version; WorkspaceError if there is none."""
        if not _VERSION_ID.fullmatch(version_id):
            raise WorkspaceError(f"{name}: no agreed version '{version_id}'")
        path = self._versions_folder(name) / f"{version_id}.yaml"
        if not path.is_file() or path.is_symlink():
            raise WorkspaceError(f"{name}: no agreed version '{version_id}'")
        return path

    def version_text(self, name: str, version_id: str) -> str:
        """Return the text of an agreed version."""
        path = self.version_path(name, version_id)
        raw = _read_bytes(path, name) or b""
        return _decoded(raw, f"{name} version {int(version_id)}")


class VersionedFile:
    """One file saved as the workspace saves a profile: atomically, based on a version.

    The house wording file (beside the profiles, or `serve --wording FILE`) is saved so: a
    save based on any other version than the file holds now is refused as a conflict.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._lock = threading.Lock()

    def current(self) -> Saved | None:
        """Return the file as it is now, or None if there is none yet."""
        raw = _read_bytes(self.path, self.name)
        return None if raw is None else Saved(self.name, _decoded(raw, self.name), fingerprint(raw))

    def save(self, text: str, based_on: str | None) -> Saved:
        """Replace the file with TEXT if it is still the version BASED_ON (None: no file yet)."""
        raw = text.encode("utf-8")
        if len(raw) > MAX_PROFILE_BYTES:
            raise WorkspaceError(f"{self.name}: would be over 1 MB; the file is at most 1 MB")
        with self._lock:
            _replace_if_version(self.path, self.name, raw, based_on)
        return Saved(self.name, text, fingerprint(raw))


def _replace_if_version(path: Path, name: str, raw: bytes, based_on: str | None) -> None:
    """Replace a file with RAW if it is still the version BASED_ON (None: no file yet).

    Compared when asked, and again once the new bytes are on disk, just before the rename
    (files.replace_if_unchanged): an editor's save, git or a command writing meanwhile is a
    ConflictError, and the file stays as they left it.
    """
    read = _read_bytes(path, name)
    if (fingerprint(read) if read is not None else None) != based_on:
        raise ConflictError(name, _saved(path, name))
    try:
        replace_if_unchanged(path, raw, read)
    except ChangedMeanwhileError:
        raise ConflictError(name, _saved(path, name)) from None


def _saved(path: Path, name: str) -> Saved | None:
    """Return a file as it is now, or None if there is none."""
    raw = _read_bytes(path, name)
    return None if raw is None else Saved(name, _decoded(raw, name), fingerprint(raw))


def workspace_of(profile: Path) -> tuple[Workspace, str]:
    """Return the workspace a profile file is in, and its name there."""
    return Workspace(profile.resolve().parent), profile.name


def _read_bytes(path: Path, name: str) -> bytes | None:
    """Return a file's bytes, None if it is not there; never through a symbolic link, and
    never waiting on a FIFO (opened without blocking, then refused as no regular file)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkspaceError(f"{name}: cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise WorkspaceError(f"{name}: is not a file (a pipe or a device); move it away")
    with os.fdopen(handle, "rb") as stream:
        raw = stream.read(MAX_PROFILE_BYTES + 1)
    if len(raw) > MAX_PROFILE_BYTES:
        raise WorkspaceError(f"{name}: is over 1 MB; a profile is at most 1 MB")
    return raw


def _decoded(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkspaceError(f"{name}: is not UTF-8 text; save it as UTF-8") from None


def network_in(text: str) -> str:
    """Return the network's name a profile's text states, or "" (a file that is not YAML)."""
    try:
        data = parse_yaml(text, "profile").data
    except PcndocsError:
        return ""
    network = data.get("network") if isinstance(data, dict) else None
    name = network.get("name") if isinstance(network, dict) else None
    return name.strip() if isinstance(name, str) else ""
