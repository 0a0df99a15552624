"""The commit: each project gets a unique folder, its staged outputs are moved in, and the outputs of the
previous run that no input produces now are removed."""

from __future__ import annotations

import os
from pathlib import Path

from ..fileio import safe_name, unique_name
from ..manifest import Manifest
from ..results import PROJECT_STATUSES
from .folder import RESERVED_NAMES, inside
from .log import RunLog
from .state import Item


def assign_folders(items: list[Item]) -> None:
    """A folder per project, from 评价年度_实施单位_项目名称, made unique (_2, _3 …) in the order of the paths."""
    used = {name.casefold() for name in RESERVED_NAMES}
    for item in items:  # already ordered by path
        if item.status not in PROJECT_STATUSES:
            continue
        item.folder = unique_name(item.result.folder_base or safe_name(item.file.path.stem), used)


def commit_outputs(item: Item, output: Path, staging: Path, stage: str, log: RunLog) -> None:
    """Move a project's staged outputs into its folder, one atomic rename per file.

    A file that cannot be replaced (on Windows: open in Excel or Word) keeps its old version; the entry is marked
    incomplete, so that the next run does the workbook again.
    """
    target = output / item.folder
    target.mkdir(parents=True, exist_ok=True)
    item.outputs = {}
    for kind, staged in item.staged.items():
        file_name = Path(staged).name  # staged in the project's own sub-folder of the stage
        try:
            os.replace(staging / stage / staged, target / file_name)
        except OSError as exc:
            item.complete = False
            log.log(f"无法替换 {item.folder}/{file_name}（{exc.strerror or exc}；文件可能正被打开），保留旧文件，"
                       "下次运行将重新生成")
            if not (target / file_name).is_file():
                continue
        item.outputs[kind] = f"{item.folder}/{file_name}"


def remove_stale(output: Path, previous: Manifest | None, items: list[Item], log: RunLog) -> None:
    """Remove the outputs the previous manifest lists that no current input produces, then their emptied
    folders. Nothing the previous manifest does not list is touched."""
    if not previous:
        return
    current = {rel.casefold() for item in items for rel in item.outputs.values()}
    folders = {item.folder.casefold() for item in items if item.folder}
    old_folders = set()
    for entry in previous.entries:
        for rel in entry.outputs.values():
            path = inside(output, rel)
            if path is not None and rel.casefold() not in current:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    log.log(f"无法删除过期的输出 {rel}（{exc.strerror or exc}）")
        if entry.folder and entry.folder.casefold() not in folders:
            old_folders.add(entry.folder)
    for folder in sorted(old_folders):
        path = inside(output, folder)
        if path is not None and path.is_dir() and not any(path.iterdir()):
            try:
                path.rmdir()
            except OSError:
                pass
