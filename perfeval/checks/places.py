"""Where a problem is: the standard sheet a real sheet name stands for, and the order problems are listed in."""

from __future__ import annotations

import difflib
from typing import Iterable

from .. import model as m
from ..cells import cell_position, sheet_label
from ..problems import SEVERITIES, Problem

SHEET_ORDER = (m.SHEET_GUIDE, m.SHEET_INFO, m.SHEET_GROUP, m.SHEET_FUNDING, m.SHEET_SPENDING, m.SHEET_INDICATORS,
               m.SHEET_VOLUMES)


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
