"""One official table as a grid of cells, whatever it came from (a sheet, or a Word table).

A merged cell is one value, at its first row and column: the positions it covers hold ``""`` and point back to
it through :meth:`Grid.origin`. Rows and columns are 0-based here; :meth:`Grid.where` says where a cell is as a
person finds it: ``A1`` in a sheet, ``第5行第3列`` in a Word table (1-based, the cell's first grid column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..cells import a1, label_of, parse_a1
from ..parse import cell_text

KIND_SHEET = "sheet"
KIND_WORD = "word"


@dataclass
class Grid:
    """The cells of one official table; ``part`` is the sheet's name or ``表N`` (the Nth Word table)."""

    part: str
    rows: list[list[Any]]
    kind: str = KIND_SHEET
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # position -> merge origin
    before: list[str] = field(default_factory=list)  # Word: the paragraphs just above the table (its title)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def get(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return ""

    def text(self, r: int, c: int) -> str:
        return cell_text(self.get(r, c))

    def origin(self, r: int, c: int) -> tuple[int, int]:
        return self.covered.get((r, c), (r, c))

    def shown(self, r: int, c: int) -> Any:
        """The value a reader sees at a position: a merged cell's value over all the positions it covers."""
        return self.get(*self.origin(r, c))

    def cells(self, r: int) -> list[tuple[int, str]]:
        """(column, label) of the distinct non-empty cells of a row, left to right (a merged cell once)."""
        out = []
        for c in range(len(self.rows[r]) if r < len(self.rows) else 0):
            if (r, c) in self.covered:
                continue
            text = self.text(r, c)
            if text:
                out.append((c, text))
        return out

    def labels(self) -> set[str]:
        """Every cell's text as a label (spaces, brackets' unit, "：" removed): what detection looks at."""
        return {label_of(text) for r in range(len(self.rows)) for _, text in self.cells(r)}

    def where(self, r: int, c: int) -> str:
        return a1(r, c) if self.kind == KIND_SHEET else f"第{r + 1}行第{c + 1}列"

    def place(self, ref: str) -> str:
        """An A1 cell or range of this grid (as the checks write them) in the grid's own terms."""
        if self.kind == KIND_SHEET or not ref:
            return ref
        if re.fullmatch(r"\d+:\d+", ref):
            first, last = ref.split(":")
            return f"第{first}行" if first == last else f"第{first}至{last}行"
        corners = [parse_a1(part) for part in ref.split(":")]
        (r0, c0), (r1, c1) = corners[0], corners[-1]
        if (r0, c0) == (r1, c1):
            return self.where(r0, c0)
        if c0 == c1:
            return f"第{r0 + 1}至{r1 + 1}行第{c0 + 1}列"
        return f"{self.where(r0, c0)}至{self.where(r1, c1)}"
