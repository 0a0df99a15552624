"""Where the unit's own scoring departs from the rules (official-table.md, "What the tool does with one").

Each departure is a problem at the unit's cell naming the unit's figure and the rule's. Scores are compared with
a tolerance of 0.01, rates of 0.01 percentage points. The indicator rows' 得分 are the project's 自评得分: their
departures are the checks' ``self-score-differs``; :func:`within_tolerance` lets the rule's tolerance count there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from .. import fmt
from ..model import ScoreCard
from ..problems import Problem
from .figures import Figure, OfficialTable

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


def departures(table: OfficialTable, card: ScoreCard) -> Iterator[Problem]:
    """Every departure of the unit's 执行率, execution 得分, 总分, 评价等级 and weight labels from the rules."""
    if not table.has_weights:
        return  # a table without weights cannot be scored: that error is the one to fix
    u, p, file, part = table.unit, table.project, table.project.file, table.part

    def at(figure: Figure, code: str, message: str) -> Problem:
        return Problem(code, message, file, part, figure.cell, figure.text)

    if u.rate is not None and card.execution_rate is not None:
        rule = card.execution_rate * fmt.HUNDRED
        if _differs(u.rate.value, rule):
            yield at(u.rate, "official-rate-differs", f"执行率填写为 {fmt.trim(u.rate.value)}%，按全年执行数 "
                     f"{fmt.money(p.spent)} ÷ 全年预算数 {fmt.money(p.budget)} 计算应为 {fmt.rate(card.execution_rate)}"
                     f"（相差 {fmt.trim(abs(u.rate.value - rule))} 个百分点）。请按实际数计算执行率。")
    if u.execution_score is not None and _differs(u.execution_score.value, card.execution_score):
        yield at(u.execution_score, "official-execution-score-differs", f"预算执行率得分填写为 "
                 f"{_pts(u.execution_score.value)}，按规则（分值 {fmt.trim(card.execution_weight)} × 执行率 "
                 f"{fmt.rate(card.execution_rate)}）应为 {_pts(fmt.round_half_up(card.execution_score, 2))}。执行率得分"
                 "不应取整，请按规则计算。")
    if u.total is not None:
        own = sum(u.own_scores(p), ZERO)
        if _differs(u.total.value, own):
            yield at(u.total, "official-total-not-sum", f"总分填写为 {_pts(u.total.value)}，但本表各项得分（含预算"
                     f"执行率得分）之和为 {_pts(own)}。总分应为各项得分之和。")
        if _differs(u.total.value, card.total):
            yield at(u.total, "official-total-differs", f"总分填写为 {_pts(u.total.value)}，按规则重新评分为 "
                     f"{_pts(fmt.round_half_up(card.total, 2))}（相差 {fmt.trim(u.total.value - card.total)} 分）。"
                     "以规则得分为准，差异见各项得分的提示。")
    if u.grade is not None and u.grade.value != card.grade:
        yield at(u.grade, "official-grade-differs", f"评价等级填写为“{u.grade.value}”，按规则得分 "
                 f"{fmt.score(card.total)} 应为“{card.grade}”（90 分及以上为优，80 分及以上为良，60 分及以上为中，"
                 "其余为差）。")
    for level1, figure in u.weight_labels:
        rows = sum((ind.weight or ZERO for ind in p.indicators if ind.level1 == level1), ZERO)
        if _differs(figure.value, rows):
            yield at(figure, "official-weight-label-differs", f"一级指标“{level1}”标注的分值为 {_pts(figure.value)}，"
                     f"但其下各指标的分值合计为 {_pts(rows)}。请使标注与各行分值一致。")
