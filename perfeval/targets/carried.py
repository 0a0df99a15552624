"""The approved values inside a prepared workbook: a very hidden sheet, and the id column of 绩效指标.

The sheet holds text rows: a mark row (:data:`MARK`, format version, the targets file and cell), one ``项目`` row per
identity label, one ``资金`` row per funding source (万元), one ``指标`` row per approved indicator (id, then the
approved values in :data:`INDICATOR_COLUMNS` order). Reading it back gives an :class:`ApprovedProject`, so that a
returned workbook can be compared even when the bureau does not pass the targets list again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..model import SHEET_INDICATORS
from ..parse import cell_text
from ..cells import label_of
from ..reader import _Reader
from ..reader.tables import HEADER_SEARCH_ROWS
from ..template import ID_HEADER
from .model import IDENTITY_LABELS, ApprovedIndicator, ApprovedProject

SHEET = "审定目标"
MARK = "perfeval审定目标"
VERSION = "1"
INDICATOR_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "计量单位", "分值")


def carried_rows(project: ApprovedProject) -> tuple[tuple[str, ...], ...]:
    rows = [(MARK, VERSION, project.file, f"{project.sheet}!{project.cell}")]
    rows += [("项目", label, project.info.get(label, "")) for label in IDENTITY_LABELS]
    rows += [("资金", source, f"{amount:f}") for source, amount in project.budget.items()]
    for ind in project.indicators:
        values = [cell_text(ind.value(label)) if ind.value(label) is not None else "" for label in INDICATOR_COLUMNS]
        rows.append(("指标", ind.id, *values))
    return tuple(rows)


def read_returned(path: Path, name: str) -> tuple[ApprovedProject | None, dict[int, str]]:
    """(the approved project carried by the workbook or None, 绩效指标 Excel row number -> approved id)."""
    reader = _Reader(path, name)
    book = reader.open()
    if book is None:
        return None, {}
    try:
        names = {s.name for s in book.sheets_metadata}
        carried = _project(book.get_sheet_by_name(SHEET).to_python(), name) if SHEET in names else None
        indicators = next((n for n in names if label_of(n) == SHEET_INDICATORS), None)
        ids = _ids(book.get_sheet_by_name(indicators).to_python()) if indicators else {}
    except Exception:  # a damaged carried sheet is as good as none; the reader reports the workbook's own damage
        return None, {}
    finally:
        book.close()
    return carried, ids


def _ids(rows: list[list]) -> dict[int, str]:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for c, value in enumerate(row):
            if value == ID_HEADER:
                return {n + 1: cell_text(below[c]) for n, below in enumerate(rows) if n > r and c < len(below)
                        and cell_text(below[c])}
    return {}


def _project(rows: list[list], name: str) -> ApprovedProject | None:
    rows = [[cell_text(v) for v in row] + [""] * 9 for row in rows]
    if not rows or rows[0][0] != MARK:
        return None
    file, where = rows[0][2], rows[0][3]
    sheet, _, cell = where.partition("!")
    project = ApprovedProject(file or name, sheet, cell)
    for row in rows[1:]:
        kind = row[0]
        if kind == "项目":
            project.info[row[1]] = row[2]
        elif kind == "资金":
            try:
                project.budget[row[1]] = Decimal(row[2])
            except InvalidOperation:
                continue
        elif kind == "指标":
            values = dict(zip(INDICATOR_COLUMNS, row[2:]))
            try:
                weight = Decimal(values["分值"]) if values["分值"] else None
            except InvalidOperation:
                weight = None
            project.indicators.append(ApprovedIndicator(
                row[1], values["一级指标"], values["二级指标"], values["三级指标"], values["年度指标值"],
                values["指标性质"], values["计量单位"], weight))
    return project
