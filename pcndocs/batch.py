"""Builds many profiles, in parallel processes, so one network's failure stops no other."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from pcndocs.build import BuildOptions, BuildResult, build_profile
from pcndocs.errors import InputFileError, PcndocsError

PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Outcome:
    """What became of one profile: its result, or the one-line reason it failed."""

    path: Path
    result: BuildResult | None
    error: str | None = None
    bug: bool = False  # the failure was pcndocs' fault, not the profile's
    exception: PcndocsError | None = None  # the user's error itself, to re-raise for one profile


def expand_profiles(paths: Sequence[Path]) -> list[Path]:
    """Return the profile files named, with each folder replaced by the profiles inside it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix in PROFILE_SUFFIXES and p.is_file() and not p.name.startswith(".")
            )
            if not inside:
                raise InputFileError(path, "is a folder with no .yaml profiles in it")
            found.extend(inside)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def build_one(path: Path, options: BuildOptions) -> Outcome:
    """Build one profile and return its outcome; never raises for a profile's fault."""
    try:
        return Outcome(path, build_profile(path, options))
    except PcndocsError as exc:
        return Outcome(path, None, str(exc), exception=exc)
    except Exception:
        return Outcome(path, None, traceback.format_exc().rstrip(), bug=True)


def _build_chunk(paths: Sequence[Path], options: BuildOptions) -> list[Outcome]:
    return [build_one(path, options) for path in paths]


def _chunks(paths: Sequence[Path], jobs: int) -> Iterator[list[Path]]:
    """Split the work so each worker takes many networks at a time, yet all finish together."""
    size = max(1, min(25, len(paths) // (jobs * 4)))
    for start in range(0, len(paths), size):
        yield list(paths[start : start + size])


def default_jobs() -> int:
    """Return the number of worker processes to use by default: the machine's cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_many(
    paths: Sequence[Path],
    options: BuildOptions,
    jobs: int,
    progress: Callable[[list[Outcome]], None] = lambda _done: None,
) -> list[Outcome]:
    """Build every profile, in `jobs` processes; call progress after each batch finishes."""
    if jobs <= 1 or len(paths) <= 1:
        outcomes = []
        for path in paths:
            outcome = build_one(path, options)
            outcomes.append(outcome)
            progress([outcome])
        return outcomes
    # forkserver: workers start from a clean process rather than a copy of this one.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    by_path: dict[Path, Outcome] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context) as pool:
        futures: list[Future[list[Outcome]]] = [
            pool.submit(_build_chunk, chunk, options) for chunk in _chunks(paths, jobs)
        ]
        for future in as_completed(futures):
            done = future.result()
            by_path.update((outcome.path, outcome) for outcome in done)
            progress(done)
    return [by_path[path] for path in paths]
