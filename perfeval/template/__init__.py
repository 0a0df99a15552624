"""The standard input workbook (标准填报模板): the blank template, and the same layout filled in.

:func:`write_workbook` writes the blank template (``data=None``) or a workbook filled from plain dicts (the bundled
examples, and tests that need a workbook). The output is byte-stable: the same data always gives the same XML.

Layout of every sheet but 填表说明 (Excel row numbers):

- row 1: the sheet's title; row 2: a one-line hint; row 3: a short hint above each column (必填/选填 …);
- row 4 (:data:`HEADER_ROW`): the header labels, exactly as input-workbook.md names them;
- rows 5 on (:data:`FIRST_DATA_ROW`): the input rows.

The live checks (自动校验（请勿填写）) are locked formula cells in rows 1–3 to the right of the table, beyond one
empty column: row 1 the block's title, row 2 a label per check, row 3 its formula. Nothing locked sits in an input
row, so staff can insert and delete rows on the protected sheet. When data is given, every formula carries the
value it computes as its cached value, so a reader of cached values sees the right figures.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from perfeval.fileio import atomic_path
from perfeval.model import (
    LEVEL2_BY_LEVEL1,
    SHEET_FUNDING,
    SHEET_GROUP,
    SHEET_GUIDE,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_SPENDING,
    SHEET_VOLUMES,
)

from .checks import (
    CheckBlock,
    funding_checks,
    group_checks,
    indicator_checks,
    info_checks,
    spending_checks,
    volume_checks,
)
from .data import Data
from .fastsheet import worksheet_class
from .formats import Formats
from .guide import write_carried, write_guide, write_lists
from .layout import TABLE_WIDTHS, TABLES
from .locks import ID_HEADER, Locks
from .sheets import write_info, write_table

__all__ = ["ID_HEADER", "LEVEL2_BY_LEVEL1", "Locks", "write_workbook"]


def write_workbook(path: str | Path, data: dict | None = None, *, merge_indicator_groups: bool = True,
                   locks: Locks | None = None) -> Path:
    """Write the standard input workbook to ``path``: blank with ``data=None``, else filled from ``data``.

    ``data`` holds ``info`` (基本信息 label -> value), the row lists ``group``, ``funding``, ``spending``,
    ``indicators`` and ``volumes`` (dicts keyed by header label without unit), and ``version`` (the version
    written in 填表说明; None leaves it out). A missing ``funding`` gives the three pre-labelled sources.
    With ``merge_indicator_groups``, equal consecutive 一级指标 (and 二级指标 within one 一级指标) cells are merged.
    With ``locks`` (a prepared workbook, targets.md), the approved cells are locked and the approved values carried.
    """
    d = Data(data)
    path = Path(path)
    with atomic_path(path) as tmp:
        try:
            _write(tmp, d, merge_indicator_groups, worksheet_class(), locks)
        except Exception:
            if worksheet_class() is Worksheet:
                raise
            tmp.unlink(missing_ok=True)  # a new file: the failed writer may still hold the old one open
            _write(tmp, d, merge_indicator_groups, Worksheet, locks)  # the plain path: slower, never wrong
    return path


def _write(target: Path, d: Data, merge_indicator_groups: bool, sheet_class: type[Worksheet],
           locks: Locks | None) -> None:
    wb = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    wb.worksheet_class = sheet_class
    wb.set_properties({"title": "项目支出绩效自评填报模板", "author": "perfeval", "created": datetime(2025, 1, 1)})
    fmt = Formats(wb)
    blocks = {sheet: CheckBlock(width + 1) for sheet, width in TABLE_WIDTHS.items()}
    info_checks(blocks[SHEET_INFO], d)
    group_checks(blocks[SHEET_GROUP], d)
    rate_cell = funding_checks(blocks[SHEET_FUNDING], d)
    spending_checks(blocks[SHEET_SPENDING], d)
    indicator_checks(blocks[SHEET_INDICATORS], d, rate_cell)
    volume_checks(blocks[SHEET_VOLUMES], d)
    write_guide(wb, fmt, d.version, locks)
    write_info(wb, fmt, d, blocks[SHEET_INFO], locks)
    merge = merge_indicator_groups and not d.blank
    for table in TABLES:
        write_table(wb, fmt, table, d.rows(table), blocks[table.sheet], merge, locks)
    write_lists(wb, locks)
    if locks is not None and locks.carried_sheet:
        write_carried(wb, locks)
    wb.get_worksheet_by_name(SHEET_GUIDE).activate()
    wb.close()
