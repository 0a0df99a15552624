"""Writing the sheets: 基本信息 and the five tables, with their notes, validations and merged groups."""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from perfeval.model import INFO_LABELS, REQUIRED_INFO_LABELS, SHEET_INFO

from .checks import CheckBlock
from .data import Data
from .formats import Formats
from .locks import ID_HEADER, UNPROTECTED_SHEETS, Locks
from .layout import (
    CHECK_VALUE_IDX,
    FIRST_DATA_ROW,
    FIRST_IDX,
    HEADER_IDX,
    INDICATORS,
    INFO_HEADERS,
    INFO_HINTS,
    INFO_WIDTHS,
    LONG_INFO_LABELS,
    PROTECTION,
    Column,
    Table,
)
from .values import display_width, is_blank, is_number, row_height

# ---- writing -----------------------------------------------------------------------------------------------


def write_value(ws, row: int, col: int, value: Any, fmt: Formats, kind: str, locked: bool = False) -> None:
    """Numbers as numbers, dates as dates, everything else as text; blank cells keep the input format.

    A ``locked`` cell holds an approved value (prepared workbooks): locked, in the approved colour."""
    cell_format = fmt.approved(kind) if locked else fmt.input[kind]
    if is_blank(value):
        ws.write_blank(row, col, None, cell_format)
    elif is_number(value):
        ws.write_number(row, col, float(value), cell_format)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(row, col, value, fmt.approved("date") if locked else fmt.input["date"])
    else:
        ws.write_string(row, col, str(value), cell_format)


def _comment(ws, row: int, col: int, text: str) -> None:
    lines = math.ceil(display_width(text) / 44) + 1
    ws.write_comment(row, col, text, {"author": "填报模板", "x_scale": 2.4, "y_scale": max(1.0, lines * 14 / 74)})


def sheet_head(ws, fmt: Formats, title: str, intro: str, width: int, intro_height: float) -> None:
    """Rows 1–2: the sheet's title and one-line hint, across the table's columns."""
    last = width - 1
    ws.merge_range(0, 0, 0, last, title, fmt.title)
    ws.merge_range(1, 0, 1, last, intro, fmt.intro)
    ws.set_row(0, 28)
    ws.set_row(1, intro_height)
    ws.set_row(CHECK_VALUE_IDX, 30)
    ws.set_row(HEADER_IDX, 32)
    ws.freeze_panes(HEADER_IDX + 1, 0)


def finish_sheet(ws, landscape: bool, columns: int, last_row_idx: int, locks: Locks | None = None) -> None:
    """Print setup and protection, the same on every sheet."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(HEADER_IDX)
    ws.print_area(0, 0, last_row_idx, columns - 1)
    ws.set_footer("&C第 &P 页，共 &N 页")
    protect(ws, locks)


def protect(ws, locks: Locks | None) -> None:
    """The template protects every sheet without a password; a prepared workbook leaves the free tables open."""
    if locks is None:
        ws.protect("", PROTECTION)
    elif ws.name not in UNPROTECTED_SHEETS:
        ws.protect(locks.password, PROTECTION)


def write_table(wb, fmt: Formats, table: Table, rows: list[dict], block: CheckBlock, merge: bool,
                locks: Locks | None = None) -> None:
    ws = wb.add_worksheet(table.sheet)
    ncols = len(table.columns)
    total_width = sum(col.width for col in table.columns)
    sheet_head(ws, fmt, table.sheet, table.intro, ncols, row_height(table.intro, total_width, 30))
    ws.set_column(0, 16383, None, fmt.unlocked)  # unwritten cells stay editable: rows can be inserted and deleted
    n_rows = max(table.rows, len(rows))
    if locks is not None and table is INDICATORS:
        n_rows = len(rows) + locks.open_rows  # the approved rows and a few open ones
    first, last = FIRST_IDX, FIRST_IDX + n_rows - 1
    last_letter = xl_col_to_name(ncols - 1)
    started_letter = xl_col_to_name(table.started_from)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, col.width, fmt.unlocked)
        hint = ("必填" if col.required else "选填") + (f"·{col.hint}" if col.hint else "")
        ws.write_string(CHECK_VALUE_IDX, c, hint, fmt.hint_required if col.required else fmt.hint_optional)
        ws.write_string(HEADER_IDX, c, col.header, fmt.header)
        if col.note:
            _comment(ws, HEADER_IDX, c, col.note)
        for r in range(n_rows):
            value = rows[r].get(col.key) if r < len(rows) else None
            locked = locks is not None and locks.locked(table.data_key, r, col.key)
            write_value(ws, first + r, c, value, fmt, col.kind, locked)
        _validate(ws, col, first, last, c)
        if col.required:
            letter = xl_col_to_name(c)
            started = f"COUNTA(${started_letter}{FIRST_DATA_ROW}:${last_letter}{FIRST_DATA_ROW})>0"
            criteria = f'=AND({started},{letter}{FIRST_DATA_ROW}="")'
            ws.conditional_format(first, c, last, c, {"type": "formula", "criteria": criteria, "format": fmt.required})
            if table.required:
                ws.conditional_format(first, c, first, c, {"type": "blanks", "format": fmt.required})
    if merge and table is INDICATORS:
        _merge_groups(ws, fmt, rows)
    ws.set_column(ncols, ncols, 2, fmt.unlocked)  # the gap before the check block
    block.write(ws, fmt)
    if locks is not None and table is INDICATORS:
        _write_ids(ws, fmt, locks, block.first_col + len(block.checks) + 1)
    finish_sheet(ws, table.landscape, ncols, last, locks)


def _write_ids(ws, fmt: Formats, locks: Locks, col: int) -> None:
    """The hidden, locked id column of the approved 绩效指标 rows (right of the check block)."""
    ws.set_column(col, col, 10, fmt.unlocked, {"hidden": True})
    ws.write_string(HEADER_IDX, col, ID_HEADER, fmt.header)
    for r, row_id in enumerate(locks.indicator_ids):
        ws.write_string(FIRST_IDX + r, col, row_id, fmt.approved("text"))


def _validate(ws, col: Column, first: int, last: int, c: int) -> None:
    """The column's drop-down or number check; warnings only, so unusual but valid entries still go in."""
    if col.choices:
        options = {
            "validate": "list",
            "source": col.choices.format(row=FIRST_DATA_ROW),
            "error_title": "不在下拉列表中",
            "error_message": "建议从下拉列表选择。确实需要其他写法时，点“是”保留。",
        }
    elif col.kind in ("amount", "count"):
        options = {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "请填写数字",
            "error_message": "请填写不小于0的数字，不要带单位（单位见表头）。",
        }
    elif col.kind == "score":
        options = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_title": "请填写分数",
            "error_message": "请填写0到100之间的数字。",
        }
    else:
        return
    ws.data_validation(first, c, last, c, {**options, "error_type": "warning"})


def _merge_groups(ws, fmt: Formats, rows: list[dict]) -> None:
    """Merge 一级指标 over consecutive rows with the same value, and 二级指标 over the same (一级, 二级)."""
    groups = {
        "一级指标": [(row.get("一级指标"),) for row in rows],
        "二级指标": [(row.get("一级指标"), row.get("二级指标")) for row in rows],
    }
    for key, keys in groups.items():
        c, start = INDICATORS.index(key), 0
        for _, run in itertools.groupby(keys):
            end = start + len(list(run)) - 1
            value = rows[start].get(key)
            if end > start and not is_blank(value):
                ws.merge_range(FIRST_IDX + start, c, FIRST_IDX + end, c, str(value), fmt.input["text"])
            start = end + 1


def write_info(wb, fmt: Formats, d: Data, block: CheckBlock, locks: Locks | None = None) -> None:
    ws = wb.add_worksheet(SHEET_INFO)
    widths = INFO_WIDTHS
    sheet_head(ws, fmt, SHEET_INFO, "在右侧浅黄色栏中填写；带*的为必填。长文字可直接粘贴。", 3, 22)
    ws.set_column(0, 16383, None, fmt.unlocked)
    for c, (header, width) in enumerate(zip(INFO_HEADERS, widths)):
        ws.set_column(c, c, width, fmt.unlocked)
        ws.write_string(HEADER_IDX, c, header, fmt.header)
    ws.write_string(CHECK_VALUE_IDX, 1, "带*为必填", fmt.hint_required)
    for i, label in enumerate(INFO_LABELS):
        row = FIRST_IDX + i
        value = d.info.get(label)
        ws.write_string(row, 0, label + ("*" if label in REQUIRED_INFO_LABELS else ""), fmt.label)
        kind = "long" if label in LONG_INFO_LABELS else "text"
        write_value(ws, row, 1, value, fmt, kind, locks is not None and label in locks.info)
        ws.write_string(row, 2, INFO_HINTS[label], fmt.label_hint)
        if kind == "long":
            ws.set_row(row, row_height("" if is_blank(value) else str(value), widths[1], 60))
        if label in REQUIRED_INFO_LABELS:
            ws.conditional_format(row, 1, row, 1, {"type": "blanks", "format": fmt.required})
    _info_validations(ws)
    ws.set_column(3, 3, 2, fmt.unlocked)
    block.write(ws, fmt)
    finish_sheet(ws, False, 3, FIRST_IDX + len(INFO_LABELS) - 1, locks)


_INFO_VALIDATIONS: dict[str, dict[str, Any]] = {
    "评价年度": {
        "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
        "error_message": "请填写四位数字年份，如2025。",
    },
    "预算执行率分值": {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
        "error_message": "请填写0到100之间的数字；不填按10分计。",
    },
    "联系邮箱": {
        "validate": "custom", "value": '=ISNUMBER(FIND("@",B{row}))',
        "error_message": "邮箱地址应含有@，如 name@example.gov.cn。",
    },
}


def _info_validations(ws) -> None:
    for label, options in _INFO_VALIDATIONS.items():
        row = FIRST_IDX + INFO_LABELS.index(label)
        options = {**options, "error_type": "warning", "error_title": label}
        if isinstance(options.get("value"), str):
            options["value"] = options["value"].format(row=row + 1)
        ws.data_validation(row, 1, row, 1, options)


