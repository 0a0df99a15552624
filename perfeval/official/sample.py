"""Filled official 自评表 as units write them, for the examples in input_templates/official/ and the tests.

A :class:`Sample` describes what a unit wrote — the project, the layout variant (money in 元, 调整后预算数,
指标性质 / 度量单位 columns, weights in the 一级指标 labels, split 偏差原因 | 改进措施) and the unit's own scoring,
right or wrong. :func:`layout` places it on a grid as the national table does; :func:`write_xlsx` and
:func:`write_docx` write one or several such tables (one per sheet, or one per Word table; a Word table may be
split by a page break). The files carry no perfeval mark: they stand for a unit's own files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import fmt
from ..config import Config
from ..scoring import grade_of

D = Decimal


@dataclass
class Row:
    """One indicator row as the unit wrote it (``score`` is the unit's own 得分)."""

    level1: str
    level2: str
    name: str
    target: Any
    actual: Any
    weight: Any
    score: Any
    deviation: str = ""
    nature: str = ""
    unit: str = ""
    improvement: str = ""


@dataclass
class Sample:
    name: str
    department: str
    unit: str
    funding: list[tuple[str, Any, Any, Any]]  # (row label, 年初预算数, 全年预算数, 全年执行数) in 万元
    rows: list[Row]
    year: int | None = 2025
    title: str = "项目支出绩效自评表（{year}年度）"
    manager: str = ""
    phone: str = ""
    goal: str = ""
    goal_done: str = ""
    money_unit: str = "万元"  # or 元 (amounts converted)
    budget_label: str = "全年预算数"
    spent_label: str = "全年执行数"
    with_initial: bool = True
    execution_weight: Any = 10
    rate: Any = None  # the 执行率 written; None: computed right, as "72.74%"
    execution_score: Any = None  # the unit's; None: computed right, two decimals
    total: Any = None  # None: the sum of the unit's own scores
    grade: str | None = None  # None: the grade of the unit's total
    grade_form: str = "{grade}"
    nature_unit_columns: bool = False
    weight_in_label: bool = False
    level1_labels: dict[str, Any] = field(default_factory=dict)  # level 1 -> the weight written in its label
    split_reasons: bool = False
    reason_column: bool = False  # a 原因 column in the 项目资金 block
    weights_column: bool = True  # a table without 分值 cannot be scored
    execution_reason: str = ""

    def sources(self) -> list[tuple[str, Any, Any, Any]]:
        """The funding rows the total is made of (the 年度资金总额 row alone when there is no other)."""
        rows = [f for f in self.funding if f[0] != "年度资金总额"]
        return rows or list(self.funding)

    def budget(self) -> Decimal:
        return sum((D(str(f[2] if f[2] is not None else f[1])) for f in self.sources()), D(0))

    def spent(self) -> Decimal:
        return sum((D(str(f[3])) for f in self.sources()), D(0))

    def unit_execution_score(self) -> Any:
        if self.execution_score is not None:
            return self.execution_score
        rate = self.spent() / self.budget()
        return float(fmt.round_half_up(D(str(self.execution_weight)) * min(rate, D(1)), 2))

    def unit_total(self) -> Any:
        if self.total is not None:
            return self.total
        scores = [D(str(r.score)) for r in self.rows if r.score not in (None, "")]
        return float(sum(scores, D(str(self.unit_execution_score()))))


@dataclass
class Layout:
    """A table on a grid: values by (row, column), merged ranges, and the title written above it."""

    title: str
    width: int
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    height: int = 0

    def put(self, r: int, c: int, value: Any, last_row: int | None = None, last_col: int | None = None) -> None:
        self.cells[(r, c)] = value
        r1, c1 = last_row if last_row is not None else r, last_col if last_col is not None else c
        if (r1, c1) != (r, c):
            self.merges.append((r, c, r1, c1))
        self.height = max(self.height, r1 + 1)


def _money(value: Any, unit: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    scaled = D(str(value)) * (10000 if unit == "元" else 1)
    return float(scaled) if scaled != scaled.to_integral() else int(scaled)


def layout(s: Sample) -> Layout:
    """The table as the national layout places it (official-table.md, domain.md "The official output table")."""
    headers = ["一级指标", "二级指标", "三级指标"] + (["指标性质"] if s.nature_unit_columns else []) + ["年度指标值"]
    headers += (["度量单位"] if s.nature_unit_columns else []) + ["实际完成值"]
    headers += (["分值"] if s.weights_column else []) + ["得分"]
    headers += ["偏差原因", "改进措施"] if s.split_reasons else ["偏差原因分析及改进措施"]
    width = 1 + len(headers)
    last, mid = width - 1, width // 2
    t = Layout(s.title.format(year=s.year or "    "), width)
    r = 0
    t.put(r, 0, "项目名称")
    t.put(r, 1, s.name, last_col=last)
    r += 1
    t.put(r, 0, "主管部门")
    t.put(r, 1, s.department, last_col=mid - 1)
    t.put(r, mid, "实施单位")
    t.put(r, mid + 1, s.unit, last_col=last)
    r += 1
    if s.manager or s.phone:
        t.put(r, 0, "项目负责人")
        t.put(r, 1, s.manager, last_col=mid - 1)
        t.put(r, mid, "联系电话")
        t.put(r, mid + 1, s.phone, last_col=last)
        r += 1
    figures = (["年初预算数"] if s.with_initial else []) + [s.budget_label, s.spent_label, "分值", "执行率", "得分"]
    figures += ["原因"] if s.reason_column else []
    start = width - len(figures)
    rows = [("年度资金总额", None, None, None)] + [f for f in s.sources() if f[0] != "年度资金总额"]
    t.put(r, 0, f"项目资金\n（{s.money_unit}）", last_row=r + len(rows))
    t.put(r, 1, "", last_col=start - 1)
    for i, h in enumerate(figures):
        t.put(r, start + i, h)
    for i, (label, initial, full_year, spent) in enumerate(rows, start=1):
        t.put(r + i, 1, label, last_col=start - 1)
        if label == "年度资金总额":
            initial, full_year, spent = (sum((D(str(f[k])) for f in s.sources() if f[k] is not None), D(0))
                                         for k in (1, 2, 3))
            extra = [s.execution_weight, s.rate if s.rate is not None else fmt.rate(s.spent() / s.budget()),
                     s.unit_execution_score()] + ([s.execution_reason] if s.reason_column else [])
        else:
            extra = ["—", "", "—"] + ([""] if s.reason_column else [])
        amounts = ([initial] if s.with_initial else []) + [full_year, spent]
        for j, value in enumerate([_money(a, s.money_unit) for a in amounts] + extra):
            t.put(r + i, start + j, value)
    r += len(rows) + 1
    t.put(r, 0, "年度总体目标", last_row=r + 1)
    t.put(r, 1, "预期目标", last_col=mid - 1)
    t.put(r, mid, "实际完成情况", last_col=last)
    t.put(r + 1, 1, s.goal, last_col=mid - 1)
    t.put(r + 1, mid, s.goal_done, last_col=last)
    r += 2
    t.put(r, 0, "绩效指标", last_row=r + len(s.rows))
    for i, h in enumerate(headers):
        t.put(r, 1 + i, h)
    col = {h: 1 + i for i, h in enumerate(headers)}
    first = r + 1
    for i, row in enumerate(s.rows):
        values = {"三级指标": row.name, "指标性质": row.nature, "年度指标值": row.target, "度量单位": row.unit,
                  "实际完成值": row.actual, "分值": row.weight, "得分": row.score,
                  "偏差原因分析及改进措施": row.deviation, "偏差原因": row.deviation, "改进措施": row.improvement}
        for h, value in values.items():
            if h in col:
                t.put(first + i, col[h], value)
    for level, key in ((1, lambda x: (x.level1,)), (2, lambda x: (x.level1, x.level2))):
        i = 0
        while i < len(s.rows):
            j = i
            while j + 1 < len(s.rows) and key(s.rows[j + 1]) == key(s.rows[i]):
                j += 1
            text = key(s.rows[i])[-1]
            if level == 1 and (s.weight_in_label or text in s.level1_labels):
                weight = s.level1_labels.get(text, sum((D(str(x.weight)) for x in s.rows[i:j + 1]), D(0)))
                text = f"{text}（{fmt.trim(D(str(weight)))}分）"
            t.put(first + i, level, text, last_row=first + j)
            i = j + 1
    r = first + len(s.rows)
    total = s.unit_total()
    grade = s.grade or grade_of(D(str(total)), Config())
    t.put(r, 0, "总分", last_col=col.get("分值", col["得分"]) - 1)
    if s.weights_column:
        t.put(r, col["分值"], 100)
    t.put(r, col["得分"], total)
    t.put(r, col["得分"] + 1, s.grade_form.format(grade=grade), last_col=last)
    return t


def write_xlsx(path: Path, tables: list[tuple[str, Layout]]) -> Path:
    """One table per sheet (sheet name, layout); the title in the first row, merged across."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    wb.set_properties({"title": "项目支出绩效自评表", "author": "", "created": fmt_created()})
    for sheet, t in tables:
        ws = wb.add_worksheet(sheet)
        wrap = wb.add_format({"text_wrap": True, "border": 1, "valign": "vcenter"})
        ws.merge_range(0, 0, 0, t.width - 1, t.title, wb.add_format({"bold": True, "align": "center"}))
        merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in t.merges}
        for (r, c), value in sorted(t.cells.items()):
            if (r, c) in merged:
                r1, c1 = merged[(r, c)]
                ws.merge_range(r + 1, c, r1 + 1, c1, "", wrap)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r + 1, c, value, wrap)
            else:
                ws.write_string(r + 1, c, "" if value is None else str(value), wrap)
        ws.set_column(0, t.width - 1, 12)
    wb.close()
    return path


def fmt_created():
    import datetime as dt

    return dt.datetime(2025, 1, 15)


def write_docx(path: Path, tables: list[Layout], split_at: dict[int, int] | None = None) -> Path:
    """One Word table per layout, its title a paragraph above it; ``split_at`` {table index: row} breaks a table
    in two at that row with a page break between, as Word stores a table that runs over a page."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    doc = Document()
    for i, t in enumerate(tables):
        if i:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_paragraph(t.title)
        cut = (split_at or {}).get(i)
        pieces = [(0, cut), (cut, t.height)] if cut else [(0, t.height)]
        for k, (top, bottom) in enumerate(pieces):
            if k:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _docx_table(doc, t, top, bottom)
    doc.core_properties.author = ""
    doc.save(str(path))
    return path


def _docx_table(doc, t: Layout, top: int, bottom: int) -> None:
    table = doc.add_table(rows=bottom - top, cols=t.width)
    table.style = "Table Grid"
    for r0, c0, r1, c1 in t.merges:
        a, b = max(r0, top), min(r1, bottom - 1)
        if a <= b and (a, c0) != (b, c1):
            table.cell(a - top, c0).merge(table.cell(b - top, c1))
    for (r, c), value in t.cells.items():
        if top <= r < bottom:
            table.cell(r - top, c).text = "" if value is None else str(value)
