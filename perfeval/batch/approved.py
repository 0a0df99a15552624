"""A run against targets lists (``[run] targets``, ``--targets``; targets.md, "On return").

- :func:`targets_digest`: the lists' contents, part of what decides whether an earlier result is reused;
- :func:`worker_targets`: the lists as a worker reads them, once per worker process (only their paths travel);
- :func:`answer_targets`: after the commit, each entry that answers an approved project gets its ``origin``,
  and each approved project with no workbook back becomes a ``missing`` entry of its own (recomputed every run).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..identity import identity, name_key
from ..problems import Problem
from ..results import (PROJECT_STATUSES, STATUS_MISSING, STATUS_SUPERSEDED, FileResult, ManifestEntry, ProjectInfo,
                       SourceFacts)
from ..targets.load import read_targets, target_files
from ..targets.model import ApprovedProject, Targets

NOT_RETURNED = "project-not-returned"
DUPLICATE = "targets-duplicate-project"


def targets_digest(paths: Iterable[str]) -> str:
    """A sha256 over the targets files' names and contents ("" without any list)."""
    files = target_files([Path(p) for p in paths])
    if not files:
        return ""
    digest = hashlib.sha256(b"targets\0")
    for path in files:
        try:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            content = "unreadable"
        digest.update(f"{path.resolve().as_posix()}\0{content}\0".encode("utf-8"))
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=2)
def worker_targets(paths: tuple[str, ...], execution_weight: str) -> Targets | None:
    """The targets lists, read once in each process that asks (a forked worker inherits the main process's read);
    None without any."""
    return read_targets(list(paths), execution_weight) if paths else None


def _keys(info: ProjectInfo) -> list[tuple[str, ...]]:
    keys = [identity(info.code, info.year, info.unit, info.name)] if info.code else []
    return keys + [name_key(info.year, info.unit, info.name)]


def _listed(targets: Targets) -> list[ApprovedProject]:
    """The approved projects a workbook is expected for (a project listed twice counts once)."""
    return [p for p in targets.projects if not any(x.code == DUPLICATE for x in p.problems)]


def missing_entry(project: ApprovedProject) -> ManifestEntry:
    """The entry of an approved project with no workbook back: status ``missing``, no file, its identity and
    address, and one ``project-not-returned`` warning at the targets file's cell."""
    i = project.info
    info = ProjectInfo(i.get("评价年度", ""), i.get("项目名称", ""), i.get("主管部门", ""), i.get("实施单位", ""),
                       i.get("联系邮箱", ""), i.get("项目编码", ""))
    message = f"{project.title}：批复目标中的该项目没有报送填报表（未报送）。请催促实施单位报送。"
    problem = Problem(NOT_RETURNED, message, project.file, project.sheet, project.cell)
    result = FileResult(project.title or project.origin, STATUS_MISSING, (problem,), info)
    return ManifestEntry(SourceFacts("", ""), result, STATUS_MISSING, origin=project.origin)


def answer_targets(entries: list[ManifestEntry], targets: Targets | None) -> list[ManifestEntry]:
    """The entries with the origin of the approved project each answers, then a ``missing`` entry for each
    approved project no workbook answers (in the targets' order)."""
    if targets is None:
        return entries
    answered: set[int] = set()
    result = []
    for entry in entries:
        # joined as the comparison joined it (the very hidden sheet first), else by identity
        keys = ([entry.result.approved_key] if entry.result.approved_key else []) + _keys(entry.info)
        project = targets.find(*keys) if entry.status in PROJECT_STATUSES + (STATUS_SUPERSEDED,) else None
        if project is not None:
            answered.add(id(project))
            entry = replace(entry, origin=project.origin)
        result.append(entry)
    return result + [missing_entry(p) for p in _listed(targets) if id(p) not in answered]
