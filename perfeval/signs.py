"""Warning signs (复核提示): where a self-evaluation is likely inflated, for the finance bureau (review.md).

A sign is a record like a problem — code, severity, message, place — but of a type of its own, kept in a list of
its own: it is no fault of the unit's workbook. It never appears in a unit's outputs or mail, never makes a
marked-up copy, never changes a status or an exit code. Project signs are computed from a project and its score
card; batch signs over small per-project summaries (:class:`ProjectBrief`), which a batch can make from its
results. Thresholds are ``[warnings]`` (configuration.md); a code listed in ``disabled`` is not computed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import fmt
from .cells import span
from .model import SHEET_FUNDING, Project, ScoreCard
from .parse import GE, GT, KIND_NUMBER, MONEY_SCALE, normalize
from .problems import INFO, WARNING, place

if TYPE_CHECKING:
    from .config import Config

# code -> (severity, title); docs/checks.md ("复核提示") documents the same list.
SIGN_CATALOGUE: dict[str, tuple[str, str]] = {
    "progress-ahead-of-spending": (WARNING, "指标完成进度明显快于资金支出"),
    "full-marks-low-spending": (WARNING, "指标全部满分而预算执行率偏低"),
    "cost-target-at-least": (WARNING, "成本或时效指标按“不低于”评分"),
    "unit-all-full-marks": (INFO, "同一实施单位的项目全部满分"),
    "copied-targets": (INFO, "不同实施单位的项目绩效指标完全相同"),
}
TITLE = "复核提示（供财政部门参考，不影响校验结果）"
FULL_TOTAL = Decimal(100)
ZERO = Decimal(0)
# Units of a duration, as a 时效指标's target may be written (parse.canonical_unit makes 日 天).
DURATION_UNITS = ("天", "个工作日", "工作日", "小时", "个小时", "分钟", "周", "个月", "月", "年")


@dataclass(frozen=True, slots=True)
class Sign:
    """One warning sign: where to look twice. Batch signs have no cell; they name their projects."""

    code: str
    message: str  # Chinese: what was seen and why it may matter
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: str | None = None
    projects: tuple[str, ...] = ()  # the identities a batch sign names

    def __post_init__(self) -> None:
        if self.code not in SIGN_CATALOGUE:
            raise KeyError(f"unknown sign code {self.code!r}: add it to SIGN_CATALOGUE")

    @property
    def severity(self) -> str:
        return SIGN_CATALOGUE[self.code][0]

    @property
    def where(self) -> str:
        return place(self.sheet, self.cell)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell, "code": self.code,
                "severity": self.severity, "message": self.message, "value": self.value,
                "projects": list(self.projects)}


def _enabled(config: "Config", code: str) -> bool:
    return code not in config.warnings["disabled"]


def _percent_points(fraction: Decimal) -> str:
    return fmt.trim(fraction * fmt.HUNDRED, 2)


# ---- one project -----------------------------------------------------------------------------------------

def money_signs(rate: Decimal | None, scored: Sequence[tuple[Decimal, Decimal | None]],
                config: "Config") -> list[tuple[str, str]]:
    """(code, message) of the two signs about money, from the execution rate and each indicator's (score,
    weight): every indicator at full points with little spent, or the points' share far ahead of the rate."""
    weighted = [(score, weight) for score, weight in scored if weight is not None and weight > 0]
    if rate is None or not weighted:
        return []
    rate_text = fmt.rate(rate)
    full_rate = config.number("warnings", "full_marks_rate")
    if all(score >= weight for score, weight in weighted) and rate < full_rate:
        if _enabled(config, "full-marks-low-spending"):
            return [("full-marks-low-spending", f"全部 {len(weighted)} 项绩效指标均得满分，但预算执行率只有 "
                     f"{rate_text}，低于 {fmt.rate(full_rate)}：资金大量未用而目标全部完成，自评可能偏高，建议抽查"
                     "核实指标完成情况。")]
        return []
    score = sum((s for s, _ in weighted), ZERO)
    weights = sum((w for _, w in weighted), ZERO)
    share, gap = score / weights, config.number("warnings", "progress_gap")
    if share - rate > gap and _enabled(config, "progress-ahead-of-spending"):
        return [("progress-ahead-of-spending", f"指标得分率 {fmt.rate(share)}（指标得分 {fmt.score(score)} ÷ 指标"
                 f"分值 {fmt.score(weights)}）比预算执行率 {rate_text} 高出 {_percent_points(gap)} 个百分点以上："
                 "指标完成进度明显快于资金支出，建议核实指标完成值。")]
    return []


def _spent_cell(project: Project) -> str:
    rows = [row for row in project.funding if row.spent is not None] or [
        row for row in [project.funding_total] if row is not None]
    return span(row.cells.get("spent", "") for row in rows)


def _at_least_kind(level1: str, level2: str, target) -> str:
    """"金额" or "时长" when a cost or deadline target of that kind is read as "at least"; "" otherwise."""
    if target is None or target.kind != KIND_NUMBER or target.op not in (GE, GT):
        return ""
    if ("成本" in level2 or level1 == "成本指标") and target.unit in MONEY_SCALE:
        return "金额"
    if "时效" in level2 and target.unit in DURATION_UNITS:
        return "时长"
    return ""


def project_signs(project: Project, card: ScoreCard, config: "Config", file: str = "") -> list[Sign]:
    """The signs of one evaluated project, at their cells (the 全年执行数 for money, the target for the rest)."""
    rate = card.execution_rate
    signs = [Sign(code, message, file, SHEET_FUNDING, _spent_cell(project), fmt.rate(rate))
             for code, message in money_signs(rate, [(s.score, s.indicator.weight) for s in card.indicators], config)]
    if not _enabled(config, "cost-target-at-least"):
        return signs
    for s in card.indicators:
        ind = s.indicator
        kind = _at_least_kind(ind.level1, ind.level2, s.target)
        if kind:
            signs.append(Sign("cost-target-at-least", f"{ind.level2 or ind.level1}“{ind.name}”的年度指标值“"
                              f"{ind.target}”是{kind}，却按“不低于”（≥）评分：{'成本' if kind == '金额' else '时效'}"
                              "指标通常应为“不高于”（≤），按现在的写法越多越得分。建议核实指标设定。", file, ind.SHEET,
                              ind.cells.get("target", ""), ind.target))
    return signs


def evaluation_signs(ev, config: "Config") -> list[Sign]:
    """The signs of one :class:`perfeval.pipeline.Evaluation`; an official table's in its own terms."""
    if ev.project is None or ev.card is None or ev.blank:
        return []
    signs = project_signs(ev.project, ev.card, config, ev.name)
    table = ev.official
    if table is not None:
        signs = [replace(s, sheet=table.part, cell=table.grid.place(s.cell) if s.cell else "") for s in signs]
    return signs


# ---- over the batch --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProjectBrief:
    """What the batch signs need of one evaluated project."""

    identity: str  # unique in the batch (a file, with its part)
    name: str  # 项目名称
    unit: str  # 实施单位
    total: Decimal | None  # the rule's total, full precision
    indicators: tuple[tuple[str, str], ...] = ()  # (三级指标, 年度指标值) as written


def brief_of(identity: str, project: Project, card: ScoreCard) -> ProjectBrief:
    return ProjectBrief(identity, project.name.strip(), project.unit.strip(), card.total,
                        tuple((ind.name, ind.target) for ind in project.indicators))


def _names(briefs: Iterable[ProjectBrief]) -> str:
    return "、".join(f"“{b.name or b.identity}”" for b in briefs)


def _unit_all_full(briefs: Sequence[ProjectBrief], least: int) -> Iterable[Sign]:
    by_unit: dict[str, list[ProjectBrief]] = defaultdict(list)
    for b in briefs:
        if b.unit:
            by_unit[normalize(b.unit)].append(b)
    for unit in sorted(by_unit):
        group = sorted(by_unit[unit], key=lambda b: b.identity)
        if len(group) >= least and all(b.total is not None and fmt.round_half_up(b.total, 2) == FULL_TOTAL
                                       for b in group):
            shown = group[0].unit
            yield Sign("unit-all-full-marks", f"实施单位“{shown}”的全部 {len(group)} 个项目规则总分均为 100.00 分："
                       f"{_names(group)}。建议抽查核实。", value=shown, projects=tuple(b.identity for b in group))


def _copied_targets(briefs: Sequence[ProjectBrief], least: int) -> Iterable[Sign]:
    by_set: dict[frozenset, list[ProjectBrief]] = defaultdict(list)
    for b in briefs:
        pairs = frozenset((normalize(name), normalize(target)) for name, target in b.indicators)
        if len(pairs) >= least:
            by_set[pairs].append(b)
    groups = [sorted(g, key=lambda b: b.identity) for g in by_set.values()
              if len({normalize(b.unit) for b in g}) > 1]
    for group in sorted(groups, key=lambda g: g[0].identity):
        count = len(group[0].indicators)
        listed = "、".join(f"“{b.name or b.identity}”（{b.unit}）" for b in group)
        yield Sign("copied-targets", f"不同实施单位的 {len(group)} 个项目绩效指标完全相同（{count} 个三级指标及"
                   f"年度指标值）：{listed}。疑似照抄指标，建议核实指标是否按项目实际设定。",
                   projects=tuple(b.identity for b in group))


def batch_signs(briefs: Iterable[ProjectBrief], config: "Config") -> list[Sign]:
    """The signs over the batch: a unit all at 100, the same indicators at different units. No cell."""
    briefs = list(briefs)
    signs: list[Sign] = []
    if _enabled(config, "unit-all-full-marks"):
        signs.extend(_unit_all_full(briefs, config.warnings["unit_all_full_min"]))
    if _enabled(config, "copied-targets"):
        signs.extend(_copied_targets(briefs, config.warnings["copied_min"]))
    return signs


def named_by(batch: Iterable[Sign], identity: str) -> list[str]:
    """The codes of the batch signs that name one project."""
    return [s.code for s in batch if identity in s.projects]


def checked_signs(evaluations: Sequence, config: "Config") -> tuple[list[list[Sign]], list[Sign]]:
    """The signs of ``perfeval check``: each evaluation's own, and those over all the checked files."""
    own = [evaluation_signs(ev, config) for ev in evaluations]
    briefs = [brief_of(f"{ev.name}（{ev.part}）" if ev.part else ev.name, ev.project, ev.card)
              for ev in evaluations if ev.project is not None and ev.card is not None and not ev.blank]
    return own, batch_signs(briefs, config)
