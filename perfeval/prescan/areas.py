"""The cell area of sheets, from their XML streamed through expat (xlsx, ods): calamine allocates the full rectangle
between a sheet's first and last cell, so an area past the limit is refused before it parses."""

from __future__ import annotations

import re
from xml.parsers import expat

from ..cells import a1, column_index
from .limits import MAX_BOOK_CELLS, MAX_SHEET_CELLS
from .outcome import ENTITY_MESSAGE, Prescan, Refused

class Box:
    """The rectangle spanned by the cells that hold something, 0-based, with the farthest cell seen."""

    def __init__(self) -> None:
        self.r0 = self.c0 = self.r1 = self.c1 = -1
        self.far = (0, 0)

    def add(self, r0: int, c0: int, r1: int | None = None, c1: int | None = None) -> None:
        r1, c1 = r0 if r1 is None else r1, c0 if c1 is None else c1
        if self.r0 < 0:
            self.r0, self.c0, self.r1, self.c1 = r0, c0, r1, c1
        else:
            self.r0, self.c0 = min(self.r0, r0), min(self.c0, c0)
            self.r1, self.c1 = max(self.r1, r1), max(self.c1, c1)
        if r1 + c1 > sum(self.far):
            self.far = (r1, c1)

    @property
    def cells(self) -> int:
        return 0 if self.r0 < 0 else (self.r1 - self.r0 + 1) * (self.c1 - self.c0 + 1)


class Area:
    """Streams one XML part through expat and keeps the cell area of each sheet in it.

    Expat, not a regular expression, so that quotes, comments and CDATA cannot hide a cell. The scan stops as
    soon as a sheet's area passes the limit. Declarations were refused before (the member scan), and expat is
    told not to read external or parameter entities anyway.
    """

    def __init__(self, part: str, sheet: str = "") -> None:
        self.part = part
        self.boxes: dict[str, Box] = {}
        self.box = self.boxes.setdefault(sheet, Box()) if sheet else Box()
        self.carry = b""
        self.eight_bit: bool | None = None
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        if type(self)._end is not Area._end:
            self.parser.EndElementHandler = self._end
        if type(self)._text is not Area._text:
            self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def feed(self, data: bytes, final: bool = False) -> None:
        # calamine reads control characters, raw or as character references, which XML 1.0 forbids and expat
        # refuses: they are taken out first (in an 8-bit encoding a byte below 0x20 is only ever such a character).
        data = self.carry + data
        if self.eight_bit is None:
            self.eight_bit = not data.startswith((b"\xff\xfe", b"\xfe\xff", b"<\0", b"\0<"))
        self.carry = b""
        if self.eight_bit:
            cut = data.rfind(b"&")
            if not final and cut >= 0 and b";" not in data[cut:] and len(data) - cut < 16:
                data, self.carry = data[:cut], data[cut:]
            data = _CONTROL_REF.sub(b"", data.translate(None, _CONTROL_BYTES))
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise Refused("file-unreadable", f"文件的部件 {self.part} 不是规范的 XML（第 {exc.lineno} 行出错），"
                          "可能已损坏或不是 Excel/WPS 保存的。请用 Excel 或 WPS 打开后重新保存再提交。") from None

    def _doctype(self, *args) -> None:
        raise Refused("file-xml-entities", ENTITY_MESSAGE.format(part=self.part))

    def _grown(self, box: Box, sheet: str) -> None:
        if box.cells > MAX_SHEET_CELLS:
            refuse_area(sheet, box)

    def _start(self, name: str, attrs: dict) -> None:
        raise NotImplementedError

    def _end(self, name: str) -> None:
        pass

    def _text(self, data: str) -> None:
        pass


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_CONTROL_REF = re.compile(rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attr(attrs: dict, local: str) -> str | None:
    for key, value in attrs.items():
        if key == local or key.endswith(":" + local):
            return value
    return None


_CELL_REF = re.compile(r"\s*([A-Za-z]*)\s*(\d*)")  # matches any text


class XlsxArea(Area):
    """Cells with a value (<v> or <is>) in a worksheet part; rows and cells without r="" count by position,
    as calamine counts them."""

    def __init__(self, part: str, sheet: str) -> None:
        super().__init__(part, sheet or part)
        self.sheet = sheet or part
        self.row, self.col = -1, -1
        self.pending: tuple[int, int] | None = None

    def _start(self, name: str, attrs: dict) -> None:
        # The hot path: one call per element of the sheet. A cell is pending from its <c> to the next <c>/<row>.
        name = name.rpartition(":")[2]
        if name == "c":
            ref = _CELL_REF.match(attrs.get("r") or _attr(attrs, "r") or "")
            self.col = column_index(ref[1]) if ref[1] else self.col + 1
            self.pending = (int(ref[2]) - 1 if ref[2] else max(self.row, 0), self.col)
        elif name == "v" or name == "is":
            if self.pending:
                self.box.add(*self.pending)
                self.pending = None
                if self.box.cells > MAX_SHEET_CELLS:
                    refuse_area(self.sheet, self.box)
        elif name == "row":
            ref = _CELL_REF.match(attrs.get("r") or _attr(attrs, "r") or "")
            self.row = int(ref[2]) - 1 if ref[2] else self.row + 1
            self.col = -1
            self.pending = None


class OdsArea(Area):
    """Cells of every table in content.xml, counting row and column repeats; a cell with a value type, text or
    any child element counts."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        self.sheet = ""
        self.row = self.col = 0
        self.row_repeat = 1
        self.cell: tuple[int, int] | None = None  # (first column, repeat) of the open cell, until it counts

    def _start(self, name: str, attrs: dict) -> None:
        local = _local(name)
        if self.cell is not None:
            self._count()
        if local == "table":
            self.sheet = _attr(attrs, "name") or f"#{len(self.boxes) + 1}"
            self.box = self.boxes.setdefault(self.sheet, Box())
            self.row = 0
        elif local == "table-row":
            self.row_repeat = _repeat(_attr(attrs, "number-rows-repeated"))
            self.col = 0
        elif local in ("table-cell", "covered-table-cell"):
            repeat = _repeat(_attr(attrs, "number-columns-repeated"))
            rows, cols = _repeat(_attr(attrs, "number-rows-spanned")), _repeat(_attr(attrs, "number-columns-spanned"))
            if (rows > 1 or cols > 1) and len(self.merged.setdefault(self.sheet, [])) < 10000:
                self.merged[self.sheet].append(((self.row, self.col), (self.row + rows - 1, self.col + cols - 1)))
            self.cell = (self.col, repeat)
            self.col += repeat
            if _attr(attrs, "value-type") is not None:
                self._count()

    def _text(self, data: str) -> None:
        if self.cell is not None and data.strip():
            self._count()

    def _end(self, name: str) -> None:
        local = _local(name)
        if local in ("table-cell", "covered-table-cell"):
            self.cell = None
        elif local == "table-row":
            self.row += self.row_repeat
            self.row_repeat = 1

    def _count(self) -> None:
        col, repeat = self.cell
        self.cell = None
        self.box.add(self.row, col, self.row + self.row_repeat - 1, col + repeat - 1)
        self._grown(self.box, self.sheet)


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def refuse_area(sheet: str, box: Box) -> None:
    far = a1(*box.far) if max(box.far) < 10**7 else f"第 {box.far[0] + 1} 行"
    # A worksheet part stands for its sheet when the workbook could not say which sheet it is ("/": no sheet name
    # may hold one).
    where, sheet = (f"文件的部件 {sheet} ", "") if "/" in sheet else (f"工作表“{sheet}”", sheet)
    raise Refused("sheet-too-large", f"{where}的内容从 {a1(box.r0, box.c0)} 延伸到 {far}，范围达 "
                  f"{box.r1 - box.r0 + 1} 行 × {box.c1 - box.c0 + 1} 列，超出读取上限（{MAX_SHEET_CELLS:,} 个单元格）。"
                  f"请删除远离表格的单元格内容（如 {far}）或多余的行、列后重新提交。", sheet, far if sheet else "")


def check_areas(result: Prescan, boxes: dict[str, Box], book_limit: bool) -> None:
    total = 0
    for sheet, box in boxes.items():
        result.sheet_cells[sheet] = box.cells
        total += box.cells
        if box.cells > MAX_SHEET_CELLS:
            refuse_area(sheet, box)
    if book_limit and total > MAX_BOOK_CELLS:
        raise Refused("sheet-too-large", f"各工作表的内容范围合计达 {total:,} 个单元格，超出读取上限（{MAX_BOOK_CELLS:,}）。"
                      "请删除多余的工作表、行或列后重新提交。")
