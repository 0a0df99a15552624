"""The sheets of a workbook (.xlsx, .xlsm, .xls, .ods) as :class:`~perfeval.official.grid.Grid` objects.

The workbook is opened as the standard reader opens it (python-calamine, by the real format the pre-scan found,
every error of the native reader turned into a problem); each sheet's values are taken as the reader takes them
(at most ``reader.MAX_ROWS`` rows and ``reader.MAX_COLS`` columns), with merged ranges kept as one value.
"""

from __future__ import annotations

from pathlib import Path

from ..prescan import Prescan
from ..problems import Problem
from ..reader import MAX_COLS, MAX_ROWS, _bounded_rows, _is_panic, _Reader, _short
from .grid import KIND_SHEET, Grid


def covered_positions(merged, height: int, width: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Position -> merge origin, for the positions a merged range covers beyond its first cell (clipped)."""
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    budget = MAX_ROWS * MAX_COLS  # a hostile list of overlapping ranges must not take unbounded time
    for (r0, c0), (r1, c1) in merged or ():
        r1, c1 = min(r1, height - 1, MAX_ROWS - 1), min(c1, width - 1, MAX_COLS - 1)
        budget -= max(r1 - r0 + 1, 0) * max(c1 - c0 + 1, 0)
        if budget < 0:
            break
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered.setdefault((r, c), (r0, c0))
    return covered


def workbook_grids(path: Path, name: str, scan: Prescan) -> tuple[list[Grid] | None, list[Problem]]:
    """Every sheet of the workbook as a grid, in workbook order; (None, problems) when it cannot be opened."""
    reader = _Reader(path, name)
    book = reader.open(scan.kind)
    if book is None:
        return None, reader.problems
    grids = []
    try:
        for meta in book.sheets_metadata:
            sheet = book.get_sheet_by_name(meta.name)
            rows = _bounded_rows(sheet)
            try:
                merged = sheet.merged_cell_ranges
            except Exception:  # not every format reports merged cells
                merged = None
            if merged is None:
                merged = scan.merged.get(meta.name)  # ods: the pre-scan found them
            width = max((len(row) for row in rows), default=0)
            grids.append(Grid(meta.name, rows, KIND_SHEET, covered_positions(merged, len(rows), width)))
    except BaseException as exc:  # a corrupt part that calamine only notices while reading (or panics on)
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        reader.problem("file-unreadable", f"读取文件时出错（{_short(exc)}）。请用 Excel 或 WPS 重新保存后提交。")
        return None, reader.problems
    finally:
        book.close()
    return grids, reader.problems
