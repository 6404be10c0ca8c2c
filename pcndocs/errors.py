"""The errors a user can cause; each builds a one-line message from structured fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Characters that would break a message's one line or change how a terminal shows it:
# controls, line and paragraph separators, bidirectional overrides, lone surrogates.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """Return text with the characters that would break a one-line message shown as escapes."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class Stopped(BaseException):
    """A signal other than Ctrl-C (SIGTERM, SIGHUP) asked a run to stop.

    Like KeyboardInterrupt it is not an Exception, so it unwinds past every handler of
    errors, and files being written remove their temporaries; the CLI's `exit_code` maps it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class PcndocsError(Exception):
    """Base of every error caused by the user's input; the CLI prints it and exits 1."""

    def __str__(self) -> str:
        return self.message()

    def message(self) -> str:
        """Return the one-line message shown to the user."""
        return printable(str(self.args[0])) if self.args else type(self).__name__


# What kind of problem a Problem is. Code decides by the kind, never by the words, so a
# message can be reworded freely:
#   syntax       the file cannot be read as a profile (YAML, encoding, size, nesting)
#   missing      a value required and not given: in a blank build, a value still to agree
#   type         a value of the wrong type (text where a number goes, a list for a key)
#   value        a value of the right type but not allowed (out of range, not a choice)
#   unknown key  a key the profile model does not have
#   cross-check  values that do not fit together or with the national data files
#   warning      the profile is usable, but something in it should be looked at
#   other        none of these (a note such as "12 more problems", a server's refusal)
ProblemKind = Literal[
    "syntax", "missing", "type", "value", "unknown key", "cross-check", "warning", "other"
]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is, what is wrong, and its kind."""

    file: str
    line: int | None
    key: str
    text: str
    # The practice, clinical director or lead the key is in, as people name it:
    # "practice 2 (Millbrook Medical Centre)" for practices[1] (see pcndocs.profile.items).
    item: str = ""
    kind: ProblemKind = "other"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where, self.key, self.item, self.text]
        return printable(": ".join(part for part in parts if part))


class ProfileError(PcndocsError):
    """A profile that cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems

    def message(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class PathError(PcndocsError):
    """A problem with a file or folder as a whole: its path, and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = str(path)
        self.reason = reason

    def message(self) -> str:
        return printable(f"{self.path}: {self.reason}")


class InputFileError(PathError):
    """A file that cannot be read at all (missing, a folder, unreadable, not text)."""


class TemplateError(PcndocsError):
    """A template that cannot be rendered: its name, its line, and why."""

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        super().__init__(template, line, reason)
        self.template = template
        self.line = line
        self.reason = reason

    def message(self) -> str:
        where = f"{self.template}:{self.line}" if self.line else self.template
        return printable(f"{where}: {self.reason}")


class OutputError(PathError):
    """An output file or folder that cannot be written."""


class RenderLimitError(PcndocsError):
    """A document whose rendering went past a limit (pages, time or memory): which, and why."""

    def __init__(self, reason: str, document: str = "") -> None:
        super().__init__(reason, document)
        self.reason = reason
        self.document = document

    def message(self) -> str:
        return printable(f"{self.document}: {self.reason}" if self.document else self.reason)


class BusyError(PcndocsError):
    """Every worker was busy for longer than a caller would wait (the server's limit)."""

    def message(self) -> str:
        return "the server is busy with other builds; try again in a moment"


class WorkerDiedError(PcndocsError):
    """A worker process that stopped in the middle of a task (killed, or out of memory)."""

    def __init__(self, what: str = "") -> None:
        super().__init__(what)
        self.what = what

    def message(self) -> str:
        doing = f" while building {self.what}" if self.what else ""
        return (
            f"a build process stopped{doing} (it was killed, or ran out of memory); "
            "the others went on: try again"
        )
