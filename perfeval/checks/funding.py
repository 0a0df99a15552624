"""Rules on 资金情况 and the budget execution rate it gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from .. import fmt
from .. import model as m
from ..cells import span
from ..problems import Problem
from .common import TOLERANCE, ZERO, differs, percent, repeats, wan
from .registry import FUNDING_CELLS, FUNDING_LABELS, Context, rule


def _has_figures(row: m.FundingRow) -> bool:
    return any(getattr(row, attr) is not None for attr in FUNDING_LABELS)


@rule
def funding_filled(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    rows = [row for row in p.funding if _has_figures(row)]
    if not rows:
        if p.funding_total is not None and _has_figures(p.funding_total):
            yield ctx.at(p.funding_total, "source", "value-missing", "资金情况只填写了合计行，没有分来源的金额。请按资金"
                         "来源（当年财政拨款、上年结转资金、其他资金）分行填写，合计由本工具计算。")
        elif p.funding:
            yield ctx.at(p.funding[0], "initial", "value-missing", "资金情况未填写金额。请至少填写当年财政拨款的年初"
                         "预算数和全年执行数。")
        elif ctx.readable(m.SHEET_FUNDING):
            yield ctx.problem("value-missing", "资金情况未填写任何资金来源。请至少填写当年财政拨款的年初预算数和全年"
                              "执行数。", m.SHEET_FUNDING)
        return
    for row in rows:
        if row.budget is None and not ctx.unreadable([row], *FUNDING_CELLS["budget"]):
            yield ctx.at(row, "initial", "value-missing", f"{row.source}的年初预算数未填写。请填写年初预算数"
                         "（没有预算则填 0）。")
        if row.spent is None and not ctx.unreadable([row], "spent"):
            yield ctx.at(row, "spent", "value-missing", f"{row.source}的全年执行数未填写。请填写本年实际支出"
                         "（没有支出则填 0）。")


@rule
def funding_duplicates(ctx: Context) -> Iterator[Problem]:
    for row, first in repeats(ctx.project.funding, lambda r: r.source):
        yield ctx.at(row, "source", "funding-source-duplicate", f"资金来源“{row.source}”有多行（另见 "
                     f"{first.cells.get('source', '')}），各行金额将相加。如为重复填写，请删除多余的行。", row.source)


def _exceeding(ctx: Context, high: str, low: str) -> Iterator[tuple[m.FundingRow, Decimal, Decimal]]:
    """(row, its ``high`` amount, its ``low`` amount) where the first exceeds the second beyond rounding."""
    for row in ctx.project.funding:
        if ctx.unreadable([row], *FUNDING_CELLS[high], *FUNDING_CELLS[low]):
            continue
        a, b = getattr(row, high), getattr(row, low)
        if a is not None and b is not None and a - b >= TOLERANCE:
            yield row, a, b


@rule
def funding_spent_within_budget(ctx: Context) -> Iterator[Problem]:
    for row, spent, budget in _exceeding(ctx, "spent", "budget"):
        yield ctx.at(row, "spent", "funding-spent-over-budget", f"{row.source}的全年执行数 {wan(spent)}超过全年预算数 "
                     f"{wan(budget)}。执行数不能超过预算数：请核对两数；如年中追加了预算，请在“全年预算数”中填写调整后"
                     "的预算。", spent)


@rule
def funding_received_covers_spent(ctx: Context) -> Iterator[Problem]:
    for row, spent, received in _exceeding(ctx, "spent", "received"):
        yield ctx.at(row, "received", "funding-received-below-spent", f"{row.source}的实际到位数 {wan(received)}少于"
                     f"全年执行数 {wan(spent)}。请核对两数；如确有垫付等情况，请在基本信息“其他需要说明的问题”中说明。",
                     received)


@rule
def funding_total_agrees(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    total = p.funding_total
    if total is None or not p.funding:
        return
    sums = {"initial": p.initial_budget, "full_year": p.budget, "received": p.received, "spent": p.spent}
    for attr, label in FUNDING_LABELS.items():
        stated = getattr(total, attr)
        if stated is not None and not ctx.funding_unreadable(attr) and differs(stated, sums[attr] or ZERO):
            yield ctx.at(total, attr, "funding-total-mismatch", f"合计行的{label} {wan(stated)}与各资金来源之和 "
                         f"{wan(sums[attr])}不符。本工具按各来源之和计算，请更正合计行（或删除合计行）。", stated)


@rule
def funding_budget_defaulted(ctx: Context) -> Iterator[Problem]:
    rows = [row for row in ctx.project.funding if row.full_year is None and row.initial is not None
            and not ctx.unreadable([row], "full_year")]
    if rows and ctx.project.budget:
        total = sum((row.initial for row in rows), ZERO)
        yield ctx.problem("funding-budget-defaulted", f"全年预算数未填写，已按年初预算数（{wan(total)}）计算。如年中"
                          "预算有调整，请填写调整后的全年预算数。", m.SHEET_FUNDING,
                          span(row.cells.get("full_year", "") for row in rows))


@rule
def funding_budget_nonzero(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    if p.budget is not None and p.budget == 0 and not ctx.funding_unreadable("budget"):
        cells = [row.cells.get("full_year" if row.full_year is not None else "initial", "") for row in p.funding
                 if row.budget is not None]
        yield ctx.problem("funding-budget-zero", "全年预算数合计为 0，无法计算预算执行率，执行率得分按 0 分计。请填写"
                          "全年预算数。", m.SHEET_FUNDING, span(cells), p.budget)


@rule
def execution_rate_reason(ctx: Context) -> Iterator[Problem]:
    rate = ctx.card.execution_rate
    threshold = ctx.config.low_rate_threshold
    if rate is None or rate >= threshold or not ctx.project.info_cells or ctx.funding_unreadable("budget", "spent"):
        return  # without 基本信息 (reported by the reader) the reason cannot be read; nor a rate of unread figures
    if ctx.project.info.get("预算执行偏差原因", "").strip():
        return
    where = "请填写" if "预算执行偏差原因" in ctx.project.info_cells else "请在基本信息中增加“预算执行偏差原因”一行，填写"
    yield ctx.info("预算执行偏差原因", "execution-low-no-reason", f"预算执行率为 {fmt.rate(rate)}，低于 {percent(threshold)}，但未说明"
                   f"原因。{where}执行率偏低的原因及改进措施。", fmt.rate(rate))
