"""A faster XlsxWriter worksheet for the template, behind a seam: the same XML, a fraction of the time.

Every template sheet gives all 16,384 columns the unlocked format, so that rows inserted on the protected sheet
stay editable. Plain XlsxWriter then stores one column record per column and, because that widens the sheet's
dimension to column XFD, visits 16,384 columns of every row when it writes the cells: most of the time a
template took. :class:`FastWorksheet` shares one column record across a wide range and writes the rows over the
columns that hold cells only. Both lean on XlsxWriter internals (``col_info``, ``dim_colmax``,
``_write_sheet_data``), so they are used only with the versions they were tested with (:data:`TESTED_VERSIONS`);
the writer falls back to the plain worksheet on any other version and on any error while writing.
"""

from __future__ import annotations

import xlsxwriter
from xlsxwriter.worksheet import ColumnInfo, Worksheet

TESTED_VERSIONS = ("3.2.0", "3.2.2", "3.2.3", "3.2.5", "3.3.1")
_WIDE = 64  # a column range at least this wide shares one record


class _SharedColumnInfo(ColumnInfo):
    """One column record standing for many columns: equal to itself at once, to others by value as before."""

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, ColumnInfo):
            return NotImplemented
        return (self.width, self.column_format, self.hidden, self.level, self.collapsed, self.autofit) == (
            other.width, other.column_format, other.hidden, other.level, other.collapsed, other.autofit)

    __hash__ = None


class FastWorksheet(Worksheet):
    def set_column_pixels(self, first_col, last_col, width=None, cell_format=None, options=None):
        if first_col > last_col:
            first_col, last_col = last_col, first_col
        if last_col - first_col < _WIDE:
            return super().set_column_pixels(first_col, last_col, width, cell_format, options)
        # The two ends through the public method (bounds, dimensions, outline level), the middle shares a record.
        if super().set_column_pixels(last_col, last_col, width, cell_format, options):
            return -1
        if super().set_column_pixels(first_col, first_col, width, cell_format, options):
            return -1
        shared = _SharedColumnInfo(**vars(self.col_info[first_col]))
        self.col_info.update(dict.fromkeys(range(first_col, last_col + 1), shared))
        return 0

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


def worksheet_class() -> type[Worksheet]:
    """The fast worksheet on a tested XlsxWriter version, else the plain one."""
    return FastWorksheet if xlsxwriter.__version__ in TESTED_VERSIONS else Worksheet
