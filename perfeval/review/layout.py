"""The 复核底稿 workbook's layout, shared by the writer and the collector: sheets, columns, keys, shown values.

The reviewer may sort, filter, hide or widen columns: the collector finds columns by their header labels and
joins rows by the hidden key; read-only values are compared as shown (text stripped, figures with two decimals).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .. import fmt
from ..parse import ParseError, cell_text, parse_number
from .model import EXECUTION_ROW, DrawableProject, Drawn

SHEET_LIST = "抽查名单"
SHEET_ROWS = "复核底稿"
SHEET_ROWS_COPY = "底稿原值"  # very hidden: the read-only values of each row, by key
SHEET_LIST_COPY = "名单原值"  # very hidden: each drawn project's figures
CREATED = dt.datetime(2000, 1, 1)  # a fixed date keeps a workbook byte-stable


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: str = "text"  # text | long (wraps) | score (two decimals) | int
    width: int = 10


# 复核底稿: read-only columns, then the reviewer's, then the hidden key.
KEY = "复核键"
NOTE, SCORE, REASON = "复核完成值", "复核得分", "扣分原因"
WEIGHT, OWN, RULE = "分值", "单位自评得分", "规则得分"
READONLY = (Column("评价年度", width=8), Column("主管部门", width=14), Column("实施单位", width=16),
            Column("项目名称", "long", 24), Column("一级指标", width=12), Column("二级指标", width=14),
            Column("三级指标", "long", 20), Column("指标性质", width=8), Column("年度指标值", "long", 14),
            Column("实际完成值", "long", 14), Column(WEIGHT, "score", 8), Column(OWN, "score", 9),
            Column(RULE, "score", 9))
OPEN = (Column(NOTE, "long", 18), Column(SCORE, "score", 10), Column(REASON, "long", 28))
ROW_COLUMNS = (*READONLY, *OPEN, Column(KEY, width=10))

# 抽查名单, and its hidden copy (the same columns with the project's identity in front).
TOTAL, OWN_TOTAL, GRADE, REASON_DRAWN, SEED = "规则总分", "单位自评总分", "等级", "抽取原因", "随机种子"
IDENTITY = "项目标识"
LIST_COLUMNS = (Column("序号", "int", 6), Column("评价年度", width=8), Column("主管部门", width=14),
                Column("实施单位", width=16), Column("项目名称", "long", 28), Column(TOTAL, "score", 9),
                Column(GRADE, width=6), Column(OWN_TOTAL, "score", 10), Column(REASON_DRAWN, "long", 24),
                Column(SEED, "int", 10))
LIST_COPY_COLUMNS = (Column(IDENTITY), *LIST_COLUMNS[1:])
ROWS_COPY_COLUMNS = (Column(KEY), Column(IDENTITY), *READONLY)


def row_key(project_number: int, row_number: int) -> str:
    """The hidden key of one worksheet row: P0003-02 is the third project's third row."""
    return f"P{project_number:04d}-{row_number:02d}"


def project_rows(project: DrawableProject) -> list[dict[str, object]]:
    """The worksheet's rows of one project: 预算执行率 first, then each indicator; values by column label."""
    head = {"评价年度": project.year, "主管部门": project.department, "实施单位": project.unit, "项目名称": project.name}
    rows = [head | {"一级指标": EXECUTION_ROW, "二级指标": "", "三级指标": "", "指标性质": "", "年度指标值": "100%",
                    "实际完成值": fmt.rate(project.execution_rate), WEIGHT: project.execution_weight,
                    OWN: project.own_execution_score, RULE: project.execution_score}]
    for ind in project.indicators:
        rows.append(head | {"一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3, "指标性质": ind.nature,
                            "年度指标值": ind.target, "实际完成值": ind.actual, WEIGHT: ind.weight, OWN: ind.own_score,
                            RULE: ind.rule_score})
    return rows


def list_row(number: int, drawn: Drawn, seed: int) -> dict[str, object]:
    p = drawn.project
    return {"序号": number, IDENTITY: p.identity, "评价年度": p.year, "主管部门": p.department, "实施单位": p.unit,
            "项目名称": p.name, TOTAL: p.total, GRADE: p.grade, OWN_TOTAL: p.own_total, REASON_DRAWN: drawn.reason,
            SEED: seed}


def shown(kind: str, value) -> str:
    """A value as the worksheet shows it: a figure with two decimals (rounded half up), text stripped.

    A figure typed as text ("45", "45分") is read as the figure; text that is no figure stays text."""
    if kind in ("score", "int"):
        number = figure(value)
        if number is not None:
            return fmt.score(number) if kind == "score" else fmt.count(number)
    return cell_text(value)


def figure(value) -> Decimal | None:
    """A cell's figure, None when empty or not a figure (a ParseError for the caller is not needed here)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_number(value, "分")
    except ParseError:
        return None
