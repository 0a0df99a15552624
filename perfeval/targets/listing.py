"""准备清单.xlsx: each project, its prepared workbook, its unit's address, its problems (rewritten every time)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from ..fileio import atomic_path
from ..problems import count_by_severity
from .model import Targets

if TYPE_CHECKING:
    from .prepare import PreparedItem

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
        ws = wb.add_worksheet("准备清单")
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
