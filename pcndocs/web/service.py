"""What the web interface asks of the core: checks, previews and builds of profile data.

Everything goes through the same loading, validation, checks and build code as the
command line, so a message is word for word what `pcndocs check` says. Builds of PDF and
DOCX run on warm worker processes (pcndocs.output.workers, as `build` uses): one pack is shared
out across them by document and format, identical requests waiting at the same time share
one build, and when the queue is full the answer is "busy" rather than another build.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pcndocs.errors import BusyError, PcndocsError, Problem, ProfileError
from pcndocs.files import slug
from pcndocs.output.build import (
    STILL_TO_AGREE,
    BuildOptions,
    BuildResult,
    Rendered,
    document_names,
    merged,
    network_name,
    render_documents,
    still_to_agree,
)
from pcndocs.output.workers import Failure, Task, WorkerPool, default_jobs, raise_failure
from pcndocs.profile.load import LoadedProfile, validate_profile
from pcndocs.profile.model import ClinicalDirector, Lead
from pcndocs.profile.yamlfile import MAX_FILE_BYTES, YamlDocument, decode_text, parse_yaml
from pcndocs.render.wording import wording_digest
from pcndocs.render.writers.registry import slow_modules
from pcndocs.rules.checks import warnings_for
from pcndocs.rules.facts import Facts, load_facts
from pcndocs.rules.funding import director_funding, leadership_costs

# The name messages give the profile when it came from the browser, not from a file.
PROFILE_NAME = "profile.yaml"
WARNINGS = "warnings.txt"  # in a pack: what `build` would have printed as warnings
# Builds (previews included) that may wait for a worker; beyond this the server answers "busy".
MAX_WAITING_BUILDS = 16
# The longest a build waits for its turn on the workers before the answer is "busy".
TURN_SECONDS = 30.0


@dataclass(frozen=True)
class Checked:
    """A profile's data with what `check` says about it, and a loaded profile if it builds.

    `loaded` is the validated profile, or, when the only errors are missing values, the
    profile of a blank build (its gaps are the errors).
    """

    data: Any
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    loaded: LoadedProfile | None = None
    # Items added in the form but not yet filled in at all ("lead 7"), left out of the draft.
    left_out: list[str] = field(default_factory=list)

    @property
    def only_missing(self) -> bool:
        """Return whether every error is a value still to fill in (a blank build can show it)."""
        return bool(self.errors) and self.loaded is not None


@dataclass(frozen=True)
class Figures:
    """The funded time and the costs, as the form shows them live."""

    population: int
    funded_wte: float
    funded_sessions: float
    agreed_sessions: float
    benchmark_only: bool  # from 2024/25 the funded time is a benchmark, not a payment
    director_pay: float | None  # None: still to be agreed
    leads: int
    leads_cost: float


def read_profile_text(raw: bytes, name: str = PROFILE_NAME) -> str:
    """Return the text of an uploaded profile, refused as the command line refuses a file."""
    if len(raw) > MAX_FILE_BYTES:
        raise PcndocsError(f"{name}: is over 1 MB; a profile is at most 1 MB")
    return decode_text(raw, name)


def parse_text(text: str, name: str = PROFILE_NAME) -> YamlDocument:
    """Return the parsed YAML of a profile's text, or raise ProfileError with its lines."""
    return parse_yaml(text, name)


def check_document(document: YamlDocument, facts: Facts, today: date) -> Checked:
    """Return every error and warning `pcndocs check` gives for a parsed profile."""
    known = facts.known_ids()
    try:
        loaded = validate_profile(document, known)
    except ProfileError as exc:
        # A draft, as `build --blank` takes it, if every error is a value still to fill in
        # (a missing key, or one another key's choice makes necessary): those are its gaps.
        try:
            blank = validate_profile(document, known, blank=True)
        except ProfileError:
            return Checked(document.data, errors=list(exc.problems))
        return Checked(document.data, list(exc.problems), loaded=blank)
    return Checked(document.data, warnings=warnings_for(loaded, facts, today), loaded=loaded)


def check_text(text: str, facts: Facts, today: date, name: str = PROFILE_NAME) -> Checked:
    """Return what `check` says about a profile's YAML text, syntax errors included."""
    try:
        document = parse_text(text, name)
    except ProfileError as exc:
        return Checked(None, errors=list(exc.problems))
    return check_document(document, facts, today)


def check_data(data: dict[str, Any], facts: Facts, today: date) -> Checked:
    """Return what `check` says about profile data from the form (it has no lines).

    A lead or director just added and not yet filled in is still to fill in, not an error
    that stops the draft: the draft is made without it, and `left_out` names it.
    """
    checked = check_document(YamlDocument(PROFILE_NAME, data), facts, today)
    if checked.loaded is not None or not checked.errors:
        return checked
    trimmed, left_out = _without_empty_items(data)
    if not left_out:
        return checked
    draft = check_document(YamlDocument(PROFILE_NAME, trimmed), facts, today)
    if draft.loaded is None:
        return checked
    return Checked(data, checked.errors, loaded=draft.loaded, left_out=left_out)


# The lists whose items the form adds empty: their model, and an item's name in messages.
_ITEMS: dict[str, tuple[type[BaseModel], str]] = {
    "leads": (Lead, "lead"),
    "clinical_directors": (ClinicalDirector, "clinical director"),
}


def _without_empty_items(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return the data without the leads and directors not filled in, and their names.

    An item is not filled in when it holds nothing but the model's defaults, which the form
    shows chosen in its drop-downs (a lead's practice is paid).
    """
    trimmed = dict(data)
    left_out = []
    for key, (model, word) in _ITEMS.items():
        items = data.get(key)
        if not isinstance(items, list):
            continue
        empty = [_only_defaults(item, model) for item in items]
        left_out += [f"{word} {i + 1}" for i, blank in enumerate(empty) if blank]
        kept = [item for item, blank in zip(items, empty, strict=True) if not blank]
        # Every director left out would be a profile without one: that stays as it is.
        trimmed[key] = kept if kept or key != "clinical_directors" else items
    return trimmed, left_out


def _only_defaults(item: Any, model: type[BaseModel]) -> bool:
    if item is None:
        return True
    if not isinstance(item, dict):
        return False
    fields = model.model_fields
    return all(k in fields and v == fields[k].get_default() for k, v in item.items())


def figures(loaded: LoadedProfile, facts: Facts) -> Figures:
    """Return the funded time and costs of a (possibly blank) profile."""
    funding = director_funding(loaded.profile, facts)
    costs = leadership_costs(loaded.profile)
    return Figures(
        population=loaded.profile.population,
        funded_wte=funding.funded_wte,
        funded_sessions=funding.funded_sessions_per_week,
        agreed_sessions=funding.agreed_sessions_per_week + funding.local_sessions_per_week,
        benchmark_only=not funding.payment_made,
        director_pay=funding.pay_per_year,
        leads=len(loaded.profile.leads),
        leads_cost=costs.total,
    )


def documents_of(loaded: LoadedProfile, facts: Facts) -> list[tuple[str, str]]:
    """Return (file name, title) of each document of a profile, in build order."""
    return document_names(loaded, BuildOptions(out=Path()), facts)


def render_loaded(
    loaded: LoadedProfile,
    formats: tuple[str, ...],
    names: Sequence[str],
    templates: Path | None,
    today: date,
    wording: Path | None = None,
) -> Rendered:
    """Return some documents of a profile validated already (by the request), in memory.

    As a build's worker returns them (build.Rendered): each file's bytes by its name
    (schedule-1.pdf), each document's placeholders, and the warnings (fetches refused).
    `wording` is the workspace's house wording file, applied as `build` applies it.
    """
    facts = load_facts()
    blank = bool(loaded.gaps)
    options = BuildOptions(
        out=Path(), formats=formats, templates=templates, wording=wording, blank=blank, today=today
    )
    rendered = Rendered()
    for name in names:
        result = BuildResult(network_name(loaded), Path())
        for file, fmt, data in render_documents(loaded, options, facts, result, {name}):
            rendered.files[f"{file}.{fmt}"] = data
        rendered.placeholders[name] = result.placeholders
        rendered.warnings += result.warnings
    return rendered


def _warm_up() -> None:
    """Load what every build needs, once per worker, so the first build is not slow."""
    for module in slow_modules():  # WeasyPrint and python-docx
        importlib.import_module(module)
    load_facts()


class StoppingError(BusyError):
    """The server has begun to stop (Ctrl-C): it starts no more builds."""

    def message(self) -> str:
        return "the server is stopping, so nothing more is built: start pcndocs serve again"


class BuildPool:
    """The server's warm worker processes (pcndocs.output.workers) and its limits on them.

    Every render of the server runs on the one WorkerPool here: builds, previews, redlines
    and "build several". The pool's scheduler shares the workers between them (a preview
    first); up to MAX_WAITING_BUILDS builds wait, each at most TURN_SECONDS with no worker,
    and then BusyError. A worker that dies fails only the build it was working for
    (WorkerDiedError), and another takes its place.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_jobs()
        self._pool = WorkerPool(self.workers)
        self._waiting = 0
        self._running: dict[str, asyncio.Future[Rendered]] = {}
        self._stopping = False

    @property
    def shared(self) -> WorkerPool:
        """Return the pool itself, for work that runs its own tasks on it ("build several")."""
        return self._pool

    def warm(self) -> None:
        """Start the workers and load what builds need in each, so the first click is quick.

        A server stopped while its workers warm up (Ctrl-C at once) kills them mid-way: that
        is the stop asked for, not an error to report.
        """
        try:
            self._run([(_warm_up, ())] * self.workers)
        except Exception:
            if not self._stopping:
                raise

    def shutdown(self) -> None:
        """Stop the workers, at once: the server is stopping."""
        self._stopping = True
        self._pool.kill()

    def refuse_if_stopping(self) -> None:
        """Raise StoppingError once the server has begun to stop: no new work starts workers
        that the stop would then have to find and kill."""
        if self._stopping:
            raise StoppingError()

    def _run(self, calls: list[Task], urgent: bool = False) -> list[Any]:
        """Return each call's result, run across the workers; raise a worker's error here.

        Once one call has failed, the others not yet started are not run.
        """
        self.refuse_if_stopping()
        results: list[Any] = [None] * len(calls)
        failed: list[Failure] = []

        def place(number: int, result: Any) -> None:
            results[number] = result
            if isinstance(result, Failure):
                failed.append(result)

        self._pool.run(calls, place, lambda _n: not failed, urgent, TURN_SECONDS)
        for failure in failed[:1]:
            raise_failure(failure)
        return results

    def render(self, task: Task) -> Any:
        """Return one task's result, rendered on a worker in its turn (a redline, say).

        Called from a thread, not the event loop; raises BusyError or the task's own error.
        """
        return self._run([task])[0]

    async def build(
        self,
        loaded: LoadedProfile,
        formats: tuple[str, ...],
        names: Sequence[str],
        templates: Path | None,
        today: date,
        wording: Path | None = None,
    ) -> Rendered:
        """Return the documents named, built across the workers, in the order named.

        An identical request already being built shares that build; more than
        MAX_WAITING_BUILDS different ones waiting raise BusyError.
        """
        key = hashlib.sha256(
            repr(
                (
                    loaded.source.data,
                    formats,
                    tuple(names),
                    bool(loaded.gaps),
                    templates,
                    today,
                    wording,
                    wording_digest(wording),  # a wording saved since is another build
                )
            ).encode()
        ).hexdigest()
        running = self._running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        if self._waiting >= MAX_WAITING_BUILDS:
            raise BusyError()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Rendered] = loop.create_future()
        self._running[key] = future
        self._waiting += 1
        try:
            # One task per document, in every format: its template is rendered once, and the
            # profile the request validated is sent as it is, not validated again.
            calls = [
                (render_loaded, (loaded, tuple(formats), (name,), templates, today, wording))
                for name in names  # in build order: the longest documents first
            ]
            # HTML alone (a preview) is quick and someone is watching for it: it goes first.
            urgent = formats == ("html",)
            done: list[Rendered] = await asyncio.to_thread(self._run, calls, urgent)
            built = merged(done, [f"{n}.{f}" for n in names for f in formats])
            future.set_result(built)
            return built
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # read, so an unawaited failure is not reported twice
            raise
        finally:
            self._waiting -= 1
            del self._running[key]

    async def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Return one call's result, run on a worker as a preview is: first in the queue.

        The wording editor's preview runs so, with the workers' limits; BusyError as a build.
        """
        if self._waiting >= MAX_WAITING_BUILDS:
            raise BusyError()
        self._waiting += 1
        try:
            (result,) = await asyncio.to_thread(self._run, [(function, args)], True)
        finally:
            self._waiting -= 1
        return result


def pack_zip(
    loaded: LoadedProfile, built: Rendered, blank: bool = False, house: Sequence[str] = ()
) -> bytes:
    """Return a ZIP of built documents in a folder named after the network.

    A blank build (asked for, or of a profile with values missing) adds still-to-agree.txt:
    the values still missing, the placeholders in each document, and the defaults assumed.
    What the build warned of (a fetch the stylesheet asked for, refused) is in warnings.txt,
    as `build` prints it.
    """
    network = network_name(loaded)
    folder = slug(loaded.profile.network.name or "network")
    when = datetime.now().timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in built.files.items():
            archive.writestr(_entry(f"{folder}/{name}", when), data)
        if blank or loaded.gaps:
            gaps = [gap for found in built.placeholders.values() for gap in found]
            text = still_to_agree(network, loaded, gaps, house)
            archive.writestr(_entry(f"{folder}/{STILL_TO_AGREE}", when), text)
        if built.warnings:
            text = "".join(f"warning: {w}\n" for w in built.warnings)
            archive.writestr(_entry(f"{folder}/{WARNINGS}", when), text)
    return buffer.getvalue()


def _entry(name: str, when: tuple[int, ...]) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, when)  # type: ignore[arg-type]
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def profile_yaml(
    data: dict[str, Any],
    facts: Facts,
    name: str,
    today: date,
    own_header: Sequence[str] = (),
    notes: dict[str, str] | None = None,
) -> str:
    """Return profile data as YAML text that `pcndocs check` and this form read back, with
    the author's own first lines and comments by key path (web/comments.py), if any."""
    from pcndocs.profile.write import profile_yaml as commented_yaml

    header = [
        f"A network profile for pcndocs, saved from `pcndocs serve` on {today.isoformat()}.",
        f"Open it again in the browser, or: pcndocs check {name}",
        *own_header,
    ]
    return commented_yaml(data, header, notes=notes)
