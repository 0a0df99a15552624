"""The marked-up copy (标注版): the staff's own workbook with every problem shown where it is.

Every problem cell is filled by severity and carries the problem's message(s) as a cell comment, and a sheet
问题清单 in front lists every problem with a link to its cell. The original file is only read; the copy is
written atomically. Only .xlsx and .xlsm can be marked up (openpyxl); for any other workbook (.xls, .ods, or a
file openpyxl cannot open) a new .xlsx holding only the 问题清单 is written instead.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import quote_sheetname, range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .cells import sheet_label
from .checks import sort_problems
from .fileio import atomic_path
from .marker import OUTPUT_PROPERTY
from .problems import ERROR, INFO, SEVERITIES, WARNING, Problem
from .render.common import display_width, row_height, wrapped_lines

ANNOTATABLE = (".xlsx", ".xlsm")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
LIST_SHEET = "问题清单"
HEADERS = ("序号", "严重程度", "工作表", "单元格", "问题代码", "问题说明", "填写值")
# Column widths at most, in characters (a Chinese character counts two), with 2 added for the cell's padding:
# together within PAGE_WIDTH, what A4 landscape holds at full size, so the list prints one page wide unshrunk
# (and fit to the width besides). Longer texts wrap.
MAX_WIDTHS = (6, 8, 12, 10, 22, 52, 16)
PAGE_WIDTH = 140
FOOTER = "第 &P 页，共 &N 页"
FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C", INFO: "DDEBF7"}  # red-ish, yellow, light blue
TAB_COLORS = {ERROR: "C00000", WARNING: "FFC000", INFO: "5B9BD5"}
HEADER_FILL = "D9D9D9"
AUTHOR = "perfeval"
COMMENT_WIDTH = 40  # characters per comment line, for sizing the comment box
# Sources that only get the problem list: a filled template is well under 1 MB; openpyxl needs ~50x the file
# size in memory, so a huge sheet (already truncated by the reader) would cost seconds and gigabytes.
MAX_ANNOTATED_BYTES = 5 * 1024 * 1024
OVERSIZED_CODES = ("rows-truncated", "columns-truncated", "sheet-too-large")
MAX_MARKED_CELLS = 2000  # per problem: a whole-row range is painted only as far as the sheet is used


def write_annotated(source: str | Path, problems: list[Problem], target: str | Path) -> Path:
    """Write the marked-up copy of ``source`` to ``target`` and return the path written.

    The suffix of the returned path is the source's (.xlsx or .xlsm, so that Excel opens a workbook with macros);
    for a workbook that cannot be marked up it is .xlsx, and the file holds only the 问题清单 sheet.
    """
    source, target = Path(source), Path(target)
    book = None if _too_big(source, problems) else _load(source)
    target = _with_suffix(target, source.suffix.lower() if book is not None else ".xlsx")
    if target.resolve() == source.resolve():
        raise ValueError(f"标注版不能写到原文件 {source} 上，请指定另一个输出位置。")
    problems = sort_problems(problems)
    if book is None:
        book = openpyxl.Workbook()
        book.remove(book.active)
        links: dict[int, tuple[str, str]] = {}
    else:
        links = _mark(book, problems)
        book.calculation.fullCalcOnLoad = True  # openpyxl keeps formulas but not their cached values
    _problem_list(book, problems, links)
    if OUTPUT_PROPERTY not in book.custom_doc_props.names:  # skipped when found among the inputs
        book.custom_doc_props.append(StringProperty(name=OUTPUT_PROPERTY, value="标注版"))
    with atomic_path(target) as tmp:
        book.save(tmp)
    return target


def _with_suffix(path: Path, suffix: str) -> Path:
    """``path`` with a workbook suffix replaced (or added, when it has none: "项目.v2_标注版" keeps its dot)."""
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return path.with_suffix(suffix)
    return path.with_name(path.name + suffix)


def _too_big(source: Path, problems: list[Problem]) -> bool:
    """A workbook too large to rewrite cheaply (openpyxl holds every cell): it gets the problem list only."""
    if any(p.code in OVERSIZED_CODES for p in problems):
        return True
    try:
        return source.stat().st_size > MAX_ANNOTATED_BYTES
    except OSError:
        return True


def _load(source: Path):
    """The workbook to mark up, or None when it is not one openpyxl can rewrite faithfully."""
    suffix = source.suffix.lower()
    if suffix not in ANNOTATABLE:
        return None
    try:
        return openpyxl.load_workbook(source, keep_vba=suffix == ".xlsm", rich_text=True, keep_links=True)
    except Exception:  # corrupt, encrypted or mislabelled: the reader has reported it; list the problems only
        return None


# ---- marking the cells -----------------------------------------------------------------------------------


def _find_sheet(book, name: str) -> Worksheet | None:
    if not name:
        return None
    if name in book.sheetnames:
        return book[name]
    wanted = sheet_label(name)
    return next((ws for ws in book.worksheets if sheet_label(ws.title) == wanted), None)


def _bounds(ws: Worksheet, ref: str) -> tuple[int, int, int, int] | None:
    """(min_col, min_row, max_col, max_row) of an A1 cell or range, whole rows/columns cut to the used area."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return None
    return (min_col or 1, min_row or 1, max_col or max(ws.max_column, 1), max_row or max(ws.max_row, 1))


def _anchor(ws: Worksheet, col: int, row: int) -> str:
    """The cell that can hold a comment: the top-left of a merged range the cell lies in."""
    for merged in ws.merged_cells.ranges:
        if merged.min_col <= col <= merged.max_col and merged.min_row <= row <= merged.max_row:
            return merged.start_cell.coordinate
    return f"{get_column_letter(col)}{row}"


def _mark(book, problems: list[Problem]) -> dict[int, tuple[str, str]]:
    """Fill and comment every problem cell; problem index -> (sheet title, anchor cell) for the links."""
    links: dict[int, tuple[str, str]] = {}
    messages: dict[tuple[str, str], list[str]] = {}  # (sheet, anchor) -> the comment's messages
    painted: dict[tuple[str, int, int], int] = {}  # (sheet, row, col) -> severity rank of its fill
    worst: dict[str, int] = {}
    for i, p in enumerate(problems):  # sorted: the worst severity of a cell is painted first
        ws = _find_sheet(book, p.sheet)
        if ws is None:
            continue
        rank = SEVERITIES.index(p.severity)
        worst.setdefault(ws.title, rank)
        bounds = _bounds(ws, p.cell) if p.cell else None
        if bounds is None:
            links[i] = (ws.title, "A1")
            continue
        min_col, min_row, max_col, max_row = bounds
        anchor = _anchor(ws, min_col, min_row)
        links[i] = (ws.title, anchor)
        said = messages.setdefault((ws.title, anchor), [])
        text = f"【{p.severity}】{p.message}"
        if text not in said:
            said.append(text)
        cells = [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
        top_left = ws[anchor]  # a merged range shows its top-left cell's fill
        for row, col in [(top_left.row, top_left.column)] + cells[:MAX_MARKED_CELLS]:
            if painted.setdefault((ws.title, row, col), rank) == rank:
                colour = FILLS[p.severity]
                ws.cell(row, col).fill = PatternFill("solid", start_color=colour, end_color=colour)
    for (title, anchor), said in messages.items():
        _comment(book[title][anchor], said)
    for title, rank in worst.items():
        book[title].sheet_properties.tabColor = TAB_COLORS[SEVERITIES[rank]]
    return links


def _comment(cell, messages: list[str]) -> None:
    """One comment holding every message on the cell, after the staff's own comment if there was one."""
    text = "\n".join(messages)
    if cell.comment is not None and cell.comment.text.strip():
        text = f"{cell.comment.text.rstrip()}\n\n{text}"
    text = _clean(text)
    lines = sum(max(1, math.ceil(display_width(line) / (COMMENT_WIDTH * 2))) for line in text.split("\n"))
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = min(40 + 18 * lines, 600)
    cell.comment = comment


# ---- the 问题清单 sheet ------------------------------------------------------------------------------------


def _problem_list(book, problems: list[Problem], links: dict[int, tuple[str, str]]) -> Worksheet:
    title = LIST_SHEET
    n = 2
    while title in book.sheetnames:
        title, n = f"{LIST_SHEET}{n}", n + 1
    ws = book.create_sheet(title, 0)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for col, header in enumerate(HEADERS, 1):
        cell = ws.cell(1, col)
        _put(cell, header)
        cell.font = bold
        cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    widths = [display_width(h) for h in HEADERS]
    texts = []
    for i, p in enumerate(problems):
        row = i + 2
        values = (i + 1, p.severity, p.sheet, p.cell, p.code, p.message, p.value)
        texts.append(["" if value is None else _clean(str(value)) for value in values])
        for col, value in enumerate(values, 1):
            cell = ws.cell(row, col)
            _put(cell, value)
            widths[col - 1] = max(widths[col - 1], display_width(texts[-1][col - 1]))
            cell.alignment = wrapped
        colour = FILLS[p.severity]
        ws.cell(row, 2).fill = PatternFill("solid", start_color=colour, end_color=colour)
        if i in links:
            sheet, anchor = links[i]
            link = ws.cell(row, 4)
            if not p.cell:
                _put(link, "（转到工作表）")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(sheet)}!{anchor}")
            link.style = "Hyperlink"
            link.alignment = wrapped
    widths = [min(width, cap) + 2 for width, cap in zip(widths, MAX_WIDTHS)]
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    # Row heights for the wrapped lines: a spreadsheet program keeps a written row's height as the file says.
    ws.row_dimensions[1].height = row_height(max(wrapped_lines(h, w) for h, w in zip(HEADERS, widths)))
    for row, values in enumerate(texts, 2):
        ws.row_dimensions[row].height = row_height(max(wrapped_lines(t, w) for t, w in zip(values, widths)))
    ws.freeze_panes = "A2"
    last = f"{get_column_letter(len(HEADERS))}{len(problems) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    _print_setup(ws, f"A1:{last}")
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0
    return ws


def _print_setup(ws: Worksheet, area: str) -> None:
    """A4 landscape, one page wide and as many tall as needed, the header row on every page, page numbers."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.print_title_rows = "1:1"
    ws.print_area = area
    ws.oddFooter.center.text = FOOTER


def _put(cell, value) -> None:
    """Write a value as data: text is never a formula, and characters XML forbids are dropped."""
    if isinstance(value, str):
        value = _clean(value)
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise take text starting with "=" for a formula
    else:
        cell.value = value


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)
