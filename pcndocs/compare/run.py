"""Compares two versions of a network's profile: writes a redline of each document that changed.

Both profiles go through the same rooms as a build (load, context, templating, document);
the diff makes one tree per document with its changes marked, and the ordinary writers
render it: DOCX with Word tracked changes, HTML with <ins> and <del>, PDF from that HTML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path

from pcndocs.build import (
    BUILT_FROM,
    LOGO_NAMES,
    REFERENCE_DOCX,
    BuildOptions,
    _instances,
    _page_info,
    _read_style,
    _templates,
    _timestamp,
    load,
    network_name,
)
from pcndocs.compare.diff import diff_documents
from pcndocs.compare.summary import what_changed
from pcndocs.context import lead_documents, network_context, render_context
from pcndocs.document import Document, parse_markdown
from pcndocs.documents import DocumentKind
from pcndocs.errors import PcndocsError
from pcndocs.facts import Facts, load_facts
from pcndocs.files import inside, slug, write_atomically
from pcndocs.funding import contract_year
from pcndocs.profile.load import LoadedProfile
from pcndocs.templating import Templates
from pcndocs.writers.html import PageInfo, logo_uri, render_page

SUMMARY_NAME = "changes.txt"


@dataclass(frozen=True)
class CompareOptions:
    """What to compare and where to write: the CLI's options."""

    out: Path
    formats: tuple[str, ...] = ("docx", "pdf")
    documents: tuple[str, ...] = ()  # empty: every document
    templates: Path | None = None
    author: str = "pcndocs"
    today: date = field(default_factory=date.today)


@dataclass
class CompareResult:
    """What changed between two versions of a network's profile, and the files written."""

    network: str
    folder: Path
    summary: list[str]
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class _Version:
    """One document of one version: its file name, kind and tree."""

    name: str
    kind: DocumentKind
    document: Document
    info: PageInfo


def last_build(out: Path, profile: Path) -> Path:
    """Return the profile kept by the last build of this profile's network into out."""
    loaded = load(profile)
    kept = out / slug(loaded.profile.network.name or profile.stem) / BUILT_FROM
    if not kept.is_file():
        raise PcndocsError(
            f"{profile}: no earlier build of {network_name(loaded)} in {out} "
            f"(looked for {kept}); build it first with `pcndocs build`"
        )
    return kept


def compare_profiles(old_path: Path, new_path: Path, options: CompareOptions) -> CompareResult:
    """Write a redline of each document that changed from the old profile to the new."""
    if old_path.resolve() == new_path.resolve():
        raise PcndocsError(
            f"{old_path} is given twice: compare two versions of a profile, the older first"
        )
    facts = load_facts()
    old, new = load(old_path, facts), load(new_path, facts)
    _same_network(old, new)
    templates = _templates(options.templates)
    build_options = BuildOptions(
        out=options.out, documents=options.documents, templates=options.templates
    )
    olds = dict(_versions(old, build_options, facts, templates, options.today))
    news = dict(_versions(new, build_options, facts, templates, options.today))
    network = network_name(new)
    folder = inside(options.out, slug(new.profile.network.name or new_path.stem))
    result = CompareResult(network, folder, what_changed(old.profile, new.profile, facts))
    when = _when(new, facts)
    css = _read_style(templates)
    preface = _preface(old, new)
    for key in [*news, *(k for k in olds if k not in news)]:
        before, after = olds.get(key), news.get(key)
        shown = after or before
        assert shown is not None
        marked = diff_documents(
            before.document if before else None, after.document if after else None
        )
        if marked is None:
            result.unchanged.append(shown.name)
            continue
        result.changed.append(shown.name)
        info = _changes_info(shown.info, when)
        for fmt in options.formats:
            data = _render(fmt, marked, info, templates, css, preface, options.author, when)
            result.written.append(write_atomically(folder / f"{shown.name}-changes.{fmt}", data))
    text = summary_text(result, old_path, new_path)
    result.written.append(write_atomically(folder / SUMMARY_NAME, text.encode("utf-8")))
    return result


def summary_text(result: CompareResult, old_path: Path, new_path: Path) -> str:
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
    loaded: LoadedProfile, options: BuildOptions, facts: Facts, templates: Templates, today: date
) -> Iterator[tuple[tuple[str, ...], _Version]]:
    """Yield each document of a profile under a key that pairs it with the other version's.

    A lead's documents pair by workstream, so a new lead on the same workstream shows as
    changes to the same document rather than one removed and one added.
    """
    shared = network_context(loaded.profile, facts)
    when = _when(loaded, facts)
    seen: dict[tuple[str, ...], int] = {}
    for kind, lead, name in _instances(options, lead_documents(shared)):
        key: tuple[str, ...] = (kind.name,)
        if lead is not None:
            key = (kind.name, lead.workstream.id)
            seen[key] = seen.get(key, 0) + 1
            key = (*key, str(seen[key]))
        document = parse_markdown(
            templates.render(kind.template, render_context(shared, facts, lead).variables()),
            kind.template,
        )
        yield key, _Version(name, kind, document, _page_info(kind, document, loaded, when))


def _when(loaded: LoadedProfile, facts: Facts) -> datetime:
    """Return a version's date: SOURCE_DATE_EPOCH if set, else its profile's date, as build."""
    profile = loaded.profile
    year = facts.funding_year(contract_year(profile, facts))
    control = profile.document_control
    return _timestamp(
        control.approval_date or profile.network.population_date or year.population_date
    )


def _changes_info(info: PageInfo, when: datetime) -> PageInfo:
    return PageInfo(
        title=f"Changes: {info.title}",
        network=info.network,
        subject=f"What changed in: {info.subject}",
        author=info.author,
        keywords=f"{info.keywords}, changes",
        created=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        language=info.language,
    )


def _preface(old: LoadedProfile, new: LoadedProfile) -> str:
    """Return the key to the marks, naming both versions, for the HTML and the PDF."""
    before, after = old.profile.document_control, new.profile.document_control
    versions = (
        f"version {escape(before.version)} to version {escape(after.version)}"
        if before.version != after.version
        else f"{escape(Path(old.source.path).name)} to {escape(Path(new.source.path).name)}"
    )
    return (
        '<aside class="changes-key" aria-label="How changes are shown">\n'
        f"<p><strong>What changed</strong> from {versions}. "
        "Words added are <ins>underlined</ins>; words removed are <del>struck through</del>. "
        "Clause numbers are those of the new version; a removed clause shows a dash.</p>\n"
        "</aside>\n"
    )


def _render(
    fmt: str,
    document: Document,
    info: PageInfo,
    templates: Templates,
    css: str,
    preface: str,
    author: str,
    when: datetime,
) -> bytes:
    logo = next((p for name in LOGO_NAMES if (p := templates.find(name))), None)
    if fmt == "html":
        return render_page(document, info, css, logo_uri(logo), preface).encode("utf-8")
    if fmt == "pdf":
        from pcndocs.writers.pdf import write_pdf  # WeasyPrint loads only when a PDF is wanted

        identifier = hashlib.sha256(f"{info.network}\n{info.title}".encode()).hexdigest()[:32]
        page = render_page(document, info, logo=logo_uri(logo), preface=preface)
        pdf, _refused = write_pdf(page, css, templates.folders, identifier.encode())
        return pdf  # a refused URL is the stylesheet's, and `build` warns of it
    if fmt == "docx":
        from pcndocs.writers.docx import write_docx  # python-docx loads only when needed

        return write_docx(document, info, templates.find(REFERENCE_DOCX), logo, when, author)
    raise ValueError(f"unknown format {fmt!r}")
