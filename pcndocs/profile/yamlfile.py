"""Reads a YAML file into plain data plus the line of every key, refusing what is unsafe.

Every limit here is checked while the file is read, not after: a file of many megabytes is
refused from its size alone, and the parser stops after MAX_EVENTS values, MAX_DEPTH levels
of nesting, or MAX_VALUES values once aliases are expanded (a "billion laughs" file). So any
file is accepted or refused in well under a second, with little memory.
"""

from __future__ import annotations

import codecs
import math
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from pcndocs.errors import InputFileError, Problem, ProblemKind, ProfileError
from pcndocs.profile.items import item_at
from pcndocs.text import remove_forbidden

KeyPath = tuple[str | int, ...]

# A profile is a few kilobytes and a few hundred values, nested four or five deep.
MAX_FILE_BYTES = 1024 * 1024
MAX_EVENTS = 20_000
MAX_VALUES = 20_000
MAX_DEPTH = 32

_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where it is installed
_ALLOWED_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
}
_EXPECTED = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "null": "nothing",
    "timestamp": "a date that exists",
}
# Characters YAML does not allow in a file (it would refuse them with a message in two lines).
# NEL, LS and PS too: YAML reads each as a new line where an editor shows none, so a key
# could hide inside what looks like one value.
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_HIDDEN_BREAKS = {"\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}
_DEPTH_LIMIT = f"values nested more than {MAX_DEPTH} levels deep"
_DEPTH_NOTE = "(the top level counts as one); a profile needs five at most"
_DEPTH_MESSAGE = f"{_DEPTH_LIMIT} {_DEPTH_NOTE}"
_ESCAPE = "a '\\' in double quotes starts an escape; write '\\\\' or use single quotes"
# The usual YAML mistakes, in plain words; libyaml and PyYAML word them differently.
_MISFIT = "this line does not fit the lines above it; check its indenting and its quotes"
_PLAIN_WORDS = (
    ("mapping values are not allowed", "a ':' where none can be; put the value in quotes"),
    ("did not find expected key", _MISFIT),
    ("expected <block end>", _MISFIT),
    ("did not find expected '-' indicator", _MISFIT),
    ("could not find expected ':'", "a key without a ':' after it"),
    ("expected ',' or ']'", "a list opened with '[' is not closed with ']'"),
    ("expected ',' or '}'", "a group opened with '{' is not closed with '}'"),
    ("unexpected document", "a line that starts with '---' or '...' inside a value"),
    ("escape", _ESCAPE),
    ("hexdecimal", _ESCAPE),  # libyaml's spelling
    ("hexadecimal", _ESCAPE),
)


@dataclass
class YamlDocument:
    """The data of a YAML file and the line (1-based) where each key path starts."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: KeyPath) -> int | None:
        """Return the line of a key path, or of its nearest ancestor that has one."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(key_path[:end])
            if line is not None:
                return line
        return None


def read_text(path: Path) -> str:
    """Return a file's text, or raise a PcndocsError saying plainly why it cannot be read."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputFileError(path, "no such file") from None
    except PermissionError:
        raise InputFileError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(path, "is a folder, not a profile file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(path, "is not a regular file (a device, pipe or socket)")
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(path, info.st_size)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise InputFileError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _too_big(path, len(raw))
    return decode_text(raw, str(path))


def _too_big(path: Path, size: int) -> InputFileError:
    shown = math.ceil(size / 104_857.6) / 10
    return InputFileError(
        path, f"is {shown:g} MB; a profile is at most {MAX_FILE_BYTES // 1_048_576} MB"
    )


def _unreadable(path: str, line: int | None, text: str) -> Problem:
    """Return a problem that stops the file being read as a profile at all."""
    return Problem(path, line, "", text, kind="syntax")


def decode_text(raw: bytes, path: str) -> str:
    """Return the text of a file's bytes, refusing binary, UTF-16 and other encodings."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputFileError(path, "is UTF-32 text, not UTF-8; save it as UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(path, "is UTF-16 text, not UTF-8; save it as UTF-8")
    if b"\x00" in raw:
        raise InputFileError(path, "is a binary file, not a YAML text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        raise ProfileError(
            [
                _unreadable(
                    path,
                    line,
                    f"the file is not UTF-8 text (byte 0x{byte:02X} on this line); "
                    "save it as UTF-8",
                )
            ]
        ) from None


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse YAML text into a YamlDocument; raise ProfileError with the line on any fault."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        char = bad.group()
        if char in _HIDDEN_BREAKS:
            reason = (
                f"a hidden line break ({_HIDDEN_BREAKS[char]}, U+{ord(char):04X}) in column "
                f"{column}: YAML reads a new line there that an editor does not show; delete "
                "it, or press Enter for a real line break"
            )
        else:
            reason = (
                f"a control character (U+{ord(char):04X}) in column {column}, "
                "which a profile cannot hold; delete it"
            )
        raise ProfileError([_unreadable(path, line, reason)])
    root = _compose(text, path)
    if root is None:
        raise ProfileError(
            [_unreadable(path, 1, "the file is empty; a profile starts with 'network:'")]
        )
    builder = _Builder(path)
    data = builder.build(root, (), 0)
    if builder.problems:
        raise ProfileError(
            [
                replace(problem, item=item_at(data, key_path))
                for key_path, problem in builder.problems
            ]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ProfileError(
            [
                _unreadable(
                    path,
                    root.start_mark.line + 1,
                    f"expected keys such as 'network:' at the top, got {kind}",
                )
            ]
        )
    return YamlDocument(path, data, builder.lines)


def _compose(text: str, path: str) -> Node | None:
    """Return the root node of the YAML text, stopping at the first limit it passes."""
    composer = _Composer(path)
    try:
        for count, event in enumerate(yaml.parse(text, Loader=_PARSER)):
            if count > MAX_EVENTS:
                raise composer.fail(
                    event,
                    f"the file holds more than {MAX_EVENTS:,} values; a profile holds a few "
                    "hundred (is this the right file?)",
                )
            composer.feed(event)
    except yaml.MarkedYAMLError as exc:
        raise ProfileError([_syntax_problem(exc, text, path)]) from None
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise ProfileError([_unreadable(path, None, f"not valid YAML: {reason}")]) from None
    return composer.root


class _Composer:
    """Builds the tree of nodes from the parser's events, one at a time, within the limits."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.resolver = Resolver()
        self.anchors: dict[str, Node] = {}
        self.stack: list[tuple[Node, list[Node]]] = []  # open collections, with a mapping's key
        self.root: Node | None = None
        self.documents = 0

    def fail(self, node_or_event: Any, text: str) -> ProfileError:
        """Return the error, at the event's line, that stops reading the file."""
        mark = node_or_event.start_mark
        return ProfileError([_unreadable(self.path, mark.line + 1 if mark else None, text)])

    def feed(self, event: Any) -> None:
        """Take the next event: a node opened, attached or closed, or a limit passed."""
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(
                    event, "a second YAML document starts here ('---'); a profile is one"
                )
        elif isinstance(event, AliasEvent):
            if event.anchor not in self.anchors:
                raise self.fail(event, f"not valid YAML: no anchor '&{event.anchor}' before this")
            self.attach(self.anchors[event.anchor])
        elif isinstance(event, ScalarEvent | CollectionStartEvent):
            node = _node(event, self.resolver)
            if event.anchor is not None:
                self.anchors[event.anchor] = node
            self.attach(node)
            if isinstance(node, SequenceNode | MappingNode):
                self.stack.append((node, []))
                if len(self.stack) > MAX_DEPTH:
                    raise self.fail(event, _DEPTH_MESSAGE)
        elif isinstance(event, SequenceEndEvent | MappingEndEvent):
            self.stack.pop()

    def attach(self, node: Node) -> None:
        """Put a node in the open collection (a mapping's key waits for its value) or the root."""
        if not self.stack:
            self.root = node
            return
        parent, pending = self.stack[-1]
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
        elif pending:
            parent.value.append((pending.pop(), node))
        else:
            pending.append(node)


def _node(event: Any, resolver: Resolver) -> Node:
    """Return the node an event starts, with its tag resolved as the safe loader would."""
    tag, start, end = event.tag, event.start_mark, event.end_mark
    resolve: Any = resolver.resolve
    if isinstance(event, ScalarEvent):
        if tag is None or tag == "!":
            tag = resolve(ScalarNode, event.value, event.implicit)
        return ScalarNode(tag, event.value, start, end, event.style)
    kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
    if tag is None or tag == "!":
        tag = resolve(kind, None, event.implicit)
    return kind(tag, [], start, end, event.flow_style)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    """Return the problem of a YAML syntax error, in plain words where it is a usual one."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = " ".join((exc.problem or "").split())
    context = " ".join((exc.context or "").split())
    at = text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""
    if "nesting depth" in problem:  # libyaml's own limit, far above ours: say ours
        return _unreadable(path, line, _DEPTH_MESSAGE)
    if at == "\t" or "'\\t'" in problem:
        return _unreadable(
            path, line, "not valid YAML: a tab is used for indenting; YAML needs spaces"
        )
    if "quoted scalar" in context and "end of stream" in problem and exc.context_mark:
        return _unreadable(
            path,
            exc.context_mark.line + 1,
            "not valid YAML: a quote opened on this line is never closed",
        )
    if "cannot start any token" in problem and at:
        return _unreadable(
            path, line, f"not valid YAML: '{at}' cannot start a value; put it in quotes"
        )
    for words, plain in _PLAIN_WORDS:
        if words in problem:
            return _unreadable(path, line, f"not valid YAML: {plain}")
    return _unreadable(path, line, f"not valid YAML: {problem or context or 'cannot be read'}")


class _Builder:
    """Turns composed YAML nodes into data, recording lines and refusing unsafe input."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[tuple[KeyPath, Problem]] = []
        self.visited = 0
        self.constructor = SafeConstructor()

    def build(self, node: Node, key_path: KeyPath, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_VALUES or depth > MAX_DEPTH:
            # Only aliases take a file past these here (the parser counted what is written):
            # a "billion laughs" file, or one nested deep through them. Say which limit, at
            # the line of the top-level key being read (the alias's own anchor may be far up).
            reason = (
                f"the file expands to more than {MAX_VALUES:,} values (YAML aliases nested "
                "too deep)"
                if self.visited > MAX_VALUES
                else f"{_DEPTH_LIMIT} once its YAML aliases are expanded {_DEPTH_NOTE}"
            )
            line = self.lines.get(key_path[:1], node.start_mark.line + 1)
            raise ProfileError(
                [Problem(self.path, line, _dotted(key_path[:1]), reason, kind="syntax")]
            )
        self.lines.setdefault(key_path, node.start_mark.line + 1)
        if node.tag not in _ALLOWED_TAGS:
            self._problem(node, key_path, f"the YAML tag '{node.tag}' is not allowed in a profile")
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, key_path, depth)
        if isinstance(node, SequenceNode):
            return [
                self.build(item, (*key_path, i), depth + 1) for i, item in enumerate(node.value)
            ]
        return self._scalar(node, key_path)

    def _mapping(self, node: MappingNode, key_path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    key_node, key_path, "merge keys ('<<') are not supported in a profile"
                )
                continue
            key = (
                self._scalar(key_node, key_path)
                if isinstance(key_node, ScalarNode) and key_node.tag in _ALLOWED_TAGS
                else None
            )
            if not isinstance(key, str | int) or isinstance(key, bool):
                self._problem(key_node, key_path, "a key must be a plain word such as 'name'")
                continue
            key = str(key)
            child = (*key_path, key)
            if key in result:
                first = self.lines.get(child)
                self._problem(key_node, child, f"this key is given twice (first on line {first})")
                continue
            self.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _scalar(self, node: Node, key_path: KeyPath) -> Any:
        if _UNUSUAL_NUMBER.get(node.tag, _ANY).fullmatch(node.value) is None:
            # YAML 1.1 reads 3:20:00 as 12000, 0x2EE0 as hex and 012450 as octal: not what
            # anyone means. Kept as the text written, so a number is refused and a code kept.
            return remove_forbidden(node.value)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # the constructors raise several kinds for one cause: a bad value
            kind = node.tag.rsplit(":", 1)[-1]
            expected = _EXPECTED.get(kind, "a value YAML can read")
            self._problem(node, key_path, f"expected {expected}, got {_shown(node.value)}", "type")
            return None
        return remove_forbidden(value) if isinstance(value, str) else value

    def _problem(
        self, node: Node, key_path: KeyPath, text: str, kind: ProblemKind = "syntax"
    ) -> None:
        line = node.start_mark.line + 1
        problem = Problem(self.path, line, _dotted(key_path), text, kind=kind)
        self.problems.append((key_path, problem))


# How a number is written in a profile: digits, a sign, a decimal point. YAML 1.1 would also
# take 1_000 as 1000 and 1__0 as 10, which neither `pcndocs new` nor the web form takes: kept
# as text, the model refuses it with what to write.
_ANY = re.compile(r".*", re.DOTALL)
_UNUSUAL_NUMBER = {
    "tag:yaml.org,2002:int": re.compile(r"[-+]?(0|[1-9][0-9]*)"),
    "tag:yaml.org,2002:float": re.compile(r"[^:_]*"),
}


def _shown(value: Any) -> str:
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def _dotted(key_path: KeyPath) -> str:
    """Return a key path as people read it: practices[2].list_size (long keys shortened)."""
    out = ""
    for part in key_path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        name = f"{part[:40]}…" if len(part) > 40 else part
        out += f".{name}" if out else name
    return out


dotted = _dotted
