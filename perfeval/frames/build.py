"""The frames of one batch: built from its manifest entries, one entry at a time.

:func:`from_entries` takes the entries the batch has in hand (or any iterable of them: typed
:class:`~perfeval.results.ManifestEntry`, or their JSON form) and keeps no entry: each is turned into rows by
:mod:`.adapter` and appended to plain column lists; the DataFrames are made once at the end. :func:`load` reads a
finished batch's ``manifest.json`` with the manifest's own reader, one entry at a time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..manifest import MANIFEST_NAME, READABLE_FORMATS, load_manifest
from ..results import PROJECT_STATUSES, STATUS_LABELS, ManifestEntry
from ..problems import SEVERITIES
from . import adapter
from .columns import YI, Column, frame
from .departments import department_figures

ENTRY = (Column("entry", "int"), Column("path", "text"))
PROJECT_COLUMNS = (*ENTRY, Column("name", "text"), Column("status", "category", categories=tuple(STATUS_LABELS)),
                   *(Column(k, "text") for k in (*adapter.KEYS, adapter.CODE)),
                   *(Column(f"{k}_分", "fen", k) for k in adapter.MONEY),
                   Column("执行率", "decimal"), Column("得分", "decimal"), Column("等级", "text"),
                   *(Column(f"{s}数", "int") for s in SEVERITIES))
INDICATOR_COLUMNS = (*ENTRY, *(Column(k, "text") for k in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                                                           "计量单位")),
                     Column("分值", "decimal"), Column("得分", "decimal"), Column("完成情况", "text"),
                     Column("偏差原因分析及改进措施", "text"))
SPENDING_COLUMNS = (*ENTRY, Column("支出内容", "text"), Column("金额_分", "fen", "金额"), Column("说明", "text"))
VOLUME_COLUMNS = (*ENTRY, Column("业务类别", "text"), Column("数量", "decimal"), Column("金额_分", "fen", "金额", YI),
                  Column("备注", "text"))
PROBLEM_COLUMNS = (*ENTRY, Column("sheet", "text"), Column("cell", "text"), Column("code", "text"),
                   Column("severity", "category", categories=SEVERITIES), Column("message", "text"),
                   Column("value", "text"))
FLAG_COLUMNS = (*ENTRY, Column("code", "text"), Column("severity", "category", categories=SEVERITIES),
                Column("message", "text"))

DETAILS = {"indicators": (INDICATOR_COLUMNS, adapter.indicator_rows),
           "spending": (SPENDING_COLUMNS, adapter.spending_rows),
           "volumes": (VOLUME_COLUMNS, adapter.volume_rows),
           "problems": (PROBLEM_COLUMNS, adapter.problem_rows),
           "flags": (FLAG_COLUMNS, adapter.flag_rows)}


class ManifestError(Exception):
    """A batch's manifest that cannot be read, or is of a format this version does not know."""


@dataclass(frozen=True, eq=False)
class Frames:
    """One batch's results as DataFrames (columns: docs/frames.md). Rows are in the manifest's order (by path);
    ``entry`` (the entry's position) joins the detail frames to ``projects``."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    spending: pd.DataFrame
    volumes: pd.DataFrame
    problems: pd.DataFrame
    flags: pd.DataFrame
    departments: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)  # the manifest's own keys (format, version, …), no files

    def counted(self) -> pd.DataFrame:
        """The projects that count (read as a project and not superseded: ``ok`` and ``has-errors``)."""
        return self.projects[self.projects["status"].isin(PROJECT_STATUSES)]


class _Columns:
    """Rows collected as one list per key."""

    def __init__(self) -> None:
        self.data: dict[str, list] = defaultdict(list)

    def add(self, *rows: dict[str, Any]) -> None:
        data = self.data
        for row in rows:
            for key, value in row.items():
                data[key].append(value)


def from_entries(entries: Iterable[ManifestEntry | Mapping[str, Any]], meta: dict[str, Any] | None = None, *,
                 details: bool = True) -> Frames:
    """The frames of a batch from its manifest entries (typed, or as manifest.json holds them), consumed one at a
    time. ``details=False`` builds ``projects`` and ``departments`` only (the detail frames empty, with their
    columns): what the summary and 同比 need."""
    projects = _Columns()
    collected = {name: _Columns() for name in DETAILS}
    for number, entry in enumerate(entries):
        try:
            if isinstance(entry, Mapping):
                entry = ManifestEntry.from_json(entry)
            head = {"entry": number, "path": adapter.path(entry)}
            projects.add(head, adapter.project_row(entry))
            for name, (_, rows) in DETAILS.items() if details else ():
                for row in rows(entry):
                    collected[name].add(head, row)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ManifestError(f"清单中第 {number + 1} 个条目无法读取（{type(exc).__name__}: {exc}）。") from None
    project_frame = frame(PROJECT_COLUMNS, projects.data)
    built = {name: frame(columns, collected[name].data) for name, (columns, _) in DETAILS.items()}
    return Frames(projects=project_frame, departments=department_figures(project_frame), meta=dict(meta or {}),
                  **built)


_FORMAT = re.compile(r'"format"\s*:\s*(-?\d+)')


def _why_not(path: Path) -> str:
    """Why :func:`load_manifest` gave nothing, in words (the decision is its own)."""
    if not path.is_file():
        return f"找不到 {path}：该文件夹不是 perfeval 的输出文件夹，或运行尚未完成。"
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return f"无法读取 {path}（{exc.strerror or exc}）。"
    found = _FORMAT.search(head)
    if found and int(found[1]) not in READABLE_FORMATS:
        readable = "、".join(map(str, READABLE_FORMATS))
        return (f"{path} 的格式为 {found[1]}，本版本只能读取格式 {readable}。请用本版本对上年的填报表重新运行一次，"
                "再与其输出比较。")
    return f"无法读取 {path}：不是完整的 perfeval 清单（可能被中断或手工改动过）。"


def load(output: str | Path, *, details: bool = True) -> Frames:
    """The frames of a finished batch, from ``OUTPUT/manifest.json`` (of this version's format or an earlier one it
    reads: :data:`perfeval.manifest.READABLE_FORMATS`). Raises :class:`ManifestError` when the manifest is missing,
    unreadable or of a format this version does not read (never a partial result)."""
    manifest = load_manifest(Path(output), formats=READABLE_FORMATS)
    if manifest is None:
        raise ManifestError(_why_not(Path(output) / MANIFEST_NAME))
    return from_entries(manifest.entries, manifest.head_json(), details=details)
