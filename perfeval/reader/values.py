"""Values from cells: text cleaned, numbers parsed, each problem pointing at its cell."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable

from ..cells import a1
from ..parse import ParseError, cell_text, normalize, parse_number
from ..problems import Problem
from .grid import Grid

ZERO = Decimal(0)
EXCEL_CELL_CHARS = 32767  # the most an Excel cell holds; output workbooks cut longer texts

_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class CellReader:
    """Reads values from a grid's cells and collects the problems of one file."""

    def __init__(self, display_name: str):
        self.file = display_name
        self.problems: list[Problem] = []

    # -- problems --
    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", value: Any = None) -> None:
        text = None if value is None or value == "" else cell_text(value)
        self.problems.append(Problem(code, message, self.file, sheet, cell, text))

    # -- values --
    def without_value(self, grid: Grid, r: int, c: int) -> bool:
        """A formula cell with no cached value, reported once when the reader reads it (not for cells it ignores)."""
        ref = a1(r, c)
        if ref not in grid.no_value:
            return False
        if ref not in grid.reported:
            grid.reported.add(ref)
            self.problem("formula-no-value", "该单元格的公式没有计算结果（文件未在 Excel/WPS 中重新计算保存）。"
                         "请在 Excel 或 WPS 中打开、保存后重新提交，或直接填写数值。", grid.name, ref)
        return True

    def text(self, grid: Grid, r: int, c: int | None) -> str:
        if c is None:
            return ""
        raw = grid.get(r, c)
        if self.without_value(grid, r, c):
            return ""
        text = cell_text(raw)
        if _XML_FORBIDDEN.search(text):
            text = _XML_FORBIDDEN.sub("", text)
            self.problem("text-control-chars", "该单元格含有不可见的控制字符（常见于从其他系统复制的文字），已删除；"
                         "请检查内容是否完整。", grid.name, a1(r, c))
        if len(text) > EXCEL_CELL_CHARS:
            self.problem("text-truncated-in-output", f"该单元格的文字有 {len(text):,} 字，超过 Excel 单元格的上限 "
                         f"{EXCEL_CELL_CHARS:,} 字：生成的自评表等 Excel 文件中只保留前 {EXCEL_CELL_CHARS:,} 字（Word 报告中完整保留）。"
                         "请精简后重新提交。", grid.name, a1(r, c))
        return text

    def number(self, grid: Grid, r: int, c: int | None, what: str,
               parse: Callable[[Any], Decimal] = parse_number, covered: Decimal | None = ZERO) -> Decimal | None:
        """The cell's number; ``covered`` for a cell a merged range's first cell stands for (the figure counts
        once: 0 for an amount, None for a 自评得分)."""
        if c is None:
            return None
        if (r, c) in grid.covered:
            return covered
        raw = grid.get(r, c)
        if self.without_value(grid, r, c) or raw in ("", None):
            return None
        if isinstance(raw, str) and not normalize(raw):
            return None
        try:
            return parse(raw)
        except ParseError as exc:
            hint = exc.hint or "请只填写数字（如 32.9）"
            self.problem("number-unreadable", f"{what}无法识别为数字：{exc}。{hint}。", grid.name, a1(r, c), raw)
            return None


def parse_points(value: Any) -> Decimal:
    """分值, 自评得分 and 预算执行率分值: a number, perhaps followed by its unit, 分."""
    return parse_number(value, "分")
