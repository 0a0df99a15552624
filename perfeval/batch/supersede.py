"""The superseded rule: the same project (评价年度, 实施单位, 项目名称) in several files — the one the workbook itself
says was saved last counts; its file's time only where the workbook does not say."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from ..problems import Problem
from ..results import PROJECT_STATUSES, STATUS_SUPERSEDED, SUPERSEDED_CODE
from .state import Item


def _saved_time(item: Item) -> datetime | None:
    """When the workbook says it was last saved (from its result), None when it does not say."""
    try:
        return datetime.fromisoformat(item.result.saved_at or "")
    except ValueError:
        return None


def _file_time(item: Item) -> datetime:
    return datetime.fromtimestamp(item.file.mtime_ns / 1e9).astimezone()


def _newness(item: Item) -> tuple[datetime, int, str]:
    """What orders the files of one project: the workbook's saved time (its file's time where it has none), then
    the file's time, then the path."""
    return _saved_time(item) or _file_time(item), item.file.mtime_ns, item.label


NEWEST_BY = ("saved_at", "modified", "path")  # manifest ``newest_by``: the first of _newness that differed
NEWEST_BY_TEXT = {"saved_at": "以工作簿记录的最后保存时间最新者为准（未记录保存时间的，以文件修改时间代替）",
                  "modified": "两份的保存时间相同，以文件修改时间最新者为准",
                  "path": "两份的保存时间和文件修改时间都相同，以路径排序在后者为准"}


def _decided_by(winner: Item, other: Item) -> str:
    return next((basis for basis, a, b in zip(NEWEST_BY, _newness(winner), _newness(other)) if a != b), "path")


def _when(item: Item) -> str:
    """The file's two times, as the superseded messages give them."""
    modified = f"文件修改时间 {_file_time(item):%Y-%m-%d %H:%M:%S}"
    saved = _saved_time(item)
    return f"保存于 {saved:%Y-%m-%d %H:%M:%S}，{modified}" if saved else f"工作簿未记录保存时间，{modified}"


def supersede(items: list[Item]) -> None:
    """The same project (评价年度, 实施单位, 项目名称) in several files: the one saved last counts (:func:`_newness`)."""
    groups: dict[tuple, list[Item]] = defaultdict(list)
    for item in items:
        if item.status in PROJECT_STATUSES and (key := item.result.info.identity):
            groups[key].append(item)
    for (year, unit, name), group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=_newness, reverse=True)
        winner, runner_up = group[0], group[1]
        losers = sorted(group[1:], key=lambda i: i.label)
        project = f"{year}年度 {unit} {name}"
        won = winner.label
        for loser in losers:
            loser.status = STATUS_SUPERSEDED
            loser.superseded_by = won
            loser.newest_by = _decided_by(winner, loser)
            loser.findings.append(Problem(
                SUPERSEDED_CODE, f"本文件“{loser.label}”（{_when(loser)}）与“{won}”（{_when(winner)}）是同一"
                f"项目（{project}）的多份填报，{NEWEST_BY_TEXT[loser.newest_by]}：以“{won}”为准，本文件不再处理。",
                loser.result.name))
        winner.newest_by = _decided_by(winner, runner_up)
        others = "、".join(f"“{i.label}”（{_when(i)}）" for i in losers)
        winner.findings.append(Problem(
            SUPERSEDED_CODE, f"同一项目（{project}）另有填报{others}，{NEWEST_BY_TEXT[winner.newest_by]}：以本文件"
            f"“{won}”（{_when(winner)}）为准。", winner.result.name))
