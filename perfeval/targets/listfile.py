"""The 目标清单 workbook: sheet 项目 (one row a project) and sheet 指标 (one row an indicator), targets.md.

Every reading rule of the input workbook applies: labels normalised, units in the headers' brackets, text numbers,
merged grouping cells filled down (the key columns of 指标 among them).
"""

from __future__ import annotations

from decimal import Decimal

from ..identity import normalise_name
from ..model import FUNDING_SOURCES
from ..parse import parse_money
from ..problems import Problem
from ..cells import a1, label_of
from .model import INDICATOR_FIELDS, ApprovedIndicator, ApprovedProject, standard_levels
from .workbook import TargetsReader

SHEET_PROJECTS = "项目"
SHEET_INDICATORS = "指标"
PROJECT_REQUIRED = ("评价年度", "主管部门", "实施单位", "项目名称", "年初预算数")
PROJECT_OPTIONAL = ("项目编码", "联系人", "联系电话", "联系邮箱", *FUNDING_SOURCES, "年度总体目标", "项目背景")
INDICATOR_REQUIRED = ("一级指标", "二级指标", "三级指标", "年度指标值")
INDICATOR_OPTIONAL = ("项目编码", "实施单位", "项目名称", "指标性质", "计量单位", "分值")
TEXT_LABELS = ("评价年度", "主管部门", "实施单位", "项目名称", "项目编码", "联系人", "联系电话", "联系邮箱",
               "年度总体目标", "项目背景")


def is_target_list(sheet_names: list[str]) -> bool:
    labels = {label_of(name) for name in sheet_names}
    return SHEET_PROJECTS in labels and SHEET_INDICATORS in labels


def _real(sheet_names: list[str], wanted: str) -> str:
    return next(name for name in sheet_names if label_of(name) == wanted)


def read_list(reader: TargetsReader, book) -> list[ApprovedProject]:
    names = reader.sheet_names(book)
    projects = _read_projects(reader, reader.load(book, _real(names, SHEET_PROJECTS)))
    _read_indicators(reader, reader.load(book, _real(names, SHEET_INDICATORS)), projects)
    for project in projects:
        project.number_indicators()
    return projects


def _money_reader(unit: str):
    return lambda value: parse_money(value, unit)


def _read_projects(reader: TargetsReader, grid) -> list[ApprovedProject]:
    found = reader.header(grid, PROJECT_REQUIRED, PROJECT_OPTIONAL)
    if not found:
        return []
    hr, cols, units = found
    reader.merges(grid, hr, cols, figures=("年初预算数", *FUNDING_SOURCES))
    money = {label: reader.unit_of(grid, hr, cols[label], units[label], "万元")
             for label in ("年初预算数", *FUNDING_SOURCES) if label in cols}
    projects = []
    for r in reader.table_rows(grid, hr, cols):
        start = len(reader.problems)
        project = ApprovedProject(reader.file, grid.name, a1(r, cols["项目名称"]))
        for label in TEXT_LABELS:
            if label in cols:
                project.info[label] = reader.text(grid, r, cols[label])
                project.info_cells[label] = f"{grid.name}!{a1(r, cols[label])}"
        for label in PROJECT_REQUIRED[:4]:
            reader.required_value(grid, r, cols[label], label, project.info[label])
        amounts: dict[str, Decimal] = {}
        for label, unit in money.items():
            if unit:
                amount = reader.number(grid, r, cols[label], label, _money_reader(unit))
                if amount is not None:
                    amounts[label] = amount
        reader.required_value(grid, r, cols["年初预算数"], "年初预算数", grid.get(r, cols["年初预算数"]))
        sources = {s: amounts[s] for s in FUNDING_SOURCES if s in amounts}
        project.set_budget(amounts.get("年初预算数"), sources, f"{grid.name}!{a1(r, cols['年初预算数'])}",
                           {s: f"{grid.name}!{a1(r, cols[s])}" for s in sources})
        project.problems += reader.problems[start:]
        del reader.problems[start:]  # each project's own problems travel with it (check_targets lists them)
        projects.append(project)
    return projects


def _read_indicators(reader: TargetsReader, grid, projects: list[ApprovedProject]) -> None:
    found = reader.header(grid, INDICATOR_REQUIRED, INDICATOR_OPTIONAL)
    if not found:
        return
    hr, cols, _ = found
    if "项目编码" not in cols and not ("实施单位" in cols and "项目名称" in cols):
        reader.problem("header-missing", f"表头第 {hr + 1} 行缺少所属项目的列：应有“项目编码”，或“实施单位”和“项目名称”。",
                       grid.name, f"{hr + 1}:{hr + 1}")
        return
    reader.merges(grid, hr, cols, grouping=("项目编码", "实施单位", "项目名称", "一级指标", "二级指标"),
                  figures=("分值",))
    by_code: dict[str, ApprovedProject] = {}
    by_name: dict[tuple[str, str], ApprovedProject] = {}
    for p in projects:  # a duplicate project's rows join the first of its name (the duplicate is an error)
        if p.info.get("项目编码"):
            by_code.setdefault(normalise_name(p.info["项目编码"]), p)
        by_name.setdefault((normalise_name(p.info.get("实施单位")), normalise_name(p.info.get("项目名称"))), p)
    own = {k: c for k, c in cols.items() if k not in ("项目编码", "实施单位", "项目名称", "一级指标", "二级指标")}
    for r in reader.table_rows(grid, hr, own):
        code = normalise_name(reader.text(grid, r, cols.get("项目编码")))
        unit, name = reader.text(grid, r, cols.get("实施单位")), reader.text(grid, r, cols.get("项目名称"))
        project = by_code.get(code) if code else None
        if project is None and (unit or name):
            project = by_name.get((normalise_name(unit), normalise_name(name)))
        if project is None:
            key_col = cols["项目编码"] if code else cols.get("项目名称", cols.get("项目编码"))
            shown = code or f"{unit} {name}".strip()
            reader.problems.append(Problem(
                "targets-orphan-indicator", f"该指标所属的项目“{shown}”不在“{SHEET_PROJECTS}”工作表中。请在“项目”工作表中"
                "补上该项目，或改正所属项目的编码或名称。", reader.file, grid.name, a1(r, key_col), shown or None))
            continue
        start = len(reader.problems)
        project.indicators.append(read_indicator(reader, grid, r, cols))
        project.problems += reader.problems[start:]
        del reader.problems[start:]


def read_indicator(reader: TargetsReader, grid, r: int, cols: dict[str, int]) -> ApprovedIndicator:
    """One approved indicator row (of a 目标清单 or a 申报表)."""
    text = {label: reader.text(grid, r, cols.get(label))
            for label in ("一级指标", "二级指标", "三级指标", "指标性质", "计量单位")}
    for label in INDICATOR_REQUIRED:
        reader.required_value(grid, r, cols[label], label, reader.text(grid, r, cols[label]))
    raw = grid.get(r, cols["年度指标值"])
    target = raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else reader.text(
        grid, r, cols["年度指标值"])
    level1, level2 = standard_levels(label_of(text["一级指标"]), label_of(text["二级指标"]))
    weight = reader.number(grid, r, cols.get("分值"), "分值")
    cells = {field: f"{grid.name}!{a1(r, cols[label])}" for label, field in INDICATOR_FIELDS.items() if label in cols}
    return ApprovedIndicator("", level1, level2, text["三级指标"], target, text["指标性质"], text["计量单位"], weight,
                             cells)
