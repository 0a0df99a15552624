"""The reviewers' worksheet (复核底稿.xlsx) of a sample: 抽查名单 and 复核底稿, with very hidden copies.

The sheet is not protected (Excel cannot sort or filter locked cells on a protected sheet): the read-only columns
are shown grey, the reviewer's three columns yellow, and a hidden key per row with a very hidden copy of the
values lets the collector join rows however they were sorted and find any change to a read-only value.
"""

from __future__ import annotations

from pathlib import Path

from ..fileio import atomic_path
from .layout import (KEY, LIST_COLUMNS, LIST_COPY_COLUMNS, OPEN, READONLY, ROW_COLUMNS, ROWS_COPY_COLUMNS,
                     SHEET_LIST, SHEET_LIST_COPY, SHEET_ROWS, SHEET_ROWS_COPY, IDENTITY, list_row, project_rows,
                     row_key, shown)
from .model import Sample
from .xlsx import Formats, open_workbook, write_table

SEED_PROPERTY = "perfeval-review-seed"
INSTRUCTION = ("填写说明：灰色各列为被抽查单位填报的内容和规则评分，只读，请勿修改（修改后汇总时会报错）；黄色三列由复核人"
               "填写：“复核完成值”记录核实的实际完成情况，“复核得分”为复核认定的得分（0 至分值，每行必填，认可原得分"
               "请照抄规则得分），低于规则得分时必须在“扣分原因”中说明。可以排序、筛选、调整列宽或隐藏列，但请勿删除行、"
               "插入行或修改隐藏列。")


def worksheet_rows(sample: Sample) -> list[dict[str, object]]:
    """Every row of 复核底稿, in the order drawn, each with its key and its project's identity."""
    rows = []
    for number, drawn in enumerate(sample.drawn, start=1):
        for index, row in enumerate(project_rows(drawn.project)):
            rows.append(row | {KEY: row_key(number, index), IDENTITY: drawn.project.identity})
    return rows


def write_worksheet(path: str | Path, sample: Sample) -> Path:
    """Write the worksheet of ``sample`` to ``path`` (atomically)."""
    path = Path(path)
    rows = worksheet_rows(sample)
    listed = [list_row(n, drawn, sample.seed) for n, drawn in enumerate(sample.drawn, start=1)]
    with atomic_path(path) as tmp:
        wb = open_workbook(tmp, "项目支出绩效抽查复核底稿")
        wb.set_custom_property(SEED_PROPERTY, str(sample.seed))
        formats = Formats(wb)
        ws = wb.add_worksheet(SHEET_LIST)
        ws.write_string(0, 0, f"抽查名单：按{sample.by}分层抽取 {len(sample.drawn)} 个项目，随机种子 {sample.seed}"
                              "（用同一种子可重新抽出同一名单）", formats.title)
        write_table(ws, formats, LIST_COLUMNS, listed, first_row=1)
        _rows_sheet(wb, formats, rows)
        for name, columns, values in ((SHEET_LIST_COPY, LIST_COPY_COLUMNS, listed),
                                      (SHEET_ROWS_COPY, ROWS_COPY_COLUMNS, rows)):
            copy = wb.add_worksheet(name)
            for col, c in enumerate(columns):
                copy.write_string(0, col, c.label)
            for r, row in enumerate(values, start=1):
                for col, c in enumerate(columns):
                    copy.write_string(r, col, shown(c.kind, row.get(c.label)))
            copy.very_hidden()
        wb.close()
    return path


def _rows_sheet(wb, formats: Formats, rows: list[dict]) -> None:
    ws = wb.add_worksheet(SHEET_ROWS)
    ws.merge_range(0, 0, 0, len(ROW_COLUMNS) - 2, INSTRUCTION, formats.note)
    ws.set_row(0, 45)
    styles = {c.label: "readonly" for c in READONLY} | {c.label: "open" for c in OPEN}
    n = write_table(ws, formats, ROW_COLUMNS, rows, first_row=1, styles=styles)
    key = len(ROW_COLUMNS) - 1
    ws.set_column(key, key, 10, None, {"hidden": True})
    last = 1 + max(n, 1)
    for col, c in enumerate(ROW_COLUMNS[:-1]):
        message = (f"复核人填写：{c.label}" if c in OPEN else "只读：请勿修改（修改后汇总时会报错）")
        ws.data_validation(2, col, last, col, {"validate": "any", "input_title": c.label[:32],
                                               "input_message": message})
    ws.activate()
