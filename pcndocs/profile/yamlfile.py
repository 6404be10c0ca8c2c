"""Reads a YAML file into plain data plus the line of every key, refusing what is unsafe."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pcndocs.errors import InputFileError, Problem, ProfileError

KeyPath = tuple[str | int, ...]

# A profile is a few kilobytes; these limits refuse huge files and alias bombs at once.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000


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
    """Return a file's text, or raise InputFileError saying plainly why it cannot be read."""
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a profile file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputFileError(
                path,
                f"is {size / 1_048_576:.1f} MB; a profile is at most "
                f"{MAX_FILE_BYTES // 1_048_576} MB",
            )
        raw = path.read_bytes()
    except PermissionError:
        raise InputFileError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise InputFileError(path, "is a binary file, not a YAML text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path, f"is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse YAML text into a YamlDocument; raise ProfileError with the line on any fault."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = (exc.problem or exc.context or "not valid YAML").strip()
        if "'\\t'" in reason:
            reason = "a tab is used for indenting; YAML needs spaces"
        elif "end of stream" in reason and ("'" in text or '"' in text):
            reason = f"{reason} (is a quote left open?)"
        raise ProfileError([Problem(path, line, "", f"not valid YAML: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise ProfileError([Problem(path, None, "", f"not valid YAML: {exc}")]) from None
    if root is None:
        raise ProfileError(
            [Problem(path, 1, "", "the file is empty; a profile starts with 'network:'")]
        )
    builder = _Builder(path)
    data = builder.build(root, ())
    if builder.problems:
        raise ProfileError(builder.problems)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ProfileError(
            [
                Problem(
                    path,
                    root.start_mark.line + 1,
                    "",
                    f"expected keys such as 'network:' at the top, got {kind}",
                )
            ]
        )
    return YamlDocument(path, data, builder.lines)


class _Builder:
    """Turns composed YAML nodes into data, recording lines and refusing unsafe input."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[Problem] = []
        self.visited = 0
        self.constructor = SafeConstructor()

    def build(self, node: Node, key_path: KeyPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            # Aliases expanding past this are a "billion laughs" file, not a profile.
            top = _dotted(key_path[:1])
            raise ProfileError(
                [
                    Problem(
                        self.path,
                        node.start_mark.line + 1,
                        top,
                        "the file expands to too many values (YAML aliases nested too deep)",
                    )
                ]
            )
        self.lines.setdefault(key_path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*key_path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, key_path)

    def _mapping(self, node: MappingNode, key_path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if node.tag not in ("tag:yaml.org,2002:map",):
            self._refuse_tag(node, key_path)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    key_node, key_path, "merge keys ('<<') are not supported in a profile"
                )
                continue
            key = self._scalar(key_node, key_path) if isinstance(key_node, ScalarNode) else None
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
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: Node, key_path: KeyPath) -> Any:
        if not node.tag.startswith("tag:yaml.org,2002:") or any(
            unsafe in node.tag for unsafe in ("python/", ":binary", ":set", ":omap", ":pairs")
        ):
            self._refuse_tag(node, key_path)
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self._problem(node, key_path, f"cannot be read: {exc.problem}")
        except ValueError as exc:
            value = node.value if isinstance(node, ScalarNode) else ""
            if node.tag.endswith("timestamp"):
                self._problem(node, key_path, f"expected a date that exists, got '{value}'")
            else:
                self._problem(node, key_path, f"cannot be read: {exc}, got '{value}'")
        return None

    def _refuse_tag(self, node: Node, key_path: KeyPath) -> None:
        self._problem(node, key_path, f"the YAML tag '{node.tag}' is not allowed in a profile")

    def _problem(self, node: Node, key_path: KeyPath, text: str) -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1, _dotted(key_path), text))


def _dotted(key_path: KeyPath) -> str:
    """Return a key path as people read it: practices[2].list_size."""
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


dotted = _dotted
