"""Find columns by their header names, the same way for xlsx sheets and CSV files."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

# Rows searched for the header: some releases put a title above it.
HEADER_SEARCH_ROWS = 10


def normalise_header(value: object) -> str:
    """Return a header as a key: whitespace and underscores collapsed, lower case.

    A trailing bracketed note is dropped, so 'Open Date (YYYYMMDD)' -> 'open date' and
    'SUB_ICB_LOCATION_CODE' -> 'sub icb location code'.
    """
    if value is None:
        return ""
    text = " ".join(str(value).replace("_", " ").split()).lower()
    return re.sub(r"\s*\([^)]*\)$", "", text)


def find_header_row(rows: Iterator[Sequence[object]], marker: Sequence[str]) -> list[str] | None:
    """Return the first row (normalised) holding one of the `marker` headers, or None.

    Only the first few rows are looked at; the rows iterator is left after the header.
    """
    for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        header = [normalise_header(cell) for cell in row]
        if any(name in header for name in marker):
            return header
    return None


@dataclass(frozen=True)
class Columns:
    """Where each wanted field is in a row, found by header name."""

    positions: Mapping[str, int]

    @classmethod
    def from_header(
        cls,
        header: Sequence[str],
        required: Mapping[str, Sequence[str]],
        optional: Mapping[str, Sequence[str]] | None = None,
    ) -> Columns:
        """Return the columns of a normalised header; raise KeyError(field) for a missing one.

        Each field has a list of header names it may go by; the first present is used.
        """
        positions: dict[str, int] = {}
        for wanted, must in ((required, True), (optional or {}, False)):
            for field, names in wanted.items():
                found = next((header.index(n) for n in names if n in header), None)
                if found is not None:
                    positions[field] = found
                elif must:
                    raise KeyError(field)
        return cls(positions)

    def get(self, row: Sequence[object], field: str) -> object:
        """Return a field's value in a row; None when the column is absent or the row short."""
        position = self.positions.get(field)
        if position is None or position >= len(row):
            return None
        return row[position]

    def __contains__(self, field: object) -> bool:
        return field in self.positions
