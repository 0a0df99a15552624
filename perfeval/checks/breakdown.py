"""Rules on 支出明细 and 业务量: their totals against what they break down."""

from __future__ import annotations

from typing import Iterator

from .. import fmt
from .. import model as m
from ..cells import span
from ..problems import Problem
from .common import ZERO, differs, wan
from .registry import Context, rule


@rule
def breakdown_adds_up(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    if not p.spending or p.spent is None or any(line.amount is None for line in p.spending) or (
            ctx.funding_unreadable("spent")):
        return  # unreadable or missing amounts are reported where they are
    total = sum((line.amount for line in p.spending), ZERO)
    if differs(total, p.spent):
        yield ctx.problem("breakdown-sum-mismatch", f"支出明细合计 {wan(total)}与资金情况的全年执行数 {wan(p.spent)}"
                          f"不符（相差 {wan(abs(total - p.spent))}）。请核对各项支出金额，使其合计等于全年执行数。",
                          m.SHEET_SPENDING, span(line.cells.get("amount", "") for line in p.spending), total)


@rule
def volume_total_agrees(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    total = p.volume_total
    if total is None or not p.volumes:
        return
    checks = (("count", "数量", "宗", total.count, p.volume_count_total()),
              ("amount", "金额", "亿元", total.amount, p.volume_amount_total()))
    for key, label, unit, stated, computed in checks:
        if stated is not None and not ctx.unreadable(p.volumes, key) and differs(stated, computed):
            yield ctx.at(total, key, "volume-total-mismatch", f"业务量合计行的{label} {fmt.money(stated)}{unit}与各类别"
                         f"之和 {fmt.money(computed)}{unit}不符。本工具按各类别之和计算，请更正合计行（或删除合计行）。",
                         stated)
