"""The prompt loop of `pcndocs new`: asks a question until the answer is right.

Nothing here knows what is asked: a question is its words, a conversion of the typed text
(which raises ValueError with the reason it is wrong), and a default. Lines come from a `Read`
callable and notes go to a `Say` callable, so a whole conversation can be scripted in a test.

Going back: the questions are a function of the answers (`Questions`), so the asker records
each answer; `<` drops the last one and runs the questions again, replaying the answers kept
without a word, up to the question gone back to. Every earlier answer is offered as the
default when its question comes again, where it is still a right answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pcndocs.errors import PcndocsError
from pcndocs.profile.yamlfile import KeyPath

T = TypeVar("T")
Say = Callable[[str], None]
Read = Callable[[str], str | None]  # returns None at the end of the input


Questions = Callable[["Ask", Say], T]

# Characters an answer cannot hold: C0 and C1 controls (a tab aside), DEL, and the line and
# paragraph separators, which YAML and some editors read as a new line.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")

# What a user types to go back to the question before.
BACK = ("<", "back")
BACK_HINT = "type < to go back to the question before"


class Ask(Protocol):
    """Asks one question until `convert` accepts the answer, and returns what it made of it.

    A blank answer takes `default`; a default of "" lets the question be left blank
    (then `convert` gets ""), and no default makes an answer required. `key` is where the
    answer goes in a profile: it names the question for going back and for `Known`.
    """

    def __call__(
        self,
        question: str,
        convert: Callable[[str], T],
        default: str | None = None,
        key: KeyPath | None = None,
    ) -> T: ...


@dataclass(frozen=True)
class Known:
    """What a profile being filled in (`new --from`) already says for a question's key."""

    text: str | None  # the value as typed; None: the profile lacks it, so it is asked
    where: str  # the key as a message names it
    skip: bool = False  # an optional value the profile leaves out: not asked, left out


KnownValues = Callable[[KeyPath], Known | None]  # None: nothing known, ask as usual


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


class GoBack(Exception):  # noqa: N818 (a request of the user, not an error)
    """The user asked to go back to the question before (not an error)."""


class LineAsker:
    """An `Ask` over a line reader: says why an answer is wrong, then asks again.

    The end of the input at any question, even one with a default, raises InputEndedError:
    a profile is written only when every question was answered (a blank line takes the
    default).
    `run` lets the user go back to an earlier question.
    """

    def __init__(self, read: Read, say: Say, known: KnownValues | None = None) -> None:
        self.read = read
        self._say = say
        self.known = known
        self.ended = False
        self.answers: list[str] = []  # every answer typed, in order: what a replay gives
        self.earlier: dict[str | KeyPath, str] = {}  # each question's last answer
        self.asked: set[KeyPath] = set()  # the keys the user answered in this run
        self._at = 0  # how many answers this run has used
        self._notes: list[str] = []  # said when the next question is asked
        self._hinted = False

    @property
    def replaying(self) -> bool:
        return self._at < len(self.answers)

    def say(self, text: str) -> None:
        """Say a note before the next question asked; none while answers are replayed.

        A note before a question the profile being filled in answers is not said: it
        introduces what is not asked.
        """
        if not self.replaying:
            self._notes.append(text)

    def run(self, questions: Questions[T]) -> T:
        """Return what the questions make of the answers; `<` goes back one question."""
        while True:
            self._at = 0
            self.asked = set()
            try:
                made = questions(self, self.say)
            except GoBack:
                if self.answers:
                    self.answers.pop()  # its question comes again, offering it as default
                else:
                    self._say("  this is the first question; there is none before it")
            else:
                self._flush()
                return made

    def _flush(self) -> None:
        for note in self._notes:
            self._say(note)
        self._notes = []

    def __call__(
        self,
        question: str,
        convert: Callable[[str], T],
        default: str | None = None,
        key: KeyPath | None = None,
    ) -> T:
        known = self.known(key) if self.known is not None and key is not None else None
        if known is not None and known.skip and default is not None:
            self._notes = []
            return convert(default)
        if known is not None and known.text is not None:
            try:
                value = convert(known.text)
            except ValueError as exc:
                self.say(f"  {known.where}: {exc}")
            else:
                self._notes = []
                return value
        if key is not None:
            self.asked.add(key)
        if self.replaying:
            self._at += 1
            return convert(self.answers[self._at - 1])
        self._flush()
        if not self._hinted:
            self._say(f"({BACK_HINT.capitalize()}; type ? for help on a question.)")
            self._hinted = True
        name = key if key is not None else question
        default = self._still_right(self.earlier.get(name), convert, default)
        text, value = self._ask(question, convert, default)
        self.answers.append(text)
        self._at += 1
        self.earlier[name] = text
        return value

    @staticmethod
    def _still_right(
        earlier: str | None, convert: Callable[[str], T], default: str | None
    ) -> str | None:
        """Return an earlier answer to offer as the default, where it is still a right one."""
        if earlier is None or (earlier == "" and default is None):
            return default
        try:
            convert(earlier)
        except ValueError:
            return default
        return earlier

    def _ask(
        self, question: str, convert: Callable[[str], T], default: str | None
    ) -> tuple[str, T]:
        """Return the text taken (typed, or the default) and what convert made of it."""
        prompt = f"{question} [{default}]: " if default else f"{question}: "
        while True:
            answer = None if self.ended else self.read(prompt)
            if answer is None:
                # The input ended before this question was answered: a pipe cut short, a
                # file of answers one line too short. Taking the defaults would write a
                # profile the user never finished, so nothing is written.
                self.ended = True
                raise InputEndedError(question)
            typed = answer.strip()
            hidden = _CONTROL.search(typed)
            if hidden is not None:  # invisible: DEL from a backspace that failed, a pasted NEL
                self._say(
                    f"  the answer holds a control character (U+{ord(hidden.group()):04X}) "
                    "that cannot be seen or printed; type it again without it"
                )
                continue
            if typed == "?":
                self._say(f"  {help_of(convert)}; {BACK_HINT}")
                continue
            if typed.lower() in BACK:
                raise GoBack
            text = typed or (default or "")
            if not text and default is None:
                if self.ended:
                    raise InputEndedError(question)
                self._say("  an answer is needed")
                continue
            try:
                return text, convert(text)
            except ValueError as exc:
                if self.ended:
                    raise InputEndedError(question) from None
                self._say(f"  {exc}")
