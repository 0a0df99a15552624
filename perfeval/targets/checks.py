"""Problems of the approved targets themselves, found before anything is sent (targets.md, last section)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..parse import GE, GT, ParseError, canonical_unit, normalize, parse_target
from ..problems import Problem
from .model import ApprovedIndicator, ApprovedProject

DIMENSIONS = ("产出指标", "效益指标", "满意度指标")
MONEY_UNITS = ("元", "万元", "亿元")
DURATION_UNITS = ("天", "日", "工作日", "小时", "周", "个月", "月", "年")


def _where(cell: str) -> tuple[str, str]:
    sheet, _, ref = cell.partition("!")
    return sheet, ref


def _problem(project: ApprovedProject, code: str, message: str, cell: str = "", value=None) -> Problem:
    sheet, ref = _where(cell) if cell else (project.sheet, project.cell)
    text = None if value in (None, "") else str(value)
    return Problem(code, f"{project.title}：{message}", project.file, sheet, ref, text)


def parsed_target(project: ApprovedProject, indicator: ApprovedIndicator):
    """The approved 年度指标值 parsed as scoring reads it (ParseError when it cannot be read)."""
    year = project.info.get("评价年度", "")
    return parse_target(indicator.target, indicator.nature, indicator.unit,
                        int(year[:4]) if year[:4].isdigit() else None, indicator.level2 == "时效指标")


def check_targets(projects: list[ApprovedProject], execution_weight=10) -> list[Problem]:
    """Every project's problems, reading and checking alike (each also kept on its project)."""
    problems: list[Problem] = []
    seen: dict = {}
    for project in projects:
        key = project.identity
        if key in seen:
            first = seen[key]
            project.problems.append(_problem(project, "targets-duplicate-project", f"该项目重复：与 {first.origin} 是同一项目"
                                     "（项目编码相同，或评价年度、实施单位、项目名称相同）。请删除重复的一行。",
                                     value=project.info.get("项目编码") or project.info.get("项目名称")))
        else:
            seen[key] = project
            project.problems += _check_project(project, Decimal(str(execution_weight)))
        problems += project.problems
    return problems


def _check_project(project: ApprovedProject, execution_weight: Decimal) -> Iterator[Problem]:
    if not project.indicators:
        yield _problem(project, "targets-no-indicators", "没有任何绩效指标。请在“指标”工作表（或申报表的绩效指标部分）"
                       "补上该项目批复的指标。")
        return
    levels = {i.level1 for i in project.indicators}
    for dimension in DIMENSIONS:
        if dimension not in levels:
            yield _problem(project, "targets-dimension-missing", f"没有{dimension}。批复的绩效目标应包括产出、效益和"
                           "满意度三类指标，请补上。")
    weights = [i.weight for i in project.indicators]
    if all(w is not None for w in weights):
        total = sum(weights, Decimal(0)) + execution_weight
        if total != 100:
            yield _problem(project, "weights-not-100", f"批复的指标分值合计 {sum(weights, Decimal(0)):f} 分，加预算执行率"
                           f" {execution_weight:f} 分为 {total:f} 分，不等于100分。", project.indicators[0].cells.get(
                               "weight", ""), f"{total:f}")
    for indicator in project.indicators:
        yield from _check_target(project, indicator)


def _check_target(project: ApprovedProject, indicator: ApprovedIndicator) -> Iterator[Problem]:
    cell = indicator.cells.get("target", "")
    try:
        value = parsed_target(project, indicator)
    except ParseError as exc:
        yield _problem(project, "target-unreadable", f"“{indicator.name}”的年度指标值无法识别：{exc}。", cell,
                       indicator.target)
        return
    if value.number is None or value.op not in (GE, GT):
        return
    unit = canonical_unit(normalize(value.unit))
    if value.is_percent and value.number > 100:
        yield _problem(project, "targets-percent-over-100", f"“{indicator.name}”的目标是不低于 {value.number:f}%，"
                       "超过100%，请核对。", cell, indicator.target)
    cost = "成本指标" in (indicator.level1, indicator.level2) and unit in MONEY_UNITS
    deadline = indicator.level2 == "时效指标" and unit in DURATION_UNITS
    if cost or deadline:
        what = "成本" if cost else "时限"
        yield _problem(project, "cost-target-at-least", f"“{indicator.name}”是{what}目标，却写成了“不低于”（{value.text}）："
                       f"{what}一般应“不超过”，如 ≤{value.number:f}{unit}。请核对批复的目标。", cell, indicator.target)
