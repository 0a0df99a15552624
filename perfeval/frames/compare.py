"""同比: last year's batch beside this year's (docs/frames.md, "同比").

:func:`compare` matches the projects (:mod:`.matching`) and gives, per matched project, both years' 全年预算数,
全年执行数, 执行率, 得分 and 等级 with their changes; the projects new this year and those of last year not reported
this year; and per 主管部门 both years' 部门汇总 figures (:func:`.departments.department_figures`) with their
changes. Only projects that count (``ok`` and ``has-errors``) take part; figures per 主管部门 are over the projects
without errors, as in 部门汇总. :func:`compare_block` is the manifest's ``compare`` block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from . import adapter
from .build import ENTRY, Frames
from .columns import Column, frame, sort_codepoint
from .departments import GRADES, MONEY_SUMS, department_figures
from .matching import Identity, match

LAST, THIS = "上年", "本年"
HUNDRED = Decimal(100)
UP, DOWN, SAME = "上升", "下降", "不变"

PROJECT_FIGURES = (("全年预算数_分", "int"), ("全年执行数_分", "int"), ("执行率", "decimal"), ("得分", "decimal"),
                   ("等级", "text"))
PROJECT_COLUMNS = (*ENTRY, Column("last_entry", "int"), Column("last_path", "text"), Column("匹配方式", "text"),
                   *(Column(k, "text") for k in (*adapter.KEYS[1:], adapter.CODE)),
                   *(Column(LAST + k, "text") for k in (*adapter.KEYS[1:], adapter.CODE)),
                   *(Column(year + name, kind) for name, kind in PROJECT_FIGURES for year in (LAST, THIS)),
                   Column("预算增减率", "decimal"), Column("执行率变动", "decimal"), Column("得分变动", "decimal"),
                   Column("等级变化", "text"))
DEPARTMENT_FIGURES = (("项目数", "int"), *((k, "int") for k in MONEY_SUMS), ("执行率", "decimal"),
                      ("平均得分", "decimal"), *((g, "int") for g in GRADES))
DEPARTMENT_COLUMNS = (Column("主管部门", "text"), Column("两年均有项目数", "int"),
                      *(Column(year + name, kind) for name, kind in DEPARTMENT_FIGURES for year in (LAST, THIS)),
                      Column("项目数增减", "int"), Column("预算增减率", "decimal"), Column("执行增减率", "decimal"),
                      Column("执行率变动", "decimal"), Column("平均得分变动", "decimal"),
                      *(Column(f"{g}增减", "int") for g in GRADES))


@dataclass(frozen=True, eq=False)
class Comparison:
    """The comparison of two batches (columns: docs/frames.md). Figures of last year are prefixed 上年, of this
    year 本年; rates are fractions, 执行率变动 is in percentage points, 预算增减率 a fraction of last year's."""

    projects: pd.DataFrame  # the matched projects, in this year's order
    new: pd.DataFrame  # this year's projects with no match (projects frame columns)
    dropped: pd.DataFrame  # last year's projects with no match (projects frame columns)
    departments: pd.DataFrame  # per 主管部门, both years
    last_years: tuple[str, ...] = ()  # the 评价年度 of last year's projects
    years: tuple[str, ...] = ()
    last_meta: dict[str, Any] = field(default_factory=dict)  # last year's manifest keys (version, output, …)


def change_rate(old: Any, new: Any) -> Decimal | None:
    """(new − old) / old, None when either is unknown or old is 0."""
    if old is None or new is None or pd.isna(old) or pd.isna(new) or not old:
        return None
    return (Decimal(int(new)) - Decimal(int(old))) / Decimal(int(old))


def difference(old: Decimal | None, new: Decimal | None, scale: Decimal = Decimal(1)) -> Decimal | None:
    return None if old is None or new is None else (new - old) * scale


def grade_move(old: str, new: str) -> str:
    """上升 / 下降 / 不变, "" when either grade is unknown."""
    if old not in GRADES or new not in GRADES:
        return ""
    return SAME if old == new else UP if GRADES.index(new) < GRADES.index(old) else DOWN


def _sorted_projects(frames: Frames) -> pd.DataFrame:
    return sort_codepoint(frames.counted(), [*adapter.KEYS, "path"])


def _identities(projects: pd.DataFrame) -> list[Identity]:
    return [Identity(*values) for values in zip(*(projects[k].tolist() for k in (adapter.CODE, *adapter.KEYS[1:])))]


def _years(projects: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(set(projects["评价年度"].tolist()) - {""}))


def _project_rows(old: pd.DataFrame, new: pd.DataFrame, pairs: list[tuple[int, int, str]]) -> pd.DataFrame:
    data: dict[str, list] = {}

    def put(key: str, value: Any) -> None:
        data.setdefault(key, []).append(None if value is pd.NA else value)

    old_rows, new_rows = old.to_dict("records"), new.to_dict("records")
    for i, j, by in pairs:
        last, this = old_rows[i], new_rows[j]
        for key, value in (("entry", this["entry"]), ("path", this["path"]), ("last_entry", last["entry"]),
                           ("last_path", last["path"]), ("匹配方式", by)):
            put(key, value)
        for key in (*adapter.KEYS[1:], adapter.CODE):
            put(key, this[key])
            put(LAST + key, last[key])
        for name, _ in PROJECT_FIGURES:
            put(LAST + name, last[name])
            put(THIS + name, this[name])
        put("预算增减率", change_rate(last["全年预算数_分"], this["全年预算数_分"]))
        put("执行率变动", difference(last["执行率"], this["执行率"], HUNDRED))
        put("得分变动", difference(last["得分"], this["得分"]))
        put("等级变化", grade_move(last["等级"], this["等级"]))
    return frame(PROJECT_COLUMNS, data)


def _department_rows(old: pd.DataFrame, new: pd.DataFrame, matched: pd.DataFrame) -> pd.DataFrame:
    by = ("主管部门",)
    years = {LAST: department_figures(old, by).set_index("主管部门"), THIS: department_figures(new, by).set_index("主管部门")}
    both = matched["主管部门"].value_counts().to_dict() if len(matched) else {}
    names = sorted(set(years[LAST].index) | set(years[THIS].index))
    data: dict[str, list] = {}
    for name in names:
        rows = {year: table.loc[name].to_dict() if name in table.index else None for year, table in years.items()}
        values = {}
        for key, kind in DEPARTMENT_FIGURES:
            for year in (LAST, THIS):
                value = rows[year][key] if rows[year] is not None else (0 if kind == "int" else None)
                values[year + key] = None if value is pd.NA else value
        values |= {"主管部门": name, "两年均有项目数": int(both.get(name, 0)),
                   "项目数增减": values[THIS + "项目数"] - values[LAST + "项目数"],
                   "预算增减率": change_rate(values[LAST + MONEY_SUMS[1]], values[THIS + MONEY_SUMS[1]]),
                   "执行增减率": change_rate(values[LAST + MONEY_SUMS[2]], values[THIS + MONEY_SUMS[2]]),
                   "执行率变动": difference(values[LAST + "执行率"], values[THIS + "执行率"], HUNDRED),
                   "平均得分变动": difference(values[LAST + "平均得分"], values[THIS + "平均得分"]),
                   **{f"{g}增减": values[THIS + g] - values[LAST + g] for g in GRADES}}
        for key, value in values.items():
            data.setdefault(key, []).append(value)
    return frame(DEPARTMENT_COLUMNS, data)


def compare(old: Frames, new: Frames) -> Comparison:
    """Last year's batch (``old``) beside this year's (``new``)."""
    last, this = _sorted_projects(old), _sorted_projects(new)
    pairs = match(_identities(last), _identities(this))
    matched = _project_rows(last, this, pairs)
    paired_old, paired_new = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    added = this.iloc[[j for j in range(len(this)) if j not in paired_new]].reset_index(drop=True)
    dropped = last.iloc[[i for i in range(len(last)) if i not in paired_old]].reset_index(drop=True)
    return Comparison(projects=matched, new=added, dropped=dropped,
                      departments=_department_rows(last, this, matched), last_years=_years(last),
                      years=_years(this), last_meta=dict(old.meta))


def compare_block(comparison: Comparison) -> dict[str, Any]:
    """The manifest's ``compare`` block: which batch was compared, and which project is which (paths)."""
    matched = comparison.projects
    by = matched["匹配方式"].tolist()
    meta = comparison.last_meta
    return {"last_output": meta.get("output", ""), "last_version": meta.get("version", ""),
            "last_years": list(comparison.last_years), "years": list(comparison.years),
            "counts": {"matched": len(matched), "by_code": by.count("项目编码"), "by_name": by.count("名称"),
                       "new": len(comparison.new), "dropped": len(comparison.dropped)},
            "matched": [{"path": path, "last_path": last, "matched_by": how}
                        for path, last, how in zip(matched["path"], matched["last_path"], by)],
            "new": comparison.new["path"].tolist(), "dropped": comparison.dropped["path"].tolist()}

