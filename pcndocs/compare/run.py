"""Compares two versions of a network's profile: writes a redline of each document that changed.

Both profiles go through the same rooms as a build (load, context, templating, document);
the diff makes one tree per document with its changes marked, and the ordinary writers
render it: DOCX with Word tracked changes, HTML with <ins> and <del>, PDF from that HTML.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from pcndocs.compare.diff import diff_documents
from pcndocs.compare.summary import what_changed
from pcndocs.errors import PcndocsError, Problem
from pcndocs.files import inside, make_folder, read_regular, refuse_link, slug, write_atomically
from pcndocs.output.build import (
    BUILT_FROM,
    BuildOptions,
    DocumentOptions,
    DocumentTree,
    Rendered,
    document_date,
    document_trees,
    load,
    merged,
    network_name,
    refused_warnings,
    render_file,
    stylesheet_for,
    templates_for,
)
from pcndocs.output.manifest import MANIFEST_LIMIT, SAFE_NAME, Manifest, inputs_fingerprint
from pcndocs.output.ownership import Kept, beside_names, is_ours, place
from pcndocs.output.workers import Task, WorkerPool, raise_failure, run_tasks, start_early
from pcndocs.profile.load import LoadedProfile, validate_draft
from pcndocs.profile.yamlfile import parse_yaml, read_text
from pcndocs.render.document import Document, PageInfo, parse_markdown
from pcndocs.render.templating import Templates
from pcndocs.render.writers.registry import WRITERS, slow_modules
from pcndocs.rules.facts import Facts, load_facts

SUMMARY_NAME = "changes.txt"
# What compare wrote in a network's folder, by file name: the checksums of what it put there,
# so a -changes file a user has since edited is never removed or replaced.
WRITTEN_RECORD = Path(".pcndocs") / "changes.json"
CHECKSUMS_KEPT = 8  # per file: enough to know our own files across a few runs


@dataclass(frozen=True)
class CompareOptions(DocumentOptions):
    """What to compare and where to write: the CLI's options."""

    author: str = "pcndocs"
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class ChangedDocument:
    """One document that changed: its file name, its tree with the changes marked, details."""

    name: str
    title: str  # the document's own title, as the new version has it
    document: Document
    info: PageInfo

    def file_name(self, fmt: str) -> str:
        """Return the name of its redline in a format: NAME-changes.FORMAT."""
        return f"{self.name}-changes.{fmt}"


@dataclass
class Comparison:
    """What changed between two versions of a network's profile, worked out in memory."""

    network: str
    summary: list[str]  # what changed in the profile, in plain words
    changed: list[ChangedDocument]
    unchanged: list[str]  # file names of the documents that did not change
    user_templates: Path | None  # the user's template folder, if any (as options.templates)
    preface: str  # the key to the marks, put before the HTML and PDF
    author: str

    def render(self, changed: ChangedDocument, fmt: str) -> Rendered:
        """Return the redline of a changed document in one format, in this process."""
        function, arguments = self.task(changed, fmt)
        rendered: Rendered = function(*arguments)
        return rendered

    def task(self, changed: ChangedDocument, fmt: str) -> Task:
        """Return the redline's render as a task a worker can run (pcndocs.output.workers)."""
        return render_redline, (
            changed.file_name(fmt),
            fmt,
            changed.document,
            changed.info,
            self.user_templates,
            self.preface,
            self.author,
        )


def render_redline(
    name: str,
    fmt: str,
    document: Document,
    info: PageInfo,
    user_templates: Path | None,
    preface: str,
    author: str,
) -> Rendered:
    """Return a redline in one format (here, or in a worker process), as a build's worker
    returns documents: its bytes under its file name, and the fetches refused as warnings."""
    templates = templates_for(user_templates)
    data, refused = render_file(
        fmt, document, info, templates, stylesheet_for(templates), preface, author
    )
    return Rendered({name: data}, warnings=refused_warnings(refused))


@dataclass
class CompareResult:
    """What changed between two versions of a network's profile, and the files written."""

    network: str
    folder: Path
    summary: list[str]
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)  # user's files left, new ones beside
    removed: list[Path] = field(default_factory=list)  # redlines of documents now unchanged
    kept_stale: list[Path] = field(default_factory=list)  # such redlines a user had edited
    warnings: list[Problem] = field(default_factory=list)  # fetches the stylesheet was refused


class NoBuildError(PcndocsError):
    """The network has not been built into the output folder: there is nothing to compare."""


def last_build(out: Path, profile: Path) -> Path:
    """Return the profile kept by the last build of this profile's network into out."""
    return built_from(out, load(profile), profile)


def built_from(out: Path, loaded: LoadedProfile, named: Path | str) -> Path:
    """Return the profile kept by the last build of a loaded profile's network into out.

    `named` is what a message calls the profile: its file, or the form it came from.
    """
    folder = slug(loaded.profile.network.name or Path(named).stem)
    kept = out / folder / BUILT_FROM
    if not kept.is_file():
        raise NoBuildError(
            f"{named}: no earlier build of {network_name(loaded)} in {out} "
            f"(looked for {kept}); build it first with `pcndocs build`"
        )
    return kept


def load_older(path: Path, facts: Facts) -> LoadedProfile:
    """Return the older version of a profile, which may be a draft built with --blank."""
    return validate_draft(parse_yaml(read_text(path), str(path)), facts.known_ids())


def compare_profiles(
    old_path: Path,
    new_path: Path,
    options: CompareOptions,
    old_label: str | None = None,
    jobs: int = 1,
    pool: WorkerPool | None = None,
) -> CompareResult:
    """Write a redline of each document that changed from the old profile to the new.

    A redline left by an earlier run for a document that has not changed now is removed
    if it is as pcndocs wrote it, and kept (and said) if someone has edited it. `old_label`
    names the older version in the summary and the redlines (an agreed version, say). The
    redlines are rendered on `jobs` worker processes (or the caller's pool), as `build`
    renders documents; the files are the same whatever the number.
    """
    if old_path.resolve() == new_path.resolve():
        raise PcndocsError(
            f"{old_path} is given twice: compare two versions of a profile, the older first"
        )
    facts = load_facts()
    old, new = load_older(old_path, facts), load(new_path, facts)
    labels = (old_label, new_path.name) if old_label else None
    comparison = compare_loaded(old, new, facts, options, labels)
    folder = inside(options.out, slug(new.profile.network.name or new_path.stem))
    _refuse_another_networks_folder(folder, new, new_path)
    result = CompareResult(comparison.network, folder, comparison.summary)
    result.changed = [c.name for c in comparison.changed]
    result.unchanged = list(comparison.unchanged)
    rendered = _render_all(comparison, options.formats, jobs, pool)
    result.warnings = rendered.warnings
    files = rendered.files
    files[SUMMARY_NAME] = summary_text(result, old_label or old_path, new_path).encode("utf-8")
    documents = {c.name for c in comparison.changed} | set(comparison.unchanged)
    stale = [
        name
        for document in comparison.unchanged
        for fmt in WRITERS
        for name in (f"{document}-changes.{fmt}", *beside_names(f"{document}-changes.{fmt}"))
        if name.split(".", 1)[0] not in documents  # a lead named "... Changes": a document
    ]
    _put_in_place(folder, files, stale, result)
    return result


def _render_all(
    comparison: Comparison, formats: tuple[str, ...], jobs: int, pool: WorkerPool | None
) -> Rendered:
    """Return every redline, in document order, rendered on the workers, and their warnings."""
    tasks = [comparison.task(changed, fmt) for changed in comparison.changed for fmt in formats]
    shares: list[Rendered] = [Rendered()] * len(tasks)

    def done(number: int, result: Any) -> None:
        raise_failure(result)
        shares[number] = result

    if jobs > 1 and len(tasks) > 1 and pool is None:
        start_early(_preload(formats))  # the workers' imports, while the first tasks are sent
    run_tasks(tasks, done, min(jobs, len(tasks)), pool)
    return merged(shares)


def _preload(formats: tuple[str, ...]) -> list[str]:
    """Return the modules the workers need for these formats, for the forkserver to import."""
    return ["pcndocs.compare.run", *slow_modules(formats)]


class TreeCache:
    """The document trees of the older versions compared lately, by their fingerprint.

    An agreed version does not change, so its trees are made once and diffed again and
    again: the diff never marks the older tree (it marks copies of the blocks deleted).
    """

    def __init__(self, kept: int = 8) -> None:
        self._trees: LRUCache[str, list[tuple[tuple[str, ...], DocumentTree]]] = LRUCache(kept)
        self._lock = threading.Lock()

    def versions(
        self, loaded: LoadedProfile, options: BuildOptions, facts: Facts, templates: Templates
    ) -> list[tuple[tuple[str, ...], DocumentTree]]:
        """Return the keyed trees of a profile's documents, made once."""
        key = hashlib.sha256(
            repr(
                (
                    loaded.source.data,
                    options.documents,
                    inputs_fingerprint(
                        options.templates, options.blank, options.today, options.wording
                    ),
                )
            ).encode()
        ).hexdigest()
        with self._lock:
            found = self._trees.get(key)
        if found is None:  # made outside the lock: another comparison need not wait for it
            found = list(_versions(loaded, options, facts, templates))
            with self._lock:
                self._trees[key] = found
        return found


def compare_loaded(
    old: LoadedProfile,
    new: LoadedProfile,
    facts: Facts,
    options: CompareOptions,
    labels: tuple[str, str] | None = None,
    cache: TreeCache | None = None,
) -> Comparison:
    """Return what changed between two loaded versions of a profile, writing nothing.

    `labels` name the two versions in the key to the marks (by default their file names);
    `cache` keeps the older version's trees between calls (an agreed version's, say).
    """
    _same_network(old, new)
    templates = templates_for(options.templates)
    build_options = BuildOptions(
        out=options.out,
        documents=options.documents,
        templates=options.templates,
        wording=options.wording,  # both versions get the same house wording
    )
    # A version with values missing (a draft built with --blank) shows its placeholders.
    old_options = replace(build_options, blank=bool(old.gaps))
    olds = dict(
        cache.versions(old, old_options, facts, templates)
        if cache is not None
        else _versions(old, old_options, facts, templates)
    )
    # A document whose Markdown is the older version's is that version's tree, not parsed
    # again: the diff sees at once that nothing changed.
    known = {tree.text: tree.document for tree in olds.values() if tree.text}
    new_options = replace(build_options, blank=bool(new.gaps))
    news = dict(_versions(new, new_options, facts, templates, known))
    for key, tree in news.items():
        before = olds.get(key)
        taken = known.get(tree.text) is tree.document  # the older version's own tree
        if taken and (before is None or before.document is not tree.document):
            # The same text as another document of the older version: a tree of its own, since
            # the diff marks the newer tree and the older one must stay as it is.
            news[key] = replace(tree, document=parse_markdown(tree.text, tree.kind.template))
    when = document_date(new, facts)
    stylesheet_for(templates)  # a user's stylesheet that cannot be used is said before any redline
    comparison = Comparison(
        network_name(new),
        what_changed(old.profile, new.profile, facts),
        [],
        [],
        options.templates,
        _preface(old, new, labels),
        options.author,
    )
    for key in [*news, *(k for k in olds if k not in news)]:
        before, after = olds.get(key), news.get(key)
        shown = after or before
        assert shown is not None
        marked = diff_documents(
            before.document if before else None, after.document if after else None
        )
        if marked is None:
            comparison.unchanged.append(shown.name)
            continue
        info = _changes_info(shown.info, when)
        comparison.changed.append(ChangedDocument(shown.name, shown.info.title, marked, info))
    return comparison


def summary_text(result: CompareResult, old_path: Path | str, new_path: Path | str) -> str:
    """Return the plain-language summary: what changed, then which documents it changed."""
    lines = [f"What changed in {result.network}", f"from {old_path}", f"to   {new_path}", ""]
    lines += [f"- {line}" for line in result.summary] or ["Nothing in the profile changed."]
    lines.append("")
    if result.changed:
        lines.append(f"Documents that changed ({len(result.changed)}), each shown as -changes:")
        lines += [f"- {name}" for name in result.changed]
    else:
        lines.append("No document changed.")
    if result.unchanged:
        lines.append(f"Documents that did not change ({len(result.unchanged)}):")
        lines += [f"- {name}" for name in result.unchanged]
    return "\n".join(lines) + "\n"


def _put_in_place(
    folder: Path, files: dict[str, bytes], stale: list[str], result: CompareResult
) -> None:
    """Write the files, and remove stale redlines, never losing a file a user has edited.

    A file is ours if its checksum is one compare recorded writing under that name; any
    other file is kept and ours goes beside it (`ownership.place`). The record is saved
    before the files are written, so a run stopped half-way still knows them.
    """
    import hashlib

    make_folder(folder)
    record = _read_record(folder)

    def known(name: str) -> list[str]:
        return record.get(name, [])

    targets: dict[str, Path] = {}
    for name, data in files.items():
        checksum = hashlib.sha256(data).hexdigest()
        placed = place(folder, name, checksum, known)
        if placed.kept is not None:
            result.kept.append(Kept(folder / name, folder / placed.name, placed.recorded))
        ours = record.setdefault(placed.name, [])
        record[placed.name] = [*[c for c in ours if c != checksum], checksum][-CHECKSUMS_KEPT:]
        targets[name] = folder / placed.name
    _write_record(folder, record)
    for name, data in files.items():
        result.written.append(write_atomically(targets[name], data))
    for name in stale:
        target = folder / name
        if name not in record or not (target.exists() or target.is_symlink()):
            continue  # only a redline compare wrote, never a file it has no record of
        if is_ours(folder, name, known):
            target.unlink()
            result.removed.append(target)
        else:
            result.kept_stale.append(target)


def _read_record(folder: Path) -> dict[str, list[str]]:
    refuse_link(folder / WRITTEN_RECORD.parent)
    raw = read_regular(folder / WRITTEN_RECORD, MANIFEST_LIMIT)
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # damaged: a fresh record, and the user's files kept
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        name: [c for c in sums if isinstance(c, str)]
        for name, sums in data.items()
        if isinstance(sums, list) and SAFE_NAME.match(name)
    }


def _write_record(folder: Path, record: dict[str, list[str]]) -> None:
    make_folder((folder / WRITTEN_RECORD).parent)
    text = json.dumps(dict(sorted(record.items())), indent=1) + "\n"
    write_atomically(folder / WRITTEN_RECORD, text.encode("utf-8"))


def _refuse_another_networks_folder(folder: Path, new: LoadedProfile, named: Path) -> None:
    """Refuse to write into a folder a build made for a network of the same name, other code."""
    entry = Manifest(folder.parent).entries.get(folder.name)
    code = new.profile.network.code or ""
    if entry is not None and entry.code and code and entry.code != code:
        raise PcndocsError(
            f"{named}: the network {network_name(new)!r} ({code}) would be compared into "
            f"{folder}, the folder of {entry.network!r} ({entry.code}) built from "
            f"{entry.profile}; networks of the same name need different names to share "
            "an output folder"
        )


def _same_network(old: LoadedProfile, new: LoadedProfile) -> None:
    """Refuse two profiles of different networks: by PCN code if both have one, else by name."""
    a, b = old.profile.network, new.profile.network
    same = a.code == b.code if a.code and b.code else a.name == b.name
    if not same:
        raise PcndocsError(
            f"{new.source.path} describes another network than {old.source.path} "
            f"({_label(b.name, b.code)}, not {_label(a.name, a.code)}); "
            "compare two versions of the same network"
        )


def _label(name: str | None, code: str | None) -> str:
    return f"{name or 'no name'}{f' {code}' if code else ''}"


def _versions(
    loaded: LoadedProfile,
    options: BuildOptions,
    facts: Facts,
    templates: Templates,
    known: Mapping[str, Document] | None = None,
) -> Iterator[tuple[tuple[str, ...], DocumentTree]]:
    """Yield each document of a profile under a key that pairs it with the other version's.

    A lead's documents pair by workstream, so a new lead on the same workstream shows as
    changes to the same document rather than one removed and one added.
    """
    seen: dict[tuple[str, ...], int] = {}
    for tree in document_trees(loaded, options, facts, templates, known=known):
        key: tuple[str, ...] = (tree.kind.name,)
        if tree.lead is not None:
            key = (tree.kind.name, tree.lead.workstream.id)
            seen[key] = seen.get(key, 0) + 1
            key = (*key, str(seen[key]))
        yield key, tree


def _changes_info(info: PageInfo, created: datetime) -> PageInfo:
    return PageInfo(
        title=f"Changes: {info.title}",
        network=info.network,
        subject=f"What changed in: {info.subject}",
        author=info.author,
        keywords=f"{info.keywords}, changes",
        created=created,
        language=info.language,
    )


def _preface(old: LoadedProfile, new: LoadedProfile, labels: tuple[str, str] | None) -> str:
    """Return the key to the marks, naming both versions, for the HTML and the PDF.

    The versions are named by their version numbers if these differ, else by `labels`,
    else by their files' names.
    """
    before, after = old.profile.document_control, new.profile.document_control
    if before.version != after.version:
        versions = f"version {escape(before.version)} to version {escape(after.version)}"
    else:
        first, second = labels or (Path(old.source.path).name, Path(new.source.path).name)
        versions = f"{escape(first)} to {escape(second)}"
    return (
        '<aside class="changes-key" aria-label="How changes are shown">\n'
        f"<p><strong>What changed</strong> from {versions}. "
        "Words added are <ins>underlined</ins>; words removed are <del>struck through</del>. "
        "Clause numbers are those of the new version; a removed clause shows a dash.</p>\n"
        "</aside>\n"
    )
