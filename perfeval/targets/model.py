"""An approved project as the budget approved it: its identity, its 年初预算数 by source, its indicators.

Every value keeps where it came from (``sheet!A1`` in ``cells``), so that every problem points at the cell to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..identity import Identity, identity, name_key
from ..model import SOURCE_CURRENT

# 基本信息 labels a prepared workbook takes from the targets, in the template's order.
INFO_FROM_TARGETS = ("评价年度", "项目名称", "项目编码", "主管部门", "实施单位", "联系人", "联系电话", "联系邮箱",
                     "项目背景", "年度总体目标")
IDENTITY_LABELS = ("评价年度", "主管部门", "实施单位", "项目名称", "项目编码")
INDICATOR_FIELDS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "指标性质": "nature",
                    "年度指标值": "target", "计量单位": "unit", "分值": "weight"}

# Older and provincial level-1 names (domain.md), read as the standard ones.
OLD_LEVEL1 = {"项目完成指标": "产出指标", "项目效益指标": "效益指标"}
SATISFACTION_LEVEL2 = ("服务对象满意度指标", "满意度指标")


def standard_levels(level1: str, level2: str) -> tuple[str, str]:
    """(一级指标, 二级指标) with the older names read as the standard ones."""
    if level1 == "项目效益指标" and level2 in SATISFACTION_LEVEL2:
        return "满意度指标", "服务对象满意度指标"
    return OLD_LEVEL1.get(level1, level1), level2


@dataclass(slots=True)
class ApprovedIndicator:
    id: str  # stable within its project: ZB001, ZB002 … in the approved order
    level1: str
    level2: str
    name: str
    target: Any  # 年度指标值 as read (text, or a number or date the cell held)
    nature: str = ""
    unit: str = ""
    weight: Decimal | None = None  # None: not approved, the unit fills it
    cells: dict[str, str] = field(default_factory=dict)  # field -> "sheet!A1"

    def value(self, label: str) -> Any:
        return getattr(self, INDICATOR_FIELDS[label])


@dataclass(slots=True)
class ApprovedProject:
    file: str  # the targets file, as shown to people
    sheet: str
    cell: str  # where the project starts (its row in 项目, its 项目名称 in a 申报表)
    info: dict[str, str] = field(default_factory=dict)  # label -> text (INFO_FROM_TARGETS)
    info_cells: dict[str, str] = field(default_factory=dict)  # label -> "sheet!A1"
    budget: dict[str, Decimal] = field(default_factory=dict)  # funding source -> 年初预算数 in 万元
    budget_cells: dict[str, str] = field(default_factory=dict)
    indicators: list[ApprovedIndicator] = field(default_factory=list)
    problems: list = field(default_factory=list)  # the problems of this project (perfeval.problems.Problem)

    @property
    def has_errors(self) -> bool:
        """A project with an error gets no workbook."""
        return any(p.severity == "错误" for p in self.problems)

    @property
    def identity(self) -> Identity:
        i = self.info
        return identity(i.get("项目编码"), i.get("评价年度"), i.get("实施单位"), i.get("项目名称"))

    @property
    def name_key(self) -> Identity:
        return name_key(self.info.get("评价年度"), self.info.get("实施单位"), self.info.get("项目名称"))

    @property
    def origin(self) -> str:
        """Where the project is in its targets file: 目标清单.xlsx 项目!A5."""
        return f"{self.file} {self.sheet}!{self.cell}" if self.cell else f"{self.file} {self.sheet}"

    @property
    def title(self) -> str:
        i = self.info
        return f"{i.get('评价年度', '')} {i.get('实施单位', '')} {i.get('项目名称', '')}".strip()

    def number_indicators(self) -> None:
        for n, indicator in enumerate(self.indicators, start=1):
            indicator.id = f"ZB{n:03d}"

    def set_budget(self, total: Decimal | None, sources: dict[str, Decimal], total_cell: str,
                   source_cells: dict[str, str]) -> None:
        """年初预算数 by source; without any source figure, all of it is 当年财政拨款."""
        if sources:
            self.budget, self.budget_cells = dict(sources), dict(source_cells)
        elif total is not None:
            self.budget, self.budget_cells = {SOURCE_CURRENT: total}, {SOURCE_CURRENT: total_cell}


@dataclass
class Targets:
    """Approved projects from one or more targets files, and the problems found reading and checking them."""

    projects: list[ApprovedProject] = field(default_factory=list)
    problems: list = field(default_factory=list)  # perfeval.problems.Problem
    files: list[str] = field(default_factory=list)
    _index: dict | None = field(default=None, repr=False)
    _indexed: int = field(default=0, repr=False)

    def find(self, *identities: Identity) -> ApprovedProject | None:
        """The project with any of these identities (a code first, then the (year, unit, name) key)."""
        if self._index is None or self._indexed != len(self.projects):
            self._index, self._indexed = {}, len(self.projects)
            for project in self.projects:
                self._index.setdefault(project.name_key, project)
            for project in self.projects:
                self._index.setdefault(project.identity, project)
        for wanted in identities:
            if wanted in self._index:
                return self._index[wanted]
        return None
