"""Checks: every problem of a read and scored workbook, in one pass, each pointing at the cell to fix.

The reader reports what stops it from reading a value; this module judges the values. Each rule is a small
function that yields :class:`~perfeval.problems.Problem` records and is registered with ``@rule``: adding a
rule means adding one function. Messages are Chinese, say what is wrong and what to do, and format figures only
through :mod:`perfeval.fmt`.

``check_project`` returns the problems beyond the reader's; the caller concatenates the reader's problems and
these, and orders them with :func:`sort_problems`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from . import config as config_module
from . import fmt
from . import model as m
from .config import Config
from .parse import KIND_DATE, LE, LT, cell_text, normalize
from .problems import SEVERITIES, Problem
from .reader import a1, parse_a1
from .scoring import weight_total

ZERO = Decimal(0)
TOLERANCE = Decimal("0.005")  # 万元 (and points): differences below this are rounding
FIRST_YEAR = 2000  # the earliest plausible 评价年度

# Standard level-1 indicators and their level-2 names (domain.md, "Indicator structure").
STANDARD_LEVELS = m.LEVEL2_BY_LEVEL1
EXECUTION_LEVEL = "预算执行率"  # computed from 资金情况, never an indicator row
ROLES = m.ROLES
SHEET_ORDER = (m.SHEET_GUIDE, m.SHEET_INFO, m.SHEET_GROUP, m.SHEET_FUNDING, m.SHEET_SPENDING, m.SHEET_INDICATORS,
               m.SHEET_VOLUMES)
# Reader problems after which a sheet's contents are unknown (its own checks would only repeat them).
STRUCTURE_CODES = ("sheet-missing", "sheet-near-namesake", "header-missing")
# Reader problems at a cell whose value failed to read: no check runs on the value it was left with.
UNREADABLE_CODES = ("number-unreadable", "formula-no-value")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")
FUNDING_LABELS = {"initial": "年初预算数", "full_year": "全年预算数", "received": "实际到位数", "spent": "全年执行数"}
# The cells a funding figure is made of: 全年预算数 is 年初预算数 where it is blank.
FUNDING_CELLS = {"initial": ("initial",), "full_year": ("full_year", "initial"), "budget": ("full_year", "initial"),
                 "received": ("received",), "spent": ("spent",)}


# ---- where things are ------------------------------------------------------------------------------------


def sheet_label(name: str) -> str:
    """A sheet name without any kind of space, as the reader matches sheet names."""
    return _SPACES.sub("", name or "")


def standard_sheet(name: str) -> str:
    """The standard sheet a real sheet name stands for ("基本信息(1)" -> "基本信息"); "" when none."""
    label = sheet_label(name)
    if not label:
        return ""
    if label in SHEET_ORDER:
        return label
    near = [s for s in SHEET_ORDER if s in label or label in s]
    near = near or difflib.get_close_matches(label, SHEET_ORDER, n=1, cutoff=0.6)
    return near[0] if near else ""


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1 cell or the top-left of a range ("B8", "A1:C1", "3:3"); (0, 0) for ""."""
    first = (ref or "").split(":")[0]
    match = re.fullmatch(r"([A-Z]*)(\d*)", first)
    if not match or not first:
        return 0, 0
    col = 0
    for ch in match[1]:
        col = col * 26 + ord(ch) - 64
    return int(match[2] or 0), col


def span(cells: Iterable[str]) -> str:
    """The smallest range holding some A1 cells: "B2", "B2:B7"; "" when there are none."""
    positions = [parse_a1(c) for c in cells if c]
    if not positions:
        return ""
    top_left = a1(min(r for r, _ in positions), min(c for _, c in positions))
    bottom_right = a1(max(r for r, _ in positions), max(c for _, c in positions))
    return top_left if top_left == bottom_right else f"{top_left}:{bottom_right}"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """错误 first, then 警告, then 提示; within a severity by sheet in workbook order, then by cell (row, column).

    Problems of the whole file come before those of a sheet, and a sheet's own before its cells'. The sort is
    stable: problems at the same place keep their order.
    """
    def key(p: Problem):
        std = standard_sheet(p.sheet)
        sheet_rank = -1 if not p.sheet else SHEET_ORDER.index(std) if std else len(SHEET_ORDER)
        return SEVERITIES.index(p.severity), sheet_rank, cell_position(p.cell)

    return sorted(problems, key=key)


# ---- the rule machinery ----------------------------------------------------------------------------------


@dataclass
class Context:
    """What every rule sees: the project, its scores, the configuration, and what the reader already said."""

    project: m.Project
    card: m.ScoreCard
    config: Config
    known: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.broken = {standard_sheet(p.sheet) or p.sheet for p in self.known if p.code in STRUCTURE_CODES}
        self.known_cells = {(standard_sheet(p.sheet), p.cell) for p in self.known if p.cell}
        self.unread_cells = {(standard_sheet(p.sheet), p.cell) for p in self.known if p.code in UNREADABLE_CODES}
        # Columns not read at all: a money header's unit was not understood.
        self.unread_columns = {(standard_sheet(p.sheet), cell_position(p.cell)[1]) for p in self.known
                               if p.code == "unit-unknown"}

    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", value=None) -> Problem:
        return Problem(code, message, self.project.file, sheet, cell, _value_text(value))

    def at(self, record, key: str, code: str, message: str, value=None) -> Problem:
        """A problem at one field of a model record (its sheet and remembered cell)."""
        return self.problem(code, message, record.SHEET, record.cells.get(key, ""), value)

    def info(self, label: str, code: str, message: str, value=None) -> Problem:
        """A problem at one 基本信息 value."""
        return self.problem(code, message, m.SHEET_INFO, self.project.info_cells.get(label, ""), value)

    def readable(self, sheet: str) -> bool:
        """The sheet was found and its header read, so an empty table really is empty."""
        return sheet not in self.broken

    def reported(self, sheet: str, cell: str) -> bool:
        return (sheet, cell) in self.known_cells

    def unreadable(self, records: Iterable, *keys: str) -> bool:
        """A value some record holds at one of ``keys`` failed to read (its cell, or its whole column): a check
        built on those values would run on what was left (None, 0, a default) and is skipped."""
        for record in records:
            for key in keys:
                cell = record.cells.get(key, "")
                if cell and ((record.SHEET, cell) in self.unread_cells
                             or (record.SHEET, cell_position(cell)[1]) in self.unread_columns):
                    return True
        return False

    def info_unreadable(self, label: str) -> bool:
        return (m.SHEET_INFO, self.project.info_cells.get(label, "")) in self.unread_cells

    def funding_unreadable(self, *figures: str) -> bool:
        """A funding figure (a FUNDING_CELLS key) of some source failed to read, so its sum is unknown."""
        return self.unreadable(self.project.funding, *(k for f in figures for k in FUNDING_CELLS[f]))


def _value_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return fmt.trim(value, 4)
    return cell_text(value)


Rule = Callable[[Context], Iterator[Problem]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    """Register a check; rules run in the order they are defined."""
    RULES.append(func)
    return func


def check_project(project: m.Project, card: m.ScoreCard, config: Config | None = None,
                  known: Iterable[Problem] = (), rules: Iterable[Rule] | None = None) -> list[Problem]:
    """Every problem the rules find in a read and scored project, beyond what the reader reported.

    ``known`` is what the reader already reported (``ReadResult.problems``): checks that would only repeat it
    (an empty table whose sheet is missing, a value missing where the number was unreadable) are then left out.
    The result is in rule order, without duplicates; order it with :func:`sort_problems`. ``rules`` runs only
    those rules (a source without a place for some of them, perfeval.official); by default every rule.
    """
    ctx = Context(project, card, config or Config(), list(known))
    found: dict[tuple, Problem] = {}
    for check in RULES if rules is None else rules:
        for p in check(ctx):
            found.setdefault((p.code, p.sheet, p.cell, p.message), p)
    return list(found.values())


def _differs(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) >= TOLERANCE


def _wan(value: Decimal | None) -> str:
    return f"{fmt.money(value or ZERO)} 万元"


def _points(value: Decimal | None) -> str:
    return f"{fmt.trim(value or ZERO)} 分"


def _percent(fraction: Decimal) -> str:
    """A configured ratio as a percentage without needless decimals: 0.9 -> "90%"."""
    return fmt.trim(fraction * fmt.HUNDRED) + "%"


# ---- 基本信息 -------------------------------------------------------------------------------------------------


@rule
def year_plausible(ctx: Context) -> Iterator[Problem]:
    text = ctx.project.info.get("评价年度", "").strip()
    if not text:
        return  # the reader reports it missing
    latest = dt.date.today().year + 1
    year = ctx.project.year
    if year is None or not FIRST_YEAR <= year <= latest:
        yield ctx.info("评价年度", "year-implausible", f"评价年度“{text}”不合理，应为 {FIRST_YEAR} 至 {latest} 之间的四位年份"
                       "（如 2025）。请填写所评价的预算年度。", text)


@rule
def email_wellformed(ctx: Context) -> Iterator[Problem]:
    text = ctx.project.info.get("联系邮箱", "").strip()
    if text and not _EMAIL.fullmatch(text):
        yield ctx.info("联系邮箱", "email-malformed", f"联系邮箱“{text}”格式不正确，评价结果将无法发送到该邮箱。请填写一个完整的"
                       "邮箱地址，如 name@example.gov.cn（使用半角字符，不要加空格或其他文字）。", text)


@rule
def text_limits(ctx: Context) -> Iterator[Problem]:
    for label, limit in ctx.config.limits.items():
        text = ctx.project.info.get(label, "")
        if len(text) > limit:
            shown = text if len(text) <= 30 else text[:30] + "…"
            yield ctx.info(label, "text-too-long", f"“{label}”共 {len(text)} 字，超过规定的 {limit} 字。请精简到 {limit} 字"
                           "以内。", shown)


# ---- 评价工作组 ---------------------------------------------------------------------------------------------


@rule
def group_filled(ctx: Context) -> Iterator[Problem]:
    if not ctx.project.members and ctx.readable(m.SHEET_GROUP):
        yield ctx.problem("value-missing", "评价工作组未填写任何成员。请填写组长、副组长和组员的职务与姓名。", m.SHEET_GROUP)


@rule
def group_leader(ctx: Context) -> Iterator[Problem]:
    members = ctx.project.members
    if members and not any(p.role == "组长" for p in members):
        yield ctx.problem("group-no-leader", "评价工作组没有组长。请在“职务”列中注明一位组长。", m.SHEET_GROUP,
                          span(p.cells.get("role", "") for p in members))


@rule
def group_roles(ctx: Context) -> Iterator[Problem]:
    for person in ctx.project.members:
        if person.role not in ROLES:
            what = f"职务“{person.role}”无法识别" if person.role else f"“{person.name}”的职务未填写"
            yield ctx.at(person, "role", "group-role-unknown", f"{what}。请填写组长、副组长或组员。", person.role)


def _repeats(records: Iterable, key: Callable) -> Iterator[tuple[object, object]]:
    """(record, the first record with the same key) for every record whose key was seen before; blank keys skip."""
    seen: dict = {}
    for record in records:
        k = key(record)
        if k:
            first = seen.setdefault(k, record)
            if first is not record:
                yield record, first


@rule
def group_duplicates(ctx: Context) -> Iterator[Problem]:
    for person, first in _repeats(ctx.project.members, lambda p: p.name):
        yield ctx.at(person, "name", "group-member-duplicate", f"“{person.name}”在评价工作组中出现不止一次"
                     f"（另见 {first.cells.get('name', '')}）。请删除重复的姓名。", person.name)


# ---- 资金情况 -------------------------------------------------------------------------------------------------


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
    for row, first in _repeats(ctx.project.funding, lambda r: r.source):
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
        yield ctx.at(row, "spent", "funding-spent-over-budget", f"{row.source}的全年执行数 {_wan(spent)}超过全年预算数 "
                     f"{_wan(budget)}。执行数不能超过预算数：请核对两数；如年中追加了预算，请在“全年预算数”中填写调整后"
                     "的预算。", spent)


@rule
def funding_received_covers_spent(ctx: Context) -> Iterator[Problem]:
    for row, spent, received in _exceeding(ctx, "spent", "received"):
        yield ctx.at(row, "received", "funding-received-below-spent", f"{row.source}的实际到位数 {_wan(received)}少于"
                     f"全年执行数 {_wan(spent)}。请核对两数；如确有垫付等情况，请在基本信息“其他需要说明的问题”中说明。",
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
        if stated is not None and not ctx.funding_unreadable(attr) and _differs(stated, sums[attr] or ZERO):
            yield ctx.at(total, attr, "funding-total-mismatch", f"合计行的{label} {_wan(stated)}与各资金来源之和 "
                         f"{_wan(sums[attr])}不符。本工具按各来源之和计算，请更正合计行（或删除合计行）。", stated)


@rule
def funding_budget_defaulted(ctx: Context) -> Iterator[Problem]:
    rows = [row for row in ctx.project.funding if row.full_year is None and row.initial is not None
            and not ctx.unreadable([row], "full_year")]
    if rows and ctx.project.budget:
        total = sum((row.initial for row in rows), ZERO)
        yield ctx.problem("funding-budget-defaulted", f"全年预算数未填写，已按年初预算数（{_wan(total)}）计算。如年中"
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
    yield ctx.info("预算执行偏差原因", "execution-low-no-reason", f"预算执行率为 {fmt.rate(rate)}，低于 {_percent(threshold)}，但未说明"
                   f"原因。{where}执行率偏低的原因及改进措施。", fmt.rate(rate))


# ---- negative numbers anywhere -----------------------------------------------------------------------------


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


# ---- 支出明细 and 业务量 ----------------------------------------------------------------------------------------


@rule
def breakdown_adds_up(ctx: Context) -> Iterator[Problem]:
    p = ctx.project
    if not p.spending or p.spent is None or any(line.amount is None for line in p.spending) or (
            ctx.funding_unreadable("spent")):
        return  # unreadable or missing amounts are reported where they are
    total = sum((line.amount for line in p.spending), ZERO)
    if _differs(total, p.spent):
        yield ctx.problem("breakdown-sum-mismatch", f"支出明细合计 {_wan(total)}与资金情况的全年执行数 {_wan(p.spent)}"
                          f"不符（相差 {_wan(abs(total - p.spent))}）。请核对各项支出金额，使其合计等于全年执行数。",
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
        if stated is not None and not ctx.unreadable(p.volumes, key) and _differs(stated, computed):
            yield ctx.at(total, key, "volume-total-mismatch", f"业务量合计行的{label} {fmt.money(stated)}{unit}与各类别"
                         f"之和 {fmt.money(computed)}{unit}不符。本工具按各类别之和计算，请更正合计行（或删除合计行）。",
                         stated)


# ---- 绩效指标: structure -------------------------------------------------------------------------------------


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
    if _differs(total, fmt.HUNDRED):
        yield ctx.problem("weights-not-100", f"各指标分值合计 {_points(total - ctx.card.execution_weight)}，加预算执行率"
                          f"分值 {_points(ctx.card.execution_weight)}，共 {_points(total)}，应为 100 分。请调整各指标"
                          "的分值，使合计为 100。", m.SHEET_INDICATORS, _weight_cells(p.indicators), total)


@rule
def weights_split(ctx: Context) -> Iterator[Problem]:
    p, card = ctx.project, ctx.card
    if not _weights_known(ctx) or _differs(weight_total(p, card), fmt.HUNDRED) or any(
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
        if _differs(actual, expected):
            what = f"一级指标“{level}”的分值合计为 {_points(actual)}" if rows else f"没有“{level}”的指标"
            yield ctx.problem("weights-split-unusual", f"{what}，{advice}", m.SHEET_INDICATORS,
                              _weight_cells(rows or p.indicators), actual)
    if _differs(card.execution_weight, ctx.config.execution_weight):
        yield ctx.info("预算执行率分值", "weights-split-unusual", f"预算执行率分值为 {_points(card.execution_weight)}，"
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
    for ind, first in _repeats(ctx.project.indicators, lambda i: normalize(i.name)):
        yield ctx.at(ind, "name", "indicator-duplicate", f"三级指标“{ind.name}”与 {first.cells.get('name', '')} 的指标"
                     "重复。请删除重复的行，或改用能区分的指标名称。", ind.name)


# ---- 绩效指标: values and scores -----------------------------------------------------------------------------


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
                          f"（0–{_points(ind.weight)}），已按规则得分 {fmt.trim(s.score)} 分计分。请填写 0 至 "
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
                         f"{_percent(ctx.config.overachieve_ratio)} 以上，但未填写偏差原因分析及改进措施。请说明大幅"
                         "超额完成的原因（如年度指标值设定偏低）；如需按偏离度"
                         "调减得分，可在自评得分中填写调减后的分数。")

