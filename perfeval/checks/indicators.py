"""Rules on the structure of 绩效指标: rows filled, weights, level-1 and level-2 names, duplicates."""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from .. import config as config_module
from .. import fmt
from .. import model as m
from ..cells import span
from ..parse import normalize
from ..problems import Problem
from ..scoring import weight_total
from .common import ZERO, differs, points, repeats
from .registry import Context, rule

# Standard level-1 indicators and their level-2 names (domain.md, "Indicator structure").
STANDARD_LEVELS = m.LEVEL2_BY_LEVEL1
EXECUTION_LEVEL = "预算执行率"  # computed from 资金情况, never an indicator row


@rule
def indicators_filled(ctx: Context) -> Iterator[Problem]:
    if not ctx.project.indicators and ctx.readable(m.SHEET_INDICATORS):
        yield ctx.problem("value-missing", "绩效指标未填写任何指标。请按产出指标、效益指标、满意度指标逐行填写三级指标、"
                          "年度指标值、实际完成值和分值。", m.SHEET_INDICATORS)


def _weight_cells(indicators: Iterable[m.Indicator]) -> str:
    return span(ind.cells.get("weight", "") for ind in indicators)


def _weights_known(ctx: Context) -> bool:
    """Every weight was read (a missing or unreadable one is reported where it is), 预算执行率分值 too."""
    p = ctx.project
    return bool(p.indicators) and all(ind.weight is not None for ind in p.indicators) and (
        not ctx.info_unreadable("预算执行率分值"))


@rule
def weights_total_100(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    if not _weights_known(ctx):
        return
    total = weight_total(p, ctx.card)
    if differs(total, fmt.HUNDRED):
        yield ctx.problem("weights-not-100", f"各指标分值合计 {points(total - ctx.card.execution_weight)}，加预算执行率"
                          f"分值 {points(ctx.card.execution_weight)}，共 {points(total)}，应为 100 分。请调整各指标"
                          "的分值，使合计为 100。", m.SHEET_INDICATORS, _weight_cells(p.indicators), total)


@rule
def weights_split(ctx: Context) -> Iterator[Problem]:
    p, card = ctx.project, ctx.card
    if not _weights_known(ctx) or differs(weight_total(p, card), fmt.HUNDRED) or any(
            ind.level1 not in STANDARD_LEVELS for ind in p.indicators):
        return  # a total other than 100, or an unknown level 1, is the error to fix first
    groups: dict[str, list[m.Indicator]] = {}
    for ind in p.indicators:
        if ind.level1 in STANDARD_LEVELS:
            groups.setdefault(ind.level1, []).append(ind)
    defaults = dict(config_module.COST_SPLIT) if "成本指标" in groups else ctx.config.level1_weights
    split = "、".join(f"{name} {fmt.trim(Decimal(w))}" for name, w in defaults.items())
    split += f"、{EXECUTION_LEVEL} {fmt.trim(ctx.config.execution_weight)}"
    advice = f"默认比例为 {split}。如有特殊情况可以调整，请在基本信息“其他需要说明的问题”中说明调整理由。"
    for level in list(defaults) + [g for g in groups if g not in defaults]:
        rows = groups.get(level, [])
        actual = sum((ind.weight for ind in rows), ZERO)
        expected = Decimal(defaults.get(level, 0))
        if differs(actual, expected):
            what = f"一级指标“{level}”的分值合计为 {points(actual)}" if rows else f"没有“{level}”的指标"
            yield ctx.problem("weights-split-unusual", f"{what}，{advice}", m.SHEET_INDICATORS,
                              _weight_cells(rows or p.indicators), actual)
    if differs(card.execution_weight, ctx.config.execution_weight):
        yield ctx.info("预算执行率分值", "weights-split-unusual", f"预算执行率分值为 {points(card.execution_weight)}，"
                       f"{advice}", card.execution_weight)


def _runs(indicators: list[m.Indicator], key: Callable[[m.Indicator], tuple]) -> dict[tuple, list[m.Indicator]]:
    """Indicators grouped by a key, in order of first appearance."""
    groups: dict[tuple, list[m.Indicator]] = {}
    for ind in indicators:
        groups.setdefault(key(ind), []).append(ind)
    return groups


def _suggest(name: str, choices: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.4)
    return f"（是否应为“{near[0]}”？）" if near else ""


@rule
def level1_known(ctx: Context) -> Iterator[Problem]:
    for (level1,), rows in _runs(ctx.project.indicators, lambda i: (i.level1,)).items():
        if not level1 or level1 in STANDARD_LEVELS:
            continue
        if EXECUTION_LEVEL in level1:
            message = (f"“{level1}”不应作为指标行填写：预算执行率由资金情况自动计算。请删除这些行；如执行率分值不是默认"
                       "分值，请在基本信息“预算执行率分值”中填写。")
        else:
            message = (f"一级指标“{level1}”无法识别{_suggest(level1, STANDARD_LEVELS)}。请改为产出指标、效益指标、"
                       "满意度指标或成本指标。")
        yield ctx.problem("level1-unknown", message, m.SHEET_INDICATORS,
                          span(ind.cells.get("level1", "") for ind in rows), level1)


@rule
def level2_known(ctx: Context) -> Iterator[Problem]:
    runs = _runs(ctx.project.indicators, lambda i: (i.level1, i.level2))
    for (level1, level2), rows in runs.items():
        standard = STANDARD_LEVELS.get(level1)
        if not level2 or standard is None or level2 in standard:
            continue
        owner = next((k for k, names in STANDARD_LEVELS.items() if level2 in names), None)
        hint = f"“{level2}”属于{owner}，" if owner else f"二级指标“{level2}”不是标准名称{_suggest(level2, standard)}，"
        yield ctx.problem("level2-unknown", f"{hint}{level1}的二级指标应为{'、'.join(standard)}。请改为标准名称，或"
                          "核对一级指标。", m.SHEET_INDICATORS, span(ind.cells.get("level2", "") for ind in rows), level2)


@rule
def indicator_names_unique(ctx: Context) -> Iterator[Problem]:
    for ind, first in repeats(ctx.project.indicators, lambda i: normalize(i.name)):
        yield ctx.at(ind, "name", "indicator-duplicate", f"三级指标“{ind.name}”与 {first.cells.get('name', '')} 的指标"
                     "重复。请删除重复的行，或改用能区分的指标名称。", ind.name)
