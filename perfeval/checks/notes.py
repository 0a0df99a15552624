"""Rules on 绩效指标 values and scores: a message for each scoring finding, and deviations left unexplained."""

from __future__ import annotations

from typing import Callable, Iterator

from .. import fmt
from .. import model as m
from ..parse import KIND_DATE, LE, LT, cell_text, normalize
from ..problems import Problem
from .common import ZERO, percent, points
from .registry import Context, rule


def _score_rule(s: m.IndicatorScore, reverse_formula: str) -> str:
    """Why the rule gives its score, in words."""
    target = s.target
    if s.status == m.STATUS_OVER:
        return ("实际完成值已大幅超过年度指标值，应得满分；如因指标值设定偏低需按偏离度调减，请在偏差原因中说明，"
                "自评得分即可采用")
    if s.status == m.STATUS_MET:
        if target is not None and target.kind == KIND_DATE:
            return "已按期完成，应得满分"
        return "实际完成值已达到年度指标值，应得满分"
    if target is not None and target.kind == KIND_DATE:
        return "未按期完成，应得 0 分"
    if target is not None and target.number is not None and target.number <= 0:
        return "年度指标值为 0，实际完成值超出，应得 0 分"
    if target is not None and target.op in (LE, LT):
        if reverse_formula == "linear":
            return "实际完成值超过年度指标值，按“（1 − 超出比例）× 分值”计分"
        return "实际完成值超过年度指标值，按“年度指标值 ÷ 实际完成值 × 分值”计分"
    ratio = f"为年度指标值的 {fmt.rate(s.ratio)}，" if s.ratio is not None else ""
    return f"实际完成值{ratio}按“完成比例 × 分值”计分"


def _band_range(s: m.IndicatorScore) -> str:
    low, high = s.band
    if s.status == m.STATUS_QUAL_FULL:
        return f"{fmt.trim(low)}–{fmt.trim(high)} 分"
    return f"不低于 {fmt.trim(low)} 分且低于 {fmt.trim(high)} 分"


def _reason_cell(ind: m.Indicator) -> str:
    return "deviation" if "deviation" in ind.cells else "name"


def _on_self_score(ctx: Context, s: m.IndicatorScore, code: str, message: str) -> Problem:
    """A problem at the indicator's 自评得分 cell (its name when the sheet has no such column)."""
    ind = s.indicator
    return ctx.at(ind, "self_score" if "self_score" in ind.cells else "name", code, message, ind.self_score)


NoteMessage = Callable[[Context, m.IndicatorScore, str], "Problem | None"]
NOTES: dict[str, tuple[NoteMessage, tuple[str, ...]]] = {}


def explains(code: str, *depends: str) -> Callable[[NoteMessage], NoteMessage]:
    """Register the message for one scoring finding (``IndicatorScore.notes``, code -> detail); ``depends`` are
    the indicator's fields the finding is made of (it is not reported when one of them failed to read)."""
    def register(func: NoteMessage) -> NoteMessage:
        NOTES[code] = func, depends
        return func
    return register


def _own(ind: m.Indicator) -> str:
    return fmt.trim(ind.self_score) if ind.self_score is not None else ""


@explains("target-unreadable")
def _target_unreadable(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem | None:
    ind = s.indicator
    if not normalize(cell_text(ind.target)):
        return None  # the reader reports it missing
    if detail.startswith("指标性质") and "nature" in ind.cells:
        return ctx.at(ind, "nature", "target-unreadable", f"{detail}。该指标暂按 0 分计，请按括号中的写法填写。",
                      ind.nature)
    return ctx.at(ind, "target", "target-unreadable", f"{detail}。该指标暂按 0 分计。请按“≥95%”“≤30万元”"
                  "“2025年12月31日前”“提升”等形式填写。", ind.target)


@explains("actual-unreadable")
def _actual_unreadable(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem | None:
    ind = s.indicator
    if not normalize(cell_text(ind.actual)):
        return None
    return ctx.at(ind, "actual", "actual-unreadable", f"实际完成值“{cell_text(ind.actual)}”无法识别（{detail}），该指标"
                  f"暂按 0 分计。请填写与年度指标值“{cell_text(ind.target)}”对应的数值（如 100%、28）或“达成”"
                  "“部分达成”“未达成”。", ind.actual)


@explains("unit-mismatch")
def _unit_mismatch(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem:
    ind = s.indicator
    return ctx.at(ind, "actual", "unit-mismatch", f"年度指标值“{cell_text(ind.target)}”与实际完成值"
                  f"“{cell_text(ind.actual)}”的计量单位不一致（{detail}），无法比较，该指标暂按 0 分计。请使用相同的"
                  "计量单位。", ind.actual)


@explains("qualitative-unplaced")
def _qualitative_unplaced(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem:
    ind = s.indicator
    counted = f"已按自评得分 {_own(ind)} 分计分" if ind.self_score is not None else "该指标暂按 0 分计"
    return ctx.at(ind, "actual", "qualitative-unplaced", f"实际完成值“{cell_text(ind.actual)}”无法归入评分档次（达成、"
                  f"部分达成、未达成），{counted}。请写明“达成”“部分达成”或“未达成”，并在对应档次的分数范围内填写"
                  "自评得分。", ind.actual)


@explains("self-score-band-default", "self_score", "weight")
def _band_default(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem:
    return _on_self_score(ctx, s, "self-score-band-default", f"未填写自评得分，已按“{s.status}”档的默认分 "
                          f"{fmt.trim(s.score)} 分计分（该档分数范围为 {_band_range(s)}）。请在范围内填写自评得分。")


@explains("self-score-outside-band", "self_score", "weight")
def _outside_band(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem:
    return _on_self_score(ctx, s, "self-score-outside-band", f"自评得分 {_own(s.indicator)} 分不在“{s.status}”档的"
                          f"分数范围（{_band_range(s)}）内，已按该档默认分 {fmt.trim(s.score)} 分计分。请在范围内填写"
                          "自评得分，或核对实际完成值所属档次。")


@explains("self-score-over-weight", "self_score", "weight")
def _over_weight(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem:
    ind = s.indicator
    return _on_self_score(ctx, s, "self-score-over-weight", f"自评得分 {_own(ind)} 分超出分值范围"
                          f"（0–{points(ind.weight)}），已按规则得分 {fmt.trim(s.score)} 分计分。请填写 0 至 "
                          f"{fmt.trim(ind.weight or ZERO)} 之间的分数。")


@explains("deadline-missed-self-score", "self_score")
def _deadline_self_score(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem:
    ind = s.indicator
    return _on_self_score(ctx, s, "deadline-missed-self-score", f"时效指标未按期完成（年度指标值"
                          f"“{cell_text(ind.target)}”，实际完成“{cell_text(ind.actual)}”），按规则应得 0 分；因已说明"
                          f"偏差原因，采用自评得分 {_own(ind)} 分。请确认自评得分与偏差程度相符。")


@explains("self-score-differs", "self_score", "weight")
def _self_score_differs(ctx: Context, s: m.IndicatorScore, detail: str) -> Problem | None:
    if s.status == m.STATUS_UNKNOWN:
        return None  # no rule score to compare with: the unreadable value is the problem reported
    rule_score = fmt.trim(s.rule_score)
    return _on_self_score(ctx, s, "self-score-differs", f"自评得分 {_own(s.indicator)} 与按规则计算的得分 {rule_score}"
                          f" 不一致（{_score_rule(s, ctx.config.reverse_formula)}）。评分以规则得分为准：请将自评得分"
                          f"改为 {rule_score}，或核对年度指标值和实际完成值。")


@rule
def scoring_notes(ctx: Context) -> Iterator[Problem]:
    for s in ctx.card.indicators:
        for code, detail in s.notes.items():
            message, depends = NOTES[code]
            if ctx.unreadable([s.indicator], *depends):
                continue  # a score judged against a value that failed to read (reported where it is)
            p = message(ctx, s, detail)
            if p is not None:
                yield p


@rule
def deviation_explained(ctx: Context) -> Iterator[Problem]:
    missed = (m.STATUS_MISSED, m.STATUS_QUAL_PARTIAL, m.STATUS_QUAL_NONE)
    for s in ctx.card.indicators:
        ind = s.indicator
        if ind.deviation.strip():
            continue
        if s.status in missed:
            what = f"实际完成情况为“{s.status}”" if s.status != m.STATUS_MISSED else "未完成年度指标值"
            yield ctx.at(ind, _reason_cell(ind), "target-missed-no-reason", f"{what}（年度指标值"
                         f"“{cell_text(ind.target)}”，实际完成值“{cell_text(ind.actual)}”），但未填写偏差原因分析及"
                         "改进措施。请说明未完成的原因和改进措施。")
        elif s.status == m.STATUS_OVER:
            yield ctx.at(ind, _reason_cell(ind), "target-overachieved-no-reason", f"实际完成值“{cell_text(ind.actual)}”"
                         f"为年度指标值“{cell_text(ind.target)}”的 {fmt.rate(s.ratio)}，达到 "
                         f"{percent(ctx.config.overachieve_ratio)} 以上，但未填写偏差原因分析及改进措施。请说明大幅"
                         "超额完成的原因（如年度指标值设定偏低）；如需按偏离度"
                         "调减得分，可在自评得分中填写调减后的分数。")
