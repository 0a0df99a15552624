"""Every cell format of the template workbook, created once per workbook."""

from __future__ import annotations

from typing import Any

import xlsxwriter

from .guide import LEGEND
from .locks import APPROVED_FILL
from .layout import CHECK_FILL, CHECK_TITLE_FILL, HEADER_FILL, INPUT_FILL, OK_FILL, REQUIRED_FILL

# ---- formats -----------------------------------------------------------------------------------------------


class Formats:
    """Every cell format of the workbook, created once."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"valign": "vcenter", "border": 1, "border_color": "#A6A6A6"}
        inp = {**base, "bg_color": INPUT_FILL, "locked": False, "valign": "top", "text_wrap": True}
        check = {**base, "bg_color": CHECK_FILL, "locked": True, "align": "center"}
        self.unlocked = wb.add_format({"locked": False})
        self.title = wb.add_format({"bold": True, "font_size": 16, "valign": "vcenter"})
        self.intro = wb.add_format({"font_color": "#595959", "text_wrap": True, "valign": "vcenter"})
        self.hint_required = wb.add_format(
            {"font_size": 9, "font_color": "#C00000", "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        self.hint_optional = wb.add_format(
            {"font_size": 9, "font_color": "#808080", "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        head = {**base, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True}
        self.header = wb.add_format({**head, "align": "center"})
        self.label = wb.add_format(head)
        self.label_hint = wb.add_format({**base, "font_color": "#595959", "font_size": 9, "text_wrap": True})
        self.input = {
            "text": wb.add_format(inp),
            "long": wb.add_format(inp),
            "amount": wb.add_format({**inp, "num_format": "0.00"}),
            "count": wb.add_format(inp),
            "score": wb.add_format(inp),
            "date": wb.add_format({**inp, "num_format": "yyyy-mm-dd"}),
        }
        self.check_title = wb.add_format({**check, "bold": True, "bg_color": CHECK_TITLE_FILL})
        self.check_label = wb.add_format({**check, "font_size": 9, "text_wrap": True})
        self.required = wb.add_format({"bg_color": REQUIRED_FILL})
        self.bad = wb.add_format({"font_color": "#C00000", "bold": True})
        self.good = wb.add_format({"bg_color": OK_FILL})
        self.guide_head = wb.add_format({**base, "bold": True, "bg_color": HEADER_FILL, "valign": "top"})
        self.guide_text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.version = wb.add_format({"bold": True})
        self.legend = {fill: wb.add_format({**base, "bg_color": fill}) for fill, _ in LEGEND}
        self._wb, self._check, self._input = wb, check, inp
        self._approved: dict[str, Any] = {}
        self._check_values: dict[str, Any] = {}

    def approved(self, kind: str):
        """An input format, locked and in the approved colour (prepared workbooks only: created when first used)."""
        if kind not in self._approved:
            number = {"amount": {"num_format": "0.00"}, "date": {"num_format": "yyyy-mm-dd"}}.get(kind, {})
            self._approved[kind] = self._wb.add_format(
                {**self._input, **number, "bg_color": APPROVED_FILL, "locked": True})
        return self._approved[kind]

    def check_value(self, num_format: str):
        if num_format not in self._check_values:
            self._check_values[num_format] = self._wb.add_format({**self._check, "num_format": num_format})
        return self._check_values[num_format]

