"""What the spot check knows of a project: its identity, its figures and its rows, as the worksheet shows them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..signs import SIGN_CATALOGUE

EXECUTION_ROW = "预算执行率"  # the 一级指标 of the row of the execution rate
RANDOM = "随机"  # why a project without a sign (or drawn without --prefer-flagged) was drawn


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator as the unit reported it, with the rule's score."""

    level1: str
    level2: str
    level3: str
    nature: str  # 指标性质, "" when not known
    target: str  # 年度指标值 as written
    actual: str  # 实际完成值 as the unit reported it
    weight: Decimal | None  # 分值
    own_score: Decimal | None  # the unit's 自评得分, None when it gave none
    rule_score: Decimal | None  # the rule's 得分 (the score that counts)


@dataclass(frozen=True, slots=True)
class DrawableProject:
    """One evaluated project of a batch, as the sample and the worksheet need it."""

    identity: str  # unique in the batch, the same on every machine
    year: str  # 评价年度
    department: str  # 主管部门
    unit: str  # 实施单位
    name: str  # 项目名称
    total: Decimal | None  # the rule's total
    grade: str
    execution_rate: Decimal | None  # as a fraction
    execution_weight: Decimal | None
    execution_score: Decimal | None  # the rule's
    own_execution_score: Decimal | None = None  # the unit's own, where an official table gave one
    own_total: Decimal | None = None  # the unit's own total, where an official table gave one
    flags: tuple[str, ...] = ()  # codes of the warning signs about it
    indicators: tuple[IndicatorRow, ...] = ()

    def group(self, by: str) -> str:
        """The stratum: its 主管部门 or its 实施单位."""
        return self.department if by == "主管部门" else self.unit


@dataclass(frozen=True, slots=True)
class Drawn:
    project: DrawableProject
    flags: tuple[str, ...] = ()  # the warning signs it was drawn for first (--prefer-flagged); () when at random

    @property
    def reason(self) -> str:
        """Why it was drawn, as the worksheet says it: 随机, or each sign's title with its code."""
        return "、".join(f"{SIGN_CATALOGUE[c][1]}（{c}）" for c in self.flags) or RANDOM


@dataclass(frozen=True, slots=True)
class Sample:
    seed: int
    by: str  # 主管部门 or 实施单位
    drawn: tuple[Drawn, ...]  # by group name, then in the order drawn
