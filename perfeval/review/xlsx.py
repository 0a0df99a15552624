"""Writing the review's workbooks with XlsxWriter: the formats and a table of labelled columns.

Text from the inputs and from reviewers is always written as text (never a formula); every figure is rounded
through :func:`perfeval.fmt.table_value` and shown by its number format.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .. import fmt
from ..render import clean, display_width, row_height, wrapped_lines
from .layout import CREATED, Column

FONT = "宋体"
MAX_WIDTH = 50
# Fills: the header, read-only cells (grey), the reviewer's cells (yellow).
FILLS = {"": None, "readonly": "#EDEDED", "open": "#FFF2CC"}
HEADER_FILLS = {"": "#DDEBF7", "readonly": "#D9D9D9", "open": "#FFD966"}
NUMBER_FORMATS = {"score": "0.00", "int": "0", "text": "@", "long": "@"}


def open_workbook(path: Path, title: str) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"title": title, "author": "perfeval", "created": CREATED})
    return wb


class Formats:
    """The cell formats of one workbook, made once: by (kind, style) for cells, by style for headers."""

    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "top"}
        self.cells = {}
        for style, fill in FILLS.items():
            for kind, number in NUMBER_FORMATS.items():
                spec = {**base, "num_format": number, "text_wrap": kind == "long"}
                if fill:
                    spec["bg_color"] = fill
                if style == "readonly":
                    spec["font_color"] = "#404040"
                self.cells[kind, style] = wb.add_format(spec)
        self.headers = {style: wb.add_format({**base, "bold": True, "bg_color": fill, "align": "center",
                                              "valign": "vcenter", "text_wrap": True})
                        for style, fill in HEADER_FILLS.items()}
        self.title = wb.add_format({"font_name": FONT, "font_size": 12, "bold": True})
        self.note = wb.add_format({"font_name": FONT, "font_size": 10, "text_wrap": True, "valign": "top"})


def write_cell(ws, row: int, col: int, kind: str, value, cell_format) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, cell_format)
    elif kind == "score":
        ws.write_number(row, col, fmt.table_value(Decimal(value)), cell_format)
    elif kind == "int":
        ws.write_number(row, col, int(value), cell_format)
    else:
        ws.write_string(row, col, clean(value), cell_format)


def write_table(ws, formats: Formats, columns: tuple[Column, ...], rows: Iterable[dict], *, first_row: int = 0,
                styles: dict[str, str] | None = None, filter_: bool = True) -> int:
    """A header row at ``first_row`` and a row per dict (values by column label); ``styles`` gives a column's
    style by label ("readonly", "open"; default plain). Returns the number of data rows written."""
    styles = styles or {}
    for col, c in enumerate(columns):
        ws.write_string(first_row, col, c.label, formats.headers[styles.get(c.label, "")])
    widths = [max(c.width, min(display_width(c.label) + 2, 12)) for c in columns]
    n = 0
    for n, values in enumerate(rows, start=1):
        lines = 1
        for col, c in enumerate(columns):
            value = values.get(c.label)
            write_cell(ws, first_row + n, col, c.kind, value, formats.cells[c.kind, styles.get(c.label, "")])
            if c.kind == "long" and value:
                lines = max(lines, wrapped_lines(clean(value), widths[col]))
            elif c.kind == "text" and value:
                widths[col] = max(widths[col], min(display_width(clean(value)) + 2, MAX_WIDTH))
        if lines > 1:
            ws.set_row(first_row + n, row_height(lines))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_row(first_row, 30)
    if filter_:
        ws.autofilter(first_row, 0, first_row + max(n, 1), len(columns) - 1)
    ws.freeze_panes(first_row + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(first_row)
    return n
