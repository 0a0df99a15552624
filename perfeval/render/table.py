"""The official 项目支出绩效自评表 as an .xlsx workbook (XlsxWriter), plus a 问题清单 sheet when there are problems.

Layout as domain.md "The official output table", nine columns A–I:

    title (A:I)
    [draft banner (A:I), only when a problem is an error]
    项目名称 | B:I
    主管部门 | B:E | 实施单位 | G:I
    项目资金（万元） (A, merged down) | row label (B:C) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    年度总体目标 (A, merged down) | 预期目标 (B:E) | 实际完成情况 (F:I), then the two texts
    绩效指标 (A, merged down) | 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    总分 (A:F) | 100 | total | 等级：grade
    sign-off lines: 填表人 (the 联系人), 联系电话, 填报日期 (the workbook's saved day, else its file's)

Text from the input is always written with ``write_string`` (never a formula); figures are numbers rounded
for display by :func:`perfeval.fmt.table_value` with a matching number format. The output is byte-stable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from perfeval import fmt
from perfeval.config import Config
from perfeval.fileio import atomic_path
from perfeval.marker import OUTPUT_PROPERTY
from perfeval.model import FUNDING_SOURCES, SOURCE_CURRENT, SOURCE_TOTAL, FundingRow, Project, ScoreCard
from perfeval.problems import ERROR, Problem, has_errors

from .common import clean, filled_on, number_format, row_height, shown_actual, with_unit, wrapped_lines

MAIN_SHEET = "自评表"
PROBLEM_SHEET = "问题清单"
TITLE = "项目支出绩效自评表"
DRAFT_SUFFIX = "（草稿）"
DRAFT_BANNER = "未通过校验（草稿）：本表存在错误，请按“问题清单”修改后重新提交"
DRAFT_HEADER = "未通过校验（草稿），不得作为正式自评表报送"
FOOTER = "&C第 &P 页，共 &N 页"
FONT = "宋体"
CREATED = dt.datetime(2000, 1, 1)  # a fixed date keeps the output byte-stable

# Column widths A–I (in character units; a Chinese character takes two).
WIDTHS = (12, 11, 13, 18, 13, 13, 9, 9, 28)
LAST_COL = len(WIDTHS) - 1
FUNDING_HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "偏差原因分析及改进措施")
SOURCE_LABELS = {SOURCE_CURRENT: "其中：" + SOURCE_CURRENT}
PROBLEM_HEADERS = ("序号", "严重程度", "工作表", "单元格", "问题说明", "填写值")
PROBLEM_WIDTHS = (6, 10, 14, 10, 60, 30)


def title_text(year: int | None, draft: bool = False) -> str:
    """项目支出绩效自评表（ 2025 年度）; blank year: （    年度）."""
    shown = f" {year} " if year else "    "
    return f"{TITLE}（{shown}年度）" + (DRAFT_SUFFIX if draft else "")


class _Grid:
    """Writes cells of one sheet, merging where asked, and sizes the rows to fit their wrapped text."""

    def __init__(self, ws, widths: tuple[int, ...]):
        self.ws = ws
        self.widths = widths
        self.lines: dict[int, int] = {}  # row -> lines of text it needs

    def _span(self, row: int, col: int, last_row: int | None, last_col: int | None, fmt_) -> tuple[int, int]:
        last_row = row if last_row is None else last_row
        last_col = col if last_col is None else last_col
        if (last_row, last_col) != (row, col):
            self.ws.merge_range(row, col, last_row, last_col, "", fmt_)
        return last_row, last_col

    def text(self, row: int, col: int, value, fmt_, last_row: int | None = None, last_col: int | None = None):
        last_row, last_col = self._span(row, col, last_row, last_col, fmt_)
        value = clean(value)
        if value:
            self.ws.write_string(row, col, value, fmt_)
        else:
            self.ws.write_blank(row, col, None, fmt_)
        if last_row == row:  # text spread over several rows needs no taller rows
            self._fit(row, value, sum(self.widths[col:last_col + 1]))

    def number(self, row: int, col: int, value: float | None, fmt_, last_col: int | None = None):
        self._span(row, col, None, last_col, fmt_)
        if value is None:
            self.ws.write_blank(row, col, None, fmt_)
        else:
            self.ws.write_number(row, col, value, fmt_)

    def _fit(self, row: int, text: str, width: int) -> None:
        self.lines[row] = max(self.lines.get(row, 1), wrapped_lines(text, width))

    def size_rows(self, skip: tuple[int, ...] = ()) -> None:
        for row, lines in self.lines.items():
            if row not in skip:
                self.ws.set_row(row, row_height(lines))


def _formats(wb, score_places: int) -> dict:
    base = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
    boxed = base | {"border": 1}

    def add(props: dict, **extra):
        return wb.add_format(props | extra)

    return {
        "title": add(base, bold=True, font_size=18, align="center"),
        "banner": add(boxed, bold=True, font_size=12, align="center", font_color="#C00000", bg_color="#FFE0E0"),
        "label": add(boxed, bold=True, align="center", bg_color="#F2F2F2"),
        "center": add(boxed, align="center"),
        "text": add(boxed, align="left"),
        "money": add(boxed, align="right", num_format="0.00"),
        "rate": add(boxed, align="right", num_format="0.00%"),
        "score": add(boxed, align="right", num_format=number_format(score_places)),
        "total": add(boxed, bold=True, align="right", num_format=number_format(score_places)),
        "grade": add(boxed, bold=True, align="center"),
        "sign": add(base, align="left"),
        "error": add(boxed, align="left", font_color="#C00000"),
    }


def _money(value: Decimal | None) -> float | None:
    return fmt.table_value(value, 2)


def _source_rate(row: FundingRow | None) -> Decimal | None:
    if row is None or row.spent is None or not row.budget:
        return None
    return row.spent / row.budget


def _runs(keys: list) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal consecutive keys."""
    runs: list[tuple[int, int]] = []
    for i, key in enumerate(keys):
        if runs and keys[runs[-1][0]] == key:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _write_main(wb, project: Project, card: ScoreCard, config: Config, draft: bool, filled: str) -> None:
    from perfeval.scoring import weight_total

    places = config.table_decimals
    f = _formats(wb, places)
    ws = wb.add_worksheet(MAIN_SHEET)
    g = _Grid(ws, WIDTHS)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)

    def score(value: Decimal | None) -> float | None:
        return fmt.table_value(value, places)

    row = 0
    g.text(row, 0, title_text(project.year, draft), f["title"], last_col=LAST_COL)
    ws.set_row(row, 36)
    row += 1
    if draft:
        g.text(row, 0, DRAFT_BANNER, f["banner"], last_col=LAST_COL)
        row += 1

    g.text(row, 0, "项目名称", f["label"])
    g.text(row, 1, project.name, f["text"], last_col=LAST_COL)
    row += 1
    g.text(row, 0, "主管部门", f["label"])
    g.text(row, 1, project.department, f["text"], last_col=4)
    g.text(row, 5, "实施单位", f["label"])
    g.text(row, 6, project.unit, f["text"], last_col=LAST_COL)
    row += 1

    # 项目资金（万元）: a header row, the total, then the three sources.
    g.text(row, 0, "项目资金\n（万元）", f["label"], last_row=row + len(FUNDING_SOURCES) + 1)
    g.text(row, 1, "", f["label"], last_col=2)
    for i, header in enumerate(FUNDING_HEADERS):
        g.text(row, 3 + i, header, f["label"])
    row += 1
    g.text(row, 1, SOURCE_TOTAL, f["center"], last_col=2)
    for i, value in enumerate((project.initial_budget, project.budget, project.spent)):
        g.number(row, 3 + i, _money(value), f["money"])
    g.number(row, 6, score(card.execution_weight), f["score"])
    g.number(row, 7, fmt.table_value(card.execution_rate, 4), f["rate"])
    g.number(row, 8, score(card.execution_score), f["score"])
    row += 1
    for source in FUNDING_SOURCES:
        line = project.source_row(source)
        g.text(row, 1, SOURCE_LABELS.get(source, source), f["center"], last_col=2)
        for i, attr in enumerate(("initial", "budget", "spent")):
            g.number(row, 3 + i, _money(getattr(line, attr)) if line else None, f["money"])
        g.text(row, 6, "—", f["center"])
        g.number(row, 7, fmt.table_value(_source_rate(line), 4), f["rate"])
        g.text(row, 8, "—", f["center"])
        row += 1

    # 年度总体目标
    g.text(row, 0, "年度总体目标", f["label"], last_row=row + 1)
    g.text(row, 1, "预期目标", f["label"], last_col=4)
    g.text(row, 5, "实际完成情况", f["label"], last_col=LAST_COL)
    g.text(row + 1, 1, project.info.get("年度总体目标", ""), f["text"], last_col=4)
    g.text(row + 1, 5, project.info.get("总体目标完成情况", ""), f["text"], last_col=LAST_COL)
    row += 2

    # 绩效指标: header, one row per indicator, level-1 and level-2 merged down their groups.
    scores = card.indicators
    g.text(row, 0, "绩效指标", f["label"], last_row=row + len(scores))
    for i, header in enumerate(INDICATOR_HEADERS):
        g.text(row, 1 + i, header, f["label"])
    first = row + 1
    for offset, s in enumerate(scores):
        ind, r = s.indicator, first + offset
        g.text(r, 3, ind.name, f["text"])
        g.text(r, 4, with_unit(ind.target, ind.unit), f["center"])
        g.text(r, 5, shown_actual(ind.actual, getattr(s, "actual", None), ind.unit), f["center"])
        g.number(r, 6, score(ind.weight), f["score"])
        g.number(r, 7, score(s.score), f["score"])
        g.text(r, 8, ind.deviation, f["text"])
    for col, key in ((1, lambda s: (s.indicator.level1,)), (2, lambda s: (s.indicator.level1, s.indicator.level2))):
        keys = [key(s) for s in scores]
        for a, b in _runs(keys):
            g.text(first + a, col, keys[a][-1], f["center"], last_row=first + b)
    row = first + len(scores)

    g.text(row, 0, "总分", f["label"], last_col=5)
    g.number(row, 6, score(weight_total(project, card)), f["total"])
    g.number(row, 7, score(card.total), f["total"])
    g.text(row, 8, f"等级：{card.grade}" if card.grade else "", f["grade"])
    last_table_row = row

    # Sign-off lines, outside the table, filled from the workbook (填表人 is its 联系人, labelled 填表人姓名).
    row += 2
    g.text(row, 0, "填表人：" + clean(project.info.get("联系人", "")), f["sign"], last_col=2)
    g.text(row, 3, "联系电话：" + clean(project.info.get("联系电话", "")), f["sign"], last_col=5)
    g.text(row, 6, "填报日期：" + filled, f["sign"], last_col=LAST_COL)
    row += 1
    g.text(row, 0, "单位负责人：", f["sign"], last_col=2)
    g.text(row, 6, "单位（盖章）", f["sign"], last_col=LAST_COL)
    g.size_rows(skip=(0,))

    ws.hide_gridlines(2)
    ws.set_portrait()
    _print_setup(ws, max(row, last_table_row), LAST_COL, 1 if draft else 0)
    ws.center_horizontally()
    if draft:
        ws.set_header("&C&KC00000" + DRAFT_HEADER)
        ws.set_tab_color("#C00000")


def _write_problems(wb, problems: list[Problem]) -> None:
    ws = wb.add_worksheet(PROBLEM_SHEET)
    base = {"font_name": FONT, "font_size": 11, "valign": "top", "text_wrap": True, "border": 1}
    head = wb.add_format(base | {"bold": True, "align": "center", "bg_color": "#F2F2F2"})
    plain = wb.add_format(base)
    red = wb.add_format(base | {"font_color": "#C00000"})
    g = _Grid(ws, PROBLEM_WIDTHS)
    for col, width in enumerate(PROBLEM_WIDTHS):
        ws.set_column(col, col, width)
    for col, header in enumerate(PROBLEM_HEADERS):
        g.text(0, col, header, head)
    for i, p in enumerate(problems, start=1):
        cell_fmt = red if p.severity == ERROR else plain
        ws.write_number(i, 0, i, cell_fmt)
        for col, value in enumerate((p.severity, p.sheet, p.cell, p.message, p.value or ""), start=1):
            g.text(i, col, value, cell_fmt)
    g.size_rows()
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(problems), len(PROBLEM_HEADERS) - 1)
    ws.set_landscape()
    _print_setup(ws, len(problems), len(PROBLEM_HEADERS) - 1, 0)


def _print_setup(ws, last_row: int, last_col: int, title_rows: int) -> None:
    """A4, one page wide (as many tall as needed), the title rows on every page, page numbers in the footer."""
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, title_rows)
    ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.8)
    ws.print_area(0, 0, last_row, last_col)
    ws.set_footer(FOOTER)


def write_table(path, project: Project, card: ScoreCard, problems: list[Problem], config: Config,
                source=None) -> Path:
    """Write the 项目支出绩效自评表 of one project to ``path`` (.xlsx), atomically; returns the path.

    ``source`` is the input workbook's file: its modification day is the 填报日期 when the workbook does not say
    when it was saved.

    When any problem is an error the table is marked as a draft (title suffix, red banner, page header). The
    problems are listed on a second sheet, printed on pages of their own; a clean table is one sheet.
    """
    path = Path(path)
    draft = has_errors(problems)
    with atomic_path(path) as tmp:
        # in_memory: the parts are assembled in memory, not in a dozen temporary files (half the cost of a table)
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "in_memory": True})
        wb.set_properties({"title": title_text(project.year, draft), "subject": clean(project.name),
                           "author": "perfeval", "created": CREATED})
        wb.set_custom_property(OUTPUT_PROPERTY, "自评表")  # skipped when found among the inputs
        _write_main(wb, project, card, config, draft, fmt.date(filled_on(project, source)))
        if problems:  # a clean table is the one page of the form, with no list saying there is nothing to list
            _write_problems(wb, list(problems))
        wb.close()
    return path
