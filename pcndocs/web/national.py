"""The national files uploaded to the server: read once, searched, turned into a profile.

The files are read by the same importer as `pcndocs import`, from a private temporary
folder under names the server chooses; the browser's file names are used in messages only.
They are read in a worker process of their own, bounded in memory, time, rows and networks;
the server keeps what was read, one upload per browser session, for a few minutes.
"""

from __future__ import annotations

import multiprocessing
import secrets
import shutil
import threading
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from cachetools import TTLCache

from pcndocs.errors import PcndocsError
from pcndocs.importer import ListSizes, Network, network_cautions, read_epcn, read_list_sizes
from pcndocs.importer.names import format_name
from pcndocs.importer.profiles import profile_text
from pcndocs.profile.codes import normalise_code

MATCHES_SHOWN = 50
# Uploads kept: one per browser session, for a few minutes, and a few sessions at most.
KEPT_SECONDS = 600
SESSIONS_KEPT = 8
# The worker that reads them: its memory, its time, and the networks it may return.
PARSE_MEMORY = 1536 * 1024 * 1024
PARSE_SECONDS = 120
MAX_NETWORKS = 5_000
NAMES = {"epcn": "epcn.xlsx", "lists": "lists.csv"}  # the server's names for the files


def save_upload(stream: BinaryIO, folder: str, role: str) -> Path:
    """Copy an uploaded file to the server's own name for it in a private folder."""
    path = Path(folder) / NAMES[role]
    with path.open("wb") as target:
        shutil.copyfileobj(stream, target, 1 << 20)
    return path


def _context() -> Any:
    # As the build workers: a clean process, never a copy of the server's.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@dataclass(frozen=True)
class Match:
    """A network found by a search."""

    code: str
    label: str


@dataclass
class Upload:
    """One pair of national files, read."""

    key: str
    networks: list[Network]
    list_sizes: ListSizes | None
    epcn_name: str
    lists_name: str | None
    problems: list[str]

    @property
    def names(self) -> str:
        """Return the uploaded files' names, for the page."""
        return self.epcn_name + (f" and {self.lists_name}" if self.lists_name else "")

    def search(self, query: str, commissioner: bool = False) -> list[Match]:
        """Return the networks whose name holds the words, or of a PCN code.

        With `commissioner`, a network whose commissioner's name holds them is found too:
        all the networks of one commissioner, for an LMC adviser.
        """
        code = normalise_code(query)
        words = query.lower().split()
        found = [
            n
            for n in self.networks
            if n.code == code
            or (words and all(w in n.name.lower() for w in words))
            or (commissioner and words and all(w in n.commissioner_name.lower() for w in words))
        ]
        found.sort(key=lambda n: format_name(n.name).lower())
        return [
            Match(
                n.code,
                f"{format_name(n.name)} ({n.code}), {len(n.practices)} practices, "
                f"{format_name(n.commissioner_name)}",
            )
            for n in found[:MATCHES_SHOWN]
        ]

    def network(self, code: str) -> Network:
        """Return the network of a PCN code; PcndocsError if the files have none."""
        network = next((n for n in self.networks if n.code == normalise_code(code)), None)
        if network is None:
            raise PcndocsError(f"no network with the PCN code '{code}' in {self.epcn_name}")
        return network

    def profile(self, code: str, today: date, year: str | None = None) -> str:
        """Return the profile text `pcndocs import` writes for one network (of a year)."""
        return profile_text(
            self.network(code),
            self.list_sizes,
            epcn_name=self.epcn_name,
            lists_name=self.lists_name,
            imported_on=today,
            year=year,
        )

    def cautions(self, code: str) -> list[str]:
        """Return what to check in one network's import, as `pcndocs import` says it.

        Each is shown under the network's name, so the name it starts with is left out.
        """
        network = self.network(code)
        who = f"{format_name(network.name)} ({network.code}): "
        return [
            line.removeprefix(who)
            for line in network_cautions(network, self.list_sizes, self.lists_name)
        ]

    @property
    def list_date(self) -> date | None:
        """Return the day the list sizes were counted, if a list-size file was given."""
        return self.list_sizes.extract_date if self.list_sizes else None


@dataclass(frozen=True)
class Parsed:
    """What a worker read from a pair of national files."""

    networks: list[Network]
    list_sizes: ListSizes | None
    problems: list[str]


def parse_files(epcn: Path, lists: Path | None, today: date) -> Parsed:
    """Read the national files, within the row and network caps; runs in a worker."""
    found = read_epcn(epcn, today)
    if len(found.networks) > MAX_NETWORKS:
        raise PcndocsError(
            f"{epcn}: {len(found.networks):,} networks; England has about 1,250, and an "
            f"upload may hold at most {MAX_NETWORKS:,}"
        )
    sizes = read_list_sizes(lists) if lists is not None else None
    return Parsed(found.networks, sizes, list(found.problems))


def parse_in_worker(
    epcn: Path,
    lists: Path | None,
    today: date,
    memory: int = PARSE_MEMORY,
    seconds: float = PARSE_SECONDS,
) -> Parsed:
    """Read the national files in a process of their own, bounded in memory and time.

    The workbook reader holds far more memory than the file's size, and gives little of it
    back: in a worker that then ends, the server keeps none of it. A file that needs more
    than PARSE_MEMORY, or takes longer than PARSE_SECONDS, fails with one line.
    """
    files = " and ".join(str(path) for path in (epcn, lists) if path is not None)
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    arguments = (sender, epcn, lists, today, memory)
    worker = context.Process(target=_parse, args=arguments, daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise PcndocsError(
                f"{files}: reading took longer than {seconds:g} seconds; "
                "are these the ePCN workbook and the list-size CSV?"
            )
        kind, value = receiver.recv()
    except EOFError:  # the worker died: out of memory, most likely
        raise PcndocsError(
            f"{files}: reading needed more than {memory >> 20:,} MB; "
            "are these the ePCN workbook and the list-size CSV?"
        ) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if kind == "error":
        raise PcndocsError(value)
    if kind == "bug":
        raise RuntimeError(f"reading the national files failed (a bug):\n{value}")
    assert isinstance(value, Parsed)
    return value


def _parse(sender: Any, epcn: Path, lists: Path | None, today: date, memory: int) -> None:
    """Read the files in the worker, under its memory limit, and send back what was read."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ImportError, ValueError, OSError):  # not POSIX: the time limit still applies
        pass
    files = " and ".join(str(path) for path in (epcn, lists) if path is not None)
    try:
        sender.send(("ok", parse_files(epcn, lists, today)))
    except PcndocsError as exc:
        sender.send(("error", str(exc)))
    except (MemoryError, zlib.error) as exc:
        if isinstance(exc, zlib.error) and "-4" not in str(exc):  # -4: zlib out of memory
            sender.send(("bug", traceback.format_exc()))
            return
        sender.send(("error", f"{files}: reading needed more than {memory >> 20:,} MB"))
    except Exception:
        sender.send(("bug", traceback.format_exc()))
    finally:
        sender.close()


class Uploads:
    """The uploads kept: one per browser session (the guard's cookie), each for a few minutes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._kept: TTLCache[str, Upload] = TTLCache(SESSIONS_KEPT, KEPT_SECONDS, timer=clock)
        self._lock = threading.Lock()

    def add(self, files: dict[str, tuple[str, Path]], today: date, session: str) -> Upload:
        """Read uploaded files ({"epcn": (name, path), "lists": ...}) in a worker, and keep them.

        The session's earlier upload is forgotten: each browser keeps one at most.
        """
        epcn_name, epcn_path = files["epcn"]
        lists = files.get("lists")
        try:
            parsed = parse_in_worker(epcn_path, lists[1] if lists else None, today)
        except PcndocsError as exc:
            # Say the user's file names, never the server's temporary folder, and the field
            # each was chosen in: a list-size file chosen as the workbook is told as one.
            text = str(exc).replace(str(epcn_path), f"{epcn_name} (the ePCN workbook)")
            if lists is not None:
                text = text.replace(str(lists[1]), f"{lists[0]} (the list sizes)")
            raise PcndocsError(text.replace(str(epcn_path.parent) + "/", "")) from None
        upload = Upload(
            secrets.token_urlsafe(16),
            parsed.networks,
            parsed.list_sizes,
            epcn_name,
            lists[0] if lists else None,
            parsed.problems,
        )
        with self._lock:
            self._kept[session] = upload
        return upload

    def get(self, key: str, session: str) -> Upload:
        """Return the session's kept upload if it is the one named, or say it has gone.

        An upload is its browser's only: another session naming its key finds nothing.
        """
        with self._lock:
            upload = self._kept.get(session)
        if upload is None or not secrets.compare_digest(upload.key.encode(), key.encode()):
            raise PcndocsError("the uploaded files have expired; upload them again")
        return upload

    def __len__(self) -> int:
        with self._lock:
            self._kept.expire()
            return len(self._kept)
