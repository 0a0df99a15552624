"""Targets files and folders of either form, read into one :class:`~.model.Targets` and checked."""

from __future__ import annotations

from pathlib import Path

from ..problems import Problem
from .checks import check_targets
from .form import looks_like_form, read_form
from .listfile import is_target_list, read_list
from .model import ApprovedProject, Targets
from .workbook import opened

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def target_files(paths: list[Path]) -> list[Path]:
    """The spreadsheet files of the given files and folders (folders searched recursively, in name order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                            and not p.name.startswith(("~$", ".")))
        else:
            files.append(path)
    return files


def read_file(path: Path, display_name: str | None = None) -> tuple[list[ApprovedProject], list[Problem]]:
    """One targets file: a 目标清单, or 申报表 sheets (one project a sheet)."""
    name = display_name or path.name
    with opened(path, name) as (reader, book):
        if book is None:
            return [], reader.problems
        names = reader.sheet_names(book)
        if is_target_list(names):
            return read_list(reader, book), reader.problems
        projects = []
        for sheet in names:
            grid = reader.load(book, sheet)
            if looks_like_form(grid):
                project = read_form(reader, grid)
                if project is not None:
                    projects.append(project)
        if not projects:
            reader.problems.append(Problem("file-skipped", "该文件既不是目标清单（应有“项目”和“指标”两个工作表），"
                                           "也没有绩效目标申报表，已跳过。", name))
        return projects, reader.problems


def read_targets(paths: list[str | Path], execution_weight=10) -> Targets:
    """Every approved project of the given files and folders, with the problems of the targets (targets.md)."""
    targets = Targets()
    for path in target_files([Path(p) for p in paths]):
        projects, problems = read_file(path, str(path))
        targets.files.append(str(path))
        targets.projects += projects
        targets.problems += problems
    targets.problems += check_targets(targets.projects, execution_weight)
    return targets
