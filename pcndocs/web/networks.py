"""The workspace in the browser: the networks' page, saving as you go, agreed versions.

`pcndocs serve FOLDER` opens a folder of profiles (pcndocs/output/workspace.py is the store). This
module holds what the pages need beyond the store: each network's state as `check` gives it
(kept by the file's version, so a page of many networks checks only what changed), the
text a save writes, building several networks into the output folder on a thread with its
progress, and the agreed version's document trees kept for "What changed".
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from pcndocs.errors import PcndocsError
from pcndocs.files import slug
from pcndocs.output.batch import build_many
from pcndocs.output.build import BUILT_FROM, BuildOptions
from pcndocs.output.workers import WorkerPool
from pcndocs.output.workspace import Agreed, Saved, Workspace
from pcndocs.profile.write import own_comments, profile_yaml
from pcndocs.rules.facts import Facts
from pcndocs.web.service import Checked, check_text

# The first lines pcndocs writes at the top of a file it saves; a user's own lines there stay.
SAVED_HEADER = "A network profile for pcndocs, saved as you go by `pcndocs serve`."
DRAFT_MARK = "Draft:"
_OUR_HEADER = (SAVED_HEADER, DRAFT_MARK, "A network profile for pcndocs, saved from")
STATES_KEPT = 512
BUILDS_KEPT = 8


@dataclass(frozen=True)
class NetworkState:
    """One network as the workspace page lists it: what `check` says and what was done."""

    file: str
    network: str  # its name, or "" if the file does not say one
    errors: int  # problems to put right (values still missing are counted apart)
    to_agree: int  # values still missing: a blank build marks each "to be agreed"
    warnings: int
    contract_year: str
    unreadable: str  # the first problem if the file is not YAML at all, else ""
    draft: bool  # saved by the page with errors still in it
    last_agreed: Agreed | None = None
    last_build: str = ""  # the day (dd/mm/yyyy) of the last build into the output folder
    same_as: tuple[str, ...] = ()  # other files of a network of the same name: one build folder

    @property
    def ready(self) -> bool:
        """Return whether `build` would build it now, with no value still to agree."""
        return not self.errors and not self.to_agree and not self.unreadable


def state_of(saved: Saved, checked: Checked, draft: bool) -> NetworkState:
    """Return the state of a network from its file and what `check` says about it."""
    data = checked.data if isinstance(checked.data, dict) else {}
    missing = sum(1 for p in checked.errors if p.kind == "missing")
    network = data.get("network")
    name = network.get("name") if isinstance(network, dict) else None
    year = data.get("contract_year")
    unreadable = str(checked.errors[0]) if checked.data is None and checked.errors else ""
    return NetworkState(
        file=saved.name,
        network=name.strip() if isinstance(name, str) else "",
        errors=len(checked.errors) - missing,
        to_agree=missing,
        warnings=len(checked.warnings),
        contract_year=str(year) if isinstance(year, str | int) and year else "",
        unreadable=unreadable,
        draft=draft,
    )


def is_draft(text: str) -> bool:
    """Return whether a file's first lines mark it as a draft saved with errors."""
    for line in text.splitlines():
        if not line.startswith("#"):
            return False
        if line.removeprefix("#").strip().startswith(DRAFT_MARK):
            return True
    return False


def saved_text(data: dict[str, Any], checked: Checked, before: str) -> str:
    """Return the text a save writes: the one profile writer's YAML of the form's data.

    The file's own first comment lines (an import's sources, a note of the user's) are kept
    at its top, and a comment the user wrote beside or above a key beside that key (by its
    key path: an item moved in the form leaves it at the place); pcndocs writes its own
    comment beside every other key, in the model's order. A draft
    with errors is marked as one in its first lines, and is written all the same.
    """
    header = [SAVED_HEADER]
    wrong = [p for p in checked.errors if p.kind != "missing"]
    if wrong:
        count = f"{len(wrong)} problem{'s' if len(wrong) != 1 else ''}"
        header.append(f"{DRAFT_MARK} {count} to put right before it builds (`pcndocs check`).")
    kept = [line.removeprefix("#").strip() for line in _leading_comments(before)]
    header += [line for line in kept if line and not line.startswith(_OUR_HEADER)]
    # The author's own comments beside (or above) a key stay beside it, in place of ours.
    return profile_yaml(data, header, notes=own_comments(before))


def _leading_comments(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


class States:
    """Each network's check, kept by its file's version: a file not changed is not checked."""

    def __init__(self, space: Workspace, facts: Facts, out: Path) -> None:
        self.space = space
        self.facts = facts
        self.out = out
        self._kept: LRUCache[tuple[str, str, date], NetworkState] = LRUCache(STATES_KEPT)
        self._lock = threading.Lock()

    def of(self, name: str, today: date) -> NetworkState | None:
        """Return a network's state now, or None if its file has gone."""
        saved = self.space.current(name)
        if saved is None:
            return None
        key = (name, saved.version, today)
        with self._lock:
            state = self._kept.get(key)
        if state is None:
            checked = check_text(saved.text, self.facts, today, name)
            state = state_of(saved, checked, is_draft(saved.text))
            with self._lock:
                self._kept[key] = state
        return NetworkState(
            **{
                **state.__dict__,
                "last_agreed": self.space.last_agreed(name),
                "last_build": self.last_build(state.network or Path(name).stem),
            }
        )

    def all(self, today: date) -> list[NetworkState]:
        """Return the state of every network in the workspace, by file name.

        Files whose networks have names that make one build folder are each told of the
        others: `build` refuses to build them together, naming both.
        """
        found = [self.of(name, today) for name in self.space.names()]
        states = [state for state in found if state is not None]
        folders: dict[str, list[str]] = {}
        for state in states:
            folders.setdefault(slug(state.network or Path(state.file).stem), []).append(state.file)
        return [
            replace(
                state,
                same_as=tuple(
                    f
                    for f in folders[slug(state.network or Path(state.file).stem)]
                    if f != state.file
                ),
            )
            for state in states
        ]

    def last_build(self, network: str) -> str:
        """Return the day a network was last built into the output folder, or ""."""
        kept = self.out / slug(network) / BUILT_FROM
        try:
            when = kept.stat().st_mtime
        except OSError:
            return ""
        return datetime.fromtimestamp(when, UTC).strftime("%d/%m/%Y")


# --- building several networks ----------------------------------------------------------------


@dataclass
class BuildJob:
    """Networks being built into the output folder on a thread, and how far it has got."""

    key: str
    names: list[str]
    blank: bool
    done: list[tuple[str, str]] = field(default_factory=list)  # (file, what became of it)
    failed: int = 0
    finished: bool = False
    error: str = ""  # the whole build stopped, such as a template that is wrong
    started: float = field(default_factory=time.monotonic)
    ended: threading.Event = field(default_factory=threading.Event)

    @property
    def percent(self) -> int:
        """Return how much of the job is done, out of 100."""
        return round(100 * len(self.done) / len(self.names)) if self.names else 100


class Builds:
    """The last few jobs of "Build several", by a random key the page asks about."""

    def __init__(self) -> None:
        self._jobs: LRUCache[str, BuildJob] = LRUCache(BUILDS_KEPT)
        self._lock = threading.Lock()

    def get(self, key: str) -> BuildJob | None:
        """Return a job by its key, or None."""
        with self._lock:
            return self._jobs.get(key)

    def start(
        self,
        space: Workspace,
        names: Sequence[str],
        options: BuildOptions,
        pool: WorkerPool,
    ) -> BuildJob:
        """Start building the named networks with `build`'s own code, on a thread.

        Its documents are made on the server's pool, taking turns with every other render.
        """
        job = BuildJob(uuid.uuid4().hex, list(names), options.blank)
        paths = [space.path_of(name) for name in names]
        by_path = {path.resolve(): path.name for path in paths}

        def progress(outcomes: list[Any]) -> None:
            for outcome in outcomes:
                file = by_path.get(outcome.path.resolve(), outcome.path.name)
                if outcome.result is not None:
                    result = outcome.result
                    said = (
                        "up to date: nothing changed since its last build"
                        if result.up_to_date
                        else f"built into {result.folder}"
                    )
                else:
                    job.failed += 1
                    said = (outcome.error or "not built").splitlines()[0]
                job.done.append((file, said))

        def run() -> None:
            try:
                build_many(paths, options, pool.jobs, progress, pool=pool)
            except PcndocsError as exc:  # such as a template that is wrong: said on the page
                job.error = str(exc)
            except Exception:  # a bug: its traceback goes to the server's output
                logging.getLogger(__name__).exception("building several networks failed")
                job.error = "pcndocs failed (a bug): the server's window shows what went wrong"
            finally:
                job.finished = True
                job.ended.set()

        with self._lock:
            self._jobs[job.key] = job
        threading.Thread(target=run, name=f"build-{job.key[:8]}", daemon=True).start()
        return job
