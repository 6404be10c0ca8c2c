"""The clauses of the templates: their ids, their source text, and the catalogue of versions.

A template marks each heading, numbered clause, list item and note with `{@id}` at the start
of its block (pcndocs/render/document.py moves the id to the block). Here the template's *source*
is read: each clause's lines, in every Jinja branch it has (one id may stand in several
branches, the same clause worded per case), so a clause can be listed, fingerprinted and
compared with the versions recorded in `pcndocs/data/clauses.yaml`. That catalogue keeps
every version of every clause's built-in text, and the ids retired with what replaced them;
a house wording file (pcndocs/render/wording.py) pins the fingerprint of the text it replaced, so
when a new pcndocs changes that text, `check` and `build` say so.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pcndocs.errors import TemplateError
from pcndocs.render.document import CLAUSE_ID, clause_prefix
from pcndocs.render.documents import DOCUMENTS, DocumentKind
from pcndocs.render.templating import Templates
from pcndocs.resources import builtin_templates, read_yaml

if TYPE_CHECKING:
    from pcndocs.rules.facts import Facts

CATALOGUE = Path(__file__).parents[1] / "data" / "clauses.yaml"

# `{@id}`, or `{@id@{{ item.id }}}` on a list printed once per data item (DATA_ITEMS).
_MARKER = re.compile(r"\{@(" + CLAUSE_ID.pattern + r")(@\{\{[^{}]*\}\})?\} ?")
_INCLUDE = re.compile(r"""^\s*\{%-?\s*include\s+["']([^"']+)["']\s*-?%\}\s*$""")
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_CONTROL = re.compile(r"^\s*\{%.*%\}\s*$")
_FOR = re.compile(r"\{%-?\s*for\b")
_ENDFOR = re.compile(r"\{%-?\s*endfor\b")
_HEADING = re.compile(r"^(#{1,6}) ")
# A list item's first line; `{{ item.number }}.` is one too (the Annex E list numbers itself).
_LIST_ITEM = re.compile(r"^(\s*)(?:\d+\.|\{\{ *[\w.]*number *\}\}\.|[-*+])(?: \[ \])? ")
_SPACE = re.compile(r"\s+")


@dataclass
class Clause:
    """One clause of a template's source: its id, where it is, and its lines in every branch."""

    id: str  # the full id: the document's template name, a dot, the template's id
    template: str  # the template file it is marked in (a partial's, where it is included)
    line: int  # the line of its first marker in that file
    kind: str  # "heading", "item" (a numbered or bulleted clause) or "paragraph"
    section: str  # the heading it sits under, as the template writes it
    repeated: bool = False  # inside a {% for %}: one clause printed once per practice, lead...
    branches: list[str] = field(default_factory=list)  # its source, once per place it is marked
    lines: list[tuple[str, int]] = field(default_factory=list)  # (template, line) of its source
    per_item: bool = False  # marked `{@id@{{ item.id }}}`: each data item is a clause of its own
    item_of: str = ""  # for one data item's clause: the id of the list's clause it is one of

    @property
    def source(self) -> str:
        """Return its template source, readable: each branch on its own, 'or' between them."""
        return "\n  or:\n".join(self.branches)

    @property
    def fingerprint(self) -> str:
        """Return a fingerprint of its text in every branch (comments and spacing aside)."""
        return fingerprint_of(self.branches)


def fingerprint_of(branches: Sequence[str]) -> str:
    """Return the fingerprint of a clause's branches: 16 hex digits of their SHA-256."""
    text = "\n".join(_SPACE.sub(" ", _COMMENT.sub("", b)).strip() for b in branches)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def document_clauses(templates: Templates, kind: DocumentKind) -> list[Clause]:
    """Return the clauses of one document's template, in order, each id once.

    A list printed once per data item (an Annex E duty, a checklist point) is its clause,
    followed by one clause for each item of its data (data_item_clauses).
    """
    prefix = clause_prefix(kind.template)
    found: dict[str, Clause] = {}
    for clause in _scan(templates, kind.template, prefix, kind.template, 0):
        known = found.get(clause.id)
        if known is None:
            found[clause.id] = clause
        else:  # the same clause in another branch
            known.branches += clause.branches
            known.lines += clause.lines
            known.repeated = known.repeated or clause.repeated
            known.per_item = known.per_item or clause.per_item
    listed: list[Clause] = []
    for clause in found.values():
        listed.append(clause)
        if clause.per_item:
            listed += data_item_clauses(clause)
    return listed


def all_clauses(templates: Templates | None = None) -> dict[str, Clause]:
    """Return every clause of every document (per-lead documents once), by id."""
    templates = templates or Templates(builtin_templates())
    seen: dict[str, Clause] = {}
    for kind in documents_once():
        for clause in document_clauses(templates, kind):
            seen[clause.id] = clause
    return seen


def document_named(name: str) -> DocumentKind:
    """Return the document kind with this --doc name (the CLI has checked it is one)."""
    return next(kind for kind in DOCUMENTS if kind.name == name)


def documents_once() -> list[DocumentKind]:
    """Return each document kind whose template is not already another's."""
    kinds: dict[str, DocumentKind] = {}
    for kind in DOCUMENTS:
        kinds.setdefault(kind.template, kind)
    return list(kinds.values())


def _scan(
    templates: Templates, name: str, prefix: str, document: str, depth: int
) -> Iterator[Clause]:
    """Yield each marked block of a template's source (and of the partials it includes)."""
    if depth > 10:
        raise TemplateError(document, None, "includes nest more than 10 deep")
    text = templates.read_text(name)
    if text is None:
        raise TemplateError(name, None, "no such template")
    # Comments go, their lines kept blank, so every line keeps its number.
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    scanner = _Scanner(name, prefix)
    for number, line in enumerate(text.split("\n"), start=1):
        included = _INCLUDE.match(line)
        if included:
            yield from scanner.close()
            yield from _scan(templates, included.group(1), prefix, document, depth + 1)
        else:
            yield from scanner.feed(number, line)
    yield from scanner.close()


@dataclass
class _Scanner:
    """Follows one template's lines: the clause being read, its section, the loops open."""

    name: str
    prefix: str
    loops: int = 0
    section: str = ""
    current: Clause | None = None
    indent: int = 0  # of the current clause's first line

    def feed(self, number: int, line: str) -> Iterator[Clause]:
        """Take one line: it starts a clause, goes on with the current one, or ends it."""
        self.loops += len(_FOR.findall(line)) - len(_ENDFOR.findall(line))
        marker = _MARKER.search(line)
        if marker is not None:
            yield from self.close()
            yield from self.start(number, line, marker.group(1), marker.group(2) is not None)
        elif self.current is not None and self.ends(line):
            yield from self.close()
        elif self.current is not None and not _CONTROL.match(line):
            self.current.branches[-1] += "\n" + line.strip()
            self.current.lines.append((self.name, number))

    def start(self, number: int, line: str, ident: str, per_item: bool) -> Iterator[Clause]:
        heading = _HEADING.match(line)
        kind = "heading" if heading else "item" if _LIST_ITEM.match(line) else "paragraph"
        body = _MARKER.sub("", line, count=1)
        if heading:
            self.section = body[heading.end() :].strip()
        self.indent = _indent(line)
        self.current = Clause(
            self.prefix + ident,
            self.name,
            number,
            kind,
            self.section,
            repeated=self.loops > 0 and not _FOR.search(line),
            branches=[body.strip()],
            lines=[(self.name, number)],
            per_item=per_item,
        )
        if heading:  # a heading is one line
            yield from self.close()

    def ends(self, line: str) -> bool:
        """Return whether a line ends the current clause: a blank line, a heading, a sibling."""
        return (
            not line.strip()
            or _HEADING.match(line) is not None
            or (_LIST_ITEM.match(line) is not None and _indent(line) <= self.indent)
        )

    def close(self) -> Iterator[Clause]:
        if self.current is not None:
            yield self.current
        self.current = None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# Lists printed once per data item: each item a clause of its own, its text from pcndocs/data.


def _annex_e(facts: Facts) -> Sequence[Any]:
    return facts.annex_e.core_responsibilities


def _added_duties(facts: Facts) -> Sequence[Any]:
    return facts.annex_e.added_duties.duties  # every year's: an item keeps its id in each


def _standard_terms(facts: Facts) -> Sequence[Any]:
    return facts.job_description.standard_clauses


def _starter_checklist(facts: Facts) -> Sequence[Any]:
    return facts.workstreams.general_checklist


def _lead_duties(facts: Facts) -> Sequence[Any]:
    return facts.workstreams.lead_duties


def _everyday_duties(facts: Facts) -> Sequence[Any]:
    return facts.workstreams.everyday_duties


@dataclass(frozen=True)
class _Point:
    id: str  # `<workstream>.<point>`: a point's id is its own only within its workstream
    text: str


def _own_checklists(facts: Facts) -> Sequence[Any]:
    from pcndocs.rules.leads import checklist_ids

    return [
        _Point(ident, point.text)
        for workstream in facts.workstreams.workstreams
        for ident, point in zip(checklist_ids(workstream), workstream.checklist, strict=True)
    ]


#: The clause of each list printed once per data item (marked `{@id@{{ item.id }}}`), and
#: where its items are. Each item's clause is `<list's clause>.<item's id>`.
DATA_ITEMS: dict[str, Callable[[Facts], Sequence[Any]]] = {
    "cd-job-description.core.responsibility": _annex_e,
    "cd-job-description.duties.duty": _added_duties,
    "cd-job-description.local.standard-terms.term": _standard_terms,
    "lead-checklist.starter.item": _starter_checklist,
    "lead-checklist.own.item": _own_checklists,  # a profile's own workstream's: the list's id
    "lead-role-description.duties.duty": _lead_duties,
    "lead-role-description.duties.everyday": _everyday_duties,
}
# An item's words other than its text, each the text of one kind of network or lead.
_VARIANTS = (
    ("without_specification", "where the workstream has no national specification"),
    ("non_clinical", "for a non-clinical lead"),
)


def data_item_clauses(group: Clause) -> list[Clause]:
    """Return a clause for each item of the data a list printed once per item is made from.

    Its built-in text is the item's own words (title, text, and its words for other cases),
    as pcndocs/data writes them: fingerprinted and recorded in the catalogue as a template's
    clause is, so a house wording that rewords the item is told when the national data moves.
    """
    from pcndocs.rules.facts import load_facts

    items = DATA_ITEMS.get(group.id)
    if items is None:  # a user's template marks a list pcndocs has no data items for
        return []
    return [
        Clause(
            f"{group.id}.{item.id}",
            group.template,
            group.line,
            group.kind,
            group.section,
            branches=item_branches(item),
            item_of=group.id,
        )
        for item in items(load_facts())
    ]


def item_branches(item: Any) -> list[str]:
    """Return a data item's words: its title and text, then each variant, labelled."""
    title = getattr(item, "title", None)
    branches = [f"**{title}.** {item.text}" if title else str(item.text)]
    for name, label in _VARIANTS:
        words = getattr(item, name, None)
        if words:
            branches.append(f"{label}: {words}")
    return branches


# The catalogue: every version each clause's built-in text has had.


@dataclass(frozen=True)
class Version:
    """One version of a clause's built-in text: its fingerprint, since when, the text."""

    fingerprint: str
    since: str  # "pcndocs 0.1.0, contract year 2026/27"
    text: str


@dataclass(frozen=True)
class Catalogue:
    """Every clause id with the versions of its built-in text; retired ids and their heirs."""

    clauses: dict[str, list[Version]]
    retired: dict[str, str]  # id: what replaces it (another id, or words)

    def version(self, clause: str, fingerprint: str) -> tuple[int, Version] | None:
        """Return the position and version of a clause with this fingerprint, if recorded."""
        for index, version in enumerate(self.clauses.get(clause, [])):
            if version.fingerprint == fingerprint:
                return index, version
        return None

    def latest(self, clause: str) -> Version | None:
        """Return the latest recorded version of a clause's text."""
        versions = self.clauses.get(clause)
        return versions[-1] if versions else None


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Return the catalogue of clause versions shipped with pcndocs (or the one at path)."""
    where = path or CATALOGUE
    return _catalogue_of(where, where.stat().st_mtime_ns)


@cache
def _catalogue_of(path: Path, _changed: int) -> Catalogue:
    """Return the catalogue at path, read once while the file is unchanged."""
    data = read_yaml(path) or {}
    clauses = {
        str(ident): [
            Version(str(v["fingerprint"]), str(v.get("since", "")), str(v.get("text", "")))
            for v in versions
        ]
        for ident, versions in (data.get("clauses") or {}).items()
    }
    retired = {str(k): str(v) for k, v in (data.get("retired") or {}).items()}
    return Catalogue(clauses, retired)


def updated_catalogue(catalogue: Catalogue, clauses: dict[str, Clause], since: str) -> Catalogue:
    """Return the catalogue with each clause's current text recorded, if it is new.

    A version already recorded is kept as it is, so the history of each clause stays.
    """
    versions = {ident: list(vs) for ident, vs in catalogue.clauses.items()}
    for ident, clause in clauses.items():
        known = versions.setdefault(ident, [])
        if not any(v.fingerprint == clause.fingerprint for v in known):
            known.append(Version(clause.fingerprint, since, clause.source))
    return Catalogue(versions, dict(catalogue.retired))


def catalogue_text(catalogue: Catalogue) -> str:
    """Return the catalogue as the YAML file pcndocs ships."""
    data = {
        "clauses": {
            ident: [
                {"fingerprint": v.fingerprint, "since": v.since, "text": v.text} for v in versions
            ]
            for ident, versions in sorted(catalogue.clauses.items())
        },
        "retired": dict(sorted(catalogue.retired.items())),
    }
    header = (
        "# Every clause id of the built-in templates, with each version its built-in text has\n"
        "# had (fingerprint, the pcndocs version and contract year it came in, the text), and\n"
        "# the ids retired with what replaces them. Written by `make clauses`; a version once\n"
        "# recorded is never removed: house wording files pin these fingerprints.\n"
    )
    return header + yaml.dump(
        data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100
    )


class _BlockDumper(yaml.SafeDumper):
    """Writes text of several lines as a YAML block, as it reads in the template."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text)


def problems_with_catalogue(catalogue: Catalogue, clauses: dict[str, Clause]) -> list[str]:
    """Return what is wrong between the templates and the catalogue, one sentence each."""
    problems = [
        f"{ident} is in the catalogue but in no template: mark it retired, with what replaces it"
        for ident in catalogue.clauses
        if ident not in clauses and ident not in catalogue.retired
    ]
    problems += [
        f"{ident}: its text has no entry in the catalogue: run `make clauses`"
        for ident, clause in clauses.items()
        if catalogue.version(ident, clause.fingerprint) is None
    ]
    problems += [
        f"{ident} is retired but still in a template"
        for ident in catalogue.retired
        if ident in clauses
    ]
    return problems


def redline(old: str, new: str) -> str:
    """Return new text, the words taken out of old as [-words-] and those put in as {+words+}."""
    before, after = old.split(), new.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(" ".join(before[a1:a2]))
            continue
        if a2 > a1:
            parts.append("[-" + " ".join(before[a1:a2]) + "-]")
        if b2 > b1:
            parts.append("{+" + " ".join(after[b1:b2]) + "+}")
    return " ".join(parts)
