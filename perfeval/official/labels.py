"""The labels of the national 自评表 and their spellings (official-table.md), and telling tables apart by them.

Labels are compared after the standard reader's normalisation (:func:`perfeval.cells.split_label`: no spaces,
no trailing "：", the unit in brackets taken off).
"""

from __future__ import annotations

from .. import model as m
from ..reader import FUNDING_NAMES

TITLE = "项目支出绩效自评表"
DECLARATION_TITLE = "绩效目标申报表"

# What a sheet or Word table holds, by kind (official-table.md, "What counts as an official table").
KIND_STANDARD = "标准填报表"
KIND_OFFICIAL = "自评表"
KIND_DECLARATION = "绩效目标申报表"

PAIR_LABELS = ("项目名称", "主管部门", "实施单位", "项目负责人", "联系电话", "项目编码", "评价年度")
FUNDS_LABELS = ("项目资金", "年度资金总额")
OFFICIAL_LABELS = ("项目名称", "一级指标", "实际完成值", "得分")

# Funding block: header label -> the spellings written in real tables.
FUNDING_HEADERS = {
    "年初预算数": ("年初预算数", "年初预算"),
    "全年预算数": ("全年预算数", "调整后预算数", "全年预算", "调整后预算"),
    "全年执行数": ("全年执行数", "预算执行数", "执行数", "全年实际支出"),
    "分值": ("分值", "权重"),
    "执行率": ("执行率", "预算执行率"),
    "得分": ("得分",),
    "原因": ("原因", "偏差原因", "执行偏差原因", "偏差原因分析"),
}
FUNDING_ROWS = {**FUNDING_NAMES, "财政专户管理资金": m.SOURCE_OTHER, "单位资金": m.SOURCE_OTHER,
                "其他资金": m.SOURCE_OTHER}

# Indicator block: header label -> spellings.
INDICATOR_HEADERS = {
    "一级指标": ("一级指标",),
    "二级指标": ("二级指标",),
    "三级指标": ("三级指标",),
    "年度指标值": ("年度指标值", "指标值", "年度目标值"),
    "实际完成值": ("实际完成值", "完成值", "全年实际值"),
    "分值": ("分值", "权重"),
    "得分": ("得分",),
    "偏差原因分析及改进措施": ("偏差原因分析及改进措施", "偏差原因分析及改进措施说明"),
    "偏差原因": ("偏差原因", "偏差原因分析"),
    "改进措施": ("改进措施",),
    "指标性质": ("指标性质",),
    "计量单位": ("度量单位", "计量单位"),
}
INDICATOR_REQUIRED = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值")

# Older and provincial level-1 names (domain.md), read as the standard ones.
LEVEL1_NAMES = {"项目完成指标": "产出指标", "项目效益指标": "效益指标"}
SATISFACTION_LEVEL2 = ("服务对象满意度指标", "满意度指标")
TOTAL_LABEL = "总分"
GRADES = ("优", "良", "中", "差")
GOAL_LABELS = ("预期目标", "实际完成情况")


def header_columns(labels: list[tuple[int, str]], spellings: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Header name -> column, for the (column, label) cells of one row (the first spelling found wins)."""
    found: dict[str, int] = {}
    for col, label in labels:
        for name, names in spellings.items():
            if name not in found and label in names:
                found[name] = col
                break
    return found


def kind_of(labels: set[str]) -> str | None:
    """KIND_OFFICIAL or KIND_DECLARATION by the labels a sheet or table holds; None for anything else."""
    if "项目名称" not in labels or "一级指标" not in labels:
        return None
    has_funds = any(label in labels for label in FUNDS_LABELS)
    if has_funds and "实际完成值" in labels and "得分" in labels:
        return KIND_OFFICIAL
    if "年度指标值" in labels or "指标值" in labels:
        return KIND_DECLARATION
    return None
