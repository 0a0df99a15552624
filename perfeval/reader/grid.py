"""One sheet's values as the reader sees them (:class:`Grid`), and what is done to merged ranges in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..cells import a1
from ..parse import cell_text

Range = tuple[tuple[int, int], tuple[int, int]]  # a merged range: (first row, first column), (last row, last column)


@dataclass
class Grid:
    """One sheet's values, 0-based, as the file holds them: a merged range's value only in its top-left cell."""

    name: str
    rows: list[list[Any]]
    no_value: set[str] = field(default_factory=set)  # formula cells without a cached value
    reported: set[str] = field(default_factory=set)  # those of them already reported
    merged: list[Range] = field(default_factory=list)  # within the cells read
    covered: set[tuple[int, int]] = field(default_factory=set)  # figure cells a merged range's first cell stands for

    def get(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return ""


def fill_down(rows: list[list[Any]], merged: Range, columns: set[int]) -> None:
    """The range's top-left value in its empty cells of ``columns``."""
    (r0, c0), (r1, c1) = merged
    value = rows[r0][c0]
    for r in range(r0, r1 + 1):
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c1:
            row.extend([""] * (c1 + 1 - len(row)))
        for c in columns:
            if (r, c) != (r0, c0) and row[c] in ("", None):
                row[c] = value


def range_text(merged: Range) -> str:
    (r0, c0), (r1, c1) = merged
    return f"{a1(r0, c0)}:{a1(r1, c1)}"


def is_empty(grid: Grid) -> bool:
    """Nothing in any cell, not even a header (and no formula without a value)."""
    return not grid.no_value and not any(cell_text(raw) for row in grid.rows for raw in row)
