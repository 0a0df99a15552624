"""Scoring by the national rules (财预〔2020〕10号), as domain.md states them.

Pure computation at full Decimal precision. Nothing is rounded here except the grade, which is decided on the
total rounded to two decimals (so a table never shows 90.00 beside 良). What the checks must report is left on
each :class:`IndicatorScore` as ``notes`` (problem code -> detail); the messages are written in
:mod:`perfeval.checks`.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from . import fmt
from .config import Config
from .model import (STATUS_MET, STATUS_MISSED, STATUS_OVER, STATUS_QUAL_FULL, STATUS_QUAL_NONE,
                    STATUS_QUAL_PARTIAL, STATUS_UNKNOWN, Indicator, IndicatorScore, Project, ScoreCard)
from .parse import (BAND_FULL, BAND_NONE, BAND_PARTIAL, KIND_DATE, KIND_NUMBER, KIND_TEXT, REVERSE_OPS, EQ,
                    HUNDRED, ParseError, Value, date_not_later, in_common_unit, parse_actual, parse_target,
                    qualitative_band, units_compatible)

ZERO = Decimal(0)
ONE = Decimal(1)

# Qualitative bands as fractions of the weight: (low, high, default). 达成 includes 80 %, 部分达成 includes 60 %.
BANDS = {
    BAND_FULL: (Decimal("0.8"), ONE, ONE),
    BAND_PARTIAL: (Decimal("0.6"), Decimal("0.8"), Decimal("0.7")),
    BAND_NONE: (ZERO, Decimal("0.6"), Decimal("0.3")),
}
BAND_STATUS = {BAND_FULL: STATUS_QUAL_FULL, BAND_PARTIAL: STATUS_QUAL_PARTIAL, BAND_NONE: STATUS_QUAL_NONE}


def clamp(score: Decimal, weight: Decimal) -> Decimal:
    """A score never exceeds its weight and never goes below 0."""
    return max(ZERO, min(score, weight))


def grade_of(total: Decimal, config: Config) -> str:
    """优 / 良 / 中 / 差, decided on the total rounded half up to two decimals (lower bounds inclusive)."""
    shown = fmt.round_half_up(total, 2)
    for grade, lower in config.grade_bands:
        if shown >= lower:
            return grade
    return "差"


def execution_rate(project: Project) -> Decimal | None:
    """全年执行数 / 全年预算数 as a fraction; None when either is missing or the budget is 0."""
    budget, spent = project.budget, project.spent
    if budget is None or spent is None or budget <= 0:
        return None
    return spent / budget


def _in_band(score: Decimal, band: str, weight: Decimal) -> bool:
    low, high, _ = BANDS[band]
    if band == BAND_FULL:
        return low * weight <= score <= weight
    return low * weight <= score < high * weight


def score_quantitative(target: Value, actual_number: Decimal, weight: Decimal,
                       reverse_formula: str = "ratio") -> tuple[Decimal, bool]:
    """(score, met) of a number against its target; ``actual_number`` is in the target's unit."""
    t = target.number
    a = max(actual_number, ZERO)  # a negative actual counts as 0
    if target.op in REVERSE_OPS:
        if a <= t:
            return weight, True
        if t <= 0:
            return ZERO, False
        if reverse_formula == "linear":
            return clamp((ONE - (a - t) / t) * weight, weight), False
        return clamp(t / a * weight, weight), False
    if target.op == EQ and t == 0:
        return (weight, True) if a <= 0 else (ZERO, False)
    if a >= t:  # an "=" target that is exceeded counts as met
        return weight, True
    if t <= 0:
        return weight, True
    return clamp(a / t * weight, weight), False


def score_indicator(ind: Indicator, config: Config, year: int | None = None) -> IndicatorScore:
    weight = ind.weight if ind.weight is not None and ind.weight > 0 else ZERO
    result = IndicatorScore(ind, ZERO, ZERO, STATUS_UNKNOWN)
    try:
        target = parse_target(ind.target, ind.nature, ind.unit, year, deadline_hint="时效" in ind.level2)
    except ParseError as exc:
        result.notes["target-unreadable"] = str(exc)
        return result
    result.target = target
    try:
        actual = parse_actual(ind.actual, target, ind.unit, year)
    except ParseError as exc:
        result.notes["actual-unreadable"] = str(exc)
        return result
    result.actual = actual
    if (target.kind == KIND_NUMBER and actual.kind == KIND_NUMBER and actual.is_percent and not target.unit
            and target.number is not None and 0 < target.number <= 1):
        # A percent-formatted target cell arrives as a bare fraction (95 % -> 0.95) against a percent actual.
        target = replace(target, number=target.number * HUNDRED, unit="%")
        result.target = target

    if target.kind == KIND_NUMBER and actual.kind == KIND_NUMBER:
        _score_number(result, target, actual, weight, config)
    elif target.kind == KIND_DATE and actual.kind == KIND_DATE:
        _score_deadline(result, date_not_later(actual.date, target.date), weight)
    elif target.kind == KIND_DATE:
        band = qualitative_band(ind.actual, "")
        if band in (BAND_FULL, BAND_NONE):  # 按时完成 / 未按时完成 against a deadline
            _score_deadline(result, band == BAND_FULL, weight)
        else:
            _score_qualitative(result, band, weight)
    elif target.kind == KIND_NUMBER:  # 达成 / 未完成 written against a number
        band = qualitative_band(ind.actual, ind.target)
        if band is None:
            result.notes["actual-unreadable"] = "实际完成值应为数字，与年度指标值对应"
            return result
        _score_qualitative(result, band, weight)
    else:
        _score_qualitative(result, qualitative_band(ind.actual, ind.target), weight)
    _apply_self_score_rules(result, weight)
    return result


def _score_number(result: IndicatorScore, target: Value, actual: Value, weight: Decimal, config: Config) -> None:
    if not units_compatible(target, actual):
        result.notes["unit-mismatch"] = f"年度指标值单位“{target.unit}”，实际完成值单位“{actual.unit}”"
        return
    number = in_common_unit(target, actual)
    score, met = score_quantitative(target, number, weight, config.reverse_formula)
    result.score = result.rule_score = score
    result.status = STATUS_MET if met else STATUS_MISSED
    if target.number and target.number > 0:
        result.ratio = max(number, ZERO) / target.number
        if target.op not in REVERSE_OPS and result.ratio >= config.overachieve_ratio:
            result.status = STATUS_OVER


def _score_deadline(result: IndicatorScore, met: bool, weight: Decimal) -> None:
    result.score = result.rule_score = weight if met else ZERO
    result.status = STATUS_MET if met else STATUS_MISSED


def _score_qualitative(result: IndicatorScore, band: str | None, weight: Decimal) -> None:
    """The band is chosen by the actual; inside it the staff's score counts, else the band's default."""
    ind = result.indicator
    if band is None:
        result.notes["qualitative-unplaced"] = ""
        result.rule_score = None
        if ind.self_score is not None:
            result.score = clamp(ind.self_score, weight)
            result.uses_self_score = True
            if result.score != ind.self_score:
                result.notes["self-score-over-weight"] = ""
        return
    low, high, default = BANDS[band]
    result.status = BAND_STATUS[band]
    result.band = (low * weight, high * weight)
    result.rule_score = None  # inside the band the rules leave the score to the staff
    if ind.self_score is None:
        result.score = default * weight
        result.notes["self-score-band-default"] = ""
    elif _in_band(ind.self_score, band, weight):
        result.score = ind.self_score
        result.uses_self_score = True
    else:
        result.score = default * weight
        result.notes["self-score-outside-band"] = ""


def _apply_self_score_rules(result: IndicatorScore, weight: Decimal) -> None:
    """Where the rule gives the score, a differing 自评得分 only counts where the rules leave the choice."""
    ind = result.indicator
    own = ind.self_score
    if result.status in (STATUS_QUAL_FULL, STATUS_QUAL_PARTIAL, STATUS_QUAL_NONE, STATUS_UNKNOWN) or (
            result.rule_score is None):
        return
    if own is not None and (own < 0 or own > weight):
        result.notes["self-score-over-weight"] = ""
        return
    has_reason = bool(ind.deviation.strip())
    target = result.target
    if result.status == STATUS_MISSED and target is not None and target.kind == KIND_DATE and own is not None \
            and has_reason:
        result.score = own
        result.uses_self_score = True
        result.notes["deadline-missed-self-score"] = ""
        return
    if result.status == STATUS_OVER and own is not None and own < result.rule_score and has_reason:
        result.score = own  # the national rule's 偏离度 reduction when the target was set too low
        result.uses_self_score = True
        return
    if own is not None and own != result.rule_score:
        result.notes["self-score-differs"] = ""


def score_project(project: Project, config: Config) -> ScoreCard:
    weight = project.execution_weight if project.execution_weight is not None else config.execution_weight
    rate = execution_rate(project)
    exec_score = weight * min(rate, ONE) if rate is not None else ZERO
    exec_score = clamp(exec_score, weight)
    scores = [score_indicator(ind, config, project.year) for ind in project.indicators]
    total = exec_score + sum((s.score for s in scores), ZERO)
    return ScoreCard(rate, weight, exec_score, scores, total, grade_of(total, config))


def weight_total(project: Project, card: ScoreCard) -> Decimal:
    """Indicator weights plus the execution-rate weight (must be 100)."""
    return card.execution_weight + sum((i.weight or ZERO for i in project.indicators), ZERO)


__all__ = ["grade_of", "score_project", "score_indicator", "score_quantitative", "execution_rate", "weight_total",
           "BANDS", "KIND_TEXT"]
