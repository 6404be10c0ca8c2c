"""Table column widths from their content, shared by the Word and the PDF/HTML writers.

Both renderings size a table's columns the same way, so a table looks alike in each, and
WeasyPrint need not measure every possible line break to size columns itself.
"""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from pcndocs.render.document import plain_text

TABLE_FONT_TWIPS = 190  # 9.5 pt, the size of table text in both renderings
CELL_PADDING_TWIPS = 2 * 100 + 20  # a cell's left and right padding (5 pt each), and borders
TEXT_WIDTH_TWIPS = 9638  # 170 mm: A4 less two 20 mm margins


def text_width(text: str, bold: bool = False) -> float:
    """Return roughly how wide text is in Arial, in ems (a sum of typical glyph widths)."""
    width = 0.0
    for char in text:
        if char == " ":
            width += 0.278
        elif char in "il.,:;'|!":
            width += 0.25
        elif char.isdigit() or char in "£$%":
            width += 0.556
        elif char.isupper() or char in "mw—":
            width += 0.72
        else:
            width += 0.5
    return width * (1.07 if bold else 1.0)


SHORT_HEADING_EMS = 6.0  # a column heading up to about 12 characters is never broken
PLACEHOLDER_EMS = 16.0  # the most room a cell holding a placeholder asks for, about 32 letters


def _holds_placeholder(node: SyntaxTreeNode) -> bool:
    """Return whether a table cell holds a placeholder of a blank pack."""
    return node.type == "placeholder" or any(_holds_placeholder(c) for c in node.children)


def column_widths(rows: list[SyntaxTreeNode], columns: int, total: int) -> list[int]:
    """Return column widths (twips) summing to total, shared out as a browser lays out a table.

    Each column needs at least its longest word and would like its longest cell on one
    line. If every cell fits, columns get what they would like, scaled up to the full width;
    otherwise each gets its minimum plus a share of the rest in proportion to what it lacks.
    """
    least = [0.0] * columns
    most = [0.0] * columns
    for row in rows:
        for c, cell in enumerate(row.children):
            text = plain_text(cell).strip()
            bold = cell.type == "th"
            words = text.split() or [""]
            width = text_width(text, bold)
            # A short heading stays on one line ("A week", not "A" over "week").
            shortest = width if bold and width <= SHORT_HEADING_EMS else 0.0
            least[c] = max(least[c], shortest, max(text_width(word, bold) for word in words))
            if _holds_placeholder(cell):
                # A blank pack's "[to be agreed: ...]" wraps rather than squeeze the columns
                # beside it: it asks for no more room than a short sentence.
                width = min(width, PLACEHOLDER_EMS)
            most[c] = max(most[c], width)
    least_t = [w * TABLE_FONT_TWIPS + CELL_PADDING_TWIPS for w in least]
    most_t = [w * TABLE_FONT_TWIPS + CELL_PADDING_TWIPS for w in most]
    if sum(most_t) <= total:
        widths = [w * total / sum(most_t) for w in most_t]
    elif sum(least_t) >= total:
        widths = [w * total / sum(least_t) for w in least_t]
    else:
        room = total - sum(least_t)
        lacking = [m - n for m, n in zip(most_t, least_t, strict=True)]
        widths = [n + room * gap / sum(lacking) for n, gap in zip(least_t, lacking, strict=True)]
    rounded = [int(w) for w in widths]
    rounded[-1] += total - sum(rounded)
    return rounded


# A table of at most this many rows (header included) is kept on one page; a longer one may
# break, but never leaves its first or last body row alone on a page.
KEEP_WHOLE_ROWS = 14


def rows_kept_with_next(
    rows: int, header_rows: int, subheadings: frozenset[int] = frozenset()
) -> frozenset[int]:
    """Return the indexes of a table's rows that must stay on the page of the row after them.

    Both writers follow it: the PDF with break-after: avoid, the Word document with "keep with
    next" on the row's paragraphs. A row that heads the rows below it (see `subheading_rows`)
    stays with the first of them, so it never ends a page alone.
    """
    if rows <= KEEP_WHOLE_ROWS:
        return frozenset(range(rows - 1))
    first_body = header_rows  # the header and the first body row stay together
    return frozenset({*range(first_body + 1), rows - 2, *(i for i in subheadings if i < rows - 1)})


def subheading_rows(rows: list[SyntaxTreeNode]) -> frozenset[int]:
    """Return the indexes of rows that head a group of rows: text in their first cell only.

    The person specification's "Experience" and "Personal qualities" rows are such rows.
    """
    return frozenset(
        index
        for index, row in enumerate(rows)
        if len(row.children) > 1
        and plain_text(row.children[0]).strip()
        and not any(plain_text(cell).strip() for cell in row.children[1:])
    )
