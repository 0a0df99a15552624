"""准备清单.xlsx: each project, its prepared workbook, its unit's address, its problems (rewritten every time)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from ..fileio import atomic_path
from ..identity import Identity, identity, name_key
from ..problems import count_by_severity
from .model import Targets

if TYPE_CHECKING:
    from .prepare import PreparedItem

LISTING_NAME = "准备清单.xlsx"
LISTING_SHEET = "准备清单"
PROJECT_COLUMNS = (("评价年度", 10), ("主管部门", 16), ("实施单位", 20), ("项目名称", 30), ("项目编码", 16),
                   ("填报表", 44), ("状态", 14), ("联系人", 10), ("联系邮箱", 26), ("批复目标来源", 40),
                   ("错误", 6), ("警告", 6), ("提示", 6), ("问题", 60))
PROBLEM_COLUMNS = (("文件", 36), ("工作表", 10), ("单元格", 10), ("级别", 6), ("代码", 26), ("说明", 80), ("填写值", 20))


def write_listing(path: Path, items: list[PreparedItem], targets: Targets) -> Path:
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "in_memory": True})
        wb.set_properties({"title": "准备清单", "author": "perfeval", "created": datetime(2025, 1, 1)})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        ws = wb.add_worksheet(LISTING_SHEET)
        _header(ws, PROJECT_COLUMNS, head)
        for r, item in enumerate(items, start=1):
            p, counts = item.project, count_by_severity(item.project.problems)
            row = [p.info.get("评价年度", ""), p.info.get("主管部门", ""), p.info.get("实施单位", ""),
                   p.info.get("项目名称", ""), p.info.get("项目编码", ""), item.file, item.status,
                   p.info.get("联系人", ""), p.info.get("联系邮箱", ""), p.origin, counts["错误"], counts["警告"],
                   counts["提示"], "\n".join(f"[{x.severity}] {x.where} {x.message}" for x in p.problems)]
            ws.write_row(r, 0, row, wrap)
        ws.autofilter(0, 0, max(1, len(items)), len(PROJECT_COLUMNS) - 1)
        ws = wb.add_worksheet("问题清单")
        _header(ws, PROBLEM_COLUMNS, head)
        for r, x in enumerate(targets.problems, start=1):
            ws.write_row(r, 0, [x.file, x.sheet, x.cell, x.severity, x.code, x.message, x.value or ""], wrap)
        wb.close()
    return path


def _header(ws, columns, head) -> None:
    for c, (title, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(0, c, title, head)
    ws.freeze_panes(1, 0)


@dataclass(frozen=True)
class ListedWorkbook:
    """A project as 准备清单.xlsx lists it: its identity, its prepared workbook (a file name, "" when none was
    written), its status, its unit's address and where it is in its targets file."""

    year: str
    department: str
    unit: str
    name: str
    code: str
    file: str
    status: str
    contact: str
    email: str
    origin: str

    @property
    def keys(self) -> list[Identity]:
        """Its identities: the code first (when it has one), then (year, unit, name)."""
        return [identity(self.code, self.year, self.unit, self.name), name_key(self.year, self.unit, self.name)]


def read_listing(folder: Path) -> list[ListedWorkbook] | None:
    """The projects of ``folder/准备清单.xlsx`` in its order; None when there is no readable listing."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(folder / LISTING_NAME, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    try:
        rows = book[LISTING_SHEET].iter_rows(values_only=True) if LISTING_SHEET in book.sheetnames else iter(())
        header = [str(v or "") for v in next(rows, ())]
        if not all(title in header for title, _ in PROJECT_COLUMNS[:10]):
            return None
        at = [header.index(title) for title, _ in PROJECT_COLUMNS[:10]]
        return [ListedWorkbook(*(_text(row[i] if i < len(row) else None) for i in at))
                for row in rows if any(v not in (None, "") for v in row)]
    finally:
        book.close()


def _text(value) -> str:
    return "" if value is None else str(value).strip()
