"""Word tracked changes (w:ins and w:del) for the DOCX writer, in WordprocessingML.

A change wraps runs: inserted runs sit in w:ins, deleted ones in w:del with their text in
w:delText. A paragraph inserted or deleted whole has its paragraph mark marked too (in
w:pPr/w:rPr), and a table row in w:trPr, so accepting or rejecting the change in Word or
LibreOffice removes the paragraph or the row, not only its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

INSERTED = "ins"
DELETED = "del"

#: Elements that hold runs and may themselves be wrapped (w:r) or looked inside.
_RUN = qn("w:r")
_LOOK_INSIDE = (qn("w:hyperlink"), qn("w:sdt"), qn("w:sdtContent"), qn("w:smartTag"))
_CHANGES = (qn("w:ins"), qn("w:del"))


@dataclass
class Revisions:
    """Who made the changes and when; numbers each change as Word requires."""

    author: str = "pcndocs"
    when: datetime | None = None
    last_id: int = 0

    def element(self, change: str) -> Any:
        """Return a new empty w:ins or w:del with its id, author and date."""
        if change not in (INSERTED, DELETED):
            raise ValueError(f"unknown change {change!r}")
        self.last_id += 1
        mark = OxmlElement(f"w:{change}")
        mark.set(qn("w:id"), str(self.last_id))
        mark.set(qn("w:author"), self.author)
        if self.when is not None:
            mark.set(qn("w:date"), self.when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return mark

    def wrap_runs(self, container: Any, first: int, change: str) -> None:
        """Wrap the runs a paragraph gained from child number first onwards in one change."""
        children = list(container)[first:]
        if not children:
            return
        group: list[Any] = []
        for child in children:
            if child.tag == _RUN:
                group.append(child)
                continue
            self._wrap(group, change)
            group = []
            if child.tag in _LOOK_INSIDE:
                self.wrap_runs(child, 0, change)
        self._wrap(group, change)

    def mark_paragraph(self, paragraph: Any, change: str) -> None:
        """Mark a whole paragraph: its runs, and its mark unless it lies in a table cell."""
        self.wrap_runs(paragraph, 0, change)
        if paragraph.getparent() is not None and paragraph.getparent().tag == qn("w:tc"):
            return  # a cell keeps its paragraph; the row carries the change
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            paragraph.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            sect = ppr.find(qn("w:sectPr"))
            if sect is not None:
                sect.addprevious(rpr)
            else:
                ppr.append(rpr)
        if rpr.find(qn("w:ins")) is None and rpr.find(qn("w:del")) is None:
            rpr.insert(0, self.element(change))

    def mark_row(self, row: Any, change: str) -> None:
        """Mark a table row inserted or deleted, with every paragraph in it."""
        trpr = row.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            tbl_pr_ex = row.find(qn("w:tblPrEx"))
            if tbl_pr_ex is not None:
                tbl_pr_ex.addnext(trpr)
            else:
                row.insert(0, trpr)
        if trpr.find(qn("w:ins")) is None and trpr.find(qn("w:del")) is None:
            trpr.append(self.element(change))
        for paragraph in row.iter(qn("w:p")):
            self.mark_paragraph(paragraph, change)

    def mark_all(self, elements: list[Any], change: str) -> None:
        """Mark every paragraph and table row in body elements as inserted or deleted."""
        for element in elements:
            for row in element.iter(qn("w:tr")):
                self.mark_row(row, change)
            for paragraph in element.iter(qn("w:p")):
                self.mark_paragraph(paragraph, change)

    def _wrap(self, runs: list[Any], change: str) -> None:
        runs = [r for r in runs if r.getparent() is not None and r.getparent().tag not in _CHANGES]
        if not runs:
            return
        mark = self.element(change)
        runs[0].addprevious(mark)
        for run in runs:
            mark.append(run)
            if change == DELETED:
                _as_deleted(run)


def _as_deleted(run: Any) -> None:
    """Turn a run's text into deleted text, as Word keeps it inside w:del."""
    for text in run.findall(qn("w:t")):
        text.tag = qn("w:delText")
    for instruction in run.findall(qn("w:instrText")):
        instruction.tag = qn("w:delInstrText")
