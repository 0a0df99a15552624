"""Reading a standard input workbook (input-workbook.md) into a :class:`~perfeval.model.Project`.

Sheets are found by name and tables by their header labels; every value keeps the cell it came from. The reader
reports only what stops it from reading a value (a missing sheet, column or number, a formula without a value);
judging the values is :mod:`perfeval.checks`' job. Reading uses python-calamine, which is several times faster
than openpyxl; a light scan of the sheet XML finds formula cells without a cached value, which calamine shows as
empty.

The rooms, from the file inwards: :mod:`.workbook` (opening, sheets, grids, :func:`read_workbook`),
:mod:`.formulas` (the formula scan), :mod:`.sheets` (a reader per sheet), :mod:`.tables` (header rows, merged
ranges, table rows), :mod:`.values` (a cell's text and number), :mod:`.grid` (a sheet's values),
:mod:`.vocabulary` (the labels and spellings looked for). A1 addresses and labels are :mod:`perfeval.cells`'.
"""

from __future__ import annotations

from ..cells import a1, label_of, parse_a1, split_label
from .formulas import formulas_without_value
from .grid import Grid, Range
from .values import EXCEL_CELL_CHARS, parse_points
from .vocabulary import ALIASES, FUNDING_NAMES, IDENTITY_LABELS, OPTIONAL_SHEETS, REQUIRED_SHEETS, ROLES
from .workbook import MAX_COLS, MAX_ROWS, ReadResult, _bounded_rows, _is_panic, _Reader, _short, read_workbook

__all__ = ["read_workbook", "ReadResult", "Grid", "Range", "formulas_without_value", "split_label", "label_of", "a1",
           "parse_a1", "parse_points", "EXCEL_CELL_CHARS", "MAX_ROWS", "MAX_COLS", "ALIASES", "FUNDING_NAMES",
           "IDENTITY_LABELS", "REQUIRED_SHEETS", "OPTIONAL_SHEETS", "ROLES",
           "_Reader", "_bounded_rows", "_is_panic", "_short"]  # the last four: perfeval.official.sheets reads with them
