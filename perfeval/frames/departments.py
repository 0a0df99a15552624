"""The 部门汇总 figures with pandas: per 评价年度 and 主管部门 (or any grouping), over the projects frame.

What the summary's 部门汇总 shows (:func:`perfeval.summary.department_rows`; a test compares every cell with the
plain exact computation): the number of projects
(``ok`` and ``has-errors``), how many have errors, and over the others the sums of 年初预算数, 全年预算数 and
全年执行数 (exact, in 分), the execution rate of the sums, the mean and lowest score and the count per grade.
Scores are summed as Decimals in the summary's order (评价年度, 主管部门, 实施单位, 项目名称, path), so that the mean
is the very Decimal the summary shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

import pandas as pd

from ..results import PROJECT_STATUSES, STATUS_HAS_ERRORS
from . import adapter
from .columns import Column, frame, from_fen, sort_codepoint

GRADES = ("优", "良", "中", "差")
BY = ("评价年度", "主管部门")
MONEY_SUMS = tuple(f"{k}合计_分" for k in adapter.MONEY)


def columns(by: Sequence[str] = BY) -> tuple[Column, ...]:
    return (*(Column(k, "text") for k in by), Column("项目数", "int"), Column("有错误未计入", "int"),
            *(Column(k, "int") for k in MONEY_SUMS), Column("执行率", "decimal"), Column("平均得分", "decimal"),
            Column("最低得分", "decimal"), *(Column(g, "int") for g in GRADES))


def _decimal_sum(values: pd.Series) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def _mean(values: pd.Series) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) / len(known) if known else None


def _lowest(values: pd.Series) -> Decimal | None:
    return min((v for v in values if v is not None), default=None)


def department_figures(projects: pd.DataFrame, by: Sequence[str] = BY) -> pd.DataFrame:
    """The 部门汇总 figures of a projects frame, grouped by ``by`` (default 评价年度 and 主管部门), in code point
    order of the groups."""
    by = list(by)
    counted = projects[projects["status"].isin(PROJECT_STATUSES)]
    counted = sort_codepoint(counted, [*adapter.KEYS, "path"])
    if counted.empty:
        return frame(columns(by), {})
    errors = counted["status"] == STATUS_HAS_ERRORS
    clean = counted[~errors]
    counts = counted[by].assign(项目数=1, 有错误未计入=errors.astype(int)).groupby(by, sort=False).sum()
    money = {total: (f"{k}_分", "sum") for total, k in zip(MONEY_SUMS, adapter.MONEY)}
    sums = clean.groupby(by, sort=False).agg(**money, 平均得分=("得分", _mean), 最低得分=("得分", _lowest))
    grades = clean[by].assign(**{g: (clean["等级"] == g).astype(int) for g in GRADES}).groupby(by, sort=False).sum()
    table = counts.join(sums).join(grades).reset_index()
    data = {k: table[k].tolist() for k in (*by, "项目数", "有错误未计入")}
    for key in (*MONEY_SUMS, *GRADES):  # a department whose every project has errors: no clean row, zeros
        data[key] = [0 if pd.isna(v) else int(v) for v in table[key]]
    for key in ("平均得分", "最低得分"):
        data[key] = [v if isinstance(v, Decimal) else None for v in table[key]]
    data["执行率"] = [from_fen(spent) / from_fen(budget) if budget else None
                    for spent, budget in zip(data[MONEY_SUMS[2]], data[MONEY_SUMS[1]])]
    return sort_codepoint(frame(columns(by), data), by)


def records(departments: pd.DataFrame, by: Sequence[str] = BY) -> Iterator[tuple]:
    """Each department's figures as the summary writes them: (*keys, 项目数, 有错误未计入, 年初预算数, 全年预算数,
    全年执行数 (exact Decimals in 万元), 执行率, 平均得分, 最低得分, {grade: count})."""
    for row in departments.itertuples(index=False):
        values = dict(zip(departments.columns, row))
        yield (*(values[k] for k in by), int(values["项目数"]), int(values["有错误未计入"]),
               *(from_fen(values[k]) for k in MONEY_SUMS), values["执行率"], values["平均得分"], values["最低得分"],
               {g: int(values[g]) for g in GRADES})
