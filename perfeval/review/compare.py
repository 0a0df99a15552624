"""The review against the rule: per project, per 主管部门, and every deduction (pure).

Scores are compared as the worksheet shows them: a project's difference is the sum over its rows of 复核得分 −
规则得分 (both with two decimals), so a reviewer who copies every rule score has deducted nothing; the review total
is the rule total plus that difference. A project is compared only when every one of its rows is whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..config import Config
from ..scoring import grade_of
from .collect import Collected, Listed, Reviewed

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ProjectComparison:
    project: Listed
    review_total: Decimal | None  # None when some row is not whole
    difference: Decimal | None  # review − rule
    grade_after: str
    beyond: bool  # |difference| > threshold
    open_rows: int  # rows with a problem or missing

    @property
    def compared(self) -> bool:
        return self.difference is not None


@dataclass(frozen=True, slots=True)
class DepartmentComparison:
    department: str
    projects: int  # compared
    mean_rule: Decimal
    mean_review: Decimal
    mean_difference: Decimal
    beyond: int


@dataclass(frozen=True, slots=True)
class Deduction:
    """A whole row the reviewer scored lower than the rule."""

    project: Listed
    row: Reviewed

    @property
    def amount(self) -> Decimal:
        return self.row.rule - self.row.review


@dataclass(frozen=True)
class Comparison:
    projects: tuple[ProjectComparison, ...]
    departments: tuple[DepartmentComparison, ...]
    deductions: tuple[Deduction, ...]
    threshold: Decimal


def _project(listed: Listed, rows: list[Reviewed], config: Config, threshold: Decimal) -> ProjectComparison:
    open_rows = sum(1 for r in rows if not r.whole)
    if open_rows or not rows or listed.total is None or any(r.rule is None for r in rows):
        return ProjectComparison(listed, None, None, "", False, open_rows)
    difference = sum((r.review - r.rule for r in rows), ZERO)
    total = listed.total + difference
    return ProjectComparison(listed, total, difference, grade_of(total, config), abs(difference) > threshold, 0)


def _department(name: str, compared: list[ProjectComparison]) -> DepartmentComparison:
    n = Decimal(len(compared))
    rule = sum((c.project.total for c in compared), ZERO)
    review = sum((c.review_total for c in compared), ZERO)
    return DepartmentComparison(name, len(compared), rule / n, review / n, (review - rule) / n,
                                sum(1 for c in compared if c.beyond))


def compare(collected: Collected, config: Config) -> Comparison:
    threshold = config.number("review", "threshold")
    rows: dict[str, list[Reviewed]] = defaultdict(list)
    for row in collected.rows:
        rows[row.identity].append(row)
    projects = [_project(listed, rows.get(listed.identity, []), config, threshold) for listed in collected.projects]
    by_department: dict[str, list[ProjectComparison]] = defaultdict(list)
    for c in projects:
        if c.compared:
            by_department[c.project.department].append(c)
    departments = tuple(_department(name, by_department[name]) for name in sorted(by_department))
    deductions = tuple(Deduction(listed, r) for listed in collected.projects for r in rows.get(listed.identity, [])
                       if r.whole and r.rule is not None and r.review < r.rule)
    return Comparison(tuple(projects), departments, deductions, threshold)

