"""Reading one official table's blocks (official-table.md, "The blocks") into a Project and the unit's figures.

Every block is found by its labels, wherever it is; the reading rules of input-workbook.md apply (labels after
normalisation, numbers as numbers or text, money in 万元 or 元). A value keeps its cell (an A1 address of the
grid); what cannot be read becomes a problem at its cell.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Callable

from .. import model as m
from ..cells import a1, label_of, split_label
from ..parse import ParseError, cell_text, normalize, parse_money, parse_number
from ..problems import Problem
from . import labels as L
from .figures import Figure, OfficialTable, UnitFigures
from .grid import Grid

_YEAR = re.compile(r"(\d{4})\s*年")
_WEIGHT_LABEL = re.compile(r"^(\d+(?:\.\d+)?)\s*分?$")
_GRADE = re.compile(r"^(?:(?:评价)?等级[:：]?)?\s*([优良中差])$")
INDICATOR_KEYS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "年度指标值": "target",
                  "实际完成值": "actual", "分值": "weight", "指标性质": "nature", "计量单位": "unit", "得分": "self_score"}


class _Table:
    """The reading of one grid: its problems, and the helpers every block uses."""

    def __init__(self, grid: Grid, file: str):
        self.grid = grid
        self.file = file
        self.problems: list[Problem] = []
        self.project = m.Project(file=file)
        self.unit = UnitFigures()
        self.unit_has_reason = False

    def problem(self, code: str, message: str, cell: str = "", value: Any = None) -> None:
        text = None if value in (None, "") else cell_text(value)
        self.problems.append(Problem(code, message, self.file, self.grid.part, cell, text))

    def number(self, r: int, c: int | None, what: str, parse: Callable[[Any], Decimal] = parse_number
               ) -> Decimal | None:
        if c is None or (r, c) in self.grid.covered:
            return None  # a merged figure counts once, at its first cell
        raw = self.grid.get(r, c)
        if raw in ("", None) or (isinstance(raw, str) and not normalize(raw)):
            return None
        try:
            return parse(raw)
        except ParseError as exc:
            self.problem("number-unreadable", f"{what}无法识别为数字：{exc}。请只填写数字（如 32.9）。", a1(r, c), raw)
            return None

    def figure(self, r: int, c: int | None, what: str, parse: Callable[[Any], Decimal] = parse_number
               ) -> Figure | None:
        value = self.number(r, c, what, parse)
        return None if value is None else Figure(value, self.grid.text(r, c), a1(r, c))

    def find_row(self, test: Callable[[list[tuple[int, str]]], bool], start: int = 0) -> int | None:
        for r in range(start, len(self.grid.rows)):
            if test(self.labelled(r)):
                return r
        return None

    def labelled(self, r: int) -> list[tuple[int, str]]:
        return [(c, label_of(text)) for c, text in self.grid.cells(r)]

    # -- the blocks --
    def title(self) -> None:
        texts = list(self.grid.before) + [text for r in range(min(3, len(self.grid.rows)))
                                          for _, text in self.grid.cells(r)]
        joined = "".join(normalize(t) for t in texts)
        at = joined.find(L.TITLE)
        if at >= 0:
            match = _YEAR.search(joined[max(0, at - 8):at + len(L.TITLE) + 12])
            if match:
                self.project.info["评价年度"] = match[1]
                return
        if self.project.info.get("评价年度"):
            return  # a 评价年度 label/value pair
        self.project.info["评价年度"] = ""
        self.problem("value-missing", "找不到评价年度：标题中没有年份（如“项目支出绩效自评表（2025年度）”），也没有"
                     "“评价年度”一栏。请在标题中写明年度。", a1(0, 0))

    def pairs(self, stop: int) -> None:
        for r in range(stop):
            cells = self.grid.cells(r)
            for i, (c, text) in enumerate(cells):
                label = label_of(text)
                if label not in L.PAIR_LABELS or label in self.project.info_cells:
                    continue
                value = next(((vc, vt) for vc, vt in cells[i + 1:]), None)
                if value is None or label_of(value[1]) in L.PAIR_LABELS:
                    self.project.info[label] = ""
                    self.project.info_cells[label] = a1(r, c + 1)
                    continue
                self.project.info_cells[label] = a1(r, value[0])
                raw = self.grid.get(r, value[0])
                if label == "评价年度" and isinstance(raw, (dt.date, dt.datetime)):
                    self.project.info[label] = str(raw.year)
                else:
                    year = _YEAR.match(normalize(value[1])) if label == "评价年度" else None
                    self.project.info[label] = year[1] if year else value[1]
        for label in ("项目名称", "主管部门", "实施单位"):
            if not self.project.info.get(label, "").strip():
                self.problem("value-missing", f"“{label}”未填写。", self.project.info_cells.get(label, ""))

    def funding(self) -> None:
        header = self.find_row(lambda cells: sum(label in names for _, label in cells
                                                 for names in (L.FUNDING_HEADERS["全年预算数"],
                                                               L.FUNDING_HEADERS["全年执行数"])) >= 2)
        if header is None:
            self.problem("header-missing", "找不到项目资金表头（应含全年预算数、全年执行数等列）。请按自评表格式填写。")
            return
        cols = L.header_columns(self.labelled(header), L.FUNDING_HEADERS)
        unit = self.money_unit(header)
        self.unit_has_reason = "原因" in cols
        first_figure = min(cols.values())
        merged_other: m.FundingRow | None = None
        for r in range(header, min(header + 8, len(self.grid.rows))):
            names = [L.FUNDING_ROWS.get(label.removeprefix("其中").lstrip(":：")) for c, label in self.labelled(r)
                     if c < first_figure]
            source = next((s for s in names if s), None)
            if source is None:
                if r > header:
                    break
                continue
            row = m.FundingRow(source, cells={"source": a1(r, 0)})
            for attr, label in (("initial", "年初预算数"), ("full_year", "全年预算数"), ("spent", "全年执行数")):
                if label in cols:
                    setattr(row, attr, self.number(r, cols[label], label, lambda v: parse_money(v, unit)))
                    row.cells[attr] = a1(r, cols[label])
            if row.initial is None and row.full_year is not None:
                row.initial = row.full_year  # 年初预算数 missing or blank: taken as the 全年预算数
            if source == m.SOURCE_TOTAL:
                self.total_row(r, cols, row)
            elif source == m.SOURCE_OTHER and merged_other is not None:
                for attr in ("initial", "full_year", "spent"):  # 财政专户管理资金 and 单位资金 are 其他资金
                    a, b = getattr(merged_other, attr), getattr(row, attr)
                    if b is not None:
                        setattr(merged_other, attr, b if a is None else a + b)
            else:
                merged_other = row if source == m.SOURCE_OTHER else merged_other
                self.project.funding.append(row)
        if not self.project.funding and self.project.funding_total is not None:
            total = self.project.funding_total  # only 年度资金总额: the table is whole
            self.project.funding.append(total)
            self.project.funding_total = None

    def money_unit(self, header: int) -> str:
        for r in range(header, -1, -1):
            for _, text in self.grid.cells(r):
                label, unit = split_label(text)
                if label == "项目资金":
                    return unit if unit in ("元", "万元", "亿元") else "万元"
        return "万元"

    def total_row(self, r: int, cols: dict[str, int], row: m.FundingRow) -> None:
        self.project.funding_total = row
        self.project.execution_weight = self.number(r, cols.get("分值"), "预算执行率分值")
        if "分值" in cols:
            self.project.info_cells["预算执行率分值"] = a1(r, cols["分值"])
        self.unit.rate = self.figure(r, cols.get("执行率"), "执行率", _percent_points)
        self.unit.execution_score = self.figure(r, cols.get("得分"), "执行率得分")
        if "原因" in cols:
            self.project.info["预算执行偏差原因"] = self.grid.text(r, cols["原因"])
            self.project.info_cells["预算执行偏差原因"] = a1(r, cols["原因"])

    def goals(self, stop: int) -> None:
        r = self.find_row(lambda cells: all(any(label == g for _, label in cells) for g in L.GOAL_LABELS))
        if r is None or r >= stop:
            return
        for c, label in self.labelled(r):
            if label in L.GOAL_LABELS:
                key = "年度总体目标" if label == "预期目标" else "总体目标完成情况"
                self.project.info[key] = self.grid.text(r + 1, c)
                self.project.info_cells[key] = a1(r + 1, c)

    def indicator_header(self) -> tuple[int, dict[str, int]] | None:
        r = self.find_row(lambda cells: all(any(label in L.INDICATOR_HEADERS[k] for _, label in cells)
                                            for k in L.INDICATOR_REQUIRED))
        if r is None:
            self.problem("header-missing", "找不到绩效指标表头（应含一级指标、二级指标、三级指标、年度指标值、实际完成值、"
                         "分值、得分）。请按自评表格式填写。")
            return None
        return r, L.header_columns(self.labelled(r), L.INDICATOR_HEADERS)

    def indicators(self, header: int, cols: dict[str, int]) -> int:
        """The indicator rows below the header; returns the row after them (the 总分 row, when there is one)."""
        if "分值" not in cols:
            self.problem("official-no-weights", "绩效指标没有“分值”列，无法按规则评分。请增加分值列并填写各指标的分值"
                         "（与预算执行率分值合计 100 分）。", a1(header, cols["一级指标"]))
        level1 = level2 = ""
        seen_labels: set[tuple[int, int]] = set()
        r = header + 1
        while r < len(self.grid.rows):
            labels = self.labelled(r)
            if any(label == L.TOTAL_LABEL for _, label in labels):
                return r
            own = [k for k in ("三级指标", "年度指标值", "实际完成值", "分值", "得分") if k in cols and
                   (r, cols[k]) not in self.grid.covered and self.grid.text(r, cols[k])]
            if own:
                level1 = self.level1(r, cols["一级指标"], seen_labels) or level1
                level2 = label_of(self.grid.text(*self.grid.origin(r, cols["二级指标"]))) or level2
                self.indicator(r, cols, level1, level2)
            r += 1
        return r

    def level1(self, r: int, c: int, seen: set[tuple[int, int]]) -> str:
        origin = self.grid.origin(r, c)
        name, unit = split_label(self.grid.text(*origin))
        weight = _WEIGHT_LABEL.match(normalize(unit)) if unit else None
        name = L.LEVEL1_NAMES.get(name, name)
        if weight and origin not in seen:
            seen.add(origin)
            self.unit.weight_labels.append((name, Figure(Decimal(weight[1]), self.grid.text(*origin), a1(*origin))))
        return name

    def indicator(self, r: int, cols: dict[str, int], level1: str, level2: str) -> None:
        if level1 == "效益指标" and level2 in L.SATISFACTION_LEVEL2:
            level1, level2 = "满意度指标", "服务对象满意度指标"  # 项目效益指标's 满意度 dimension
        values: dict[str, Any] = {"level1": level1, "level2": level2}
        for key in ("三级指标", "指标性质", "计量单位"):
            values[INDICATOR_KEYS[key]] = self.grid.text(r, cols[key]) if key in cols else ""
        for key in ("年度指标值", "实际完成值"):
            raw = self.grid.get(r, cols[key])
            values[INDICATOR_KEYS[key]] = raw if isinstance(raw, (int, float, dt.date)) else self.grid.text(r, cols[key])
        values["weight"] = self.number(r, cols.get("分值"), "分值")
        values["self_score"] = self.number(r, cols.get("得分"), "得分")
        reasons = [self.grid.text(r, cols[k]) for k in ("偏差原因分析及改进措施", "偏差原因", "改进措施") if k in cols]
        values["deviation"] = "；".join(t for t in reasons if t)
        cells = {INDICATOR_KEYS[k]: a1(r, c) for k, c in cols.items() if k in INDICATOR_KEYS}
        reason_col = next((cols[k] for k in ("偏差原因分析及改进措施", "偏差原因") if k in cols), None)
        if reason_col is not None:
            cells["deviation"] = a1(r, reason_col)
        for key in ("三级指标", "年度指标值", "实际完成值"):
            if not self.grid.text(r, cols[key]):
                self.problem("value-missing", f"{key}未填写。", a1(r, cols[key]))
        self.project.indicators.append(m.Indicator(**values, cells=cells))

    def total(self, r: int) -> None:
        cells = self.grid.cells(r)
        after = [(c, t) for c, t in cells if label_of(t) != L.TOTAL_LABEL and
                 c > next(c0 for c0, t0 in cells if label_of(t0) == L.TOTAL_LABEL)]
        numbers = []
        for c, text in after:
            grade = _GRADE.match(normalize(text))
            if grade:
                self.unit.grade = Figure(grade[1], text, a1(r, c))
                continue
            value = self.number(r, c, "总分")
            if value is not None:
                numbers.append(Figure(value, text, a1(r, c)))
        if len(numbers) >= 2:
            self.unit.weights_total, self.unit.total = numbers[0], numbers[1]
        elif numbers:
            self.unit.total = numbers[0]


def _percent_points(value: Any) -> Decimal:
    """A written 执行率 in percentage points: "72.74%" and 72.74 as written; a fraction (a percent-formatted
    cell, 0.7274) times 100."""
    number = parse_number(value)
    text = normalize(cell_text(value))
    if text.endswith("%") or number > 1:
        return number
    return number * 100


def read_table(grid: Grid, file: str) -> OfficialTable:
    """One official table: the project as the standard reader would give it, and the unit's own figures."""
    t = _Table(grid, file)
    found = t.indicator_header()
    stop = found[0] if found else len(grid.rows)
    t.pairs(stop)
    t.title()
    t.funding()
    t.goals(stop)
    if found:
        end = t.indicators(*found)
        if end < len(grid.rows):
            t.total(end)
    return OfficialTable(grid, t.project, t.unit, t.problems, has_weights=bool(found and "分值" in found[1]),
                         has_reason_column=t.unit_has_reason)
