"""Builds one network's documents: profile, then Markdown, a tree, and DOCX, PDF or HTML files.

`plan_profile` loads and checks the profile and lists the files to make; `render_files` renders
a share of them (on a worker, or in this process); `write_network`, in the main process only,
puts them in the network's folder (beside, never over, a file someone edited), with
still-to-agree.txt of a blank build, the copy of the profile `compare --since-last-build`
reads, and the manifest's record. output/batch.py drives these for one or many profiles;
compare and the web render through the same functions and write their own files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache, partial
from pathlib import Path

from pcndocs.errors import InputFileError, Problem, RenderLimitError
from pcndocs.files import (
    clean_temporaries,
    inside,
    make_folder,
    read_regular,
    refuse_link,
    slug,
    write_atomically,
)
from pcndocs.output.manifest import Entry, Manifest, profile_bytes
from pcndocs.output.ownership import Kept, place
from pcndocs.profile.load import LoadedProfile, load_profile
from pcndocs.render.context import (
    BLANK_LEAD,
    NetworkContext,
    lead_documents,
    network_context,
    render_context,
)
from pcndocs.render.document import (
    Document,
    PageInfo,
    clause_prefix,
    parse_markdown,
)
from pcndocs.render.documents import DOCUMENTS, DocumentKind
from pcndocs.render.gaps import Gap, document_lines, missing_line, placeholders, proposal_line
from pcndocs.render.stylesheet import check_stylesheet
from pcndocs.render.templating import Templates
from pcndocs.render.wording import (
    apply_wording,
    field_values,
    unstated_values,
    wording_for,
    wording_notes,
)
from pcndocs.render.writers.html import include_builtin
from pcndocs.render.writers.registry import Page, default_formats, writer_for
from pcndocs.resources import builtin_templates
from pcndocs.rules.checks import assumed_values, warnings_for
from pcndocs.rules.facts import Facts, load_facts
from pcndocs.rules.funding import contract_year
from pcndocs.rules.leads import LeadView, lead_views
from pcndocs.rules.olddata import old_data_notes

log = logging.getLogger(__name__)

STYLESHEET = "pdf.css"
REFERENCE_DOCX = "reference.docx"
LOGO_NAMES = ("logo.png", "logo.jpg", "logo.jpeg")


@dataclass(frozen=True)
class DocumentOptions:
    """What build and compare share: where to write, the formats, documents and templates."""

    out: Path
    formats: tuple[str, ...] = field(default_factory=default_formats)
    documents: tuple[str, ...] = ()  # empty: every document
    templates: Path | None = None
    wording: Path | None = None  # a house wording file (pcndocs/render/wording.py)
    # The wording file's text as the browser's editor has it, unsaved: read instead of the file.
    wording_text: str | None = None


@dataclass(frozen=True)
class BuildOptions(DocumentOptions):
    """What to build and where: the CLI's options."""

    blank: bool = False  # missing values become placeholders instead of errors
    today: date = field(default_factory=date.today)
    force: bool = False  # rebuild networks the manifest says are up to date
    overwrite_edited: bool = False  # replace documents edited since pcndocs wrote them

    def wanted_outputs(self) -> list[str]:
        """Return each wanted document kind and format, as the manifest names them."""
        kinds = [k.name for k in DOCUMENTS if not self.documents or k.name in self.documents]
        return [f"{kind}.{fmt}" for kind in kinds for fmt in self.formats]


@dataclass
class BuildResult:
    """What one profile's build wrote and warned about."""

    network: str
    folder: Path
    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    gaps: list[Problem] = field(default_factory=list)
    placeholders: list[Gap] = field(default_factory=list)  # in the documents, in order
    kept: list[Kept] = field(default_factory=list)  # user's files left, new ones beside
    up_to_date: bool = False  # nothing had changed: nothing was built


@dataclass(frozen=True)
class FileTask:
    """One document in one format: what a worker renders."""

    kind: str
    name: str  # the file name without its format
    fmt: str

    @property
    def file(self) -> str:
        """Return the file's name."""
        return f"{self.name}.{self.fmt}"

    @property
    def output(self) -> str:
        """Return the kind and format, as the manifest names them."""
        return f"{self.kind}.{self.fmt}"


@dataclass
class Plan:
    """One network's build worked out before anything is rendered: where, and what."""

    path: Path
    loaded: LoadedProfile
    network: str
    folder: Path
    tasks: list[FileTask]
    warnings: list[Problem]
    fingerprint: str = ""  # of every input, as the manifest records it
    profile_key: str = ""  # the profile's full path, as the manifest records it


@dataclass
class Rendered:
    """What a worker sends back: each file's bytes, the placeholders, the warnings."""

    files: dict[str, bytes] = field(default_factory=dict)
    placeholders: dict[str, list[Gap]] = field(default_factory=dict)  # by document name
    warnings: list[Problem] = field(default_factory=list)


def merged(shares: Sequence[Rendered], order: Sequence[str] | None = None) -> Rendered:
    """Return the workers' shares of one piece of work as one result.

    The files go in the order named (by default, the shares'); a refused fetch said by
    several documents (one stylesheet) is said once.
    """
    files = {name: data for share in shares for name, data in share.files.items()}
    placeholders = {k: v for share in shares for k, v in share.placeholders.items()}
    return Rendered(
        files if order is None else {name: files[name] for name in order if name in files},
        placeholders,
        list(dict.fromkeys(w for share in shares for w in share.warnings)),
    )


def load(path: Path, facts: Facts | None = None, blank: bool = False) -> LoadedProfile:
    """Return a validated profile, checked against the national facts."""
    facts = facts or load_facts()
    return load_profile(path, facts.known_ids(), blank)


def plan_profile(path: Path, options: BuildOptions) -> Plan:
    """Load a profile and work out its folder and the files to write, rendering nothing."""
    loaded, facts, shared = _prepare(path, options)
    network = network_name(loaded)
    folder = inside(options.out, slug(loaded.profile.network.name or path.stem))
    tasks = [
        FileTask(kind.name, name, fmt)
        for kind, _, name in _instances(options, lead_documents(shared))
        for fmt in options.formats
    ]
    warnings = warnings_for(loaded, facts, options.today) + house_warnings(loaded, options)
    return Plan(path, loaded, network, folder, tasks, warnings)


def render_files(path: Path, options: BuildOptions, tasks: Sequence[FileTask]) -> Rendered:
    """Render the given documents of one profile; write nothing. Runs in a worker."""
    loaded, facts, shared = _prepare(path, options)
    formats: dict[str, list[str]] = {}  # each document's formats, in the order given
    for task in tasks:
        formats.setdefault(task.name, []).append(task.fmt)
    rendered = Rendered()
    for name, wanted in formats.items():
        result = BuildResult(network_name(loaded), Path())
        these = replace(options, formats=tuple(wanted))
        for file, fmt, data in render_documents(loaded, these, facts, result, {name}, shared):
            rendered.files[f"{file}.{fmt}"] = data
        rendered.placeholders[name] = result.placeholders
        rendered.warnings += result.warnings
    return rendered


_prepared: dict[tuple[Path, bytes, BuildOptions], tuple[LoadedProfile, Facts, NetworkContext]] = {}


def _prepare(path: Path, options: BuildOptions) -> tuple[LoadedProfile, Facts, NetworkContext]:
    """Return a profile, the facts and the network's context, worked out once per process.

    A worker given several documents of one network in turn loads its profile only once.
    """
    data = profile_bytes(path)  # None: load() says plainly why it cannot be read
    stamp = b"" if data is None else hashlib.sha256(data).digest()
    key = (path, stamp, options)
    if key not in _prepared:
        facts = load_facts()
        loaded = load(path, facts, options.blank)
        shared = network_context(loaded.profile, facts, options.blank)
        _prepared.clear()  # one network at a time: keep memory flat
        _prepared[key] = (loaded, facts, shared)
    return _prepared[key]


def render_documents(
    loaded: LoadedProfile,
    options: BuildOptions,
    facts: Facts,
    result: BuildResult,
    only: Container[str] | None = None,
    shared: NetworkContext | None = None,
) -> Iterator[tuple[str, str, bytes]]:
    """Yield (file name, format, bytes) of each selected document, in memory.

    `only` keeps the documents whose file names it holds (a share of the work of one pack);
    refused fetches are added to result.warnings. `shared` is the network's context, if
    already worked out.
    """
    templates = templates_for(options.templates)
    css = stylesheet_for(templates)
    _check_brand(templates, options.formats)
    for tree in document_trees(loaded, options, facts, templates, shared, only):
        # still-to-agree.txt names a document as a reader does: "Schedule 1", and the blank
        # lead's documents by their kind, since their titles are still placeholders.
        short = tree.kind.short or (tree.kind.title if tree.lead is BLANK_LEAD else "")
        result.placeholders += placeholders(tree.document, short)
        for fmt in options.formats:
            try:
                data = _render(fmt, tree.document, tree.info, templates, css, result)
            except RenderLimitError as exc:  # say which document: schedule-1: the PDF would ...
                raise RenderLimitError(exc.reason, tree.name) from None
            yield tree.name, fmt, data


@dataclass(frozen=True)
class DocumentTree:
    """One document of a profile, parsed: its kind, its lead if any, file name, tree, details."""

    kind: DocumentKind
    lead: LeadView | None
    name: str  # the file name without its format
    document: Document
    info: PageInfo
    text: str = ""  # the Markdown the tree was parsed from


def document_trees(
    loaded: LoadedProfile,
    options: BuildOptions,
    facts: Facts,
    templates: Templates,
    shared: NetworkContext | None = None,
    only: Container[str] | None = None,
    known: Mapping[str, Document] | None = None,
) -> Iterator[DocumentTree]:
    """Yield the parsed tree of each selected document of a profile, in build order.

    `only` keeps the documents whose file names it holds; `shared` is the network's
    context, if already worked out. `known` holds trees already parsed, by their Markdown:
    a document whose text is there is not parsed again. `pcndocs compare` diffs these trees.
    """
    when = document_date(loaded, facts)
    # A workspace's wording.yaml counts once it exists (`serve` names it before the editor
    # makes it); the command line has checked a file it was given before building. The
    # browser's editor gives the text of its draft instead (wording_text).
    given = options.wording
    draft = options.wording_text
    wording = (
        wording_for(given, templates, draft)
        if given and (draft is not None or given.exists())
        else None
    )
    for source in document_sources(loaded, options, facts, templates, shared, only):
        entries = wording.for_prefix(clause_prefix(source.kind.template)) if wording else {}
        # A tree with house wording depends on the fields too, not on the text alone.
        document = known.get(source.text) if known and not entries else None
        if document is None:
            edit = partial(apply_wording, entries=entries, values=source.fields)
            shown = templates.shown(source.kind.template)
            document = parse_markdown(source.text, shown, edit if entries else None)
        info = _page_info(source.kind, document, loaded, when)
        yield DocumentTree(source.kind, source.lead, source.name, document, info, source.text)


@dataclass(frozen=True)
class DocumentSource:
    """One document of a profile as its template wrote it: Markdown, before it is parsed."""

    kind: DocumentKind
    lead: LeadView | None
    name: str  # the file name without its format
    text: str
    fields: Mapping[str, str] = field(default_factory=dict)  # house wording's {fields}


def document_sources(
    loaded: LoadedProfile,
    options: BuildOptions,
    facts: Facts,
    templates: Templates,
    shared: NetworkContext | None = None,
    only: Container[str] | None = None,
) -> Iterator[DocumentSource]:
    """Yield the Markdown of each selected document of a profile, in build order.

    Every format is rendered from this text, so two profiles whose texts are the same give
    the same documents (the honour-or-warn test relies on it).
    """
    if shared is None:  # the same for every document of the network
        shared = network_context(loaded.profile, facts, options.blank)
    for kind, lead, name in _instances(options, lead_documents(shared)):
        if only is not None and name not in only:
            continue
        variables = render_context(shared, facts, lead).variables()
        fields = field_values(variables) if options.wording else {}
        yield DocumentSource(kind, lead, name, templates.render(kind.template, variables), fields)


def document_date(loaded: LoadedProfile, facts: Facts) -> datetime:
    """Return the date a profile's documents carry: SOURCE_DATE_EPOCH, else the profile's."""
    profile = loaded.profile
    year = facts.funding_year(contract_year(profile, facts))
    control = profile.document_control
    return _timestamp(
        control.approval_date or profile.network.population_date or year.population_date
    )


def document_names(
    loaded: LoadedProfile, options: BuildOptions, facts: Facts
) -> list[tuple[str, str]]:
    """Return (file name, title) of each document a build of this profile writes."""
    leads = lead_views(loaded.profile, facts)
    return [
        (name, f"{kind.title}: {lead.workstream.title}, {lead.lead.name}" if lead else kind.title)
        for kind, lead, name in _instances(options, leads)
    ]


STILL_TO_AGREE = "still-to-agree.txt"
BUILT_FROM = Path(".pcndocs") / "profile.yaml"  # a copy of the profile, beside the documents


def network_name(loaded: LoadedProfile) -> str:
    """Return the network's name, or a stand-in naming the file where a blank profile has none."""
    return loaded.profile.network.name or f"Network in {Path(loaded.source.path).name}"


def still_to_agree(
    network: str, loaded: LoadedProfile, gaps: Sequence[Gap] = (), house: Sequence[str] = ()
) -> str:
    """Return, in plain sentences, what a blank profile still needs and what its documents propose.

    Four lists: what the profile's data is too old or too thin to show as it is, the values
    missing from the profile (with their lines), what the documents leave to agree (each once,
    with the documents and sections it appears in), and the defaults they propose; then the
    clauses taken from a house wording file (`house`, one line each), for the practices to read.
    """
    profile = loaded.profile
    notes = old_data_notes(profile, load_facts())
    lines = [
        f"Still to agree for {network}",
        f"(from {loaded.source.path}; fill these in, then build without --blank)",
    ]
    if notes:
        lines += ["", "Check first: what the profile's data says may be out of date or missing."]
        lines += [f"- {note}" for note in notes]
    if loaded.gaps:
        lines += ["", "Missing from the profile:"]
        lines += [missing_line(g.key, g.line, profile) for g in loaded.gaps]
    listed = document_lines(gaps)
    if listed:
        lines += ["", "To agree in the documents: each thing once, with where it appears."]
        lines += listed
    assumed = assumed_values(profile)
    if assumed:
        lines += [
            "",
            "Proposed: the profile does not set these, so the documents propose them.",
        ]
        body = profile.governance.body_name
        lines += [proposal_line(a.key, a.value, body) for a in assumed]
    if house:
        lines += ["", "House wording: these clauses are the LMC's own, not the built-in text."]
        lines += [f"- {line}" for line in house]
    return "\n".join(lines) + "\n"


def house_warnings(loaded: LoadedProfile, options: DocumentOptions) -> list[Problem]:
    """Return a warning for each value of the profile only a house-worded clause stated."""
    if options.wording is None or not options.wording.exists():
        return []
    templates = templates_for(options.templates)
    return unstated_values(loaded, wording_for(options.wording, templates), templates)


def house_lines(options: DocumentOptions) -> list[str]:
    """Return, one line a clause, what the pack takes from the house wording file, if any."""
    if options.wording is None or (options.wording_text is None and not options.wording.exists()):
        return []
    templates = templates_for(options.templates)
    notes = wording_notes(wording_for(options.wording, templates, options.wording_text), templates)
    return [f"{options.wording.name}: {line}" for line in notes.used]


@cache
def templates_for(user: Path | None) -> Templates:
    """Return the templates for a user folder, one per process: Jinja compiles each only once.

    Jinja's cache checks each template file's modification time, so an edited file is still
    seen by the next build in the same process.
    """
    return Templates(builtin_templates(), user)


def _instances(
    options: BuildOptions, leads: Sequence[LeadView]
) -> Iterator[tuple[DocumentKind, LeadView | None, str]]:
    """Yield each document to write: its kind, its lead if it has one, its file name."""
    wanted = [k for k in DOCUMENTS if not options.documents or k.name in options.documents]
    for kind in wanted:
        if not kind.per_lead:
            yield kind, None, kind.name
            continue
        seen: set[str] = set()
        for lead in leads:
            # The starter pack's blank lead has no workstream or name yet: not a slug of "[...]".
            starter = lead is BLANK_LEAD
            name = (
                kind.name + "-blank"
                if starter
                else slug(f"{kind.name}-{lead.workstream.id}-{lead.lead.name}", limit=120)
            )
            while name in seen:  # two leads with the same name on the same workstream
                name += "-2"
            seen.add(name)
            yield kind, lead, name


def _render(
    fmt: str,
    document: Document,
    info: PageInfo,
    templates: Templates,
    css: str,
    result: BuildResult,
) -> bytes:
    data, refused = render_file(fmt, document, info, templates, css)
    result.warnings.extend(refused_warnings(refused))
    return data


def refused_warnings(refused: Iterable[str]) -> list[Problem]:
    """Return the warnings of the URLs a PDF's stylesheet asked for and was refused, once each."""
    return [
        Problem(
            STYLESHEET,
            None,
            "",
            f"refused to fetch {url}: only files in the template "
            "folders and data: URIs are allowed",
            kind="warning",
        )
        for url in dict.fromkeys(refused)
    ]


def render_file(
    fmt: str,
    document: Document,
    info: PageInfo,
    templates: Templates,
    css: str,
    preface: str = "",
    author: str = "pcndocs",
) -> tuple[bytes, list[str]]:
    """Return a document's bytes in one format, and the URLs its PDF's stylesheet was refused.

    `preface` is HTML put before the document in the HTML and PDF (compare's key to the
    marks); `author` signs the DOCX's tracked changes, dated as the document (info.created).
    """
    logo = next((p for name in LOGO_NAMES if (p := templates.find(name))), None)
    reference = templates.find(REFERENCE_DOCX)
    page = Page(document, info, css, tuple(templates.folders), logo, reference, preface, author)
    written = writer_for(fmt).write(page)
    return written.data, list(written.refused)


def _page_info(
    kind: DocumentKind, document: Document, loaded: LoadedProfile, when: datetime
) -> PageInfo:
    network = network_name(loaded)
    # The template's first heading names the document; headers and properties repeat it.
    title = document.title or kind.title
    control = loaded.profile.document_control
    return PageInfo(
        title=title,
        network=network,
        subject=kind.summary,
        author=control.author or network,
        keywords=", ".join(("Primary Care Network", network, kind.name)),
        created=when,
        compact=kind.compact,
    )


def _timestamp(fallback: date) -> datetime:
    """Return the documents' timestamp: SOURCE_DATE_EPOCH if set, else the profile's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and len(epoch) < 20:  # a longer one is no time at all: ignored
        seconds = min(max(int(epoch), _FIRST_ZIP_SECOND), _LAST_ZIP_SECOND)
        return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    moment = datetime(fallback.year, fallback.month, fallback.day)
    return min(max(moment, _FIRST_ZIP_MOMENT), _LAST_ZIP_MOMENT)


# A zip (so a DOCX) can hold times from 1980 to the end of 2107: every timestamp is put in it.
_FIRST_ZIP_MOMENT, _LAST_ZIP_MOMENT = datetime(1980, 1, 1), datetime(2107, 12, 31, 23, 59, 58)
_FIRST_ZIP_SECOND = int(_FIRST_ZIP_MOMENT.replace(tzinfo=UTC).timestamp())
_LAST_ZIP_SECOND = int(_LAST_ZIP_MOMENT.replace(tzinfo=UTC).timestamp())


def _check_brand(templates: Templates, formats: Sequence[str]) -> None:
    """Refuse a logo or reference.docx that cannot be used, before any document is written."""
    from pcndocs.render.brand import check_logo, check_reference

    logo = next((p for name in LOGO_NAMES if (p := templates.find(name))), None)
    if logo is not None:
        check_logo(logo)
    reference = templates.find(REFERENCE_DOCX)
    if reference is not None and any(writer_for(f).uses_reference for f in formats):
        check_reference(reference)


def stylesheet_for(templates: Templates) -> str:
    """Return the stylesheet of the HTML and PDF: the built-in one, or the user's, checked."""
    text = templates.read_text(STYLESHEET) or ""
    path = templates.find(STYLESHEET)
    builtin = builtin_templates() / STYLESHEET
    if path is not None and path != builtin:  # a user's style may start from the built-in one
        check_stylesheet(text, path, templates.folders)  # the user's own lines, before the include
        text = include_builtin(text, builtin.read_text(encoding="utf-8"))
    return text


def keep_profile_copy(folder: Path, profile: Path) -> None:
    """Keep a copy of the profile a network's documents came from, in its .pcndocs folder."""
    refuse_link(folder / BUILT_FROM.parent)  # never written through a link
    data = profile_bytes(profile)
    if data is None:
        raise InputFileError(profile, "cannot be read as a file any more")
    write_atomically(folder / BUILT_FROM, data)


def profile_copy_intact(folder: Path, profile: Path) -> bool:
    """Return whether the kept copy of a network's profile is there and is the profile's."""
    copy = read_regular(folder / BUILT_FROM, 2 * 1024 * 1024)
    return copy is not None and copy == profile_bytes(profile)


def clean_stopped(folder: Path) -> None:
    """Remove the temporaries a stopped build left in a network's folder and its records."""
    if folder.is_symlink():
        return  # never cleaned through a link (writing into one is refused elsewhere)
    for stale in [*clean_temporaries(folder), *clean_temporaries(folder / BUILT_FROM.parent)]:
        log.info("removed %s, left by a build that was stopped", stale)


def write_network(
    plan: Plan, rendered: Rendered, options: BuildOptions, manifest: Manifest
) -> BuildResult:
    """Put a network's rendered files in place and record them; runs in the main process only.

    A document someone has changed since pcndocs wrote it is kept: the new one goes beside
    it as NAME.new.FORMAT, unless options.overwrite_edited.
    """
    folder = plan.folder
    make_folder(folder)  # first: a folder that cannot be made is named as such
    clean_stopped(folder)
    result = BuildResult(
        plan.network,
        folder,
        warnings=[*plan.warnings, *rendered.warnings],
        gaps=list(plan.loaded.gaps),
    )
    names = dict.fromkeys(task.name for task in plan.tasks)  # in document order
    result.placeholders = [g for n in names for g in rendered.placeholders.get(n, [])]
    notes: dict[str, bytes] = {}
    if options.blank:
        house = house_lines(options)
        text = still_to_agree(plan.network, plan.loaded, result.placeholders, house)
        notes[STILL_TO_AGREE] = text.encode("utf-8")
    else:
        # A finished document should hold no placeholder: say where one is left, so --strict fails.
        result.warnings += [
            Problem(
                str(plan.path),
                None,
                "",
                f"{gap.document}, {gap.section}, still shows '[{gap.text}]'; "
                "set the value in the profile",
                kind="warning",
            )
            for gap in dict.fromkeys(result.placeholders)
        ]
    earlier = manifest.entry(folder.name)  # this build's own, if it wrote the folder already
    # What pcndocs last put in each file, taken before this build records anything.
    recorded_before = {**earlier.files, **earlier.kept} if earlier is not None else {}

    def known(file: str) -> set[str]:
        before = recorded_before.get(file)
        return manifest.written_by_us(folder.name, file) | ({before} if before else set())

    fingerprint = plan.fingerprint
    fresh = (
        earlier is None or earlier.fingerprint != fingerprint or earlier.profile != plan.profile_key
    )
    entry = earlier or Entry(folder.name, plan.profile_key, plan.network)
    if fresh:
        # The earlier files stay recorded until replaced: a build stopped part way must not
        # leave them looking like files pcndocs has no record of.
        before = entry
        entry = Entry(
            folder.name,
            plan.profile_key,
            plan.network,
            files=dict(before.files),
            sizes=dict(before.sizes),
            kept=dict(before.kept),
        )
    entry.network = plan.network
    entry.code = plan.loaded.profile.network.code or ""
    entry.fingerprint = ""  # until every file is in place
    manifest.entries[folder.name] = entry  # recorded as it goes, should a signal stop it
    files: list[tuple[str, str, FileTask | None]] = [
        (t.file, t.output, t) for t in plan.tasks if t.file in rendered.files
    ]  # only what needed building: the rest is up to date
    files += [(name, name, None) for name in notes]
    written_outputs: dict[str, list[str]] = {}
    for name, output, task in files:
        # Every network has files of the same names: one copy of each name for them all.
        name, output = sys.intern(name), sys.intern(output)
        data = rendered.files[name] if task is not None else notes[name]
        checksum = hashlib.sha256(data).hexdigest()
        placed = place(
            folder,
            name,
            checksum,
            known,
            replace_edited=options.overwrite_edited,
            refresh=manifest.refresh,
        )
        if placed.kept is not None:
            entry.kept[name] = recorded_before.get(name, "")
            entry.files.pop(name, None)
            entry.sizes.pop(name, None)
            result.kept.append(Kept(folder / name, folder / placed.name, placed.recorded))
        else:
            entry.kept.pop(name, None)
        target = folder / placed.name
        if not placed.unchanged:
            manifest.note_written(folder.name, placed.name, checksum)
            write_atomically(target, data)
        entry.files[placed.name] = checksum
        entry.sizes[placed.name] = len(data)
        written_outputs.setdefault(output, []).append(placed.name)
        result.written.append(target)
    # Kept for `pcndocs compare --since-last-build`: the profile these documents came from.
    keep_profile_copy(folder, plan.path)
    entry.outputs.update(written_outputs)
    if fresh:  # every wanted file was written: what this build did not write is not listed
        now = {name for names in written_outputs.values() for name in names}
        for name in [n for n in entry.files if n not in now]:
            entry.files.pop(name)
            entry.sizes.pop(name, None)
    entry.warnings = list(result.warnings)
    entry.fingerprint = fingerprint
    manifest.entries[folder.name] = entry
    return result
