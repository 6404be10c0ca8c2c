"""Builds many profiles, on every core, so one network's failure stops no other.

The main process decides what to build (skipping networks whose inputs have not changed),
hands documents to warm worker processes, and alone writes the files and the record of
them. Work is shared out by network when there are many, and by document when there are
few, so even one network's pack uses every core. The bytes are the same either way.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from pcndocs.errors import InputFileError, PcndocsError, Stopped
from pcndocs.output.build import (
    BuildOptions,
    BuildResult,
    FileTask,
    Plan,
    Rendered,
    clean_stopped,
    plan_profile,
    profile_copy_intact,
    render_files,
    write_network,
)
from pcndocs.output.manifest import (
    IndexOutcome,
    Manifest,
    inputs_fingerprint,
    profile_fingerprint,
)
from pcndocs.output.workers import Failure, WorkerPool, default_jobs, run_tasks, start_early
from pcndocs.render.documents import DOCUMENTS
from pcndocs.render.writers.registry import slow_modules

PROFILE_SUFFIXES = (".yaml", ".yml")
WORDING_FILE = "wording.yaml"  # a house wording file beside the profiles (pcndocs.render.wording)

__all__ = ["Outcome", "WorkerPool", "build_many", "build_pack", "default_jobs", "expand_profiles"]


@dataclass(frozen=True)
class Outcome:
    """What became of one profile: its result, or the one-line reason it failed."""

    path: Path
    result: BuildResult | None
    error: str | None = None
    bug: bool = False  # the failure was pcndocs' fault, not the profile's
    exception: PcndocsError | None = None  # the user's error itself, to re-raise for one profile

    def built(self) -> BuildResult:
        """Return the result, or raise the failure as what it was: the user's error or a bug."""
        if self.result is not None:
            return self.result
        if self.exception is not None:
            raise self.exception
        if self.bug:
            raise RuntimeError(f"pcndocs failed on {self.path} (a bug):\n{self.error}")
        raise PcndocsError(self.error or f"{self.path}: not built")


@dataclass
class Batch:
    """Everything one call of build_many found out, for the command line to report."""

    outcomes: list[Outcome] = field(default_factory=list)
    index: IndexOutcome | None = None
    notes: list[str] = field(default_factory=list)  # about the output folder's own record


def expand_profiles(paths: Sequence[Path]) -> list[Path]:
    """Return the profile files named, with each folder replaced by the profiles inside it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix in PROFILE_SUFFIXES
                and p.is_file()
                and not p.name.startswith(".")
                and p.name != WORDING_FILE  # the folder's house wording, not a network
            )
            if not inside:
                raise InputFileError(path, "is a folder with no .yaml profiles in it")
            found.extend(inside)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


class FolderClashError(PcndocsError):
    """Two networks whose names make the same folder: the second would overwrite the first."""

    def __init__(self, path: Path, network: str, folder: Path, other: str, other_name: str) -> None:
        super().__init__(path, network, folder, other, other_name)
        self.path, self.network, self.folder = path, network, folder
        self.other, self.other_name = other, other_name

    def message(self) -> str:
        return (
            f"{self.path}: the network {self.network!r} would be written to {self.folder}, "
            f"the folder of {self.other_name!r} from {self.other}; give one of them a "
            "different name"
        )


@dataclass
class _Network:
    """One network on its way through the batch."""

    plan: Plan
    waiting: int
    rendered: Rendered = field(default_factory=Rendered)
    failure: Failure | None = None


def build_many(
    paths: Sequence[Path],
    options: BuildOptions,
    jobs: int,
    progress: Callable[[list[Outcome]], None] = lambda _done: None,
    pool: WorkerPool | None = None,
    batch: Batch | None = None,
    keep: bool = True,
) -> list[Outcome]:
    """Build every profile, on `jobs` cores; call progress as each network is done.

    Networks already up to date are skipped before any worker starts. Whatever happens,
    even Ctrl-C or SIGTERM, the documents already written are recorded with their
    checksums in the manifest and index.csv before this returns or raises. A pool given
    by the caller (a server's warm workers) is used and left running.

    So that memory does not grow with the batch, each network's entry in the record is put
    aside on disk once its files are written; with several profiles each result keeps no
    placeholders or gaps (its still-to-agree.txt lists them); and with keep=False the
    outcomes are only given to progress, not kept: the list returned is empty.
    """
    batch = batch if batch is not None else Batch()
    manifest = Manifest(options.out)
    if manifest.problem is not None:
        batch.notes.append(manifest.problem)
    inputs = inputs_fingerprint(options.templates, options.blank, options.today, options.wording)
    outcomes: dict[Path, Outcome] = {}
    any_built = False
    claimed = {entry.folder: entry for entry in manifest.entries.values()}
    touched: dict[str, None] = {}  # the folders written to, in order
    many = len(paths) > 1

    def settled(outcome: Outcome) -> None:
        nonlocal any_built
        any_built = any_built or outcome.result is not None
        if keep:
            outcomes[outcome.path] = outcome
        progress([outcome])

    def finished(network: _Network) -> None:
        touched[network.plan.folder.name] = None
        outcome = _write(network, options, manifest)
        if outcome.result is not None:
            manifest.set_aside(network.plan.folder.name)  # on disk until the record is saved
            if many:  # in its still-to-agree.txt and its warnings already: not kept to the end
                outcome.result.placeholders, outcome.result.gaps = [], []
        settled(outcome)

    with _stopping_cleanly():
        try:
            try:
                _build_needed(
                    paths, options, jobs, pool, manifest, inputs, claimed, settled, finished
                )
            except BaseException:
                # Stopped part way (Ctrl-C, a signal, an error): record what was written, if we can.
                if touched:
                    with contextlib.suppress(PcndocsError, OSError):
                        batch.index = manifest.save(touched)
                raise
            if any_built and (touched or manifest.index_stale()):
                batch.index = manifest.save(touched)  # cleans as it saves
            else:  # nothing to record: still clean what a stopped build left beside the records
                manifest.clean_stopped()
        finally:  # a build that ends, however it ends, holds no folder any more
            with contextlib.suppress(OSError):
                manifest.release_claims()
            manifest.close()
    batch.outcomes = [outcomes[path] for path in paths] if keep else []
    return batch.outcomes


def _preload(options: BuildOptions) -> list[str]:
    """Return the modules the workers need for these formats, for the forkserver to import."""
    return ["pcndocs.output.build", *slow_modules(options.formats)]


def _may_use_workers(
    networks: int, options: BuildOptions, jobs: int, pool: WorkerPool | None
) -> bool:
    """Return whether this build will likely start workers (see _render_all)."""
    if networks == 0 or jobs <= 1 or pool is not None:  # nothing, one process, or warm already
        return False
    kinds = [k for k in DOCUMENTS if not options.documents or k.name in options.documents]
    return networks > 1 or len(kinds) > 1 or any(k.per_lead for k in kinds)


def build_pack(path: Path, options: BuildOptions, pool: WorkerPool | None = None) -> BuildResult:
    """Build one network's documents on every core (or on a server's warm pool); return them.

    Raises the user's error (a PcndocsError, with its one-line message) if the profile or a
    template is wrong. result.written lists the files, in document order.
    """
    (outcome,) = build_many([path], options, jobs=pool.jobs if pool else default_jobs(), pool=pool)
    return outcome.built()


def _up_to_date(entry: Any, out: Path) -> BuildResult:
    folder = out.resolve() / entry.folder
    return BuildResult(
        entry.network,
        folder,
        written=[folder / name for names in entry.outputs.values() for name in names],
        warnings=list(entry.warnings),
        up_to_date=True,
    )


def _claim(claimed: dict[str, Any], plan: Plan, manifest: Manifest) -> None:
    """Refuse a network whose folder another network has or will write: in this build, in
    the record of earlier builds, or in another build running now.

    Another network is one by another name, or by the same name with another PCN code
    (two networks can share a name; their codes tell them apart, as compare does).
    """
    here = str(plan.path.resolve())
    code = plan.loaded.profile.network.code or ""
    running = manifest.claim(plan.folder.name, here, plan.network, code)
    others = [claimed.get(plan.folder.name), *(_Claim(*fields) for fields in running)]
    for other in others:
        if other is None or other.profile == here:
            continue
        if other.network != plan.network:
            raise FolderClashError(
                plan.path, plan.network, plan.folder, other.profile, other.network
            )
        if code and other.code and code != other.code:
            raise FolderClashError(
                plan.path,
                f"{plan.network} ({code})",
                plan.folder,
                other.profile,
                f"{other.network} ({other.code})",
            )
    claimed[plan.folder.name] = _Claim(here, plan.network, code)


def _planned(
    needed: list[tuple[Path, str, list[str] | None]],
    options: BuildOptions,
    claimed: dict[str, Any],
    manifest: Manifest,
    failed: Callable[[Outcome], None],
) -> Iterator[tuple[Plan, list[FileTask]]]:
    """Plan each network as the workers are ready for it, not all at once."""
    for path, fingerprint, missing in needed:
        try:
            plan = plan_profile(path, options)
            _claim(claimed, plan, manifest)
        except PcndocsError as exc:
            failed(Outcome(path, None, str(exc), exception=exc))
            continue
        plan.fingerprint = fingerprint
        plan.profile_key = str(path.resolve())
        # still-to-agree.txt of a blank build lists every document's placeholders.
        partial = not options.force and not options.blank
        wanted = set(missing or ()) if partial else None
        yield plan, [t for t in plan.tasks if wanted is None or t.output in wanted]


def _status(
    path: Path, options: BuildOptions, manifest: Manifest, inputs: str
) -> tuple[str, list[str] | None, Outcome | None]:
    """Return a profile's fingerprint, the outputs it lacks, and its outcome if up to date."""
    fingerprint = profile_fingerprint(path, inputs) or ""
    entry = manifest.by_profile(path)
    missing = (
        entry.missing(options.out, options.wanted_outputs())
        if entry is not None and fingerprint and entry.fingerprint == fingerprint
        else options.wanted_outputs()
    )
    if (
        entry is not None
        and not missing
        and not options.force
        and profile_copy_intact(options.out / entry.folder, path)
    ):
        # Up to date, yet a build stopped here before may have left its temporaries.
        clean_stopped(options.out / entry.folder)
        return fingerprint, missing, Outcome(path, _up_to_date(entry, options.out))
    return fingerprint, missing, None


def _build_needed(
    paths: Sequence[Path],
    options: BuildOptions,
    jobs: int,
    pool: WorkerPool | None,
    manifest: Manifest,
    inputs: str,
    claimed: dict[str, Any],
    settled: Callable[[Outcome], None],
    finished: Callable[[_Network], None],
) -> None:
    """Settle the networks that are up to date, then plan and render the others."""
    needed: list[tuple[Path, str, list[str] | None]] = []
    for path in paths:
        fingerprint, missing, current = _status(path, options, manifest, inputs)
        if current is not None:
            settled(current)
        else:
            needed.append((path, fingerprint, missing))
    if _may_use_workers(len(needed), options, jobs, pool):
        start_early(_preload(options))  # the workers' imports, while this process plans
    planned = _planned(needed, options, claimed, manifest, settled)
    _render_all(planned, len(needed), options, jobs, pool, finished)


@dataclass(frozen=True)
class _Claim:
    profile: str
    network: str
    code: str


def _render_all(
    todo: Iterable[tuple[Plan, list[FileTask]]],
    count: int,
    options: BuildOptions,
    jobs: int,
    pool: WorkerPool | None,
    finished: Callable[[_Network], None],
) -> None:
    """Render every network's tasks, in this process or on workers; call finished for each.

    `todo` is read as the work goes (count says how many networks it holds at most), and a
    network is let go once written, so memory does not grow with the number of networks.
    """
    few = count < 3 * max(1, jobs)  # few networks: share out their documents instead
    networks: dict[int, _Network] = {}  # those still being rendered
    owners: dict[int, int] = {}  # task number: its network's number

    def calls() -> Iterator[tuple[Callable[..., Any], tuple[Any, ...]]]:
        tasks_so_far = 0
        for number, (plan, tasks) in enumerate(todo):
            pieces = _by_document(tasks) if few and jobs > 1 else [tasks] if tasks else []
            network = _Network(plan, len(pieces))
            if not pieces:
                finished(network)
                continue
            networks[number] = network
            for piece in pieces:
                owners[tasks_so_far] = number
                tasks_so_far += 1
                yield render_files, (plan.path, options, piece)

    def done(task: int, result: Any) -> None:
        number = owners.pop(task)
        network = networks[number]
        if isinstance(result, Failure):
            network.failure = network.failure or result
        else:
            network.rendered.files.update(result.files)
            network.rendered.placeholders.update(result.placeholders)
            network.rendered.warnings.extend(result.warnings)
        network.waiting -= 1
        if network.waiting == 0:
            del networks[number]  # written: let its bytes and its profile go
            finished(network)

    def needed(task: int) -> bool:
        # A network with a failed document writes nothing: its other documents need no work.
        return networks[owners[task]].failure is None

    _run(calls(), count, jobs, pool, done, needed)


Call = tuple[Callable[..., Any], tuple[Any, ...]]


def _run(
    work: Iterable[Call],
    count: int,
    jobs: int,
    pool: WorkerPool | None,
    done: Callable[[int, Any], None],
    needed: Callable[[int], bool],
) -> None:
    """Make the calls in this process, on the caller's pool or on a pool of `jobs` workers."""
    if jobs > 1 and count <= 1 and pool is None:
        work = list(work)  # one network: on workers only if it has several pieces
        if len(work) <= 1:
            jobs = 1
    run_tasks(work, done, jobs, pool, needed)


def _by_document(tasks: list[FileTask]) -> list[list[FileTask]]:
    """Return one piece per document, all its formats together (its text is made once)."""
    pieces: dict[str, list[FileTask]] = {}
    for task in tasks:
        pieces.setdefault(task.name, []).append(task)
    return list(pieces.values())  # the longest documents come first, as DOCUMENTS lists them


def _write(network: _Network, options: BuildOptions, manifest: Manifest) -> Outcome:
    """Write a network whose documents are all rendered; nothing at all if one failed."""
    path = network.plan.path
    failure = network.failure
    if failure is not None and failure.error is not None:
        return Outcome(path, None, str(failure.error), exception=failure.error)
    if failure is not None:
        return Outcome(path, None, failure.bug, bug=True)
    try:
        return Outcome(path, write_network(network.plan, network.rendered, options, manifest))
    except PcndocsError as exc:
        return Outcome(path, None, str(exc), exception=exc)


@contextmanager
def _stopping_cleanly() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exit that unwinds (so the record is written), and
    ignore further signals while it unwinds, so a second Ctrl-C cannot leave it half-done."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # already stopping
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        for each in _STOPPING:
            signal.signal(each, signal.SIG_IGN)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(signum)

    try:
        previous = {each: signal.signal(each, stop) for each in _STOPPING}
    except ValueError:  # not the main thread (a server's): its own handlers stay
        yield
        return
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


_STOPPING = (
    signal.SIGINT,
    signal.SIGTERM,
    *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()),
)


def build_profile(path: Path, options: BuildOptions) -> BuildResult:
    """Build every selected document of one profile in every selected format, here.

    A network whose inputs have not changed since its last build is not built again
    (its result says it is up to date) unless options.force is set.
    """
    (outcome,) = build_many([path], options, jobs=1)
    return outcome.built()
