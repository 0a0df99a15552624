"""The template's fixed vocabulary and layout: the tables, their columns, the drop-down lists.

Layout of every sheet but 填表说明 (Excel row numbers):

- row 1: the sheet's title; row 2: a one-line hint; row 3: a short hint above each column (必填/选填 …);
- row 4 (:data:`HEADER_ROW`): the header labels, exactly as input-workbook.md names them;
- rows 5 on (:data:`FIRST_DATA_ROW`): the input rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name

from perfeval.config import DEFAULTS
from perfeval.model import (
    FUNDING_SOURCES,
    INFO_LABELS,
    LEVEL2_BY_LEVEL1,
    NATURES,
    ROLES,
    SHEET_FUNDING,
    SHEET_GROUP,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_SPENDING,
    SHEET_VOLUMES,
)

# ---- the fixed vocabulary ----------------------------------------------------------------------------------

# LEVEL2_BY_LEVEL1, ROLES, NATURES, INFO_LABELS and REQUIRED_INFO_LABELS live in perfeval.model.

# 基本信息 labels in order, with the hint shown beside each.
INFO_HINTS: dict[str, str] = {
    "评价年度": "四位数字年份，如2025",
    "项目名称": "与预算批复一致的项目全称",
    "项目编码": "预算系统中的项目编码；没有可不填",
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
assert tuple(INFO_HINTS) == INFO_LABELS, "a hint for every 基本信息 label, in order"
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
LOW_RATE_TEXT = f"{LOW_RATE:.0%}"

# ---- layout constants (Excel row numbers are 1-based; the *_IDX ones are xlsxwriter's 0-based) -------------

HEADER_ROW = 4
FIRST_DATA_ROW = 5
HEADER_IDX = HEADER_ROW - 1
FIRST_IDX = FIRST_DATA_ROW - 1
CHECK_TITLE_IDX, CHECK_LABEL_IDX, CHECK_VALUE_IDX = 0, 1, 2
SUM_LAST_ROW = 1000  # the open tables' totals sum down to this row, so rows appended below still count
LISTS_SHEET = "_lists"
CHECK_TITLE = "自动校验（请勿填写）"

INPUT_FILL = "#FFF9DB"
REQUIRED_FILL = "#F8CBAD"
HEADER_FILL = "#DDEBF7"
CHECK_FILL = "#EDEDED"
CHECK_TITLE_FILL = "#D9D9D9"
OK_FILL = "#E2EFDA"

PROTECTION = {
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

    def span(self, key: str, sheet: bool = False, last: int = SUM_LAST_ROW) -> str:
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
INFO_WIDTHS = (20, 70, 30)
TABLE_WIDTHS = {SHEET_INFO: len(INFO_HEADERS), **{t.sheet: len(t.columns) for t in TABLES}}  # table columns per sheet

# Drop-down lists on the hidden sheet: defined name -> values.
LISTS: dict[str, tuple[str, ...]] = {
    "一级指标列表": tuple(LEVEL2_BY_LEVEL1),
    "职务列表": ROLES,
    "资金来源列表": FUNDING_SOURCES,
    "指标性质列表": NATURES,
    **LEVEL2_BY_LEVEL1,  # named after the level-1 indicator, for INDIRECT
}
