"""Write the example approved targets into input_templates/targets/, from the data of tools/make_examples.py.

``python tools/make_targets.py`` writes ``目标清单.xlsx`` (sheets 项目 and 指标, the five example projects) and
``2025_审批局_公共资源交易中心运转经费_申报表.xlsx`` (the seed's project as a national 项目支出绩效目标申报表).
``perfeval prepare input_templates/targets/目标清单.xlsx`` then writes the five pre-filled workbooks; filled with
the examples' actuals, the seed's gives the seed's 97.27 / 优. The files are committed; tests/test_targets_examples.py
fails when they differ from what this script writes now.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from make_examples import EXAMPLES, SEED  # noqa: E402

TARGETS_DIR = ROOT / "input_templates" / "targets"
LIST_FILE = TARGETS_DIR / "目标清单.xlsx"
FORM_FILE = TARGETS_DIR / "2025_审批局_公共资源交易中心运转经费_申报表.xlsx"
SOURCES = ("当年财政拨款", "上年结转资金", "其他资金")
# The budget system's codes; the health project has none (it is joined by year, unit and name).
CODES = {"公共资源交易中心运转经费": "2025-SPJ-001", "校园安全设施改造": "2025-JYJ-014",
         "农村公路日常养护": "2025-JTJ-007", "高素质农民培训": "2025-NYJ-003"}
PROJECT_HEADERS = ("评价年度", "主管部门", "实施单位", "项目名称", "项目编码", "联系人", "联系电话", "联系邮箱",
                   "年初预算数（万元）", *(f"{s}（万元）" for s in SOURCES), "年度总体目标", "项目背景")
INDICATOR_HEADERS = ("项目编码", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标性质", "年度指标值",
                     "计量单位", "分值")


def _budget(data: dict) -> dict[str, float]:
    return {row["资金来源"]: row.get("年初预算数") or 0 for row in data["funding"]}


def _book(path: Path) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "绩效目标", "author": "perfeval", "created": datetime(2025, 1, 1)})
    return wb


def write_list(path: Path = LIST_FILE, examples: list[tuple[str, dict]] = EXAMPLES) -> Path:
    """The 目标清单: one 项目 row a project, one 指标 row an indicator; the key columns merged per project."""
    wb = _book(path)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    merged = wb.add_format({"valign": "vcenter"})
    projects, indicators = wb.add_worksheet("项目"), wb.add_worksheet("指标")
    projects.write_row(0, 0, PROJECT_HEADERS, head)
    indicators.write_row(0, 0, INDICATOR_HEADERS, head)
    projects.set_column(0, len(PROJECT_HEADERS) - 1, 14)
    indicators.set_column(0, len(INDICATOR_HEADERS) - 1, 14)
    row = 1
    for r, (_, data) in enumerate(examples, start=1):
        info, budget = data["info"], _budget(data)
        code = CODES.get(info["项目名称"], "")
        values = [info["评价年度"], info["主管部门"], info["实施单位"], info["项目名称"], code, info.get("联系人"),
                  info.get("联系电话"), info.get("联系邮箱"), sum(budget.values()),
                  *(budget.get(s) for s in SOURCES), info.get("年度总体目标"), info.get("项目背景")]
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)):
                projects.write_number(r, c, value)
            else:
                projects.write_string(r, c, str(value), wrap)
        first = row
        for indicator in data["indicators"]:
            cells = [indicator.get(k) for k in INDICATOR_HEADERS[3:]]
            for c, value in enumerate(cells, start=3):
                if value is None or value == "":
                    continue
                if isinstance(value, (int, float)):
                    indicators.write_number(row, c, value)
                else:
                    indicators.write_string(row, c, str(value))
            row += 1
        keys = (code, info["实施单位"], info["项目名称"])
        for c, value in enumerate(keys):  # grouping columns: one merged cell per project
            if row - 1 > first:
                indicators.merge_range(first, c, row - 1, c, value, merged)
            elif value:
                indicators.write_string(first, c, value)
    wb.close()
    return path


def write_form(path: Path = FORM_FILE, data: dict = SEED) -> Path:
    """The seed's project as a national 项目支出绩效目标申报表 (one project, one sheet)."""
    wb = _book(path)
    ws = wb.add_worksheet(data["info"]["项目名称"][:31])
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    bold = wb.add_format({"border": 1, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    ws.set_column(0, 0, 14)
    ws.set_column(1, 5, 18)
    info, budget = data["info"], _budget(data)
    ws.merge_range(0, 0, 0, 5, "项目支出绩效目标申报表", title)
    ws.merge_range(1, 0, 1, 5, f"（{info['评价年度']}年度）", bold)
    ws.write_string(2, 0, "项目名称", bold)
    ws.merge_range(2, 1, 2, 5, info["项目名称"], cell)
    ws.write_string(3, 0, "项目编码", bold)
    ws.merge_range(3, 1, 3, 5, CODES.get(info["项目名称"], ""), cell)
    ws.write_string(4, 0, "主管部门及代码", bold)
    ws.merge_range(4, 1, 4, 2, info["主管部门"], cell)
    ws.write_string(4, 3, "实施单位", bold)
    ws.merge_range(4, 4, 4, 5, info["实施单位"], cell)
    ws.merge_range(5, 0, 7, 0, "项目资金（万元）", bold)
    rows = [("年度资金总额", sum(budget.values())), ("其中：财政拨款", budget.get("当年财政拨款", 0)),
            ("其他资金", budget.get("其他资金", 0) + budget.get("上年结转资金", 0))]
    for i, (label, amount) in enumerate(rows):
        ws.merge_range(5 + i, 1, 5 + i, 2, label, cell)
        ws.merge_range(5 + i, 3, 5 + i, 5, amount, cell)
    ws.write_string(8, 0, "年度绩效目标", bold)
    ws.merge_range(8, 1, 8, 5, info["年度总体目标"], cell)
    ws.set_row(8, 120)
    header = ("一级指标", "二级指标", "三级指标", "指标值", "分值")
    ws.merge_range(9, 0, 9 + len(data["indicators"]), 0, "绩效指标", bold)
    ws.write_row(9, 1, header, bold)
    for i, indicator in enumerate(data["indicators"], start=10):
        ws.write_string(i, 1, indicator["一级指标"], cell)
        ws.write_string(i, 2, indicator["二级指标"], cell)
        ws.write_string(i, 3, indicator["三级指标"], cell)
        ws.write_string(i, 4, str(indicator["年度指标值"]), cell)
        ws.write_number(i, 5, indicator["分值"], cell)
    wb.close()
    return path


def main() -> int:
    for path in (write_list(), write_form()):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
