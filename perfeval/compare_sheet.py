"""The summary's sheet 同比: last year beside this year (:func:`perfeval.frames.compare`'s result), with a native
chart of the execution rate per 主管部门, both years.

A worksheet writer over an XlsxWriter ``Workbook``: rows are written strictly in order (``constant_memory`` works),
text from the inputs with ``write_string``, every figure rounded half up by :func:`perfeval.fmt.table_value` and
shown by a number format. Sections: the chart; 各主管部门; 两年均有的项目; 本年新增项目; 上年有、本年未报送的项目.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import fmt
from .frames.columns import from_fen
from .frames.compare import LAST, THIS, Comparison
from .frames.departments import GRADES
from .render import clean, display_width, number_format

SHEET_COMPARE = "同比"
FONT = "宋体"
MAX_WIDTH = 40
CHART_ROWS = 18  # rows the chart takes above the tables


@dataclass(frozen=True)
class Col:
    header: str
    key: str
    kind: str = "text"  # text | int | money (分, shown in 万元) | rate (a fraction) | points | score


def _both(header: str, key: str, kind: str = "text") -> tuple[Col, Col]:
    return Col(LAST + header, LAST + key, kind), Col(THIS + header, THIS + key, kind)


DEPARTMENT_COLUMNS = (
    Col("主管部门", "主管部门"), Col("两年均有项目数", "两年均有项目数", "int"), *_both("项目数", "项目数", "int"),
    Col("项目数增减", "项目数增减", "int"),
    *_both("全年预算数合计（万元）", "全年预算数合计_分", "money"), Col("预算增减率", "预算增减率", "rate"),
    *_both("全年执行数合计（万元）", "全年执行数合计_分", "money"), Col("执行增减率", "执行增减率", "rate"),
    *_both("执行率", "执行率", "rate"), Col("执行率变动（百分点）", "执行率变动", "points"),
    *_both("平均得分", "平均得分", "score"), Col("平均得分变动", "平均得分变动", "score"),
    *(c for g in GRADES for c in (*_both(g, g, "int"), Col(f"{g}增减", f"{g}增减", "int"))))
PROJECT_COLUMNS = (
    Col("主管部门", "主管部门"), Col("实施单位", "实施单位"), Col("项目名称", "项目名称"), Col("项目编码", "项目编码"),
    Col("匹配方式", "匹配方式"), Col("上年主管部门", "上年主管部门"), Col("上年实施单位", "上年实施单位"),
    Col("上年项目名称", "上年项目名称"),
    *_both("全年预算数（万元）", "全年预算数_分", "money"), Col("预算增减率", "预算增减率", "rate"),
    *_both("全年执行数（万元）", "全年执行数_分", "money"), *_both("执行率", "执行率", "rate"),
    Col("执行率变动（百分点）", "执行率变动", "points"), *_both("得分", "得分", "score"),
    Col("得分变动", "得分变动", "score"), *_both("等级", "等级"), Col("等级变化", "等级变化"))
LIST_COLUMNS = (Col("评价年度", "评价年度"), Col("主管部门", "主管部门"), Col("实施单位", "实施单位"),
                Col("项目名称", "项目名称"), Col("项目编码", "项目编码"), Col("全年预算数（万元）", "全年预算数_分", "money"),
                Col("全年执行数（万元）", "全年执行数_分", "money"), Col("执行率", "执行率", "rate"),
                Col("得分", "得分", "score"), Col("等级", "等级"), Col("源文件", "path"))
CHART_SERIES = (LAST + "执行率", THIS + "执行率")


class _Sheet:
    def __init__(self, wb, name: str, score_places: int):
        self.wb, self.ws = wb, wb.add_worksheet(name)
        self.name = name
        self.row = 0
        self.widths: dict[int, int] = {}
        self.places = {"money": 2, "rate": 4, "points": 2, "score": score_places}
        base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "top"}
        self.formats = {
            "header": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center",
                                     "valign": "vcenter", "text_wrap": True}),
            "text": wb.add_format(base), "int": wb.add_format({**base, "num_format": "0"}),
            "money": wb.add_format({**base, "num_format": "0.00"}),
            "rate": wb.add_format({**base, "num_format": "0.00%"}),
            "points": wb.add_format({**base, "num_format": "0.00"}),
            "score": wb.add_format({**base, "num_format": number_format(score_places)}),
            "title": wb.add_format({"font_name": FONT, "font_size": 12, "bold": True}),
            "note": wb.add_format({"font_name": FONT, "font_size": 10, "italic": True}),
        }

    def line(self, text: str, kind: str = "title") -> None:
        self.ws.write_string(self.row, 0, text, self.formats[kind])
        self.row += 1

    def _fit(self, col: int, width: int) -> None:
        self.widths[col] = max(self.widths.get(col, 8), min(width + 2, MAX_WIDTH))

    def table(self, title: str, columns: Sequence[Col], rows: list[dict[str, Any]]) -> int:
        """A section: its title, header and rows; returns the row of its first data row."""
        self.line(f"{title}（{len(rows)} 个）")
        for col, c in enumerate(columns):
            self.ws.write_string(self.row, col, c.header, self.formats["header"])
            self._fit(col, min(display_width(c.header), 12 if c.kind != "text" else 99))
        self.row += 1
        first = self.row
        for values in rows:
            for col, c in enumerate(columns):
                self._cell(col, c, values.get(c.key))
            self.row += 1
        if not rows:
            self.line("无。", "note")
        self.row += 1  # a blank row between sections
        return first

    def _cell(self, col: int, c: Col, value: Any) -> None:
        ws, cell_format = self.ws, self.formats[c.kind]
        if c.kind == "money":
            value = from_fen(value)
        if value is None or value == "" or (c.kind != "text" and pd.isna(value)):
            ws.write_blank(self.row, col, None, cell_format)
        elif c.kind == "text":
            text = clean(value)
            ws.write_string(self.row, col, text, cell_format)
            self._fit(col, max((display_width(line) for line in text.split("\n")), default=0))
        elif c.kind == "int":
            ws.write_number(self.row, col, int(value), cell_format)
        else:
            ws.write_number(self.row, col, fmt.table_value(value, self.places[c.kind]), cell_format)

    def finish(self) -> None:
        for col, width in sorted(self.widths.items()):
            self.ws.set_column(col, col, width)
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")


def _label(word: str, years: Sequence[str]) -> str:
    return f"{word}（{'、'.join(years)}年度）" if years else word


def _records(df) -> list[dict[str, Any]]:
    return df.to_dict("records")


def _chart(sheet: _Sheet, first: int, count: int) -> None:
    """执行率 per 主管部门, last year and this year, from the 各主管部门 table."""
    chart = sheet.wb.add_chart({"type": "column"})
    keys = [c.key for c in DEPARTMENT_COLUMNS]
    last = first + count - 1
    for key, color in zip(CHART_SERIES, ("#A5A5A5", "#4472C4")):
        col = keys.index(key)
        chart.add_series({"name": [sheet.name, first - 1, col], "categories": [sheet.name, first, 0, last, 0],
                          "values": [sheet.name, first, col, last, col], "fill": {"color": color},
                          "data_labels": {"value": True, "num_format": "0.0%"}})
    chart.set_title({"name": "各主管部门预算执行率（上年与本年，不含有错误的项目）"})
    chart.set_y_axis({"num_format": "0%", "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 340})
    sheet.ws.insert_chart(2, 0, chart)


def write_compare_sheet(wb, comparison: Comparison, *, score_places: int = 2, name: str = SHEET_COMPARE):
    """Add the sheet 同比 to the XlsxWriter workbook ``wb``; returns the worksheet."""
    sheet = _Sheet(wb, name, score_places)
    sheet.line(f"同比：{_label(THIS, comparison.years)}与{_label(LAST, comparison.last_years)}")
    sheet.line("项目先按项目编码匹配，其余按主管部门、实施单位、项目名称匹配（不计空格，括号不分全角半角）；"
               "各主管部门的金额、执行率、得分和等级不含有错误的项目。", "note")
    departments = _records(comparison.departments)
    sheet.row += CHART_ROWS if departments else 0
    first = sheet.table("各主管部门", DEPARTMENT_COLUMNS, departments)
    if departments:
        _chart(sheet, first, len(departments))
    sheet.table("两年均有的项目", PROJECT_COLUMNS, _records(comparison.projects))
    sheet.table("本年新增项目", LIST_COLUMNS, _records(comparison.new))
    sheet.table("上年有、本年未报送的项目", LIST_COLUMNS, _records(comparison.dropped))
    sheet.finish()
    return sheet.ws
