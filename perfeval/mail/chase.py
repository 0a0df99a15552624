"""The chase list (待跟进清单): what could not be sent, for someone to follow up by hand."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..fileio import write_bytes
from ..results import ManifestEntry

CHASE_FILE = "待跟进清单.csv"


@dataclass
class ChaseItem:
    """Something that could not be sent, for someone to follow up by hand."""

    category: str  # 无联系邮箱 / 联系邮箱格式不正确 / 主管部门未配置邮箱 / 未填主管部门 / 文件无法读取 / 附件缺失 / 发送失败
    project: str = ""
    unit: str = ""
    department: str = ""
    file: str = ""
    address: str = ""
    reason: str = ""

    @property
    def who(self) -> str:
        return "：".join(x for x in (self.unit or self.department, self.project) if x) or self.file

    def line(self) -> str:
        return f"  [{self.category}] {self.who}" + (f"（{self.address}）" if self.address else "") + \
            (f"：{self.reason}" if self.reason else "")


CHASE_COLUMNS = ("类别", "项目名称", "实施单位", "主管部门", "文件", "邮箱", "说明")


def write_chase_list(path: Path, items: list[ChaseItem]) -> None:
    """The chase list as CSV in UTF-8 with a BOM, so that Excel shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CHASE_COLUMNS)
    for c in items:
        writer.writerow([c.category, c.project, c.unit, c.department, c.file, c.address, c.reason])
    write_bytes(path, buffer.getvalue().encode("utf-8-sig"))


def chase_item(entry: ManifestEntry, category: str, reason: str = "", address: str = "") -> ChaseItem:
    """The chase item for a project (its file, and its sheet or Word table when the file holds several)."""
    info = entry.info
    return ChaseItem(category, info.name, info.unit, info.department, entry.label, address, reason)

