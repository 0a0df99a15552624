"""Tables in a sheet: the header row found by its labels, merged ranges below it, the rows of the table."""

from __future__ import annotations

from typing import Any

from ..cells import a1, split_label
from ..parse import cell_text
from .grid import Grid, fill_down, range_text
from .values import CellReader
from .vocabulary import ALIASES

HEADER_SEARCH_ROWS = 30  # the header row must be among the first rows of a sheet


class TableReader(CellReader):
    """Finds a sheet's table and walks its rows."""

    def header(self, grid: Grid, required: tuple[str, ...], optional: tuple[str, ...] = ()
               ) -> tuple[int, dict[str, int], dict[str, str]] | None:
        """(header row, label -> column, label -> unit in brackets); None with a problem when not found."""
        wanted = required + optional
        best: tuple[int, dict[str, int]] = (-1, {})
        for r in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
            cols, units = {}, {}
            for c, raw in enumerate(grid.rows[r]):
                label, unit = split_label(raw) if isinstance(raw, str) else ("", "")
                if not label:
                    continue
                for std in wanted:
                    if std not in cols and label in ALIASES.get(std, (std,)):
                        cols[std], units[std] = c, unit
            if all(k in cols for k in required):
                return r, cols, units
            hits = sum(k in cols for k in required)
            if hits > len(best[1]) and hits >= 2:
                best = (r, {k: cols[k] for k in required if k in cols})
        if best[0] >= 0:
            missing = [k for k in required if k not in best[1]]
            self.problem("header-missing", f"表头第 {best[0] + 1} 行缺少必填列：{'、'.join(missing)}。"
                         "请按标准模板填写列名。", grid.name, f"{best[0] + 1}:{best[0] + 1}")
        else:
            self.problem("header-missing", f"找不到表头行（应含列名：{'、'.join(required)}）。请使用标准填报模板。",
                         grid.name)
        return None

    def merges(self, grid: Grid, header_row: int, cols: dict[str, int], grouping: tuple[str, ...] = (),
               figures: tuple[str, ...] = ()) -> None:
        """Merged ranges below the header: filled down in grouping columns; in a figure column the figure counts
        once, at the range's first row, with a warning naming the range."""
        group_cols = {cols[k] for k in grouping if k in cols}
        figure_cols = {cols[k]: k for k in figures if k in cols}
        for merged in grid.merged:
            (r0, c0), (r1, c1) = merged
            if r0 <= header_row:
                continue
            spanned = range(c0, c1 + 1)
            if group_cols.intersection(spanned):
                fill_down(grid.rows, merged, group_cols.intersection(spanned))
            labels = [figure_cols[c] for c in spanned if c in figure_cols]
            if not labels:
                continue
            grid.covered |= {(r, c) for r in range(r0, r1 + 1) for c in spanned
                             if c in figure_cols and (r, c) != (r0, c0)}
            value = cell_text(grid.get(r0, c0)) or "空白"
            self.problem("merged-figure", f"{'、'.join(labels)}的合并单元格 {range_text(merged)} 只算一个数字"
                         f"（{value}），计入 {a1(r0, c0)} 一次，合并范围内的其他单元格不计。如各行有各自的数字，"
                         "请取消合并后逐行填写。", grid.name, range_text(merged), grid.get(r0, c0))

    def table_rows(self, grid: Grid, header_row: int, cols: dict[str, int]):
        """Row indices below the header with anything in the table's columns (blank rows are skipped)."""
        used = list(cols.values())
        for r in range(header_row + 1, len(grid.rows)):
            row = grid.rows[r]
            if any(c < len(row) and cell_text(row[c]) for c in used) or any(
                    a1(r, c) in grid.no_value for c in used):
                yield r

    def required_value(self, grid: Grid, r: int, c: int, what: str, value: Any) -> None:
        if (r, c) in grid.covered:
            return  # a merged figure: reported as such
        if value in ("", None) and a1(r, c) not in grid.no_value:  # a formula without value is reported as such
            self.problem("value-missing", f"{what}未填写。", grid.name, a1(r, c))

    def unit_of(self, grid: Grid, header_row: int, col: int, unit: str, default: str) -> str | None:
        unit = unit or default
        if unit in ("元", "万元", "亿元"):
            return unit
        self.problem("unit-unknown", f"表头中的金额单位“{unit}”无法识别，应为元、万元或亿元。", grid.name,
                     a1(header_row, col), unit)
        return None
