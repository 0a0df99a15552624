"""What an official table holds beyond the :class:`~perfeval.model.Project`: the unit's own scoring.

The unit's 得分 of each indicator row is the project's ``Indicator.self_score`` (compared like a 自评得分); its
执行率, execution 得分, 总分, 评价等级 and the weights written in the 一级指标 labels are kept here, each with the
cell it came from (an A1 address in the table's grid; :meth:`Grid.place` says it in the table's own terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Project
from ..problems import Problem
from .grid import Grid


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure the unit wrote: its value, the text as written, and its cell."""

    value: Decimal | str
    text: str
    cell: str


@dataclass(slots=True)
class UnitFigures:
    rate: Figure | None = None  # 执行率, in percentage points
    execution_score: Figure | None = None
    weights_total: Figure | None = None  # the 100 after 总分
    total: Figure | None = None
    grade: Figure | None = None
    weight_labels: list[tuple[str, Figure]] = field(default_factory=list)  # (一级指标, its weight in the label)

    def own_scores(self, project: Project) -> list[Decimal]:
        """The unit's own scores: each indicator row's 得分 and the execution 得分, where written."""
        scores = [ind.self_score for ind in project.indicators if ind.self_score is not None]
        if self.execution_score is not None:
            scores.append(self.execution_score.value)
        return scores


@dataclass
class OfficialTable:
    """One official table read: the project, the unit's figures, and what stopped a value from being read."""

    grid: Grid
    project: Project
    unit: UnitFigures
    problems: list[Problem]  # cells as A1 addresses of the grid
    has_weights: bool = True
    has_reason_column: bool = False  # the 项目资金 block has a 原因 column

    @property
    def part(self) -> str:
        return self.grid.part
