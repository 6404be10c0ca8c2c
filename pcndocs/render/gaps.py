"""What a built document still leaves open: its placeholders, each with its document and section.

A blank build lists them in still-to-agree.txt; a finished build warns about any that remain,
so `--strict` fails on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from pcndocs.profile.items import LISTS, item_name
from pcndocs.profile.model import Profile
from pcndocs.render.document import Document, plain_text
from pcndocs.render.templating import PLACEHOLDER_KINDS, PlaceholderKind


@dataclass(frozen=True)
class Gap:
    """One placeholder in a document: where it is and what it says."""

    document: str  # the document's title
    heading: str  # the section's heading above it; "" before the first section
    clause: str  # the bold title of the numbered clause it is in, or ""
    text: str  # its words, such as "to be agreed: PCN code"

    @property
    def section(self) -> str:
        """Return where it is in words: "section 'Decisions', clause 'Quorum'", "at the top"."""
        if not self.heading:
            return "at the top"
        where = f"section '{self.heading}'"
        return f"{where}, clause '{self.clause}'" if self.clause else where

    @property
    def kind(self) -> PlaceholderKind:
        """Return what the placeholder is: 'to be agreed', 'proposed' or 'incomplete'."""
        head = self.text.split(":", 1)[0].strip()
        return next((kind for kind in PLACEHOLDER_KINDS if kind == head), "to be agreed")

    @property
    def words(self) -> str:
        """Return what the placeholder says is missing, without its kind.

        A template's own `[[words]]` (no kind first) is all words: the date, the chair's name.
        """
        head, _colon, rest = self.text.partition(":")
        return rest.strip() if head.strip() in PLACEHOLDER_KINDS else self.text.strip()


# A placeholder as plain text shows it: [to be agreed: the workstream].
_SHOWN = re.compile(r"\[(?:to be agreed|proposed|incomplete): ([^\]]*)\]")


def placeholders(document: Document, name: str = "") -> list[Gap]:
    """Return every placeholder in a document, in order, with the section it is in.

    name is how to call the document, where not by its title; before its first section, a
    placeholder is in the table at its top. A heading that holds a placeholder is named by
    the placeholder's words.
    """
    found: list[Gap] = []
    heading = ""
    for node in _walk(document.tree):
        if node.type == "heading" and node.tag != "h1":
            heading = _SHOWN.sub(r"\1", plain_text(node).strip())
        elif node.type == "placeholder":
            text = " ".join(node.content.split())
            found.append(Gap(name or document.title, heading, _clause(node), text))
    return found


def _clause(node: SyntaxTreeNode) -> str:
    """Return the bold title of the numbered clause a node is in, or ''."""
    item = None
    current = node.parent
    while current is not None:
        parent = current.parent
        if current.type == "list_item" and parent is not None and parent.type == "ordered_list":
            item = current  # keep climbing: the outermost clause names it
        current = current.parent
    if item is None or not item.children:
        return ""
    strong = next((n for n in _walk(item.children[0]) if n.type == "strong"), None)
    return plain_text(strong).strip() if strong is not None else ""


def _walk(node: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


_INDEXED = re.compile(rf"^({'|'.join(LISTS)})\[(\d+)\](?:\.(.+))?$")


def plain_key(key: str, profile: Profile) -> str:
    """Return a profile key in words a reader knows: practices[1] is practice 2 and its name."""
    match = _INDEXED.match(key)
    if match:
        items: list[object] = list(getattr(profile, match[1]))
        index = int(match[2])
        item = items[index] if index < len(items) else None
        who = item_name(match[1], index, getattr(item, "name", None))
        field = (match[3] or "details").replace("_", " ").replace(".", ", ")
        return f"{who}: {field}"
    if key == "clinical_directors":
        return "the clinical director: name, practice and sessions"
    parts = key.split(".")
    words = parts[-1].replace("_", " ")
    return f"{words} ({parts[0].replace('_', ' ')})" if len(parts) > 1 else words


def document_lines(gaps: Iterable[Gap]) -> list[str]:
    """Return what the documents leave to agree: one plain sentence for each thing, once,
    with every document, section and clause it appears in.

    A proposal is listed with its words among the proposals, so not here; nor is a bare
    [incomplete] after a figure: the missing list size it comes from is listed already.
    """
    # (kind, words) -> document -> heading -> clauses, each in the order first met
    grouped: dict[tuple[str, str], dict[str, dict[str, list[str]]]] = {}
    for gap in gaps:
        if gap.kind != "proposed" and gap.words:
            documents = grouped.setdefault((gap.kind, gap.words), {})
            clauses = documents.setdefault(gap.document, {}).setdefault(gap.heading, [])
            if gap.clause not in clauses:
                clauses.append(gap.clause)
    lines = []
    for (kind, words), documents in grouped.items():
        where = "; ".join(f"{doc}, {_places(headings)}" for doc, headings in documents.items())
        if kind == "incomplete":
            lines.append(f"- Incomplete figures ({words}): {where}.")
        else:
            lines.append(f"- Agree {words}: {where}.")
    return lines


def _places(headings: dict[str, list[str]]) -> str:
    """Return where in one document: "at the top and sections 'Pay' (clause 'Rate') and
    'Review'"."""
    sections = []
    for heading, clauses in headings.items():
        if not heading:
            continue
        named = [f"'{c}'" for c in clauses if c]
        clause = f" (clause{'s' if len(named) > 1 else ''} {_and(named)})" if named else ""
        sections.append(f"'{heading}'{clause}")
    parts = ["at the top"] if "" in headings else []
    if sections:
        parts.append(f"section{'s' if len(sections) > 1 else ''} {_and(sections)}")
    return " and ".join(parts)


def _and(items: list[str]) -> str:
    """Return items joined as English lists them; items with commas of their own, by ';'."""
    if len(items) < 2:
        return "".join(items)
    # A comma inside a quoted name ('Time, funding and pay') divides nothing.
    if any("," in re.sub(r"'[^']*'", "", item) for item in items):
        return "; ".join(items[:-1]) + "; and " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


# A default's value in words, as Schedule 1 states it.
_VALUE_WORDS = {
    "one_practice_one_vote": "one practice, one vote",
    "list_size_weighted": "votes weighted by list size",
    "simple": "more than half of the votes",
    "two_thirds": "at least two thirds of the votes",
    "unanimous": "the votes of every member practice",
    "second_ballot": "a second vote, then drawing lots",
    "drawing_lots": "drawing lots",
    "joint_appointment": "offering the role to both candidates jointly",
    "nominated_by_practices": "an interim director the member practices choose",
    "deputy": "the named deputy",
    "clinical_director": "the clinical director",
    "elected_by_members": "a representative the members elect",
}
_SCHEDULE = "Schedule 1"
_MEETS = "How the network meets and decides"
_APPOINTS = "Appointing the clinical director"
# Where Schedule 1 states each default, and what it proposes, with {} for the value.
_PROPOSALS: dict[str, tuple[str, str | None, str]] = {
    "appointment.term_years": (_APPOINTS, "Term of office", "a term of office of {} years"),
    "appointment.voting": (_APPOINTS, "Voting", "{} when appointing the director"),
    "appointment.majority": (_APPOINTS, "Majority and quorum", "a candidate needs {} cast"),
    "appointment.nomination_days": (
        _APPOINTS,
        "Notice and nominations",
        "nominations stay open for {} days",
    ),
    "appointment.notice_days": (
        _APPOINTS,
        "Notice and nominations",
        "the process starts with {} days' notice",
    ),
    "appointment.quorum_percent": (
        _APPOINTS,
        "Majority and quorum",
        "a vote counts only if {}% of the votes take part",
    ),
    "appointment.tie_break": (_APPOINTS, "If a vote is tied", "a tie is broken by {}"),
    "appointment.max_consecutive_terms": (_APPOINTS, "Reappointment", "{} terms in a row at most"),
    "appointment.resignation_notice_months": (
        _APPOINTS,
        "Resignation",
        "a director resigning gives {} months' notice",
    ),
    "appointment.removal_majority": (_APPOINTS, "Removal", "removing a director needs {}"),
    "appointment.interim_cover": (_APPOINTS, "Interim cover", "a vacancy is covered by {}"),
    "governance.body_name": (_MEETS, None, "the meeting of the member practices is the {}"),
    "governance.representative": (_MEETS, "The {body}", "each practice sends {}"),
    "governance.meetings_per_year": (
        _MEETS,
        "Meetings",
        "the {body} meets at least {} times a year",
    ),
    "governance.notice_days": (_MEETS, "Meetings", "{} days' notice of a meeting"),
    "governance.chair": (_MEETS, "The {body}", "{} chairs the meetings"),
    "governance.quorum_percent": (
        _MEETS,
        "Quorum",
        "a meeting decides only if {}% of the practices or votes are there",
    ),
    "governance.voting": (_MEETS, "Decisions", "{} for the network's decisions"),
    "governance.majority": (_MEETS, "Decisions", "a decision needs {} cast"),
    "governance.unanimous_matters": (
        _MEETS,
        "Decisions that need every practice",
        "these need every practice: {}",
    ),
    "governance.minutes_days": (
        _MEETS,
        "Minutes",
        "the minutes go to every practice within {} days",
    ),
}


def proposal_line(key: str, value: object, body: str) -> str:
    """Return a default the profile leaves unset as a plain sentence: where, and what it is."""
    section, clause, words = _PROPOSALS[key]
    if value is None:
        what = "no limit on the terms a director may serve"  # max_consecutive_terms unset
    elif isinstance(value, list):
        what = words.replace("{body}", body).format("; ".join(str(v) for v in value) or "none")
    else:
        what = words.replace("{body}", body).format(_VALUE_WORDS.get(str(value), str(value)))
    where = f"section '{section}'" + (f", clause '{clause.format(body=body)}'" if clause else "")
    return f"- {_SCHEDULE}, {where}: proposed: {what}. Confirm it, or agree another."


# What each value a blank profile may leave out is, in words a reader knows.
_MISSING_WORDS = {
    "network.name": "the network's name",
    "network.population_date": "the date of the practices' list sizes",
    "network.nominated_payee": "the nominated payee, the practice or provider that receives "
    "the funding",
    "contract_year": "the contract year",
    "practices": "the member practices",
    "appointment.method": "how the clinical director is appointed: selection, election, "
    "or selection followed by election",
    "clinical_directors": "the clinical director: name, practice and sessions a week",
}
_FIELD_WORDS = {
    "name": "name",
    "ods_code": "ODS code",
    "list_size": "list size",
    "practice": "practice",
    "sessions_per_week": "sessions a week",
}


def missing_line(key: str, line: int | None, profile: Profile) -> str:
    """Return a value missing from a blank profile as a plain sentence, with its line."""
    match = _INDEXED.match(key)
    if match:
        items: list[object] = list(getattr(profile, match[1]))
        index = int(match[2])
        item = items[index] if index < len(items) else None
        who = item_name(match[1], index, getattr(item, "name", None))
        field = match[3] or "details"
        what = f"{who}: its {_FIELD_WORDS.get(field, field.replace('_', ' '))}"
    else:
        what = _MISSING_WORDS.get(key) or plain_key(key, profile)
    where = f" (line {line} of the profile)" if line else ""
    return f"- Fill in {what}{where}."
