"""The prompt loop of `pcndocs new`: asks a question until the answer is right.

Nothing here knows what is asked: a question is its words, a conversion of the typed text
(which raises ValueError with the reason it is wrong), and a default. Lines come from a `Read`
callable and notes go to a `Say` callable, so a whole conversation can be scripted in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from pcndocs.errors import PcndocsError

T = TypeVar("T")
Say = Callable[[str], None]
Read = Callable[[str], str | None]  # returns None at the end of the input


class Ask(Protocol):
    """Asks one question until `convert` accepts the answer, and returns what it made of it.

    A blank answer takes `default`; a default of "" lets the question be left blank
    (then `convert` gets ""), and no default makes an answer required.
    """

    def __call__(
        self, question: str, convert: Callable[[str], T], default: str | None = None
    ) -> T: ...


class Described(Generic[T]):
    """A conversion of an answer, with the help `?` shows: the key's description."""

    def __init__(self, convert: Callable[[str], T], help_text: str) -> None:
        self.convert = convert
        self.help_text = help_text

    def __call__(self, text: str) -> T:
        return self.convert(text)


def help_of(convert: object) -> str:
    """Return the help of a conversion, or a general word where it has none."""
    if isinstance(convert, Described) and convert.help_text:
        return convert.help_text
    return "answer in your own words; a value in [brackets] is taken if you press Enter"


class InputEndedError(PcndocsError):
    """The input ended while a question that needs an answer was still open."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question

    def message(self) -> str:
        return f"the input ended before '{self.question}' was answered; nothing was written"


class LineAsker:
    """An `Ask` over a line reader: says why an answer is wrong, then asks again.

    Once the input has ended, every later question takes its default (a loop that a
    blank answer ends, ends); a question with no default raises InputEndedError.
    """

    def __init__(self, read: Read, say: Say) -> None:
        self.read = read
        self.say = say
        self.ended = False

    def __call__(self, question: str, convert: Callable[[str], T], default: str | None = None) -> T:
        prompt = f"{question} [{default}]: " if default else f"{question}: "
        while True:
            answer = None if self.ended else self.read(prompt)
            if answer is None:
                self.ended = True
            if (answer or "").strip() == "?":
                self.say(f"  {help_of(convert)}")
                continue
            text = (answer or "").strip() or (default or "")
            if not text and default is None:
                if self.ended:
                    raise InputEndedError(question)
                self.say("  an answer is needed")
                continue
            try:
                return convert(text)
            except ValueError as exc:
                if self.ended:
                    raise InputEndedError(question) from None
                self.say(f"  {exc}")
