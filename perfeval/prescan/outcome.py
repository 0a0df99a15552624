"""What a pre-scan gives: the file's real format (its kind) and problems, or a refusal that says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..problems import Problem

KIND_XLSX, KIND_XLS, KIND_ODS, KIND_DOCX = "xlsx", "xls", "ods", "docx"
EXTENSIONS = {KIND_XLSX: (".xlsx", ".xlsm"), KIND_XLS: (".xls",), KIND_ODS: (".ods",), KIND_DOCX: (".docx",)}
FORMAT_NAMES = {KIND_XLSX: "Excel 工作簿（.xlsx）", KIND_XLS: "Excel 97-2003 工作簿（.xls）",
                KIND_ODS: "OpenDocument 电子表格（.ods）", KIND_DOCX: "Word 文档（.docx）"}


class Refused(Exception):
    """The file cannot be read safely; ``problem`` says why."""

    def __init__(self, code: str, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.code, self.message, self.sheet, self.cell = code, message, sheet, cell


@dataclass
class Prescan:
    """What the pre-scan found: the real format, or None when the file must not be parsed."""

    kind: str | None
    problems: list[Problem] = field(default_factory=list)
    sheet_cells: dict[str, int] = field(default_factory=dict)  # sheet -> cell area found (for tests, bench)
    # sheet -> merged ranges ((r0, c0), (r1, c1)), for formats whose merges calamine does not report (ods)
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)
    saved_at: datetime | None = None  # when the workbook says it was last saved (local time), if it says so

    @property
    def ok(self) -> bool:
        return self.kind is not None


def not_sheet(what: str) -> Refused:
    """The refusal of a document that is not a spreadsheet (``what`` it is)."""
    return Refused("file-not-spreadsheet", f"这是{what}，不是电子表格。请提交用标准填报模板填写的工作簿（.xlsx）。")


ENTITY_MESSAGE = ("文件的部件 {part} 含有 XML 文档类型或实体声明（<!DOCTYPE、<!ENTITY），Excel、WPS 保存的文件不会有，"
                  "可能是恶意构造的文件，为安全起见未读取。请用 Excel 或 WPS 打开后重新保存再提交。")
