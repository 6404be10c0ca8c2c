"""What the pages show: the form's values, each message at its field, the figures.

The form is drawn by the Jinja macros in templates/form.html from the nodes of
`fields.profile_form()`; this module gives them the values at each key path and places
each problem at the nearest field that is drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pcndocs import years
from pcndocs.errors import Problem, ProblemKind
from pcndocs.profile.explain import known_beside
from pcndocs.profile.model import Governance
from pcndocs.profile.yamlfile import KeyPath, dotted
from pcndocs.rules.checks import ASSUMED_APPOINTMENT
from pcndocs.rules.facts import Facts
from pcndocs.web.fields import Group, Input, Node, Repeat, humanise, profile_form
from pcndocs.web.formdata import (
    LOCAL_WORKSTREAM,
    OTHER_PROVIDER,
    as_opened,
    field_id,
    show,
    unknown_fields,
)


@dataclass(frozen=True)
class Option:
    """One entry of a drop-down."""

    value: str
    label: str


@dataclass(frozen=True)
class Message:
    """One message of `check`, placed at the field it is about."""

    severity: str  # "error" or "warning"
    key: str
    slot: str  # the key of the drawn field or group it is shown at ("" for none)
    where: str  # the place in words: "Practice 3, List size"
    text: str
    missing: bool = False  # a value still to fill in (a problem of kind "missing")

    @property
    def kind(self) -> str:
        """Return the message's style: an error, a value still missing, or a warning."""
        if self.severity == "error" and self.missing:
            return "missing"
        return self.severity

    @property
    def target(self) -> str:
        """Return the id to link to from the list at the top."""
        return field_id(self.slot) if self.slot else "fields"


# The keys whose default, where the profile sets nothing, is a proposal (checks.assumed_values).
PROPOSALS = frozenset(
    [f"appointment.{name}" for name in ASSUMED_APPOINTMENT]
    + [f"governance.{name}" for name in Governance.model_fields]
)


@dataclass(frozen=True)
class Step:
    """One section of the form as a step: its title and the top-level keys it holds."""

    id: str
    title: str
    keys: tuple[str, ...]


# The form's sections, in the order a PCN manager fills them in. Every top-level key of the
# profile is in one (a test holds this as keys are added to the model).
STEPS = (
    Step("network", "Network", ("network", "contract_year")),
    Step("practices", "Practices", ("practices",)),
    Step("directors", "Directors", ("clinical_directors", "local_cd_responsibilities")),
    Step("appointment", "Appointment", ("appointment",)),
    Step("meetings", "Meetings and decisions", ("governance",)),
    Step("leads", "Leads", ("leads",)),
    Step("pay", "Pay and funding", ("job_description", "funding")),
    Step("control", "Document control", ("document_control",)),
)


@dataclass(frozen=True)
class StepState:
    """What is left to do in a step, as the side list shows it."""

    errors: int
    missing: int
    warnings: int

    @property
    def words(self) -> str:
        """Return the state in words: '1 error, 2 to fill in', or 'Done'."""
        said = []
        if self.errors:
            said.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        if self.missing:
            said.append(f"{self.missing} to fill in")
        if self.warnings:
            said.append(f"{self.warnings} warning{'s' if self.warnings != 1 else ''}")
        return ", ".join(said) if said else "Done"

    @property
    def kind(self) -> str:
        """Return the state's style: error, missing, warning or done."""
        return next(
            (k for k, n in (("error", self.errors), ("missing", self.missing)) if n),
            "warning" if self.warnings else "done",
        )


@dataclass
class FormView:
    """The data a form is drawn from, with its messages and the choices of its drop-downs."""

    data: dict[str, Any]
    facts: Facts
    messages: list[Message] = field(default_factory=list)
    focus: str | None = None  # the id of the element to focus once drawn

    def value(self, path: KeyPath, node: Input) -> str:
        """Return the text a field shows: the value at its path, or the model's default."""
        found = _get(self.data, path)
        if found is None and node.default is not None:
            found = node.default
        return show(found, node)

    def as_opened(self, path: KeyPath, node: Input) -> str | None:
        """Return the record of what the profile holds at a field where its text alone would
        not say (formdata.AS_OPENED): "null" where the field shows its model's default, "[]"
        for an empty list; sent back unchanged, the field keeps it. None for any other."""
        return as_opened(_get(self.data, path), node)

    def proposed(self, path: KeyPath, node: Input) -> bool:
        """Return whether a field shows a default that the documents print as proposed and
        `check` lists to confirm (the appointment's and meetings' rules): the form offers to
        agree it as shown. Other defaults (a director's profession) are not proposals."""
        return self.as_opened(path, node) == "null" and dotted(path) in PROPOSALS

    def raw(self, path: KeyPath) -> Any:
        """Return the data at a key path, or None."""
        return _get(self.data, path)

    def unknown(self) -> list[tuple[str, str, str, str]]:
        """Return (field name, key, value as YAML, message) of each key the form does not know."""
        said = {m.key: m.text for m in self.messages}
        return [
            (name, key, text, said.get(key, f"this profile has a key pcndocs does not know: {key}"))
            for name, key, text in unknown_fields(self.data)
        ]

    def items(self, path: KeyPath) -> list[int]:
        """Return the indexes of a repeatable group's items."""
        found = _get(self.data, path)
        return list(range(len(found))) if isinstance(found, list) else []

    def at(self, key: str) -> list[Message]:
        """Return the messages shown at one field or group."""
        return [m for m in self.messages if m.slot == key]

    def steps(self) -> list[tuple[Step, StepState]]:
        """Return each step of the form with what is left to do in it."""
        found = []
        for step in STEPS:
            mine = [m for m in self.messages if _top(m.key) in step.keys]
            found.append(
                (
                    step,
                    StepState(
                        sum(m.kind == "error" for m in mine),
                        sum(m.kind == "missing" for m in mine),
                        sum(m.kind == "warning" for m in mine),
                    ),
                )
            )
        return found

    def step_nodes(self, step: Step) -> list[Node]:
        """Return the top-level nodes of the form that a step holds, in its order."""
        nodes = {node.name: node for node in profile_form().fields}
        return [nodes[key] for key in step.keys if key in nodes]

    def folded(self, node: Node, path: KeyPath) -> bool:
        """Return whether a field is folded under "More options": optional, with no value
        set and no message at it or inside it."""
        if isinstance(node, Input | Repeat) and node.required:
            return False
        if isinstance(node, Input) and node.shown_with is not None:
            return False  # drawn inside the field it goes with
        if isinstance(node, Group) and not node.optional:
            return False
        if self.raw(path) not in (None, [], {}, ""):
            return False
        key = dotted(path)
        return not any(
            m.slot == key or m.slot.startswith((key + ".", key + "[")) for m in self.messages
        )

    def practices(self, current: str) -> list[Option]:
        """Return the member practices as options, and the current value if it is not one."""
        options = []
        practices = self.data.get("practices")
        for item in practices if isinstance(practices, list) else []:
            if isinstance(item, dict) and isinstance(item.get("ods_code"), str | int):
                code = str(item["ods_code"]).strip().upper()
                name = str(item.get("name") or "").strip()
                options.append(Option(code, f"{name} ({code})" if name else code))
        return _with_current(options, current)

    def payees(self) -> list[Option]:
        """Return the member practices as options, then "another provider"."""
        other = Option(OTHER_PROVIDER, "Another provider (not a member practice)")
        return [*self.practices(""), other]

    def payee_choice(self, path: KeyPath) -> str:
        """Return the payee drop-down's value: a member practice's code, OTHER_PROVIDER for a
        payee the profile names as another provider (or whose code is no member's), or ''."""
        code = str(self.raw(path) or "").strip().upper()
        named = any(self.raw(at) not in (None, "") for at, _node in self.shown_with(path))
        members = {o.value for o in self.practices("")}
        return OTHER_PROVIDER if named or (code and code not in members) else code

    def shown_with(self, path: KeyPath) -> list[tuple[KeyPath, Input]]:
        """Return (key path, node) of each field drawn inside the field at path (the payee's
        provider name), from the group that holds them both."""
        group: Node | None = profile_form()
        for part in path[:-1]:
            group = group.item if isinstance(group, Repeat) else _child(group, str(part))
        fields = group.fields if isinstance(group, Group) else ()
        return [
            ((*path[:-1], n.name), n)
            for n in fields
            if isinstance(n, Input) and n.shown_with == path[-1]
        ]

    def workstreams(self, current: Any) -> list[Option]:
        """Return the year's workstreams, a local one, and the current value if it is neither.

        Only the workstreams of the profile's contract year are offered (no capacity and access
        work in 2026/27, no continuity of care before it); without a valid year, every one.
        A lead's current workstream from another year stays, named as not of this year.
        """
        year = self.year()
        every = self.facts.workstreams.workstreams
        offered = self.facts.workstreams_in(year) if year else every
        options = [Option(w.id, w.title) for w in offered]
        options.append(Option(LOCAL_WORKSTREAM, "A local workstream (described below)"))
        if isinstance(current, dict):
            return options
        other = {w.id: w for w in every if w not in offered}
        if year and str(current or "") in other:
            title = other[str(current)].title
            return [*options, Option(str(current), f"{title} (not a workstream in {year})")]
        return _with_current(options, str(current or ""))

    def year(self) -> str | None:
        """Return the profile's contract year as written, or None if it is missing or invalid."""
        found = self.data.get("contract_year")
        text = str(found).strip() if found is not None else ""
        return text if years.is_contract_year(text) else None

    def years(self, current: str) -> list[Option]:
        """Return the contract years pcndocs knows, and the current value if it is not one."""
        return _with_current([Option(y, y) for y in self.facts.funding.years], current)

    def choices(self, node: Input, current: str) -> list[Option]:
        """Return a choice field's options in words, and the current value if it is not one."""
        options = [Option(c, humanise(c)) for c in node.choices]
        return _with_current(options, current)


def _top(key: str) -> str:
    """Return the top-level key of a key path: practices[2].name becomes practices."""
    return re.split(r"[.\[]", key, maxsplit=1)[0]


def _with_current(options: list[Option], current: str) -> list[Option]:
    if current and current not in {o.value for o in options}:
        return [*options, Option(current, f"{current} (not one of these)")]
    return options


def _get(data: Any, path: KeyPath) -> Any:
    current = data
    for part in path:
        if isinstance(part, int):
            current = current[part] if isinstance(current, list) and part < len(current) else None
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """Return data as the form draws it.

    A list item given as text alone becomes its keys, and a list the profile needs (the
    practices, the directors) starts with one empty item to fill in rather than none.
    """
    out = dict(data)
    for node in profile_form().fields:
        if isinstance(node, Repeat) and node.required and not out.get(node.name):
            out[node.name] = [{}]
        if isinstance(node, Repeat) and node.text_or_keys and isinstance(out.get(node.name), list):
            first = node.item.fields[0].name
            out[node.name] = [
                {first: item} if isinstance(item, str) else item for item in out[node.name]
            ]
    return out


def drawn(data: dict[str, Any]) -> Iterator[tuple[KeyPath, Node]]:
    """Yield (key path, node) of every field and group the form draws for this data."""
    yield from _drawn_group(profile_form(), (), data)


def _drawn_group(group: Group, path: KeyPath, data: Any) -> Iterator[tuple[KeyPath, Node]]:
    for node in group.fields:
        node_path = (*path, node.name)
        yield node_path, node
        if isinstance(node, Group):
            yield from _drawn_group(node, node_path, data)
        elif isinstance(node, Repeat):
            found = _get(data, node_path)
            for index in range(len(found) if isinstance(found, list) else 0):
                yield (*node_path, index), node.item
                yield from _drawn_group(node.item, (*node_path, index), data)
        elif node.custom is not None and isinstance(_get(data, node_path), dict):
            yield from _drawn_group(node.custom, node_path, data)


def place(
    problems: Sequence[Problem], severity: str, data: dict[str, Any], missing: bool = False
) -> list[Message]:
    """Return each problem as a message at the nearest field or group the form draws.

    missing: every problem is a value still to fill in (the profile builds as a draft).
    """
    nodes = {dotted(path): node for path, node in drawn(data)}
    placed = []
    for problem in problems:
        slot = _nearest(problem.key, nodes)
        text = in_form_words(problem.text, problem.key, problem.kind)
        placed.append(
            Message(
                severity,
                problem.key,
                slot,
                where(problem.key, problem.item),
                text,
                missing or problem.kind == "missing",
            )
        )
    return placed


# --- the form's words -------------------------------------------------------------------------
# `check` speaks of the YAML file: its keys (reimbursed_to, funding.core_pcn_funding), settings
# written as in it (reimbursed_to: individual) and the command line's options. The page says the
# same in the words of the form: the label of the field, the choice as the drop-down shows it.
_QUOTED = re.compile(r"('[^']*')")
_KEY_NAME = re.compile(
    r"`?\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z][a-z0-9_]*)*|[a-z]+\.[a-z_.]+)\b`?"
)
_SETTING = re.compile(r"\b(set )?`?([a-z][a-z0-9]*(?:[_.][a-z0-9]+)+)`?: ([a-z][a-z0-9_]*)\b")
_FILE_WORDS = {
    "give practice, or set": "choose the lead's practice, or set",
    "shown as placeholders by build --blank": "shown as placeholders in the draft",
    "build without --blank": "download the finished documents",
    "build --blank": "the draft",
    " (--strict)": "",
    "(pcndocs schema lists them all)": "(the drop-down lists them all)",
}


def in_form_words(text: str, key: str, kind: ProblemKind = "other") -> str:
    """Return a message of `check` in the form's words: no YAML key, no command-line option.

    Text in quotes is what the user typed, and is never changed.
    """
    if kind == "unknown key":
        path = tuple(_parts(key))
        said = f"this profile has a key pcndocs does not know: {path[-1] if path else ''}"
        close, known = known_beside(path)
        if close:
            return f"{said} — did you mean {close}?"
        return f"{said}; the keys known here are {', '.join(known)}"
    for words, plain in _FILE_WORDS.items():
        text = text.replace(words, plain)
    group = _generic(key).rpartition(".")[0]
    pieces = _QUOTED.split(text)
    for i in range(0, len(pieces), 2):  # the pieces outside quotes
        piece = _SETTING.sub(lambda m: _setting_words(m, group), pieces[i])
        pieces[i] = _KEY_NAME.sub(lambda m: _label_words(m[1], group, m[0]), piece)
    return "".join(pieces)


def _setting_words(match: re.Match[str], group: str) -> str:
    """Return 'set reimbursed_to: individual' as 'choose “Individual” for “Paid to”'."""
    node = _node_of(match[2], group)
    if not isinstance(node, Input) or match[3] not in node.choices:
        return match[0]
    return f"{'choose ' if match[1] else ''}“{humanise(match[3])}” for “{node.label}”"


def _label_words(name: str, group: str, written: str) -> str:
    node = _node_of(name, group)
    return f"“{node.label}”" if node is not None else written


def _node_of(name: str, group: str) -> Node | None:
    """Return the field a key named in a message is: beside the message's key first."""
    nodes = _nodes()
    for candidate in (f"{group}.{name}" if group else name, name):
        if candidate in nodes:
            return nodes[candidate]
    return next((node for path, node in nodes.items() if path.endswith("." + name)), None)


def _generic(key: str) -> str:
    """Return a key path without its indexes: leads[2].name becomes leads.name."""
    return re.sub(r"\[\d+\]", "", key)


@cache
def _nodes() -> dict[str, Node]:
    """Return every field and group of the form, by its key path without indexes."""
    found: dict[str, Node] = {}

    def walk(group: Group, prefix: str) -> None:
        for node in group.fields:
            path = f"{prefix}.{node.name}" if prefix else node.name
            found[path] = node
            if isinstance(node, Group):
                walk(node, path)
            elif isinstance(node, Repeat):
                walk(node.item, path)
            elif node.custom is not None:
                walk(node.custom, path)

    walk(profile_form(), "")
    return found


def _nearest(key: str, nodes: dict[str, Node]) -> str:
    """Return the key itself if drawn, else its nearest drawn parent, else ""."""
    current = key
    while current:
        if current in nodes:
            return current
        cut = max(current.rfind("."), current.rfind("["))
        current = current[:cut] if cut > 0 else ""
    return ""


def where(key: str, item: str = "") -> str:
    """Return a key path in words: practices[2].list_size becomes 'Practice 3, List size'.

    item names the practice, director or lead the key is in, as the problem does:
    'Practice 3 (Canal Street Practice), List size'.
    """
    if not key:
        return "The profile"
    words: list[str] = []
    node: Node | None = profile_form()
    for part in _parts(key):
        if isinstance(part, int):
            if isinstance(node, Repeat):
                top = len(words) == 1 and item
                words[-1] = item[:1].upper() + item[1:] if top else f"{node.item.label} {part + 1}"
                node = node.item
            continue
        child = _child(node, part)
        words.append(child.label if child is not None else humanise(part))
        node = child
    return ", ".join(words)


def _child(node: Node | None, name: str) -> Node | None:
    if isinstance(node, Input) and node.custom is not None:
        node = node.custom
    if isinstance(node, Group):
        return next((n for n in node.fields if n.name == name), None)
    return None


def _parts(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in key.replace("[", ".[").split("."):
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            parts.append(int(piece[1:-1]))
        elif piece:
            parts.append(piece)
    return parts
