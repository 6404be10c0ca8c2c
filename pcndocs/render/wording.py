"""A house wording file: an LMC's own text for some clauses, for every network it builds.

`wording.yaml` maps clause ids (`pcndocs clauses` lists them) to what the house says instead:

    clauses:
      schedule-1.appointment.removal.vote:
        text: |
          The member practices may remove {director.name} if two thirds of them agree.
        pinned: 1f2e3d4c5b6a7980      # the built-in text it replaced (`clauses --pin`)
      schedule-1.appointment.joint: omit
      schedule-1.appointment.review.date:
        add_after:
          id: schedule-1.appointment.review.lmc
          text: The Local Medical Committee may be asked to help with the review.

One item of a list printed once per data item (an Annex E responsibility, a checklist point)
is worded by its own id, `cd-job-description.core.responsibility.research`; the list's own
id (`...core.responsibility`) omits, or adds after, every item not worded by its own.

Text is plain Markdown with named fields (`{network.name}`, FIELDS below), never Jinja. The
wording is applied to the parsed tree of each document (`apply_wording`), so a replaced clause
keeps its place in the numbering, its Word style, its redline in `compare` (both sides get the
same wording) and its PDF tags. Every problem is one line with the file, line and clause id.

For the browser's editor: `clause_views` lists a document's clauses (id, section, built-in
source, its text for a network, the house text, why it needs review), `FIELDS` the fields,
`check_wording` a file's problems without raising, `set_clause` sets, omits or resets one
clause (and its added clauses), `with_additions` sets the clauses added after one, and
`pin` pins them all; every write is atomic and only over the bytes the change was worked out
from (files.replace_if_unchanged). `serve` passes the workspace's wording.yaml
(Settings.wording) to every preview and download, and a saved change shows at the next
preview.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from pcndocs.errors import InputFileError, PcndocsError, Problem, ProfileError
from pcndocs.files import ChangedMeanwhileError, read_regular, replace_if_unchanged
from pcndocs.profile.yamlfile import (
    MAX_FILE_BYTES,
    KeyPath,
    YamlDocument,
    decode_text,
    parse_yaml,
    read_text,
)
from pcndocs.render.clauses import Catalogue, Clause, all_clauses, load_catalogue
from pcndocs.render.document import CLAUSE_ID, parse_tokens
from pcndocs.render.sandbox import MAX_TEXT
from pcndocs.render.templating import Markdown, Placeholder, Templates, escape_markdown, format_date
from pcndocs.resources import builtin_templates

if TYPE_CHECKING:
    from pcndocs.profile.load import LoadedProfile
    from pcndocs.profile.model import Profile
    from pcndocs.render.context import NetworkContext
    from pcndocs.rules.facts import Facts

#: The name of a workspace's house wording file, beside its profiles (batch and workspace
#: leave it out of the networks).
WORKSPACE_FILE = "wording.yaml"
#: The longest text one clause may have (a clause is a few sentences).
MAX_CLAUSE_TEXT = 20_000
MAX_ENTRIES = 2_000

_FIELD = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)*)\}")
_JINJA = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_BREAKS_NUMBERING = re.compile(r"^\s*(?:#{1,6}(?:\s|$)|[-*+]\s|\d+[.)]\s|:::|\||>|=+\s*$)")
_ENTRY_KEYS = ("text", "omit", "add_after", "pinned")


class WordingError(ProfileError):
    """A house wording file that cannot be used: every problem, with file, line and clause id."""


# The fields a house text may name: what each says, and where its value comes from.


@dataclass(frozen=True)
class Field:
    """A named value a house text may use as {name}."""

    name: str
    description: str
    value: Callable[[Mapping[str, Any]], object]
    missing: str  # what a blank pack's placeholder says is to be agreed


def _director(v: Mapping[str, Any]) -> Any:
    return v["directors"][0] if v["directors"] else None


def _names(v: Mapping[str, Any]) -> str:
    names = [d.name for d in v["directors"] if d.name]
    return " and ".join(names) if names else ""


def _lead(v: Mapping[str, Any]) -> Any:
    return v.get("lead")


FIELDS: tuple[Field, ...] = (
    Field("network.name", "the network's name", lambda v: v["network"].name, "the network's name"),
    Field("network.code", "the PCN code", lambda v: v["network"].code, "the PCN code"),
    Field(
        "network.commissioner",
        "the commissioner (the ICB)",
        lambda v: v["network"].commissioner,
        "the commissioner",
    ),
    Field("contract_year", "the contract year, e.g. 2026/27", lambda v: v["contract_year"], ""),
    Field(
        "practice_count",
        "how many member practices",
        lambda v: v["practice_count"] or None,
        "the member practices",
    ),
    Field("payee.name", "the nominated payee", lambda v: v["payee"].name, "the nominated payee"),
    Field(
        "director.name",
        "the clinical director (the first, with joint directors)",
        lambda v: _director(v).name if _director(v) else None,
        "the clinical director's name",
    ),
    Field(
        "directors.names",
        "every clinical director's name, 'A and B'",
        lambda v: _names(v) or None,
        "the clinical director's name",
    ),
    Field(
        "governance.body_name",
        "the members' meeting, e.g. PCN Board",
        lambda v: v["governance"].body_name,
        "",
    ),
    Field(
        "appointment.method",
        "how the director is appointed, in words",
        lambda v: v["method_name"],
        "",
    ),
    Field(
        "appointment.term_years",
        "years in one term of office",
        lambda v: v["appointment"].term_years,
        "",
    ),
    Field(
        "appointment.notice_days",
        "days' notice before the panel or ballot",
        lambda v: v["appointment"].notice_days,
        "",
    ),
    Field(
        "appointment.nomination_days",
        "days nominations stay open",
        lambda v: v["appointment"].nomination_days,
        "",
    ),
    Field(
        "appointment.resignation_notice_months",
        "months' notice a director gives to resign",
        lambda v: v["appointment"].resignation_notice_months,
        "",
    ),
    Field(
        "appointment.deputy",
        "the deputy clinical director",
        lambda v: v["appointment"].deputy,
        "the deputy's name",
    ),
    Field(
        "appointment.quorum_percent",
        "the share of practices (or votes) an appointment vote needs, in %",
        lambda v: v["appointment"].quorum_percent,
        "",
    ),
    Field(
        "governance.meetings_per_year",
        "how often the members' meeting meets, a year",
        lambda v: v["governance"].meetings_per_year,
        "",
    ),
    Field(
        "governance.notice_days",
        "days' notice of a meeting",
        lambda v: v["governance"].notice_days,
        "",
    ),
    Field(
        "governance.quorum_percent",
        "the share of practices (or votes) a meeting needs, in %",
        lambda v: v["governance"].quorum_percent,
        "",
    ),
    Field(
        "governance.minutes_days",
        "days within which the minutes go out",
        lambda v: v["governance"].minutes_days,
        "",
    ),
    Field(
        "control.review_date",
        "the review date of the documents",
        lambda v: v["control"].review_date,
        "the review date",
    ),
    Field(
        "lead.name",
        "the lead (a lead's checklist and role description only)",
        lambda v: _lead(v).lead.name if _lead(v) else None,
        "the lead's name",
    ),
    Field(
        "lead.workstream",
        "the lead's workstream (a lead's documents only)",
        lambda v: _lead(v).workstream.title if _lead(v) else None,
        "the workstream",
    ),
)
FIELD_NAMES = {f.name: f for f in FIELDS}
#: Fields named as their profile key: a blank pack marks an unset one [proposed: ...].
_RULES = ("appointment.", "governance.")


def field_values(variables: Mapping[str, Any]) -> dict[str, str]:
    """Return each field's value for one document as Markdown (a value's text escaped)."""
    values: dict[str, str] = {}
    for item in FIELDS:
        try:
            value = item.value(variables)
        except (AttributeError, IndexError, KeyError, TypeError):
            value = None
        proposed = variables.get("proposed")
        if value is not None and callable(proposed) and item.name.startswith(_RULES):
            # A default the profile never set is a proposal, in house text as in the built-in.
            value = proposed(value, item.name)
        values[item.name] = _shown(value, item)
    return values


def _shown(value: object, item: Field) -> str:
    if value is None or value == "":
        return str(Placeholder(item.missing or item.description))
    if isinstance(value, Markdown):
        return str(value)
    if isinstance(value, date):
        return str(format_date(value))
    return escape_markdown(str(value))


# The file: its entries, read and checked.


@dataclass(frozen=True)
class Addition:
    """A new clause added after another: its own id, and its text."""

    id: str
    text: str


@dataclass(frozen=True)
class Entry:
    """What the house wording does to one clause."""

    id: str
    line: int
    text: str | None = None  # the replacement, or None to keep the built-in text
    omit: bool = False
    add_after: tuple[Addition, ...] = ()
    pinned: str = ""  # the fingerprint of the built-in text it replaced

    @property
    def changes_text(self) -> bool:
        """Return whether it replaces or omits the built-in text (what a pin is for)."""
        return self.omit or self.text is not None

    def describe(self) -> str:
        """Return what it does, in words: 'replaced', 'omitted', 'a clause added after'."""
        parts = ["omitted" if self.omit else "replaced" if self.text is not None else ""]
        parts += [f"{a.id} added after it" for a in self.add_after]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Wording:
    """A house wording file, checked against the templates' clauses."""

    path: str
    entries: Mapping[str, Entry]
    digest: str  # of the file's bytes: a changed file rebuilds (the manifest's inputs)

    def for_prefix(self, prefix: str) -> dict[str, Entry]:
        """Return the entries of one document's clauses (ids that begin with its prefix)."""
        return {i: e for i, e in self.entries.items() if i.startswith(prefix)}


def load_wording(path: Path, templates: Templates | None = None) -> Wording:
    """Return a checked house wording file, or raise WordingError naming every problem."""
    return parse_wording(_text_of(path), str(path), templates)


def _text_of(path: Path) -> str:
    """Return a wording file's text, or raise InputFileError saying why it cannot be read."""
    try:
        return read_text(path)
    except InputFileError as exc:  # the reader speaks of profiles
        raise InputFileError(path, exc.reason.replace("profile file", "wording file")) from None


def parse_wording(text: str, path: str, templates: Templates | None = None) -> Wording:
    """Return the wording a file's text holds, or raise WordingError naming every problem."""
    entries, problems = check_wording(text, path, templates)
    if problems:
        raise WordingError(problems)
    return Wording(path, entries, hashlib.sha256(text.encode("utf-8")).hexdigest())


def check_wording(
    text: str, path: str, templates: Templates | None = None
) -> tuple[dict[str, Entry], list[Problem]]:
    """Return a wording file's entries and its problems (the browser shows them by clause)."""
    try:
        document = parse_yaml(text, path) if text.strip() else YamlDocument(path, {})
    except ProfileError as exc:
        return {}, [replace(p, text=_wording_words(p.text)) for p in exc.problems]
    clauses = current_clauses(templates)
    catalogue = load_catalogue()
    problems: list[Problem] = []
    data = document.data
    for key in data:
        if key != "clauses":
            problems.append(
                Problem(
                    path,
                    document.line_of((key,)),
                    str(key),
                    "unknown key; the file has one, 'clauses:', with a clause id under it "
                    "for each clause it changes",
                )
            )
    found = data.get("clauses") or {}
    if not isinstance(found, dict):
        problems.append(
            Problem(
                path,
                document.line_of(("clauses",)),
                "clauses",
                "expected a clause id under 'clauses:' for each clause it changes",
            )
        )
        return {}, problems
    if len(found) > MAX_ENTRIES:
        problems.append(
            Problem(
                path,
                document.line_of(("clauses",)),
                "clauses",
                f"more than {MAX_ENTRIES:,} clauses; no document has so many",
            )
        )
        return {}, problems
    entries: dict[str, Entry] = {}
    new_ids: set[str] = set()
    for ident, value in found.items():
        ident = str(ident)
        line = document.line_of(("clauses", ident)) or 0
        entry, said = _entry(ident, value, line, path, document, clauses, catalogue, new_ids)
        problems += said
        if entry is not None and not said:
            entries[ident] = entry
    return entries, problems[:50]


def _wording_words(text: str) -> str:
    return text.replace("a profile starts with 'network:'", "a wording file starts with 'clauses:'")


def _entry(
    ident: str,
    value: object,
    line: int,
    path: str,
    document: YamlDocument,
    clauses: Mapping[str, Clause],
    catalogue: Catalogue,
    new_ids: set[str],
) -> tuple[Entry | None, list[Problem]]:
    """Return one clause's entry and its problems (an entry with problems is not used)."""
    reader = _EntryReader(ident, line, path, document, new_ids)
    clause = clauses.get(ident)
    if clause is None:
        return None, [reader.problem(_unknown_id(ident, clauses, catalogue))]
    if isinstance(value, str):  # the short forms: `id: omit`, `id: new text`
        value = {"omit": True} if value.strip() == "omit" else {"text": value}
    if not isinstance(value, dict) or not value:
        return None, [
            reader.problem(
                "expected the clause's new text, 'omit', or keys text, omit, add_after and pinned"
            )
        ]
    reader.unknown_keys(value)
    omit = value.get("omit", False)
    if omit not in (True, False):
        reader.problem("omit is true or false")
    text = reader.text(value.get("text"), clause)
    if omit is True and text is not None:
        reader.problem("a clause is either omitted or given new text, not both")
    pinned = reader.pinned(value.get("pinned", ""))
    additions = reader.additions(value.get("add_after") or [], clause, set(clauses))
    if omit is not True and text is None and not additions and not reader.problems:
        reader.problem("says nothing to do: give text, omit or add_after")
    return Entry(ident, line, text, omit is True, additions, pinned), reader.problems


def _unknown_id(ident: str, clauses: Mapping[str, Clause], catalogue: Catalogue) -> str:
    """Return why an id is not a clause's: retired (and what replaces it), or a near miss."""
    if ident in catalogue.retired:
        return f"this clause was retired; {catalogue.retired[ident]}"
    kind, _, rest = ident.partition(".")
    same = {i.partition(".")[2]: i for i in clauses if i.startswith(kind + ".")}
    near = difflib.get_close_matches(rest, list(same), n=1, cutoff=0.75)
    hint = f" (did you mean {same[near[0]]}?)" if near else ""
    return f"no clause has this id{hint}; `pcndocs clauses` lists them"


@dataclass
class _EntryReader:
    """Reads the keys of one clause's entry, gathering problems at their lines."""

    ident: str
    line: int
    path: str
    document: YamlDocument
    new_ids: set[str]  # the ids of clauses added so far in the file
    problems: list[Problem] = field(default_factory=list)

    def problem(self, text: str, *keys: str | int) -> Problem:
        """Record a problem at the line of a key under this clause (or of the clause)."""
        at = self.document.line_of(("clauses", self.ident, *keys)) if keys else None
        found = Problem(self.path, at or self.line, self.ident, text)
        self.problems.append(found)
        return found

    def unknown_keys(self, value: Mapping[object, object]) -> None:
        for key in value:
            if key not in _ENTRY_KEYS:
                self.problem(
                    f"unknown key '{key}'; a clause takes {', '.join(_ENTRY_KEYS)}", str(key)
                )

    def text(self, text: object, clause: Clause) -> str | None:
        """Return the clause's new text, checked, or None if it has none."""
        if text is None:
            return None
        if not isinstance(text, str) or not text.strip():
            self.problem("text is the clause's new wording, in plain words", "text")
            return None
        for said in text_problems(text, clause):
            self.problem(said, "text")
        if clause.per_item:
            self.problem(
                "this list prints one clause for each of its items, so it cannot take one text; "
                f"give an item new text by its own id ({clause.id}.<item>; `pcndocs clauses` "
                "lists them), or omit the list, or add a clause after it",
                "text",
            )
        elif clause.repeated:
            self.problem(
                "this clause is printed once for each practice, director or lead, so it cannot "
                "take one text; omit it, or add a clause after it",
                "text",
            )
        return text.strip()  # a YAML block's last line break is not part of the clause

    def pinned(self, pinned: object) -> str:
        if isinstance(pinned, str) and (not pinned or re.fullmatch(r"[0-9a-f]{16}", pinned)):
            return pinned
        self.problem(
            "pinned is the 16-character fingerprint `pcndocs clauses --pin` writes; delete it "
            "and pin again",
            "pinned",
        )
        return ""

    def additions(self, raw: object, clause: Clause, known: set[str]) -> tuple[Addition, ...]:
        """Return the clauses added after this one (one, or a list of them), checked."""
        items = raw if isinstance(raw, list) else [raw]
        found = []
        for index, item in enumerate(items):
            keys: tuple[str | int, ...] = (
                ("add_after", index) if isinstance(raw, list) else ("add_after",)
            )
            addition = self.addition(item, keys, clause, known)
            if addition is not None:
                found.append(addition)
        return tuple(found)

    def addition(
        self, item: object, keys: tuple[str | int, ...], clause: Clause, known: set[str]
    ) -> Addition | None:
        if not isinstance(item, dict) or set(item) != {"id", "text"}:
            self.problem("add_after takes the new clause's id and text", *keys)
            return None
        new, words = str(item["id"]), item["text"]
        said_of_id, said_of_text = addition_problems(
            self.ident, clause, new, words, known | self.new_ids
        )
        for said in said_of_id:
            self.problem(said, *keys, "id")
        for said in said_of_text:
            self.problem(said, *keys, "text")
        if not isinstance(words, str) or not words.strip():
            return None
        self.new_ids.add(new)
        return Addition(new, words.strip())


def addition_problems(
    after: str, clause: Clause, new: str, words: object, taken: set[str]
) -> tuple[list[str], list[str]]:
    """Return what is wrong with a clause added after another: with its id, with its text.

    `taken` is every id in use (the templates' clauses, and the other added ones).
    """
    at_id: list[str] = []
    document = after.split(".", 1)[0] + "."
    if not CLAUSE_ID.fullmatch(new) or not new.startswith(document):
        at_id.append(
            f"the new clause's id must start with {document} and be words of small "
            "letters, digits and hyphens joined by dots"
        )
    elif new in taken:
        at_id.append(f"another clause already has the id {new}; choose another")
    if not isinstance(words, str) or not words.strip():
        return at_id, ["the new clause's text is its wording, in plain words"]
    return at_id, text_problems(words, clause)


def text_problems(text: str, clause: Clause) -> list[str]:
    """Return what is wrong with a house text for a clause (Jinja, a field, the numbering)."""
    problems: list[str] = []
    if len(text) > MAX_CLAUSE_TEXT:
        return [f"the text is longer than {MAX_CLAUSE_TEXT:,} characters"]
    if _JINJA.search(text):
        return [
            "template code ({{ }}, {% %}) is not accepted in house wording; name a value "
            "as {network.name} (`pcndocs clauses --fields` lists them)"
        ]
    if "{@" in text:
        return ["clause ids ({@...}) are set by pcndocs, not in house wording"]
    for name in _FIELD.findall(text):
        if name not in FIELD_NAMES:
            near = difflib.get_close_matches(name, list(FIELD_NAMES), n=1)
            hint = f" (did you mean {{{near[0]}}}?)" if near else ""
            problems.append(f"no field {{{name}}}{hint}; `pcndocs clauses --fields` lists them")
    lines = text.strip("\n").split("\n")
    if clause.kind == "heading" and len(lines) > 1:
        problems.append("a heading's text is one line")
    for number, line in enumerate(lines, start=1):
        if _BREAKS_NUMBERING.match(line):
            problems.append(
                f"line {number} of the text starts like a heading, list, table or quote "
                f"({line.strip()[:20]!r}), which would break the document's numbering; "
                "start it with a word (add a clause after this one for a new numbered clause)"
            )
            break
    if not problems and not _only_paragraphs(_parse(substitute(text, {}))):
        problems.append(
            "the text makes something other than paragraphs (an indented code "
            "block?); write it as plain sentences"
        )
    return problems


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Return a house text with each {field} replaced by its value (Markdown), or 'x'."""
    result = _FIELD.sub(lambda m: values.get(m.group(1), "x"), text.strip("\n"))
    if len(result) > MAX_TEXT:
        raise WordingLimitError(f"a house text would make more than {MAX_TEXT:,} characters")
    return result


class WordingLimitError(PcndocsError):
    """A house text whose fields would make it longer than any document may be."""


# Applying the wording to a document's parsed blocks.


def apply_wording(
    tokens: list[Token], entries: Mapping[str, Entry], values: Mapping[str, str]
) -> list[Token]:
    """Return a document's block tokens with the house wording's clauses put in."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        entry = _entry_for(token, entries) if token.nesting == 1 else None
        if entry is None:
            out.append(token)
            i += 1
            continue
        end = (
            _section_end(tokens, i)
            if entry.omit and token.type == "heading_open"
            else _close(tokens, i)
        )
        block = tokens[i : end + 1]
        if not entry.omit:
            if entry.text is not None:
                block = _replaced(block, substitute(entry.text, values))
            inner = apply_wording(block[1:-1], entries, values)
            out += [block[0], *inner, block[-1]]
        # An added list item is tight or loose as the item it follows.
        tight = i + 1 < len(tokens) and tokens[i + 1].hidden
        for addition in entry.add_after:
            out += _added(token, addition.id, substitute(addition.text, values), tight)
        i = end + 1
    return out


def _entry_for(token: Token, entries: Mapping[str, Entry]) -> Entry | None:
    """Return the entry for a block: its own id's, or (one item of a list printed once per
    data item) its list's, which applies to every item the file does not word by its own id."""
    found = entries.get(str(token.meta.get("clause", "")))
    group = token.meta.get("clause_group")
    return found if found is not None or not group else entries.get(str(group))


def _close(tokens: Sequence[Token], start: int) -> int:
    """Return the index of the token that closes the block opened at start."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def _section_end(tokens: Sequence[Token], start: int) -> int:
    """Return the last token of a heading's section: before the next heading as high."""
    level = int(tokens[start].tag[1:])
    for index in range(_close(tokens, start) + 1, len(tokens)):
        token = tokens[index]
        if token.type == "heading_open" and int(token.tag[1:]) <= level:
            return index - 1
    return len(tokens) - 1


def _parse(text: str) -> list[Token]:
    return parse_tokens(text)


def _only_paragraphs(tokens: Iterable[Token]) -> bool:
    return all(t.type in ("paragraph_open", "inline", "paragraph_close") for t in tokens)


def _paragraphs(text: str, level: int, hidden: bool) -> list[Token]:
    """Return a house text's paragraphs, at a level in the tree, tight as their list is."""
    tokens = _parse(text)
    if not _only_paragraphs(tokens):  # checked when the file was read; never a surprise
        raise WordingLimitError("a house text makes something other than paragraphs")
    for token in tokens:
        token.level += level
        if token.type in ("paragraph_open", "paragraph_close"):
            token.hidden = hidden
    return tokens


def _replaced(block: list[Token], text: str) -> list[Token]:
    """Return a clause's block with its own text replaced and anything nested in it kept."""
    opening = block[0]
    if opening.type == "heading_open":
        (inline,) = [t for t in _parse(text) if t.type == "inline"][:1]
        inline.level = opening.level + 1
        return [opening, inline, block[-1]]
    if opening.type == "paragraph_open":
        new = _paragraphs(text, opening.level, opening.hidden)
        new[0].meta = dict(opening.meta)
        return new
    # A list item: its paragraphs give way to the text; a list nested in it stays.
    nested = next(
        (k for k in range(1, len(block) - 1) if block[k].type.endswith("_list_open")),
        len(block) - 1,
    )
    first = block[1]
    new = _paragraphs(text, first.level, first.hidden)
    return [opening, *new, *block[nested:]]


def _added(after: Token, ident: str, text: str, tight: bool = True) -> list[Token]:
    """Return a new clause of the same kind as the one it follows, with its own id."""
    if after.type == "list_item_open":
        opening = Token(
            "list_item_open",
            "li",
            1,
            level=after.level,
            markup=after.markup,
            info=after.info,
            block=True,
            meta={"clause": ident},
        )
        closing = Token(
            "list_item_close", "li", -1, level=after.level, markup=after.markup, block=True
        )
        return [opening, *_paragraphs(text, after.level + 1, tight), closing]
    new = _paragraphs(text, after.level, False)
    new[0].meta = {"clause": ident}
    return new


# What the wording means for a network's pack: notes for `check`, `build` and still-to-agree.


@dataclass(frozen=True)
class WordingNotes:
    """What a pack takes from the house wording, and the clauses whose built-in text moved."""

    used: list[str] = field(default_factory=list)  # "schedule-1.x: replaced", one a clause
    warnings: list[Problem] = field(default_factory=list)


def wording_notes(
    wording: Wording, templates: Templates | None = None, catalogue: Catalogue | None = None
) -> WordingNotes:
    """Return which clauses the wording changes, and a warning for each to review."""
    clauses = current_clauses(templates)
    catalogue = catalogue or load_catalogue()
    notes = WordingNotes()
    for ident, entry in wording.entries.items():
        notes.used.append(f"{ident}: {entry.describe()}")
        clause = clauses.get(ident)
        if clause is None or not entry.changes_text:
            continue
        warning = _moved(entry, clause, catalogue, wording.path)
        if warning:
            notes.warnings.append(Problem(wording.path, entry.line, ident, warning))
    return notes


@dataclass(frozen=True)
class Moved:
    """Why a house clause is to review: its built-in text is not the one it was pinned to."""

    what: str  # "replaces" or "omits"
    when: str  # "in pcndocs 0.2.0, contract year 2027/28", or "in your templates folder"
    recorded: bool  # whether the text it was pinned to is one pcndocs recorded


def moved_since_pinned(entry: Entry, clause: Clause, catalogue: Catalogue) -> Moved | None:
    """Return how a pinned clause's built-in text moved, or None if it is as pinned."""
    if not entry.pinned or entry.pinned == clause.fingerprint:
        return None
    now = catalogue.version(clause.id, clause.fingerprint)
    when = "in your templates folder" if now is None else f"in {now[1].since}"
    recorded = catalogue.version(clause.id, entry.pinned) is not None
    return Moved("omits" if entry.omit else "replaces", when, recorded)


def _moved(entry: Entry, clause: Clause, catalogue: Catalogue, path: str) -> str:
    """Return why a replaced clause needs review, or '' if its built-in text is as pinned.

    In the words of the command line (`check`, `build`); the wording page says it in its own
    (in_page_review).
    """
    what = "omits" if entry.omit else "replaces"
    if not entry.pinned:
        return (
            f"your wording {what} this clause but does not record which built-in text it "
            f"replaced: run `pcndocs clauses --pin --wording {path}` so you are told when "
            "that text changes"
        )
    moved = moved_since_pinned(entry, clause, catalogue)
    if moved is None:
        return ""
    known = "" if moved.recorded else " (the text you pinned is not one pcndocs recorded)"
    return (
        f"your wording {moved.what} {clause.id}, whose national text changed {moved.when}"
        f"{known}: review it (`pcndocs clauses --changed --wording {path}` shows what changed, "
        "and --pin records that you have)"
    )


def in_page_review(moved: Moved) -> str:
    """Return why a house clause is to review, as the wording page says it (no commands)."""
    done = "left this clause out" if moved.what == "omits" else "gave this clause your own text"
    known = "" if moved.recorded else " (the text it had then is not one pcndocs recorded)"
    return (
        f"The built-in text of this clause changed {moved.when}, after your house wording "
        f"{done}{known}."
    )


def wording_digest(path: Path | None) -> str:
    """Return the SHA-256 of a wording file's bytes ('' for none, or one not readable)."""
    if path is None:
        return ""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def wording_for(path: Path, templates: Templates | None = None, text: str | None = None) -> Wording:
    """Return a wording file, read and checked once a process while its text is the same.

    `text`, if given, is used instead of the file's (the browser's editor previews a draft).
    """
    return _wording_of(str(path), read_text(path) if text is None else text, templates)


@cache
def _wording_of(path: str, text: str, templates: Templates | None) -> Wording:
    return parse_wording(text, path, templates)


@cache
def _builtin_clauses() -> dict[str, Clause]:
    return all_clauses(Templates(builtin_templates()))


def current_clauses(templates: Templates | None) -> dict[str, Clause]:
    """Return the clauses of the templates in use (the built-in ones read once a process)."""
    if templates is None or templates.user is None:
        return _builtin_clauses()
    return all_clauses(templates)


# Changing the file: pins, and one clause set, omitted or reset (the browser's editor).


def pin(path: Path, templates: Templates | None = None) -> list[str]:
    """Write into a wording file the fingerprint of each clause's built-in text it changes.

    The rest of the file (other keys, comments) is kept; returns the ids pinned. The file is
    read once and written only if it still holds what was read (files.replace_if_unchanged):
    a hand edit saved meanwhile is never written over.
    """
    text, read = _read_for_change(path, must_exist=True)
    wording = parse_wording(text, str(path), templates)
    clauses = current_clauses(templates)
    pinned = []
    for ident, entry in wording.entries.items():
        fingerprint = clauses[ident].fingerprint
        if entry.changes_text and entry.pinned != fingerprint:
            text = _rewrite_entry(text, str(path), ident, replace(entry, pinned=fingerprint))
            pinned.append(ident)
    if pinned:
        parse_wording(text, str(path), templates)  # never write a file that would not load
        replace_if_unchanged(path, text.encode("utf-8"), read)
    return pinned


def set_clause(
    path: Path,
    ident: str,
    text: str | None = None,
    omit: bool = False,
    templates: Templates | None = None,
    add_after: Sequence[Addition] | None = None,
) -> Wording:
    """Give one clause new text, omit it, or (neither) reset it to the built-in text; save.

    `add_after` replaces the clauses added after it (None keeps them; () removes them). The
    file is written atomically, its other entries and comments kept, and the clause pinned to
    the built-in text it now replaces, only if it still holds what was read (a hand edit
    saved meanwhile is a ChangedMeanwhileError, never written over). Raises WordingError if
    the result would not load (an unknown id or field, Jinja, a list marker), leaving the
    file as it was.
    """
    source, read = _read_for_change(path, must_exist=False)
    new = with_clause(source, str(path), ident, text, omit, templates, add_after)
    wording = parse_wording(new, str(path), templates)
    replace_if_unchanged(path, new.encode("utf-8"), read)
    return wording


def _read_for_change(path: Path, must_exist: bool) -> tuple[str, bytes | None]:
    """Return a wording file's text and the bytes it was read from (None: no file yet).

    The bytes are what a change is written against: one read, so the change is worked out
    from exactly what replace_if_unchanged then finds still there.
    """
    raw = read_regular(path, MAX_FILE_BYTES)
    if raw is None:
        if must_exist or path.exists() or path.is_symlink():
            _text_of(path)  # says why it cannot be read: missing, a folder, a pipe, too big
            raise ChangedMeanwhileError(path, None)  # it could be read a moment later
        return "", None
    return decode_text(raw, str(path)), raw


def with_clause(
    source: str,
    path: str,
    ident: str,
    text: str | None = None,
    omit: bool = False,
    templates: Templates | None = None,
    add_after: Sequence[Addition] | None = None,
) -> str:
    """Return a wording file's text with one clause given new text, omitted, or reset.

    Nothing is written and the result is not checked (check_wording says what is wrong with
    it): the browser's editor previews and checks a clause's text before it is saved. The
    file's own text must load, for the clause's other keys (add_after) to be kept.
    """
    clauses = current_clauses(templates)
    known = parse_wording(source, path, templates).entries.get(ident) if source.strip() else None
    added = tuple(add_after) if add_after is not None else known.add_after if known else ()
    changes = text is not None or omit
    pinned = clauses[ident].fingerprint if ident in clauses and changes else ""
    # Neither text, omission nor additions: reset, the clause is the built-in one again.
    entry = (
        Entry(ident, 0, None if omit else text, omit, added, pinned) if changes or added else None
    )
    return _rewrite_entry(source, path, ident, entry)


def with_additions(
    source: str,
    path: str,
    ident: str,
    additions: Sequence[Addition],
    templates: Templates | None = None,
) -> str:
    """Return a wording file's text with the clauses added after one clause replaced.

    The clause's own entry (its text, omission and pin) is kept as it is: adding a clause
    after one whose built-in text moved does not mark it reviewed. Nothing is written and
    the result is not checked (the wording page checks it, then saves it).
    """
    known = parse_wording(source, path, templates).entries.get(ident) if source.strip() else None
    entry = replace(known or Entry(ident, 0), add_after=tuple(additions))
    return _rewrite_entry(
        source, path, ident, entry if entry.changes_text or entry.add_after else None
    )


def _rewrite_entry(text: str, path: str, ident: str, entry: Entry | None) -> str:
    """Return a wording file's text with one clause's entry replaced, added or removed."""
    lines = text.split("\n")
    document = parse_yaml(text, path) if text.strip() else YamlDocument(path, {})
    start = document.lines.get(("clauses", ident))
    new = _entry_lines(entry) if entry is not None else []
    if start is None:
        body = re.sub(r"(?m)^clauses:[ \t]*(?:\{\}|null|~)?[ \t]*$", "clauses:", text)
        if body and not body.endswith("\n"):
            body += "\n"
        if "clauses" not in document.data:
            body += "clauses:\n"
        return body + "".join(line + "\n" for line in new)
    first = start - 1
    indent = _indent(lines[first])
    end = first + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.lstrip().startswith("#") and _indent(line) <= indent:
            break
        end += 1
    while end - 1 > first and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1  # blank lines and comments before the next clause are the next clause's
    return "\n".join(lines[:first] + new + lines[end:])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _entry_lines(entry: Entry) -> list[str]:
    """Return an entry as the lines of the file, indented under 'clauses:'."""
    lines = [f"  {entry.id}:"]
    if entry.omit:
        lines.append("    omit: true")
    if entry.text is not None:
        lines += ["    text: |", *_block(entry.text, 6)]
    if entry.add_after:
        lines.append("    add_after:")
    for addition in entry.add_after:
        lines += [f"      - id: {addition.id}", "        text: |", *_block(addition.text, 10)]
    if entry.pinned:
        lines.append(f"    pinned: {entry.pinned}")
    return lines


def _block(text: str, indent: int) -> list[str]:
    return [(" " * indent + line) if line.strip() else "" for line in text.strip("\n").split("\n")]


# What the browser's editor shows: each clause of a document, built-in and house text.


@dataclass(frozen=True)
class ClauseView:
    """One clause of a document as the wording editor lists it."""

    id: str
    kind: str  # "heading", "item" or "paragraph"
    section: str  # the heading it sits under, as the template writes it
    source: str  # the built-in template source, every branch ("or:" between them)
    fingerprint: str  # of that source: what saving house text pins
    repeated: bool  # printed once per practice, director or lead: omit or add after only
    per_item: bool  # a list whose every data item is a clause of its own, listed after it
    rendered: str  # its built-in text for the profile, plain ('' where the profile has none)
    house: Entry | None  # what the house wording does to it, if anything
    house_rendered: str  # the house text for the profile, plain ('' if none)
    changed: str  # why the house text needs review (its built-in text moved), or '', in
    # the page's words: what to do is the page's buttons, not a command


def clause_views(
    document: str,
    shared: NetworkContext | None = None,
    facts: Facts | None = None,
    wording: Wording | None = None,
    templates: Templates | None = None,
) -> list[ClauseView]:
    """Return the clauses of one document (its --doc name), with their texts for a network.

    `shared` is the network's context (render.context.network_context of a profile); without
    it the rendered texts are ''. A lead's document is shown for the network's first lead.
    """
    from pcndocs.render.clauses import document_clauses, document_named
    from pcndocs.render.context import lead_documents, render_context
    from pcndocs.render.document import clause_prefix, parse_markdown

    templates = templates or Templates(builtin_templates())
    kind = document_named(document)
    builtin: dict[str, str] = {}
    housed: dict[str, str] = {}
    entries = wording.for_prefix(clause_prefix(kind.template)) if wording else {}
    if shared is not None and facts is not None:
        leads = lead_documents(shared) if kind.per_lead else [None]
        if leads:
            variables = render_context(shared, facts, leads[0]).variables()
            text = templates.render(kind.template, variables)
            builtin = clause_texts(parse_markdown(text, kind.template).tree)
            if entries:
                edit = partial(apply_wording, entries=entries, values=field_values(variables))
                housed = clause_texts(parse_markdown(text, kind.template, edit).tree)
    catalogue = load_catalogue()
    views = []
    for clause in document_clauses(templates, kind):
        entry = entries.get(clause.id)
        moved = moved_since_pinned(entry, clause, catalogue) if entry else None
        views.append(
            ClauseView(
                clause.id,
                clause.kind,
                clause.section,
                clause.source,
                clause.fingerprint,
                clause.repeated,
                clause.per_item,
                builtin.get(clause.id, ""),
                entry,
                housed.get(clause.id, "") if entry and entry.text is not None else "",
                in_page_review(moved) if moved else "",
            )
        )
    return views


def clause_texts(tree: SyntaxTreeNode) -> dict[str, str]:
    """Return the plain text of each clause of a tree, by id (a list item's own words only)."""
    from pcndocs.render.document import clause_id, plain_text

    texts: dict[str, str] = {}
    for node in tree.walk():
        ident = clause_id(node)
        if not ident or ident in texts:  # a repeated clause: its first
            continue
        own = [c for c in node.children if not c.type.endswith("_list")] or [node]
        texts[ident] = " ".join(plain_text(c).strip() for c in own).strip()
        group = node.meta.get("clause_group")
        if group:  # the list of items printed once per data item reads as its first
            texts.setdefault(str(group), texts[ident])
    return texts


# Honour or warn: a profile's value that only a replaced or omitted clause stated.

# Each section of a profile and the names its values go by in the templates, the house
# wording's field name (section.key) last.
_SECTIONS = {
    "appointment": ("a", "appointment"),
    "governance": ("g", "governance"),
    "network": ("network",),
    "document_control": ("control",),
    "job_description": ("job",),
}
# The lists of a profile and the names a loop gives their items (None: any name, `.key`).
_LISTS: dict[str, tuple[str, ...] | None] = {
    "practices": None,
    "clinical_directors": ("d", "director", r"directors\[[0-9]+\]"),
    "leads": None,
}
# Values the templates are also given under a name of their own.
_ALSO = {("job_description", "working_relationships"): "working_relationships"}
# Not in quotes: proposed(..., "appointment.tie_break") names a key, and states nothing.
_UNQUOTED = r"(?<![\"'])"


def _set_values(profile: Profile) -> Iterator[tuple[KeyPath, re.Pattern[str], str]]:
    """Yield (key path, how the templates name it, its field name) of each value set."""
    for section, names in _SECTIONS.items():
        rules = getattr(profile, section)
        for key in sorted(rules.model_fields_set):
            ways = [rf"{_UNQUOTED}\b(?:{'|'.join(names)})\.{key}\b"]
            also = _ALSO.get((section, key))
            if also:
                ways.append(rf"{_UNQUOTED}\b{also}\b")
            yield (section, key), re.compile("|".join(ways)), f"{names[-1]}.{key}"
    for section, item_names in _LISTS.items():
        named = rf"\b(?:{'|'.join(item_names)})" if item_names else ""
        for index, item in enumerate(getattr(profile, section)):
            for key in sorted(item.model_fields_set):
                pattern = re.compile(rf"{_UNQUOTED}{named}\.{key}\b")
                yield (section, index, key), pattern, ""


def unstated_values(
    loaded: LoadedProfile, wording: Wording, templates: Templates | None = None
) -> list[Problem]:
    """Return a warning for each value the profile sets that no document shows any more.

    A house text that replaces (or omits) the only clause stating a value the profile sets,
    without naming it as a field, would leave that value with no effect: say so, at its key.
    A section's value is found by its name in the templates (a.term_years, network.area); a
    list item's by its key on any item (.signatory), so a key other lists share is taken as
    still stated wherever any of them is.
    """
    changed = {i: e for i, e in wording.entries.items() if e.changes_text}
    if not changed:
        return []
    clauses = current_clauses(templates)
    gone = {line for ident in changed if ident in clauses for line in clauses[ident].lines}
    remaining = _template_text(templates, gone)
    # A choice (tie_break, chair) is stated by which of a clause's branches is printed, a
    # list (working_relationships) by the loop that prints a clause once per item.
    choosing = _choosing_lines(templates, clauses.values())
    still_choosing = "\n".join(text for i, text in choosing.items() if i not in changed)
    found = []
    for path, pattern, field_name in _set_values(loaded.profile):
        if pattern.search(remaining) or pattern.search(still_choosing):
            continue  # another clause, table or sentence still states it
        stating = [
            i
            for i in changed
            if i in clauses
            and (pattern.search(clauses[i].source) or pattern.search(choosing.get(i, "")))
            and not (field_name and f"{{{field_name}}}" in (changed[i].text or ""))
        ]
        if stating:
            what = "omits" if changed[stating[0]].omit else "replaces"
            found.append(
                loaded.problem(
                    path,
                    f"the house wording ({Path(wording.path).name}) {what} {stating[0]}, "
                    "the only clause that states this value, so no document shows it: "
                    f"word it into that clause's house text{_as_field(field_name)}, or "
                    "take it out of the profile",
                )
            )
    return found


# A line of only {% ... %}: it decides which words are printed, and prints none itself.
_CONTROL_LINE = re.compile(r"^\s*\{%.*%\}\s*$")


def _choosing_lines(templates: Templates | None, clauses: Iterable[Clause]) -> dict[str, str]:
    """Return, by clause id, the {% if %} lines that choose between a clause's branches, and
    the {% for %} line that prints a repeated clause once per item of a list."""
    templates = templates or Templates(builtin_templates())
    found: dict[str, str] = {}
    for clause in clauses:
        if len(set(clause.branches)) < 2 and not clause.repeated:
            continue  # one text, whichever branch: the choice states nothing here
        for name in {template for template, _line in clause.lines}:
            numbers = [line for template, line in clause.lines if template == name]
            text = (templates.read_text(name) or "").split("\n")
            # From the line before its first branch to its last: the ifs that pick the branch.
            span = text[max(min(numbers) - 2, 0) : max(numbers)]
            found[clause.id] = "\n".join(
                [found.get(clause.id, ""), *(line for line in span if _CONTROL_LINE.match(line))]
            )
    return found


def _as_field(name: str) -> str:
    return f" (as {{{name}}})" if name in FIELD_NAMES else ""


def _template_text(templates: Templates | None, leave_out: set[tuple[str, int]]) -> str:
    """Return the source of every template and partial, without the lines left out."""
    from pcndocs.render.clauses import documents_once

    templates = templates or Templates(builtin_templates())
    names = [kind.template for kind in documents_once()]
    names += [f"partials/{p.name}" for p in (builtin_templates() / "partials").glob("*.md")]
    kept = [
        line
        for name in names
        for number, line in enumerate((templates.read_text(name) or "").split("\n"), start=1)
        if (name, number) not in leave_out and not _CONTROL_LINE.match(line)
    ]
    return "\n".join(kept)
