"""Reading a filled 复核底稿 back: rows joined by their hidden key, problems at their cells.

The reviewer may have sorted, filtered, widened or hidden columns: columns are found by their header labels and
rows joined by the key, whatever their order. A read-only value is compared with the very hidden copy as the
worksheet shows it; a 复核得分 is taken as shown (two decimals, rounded half up).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from .. import fmt
from ..parse import cell_text
from ..problems import Problem
from . import ReviewError
from .layout import (IDENTITY, KEY, NOTE, OWN_TOTAL, READONLY, REASON, ROW_COLUMNS, RULE,
                     SCORE, SEED, SHEET_LIST_COPY, SHEET_ROWS, SHEET_ROWS_COPY, TOTAL, WEIGHT, figure, shown)

HEADER_SEARCH = 10  # rows searched for the header


@dataclass(frozen=True, slots=True)
class Listed:
    """A drawn project as the worksheet's hidden copy of 抽查名单 holds it."""

    identity: str
    year: str
    department: str
    unit: str
    name: str
    total: Decimal | None  # the rule's, as shown
    grade: str
    own_total: Decimal | None
    reason: str


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One row of the worksheet, its read-only values from the copy and the reviewer's from the sheet."""

    key: str
    identity: str
    level1: str
    level2: str
    level3: str
    weight: Decimal | None
    rule: Decimal | None  # the rule's 得分 as shown
    review: Decimal | None  # 复核得分 as shown; None when missing or unreadable
    reason: str
    note: str
    whole: bool  # found, with no problem


@dataclass(frozen=True)
class Collected:
    seed: str
    projects: tuple[Listed, ...]
    rows: tuple[Reviewed, ...]  # in the order drawn; a row deleted from the sheet is there, not whole
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _copy(wb, name: str) -> list[dict[str, str]]:
    if name not in wb.sheetnames:
        raise ReviewError(f"找不到隐藏的工作表“{name}”：这不是 perfeval review sample 写出的复核底稿，或已被另存为"
                          "其他格式。请用原复核底稿填写")
    rows = wb[name].iter_rows(values_only=True)
    header = [cell_text(v) for v in next(rows, ())]
    return [dict(zip(header, (cell_text(v) for v in row))) for row in rows if any(v is not None for v in row)]


def _listed(row: dict[str, str]) -> Listed:
    return Listed(row[IDENTITY], row["评价年度"], row["主管部门"], row["实施单位"], row["项目名称"], figure(row[TOTAL]),
                  row["等级"], figure(row[OWN_TOTAL]), row["抽取原因"])


def _header(ws) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and each label's column (1-based), found by the labels."""
    labels = {c.label for c in ROW_COLUMNS}
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SEARCH, values_only=True), start=1):
        found = {cell_text(v): c for c, v in enumerate(row, start=1) if cell_text(v) in labels}
        if KEY in found and SCORE in found:
            missing = [label for label in (REASON,) if label not in found]
            if missing:
                raise ReviewError(f"复核底稿缺少“{'、'.join(missing)}”列，无法汇总：请用原复核底稿填写")
            return r, found
    raise ReviewError(f"复核底稿工作表中找不到表头（“{SCORE}”“{KEY}”等列）：请勿删除表头或隐藏的复核键列")


def _reviewed(key: str, original: dict[str, str], review: Decimal | None, reason: str, note: str,
              whole: bool) -> Reviewed:
    return Reviewed(key, original[IDENTITY], original["一级指标"], original["二级指标"], original["三级指标"],
                    figure(original[WEIGHT]), figure(original[RULE]), review, reason, note, whole)


class _Reader:
    def __init__(self, file: str, originals: dict[str, dict[str, str]]):
        self.file = file
        self.originals = originals
        self.problems: list[Problem] = []
        self.rows: dict[str, Reviewed] = {}

    def problem(self, code: str, message: str, cell: str = "", value=None) -> None:
        self.problems.append(Problem(code, message, self.file, SHEET_ROWS, cell, None if value in (None, "") else
                                     str(value)))

    def row(self, cells: dict[str, object], coords: dict[str, str]) -> None:
        key = cell_text(cells.get(KEY))
        if not key:
            self.problem("review-key-unknown", "该行没有复核键（隐藏列“复核键”为空），不是抽查名单中的行：如是插入的行，"
                         "请删除，把内容写在原行中。", coords[KEY])
            return
        original = self.originals.get(key)
        if original is None or key in self.rows:
            why = "与前面一行重复（复制的行？）" if original is not None else "与抽查名单中的任何一行都对不上"
            self.problem("review-key-unknown", f"复核键“{key}”{why}：请删除该行，在原行中填写。", coords[KEY], key)
            return
        whole = self._readonly(cells, coords, original)
        review, whole = self._score(cells, coords, original, whole)
        self.rows[key] = _reviewed(key, original, review, cell_text(cells.get(REASON)), cell_text(cells.get(NOTE)),
                                   whole)

    def deleted(self, key: str, original: dict[str, str]) -> None:
        self.problem("review-score-missing", f"“{original['项目名称']}”的“{original['三级指标'] or original['一级指标']}”"
                     f"一行（复核键 {key}）不在复核底稿中，可能被删除：请从原复核底稿中恢复该行并填写复核得分。", value=key)
        self.rows[key] = _reviewed(key, original, None, "", "", False)

    def _readonly(self, cells, coords, original) -> bool:
        whole = True
        for c in READONLY:
            if c.label in coords and shown(c.kind, cells.get(c.label)) != original[c.label]:
                self.problem("review-readonly-changed", f"只读列“{c.label}”被修改：原为“{original[c.label]}”。请改回"
                             "原值；复核意见请写在“复核完成值”“复核得分”“扣分原因”中。", coords[c.label],
                             shown(c.kind, cells.get(c.label)))
                whole = False
        return whole

    def _score(self, cells, coords, original, whole: bool) -> tuple[Decimal | None, bool]:
        what = f"“{original['项目名称']}”的“{original['三级指标'] or original['一级指标']}”"
        raw = cells.get(SCORE)
        number = figure(raw)
        if number is None:
            why = "未填写" if cell_text(raw) == "" else f"“{cell_text(raw)}”不是数字"
            self.problem("review-score-missing", f"{what}的复核得分{why}：每行都须填写复核得分，认可原得分请照抄规则得分。",
                         coords[SCORE], raw)
            return None, False
        score = fmt.round_half_up(number, 2)
        weight, rule = figure(original[WEIGHT]), figure(original[RULE])
        if score < 0 or (weight is not None and score > weight):
            self.problem("review-score-out-of-range", f"{what}的复核得分 {fmt.score(score)} 超出范围：应在 0 至分值 "
                         f"{fmt.score(weight)} 之间。", coords[SCORE], fmt.score(score))
            return score, False
        if rule is not None and score < rule and not cell_text(cells.get(REASON)):
            self.problem("review-deduction-no-reason", f"{what}的复核得分 {fmt.score(score)} 低于规则得分 "
                         f"{fmt.score(rule)}，但未填写扣分原因：每一处扣分都须说明原因。", coords[REASON])
            return score, False
        return score, whole


def collect(path: str | Path, file: str | None = None) -> Collected:
    """Read a filled worksheet; ``file`` is its name as shown in problems (default: the path as given)."""
    path = Path(path)
    file = file or str(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise ReviewError(f"无法读取复核底稿 {file}：{exc}") from None
    listed = _copy(wb, SHEET_LIST_COPY)
    originals = {row[KEY]: row for row in _copy(wb, SHEET_ROWS_COPY)}
    projects = {row[IDENTITY]: _listed(row) for row in listed}
    if SHEET_ROWS not in wb.sheetnames:
        raise ReviewError(f"找不到工作表“{SHEET_ROWS}”：请勿重命名或删除该工作表")
    ws = wb[SHEET_ROWS]
    header, columns = _header(ws)
    reader = _Reader(file, originals)
    for row in ws.iter_rows(min_row=header + 1):
        cells = {label: row[col - 1].value if col - 1 < len(row) else None for label, col in columns.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        coords = {label: f"{get_column_letter(col)}{row[0].row}" for label, col in columns.items()}
        reader.row(cells, coords)
    for key, original in originals.items():
        if key not in reader.rows:
            reader.deleted(key, original)
    rows = tuple(reader.rows[k] for k in originals)
    seed = listed[0][SEED] if listed else ""
    return Collected(seed, tuple(projects.values()), rows, tuple(reader.problems))
