"""The workbook: opened with python-calamine (by its real format), its sheets found by name and read into grids
within bounds, and :func:`read_workbook`, which ties the pre-scan, the sheet readers and the formula scan."""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import model as m
from ..cells import a1, sheet_label
from ..prescan import EXTENSIONS, KIND_XLSX, prescan
from ..problems import Problem
from .formulas import formulas_without_value
from .grid import Grid, Range
from .sheets import SheetReader
from .vocabulary import OPTIONAL_SHEETS, REQUIRED_SHEETS

MAX_ROWS = 5000  # rows read per sheet; a real template has well under a hundred
MAX_COLS = 200  # columns read per sheet; the widest template sheet has ten


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


@dataclass
class ReadResult:
    project: m.Project | None  # None when the file could not be read at all
    problems: list[Problem]
    blank: bool = False  # the blank template: nothing filled in
    sheet_names: tuple[str, ...] = ()  # every sheet of the workbook, hidden ones included


class _Reader(SheetReader):
    """Reads one workbook: the sheet readers over the grids of its sheets."""

    def __init__(self, path: Path, display_name: str):
        super().__init__(display_name)
        self.path = path
        self.namesakes: dict[str, str] = {}  # missing required sheet -> the sheet named like it

    def open(self, kind: str | None = None):
        """The workbook, read by its real format ``kind`` (from the pre-scan) when the extension says another."""
        import python_calamine as pc

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
            by_label.setdefault(sheet_label(name), name)
        found = {}
        for wanted in REQUIRED_SHEETS + OPTIONAL_SHEETS:
            if wanted in by_label:
                found[wanted] = by_label[wanted]
                continue
            if wanted not in REQUIRED_SHEETS:
                continue
            near = [n for n in names if wanted in n or n in wanted and n] or difflib.get_close_matches(
                wanted, names, n=1, cutoff=0.6)
            near = [n for n in near if sheet_label(n) not in by_label or by_label[sheet_label(n)] == n]
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
        merged = _clip_merged(rows, merged if merged is not None else merged_found, max_rows)  # ods: pre-scan's
        return Grid(real_name, rows, set(no_value.get(real_name, ())), merged=merged)

def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine, raised by pyo3 as PanicException, a BaseException (calamine has known panics
    on corrupt .xls files)."""
    return type(exc).__name__ == "PanicException"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


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
    return ReadResult(project, reader.problems, sheet_names=tuple(names))
