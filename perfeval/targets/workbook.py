"""Opening a targets file with the reader's own helpers: the pre-scan, calamine, grids with merged cells filled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..prescan import prescan
from ..reader import Grid, _Reader

MAX_TARGET_ROWS = 200_000  # a 目标清单 of a whole region: thousands of projects, tens of thousands of indicators


class TargetsReader(_Reader):
    """The input reader's value, header and table helpers, for a targets file (problems at ``sheet!cell``)."""

    def sheet_names(self, book) -> list[str]:
        return [s.name for s in book.sheets_metadata]

    def load(self, book, name: str) -> Grid:
        return self.grid(book, name, {}, None, MAX_TARGET_ROWS)


@contextmanager
def opened(path: Path, display_name: str) -> Iterator[tuple[TargetsReader, object | None]]:
    """The reader (collecting problems) and the workbook, None when the file cannot be read."""
    reader = TargetsReader(path, display_name)
    scan = prescan(path, display_name)
    reader.problems += scan.problems
    book = reader.open(scan.kind) if scan.ok else None
    try:
        yield reader, book
    finally:
        if book is not None:
            book.close()
