"""Outputs for one project: the official 项目支出绩效自评表 (:mod:`.table`) and the narrative 绩效自评报告
(:mod:`.report`, Word and Markdown; its Word fast path in :mod:`.fastdocx`), the audit of an official table
(:mod:`.audit`). The small helpers they share are in :mod:`.common`.
"""

from __future__ import annotations

from .common import (clean, display_width, filled_on, number_format, row_height, shown_actual, with_unit,
                     wrapped_lines)
from .report import ReportTemplateError, render_docx, render_markdown, report_context
from .table import write_table

__all__ = ["write_table", "report_context", "render_markdown", "render_docx", "ReportTemplateError", "clean",
           "with_unit", "shown_actual", "number_format", "display_width", "wrapped_lines",
           "row_height", "filled_on"]
