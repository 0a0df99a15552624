"""A file's official tables: what it is by its content, and each table in it read.

A Word document is read table by table; a workbook sheet by sheet. A sheet or table is an official table when it
holds the labels of one (:func:`perfeval.official.labels.kind_of`); a 绩效目标申报表 is told apart, and a file
the tool wrote itself (:mod:`perfeval.marker`) is skipped before anything else is read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..marker import output_kind
from ..prescan import KIND_DOCX, prescan
from ..problems import Problem
from . import labels as L
from .blocks import read_table
from .figures import OfficialTable
from .sheets import workbook_grids

WORD_DOCUMENT = "word/document.xml"


@dataclass
class Sourced:
    """What a file gave: its official tables, or why it gave none."""

    tables: list[OfficialTable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the file itself
    skipped: bool = False  # not a project at all (the tool's own output, a 申报表, no table)
    unreadable: bool = False


def is_word(path: Path) -> bool:
    """A Word document by its content (a zip holding word/document.xml), whatever its name."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(name.lower() == WORD_DOCUMENT for name in zf.namelist())
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, RuntimeError):
        return path.suffix.lower() == ".docx"


def _skipped(file: str, message: str) -> Sourced:
    return Sourced(problems=[Problem("file-skipped", message, file)], skipped=True)


def read_sources(path: Path, file: str) -> Sourced:
    """Every official table of ``path``; none (and no problem) when it is none of the kinds this reads."""
    made = output_kind(path)
    if made:
        return _skipped(file, f"这是本工具生成的文件（{made}），不是填报表格，已跳过。")
    word = is_word(path)
    scan = prescan(path, file, every_sheet=True, word=word)
    if not scan.ok:
        return Sourced(problems=scan.problems, unreadable=True)
    if scan.kind == KIND_DOCX:
        grids, problems = _word_grids(path, file)
        if grids is None:
            return Sourced(problems=scan.problems + problems, unreadable=True)
        if not grids:
            return _skipped(file, "该 Word 文档中没有表格，不是项目支出绩效自评表，已跳过。如需评价，请提交填写好的自评表"
                            "（Word 表格或 Excel 工作簿）。")
    else:
        grids, problems = workbook_grids(path, file, scan)
        if grids is None:
            return Sourced(problems=scan.problems + problems, unreadable=True)
    kinds = [(grid, L.kind_of(grid.labels())) for grid in grids]
    tables = [read_table(grid, file) for grid, kind in kinds if kind == L.KIND_OFFICIAL]
    if tables:
        return Sourced(tables, scan.problems + problems)
    if any(kind == L.KIND_DECLARATION for _, kind in kinds):
        return _skipped(file, "这是绩效目标申报表（只有年度指标值，没有实际完成值和得分），不是自评表，已跳过。")
    if scan.kind == KIND_DOCX:
        return _skipped(file, "该 Word 文档中的表格不是项目支出绩效自评表（缺少项目名称、项目资金、一级指标、实际完成值、"
                        "得分等栏目），已跳过。")
    return Sourced(problems=scan.problems + problems)


def _word_grids(path: Path, file: str):
    from .word import document_grids

    try:
        return document_grids(path), []
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds for a damaged document
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        return None, [Problem("file-unreadable", f"Word 文档已损坏，无法读取（{reason}）。请用 Word 或 WPS 打开后另存为"
                              " .docx 再提交。", file)]
