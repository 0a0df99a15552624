"""Drawable projects made by hand, and a reviewer filling a 复核底稿 with openpyxl."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import openpyxl

from perfeval.review.model import DrawableProject, IndicatorRow

HEADER_ROW = 2  # under the instruction row


def project(identity: str, department: str, unit: str = "", flags: tuple[str, ...] = (),
            scores: tuple[str, ...] = ("50", "28", "10"), rate: str = "0.95") -> DrawableProject:
    weights = ("50", "30", "10")
    rows = tuple(IndicatorRow(level1, level2, f"{identity}指标{n}", "正向", f"≥{n}0", f"{n}2", D(w), None, D(s))
                 for n, (level1, level2, w, s) in enumerate(zip(("产出指标", "效益指标", "满意度指标"),
                                                               ("数量指标", "社会效益指标", "服务对象满意度指标"),
                                                               weights, scores), start=1))
    execution = D(10) * D(rate)
    total = execution + sum((D(s) for s in scores), D(0))
    return DrawableProject(identity, "2025", department, unit or f"{identity}单位", f"{identity}项目", total, "优",
                           D(rate), D(10), execution, flags=flags, indicators=rows)


def sheet_rows(path: Path) -> tuple[dict[str, int], list[dict[str, object]]]:
    """The 复核底稿 sheet's columns (label -> 1-based column) and its data rows as dicts."""
    ws = openpyxl.load_workbook(path)["复核底稿"]
    header = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    rows = [{label: ws.cell(r, col).value for label, col in header.items()}
            for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    return header, rows


def fill(path: Path, target: Path, change=None, *, reverse: bool = True, hide: str = "主管部门") -> Path:
    """Fill a worksheet as a reviewer would: every 复核得分 the rule's (copied as typed, 9.5 → 9.5), then
    ``change(row)`` on each row dict (lower a score with a reason…); the rows re-sorted (reversed) and a column
    hidden. Returns ``target``."""
    wb = openpyxl.load_workbook(path)
    ws = wb["复核底稿"]
    header = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    rows = []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        row = {label: ws.cell(r, col).value for label, col in header.items()}
        row["复核得分"] = row["规则得分"]
        if change:
            change(row)
        rows.append(row)
    if reverse:
        rows.reverse()
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for label, col in header.items():
            ws.cell(r, col).value = row.get(label)
    letter = openpyxl.utils.get_column_letter(header[hide])
    ws.column_dimensions[letter].hidden = True
    ws.column_dimensions["D"].width = 60  # widened
    wb.save(target)
    return target


def cell_of(path: Path, key: str, label: str) -> str:
    """The A1 cell of one row (by its key) and column (by its label) in a filled worksheet."""
    header, rows = sheet_rows(path)
    row = next(n for n, r in enumerate(rows, start=HEADER_ROW + 1) if r["复核键"] == key)
    return f"{openpyxl.utils.get_column_letter(header[label])}{row}"
