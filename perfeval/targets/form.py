"""National 项目支出绩效目标申报表 workbooks: one project a sheet, a label/value form above a 绩效指标 block.

Labels are found anywhere on the sheet and their value is the next cell to the right that is not a label (merged
label cells fill right with the label itself, so those are passed over). The year comes from the title
(“2025年度”) or a 评价年度 / 年度 label; 预算单位 is read as 实施单位; without 主管部门, the 实施单位 is taken
(with a 提示). The 项目资金 block's 年度资金总额 / 其中：财政拨款 / 上年结转 / 其他资金 rows give the 年初预算数.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..model import SOURCE_CARRIED, SOURCE_CURRENT, SOURCE_OTHER, SOURCE_TOTAL
from ..parse import ParseError, cell_text, parse_money
from ..problems import Problem
from ..cells import a1, label_of, split_label
from .listfile import INDICATOR_REQUIRED, read_indicator
from .model import ApprovedProject
from .workbook import TargetsReader

LABELS = {
    "项目名称": "项目名称", "主管部门": "主管部门", "主管部门及代码": "主管部门", "主管单位": "主管部门",
    "实施单位": "实施单位", "预算单位": "实施单位", "项目编码": "项目编码", "项目代码": "项目编码",
    "评价年度": "评价年度", "年度": "评价年度", "联系人": "联系人", "联系电话": "联系电话", "联系邮箱": "联系邮箱",
    "年度绩效目标": "年度总体目标", "年度目标": "年度总体目标", "总体目标": "年度总体目标", "项目背景": "项目背景",
    "项目概况": "项目背景",
}
FUNDS = {"年度资金总额": SOURCE_TOTAL, "资金总额": SOURCE_TOTAL, "财政拨款": SOURCE_CURRENT,
         "当年财政拨款": SOURCE_CURRENT, "本年财政拨款": SOURCE_CURRENT, "上年结转资金": SOURCE_CARRIED,
         "上年结转": SOURCE_CARRIED, "其他资金": SOURCE_OTHER}
_YEAR_TITLE = re.compile(r"(\d{4})\s*年度")
_NOTE_STARTS = ("注", "说明", "填表说明", "填报说明", "备注")
OPTIONAL = ("指标性质", "计量单位", "分值")


def _label(raw) -> str:
    return label_of(raw).removeprefix("其中").lstrip(":：") if isinstance(raw, str) else ""


def looks_like_form(grid) -> bool:
    """A sheet with a 项目名称 label and an indicator header (一级指标 … 三级指标)."""
    labels = {_label(v) for row in grid.rows[:200] for v in row if isinstance(v, str)}
    return "项目名称" in labels and {"一级指标", "三级指标"} <= labels


def read_form(reader: TargetsReader, grid) -> ApprovedProject | None:
    found = reader.header(grid, INDICATOR_REQUIRED, OPTIONAL)
    if not found:
        return None
    hr, cols, _ = found
    start = len(reader.problems)
    reader.merges(grid, hr, cols, grouping=("一级指标", "二级指标"), figures=("分值",))
    project = ApprovedProject(reader.file, grid.name, "")
    funds, fund_cells, unit = {}, {}, "万元"
    for r, row in enumerate(grid.rows[:hr]):
        for c, raw in enumerate(row):
            label = _label(raw)
            if label == "项目资金":
                unit = split_label(raw)[1] or unit
            target = LABELS.get(label)
            if target and target not in project.info:
                value = _value_right(grid, r, c, raw)
                if value is not None:
                    project.info[target] = reader.text(grid, *value)
                    project.info_cells[target] = f"{grid.name}!{a1(*value)}"
                    if target == "项目名称":
                        project.cell = a1(*value)
            source = FUNDS.get(label)
            if source and source not in funds:
                amount = _amount_right(grid, r, c, unit)
                if amount is not None:
                    funds[source], fund_cells[source] = amount[0], f"{grid.name}!{a1(r, amount[1])}"
    _year(reader, grid, project)
    if not project.info.get("主管部门") and project.info.get("实施单位"):
        project.info["主管部门"] = project.info["实施单位"]
        project.info_cells["主管部门"] = project.info_cells["实施单位"]
        reader.problems.append(Problem("targets-department-assumed", "申报表中没有“主管部门”，已按实施单位"
                                       f"“{project.info['实施单位']}”填写。如不对，请在目标清单中写明主管部门。",
                                       reader.file, grid.name, project.info_cells["实施单位"].split("!")[1]))
    for label in ("项目名称", "实施单位", "评价年度"):
        if not project.info.get(label):
            reader.problem("value-missing", f"申报表中找不到“{label}”。", grid.name)
    total = funds.pop(SOURCE_TOTAL, None)
    total_cell = fund_cells.pop(SOURCE_TOTAL, "")
    project.set_budget(total, funds, total_cell, fund_cells)
    if not project.budget:
        reader.problem("value-missing", "申报表中找不到项目资金（年度资金总额）。", grid.name)
    for r in reader.table_rows(grid, hr, {k: c for k, c in cols.items() if k not in ("一级指标", "二级指标")}):
        first = cell_text(grid.get(r, min(cols.values())))
        if first.startswith(_NOTE_STARTS) and not cell_text(grid.get(r, cols["年度指标值"])).strip():
            break
        if first.startswith(_NOTE_STARTS) and cell_text(grid.get(r, cols["三级指标"])) == first:
            break  # a note merged across the whole row
        project.indicators.append(read_indicator(reader, grid, r, cols))
    project.number_indicators()
    project.problems += reader.problems[start:]
    del reader.problems[start:]  # the sheet's problems travel with its project
    return project


def _value_right(grid, r: int, c: int, raw) -> tuple[int, int] | None:
    for cc in range(c + 1, len(grid.rows[r])):
        value = grid.rows[r][cc]
        if value in ("", None) or value == raw:
            continue
        if isinstance(value, str) and (_label(value) in LABELS or _label(value) in FUNDS):
            return None
        return r, cc
    return None


def _amount_right(grid, r: int, c: int, unit: str) -> tuple[Decimal, int] | None:
    for cc in range(c + 1, len(grid.rows[r])):
        value = grid.rows[r][cc]
        if value in ("", None) or (isinstance(value, str) and _label(value) in FUNDS):
            continue
        try:
            return parse_money(value, unit), cc
        except ParseError:
            continue
    return None


def _year(reader: TargetsReader, grid, project: ApprovedProject) -> None:
    if project.info.get("评价年度"):
        return
    for r, row in enumerate(grid.rows[:6]):
        for c, raw in enumerate(row):
            match = _YEAR_TITLE.search(cell_text(raw)) if raw else None
            if match:
                project.info["评价年度"] = match[1]
                project.info_cells["评价年度"] = f"{grid.name}!{a1(r, c)}"
                return
