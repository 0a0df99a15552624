"""Where the unit's own scoring departs from the rules (official-table.md, "What the tool does with one").

Each departure is a problem at the unit's cell naming the unit's figure and the rule's. Scores are compared with
a tolerance of 0.01, rates of 0.01 percentage points. The indicator rows' 得分 are the project's 自评得分: their
departures are the checks' ``self-score-differs``; :func:`within_tolerance` lets the rule's tolerance count there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from .. import fmt
from ..model import ScoreCard
from ..problems import Problem
from .figures import OfficialTable

TOLERANCE = Decimal("0.01")
ZERO = Decimal(0)


def _differs(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) > TOLERANCE


def within_tolerance(card: ScoreCard) -> None:
    """Drop the 得分 departures of indicator rows that are only rounding (a 得分 of 3.33 for 3.3333)."""
    for s in card.indicators:
        own = s.indicator.self_score
        if "self-score-differs" in s.notes and own is not None and s.rule_score is not None and \
                not _differs(own, s.rule_score):
            del s.notes["self-score-differs"]


SELF_SCORE_NOTES = ("self-score-differs", "self-score-over-weight", "self-score-outside-band", "self-score-band-default",
                    "deadline-missed-self-score")


def without_weights(card: ScoreCard) -> None:
    """A table without 分值 cannot be scored: the unit's 得分 are not judged against weights of 0."""
    for s in card.indicators:
        for code in SELF_SCORE_NOTES:
            s.notes.pop(code, None)


def _pts(value: Decimal) -> str:
    return f"{fmt.trim(value)} 分"


@dataclass(frozen=True, slots=True)
class Departure:
    """One place where the unit's figure is not the rule's: what, where (A1 of the grid), both figures as text."""

    code: str
    cell: str
    what: str
    unit: str
    rule: str
    difference: str
    message: str = ""


def _diff(unit: Decimal, rule: Decimal, places: int = 2) -> str:
    return fmt.trim(unit - rule, places)


def find_departures(table: OfficialTable, card: ScoreCard) -> list[Departure]:
    """Every departure of the unit's scoring: the rows' 得分, 执行率, execution 得分, 总分, 评价等级, weight labels."""
    if not table.has_weights:
        return []  # a table without weights cannot be scored: that error is the one to fix
    u, p = table.unit, table.project
    found = []
    for s in card.indicators:
        own, ind = s.indicator.self_score, s.indicator
        if "self-score-differs" in s.notes and own is not None and s.rule_score is not None:
            found.append(Departure("self-score-differs", ind.cells.get("self_score", ""), f"“{ind.name}”得分",
                                   fmt.trim(own), fmt.trim(s.rule_score), _diff(own, s.rule_score)))
    if u.rate is not None and card.execution_rate is not None:
        rule = card.execution_rate * fmt.HUNDRED
        if _differs(u.rate.value, rule):
            found.append(Departure("official-rate-differs", u.rate.cell, "执行率", f"{fmt.trim(u.rate.value)}%",
                                   fmt.rate(card.execution_rate), _diff(u.rate.value, rule) + " 个百分点",
                                   f"执行率填写为 {fmt.trim(u.rate.value)}%，按全年执行数 {fmt.money(p.spent)} ÷ 全年预算数 "
                                   f"{fmt.money(p.budget)} 计算应为 {fmt.rate(card.execution_rate)}（相差 "
                                   f"{fmt.trim(abs(u.rate.value - rule))} 个百分点）。请按实际数计算执行率。"))
    if u.execution_score is not None and _differs(u.execution_score.value, card.execution_score):
        own = u.execution_score.value
        found.append(Departure("official-execution-score-differs", u.execution_score.cell, "预算执行率得分",
                               fmt.trim(own), fmt.trim(card.execution_score), _diff(own, card.execution_score),
                               f"预算执行率得分填写为 {_pts(own)}，按规则（分值 {fmt.trim(card.execution_weight)} × 执行率 "
                               f"{fmt.rate(card.execution_rate)}）应为 {_pts(fmt.round_half_up(card.execution_score, 2))}。"
                               "执行率得分不应取整，请按规则计算。"))
    if u.total is not None:
        total, own = u.total.value, sum(u.own_scores(p), ZERO)
        if _differs(total, own):
            found.append(Departure("official-total-not-sum", u.total.cell, "总分与各项得分之和", fmt.trim(total),
                                   fmt.trim(own), _diff(total, own), f"总分填写为 {_pts(total)}，但本表各项得分（含预算"
                                   f"执行率得分）之和为 {_pts(own)}。总分应为各项得分之和。"))
        if _differs(total, card.total):
            found.append(Departure("official-total-differs", u.total.cell, "总分", fmt.trim(total),
                                   fmt.trim(card.total), _diff(total, card.total),
                                   f"总分填写为 {_pts(total)}，按规则重新评分为 {_pts(fmt.round_half_up(card.total, 2))}"
                                   f"（相差 {fmt.trim(total - card.total)} 分）。以规则得分为准，差异见各项得分的提示。"))
    if u.grade is not None and u.grade.value != card.grade:
        found.append(Departure("official-grade-differs", u.grade.cell, "评价等级", u.grade.value, card.grade, "—",
                               f"评价等级填写为“{u.grade.value}”，按规则得分 {fmt.score(card.total)} 应为“{card.grade}”"
                               "（90 分及以上为优，80 分及以上为良，60 分及以上为中，其余为差）。"))
    for level1, figure in u.weight_labels:
        rows = sum((ind.weight or ZERO for ind in p.indicators if ind.level1 == level1), ZERO)
        if _differs(figure.value, rows):
            found.append(Departure("official-weight-label-differs", figure.cell, f"“{level1}”标注分值",
                                   fmt.trim(figure.value), fmt.trim(rows), _diff(figure.value, rows),
                                   f"一级指标“{level1}”标注的分值为 {_pts(figure.value)}，但其下各指标的分值合计为 "
                                   f"{_pts(rows)}。请使标注与各行分值一致。"))
    return found


def departures(table: OfficialTable, card: ScoreCard) -> Iterator[Problem]:
    """The departures as problems at the unit's cells (the rows' 得分 are the checks' ``self-score-differs``)."""
    figures = {f.cell: f.text for f in (table.unit.rate, table.unit.execution_score, table.unit.total,
                                        table.unit.grade) if f is not None}
    figures.update({f.cell: f.text for _, f in table.unit.weight_labels})
    for d in find_departures(table, card):
        if d.code != "self-score-differs":
            yield Problem(d.code, d.message, table.project.file, table.part, d.cell, figures.get(d.cell))
