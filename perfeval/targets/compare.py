"""On return: a workbook against its approved targets (targets.md, "On return: what was changed").

The workbook is joined to its approved project by its very hidden sheet first, then by identity; with a targets
list, the list's values are the approved ones (a tampered hidden sheet changes nothing). Rows are joined by their
approved id (by 三级指标 name in a workbook without ids). Values are compared as read — operator, number and unit
parsed, money converted — so ``≥95%`` and ``＞＝95%`` are the same target. Removing the protection alone is no
problem: only values are compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from ..identity import name_key, normalise_name, normalise_year, project_identity
from ..model import SHEET_FUNDING, SHEET_INDICATORS, SHEET_INFO, Indicator, Project
from ..parse import ParseError, _nature_op, canonical_unit, cell_text, normalize, parse_target
from ..problems import Problem
from ..cells import parse_a1
from .carried import SHEET as CARRIED_SHEET
from .carried import read_returned
from .model import IDENTITY_LABELS, ApprovedIndicator, ApprovedProject, Targets, standard_levels

FIELD_LABELS = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "nature": "指标性质",
                "target": "年度指标值", "unit": "计量单位", "weight": "分值"}


def returned_to(path: Path, name: str, project: Project, targets: Targets | None = None,
                sheet_names: tuple[str, ...] = ()) -> tuple[ApprovedProject | None, list[Problem]]:
    """The approved project a returned workbook answers — joined by its very hidden sheet first, then by identity
    (targets.md, "On return") — and the changes of its approved values, each at its cell with both values;
    (None, []) when it answers none. ``sheet_names``: the workbook's sheets, as the reader found them (without a
    targets list, only a workbook carrying the approved values is opened again)."""
    if targets is None and CARRIED_SHEET not in sheet_names:
        return None, []
    carried, ids = read_returned(path, name)
    approved = None
    if targets is not None:
        keys = [carried.identity, carried.name_key] if carried else []
        info = project.info
        keys += [project_identity(project), name_key(info.get("评价年度"), info.get("实施单位"), info.get("项目名称"))]
        approved = targets.find(*keys)
    approved = approved or carried
    if approved is None:
        return None, []
    return approved, list(_Comparison(name, project, approved, ids).problems())


class _Comparison:
    def __init__(self, file: str, project: Project, approved: ApprovedProject, ids: dict[int, str]):
        self.file, self.project, self.approved, self.ids = file, project, approved, ids

    def problem(self, code: str, message: str, sheet: str, cell: str, found) -> Problem:
        text = cell_text(found) if found not in (None, "") else "（空）"
        return Problem(code, message, self.file, sheet, cell, text)

    def problems(self) -> Iterator[Problem]:
        yield from self.identity()
        yield from self.budget()
        yield from self.indicators()

    # -- 基本信息 --
    def identity(self) -> Iterator[Problem]:
        for label in IDENTITY_LABELS:
            approved = self.approved.info.get(label, "")
            if not approved:
                continue
            found = self.project.info.get(label, "")
            if label == "项目编码" and not found.strip():
                continue  # a workbook without the code (template 1.0) is joined by year, unit and name
            same = normalise_year if label == "评价年度" else normalise_name
            if same(found) != same(approved):
                yield self.problem("approved-identity-changed", f"“{label}”与批复不一致：批复为“{approved}”，现为“{found}”。"
                                   "请恢复为批复的内容。", SHEET_INFO, self.project.info_cells.get(label, ""), found)

    # -- 资金情况 --
    def budget(self) -> Iterator[Problem]:
        sources = list(self.approved.budget) + [r.source for r in self.project.funding
                                                if r.source not in self.approved.budget and r.initial is not None]
        for source in dict.fromkeys(sources):
            rows = [r for r in self.project.funding if r.source == source]
            found = sum((r.initial or Decimal(0) for r in rows), Decimal(0))
            approved = self.approved.budget.get(source, Decimal(0))
            if found != approved:
                cell = rows[0].cells.get("initial", rows[0].cells.get("source", "")) if rows else ""
                yield self.problem("approved-budget-changed", f"{source}的年初预算数与批复不一致：批复为 {approved:f} 万元，"
                                   f"现为 {found:f} 万元。年初预算数应与批复一致，年中调整请填在全年预算数中。",
                                   SHEET_FUNDING, cell, f"{found:f}")

    # -- 绩效指标 --
    def indicators(self) -> Iterator[Problem]:
        approved = {ind.id: ind for ind in self.approved.indicators}
        joined: dict[str, Indicator] = {}
        by_name = {normalise_name(ind.name): ind for ind in self.approved.indicators}
        for found in self.project.indicators:
            row_id = self.ids.get(parse_a1(found.cells["name"])[0] + 1, "") if self.ids else ""
            if not self.ids:  # a workbook without ids (not prepared): joined by 三级指标
                match = by_name.get(normalise_name(found.name))
                row_id = match.id if match else ""
            if row_id in approved and row_id not in joined:
                joined[row_id] = found
                yield from self.changed(approved[row_id], found)
            else:
                yield self.problem("indicator-not-approved", f"指标“{found.name}”不在批复的绩效目标中（新增的指标）。"
                                   "如确属批复后调整，请附上调整依据。", SHEET_INDICATORS, found.cells.get("name", ""),
                                   found.name)
        for row_id, ind in approved.items():
            if row_id not in joined:
                yield self.problem("approved-indicator-deleted", f"批复的指标“{ind.level1}/{ind.level2}/{ind.name}”"
                                   f"（年度指标值 {cell_text(ind.target)}）被删除了。请恢复该行并填写实际完成值。",
                                   SHEET_INDICATORS, self.table_range(), None)

    def table_range(self) -> str:
        cells = [ind.cells["name"] for ind in self.project.indicators if ind.cells.get("name")]
        return f"{cells[0]}:{cells[-1]}" if cells else ""

    def changed(self, approved: ApprovedIndicator, found: Indicator) -> Iterator[Problem]:
        for field, label in FIELD_LABELS.items():
            if field == "weight" and approved.weight is None:
                continue  # not approved: the unit fills it
            if not self.same(field, approved, found):
                was, now = getattr(approved, field), getattr(found, field)
                yield self.problem("approved-target-changed", f"指标“{approved.name}”的{label}与批复不一致：批复为"
                                   f"“{_shown(was)}”，现为“{_shown(now)}”。请恢复为批复值，并按批复的目标填写完成情况。",
                                   SHEET_INDICATORS, found.cells.get(field, ""), now)

    def same(self, field: str, approved: ApprovedIndicator, found: Indicator) -> bool:
        if field in ("level1", "level2"):
            i = 0 if field == "level1" else 1
            return normalise_name(standard_levels(approved.level1, approved.level2)[i]) == normalise_name(
                standard_levels(found.level1, found.level2)[i])
        if field == "name":
            return normalise_name(approved.name) == normalise_name(found.name)
        if field == "nature":
            return _nature(approved.nature) == _nature(found.nature)
        if field == "unit":
            return canonical_unit(normalize(approved.unit)) == canonical_unit(normalize(found.unit))
        if field == "weight":
            return found.weight is not None and found.weight == approved.weight
        return self.target(approved) == self.target(found)

    def target(self, ind) -> tuple:
        year = self.project.year
        try:
            v = parse_target(ind.target, ind.nature, ind.unit, year, ind.level2 == "时效指标")
        except ParseError:
            return ("unreadable", normalize(cell_text(ind.target)))
        if v.kind == "text":
            return (v.kind, normalize(v.text))
        return (v.kind, v.op, v.number, v.unit, v.date)


def _nature(text: str) -> tuple:
    try:
        return _nature_op(text)
    except ParseError:
        return ("?", normalize(text))


def _shown(value) -> str:
    return cell_text(value) if value not in (None, "") else "（空）"
