"""The rule that no amount, count or weight is negative, wherever it is."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from .. import fmt
from .. import model as m
from ..problems import Problem
from .registry import FUNDING_LABELS, Context, rule


def _numbers(p: m.Project) -> Iterator[tuple[object, str, str, Decimal | None]]:
    """(record, field, what, value) of every amount, count and weight that must not be negative."""
    for row in p.funding + ([p.funding_total] if p.funding_total else []):
        for attr, label in FUNDING_LABELS.items():
            yield row, attr, f"{row.source}的{label}", getattr(row, attr)
    for line in p.spending:
        yield line, "amount", f"支出“{line.item}”的金额", line.amount
    for v in p.volumes + ([p.volume_total] if p.volume_total else []):
        yield v, "count", f"业务量“{v.category}”的数量", v.count
        yield v, "amount", f"业务量“{v.category}”的金额", v.amount
    for ind in p.indicators:
        yield ind, "weight", f"指标“{ind.name}”的分值", ind.weight


@rule
def numbers_not_negative(ctx: Context) -> Iterator[Problem]:
    for record, key, what, value in _numbers(ctx.project):
        if value is not None and value < 0:
            yield ctx.at(record, key, "number-negative", f"{what}为负数（{fmt.trim(value, 4)}）。金额、数量和分值不能"
                         "为负，请核对后填写。", value)
    weight = ctx.project.execution_weight
    if weight is not None and weight < 0:
        yield ctx.info("预算执行率分值", "number-negative", f"预算执行率分值为负数（{fmt.trim(weight)}）。请填写 0 至 "
                       "100 之间的分值，或留空使用默认分值。", weight)
