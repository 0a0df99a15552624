"""Table sheets for an XlsxWriter workbook in ``constant_memory`` mode, with the fast rows behind a seam.

The plain path writes every cell with XlsxWriter's public ``write_*``. The fast path (:class:`Splices`) makes each
data row's XML here, exactly as XlsxWriter would write it — using its private helpers (:class:`_Internals`) —
deflates it as it comes, and puts it into the sheet after XlsxWriter has closed the workbook: several times faster
for a summary of thousands of projects. It is the only code that touches XlsxWriter's private parts:

- it is used only with an XlsxWriter version it was tested with (:data:`TESTED_VERSIONS`; ``setup.cfg`` pins
  XlsxWriter below 4) that has every private helper it uses (:data:`FAST_ROWS`);
- :func:`write_book` writes the workbook again by the plain path on any error of the fast one, at render time too;
- the tests compare both paths part by part (tests/test_performance_paths.py), and golden files catch an upgrade
  that changes both.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from . import fmt
from .render import clean, display_width
from .render.zipparts import DeflatedPiece, joined, piece, raw_members, zip_of

TESTED_VERSIONS = ("3.3.1",)  # XlsxWriter versions whose constant_memory cells the fast rows were compared with
MAX_WIDTH = 60  # longer text wraps
HEADER_WRAP = 12  # widest column a figure's header asks for
HEADER_HEIGHT = 30  # points: two lines of header
FIGURES = ("money", "rate", "score", "count", "int")

logger = logging.getLogger("perfeval")


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"  # text | long (wraps) | money | rate | score | count (Decimal, whole) | int
    min_width: int = 8


class _Internals:
    """The parts of XlsxWriter that the fast rows use to write cells exactly as it does."""

    def __init__(self) -> None:
        from xlsxwriter import utility
        from xlsxwriter.format import Format
        from xlsxwriter.worksheet import Worksheet

        self.utf16_len = utility._utf16_len
        self.utf16_truncate = utility._utf16_truncate
        self.preserve_whitespace = utility._preserve_whitespace
        self.xf_index = Format._get_xf_index
        for name in ("_escape_control_characters", "_escape_data"):  # called on the sheet (static in 3.3)
            getattr(Worksheet, name)


def _internals() -> _Internals | None:
    if xlsxwriter.__version__ not in TESTED_VERSIONS:
        return None
    try:
        return _Internals()
    except (ImportError, AttributeError):  # pragma: no cover - another XlsxWriter
        return None


_xw = _internals()
FAST_ROWS = _xw is not None  # tests compare both ways


def write_book(write: Callable[[Splices | None], None]) -> None:
    """Call ``write(splices)`` with the fast rows when they can be used, else (or when it fails) ``write(None)``:
    the whole workbook written again cell by cell through XlsxWriter."""
    if FAST_ROWS:
        try:
            write(Splices())
            return
        except Exception as exc:  # the fast rows, not the data: the plain path writes the same workbook
            logger.warning("汇总表的快速写入失败（%s），已改为逐个单元格写入", exc)
    write(None)


def fix_style_order(formats: Iterable[Any]) -> None:
    """Number the formats' styles in this order, however the cells are written (both paths then give the same
    styles.xml); where XlsxWriter cannot be asked, it numbers them as the cells use them."""
    for cell_format in formats:
        try:
            cell_format._get_xf_index()
        except AttributeError:  # pragma: no cover - another XlsxWriter
            return


class Splices:
    """The fast rows of a workbook's sheets, put into the sheets once XlsxWriter has closed the workbook."""

    def __init__(self) -> None:
        self.parts: dict[str, tuple[int, DeflatedPiece]] = {}  # sheet part -> (rows + 1, its fast rows)

    def add(self, part: str, last_row: int, rows: DeflatedPiece) -> None:
        self.parts[part] = (last_row, rows)

    def apply(self, path: Path) -> None:
        """Put the fast rows into their sheets (the zip written again, the other parts' bytes copied)."""
        if not self.parts:
            return
        members = []
        for name, crc, size, raw in raw_members(path.read_bytes()):
            if name not in self.parts:
                members.append((name, crc, size, raw))
                continue
            last, rows = self.parts[name]
            xml = zlib.decompress(raw, -15)
            start = xml.index(b"</row>", xml.index(b"<sheetData>")) + len(b"</row>")  # after the header row
            end = xml.index(b"</sheetData>")
            if not xml.startswith(f'<row r="{last}">'.encode(), start):
                raise ValueError(f"unexpected sheet data in {name}")
            members.append(joined(name, [piece(xml[:start]), rows, piece(xml[end:])]))
        missing = set(self.parts) - {m[0] for m in members if m[0] in self.parts}
        if missing:  # never a summary without its rows
            raise ValueError(f"sheet parts not found: {sorted(missing)}")
        with open(path, "wb") as fh:
            zip_of(members, fh)


class TableSheet:
    """One table sheet: a header row, rows written in order, widths fitted to the text. ``formats`` and ``places``
    give each kind of column its cell format and its decimals; with ``splices``, the data rows are fast rows."""

    def __init__(self, wb, name: str, columns: tuple[Col, ...], formats: dict[str, Any], places: dict[str, int],
                 splices: Splices | None = None):
        self.ws = wb.add_worksheet(name)
        self.columns = columns
        self.formats = formats
        self.places = places
        # a figure's long header wraps (two lines) rather than widening its column
        self.widths = [max(c.min_width, min(display_width(c.header) + 2, HEADER_WRAP if c.kind in FIGURES else 99))
                       for c in columns]
        self.ws.set_row(0, HEADER_HEIGHT)
        for col, c in enumerate(columns):
            self.ws.write_string(0, col, c.header, formats["header"])
        self.row = 1
        self.splices = splices
        self.rows = DeflatedPiece() if splices is not None else None
        if self.rows is not None:
            from xlsxwriter.utility import xl_col_to_name

            self._cells = [(f' r="{xl_col_to_name(col)}', f'" s="{_xw.xf_index(formats[c.kind])}"')
                           for col, c in enumerate(columns)]

    def add(self, values: Iterable[Any]) -> None:
        if self.rows is not None:
            number = str(self.row + 1)
            cells = enumerate(zip(self.columns, values))
            xml = "".join([self._xml(col, c, value, number) for col, (c, value) in cells])
            self.rows.write(f'<row r="{number}">{xml}</row>'.encode("utf-8"))
            self.row += 1
            return
        for col, (c, value) in enumerate(zip(self.columns, values)):
            self._cell(col, c, value)
        self.row += 1

    def _xml(self, col: int, c: Col, value: Any, number: str) -> str:
        """One cell as XlsxWriter writes it in constant_memory mode (the same steps as :meth:`_cell`)."""
        ref, style = self._cells[col]
        attributes = ref + number + style
        if value is None or value == "":
            return f"<c{attributes}/>"
        if c.kind in ("text", "long"):
            text = clean(value)
            xml = self._string(text, attributes)
            if 2 * len(text) + 2 <= self.widths[col]:
                return xml
            width = max(display_width(line) for line in text.split("\n")) if text else 0
        elif c.kind == "int":
            xml = f"<c{attributes}><v>{int(value):.16G}</v></c>"
            width = len(str(int(value)))
        else:
            places = self.places[c.kind]
            value = fmt.table_value(value, places)
            xml = f"<c{attributes}><v>{value:.16G}</v></c>"
            width = len(f"{value:,.{places}f}") + 2
        self.widths[col] = max(self.widths[col], min(width + 2, MAX_WIDTH))
        return xml

    def _string(self, text: str, attributes: str) -> str:
        ws = self.ws
        if len(text) > ws.xls_strmax // 2 and _xw.utf16_len(text) > ws.xls_strmax:
            text = _xw.utf16_truncate(text, ws.xls_strmax)
        if "_x" in text or not text.isprintable():  # else nothing to escape (the common case: skip the regexes)
            text = ws._escape_control_characters(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            return f'<c{attributes} t="inlineStr"><is>{text}</is></c>'
        preserve = ' xml:space="preserve"' if _xw.preserve_whitespace(text) else ""
        return f'<c{attributes} t="inlineStr"><is><t{preserve}>{ws._escape_data(text)}</t></is></c>'

    def _cell(self, col: int, c: Col, value: Any) -> None:
        ws, cell_format = self.ws, self.formats[c.kind]
        if value is None or value == "":
            ws.write_blank(self.row, col, None, cell_format)
            return
        if c.kind in ("text", "long"):
            text = clean(value)
            ws.write_string(self.row, col, text, cell_format)
            # A text can widen its column only if two units a character could (most texts cannot: skip measuring).
            if 2 * len(text) + 2 <= self.widths[col]:
                return
            width = max(display_width(line) for line in text.split("\n")) if text else 0
        elif c.kind == "int":
            ws.write_number(self.row, col, int(value), cell_format)
            width = len(str(int(value)))
        else:
            places = self.places[c.kind]
            number = fmt.table_value(value, places)
            ws.write_number(self.row, col, number, cell_format)
            width = len(f"{number:,.{places}f}") + 2
        self.widths[col] = max(self.widths[col], min(width + 2, MAX_WIDTH))

    def finish(self) -> None:
        """After the last row: the fast rows handed to the splices, the widths, the frozen header, the filter."""
        ws = self.ws
        if self.rows is not None:
            if self.row > 1:  # the last cell, for the sheet's dimensions; its row is replaced by the fast rows
                ws.write_blank(self.row - 1, len(self.columns) - 1, None, self.formats[self.columns[-1].kind])
                self.splices.add(f"xl/worksheets/sheet{ws.index + 1}.xml", self.row, self.rows)
            self.rows = None
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(self.row - 1, 0), len(self.columns) - 1)
