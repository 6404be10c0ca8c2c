"""What a build of many networks reports at its end, kept as counts and a file of messages.

The command line prints every network's failure, kept files and warnings after its progress
bar, in the order the profiles were given, then one line of counts. Keeping each network's
outcome until then would make a national batch's memory grow by a result a network; a tally
keeps the counts, and puts each network's messages in a temporary file as it finishes.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

#: One message: the colour to print it in (click's names) and its text.
Message = tuple[str, str]


class Tally:
    """Counts of a batch's networks, and each network's messages on disk, in profile order."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.networks = len(paths)
        self.built = 0  # networks whose documents were written by this build
        self.up_to_date = 0
        self.failed = 0
        self.files = 0  # files the built networks wrote
        self.warnings = 0
        self._order = {path: number for number, path in enumerate(paths)}
        # Where each network's messages are in the file: offset and length, 0 for none.
        self._offsets = array("q", bytes(8 * len(paths)))
        self._lengths = array("q", bytes(8 * len(paths)))
        self._file: Any = None

    def __enter__(self) -> Tally:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, path: Path, messages: list[Message]) -> None:
        """Keep a network's messages, to be printed in the order its profile was given."""
        if not messages:
            return
        if self._file is None:
            # Closed by close(), when the messages have been printed.
            self._file = tempfile.TemporaryFile(prefix="pcndocs-said-")  # noqa: SIM115
        data = pickle.dumps(messages, protocol=pickle.HIGHEST_PROTOCOL)
        number = self._order[path]
        self._offsets[number] = self._file.seek(0, os.SEEK_END)
        self._lengths[number] = len(data)
        self._file.write(data)

    def messages(self) -> Iterator[Message]:
        """Yield every network's messages, network by network in the profiles' order."""
        for offset, length in zip(self._offsets, self._lengths, strict=True):
            if length:
                self._file.seek(offset)
                said: list[Message] = pickle.loads(self._file.read(length))
                yield from said

    def close(self) -> None:
        """Remove the file of messages."""
        if self._file is not None:
            self._file.close()
            self._file = None
