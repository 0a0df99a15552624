"""Approved targets and prepared workbooks for the targets tests: a 目标清单 built by hand, a clerk who fills in."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
TARGETS_DIR = ROOT / "input_templates" / "targets"
LIST_FILE = TARGETS_DIR / "目标清单.xlsx"
FORM_FILE = TARGETS_DIR / "2025_审批局_公共资源交易中心运转经费_申报表.xlsx"


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_examples = _tool("make_examples")
make_targets = _tool("make_targets")
SEED = make_examples.SEED

PROJECT = {"评价年度": "2025", "主管部门": "教育局", "实施单位": "第二中学", "项目名称": "食堂改造", "项目编码": "XM-1",
           "联系邮箱": "erzhong@example.edu.cn", "年初预算数（万元）": 50}
INDICATORS = [
    {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "改造面积", "年度指标值": "≥300平方米", "分值": 50},
    {"一级指标": "效益指标", "二级指标": "社会效益指标", "三级指标": "就餐条件", "年度指标值": "改善", "分值": 30},
    {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "师生满意度", "年度指标值": "≥90%",
     "分值": 10},
]


def target_list(path: Path, projects: list[dict] | None = None, indicators: list[dict] | None = None, *,
                merge_keys: bool = False, title_row: str = "") -> Path:
    """A 目标清单 as a budget system exports it: headers as given (units in brackets), one row each.

    Indicator rows name their project by 项目编码 unless they carry 实施单位/项目名称 themselves; ``merge_keys``
    merges the key column over consecutive rows of one project (only the first row then holds the key)."""
    projects = [dict(PROJECT)] if projects is None else projects
    indicators = [{"项目编码": "XM-1", **row} for row in INDICATORS] if indicators is None else indicators
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (("项目", projects), ("指标", indicators)):
        ws = wb.create_sheet(name)
        headers = list(dict.fromkeys(k for row in rows for k in row)) or ["项目编码", "一级指标", "二级指标",
                                                                       "三级指标", "年度指标值"]
        if title_row:
            ws.append([title_row])
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
        if merge_keys and name == "指标" and "项目编码" in headers:
            col, first = headers.index("项目编码") + 1, ws.max_row - len(rows) + 1
            start = first
            for r in range(first, ws.max_row + 2):
                value = ws.cell(r, col).value if r <= ws.max_row else object()
                if value != ws.cell(start, col).value:
                    if r - 1 > start:
                        ws.merge_cells(start_row=start, start_column=col, end_row=r - 1, end_column=col)
                    start = r
    wb.save(path)
    return path


def fill_like_a_clerk(path: Path, data: dict | None = None) -> Path:
    """Fill a prepared workbook from an example's data, writing open cells only (a locked cell fails the test)."""
    data = copy.deepcopy(data or SEED)
    wb = openpyxl.load_workbook(path)

    def put(ws, ref: str, value) -> None:
        cell = ws[ref]
        if ws.protection.sheet:
            assert not cell.protection.locked, f"the clerk may not write the locked cell {ws.title}!{ref}"
        cell.value = value

    info = wb["基本信息"]
    labels = {str(info.cell(r, 1).value).rstrip("*"): r for r in range(5, 40) if info.cell(r, 1).value}
    for label, value in data["info"].items():
        if value not in (None, "") and info.cell(labels[label], 2).value in (None, ""):
            put(info, f"B{labels[label]}", value)
    free_tables = (("评价工作组", "group", ("职务", "姓名", "工作单位及职务")), ("支出明细", "spending", ("支出内容", "金额", "说明")),
                   ("业务量", "volumes", ("业务类别", "数量", "金额", "备注")))
    for sheet, key, columns in free_tables:  # open tables: one row an entry from row 5
        for n, row in enumerate(data.get(key, []), start=5):
            for col, column in zip("ABCD", columns):
                put(wb[sheet], f"{col}{n}", row.get(column))
    funding = wb["资金情况"]
    rows = {funding.cell(r, 1).value: r for r in range(5, 20) if funding.cell(r, 1).value}
    for row in data["funding"]:
        r = rows[row["资金来源"]]
        for col, key in zip("CDE", ("全年预算数", "实际到位数", "全年执行数")):
            put(funding, f"{col}{r}", row.get(key))
    indicators = wb["绩效指标"]
    rows = {indicators.cell(r, 3).value: r for r in range(5, 60) if indicators.cell(r, 3).value}
    for row in data["indicators"]:
        r = rows[row["三级指标"]]
        for col, key in zip("FIJ", ("实际完成值", "自评得分", "偏差原因分析及改进措施")):
            if row.get(key) not in (None, ""):
                put(indicators, f"{col}{r}", row[key])
    wb.save(path)
    return path
