"""A faster XlsxWriter worksheet for the template, behind a seam: the same XML, a fraction of the time.

Every template sheet gives all 16,384 columns the unlocked format, so that rows inserted on the protected sheet
stay editable. Plain XlsxWriter then stores one column record per column and, because that widens the sheet's
dimension to column XFD, visits 16,384 columns of every row when it writes the cells: most of the time a
template took. :class:`FastWorksheet` keeps a wide column range as one range, writes the rows over the columns
that hold cells only, and prepares each formula text once. These lean on XlsxWriter internals (``col_info``, ``dim_colmax``, ``_write_sheet_data``,
``_write_cols``, ``_prepare_formula``), so they are used only with the versions they were tested with
(:data:`TESTED_VERSIONS`); the writer falls back to the plain worksheet on any other version and on any error
while writing.
"""

from __future__ import annotations

import operator

import xlsxwriter
from xlsxwriter.worksheet import ColumnInfo, Worksheet

TESTED_VERSIONS = ("3.2.0", "3.2.2", "3.2.3", "3.2.5", "3.3.1")
_WIDE = 64  # a column range at least this wide is kept as a range
_FORMULAS: dict[tuple, str] = {}  # the same few dozen formulas in every workbook


class FastWorksheet(Worksheet):
    def __init__(self) -> None:
        super().__init__()
        self._wide: list[tuple[int, int, ColumnInfo]] = []  # wide column ranges, in the order they were set

    def _prepare_formula(self, formula, expand_future_functions=False):
        # A pure function of its arguments and the workbook's future-functions flag, run once per formula text.
        key = (formula, expand_future_functions, self.use_future_functions)
        prepared = _FORMULAS.get(key)
        if prepared is None:
            if len(_FORMULAS) > 4096:
                _FORMULAS.clear()
            prepared = _FORMULAS[key] = super()._prepare_formula(formula, expand_future_functions)
        return prepared

    def set_column_pixels(self, first_col, last_col, width=None, cell_format=None, options=None):
        if first_col > last_col:
            first_col, last_col = last_col, first_col
        plain = width is not None or any((options or {}).get(k) for k in ("hidden", "level", "collapsed"))
        if last_col - first_col < _WIDE or plain:  # only a default-width, visible range is kept as a range
            return super().set_column_pixels(first_col, last_col, width, cell_format, options)
        # The two ends through the public method (bounds, dimensions), then kept as one range: a column record
        # per column is what made the plain worksheet slow. A range of default width, not hidden, sizes drawings
        # and comments as no record does (Worksheet._size_col).
        if super().set_column_pixels(last_col, last_col, width, cell_format, options):
            return -1
        if super().set_column_pixels(first_col, first_col, width, cell_format, options):
            return -1
        info = self.col_info[first_col]
        for col in [c for c in self.col_info if first_col <= c <= last_col]:
            del self.col_info[col]  # overridden by the range
        self._wide.append((first_col, last_col, info))
        return 0

    def _write_cols(self) -> None:
        # As XlsxWriter's: one <col> per run of contiguous columns with equal properties, from the ranges (later
        # ones over earlier ones) and the single columns set since (over both).
        runs: list[list] = []
        for first, last, info in self._wide + [(c, c, info) for c, info in self.col_info.items()]:
            runs = [piece for run in runs for piece in _outside(run, first, last)] + [[first, last, info]]
        if not runs:
            return
        runs.sort(key=operator.itemgetter(0))
        merged = [runs[0]]
        for run in runs[1:]:
            if run[0] == merged[-1][1] + 1 and run[2] == merged[-1][2]:
                merged[-1][1] = run[1]
            else:
                merged.append(run)
        self._xml_start_tag("cols")
        for first, last, info in merged:
            self._write_col_info(first, last, info)
        self._xml_end_tag("cols")

    def _write_sheet_data(self) -> None:
        # Only columns holding a cell are visited; <dimension>, written before, keeps the full width.
        widest = self.dim_colmax
        used = [max(row) for row in self.table.values() if row]
        if used and widest is not None:
            self.dim_colmax = min(widest, max(used))
        try:
            super()._write_sheet_data()
        finally:
            self.dim_colmax = widest


def _outside(run: list, first: int, last: int) -> list[list]:
    """The parts of ``run`` ([first, last, info]) outside the columns first..last."""
    if run[1] < first or run[0] > last:
        return [run]
    return [part for part in ([run[0], first - 1, run[2]], [last + 1, run[1], run[2]]) if part[0] <= part[1]]


def worksheet_class() -> type[Worksheet]:
    """The fast worksheet on a tested XlsxWriter version, else the plain one."""
    return FastWorksheet if xlsxwriter.__version__ in TESTED_VERSIONS else Worksheet
