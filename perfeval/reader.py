"""Reading a standard input workbook (input-workbook.md) into a :class:`~perfeval.model.Project`.

Sheets are found by name and tables by their header labels; every value keeps the cell it came from. The reader
reports only what stops it from reading a value (a missing sheet, column or number, a formula without a value);
judging the values is :mod:`perfeval.checks`' job. Reading uses python-calamine, which is several times faster
than openpyxl; a light scan of the sheet XML finds formula cells without a cached value, which calamine shows as
empty.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from . import model as m
from .parse import ParseError, cell_text, normalize, parse_money, parse_number, parse_year
from .prescan import KIND_XLSX, prescan
from .problems import Problem

ZERO = Decimal(0)
MAX_ROWS = 5000  # rows read per sheet; a real template has well under a hundred
MAX_COLS = 200  # columns read per sheet; the widest template sheet has ten
EXCEL_CELL_CHARS = 32767  # the most an Excel cell holds; output workbooks cut longer texts
HEADER_SEARCH_ROWS = 30  # the header row must be among the first rows of a sheet

REQUIRED_SHEETS = (m.SHEET_INFO, m.SHEET_GROUP, m.SHEET_FUNDING, m.SHEET_INDICATORS)
OPTIONAL_SHEETS = (m.SHEET_GUIDE, m.SHEET_SPENDING, m.SHEET_VOLUMES)
KNOWN_MAJOR_VERSION = int(m.TEMPLATE_VERSION.split(".")[0])

REQUIRED_INFO = m.REQUIRED_INFO_LABELS
# What identifies a project and where its mail goes: read from a near namesake of a missing 基本信息.
IDENTITY_LABELS = ("项目名称", "主管部门", "实施单位", "评价年度", "联系邮箱")
INFO_LABELS = m.INFO_LABELS

# Header labels people write for the same column (the first name is the standard one).
ALIASES = {
    "全年预算数": ("全年预算数", "调整后预算数", "全年预算"),
    "年初预算数": ("年初预算数", "年初预算"),
    "实际到位数": ("实际到位数", "实际到位资金", "到位资金", "实际到位"),
    "全年执行数": ("全年执行数", "实际支出", "执行数", "全年实际支出"),
    "金额": ("金额", "支出金额"),
    "分值": ("分值", "权重"),
    "年度指标值": ("年度指标值", "指标值", "年度目标值", "目标值"),
    "实际完成值": ("实际完成值", "完成值", "全年实际值"),
    "偏差原因分析及改进措施": ("偏差原因分析及改进措施", "偏差原因分析", "偏差原因"),
    "数量": ("数量", "宗数", "交易宗数"),
}
ROLES = {"组长": "组长", "副组长": "副组长", "组员": "组员", "成员": "组员"}
FUNDING_NAMES = {
    "当年财政拨款": m.SOURCE_CURRENT, "本年财政拨款": m.SOURCE_CURRENT, "财政拨款": m.SOURCE_CURRENT,
    "上年结转资金": m.SOURCE_CARRIED, "上年结转": m.SOURCE_CARRIED, "结转资金": m.SOURCE_CARRIED,
    "其他资金": m.SOURCE_OTHER, "其他": m.SOURCE_OTHER,
    "合计": m.SOURCE_TOTAL, "年度资金总额": m.SOURCE_TOTAL, "总计": m.SOURCE_TOTAL, "资金总额": m.SOURCE_TOTAL,
}

_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LABEL_UNIT = re.compile(r"[(（]([^()（）]*)[)）]$")
_LABEL_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")


def split_label(text: Any) -> tuple[str, str]:
    """A header or label without spaces, "*", "：" and its unit in brackets: ("年初预算数", "万元")."""
    t = _LABEL_SPACES.sub("", str(text or ""))
    t = t.rstrip("*＊:：")
    unit = ""
    match = _LABEL_UNIT.search(t)
    if match:
        unit = unicodedata.normalize("NFKC", match[1]).strip()
        t = t[: match.start()]
    return t.rstrip("*＊:：").lstrip("*＊"), unit


def label_of(text: Any) -> str:
    return split_label(text)[0]


def a1(row: int, col: int) -> str:
    """0-based row and column as an A1 address."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


_A1 = re.compile(r"([A-Z]+)(\d+)")


def parse_a1(ref: str) -> tuple[int, int]:
    match = _A1.fullmatch(ref)
    col = 0
    for ch in match[1]:
        col = col * 26 + ord(ch) - 64
    return int(match[2]) - 1, col - 1


# ---- formula cells without a cached value ------------------------------------------------------------------

# A cell's body stops at the next "<c": without that, many unclosed "<c" (in a comment, say) make the search
# quadratic — 20,000 of them took 16 s.
_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>((?:(?!<(?:\w+:)?c\b).)*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+\d+)"')


def formulas_without_value(path: Path) -> dict[str, list[str]]:
    """Sheet name -> A1 cells holding a formula with no cached value (xlsx/xlsm only; others: {})."""
    found: dict[str, list[str]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for sheet, part in _sheet_parts(zf).items():
                try:
                    data = zf.read(part)
                except KeyError:
                    continue
                if b"<f" not in data and b":f" not in data:
                    continue
                cells = [ref for attrs, body in _CELL_RE.findall(data) if body and b"<f" in body
                         and not _has_cached_value(attrs, body) and (ref := _REF_RE.search(attrs))]
                if cells:
                    found[sheet] = [ref[1].decode() for ref in cells]
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    return found


_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
_STR_TYPE_RE = re.compile(rb'\bt="str"')


def _has_cached_value(attrs: bytes, body: bytes) -> bool:
    """A non-empty <v>, or an empty one on a text-typed cell (a formula whose result is "")."""
    if _VALUE_RE.search(body):
        return True
    return bool(_STR_TYPE_RE.search(attrs)) and (b"<v" in body or b":v" in body)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]+)"', rel[0])
        target = re.search(r'\bTarget="([^"]+)"', rel[0])
        if rid and target:
            t = target[1].lstrip("/")
            targets[rid[1]] = t if t.startswith("xl/") else "xl/" + t
    parts = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', sheet[0])
        rid = re.search(r'\br:id="([^"]+)"|\b\w+:id="([^"]+)"', sheet[0])
        if name and rid:
            key = rid[1] or rid[2]
            if key in targets:
                parts[_unescape(name[1])] = targets[key]
    return parts


def _unescape(text: str) -> str:
    """XML attribute text: named and numeric character references (&amp;, &#x57FA;)."""
    return html.unescape(text)


# ---- grids --------------------------------------------------------------------------------------------------


Range = tuple[tuple[int, int], tuple[int, int]]  # a merged range: (first row, first column), (last row, last column)


@dataclass
class Grid:
    """One sheet's values, 0-based, as the file holds them: a merged range's value only in its top-left cell."""

    name: str
    rows: list[list[Any]]
    no_value: set[str] = field(default_factory=set)  # formula cells without a cached value
    reported: set[str] = field(default_factory=set)  # those of them already reported
    merged: list[Range] = field(default_factory=list)  # within the cells read
    covered: set[tuple[int, int]] = field(default_factory=set)  # figure cells a merged range's first cell stands for

    def get(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return ""


def _bounded_rows(sheet, max_rows: int | None = None) -> list[list[Any]]:
    """A sheet's values from A1, at most MAX_ROWS rows of at most MAX_COLS cells.

    ``to_python(skip_empty_area=False)`` pads every row from column A to the sheet's last column, so a single value
    in column XFD would make every row 16,384 cells long; the data is taken from where it starts and cut instead.
    (The pre-scan has already refused sheets whose data area would not fit in memory.)
    """
    if sheet.start is None:
        return []
    max_rows = max_rows or MAX_ROWS
    r0, c0 = sheet.start
    if r0 >= max_rows or c0 >= MAX_COLS:
        return []
    pad = [""] * c0
    rows: list[list[Any]] = [[] for _ in range(r0)]
    rows += [pad + list(row[: MAX_COLS - c0]) for row in sheet.to_python(skip_empty_area=True, nrows=max_rows - r0)]
    return rows


def _clip_merged(rows: list[list[Any]], merged, max_rows: int | None = None) -> list[Range]:
    """The merged ranges that start in the cells read, clipped to the rows and columns read.

    Valid ranges do not overlap, so the budget (the cells read) only stops a hostile list of overlapping ranges
    from taking unbounded time when they are filled.
    """
    max_rows = max_rows or MAX_ROWS
    budget = max_rows * MAX_COLS
    clipped = []
    for (r0, c0), (r1, c1) in merged or ():
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        r1, c1 = min(r1, max_rows - 1), min(c1, MAX_COLS - 1)
        budget -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if budget < 0:
            break
        clipped.append(((r0, c0), (r1, c1)))
    return clipped


def _fill_down(rows: list[list[Any]], merged: Range, columns: set[int]) -> None:
    """The range's top-left value in its empty cells of ``columns``."""
    (r0, c0), (r1, c1) = merged
    value = rows[r0][c0]
    for r in range(r0, r1 + 1):
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c1:
            row.extend([""] * (c1 + 1 - len(row)))
        for c in columns:
            if (r, c) != (r0, c0) and row[c] in ("", None):
                row[c] = value


def _range_text(merged: Range) -> str:
    (r0, c0), (r1, c1) = merged
    return f"{a1(r0, c0)}:{a1(r1, c1)}"


# ---- the reader ---------------------------------------------------------------------------------------------


@dataclass
class ReadResult:
    project: m.Project | None  # None when the file could not be read at all
    problems: list[Problem]
    blank: bool = False  # the blank template: nothing filled in


class _Reader:
    def __init__(self, path: Path, display_name: str):
        self.path = path
        self.file = display_name
        self.problems: list[Problem] = []
        self.namesakes: dict[str, str] = {}  # missing required sheet -> the sheet named like it

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

    # -- workbook --
    def open(self, kind: str | None = None):
        """The workbook, read by its real format ``kind`` (from the pre-scan) when the extension says another."""
        import python_calamine as pc

        from .prescan import EXTENSIONS

        try:
            if kind and self.path.suffix.lower() not in EXTENSIONS[kind]:
                # calamine picks the format by extension; from a file object it finds it from the content.
                with open(self.path, "rb") as fh:
                    return pc.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
            return pc.CalamineWorkbook.from_path(str(self.path))
        except pc.PasswordError:
            self.problem("file-encrypted", "工作簿设有打开密码，无法读取。请取消密码（文件→信息→保护工作簿）后重新提交。")
        except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
            self.problem("file-unreadable", f"文件无法作为电子表格打开（{_short(exc)}）。请用 Excel 或 WPS 另存为"
                         " .xlsx 格式后重新提交。")
        except Exception as exc:  # calamine raises plain exceptions for some corrupt files
            self.problem("file-unreadable", f"文件已损坏，无法读取（{_short(exc)}）。请重新保存后提交。")
        except BaseException as exc:  # a panic in calamine (pyo3's PanicException is not an Exception)
            if not _is_panic(exc):
                raise
            self.problem("file-unreadable", f"文件已损坏，无法读取（{_short(exc)}）。请重新保存后提交。")
        return None

    def find_sheets(self, names: list[str]) -> dict[str, str]:
        """Standard sheet name -> real name; problems for missing required sheets (with a near namesake)."""
        by_label = {}
        for name in names:
            by_label.setdefault(_LABEL_SPACES.sub("", name), name)
        found = {}
        for wanted in REQUIRED_SHEETS + OPTIONAL_SHEETS:
            if wanted in by_label:
                found[wanted] = by_label[wanted]
                continue
            if wanted not in REQUIRED_SHEETS:
                continue
            near = [n for n in names if wanted in n or n in wanted and n] or difflib.get_close_matches(
                wanted, names, n=1, cutoff=0.6)
            near = [n for n in near if _LABEL_SPACES.sub("", n) not in by_label or by_label[
                _LABEL_SPACES.sub("", n)] == n]
            if near:
                self.namesakes[wanted] = near[0]
                self.problem("sheet-near-namesake", f"缺少工作表“{wanted}”，但有名称相近的工作表“{near[0]}”。"
                             f"如果就是它，请将其改名为“{wanted}”。", near[0])
            else:
                self.problem("sheet-missing", f"缺少必填工作表“{wanted}”。请使用标准填报模板填写。", wanted)
        return found

    def grid(self, book, real_name: str, no_value: dict[str, list[str]], merged_found=None,
             max_rows: int | None = None) -> Grid:
        sheet = book.get_sheet_by_name(real_name)
        max_rows = max_rows or MAX_ROWS  # a targets file reads more rows than an input workbook
        rows = _bounded_rows(sheet, max_rows)
        # calamine's total_height is the last row's index, not the number of rows: use end (0-based) + 1.
        height, width = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        if height > max_rows:
            self.problem("rows-truncated", f"工作表有 {height} 行，超出读取上限 {max_rows} 行，"
                         "超出部分未读取。请删除多余的行。", real_name, f"{max_rows + 1}:{height}")
        if width > MAX_COLS:
            self.problem("columns-truncated", f"工作表的内容延伸到第 {width} 列（{a1(0, width - 1)[:-1]} 列），超出读取上限 "
                         f"{MAX_COLS} 列，超出部分未读取。如有需要的内容，请移到表格的列中，否则请删除。", real_name)
        try:
            merged = sheet.merged_cell_ranges
        except Exception:  # not every format reports merged cells
            merged = None
        merged = _clip_merged(rows, merged if merged is not None else merged_found, max_rows)  # ods: the pre-scan found them
        return Grid(real_name, rows, set(no_value.get(real_name, ())), merged=merged)

    # -- tables --
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
                _fill_down(grid.rows, merged, group_cols.intersection(spanned))
            labels = [figure_cols[c] for c in spanned if c in figure_cols]
            if not labels:
                continue
            grid.covered |= {(r, c) for r in range(r0, r1 + 1) for c in spanned
                             if c in figure_cols and (r, c) != (r0, c0)}
            value = cell_text(grid.get(r0, c0)) or "空白"
            self.problem("merged-figure", f"{'、'.join(labels)}的合并单元格 {_range_text(merged)} 只算一个数字"
                         f"（{value}），计入 {a1(r0, c0)} 一次，合并范围内的其他单元格不计。如各行有各自的数字，"
                         "请取消合并后逐行填写。", grid.name, _range_text(merged), grid.get(r0, c0))

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

    # -- sheets --
    def read_info(self, grid: Grid, project: m.Project) -> None:
        found = self.header(grid, ("项目", "内容"))
        if not found:
            return
        hr, cols, _ = found
        lc, vc = cols["项目"], cols["内容"]
        for r in range(hr + 1, len(grid.rows)):
            label = label_of(grid.get(r, lc))
            if label not in INFO_LABELS or label in project.info_cells:
                continue
            project.info_cells[label] = a1(r, vc)
            if label == "预算执行率分值":
                project.execution_weight = self.number(grid, r, vc, "预算执行率分值", parse_points)
                project.info[label] = "" if project.execution_weight is None else cell_text(grid.get(r, vc))
            elif label == "评价年度":
                project.info[label] = self.year(grid, r, vc)
            else:
                project.info[label] = self.text(grid, r, vc)
        for label in REQUIRED_INFO:
            if label not in project.info_cells:
                self.problem("value-missing", f"基本信息缺少“{label}”一行。请按标准模板补上该行并填写。", grid.name)
            elif not project.info.get(label, "").strip():
                self.problem("value-missing", f"基本信息“{label}”未填写。", grid.name, project.info_cells[label])

    def year(self, grid: Grid, r: int, c: int) -> str:
        """评价年度 as the four digits every output, group and key uses ("2025年度" -> "2025"); other text as
        written (the checks report it)."""
        raw = grid.get(r, c)
        if isinstance(raw, (dt.date, dt.datetime)):
            return str(raw.year)
        text = self.text(grid, r, c)
        year = parse_year(text)
        return text if year is None else str(year)

    def read_identity(self, grid: Grid, project: m.Project) -> None:
        """From a near namesake of 基本信息 (基本信息(1)), only what names the project and where to write
        (IDENTITY_LABELS), for naming, grouping and mail. The sheet stays an error (sheet-near-namesake) and is
        not checked (the caller drops the problems reading it gives)."""
        sheet = m.Project(file=project.file)
        self.read_info(grid, sheet)
        for label in IDENTITY_LABELS:
            if sheet.info.get(label, "").strip():
                project.info[label] = sheet.info[label]

    def read_group(self, grid: Grid, project: m.Project) -> None:
        found = self.header(grid, ("职务", "姓名"), ("工作单位及职务",))
        if not found:
            return
        hr, cols, _ = found
        self.merges(grid, hr, cols, grouping=("职务",))
        for r in self.table_rows(grid, hr, cols):
            role_text = self.text(grid, r, cols["职务"])
            names = self.text(grid, r, cols["姓名"])
            if not names:
                self.required_value(grid, r, cols["姓名"], "评价工作组成员姓名", names)
                continue
            role = ROLES.get(label_of(role_text), label_of(role_text))
            cells = {"role": a1(r, cols["职务"]), "name": a1(r, cols["姓名"])}
            affiliation = self.text(grid, r, cols.get("工作单位及职务"))
            for name in re.split(r"[\s、，,；;/]+", names):
                if name:
                    project.members.append(m.Member(role, name, affiliation, dict(cells)))

    def read_funding(self, grid: Grid, project: m.Project) -> None:
        found = self.header(grid, ("资金来源", "年初预算数", "全年执行数"), ("全年预算数", "实际到位数"))
        if not found:
            return
        hr, cols, units = found
        fields = {"initial": "年初预算数", "full_year": "全年预算数", "received": "实际到位数", "spent": "全年执行数"}
        self.merges(grid, hr, cols, grouping=("资金来源",), figures=tuple(fields.values()))
        column_units = {}
        for attr, label in fields.items():
            if label in cols:
                column_units[attr] = self.unit_of(grid, hr, cols[label], units[label], "万元")
        for r in self.table_rows(grid, hr, cols):
            name_cell = a1(r, cols["资金来源"])
            name = label_of(self.text(grid, r, cols["资金来源"]))
            source = FUNDING_NAMES.get(name.removeprefix("其中").lstrip(":："))
            if source is None:
                if name:
                    self.problem("funding-source-unknown", f"资金来源“{name}”无法识别，应为当年财政拨款、上年结转资金"
                                 "或其他资金（合计行可写“合计”）。", grid.name, name_cell, name)
                else:
                    self.problem("value-missing", "资金来源未填写。", grid.name, name_cell)
                continue
            row = m.FundingRow(source, cells={"source": name_cell})
            for attr, label in fields.items():
                if label not in cols:
                    continue
                row.cells[attr] = a1(r, cols[label])  # also in a column of unknown unit, to point at
                if unit := column_units[attr]:
                    setattr(row, attr, self.number(grid, r, cols[label], label, lambda v, u=unit: parse_money(v, u)))
            if source == m.SOURCE_TOTAL:
                project.funding_total = row
            else:
                project.funding.append(row)

    def read_spending(self, grid: Grid, project: m.Project) -> None:
        if _is_empty(grid):
            return  # an optional sheet left empty: no spending breakdown
        found = self.header(grid, ("支出内容", "金额"), ("说明",))
        if not found:
            return
        hr, cols, units = found
        self.merges(grid, hr, cols, figures=("金额",))
        unit = self.unit_of(grid, hr, cols["金额"], units["金额"], "万元")
        for r in self.table_rows(grid, hr, cols):
            item = self.text(grid, r, cols["支出内容"])
            if label_of(item) in ("合计", "总计", "小计"):
                continue  # a total line is the tool's to compute
            self.required_value(grid, r, cols["支出内容"], "支出内容", item)
            amount = self.number(grid, r, cols["金额"], "支出金额", lambda v: parse_money(v, unit)) if unit else None
            self.required_value(grid, r, cols["金额"], "支出金额", grid.get(r, cols["金额"]))
            project.spending.append(m.SpendingLine(item, amount, self.text(grid, r, cols.get("说明")), {
                "item": a1(r, cols["支出内容"]), "amount": a1(r, cols["金额"])}))

    def read_indicators(self, grid: Grid, project: m.Project) -> None:
        required = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值")
        optional = ("指标性质", "计量单位", "自评得分", "偏差原因分析及改进措施")
        found = self.header(grid, required, optional)
        if not found:
            return
        hr, cols, _ = found
        self.merges(grid, hr, cols, grouping=("一级指标", "二级指标"), figures=("分值", "自评得分"))
        keys = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "年度指标值": "target",
                "实际完成值": "actual", "分值": "weight", "指标性质": "nature", "计量单位": "unit",
                "自评得分": "self_score", "偏差原因分析及改进措施": "deviation"}
        # Rows with nothing but the merged level-1/level-2 fill are not indicators.
        own_cols = {k: c for k, c in cols.items() if k not in ("一级指标", "二级指标")}
        for r in self.table_rows(grid, hr, own_cols):
            cells = {keys[k]: a1(r, c) for k, c in cols.items()}
            values = {}
            for label in ("一级指标", "二级指标", "三级指标", "指标性质", "计量单位", "偏差原因分析及改进措施"):
                values[keys[label]] = self.text(grid, r, cols.get(label))
            for label in ("年度指标值", "实际完成值"):
                raw = grid.get(r, cols[label])
                values[keys[label]] = raw if isinstance(raw, (int, float, dt.date)) else self.text(grid, r, cols[label])
            for label in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值"):
                self.required_value(grid, r, cols[label], label, cell_text(grid.get(r, cols[label])))
            values["level1"], values["level2"] = label_of(values["level1"]), label_of(values["level2"])
            values["weight"] = self.number(grid, r, cols["分值"], "分值", parse_points)
            values["self_score"] = self.number(grid, r, cols.get("自评得分"), "自评得分", parse_points, covered=None)
            project.indicators.append(m.Indicator(**values, cells=cells))

    def read_volumes(self, grid: Grid, project: m.Project) -> None:
        if _is_empty(grid):
            return  # an optional sheet left empty: no business volumes
        found = self.header(grid, ("业务类别", "数量", "金额"), ("备注",))
        if not found:
            return
        hr, cols, units = found
        self.merges(grid, hr, cols, grouping=("业务类别",), figures=("数量", "金额"))
        unit = self.unit_of(grid, hr, cols["金额"], units["金额"], "亿元")
        count_unit = units["数量"] or "宗"
        for r in self.table_rows(grid, hr, cols):
            category = self.text(grid, r, cols["业务类别"])
            self.required_value(grid, r, cols["业务类别"], "业务类别", category)
            count = self.number(grid, r, cols["数量"], "数量", lambda v: parse_number(v, count_unit))
            amount = self.number(grid, r, cols["金额"], "金额",
                                 lambda v: parse_money(v, unit, "亿元")) if unit else None
            volume = m.Volume(category, count, amount, self.text(grid, r, cols.get("备注")), {
                "category": a1(r, cols["业务类别"]), "count": a1(r, cols["数量"]), "amount": a1(r, cols["金额"])})
            if volume.is_total:
                project.volume_total = volume
            else:
                project.volumes.append(volume)

    def read_version(self, grid: Grid | None, project: m.Project) -> None:
        if grid is not None:
            for r, row in enumerate(grid.rows[:200]):
                for c, raw in enumerate(row):
                    match = re.search(r"模板版本\s*[:：]\s*([0-9][0-9.]*)", cell_text(raw)) if raw else None
                    if match:
                        project.template_version = match[1].rstrip(".")
                        major = int(project.template_version.split(".")[0])
                        if major > KNOWN_MAJOR_VERSION:
                            self.problem("template-version-newer", f"模板版本 {project.template_version} 高于本工具"
                                         f"支持的版本 {m.TEMPLATE_VERSION}。请升级 perfeval，或改用 "
                                         f"{m.TEMPLATE_VERSION} 版模板。", grid.name, a1(r, c), raw)
                        return
        self.problem("template-version-missing", "未找到“模板版本”（可能不是用标准模板填写的），已按 "
                     f"{m.TEMPLATE_VERSION} 版读取。", m.SHEET_GUIDE)


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine, raised by pyo3 as PanicException, a BaseException (calamine has known panics
    on corrupt .xls files)."""
    return type(exc).__name__ == "PanicException"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def parse_points(value: Any) -> Decimal:
    """分值, 自评得分 and 预算执行率分值: a number, perhaps followed by its unit, 分."""
    return parse_number(value, "分")


def _is_empty(grid: Grid) -> bool:
    """Nothing in any cell, not even a header (and no formula without a value)."""
    return not grid.no_value and not any(cell_text(raw) for row in grid.rows for raw in row)


def _is_blank(project: m.Project) -> bool:
    info = {k: v for k, v in project.info.items() if v.strip()}
    return not info and not project.members and not project.spending and not project.indicators and not any(
        row.initial is not None or row.spent is not None for row in project.funding) and not project.volumes


def read_workbook(path: str | Path, display_name: str | None = None) -> ReadResult:
    """Read one workbook; never raises for bad input: what cannot be read becomes a problem."""
    path = Path(path)
    reader = _Reader(path, display_name or path.name)
    # The pre-scan refuses, before any parser sees the file, what would not be read safely (perfeval.prescan).
    scan = prescan(path, reader.file)
    reader.problems += scan.problems
    if not scan.ok:
        return ReadResult(None, reader.problems)
    book = reader.open(scan.kind)
    if book is None:
        return ReadResult(None, reader.problems)
    try:
        names = [s.name for s in book.sheets_metadata]
        hidden = {s.name for s in book.sheets_metadata if str(s.visible).split(".")[-1] != "Visible"}
        sheets = reader.find_sheets(names)
        no_value = formulas_without_value(path) if scan.kind == KIND_XLSX else {}
        project = m.Project(file=reader.file)
        readers = {m.SHEET_INFO: reader.read_info, m.SHEET_GROUP: reader.read_group,
                   m.SHEET_FUNDING: reader.read_funding, m.SHEET_SPENDING: reader.read_spending,
                   m.SHEET_INDICATORS: reader.read_indicators, m.SHEET_VOLUMES: reader.read_volumes}
        grids = {std: reader.grid(book, real, no_value, scan.merged.get(real)) for std, real in sheets.items()}
        for std, grid in grids.items():
            if std in readers:
                readers[std](grid, project)
            if grid.name in hidden and std != m.SHEET_GUIDE:
                reader.problem("sheet-hidden", f"工作表“{grid.name}”被隐藏，其内容已照常读取。请确认内容无误。", grid.name)
        if m.SHEET_INFO in reader.namesakes:  # 基本信息(1): what names the project; its error stands, nothing more
            namesake, found = reader.namesakes[m.SHEET_INFO], len(reader.problems)
            reader.read_identity(reader.grid(book, namesake, no_value, scan.merged.get(namesake)), project)
            del reader.problems[found:]
    except BaseException as exc:  # a corrupt part that calamine only notices while reading (or panics on)
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        reader.problem("file-unreadable", f"读取文件时出错（{_short(exc)}）。请用 Excel 或 WPS 重新保存后提交。")
        return ReadResult(None, reader.problems)
    finally:
        book.close()
    project.saved_at = scan.saved_at
    # A workbook without the template's sheets is a wrong workbook, not a blank template: its problems stand.
    if _is_blank(project) and not any(p.code in ("sheet-missing", "sheet-near-namesake") for p in reader.problems):
        blank = [p for p in reader.problems if p.code in ("formula-no-value",)]
        return ReadResult(project, [Problem("file-blank-template", "这是未填写的空白模板，已跳过。", reader.file)]
                          + blank, blank=True)
    reader.read_version(grids.get(m.SHEET_GUIDE), project)
    return ReadResult(project, reader.problems)
