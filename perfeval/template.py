"""The standard input workbook (标准填报模板): the blank template, and the same layout filled in.

:func:`write_workbook` writes the blank template (``data=None``) or a workbook filled from plain dicts (the bundled
examples, and tests that need a workbook). The output is byte-stable: the same data always gives the same XML.

Layout of every sheet but 填表说明 (Excel row numbers):

- row 1: the sheet's title; row 2: a one-line hint; row 3: a short hint above each column (必填/选填 …);
- row 4 (:data:`HEADER_ROW`): the header labels, exactly as input-workbook.md names them;
- rows 5 on (:data:`FIRST_DATA_ROW`): the input rows.

The live checks (自动校验（请勿填写）) are locked formula cells in rows 1–3 to the right of the table, beyond one
empty column: row 1 the block's title, row 2 a label per check, row 3 its formula. Nothing locked sits in an input
row, so staff can insert and delete rows on the protected sheet. When data is given, every formula carries the
value it computes as its cached value, so a reader of cached values sees the right figures.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from perfeval.config import DEFAULTS
from perfeval.fileio import atomic_path
from perfeval.model import (
    FUNDING_SOURCES,
    INFO_LABELS,
    LEVEL2_BY_LEVEL1,
    NATURES,
    REQUIRED_INFO_LABELS,
    ROLES,
    SHEET_FUNDING,
    SHEET_GROUP,
    SHEET_GUIDE,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_SPENDING,
    SHEET_VOLUMES,
    TEMPLATE_VERSION,
)

# ---- the fixed vocabulary ----------------------------------------------------------------------------------

# LEVEL2_BY_LEVEL1, ROLES, NATURES, INFO_LABELS and REQUIRED_INFO_LABELS live in perfeval.model.

# 基本信息 labels in order, with the hint shown beside each.
_INFO_HINTS: dict[str, str] = {
    "评价年度": "四位数字年份，如2025",
    "项目名称": "与预算批复一致的项目全称",
    "主管部门": "项目的主管部门",
    "实施单位": "具体实施项目的单位",
    "项目负责人": "姓名",
    "联系人": "填表人姓名",
    "联系电话": "座机或手机号码",
    "联系邮箱": "评价结果将发送到此邮箱",
    "项目背景": "项目设立的依据、单位职责和项目主要内容",
    "年度总体目标": "预算批复时设定的年度绩效目标",
    "总体目标完成情况": "年度总体目标的实际完成情况",
    "评价工作开展情况": "评价的组织、方法和过程；不填时报告使用标准段落",
    "预算执行偏差原因": "预算执行率低于90%时必须说明原因",
    "预算执行率分值": "预算执行率指标的分值；不填按10分计",
    "综合评价结论": "对项目绩效的总体评价",
    "存在问题及改进建议": "项目存在的问题和改进的建议",
    "其他需要说明的问题": "如好的经验做法、对加强评价管理的建议；没有可填“无”",
}
assert tuple(_INFO_HINTS) == INFO_LABELS, "a hint for every 基本信息 label, in order"
LONG_INFO_LABELS: tuple[str, ...] = (
    "项目背景",
    "年度总体目标",
    "总体目标完成情况",
    "评价工作开展情况",
    "预算执行偏差原因",
    "综合评价结论",
    "存在问题及改进建议",
    "其他需要说明的问题",
)
DEFAULT_EXECUTION_WEIGHT = DEFAULTS["scoring"]["execution_weight"]
LOW_RATE = DEFAULTS["scoring"]["low_rate_threshold"]  # below it, a reason for the execution rate is required
_LOW_RATE_TEXT = f"{LOW_RATE:.0%}"

# ---- layout constants (Excel row numbers are 1-based; the *_IDX ones are xlsxwriter's 0-based) -------------

HEADER_ROW = 4
FIRST_DATA_ROW = 5
_HEADER_IDX = HEADER_ROW - 1
_FIRST_IDX = FIRST_DATA_ROW - 1
_CHECK_TITLE_IDX, _CHECK_LABEL_IDX, _CHECK_VALUE_IDX = 0, 1, 2
_SUM_LAST_ROW = 1000  # the open tables' totals sum down to this row, so rows appended below still count
LISTS_SHEET = "_lists"
CHECK_TITLE = "自动校验（请勿填写）"

_INPUT_FILL = "#FFF9DB"
_REQUIRED_FILL = "#F8CBAD"
_HEADER_FILL = "#DDEBF7"
_CHECK_FILL = "#EDEDED"
_CHECK_TITLE_FILL = "#D9D9D9"
_OK_FILL = "#E2EFDA"

_PROTECTION = {
    "insert_rows": True,
    "delete_rows": True,
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
    "sort": True,
}


# ---- table descriptions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table sheet. ``key`` is the header label without its unit (and the data dict's key)."""

    key: str
    width: float
    unit: str = ""
    required: bool = False
    kind: str = "text"  # text | long | amount (0.00, ≥ 0) | count (≥ 0) | score (0–100)
    choices: str = ""  # a list-validation source; "{row}" stands for the first input row
    hint: str = ""  # the short hint above the header
    note: str = ""  # the header cell's comment

    @property
    def header(self) -> str:
        return f"{self.key}（{self.unit}）" if self.unit else self.key


@dataclass(frozen=True)
class Table:
    sheet: str
    data_key: str
    intro: str
    columns: tuple[Column, ...]
    rows: int  # input rows in the blank template
    required: bool = True  # at least one row must be filled
    started_from: int = 0  # columns from this index on say whether a row has been started
    landscape: bool = False

    def letter(self, key: str) -> str:
        return xl_col_to_name(self.index(key))

    def index(self, key: str) -> int:
        return next(i for i, col in enumerate(self.columns) if col.key == key)

    def span(self, key: str, sheet: bool = False, last: int = _SUM_LAST_ROW) -> str:
        """The absolute range of a column's input rows, e.g. ``$B$5:$B$1000``."""
        letter = self.letter(key)
        prefix = f"'{self.sheet}'!" if sheet else ""
        return f"{prefix}${letter}${FIRST_DATA_ROW}:${letter}${last}"


_AMOUNT_NOTE = "请填写数字，不要带单位。"

GROUP = Table(
    SHEET_GROUP,
    "group",
    "每行填写一名评价工作组成员；职务从下拉列表选择。",
    (
        Column("职务", 12, required=True, choices="=职务列表", hint="下拉选择", note="从下拉列表选择：组长、副组长、组员。"),
        Column("姓名", 14, required=True, hint="每行一人", note="每行填写一人；同一职务有多人时分行填写。"),
        Column("工作单位及职务", 40, hint="如：审批局 副局长"),
    ),
    rows=10,
)
FUNDING = Table(
    SHEET_FUNDING,
    "funding",
    "按资金来源分行填写，单位万元；没有的资金来源留空。不要添加合计行，合计和执行率在右侧自动计算。",
    (
        Column(
            "资金来源",
            16,
            required=True,
            choices="=资金来源列表",
            hint="下拉选择",
            note="当年财政拨款、上年结转资金、其他资金，每种一行。不要添加“合计”行。",
        ),
        Column("年初预算数", 14, "万元", True, "amount", hint="万元", note="年初批复的预算数，单位万元。" + _AMOUNT_NOTE),
        Column(
            "全年预算数",
            14,
            "万元",
            False,
            "amount",
            hint="不填则同年初",
            note="年度调整后的预算数，单位万元。不填则等于年初预算数。",
        ),
        Column("实际到位数", 14, "万元", False, "amount", hint="万元", note="实际到位的资金，单位万元。"),
        Column(
            "全年执行数",
            14,
            "万元",
            True,
            "amount",
            hint="万元",
            note="全年实际支出数，单位万元。预算执行率＝全年执行数÷全年预算数。",
        ),
    ),
    rows=len(FUNDING_SOURCES),
    started_from=1,
)
SPENDING = Table(
    SHEET_SPENDING,
    "spending",
    "按用途逐项列出本年实际支出，单位万元；各项合计应等于资金情况中的全年执行数合计。",
    (
        Column("支出内容", 44, required=True, hint="按用途逐项填写", note="支出的用途，如“日常办公经费”。"),
        Column(
            "金额",
            14,
            "万元",
            True,
            "amount",
            hint="万元",
            note="单位万元。" + _AMOUNT_NOTE + "各项合计应等于资金情况中的全年执行数合计。",
        ),
        Column("说明", 44, hint="用途说明，写入报告", note="可选：该项支出的用途说明，会写入报告。"),
    ),
    rows=30,
    required=False,
)
INDICATORS = Table(
    SHEET_INDICATORS,
    "indicators",
    "每行一个三级指标。一级、二级指标从下拉列表选择，同一指标的多行可合并单元格；全部分值加预算执行率分值合计100分。",
    (
        Column(
            "一级指标",
            12,
            required=True,
            choices="=一级指标列表",
            hint="下拉选择",
            note="从下拉列表选择：产出指标、效益指标、满意度指标（或成本指标）。同一一级指标的多行可以合并单元格。",
        ),
        Column(
            "二级指标",
            16,
            required=True,
            choices="=INDIRECT($A{row})",
            hint="随一级指标",
            note="先选一级指标，再从下拉列表选择对应的二级指标。同一二级指标的多行可以合并单元格。",
        ),
        Column("三级指标", 22, required=True, hint="指标名称", note="指标名称，如“采购招标率”。"),
        Column(
            "指标性质",
            10,
            choices="=指标性质列表",
            hint="下拉选择",
            note="正向：越大越好（≥）；反向：越小越好（≤，如成本、时长）；等于：应恰好达到；"
            "定性：用文字衡量（如“提升”）。不填时按年度指标值判断。",
        ),
        Column(
            "年度指标值",
            14,
            required=True,
            hint="如≥95%",
            note="预算批复时设定的目标，连同符号和单位填写，如：≥95%、100%、≤30万元、≥50个、"
            "2025年12月31日前、提升。",
        ),
        Column(
            "实际完成值",
            14,
            required=True,
            hint="如100%",
            note="年末实际达到的值，如：100%、28个、204.46平方米、2025年11月30日。"
            "定性指标填“达成”“部分达成”“未达成”，或重复目标（如“提升”）。",
        ),
        Column("计量单位", 9, hint="如%、个", note="数值中没有写单位时在此填写，如：%、个、万元、天。"),
        Column(
            "分值",
            8,
            required=True,
            kind="score",
            hint="权重分",
            note="本指标的权重分。全部指标分值加预算执行率分值（默认10分）合计100分；"
            "默认产出指标50分、效益指标30分、满意度指标10分。",
        ),
        Column(
            "自评得分",
            9,
            kind="score",
            hint="不超过分值",
            note="单位自评的得分，不超过分值。工具按规则重新计分：定性指标在所属档次内"
            "（达成80%–100%、部分达成60%–80%、未达成0–60%）以自评得分为准；"
            "其他情况与规则得分不一致时会提示。",
        ),
        Column(
            "偏差原因分析及改进措施",
            36,
            kind="long",
            hint="未完成或大幅超额时必填",
            note="未完成目标，或大幅超额完成（达到目标的130%及以上）时，必须填写原因及改进措施。",
        ),
    ),
    rows=40,
    landscape=True,
)
VOLUMES = Table(
    SHEET_VOLUMES,
    "volumes",
    "选填：本项目的业务量，如交易中心各类交易的宗数和金额。不要填写合计行，合计在右侧自动计算。",
    (
        Column(
            "业务类别",
            18,
            required=True,
            hint="如政府采购",
            note="如：政府采购、工程项目、土地使用权、国有产权。不要填写合计行。",
        ),
        Column("数量", 12, "宗", True, "count", hint="宗", note="业务数量，单位宗。" + _AMOUNT_NOTE),
        Column("金额", 14, "亿元", True, "amount", hint="亿元", note="业务金额，单位亿元（万元请除以10000）。" + _AMOUNT_NOTE),
        Column("备注", 30),
    ),
    rows=10,
    required=False,
)
TABLES: tuple[Table, ...] = (GROUP, FUNDING, SPENDING, INDICATORS, VOLUMES)
INFO_HEADERS = ("项目", "内容", "填写说明")
_INFO_WIDTHS = (20, 70, 30)
_WIDTHS = {SHEET_INFO: len(INFO_HEADERS), **{t.sheet: len(t.columns) for t in TABLES}}  # table columns per sheet

# Drop-down lists on the hidden sheet: defined name -> values.
_LISTS: dict[str, tuple[str, ...]] = {
    "一级指标列表": tuple(LEVEL2_BY_LEVEL1),
    "职务列表": ROLES,
    "资金来源列表": FUNDING_SOURCES,
    "指标性质列表": NATURES,
    **LEVEL2_BY_LEVEL1,  # named after the level-1 indicator, for INDIRECT
}

_GUIDE_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "总体要求",
        "1. 每个项目填写一个工作簿。\n"
        "2. 只在浅黄色单元格中填写；表头上方标“必填”的列和基本信息中带“*”的项目必须填写。\n"
        "3. 不要修改工作表名称和表头文字，不要删除工作表。可以插入、删除数据行，需要更多行时在表格中间插入。\n"
        "4. 金额单位见表头括号：资金和支出为万元，业务量金额为亿元。请填写数字，不要带单位。\n"
        "5. 各表右上方灰色的“自动校验（请勿填写）”区域随填写自动计算，供自查；最终得分由工具按评分规则重新计算。\n"
        "6. 工作表设有保护（无密码），防止误改表头和公式；确需调整时，可通过“审阅→撤销工作表保护”解除。\n"
        "7. 把鼠标停在带红色小三角的表头上，可以看到该栏的填写说明。",
    ),
    (
        SHEET_INFO,
        "填写项目名称、主管部门、实施单位、联系人等基本情况和各段文字说明，带*的为必填项。评价年度填四位数字年份，"
        "如2025。联系邮箱用于接收评价结果。长文字可直接粘贴，单元格内换行按 Alt+Enter。评价工作开展情况不填时，"
        "报告使用标准段落。预算执行率分值不填时按10分计。",
    ),
    (
        SHEET_GROUP,
        "每行填写一名成员：职务从下拉列表选择（组长、副组长、组员），姓名必填，工作单位及职务选填。",
    ),
    (
        SHEET_FUNDING,
        "按资金来源分行填写，单位万元：当年财政拨款、上年结转资金、其他资金，没有的来源留空。全年预算数为调整后的预算，"
        "未调整可不填（视同年初预算数）。不要添加合计行：合计和预算执行率（全年执行数÷全年预算数）在右侧自动计算。"
        "执行率低于90%时，须在基本信息的“预算执行偏差原因”中说明原因。",
    ),
    (
        SHEET_SPENDING,
        "按用途逐项列出本年实际支出，单位万元；各项金额合计应等于资金情况中的全年执行数合计（右侧自动校验）。"
        "说明栏可写用途，会写入报告。",
    ),
    (
        SHEET_INDICATORS,
        "按年初批复的绩效目标逐条填写，每行一个三级指标。\n"
        "一级指标、二级指标：从下拉列表选择，二级指标的选项随一级指标变化；同一一级或二级指标的多行可以合并单元格。\n"
        "年度指标值：连同比较符号和单位填写，例如 ≥95%、100%（视为≥100%）、≤30万元、≥50个、2025年12月31日前、提升。\n"
        "指标性质：正向（越大越好）、反向（越小越好，如成本、时长）、等于、定性；不填时按年度指标值判断。\n"
        "实际完成值：年末实际达到的值，例如 100%、28个、2025年11月30日；定性指标填“达成”“部分达成”“未达成”，"
        "或重复目标（如“提升”）。\n"
        "分值：全部指标分值加预算执行率分值（默认10分）合计100分；默认产出指标50分、效益指标30分、满意度指标10分。\n"
        "自评得分：单位自评的得分，不得超过分值。工具按评分规则重新计分：定性指标在所属档次内（达成80%–100%、"
        "部分达成60%–80%、未达成0–60%）以自评得分为准，其他情况与规则得分不一致时会提示。\n"
        "偏差原因分析及改进措施：未完成目标，或大幅超额完成（达到目标的130%及以上）时必须填写。",
    ),
    (
        SHEET_VOLUMES,
        "选填。填写本项目的业务量，如交易中心的政府采购、工程项目、土地使用权、国有产权等：数量单位为宗，"
        "金额单位为亿元。不要填写合计行。",
    ),
)
_LEGEND: tuple[tuple[str, str], ...] = (
    (_INPUT_FILL, "浅黄色：填写内容的单元格"),
    (_REQUIRED_FILL, "浅红色：必填但尚未填写的单元格（填写后颜色消失）"),
    (_CHECK_FILL, "灰色：自动计算的校验结果，请勿填写"),
    (_HEADER_FILL, "浅蓝色：表头，请勿修改"),
)


# ---- small helpers -----------------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    """Column-width units a text needs: a CJK (wide) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row_height(text: str, width: float, minimum: float = 15, line: float = 15) -> float:
    """A row height (points) that shows ``text`` wrapped in a column ``width`` units wide."""
    lines = sum(max(1, math.ceil(_display_width(part) / max(width - 2, 1))) for part in text.split("\n"))
    return min(409, max(minimum, lines * line + 4))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _num(value: Any) -> float:
    """A value as SUM sees it: numbers count, text and blanks are 0."""
    return float(value) if _is_number(value) else 0.0


def _sum(rows: Iterable[dict], key: str) -> float:
    return sum(_num(row.get(key)) for row in rows)


def _plain(number: float) -> str:
    """A number as ``ROUND(x,2)&""`` shows it: 97.27, 10."""
    text = f"{round(number, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# ---- formats -----------------------------------------------------------------------------------------------


class _Formats:
    """Every cell format of the workbook, created once."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"valign": "vcenter", "border": 1, "border_color": "#A6A6A6"}
        inp = {**base, "bg_color": _INPUT_FILL, "locked": False, "valign": "top", "text_wrap": True}
        check = {**base, "bg_color": _CHECK_FILL, "locked": True, "align": "center"}
        self.unlocked = wb.add_format({"locked": False})
        self.title = wb.add_format({"bold": True, "font_size": 16, "valign": "vcenter"})
        self.intro = wb.add_format({"font_color": "#595959", "text_wrap": True, "valign": "vcenter"})
        self.hint_required = wb.add_format(
            {"font_size": 9, "font_color": "#C00000", "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        self.hint_optional = wb.add_format(
            {"font_size": 9, "font_color": "#808080", "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        head = {**base, "bold": True, "bg_color": _HEADER_FILL, "text_wrap": True}
        self.header = wb.add_format({**head, "align": "center"})
        self.label = wb.add_format(head)
        self.label_hint = wb.add_format({**base, "font_color": "#595959", "font_size": 9, "text_wrap": True})
        self.input = {
            "text": wb.add_format(inp),
            "long": wb.add_format(inp),
            "amount": wb.add_format({**inp, "num_format": "0.00"}),
            "count": wb.add_format(inp),
            "score": wb.add_format(inp),
            "date": wb.add_format({**inp, "num_format": "yyyy-mm-dd"}),
        }
        self.check_title = wb.add_format({**check, "bold": True, "bg_color": _CHECK_TITLE_FILL})
        self.check_label = wb.add_format({**check, "font_size": 9, "text_wrap": True})
        self.required = wb.add_format({"bg_color": _REQUIRED_FILL})
        self.bad = wb.add_format({"font_color": "#C00000", "bold": True})
        self.good = wb.add_format({"bg_color": _OK_FILL})
        self.guide_head = wb.add_format({**base, "bold": True, "bg_color": _HEADER_FILL, "valign": "top"})
        self.guide_text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.version = wb.add_format({"bold": True})
        self.legend = {fill: wb.add_format({**base, "bg_color": fill}) for fill, _ in _LEGEND}
        self._wb, self._check = wb, check
        self._check_values: dict[str, Any] = {}

    def check_value(self, num_format: str):
        if num_format not in self._check_values:
            self._check_values[num_format] = self._wb.add_format({**self._check, "num_format": num_format})
        return self._check_values[num_format]


# ---- the check block ---------------------------------------------------------------------------------------


class _CheckBlock:
    """The 自动校验 block: a label (row 2) and a locked formula (row 3) per check, right of the table."""

    def __init__(self, first_col: int) -> None:
        self.first_col = first_col
        self.checks: list[tuple[str, str, float | str, str, float]] = []

    def add(self, label: str, formula: str, value: float | str, num_format: str = "0.00", width: float = 13) -> str:
        """Add a check; return its absolute cell address, for later formulas to use."""
        col = self.first_col + len(self.checks)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # cached as Excel writes it: 90, not 90.0
        self.checks.append((label, formula, value, num_format, width))
        return xl_rowcol_to_cell(_CHECK_VALUE_IDX, col, row_abs=True, col_abs=True)

    def status(self, label: str, formula: str, value: str) -> str:
        return self.add(label, formula, value, "@", 30)

    def write(self, ws, fmt: _Formats) -> None:
        last = self.first_col + len(self.checks) - 1
        if last > self.first_col:
            ws.merge_range(_CHECK_TITLE_IDX, self.first_col, _CHECK_TITLE_IDX, last, CHECK_TITLE, fmt.check_title)
        else:
            ws.write_string(_CHECK_TITLE_IDX, self.first_col, CHECK_TITLE, fmt.check_title)
        for offset, (label, formula, value, num_format, width) in enumerate(self.checks):
            col = self.first_col + offset
            ws.set_column(col, col, width, fmt.unlocked)
            ws.write_string(_CHECK_LABEL_IDX, col, label, fmt.check_label)
            ws.write_formula(_CHECK_VALUE_IDX, col, formula, fmt.check_value(num_format), value)
            if num_format == "@":  # a status: red when it asks for something, green when all is well
                ws.conditional_format(
                    _CHECK_VALUE_IDX, col, _CHECK_VALUE_IDX, col,
                    {"type": "text", "criteria": "begins with", "value": "请", "format": fmt.bad},
                )
                ws.conditional_format(
                    _CHECK_VALUE_IDX, col, _CHECK_VALUE_IDX, col,
                    {"type": "text", "criteria": "begins with", "value": "正", "format": fmt.good},
                )


def _info_cell(label: str, sheet: bool = True) -> str:
    """The absolute address of a 基本信息 label's value, e.g. ``'基本信息'!$B$18``."""
    cell = f"$B${FIRST_DATA_ROW + INFO_LABELS.index(label)}"
    return f"'{SHEET_INFO}'!{cell}" if sheet else cell


def _rows_last(table: Table, rows: list[dict]) -> int:
    """The Excel row number of a table's last input row."""
    return FIRST_DATA_ROW + max(table.rows, len(rows)) - 1


def _budget_and_rate(rows: list[dict]) -> tuple[float, float]:
    """全年预算数 over the rows (年初预算数 where blank), and the execution rate (0 without a budget)."""
    budget = sum(_num(r.get("年初预算数")) if _is_blank(r.get("全年预算数")) else _num(r.get("全年预算数")) for r in rows)
    return budget, (_sum(rows, "全年执行数") / budget if budget > 0 else 0.0)


def _funding_checks(block: _CheckBlock, d: _Data) -> str:
    """Totals and execution rate on 资金情况; returns the rate cell's address (for 绩效指标)."""
    rows, last = d.funding, _rows_last(FUNDING, d.funding)
    span = {key: FUNDING.span(key, last=last) for key in ("年初预算数", "全年预算数", "实际到位数", "全年执行数")}
    budget, rate = _budget_and_rate(rows)
    spent = _sum(rows, "全年执行数")
    block.add("年初预算数合计（万元）", f"=SUM({span['年初预算数']})", _sum(rows, "年初预算数"))
    c_budget = block.add(
        "全年预算数合计（万元）",
        f'=SUM({span["全年预算数"]})+SUMIF({span["全年预算数"]},"",{span["年初预算数"]})',
        budget,
    )
    block.add("实际到位数合计（万元）", f"=SUM({span['实际到位数']})", _sum(rows, "实际到位数"))
    c_spent = block.add("全年执行数合计（万元）", f"=SUM({span['全年执行数']})", spent)
    c_rate = block.add("预算执行率", f"=IF({c_budget}>0,{c_spent}/{c_budget},0)", rate, "0.00%")
    reason = _info_cell("预算执行偏差原因")
    no_budget, over, low = "请填写预算数", "请核对：全年执行数大于全年预算数", f"请在基本信息中填写预算执行偏差原因（执行率低于{_LOW_RATE_TEXT}）"
    if budget <= 0:
        status = no_budget
    elif round(spent - budget, 2) > 0:
        status = over
    elif rate < LOW_RATE and _is_blank(d.info.get("预算执行偏差原因")):
        status = low
    else:
        status = "正常"
    block.status(
        "校验",
        f'=IF({c_budget}<=0,"{no_budget}",IF(ROUND({c_spent}-{c_budget},2)>0,"{over}",'
        f'IF(AND({c_rate}<{LOW_RATE},{reason}=""),"{low}","正常")))',
        status,
    )
    return f"'{SHEET_FUNDING}'!{c_rate}"


def _spending_checks(block: _CheckBlock, d: _Data) -> None:
    amount = SPENDING.span("金额")
    spent_span = FUNDING.span("全年执行数", sheet=True, last=_rows_last(FUNDING, d.funding))
    total, spent = _sum(d.spending, "金额"), _sum(d.funding, "全年执行数")
    c_total = block.add("金额合计（万元）", f"=SUM({amount})", total)
    c_spent = block.add("全年执行数合计（万元）", f"=SUM({spent_span})", spent)
    c_diff = block.add("差额（万元）", f"=ROUND({c_total}-{c_spent},2)", round(total - spent, 2))
    if not any(_is_number(r.get("金额")) for r in d.spending):
        status = "未填写"
    else:
        status = "正确" if round(total - spent, 2) == 0 else "请核对：金额合计与全年执行数合计不一致"
    block.status(
        "校验",
        f'=IF(COUNT({amount})=0,"未填写",IF({c_diff}=0,"正确","请核对：金额合计与全年执行数合计不一致"))',
        status,
    )


def _indicator_checks(block: _CheckBlock, d: _Data, rate_cell: str) -> None:
    given = d.info.get("预算执行率分值")
    weight = DEFAULT_EXECUTION_WEIGHT if _is_blank(given) else _num(given)
    weights, scores = _sum(d.indicators, "分值"), _sum(d.indicators, "自评得分")
    budget_rate = _budget_and_rate(d.funding)[1]
    cell = _info_cell("预算执行率分值")
    c_weights = block.add("指标分值合计", f"=SUM({INDICATORS.span('分值')})", weights, "General")
    c_weight = block.add("预算执行率分值", f'=IF({cell}="",{DEFAULT_EXECUTION_WEIGHT},{cell})', weight, "General")
    c_total = block.add("分值总计（应为100）", f"={c_weights}+{c_weight}", weights + weight, "General")
    block.status(
        "分值校验",
        f'=IF(ROUND({c_total},2)=100,"正确","请调整：分值总计应为100，当前为"&ROUND({c_total},2))',
        "正确" if round(weights + weight, 2) == 100 else f"请调整：分值总计应为100，当前为{_plain(weights + weight)}",
    )
    c_scores = block.add("指标自评得分合计", f"=SUM({INDICATORS.span('自评得分')})", scores)
    execution = weight * min(1.0, budget_rate)
    c_exec = block.add("预算执行率得分（参考）", f"={c_weight}*MIN(1,{rate_cell})", execution)
    block.add("自评总分（参考）", f"={c_scores}+{c_exec}", scores + execution)


def _group_checks(block: _CheckBlock, d: _Data) -> None:
    names = sum(not _is_blank(r.get("姓名")) for r in d.group)
    leaders = sum(r.get("职务") == "组长" for r in d.group)
    c_leaders = block.add("组长人数", f'=COUNTIF({GROUP.span("职务")},"组长")', leaders, "0")
    c_names = block.add("成员人数", f"=COUNTA({GROUP.span('姓名')})", names, "0")
    status = "请填写工作组成员" if names == 0 else ("请指定组长" if leaders == 0 else "正常")
    block.status("校验", f'=IF({c_names}=0,"请填写工作组成员",IF({c_leaders}=0,"请指定组长","正常"))', status)


def _volume_checks(block: _CheckBlock, d: _Data) -> None:
    block.add("数量合计（宗）", f"=SUM({VOLUMES.span('数量')})", _sum(d.volumes, "数量"), "General")
    block.add("金额合计（亿元）", f"=SUM({VOLUMES.span('金额')})", _sum(d.volumes, "金额"))


def _info_checks(block: _CheckBlock, d: _Data) -> None:
    missing = sum(_is_blank(d.info.get(label)) for label in REQUIRED_INFO_LABELS)
    terms = "+".join(f'({_info_cell(label, sheet=False)}="")' for label in REQUIRED_INFO_LABELS)
    c_missing = block.add("必填项未填写数", f"={terms}", missing, "0", 15)
    block.status("校验", f'=IF({c_missing}=0,"正常","请填写带*的必填项")', "正常" if missing == 0 else "请填写带*的必填项")


# ---- the data ----------------------------------------------------------------------------------------------


_DATA_KEYS = {"info", "group", "funding", "spending", "indicators", "volumes", "version"}


class _Data:
    """The data dict, checked for unknown keys (a typo in an example must not pass silently)."""

    def __init__(self, data: dict | None) -> None:
        data = data or {}
        unknown = set(data) - _DATA_KEYS
        if unknown:
            raise ValueError(f"unknown data keys: {sorted(unknown)}")
        self.blank = not data
        self.version = data.get("version", TEMPLATE_VERSION)
        self.info: dict[str, Any] = dict(data.get("info") or {})
        _check_keys("info", [self.info], INFO_LABELS)
        self.group = self._rows(data, GROUP)
        if "funding" in data:
            self.funding = self._rows(data, FUNDING)
        else:
            self.funding = [{"资金来源": source} for source in FUNDING_SOURCES]
        self.spending = self._rows(data, SPENDING)
        self.indicators = self._rows(data, INDICATORS)
        self.volumes = self._rows(data, VOLUMES)

    @staticmethod
    def _rows(data: dict, table: Table) -> list[dict]:
        rows = [dict(row) for row in data.get(table.data_key) or []]
        _check_keys(table.data_key, rows, [col.key for col in table.columns])
        return rows

    def rows(self, table: Table) -> list[dict]:
        return getattr(self, table.data_key)


def _check_keys(where: str, rows: list[dict], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for row in rows:
        unknown = set(row) - allowed
        if unknown:
            raise ValueError(f"unknown keys in {where}: {sorted(unknown)}")


# ---- writing -----------------------------------------------------------------------------------------------


def _write_value(ws, row: int, col: int, value: Any, fmt: _Formats, kind: str) -> None:
    """Numbers as numbers, dates as dates, everything else as text; blank cells keep the input format."""
    cell_format = fmt.input[kind]
    if _is_blank(value):
        ws.write_blank(row, col, None, cell_format)
    elif _is_number(value):
        ws.write_number(row, col, float(value), cell_format)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(row, col, value, fmt.input["date"])
    else:
        ws.write_string(row, col, str(value), cell_format)


def _comment(ws, row: int, col: int, text: str) -> None:
    lines = math.ceil(_display_width(text) / 44) + 1
    ws.write_comment(row, col, text, {"author": "填报模板", "x_scale": 2.4, "y_scale": max(1.0, lines * 14 / 74)})


def _sheet_head(ws, fmt: _Formats, title: str, intro: str, width: int, intro_height: float) -> None:
    """Rows 1–2: the sheet's title and one-line hint, across the table's columns."""
    last = width - 1
    ws.merge_range(0, 0, 0, last, title, fmt.title)
    ws.merge_range(1, 0, 1, last, intro, fmt.intro)
    ws.set_row(0, 28)
    ws.set_row(1, intro_height)
    ws.set_row(_CHECK_VALUE_IDX, 30)
    ws.set_row(_HEADER_IDX, 32)
    ws.freeze_panes(_HEADER_IDX + 1, 0)


def _finish(ws, landscape: bool, columns: int, last_row_idx: int) -> None:
    """Print setup and protection, the same on every sheet."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(_HEADER_IDX)
    ws.print_area(0, 0, last_row_idx, columns - 1)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.protect("", _PROTECTION)


def _write_table(wb, fmt: _Formats, table: Table, rows: list[dict], block: _CheckBlock, merge: bool) -> None:
    ws = wb.add_worksheet(table.sheet)
    ncols = len(table.columns)
    total_width = sum(col.width for col in table.columns)
    _sheet_head(ws, fmt, table.sheet, table.intro, ncols, _row_height(table.intro, total_width, 30))
    ws.set_column(0, 16383, None, fmt.unlocked)  # unwritten cells stay editable: rows can be inserted and deleted
    n_rows = max(table.rows, len(rows))
    first, last = _FIRST_IDX, _FIRST_IDX + n_rows - 1
    last_letter = xl_col_to_name(ncols - 1)
    started_letter = xl_col_to_name(table.started_from)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, col.width, fmt.unlocked)
        hint = ("必填" if col.required else "选填") + (f"·{col.hint}" if col.hint else "")
        ws.write_string(_CHECK_VALUE_IDX, c, hint, fmt.hint_required if col.required else fmt.hint_optional)
        ws.write_string(_HEADER_IDX, c, col.header, fmt.header)
        if col.note:
            _comment(ws, _HEADER_IDX, c, col.note)
        for r in range(n_rows):
            value = rows[r].get(col.key) if r < len(rows) else None
            _write_value(ws, first + r, c, value, fmt, col.kind)
        _validate(ws, col, first, last, c)
        if col.required:
            letter = xl_col_to_name(c)
            started = f"COUNTA(${started_letter}{FIRST_DATA_ROW}:${last_letter}{FIRST_DATA_ROW})>0"
            criteria = f'=AND({started},{letter}{FIRST_DATA_ROW}="")'
            ws.conditional_format(first, c, last, c, {"type": "formula", "criteria": criteria, "format": fmt.required})
            if table.required:
                ws.conditional_format(first, c, first, c, {"type": "blanks", "format": fmt.required})
    if merge and table is INDICATORS:
        _merge_groups(ws, fmt, rows)
    ws.set_column(ncols, ncols, 2, fmt.unlocked)  # the gap before the check block
    block.write(ws, fmt)
    _finish(ws, table.landscape, ncols, last)


def _validate(ws, col: Column, first: int, last: int, c: int) -> None:
    """The column's drop-down or number check; warnings only, so unusual but valid entries still go in."""
    if col.choices:
        options = {
            "validate": "list",
            "source": col.choices.format(row=FIRST_DATA_ROW),
            "error_title": "不在下拉列表中",
            "error_message": "建议从下拉列表选择。确实需要其他写法时，点“是”保留。",
        }
    elif col.kind in ("amount", "count"):
        options = {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "请填写数字",
            "error_message": "请填写不小于0的数字，不要带单位（单位见表头）。",
        }
    elif col.kind == "score":
        options = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_title": "请填写分数",
            "error_message": "请填写0到100之间的数字。",
        }
    else:
        return
    ws.data_validation(first, c, last, c, {**options, "error_type": "warning"})


def _merge_groups(ws, fmt: _Formats, rows: list[dict]) -> None:
    """Merge 一级指标 over consecutive rows with the same value, and 二级指标 over the same (一级, 二级)."""
    groups = {
        "一级指标": [(row.get("一级指标"),) for row in rows],
        "二级指标": [(row.get("一级指标"), row.get("二级指标")) for row in rows],
    }
    for key, keys in groups.items():
        c, start = INDICATORS.index(key), 0
        for _, run in itertools.groupby(keys):
            end = start + len(list(run)) - 1
            value = rows[start].get(key)
            if end > start and not _is_blank(value):
                ws.merge_range(_FIRST_IDX + start, c, _FIRST_IDX + end, c, str(value), fmt.input["text"])
            start = end + 1


def _write_info(wb, fmt: _Formats, d: _Data, block: _CheckBlock) -> None:
    ws = wb.add_worksheet(SHEET_INFO)
    widths = _INFO_WIDTHS
    _sheet_head(ws, fmt, SHEET_INFO, "在右侧浅黄色栏中填写；带*的为必填。长文字可直接粘贴。", 3, 22)
    ws.set_column(0, 16383, None, fmt.unlocked)
    for c, (header, width) in enumerate(zip(INFO_HEADERS, widths)):
        ws.set_column(c, c, width, fmt.unlocked)
        ws.write_string(_HEADER_IDX, c, header, fmt.header)
    ws.write_string(_CHECK_VALUE_IDX, 1, "带*为必填", fmt.hint_required)
    for i, label in enumerate(INFO_LABELS):
        row = _FIRST_IDX + i
        value = d.info.get(label)
        ws.write_string(row, 0, label + ("*" if label in REQUIRED_INFO_LABELS else ""), fmt.label)
        kind = "long" if label in LONG_INFO_LABELS else "text"
        _write_value(ws, row, 1, value, fmt, kind)
        ws.write_string(row, 2, _INFO_HINTS[label], fmt.label_hint)
        if kind == "long":
            ws.set_row(row, _row_height("" if _is_blank(value) else str(value), widths[1], 60))
        if label in REQUIRED_INFO_LABELS:
            ws.conditional_format(row, 1, row, 1, {"type": "blanks", "format": fmt.required})
    _info_validations(ws)
    ws.set_column(3, 3, 2, fmt.unlocked)
    block.write(ws, fmt)
    _finish(ws, False, 3, _FIRST_IDX + len(INFO_LABELS) - 1)


_INFO_VALIDATIONS: dict[str, dict[str, Any]] = {
    "评价年度": {
        "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
        "error_message": "请填写四位数字年份，如2025。",
    },
    "预算执行率分值": {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
        "error_message": "请填写0到100之间的数字；不填按10分计。",
    },
    "联系邮箱": {
        "validate": "custom", "value": '=ISNUMBER(FIND("@",B{row}))',
        "error_message": "邮箱地址应含有@，如 name@example.gov.cn。",
    },
}


def _info_validations(ws) -> None:
    for label, options in _INFO_VALIDATIONS.items():
        row = _FIRST_IDX + INFO_LABELS.index(label)
        options = {**options, "error_type": "warning", "error_title": label}
        if isinstance(options.get("value"), str):
            options["value"] = options["value"].format(row=row + 1)
        ws.data_validation(row, 1, row, 1, options)


def _write_guide(wb, fmt: _Formats, version: str | None) -> None:
    ws = wb.add_worksheet(SHEET_GUIDE)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, "项目支出绩效自评填报模板 · 填表说明", fmt.title)
    ws.set_row(0, 28)
    row = 1
    if version is not None:
        ws.write_string(row, 0, f"模板版本：{version}", fmt.version)
        row += 1
    row += 1
    ws.write_string(row, 0, "工作表", fmt.guide_head)
    ws.write_string(row, 1, "填写说明", fmt.guide_head)
    for name, text in _GUIDE_SECTIONS:
        row += 1
        ws.write_string(row, 0, name, fmt.guide_head)
        ws.write_string(row, 1, text, fmt.guide_text)
        ws.set_row(row, _row_height(text, 100))
    row += 2
    ws.write_string(row, 0, "颜色说明", fmt.guide_head)
    for fill, text in _LEGEND:
        row += 1
        ws.write_blank(row, 0, None, fmt.legend[fill])
        ws.write_string(row, 1, text, fmt.guide_text)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", _PROTECTION)


def _write_lists(wb) -> None:
    ws = wb.add_worksheet(LISTS_SHEET)
    for c, (name, values) in enumerate(_LISTS.items()):
        ws.write_string(0, c, name)
        for r, value in enumerate(values, start=1):
            ws.write_string(r, c, value)
        letter = xl_col_to_name(c)
        wb.define_name(name, f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}")
    ws.hide()
    ws.protect("", _PROTECTION)


def write_workbook(path: str | Path, data: dict | None = None, *, merge_indicator_groups: bool = True) -> Path:
    """Write the standard input workbook to ``path``: blank with ``data=None``, else filled from ``data``.

    ``data`` holds ``info`` (基本信息 label -> value), the row lists ``group``, ``funding``, ``spending``,
    ``indicators`` and ``volumes`` (dicts keyed by header label without unit), and ``version`` (the version
    written in 填表说明; None leaves it out). A missing ``funding`` gives the three pre-labelled sources.
    With ``merge_indicator_groups``, equal consecutive 一级指标 (and 二级指标 within one 一级指标) cells are merged.
    """
    d = _Data(data)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties(
            {"title": "项目支出绩效自评填报模板", "author": "perfeval", "created": datetime(2025, 1, 1)}
        )
        fmt = _Formats(wb)
        blocks = {sheet: _CheckBlock(width + 1) for sheet, width in _WIDTHS.items()}
        _info_checks(blocks[SHEET_INFO], d)
        _group_checks(blocks[SHEET_GROUP], d)
        rate_cell = _funding_checks(blocks[SHEET_FUNDING], d)
        _spending_checks(blocks[SHEET_SPENDING], d)
        _indicator_checks(blocks[SHEET_INDICATORS], d, rate_cell)
        _volume_checks(blocks[SHEET_VOLUMES], d)
        _write_guide(wb, fmt, d.version)
        _write_info(wb, fmt, d, blocks[SHEET_INFO])
        merge = merge_indicator_groups and not d.blank
        for table in TABLES:
            _write_table(wb, fmt, table, d.rows(table), blocks[table.sheet], merge)
        _write_lists(wb)
        wb.get_worksheet_by_name(SHEET_GUIDE).activate()
        wb.close()
    return path
