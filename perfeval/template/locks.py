"""What a prepared workbook (targets.md) adds to the template: locked approved cells, row ids, a carried sheet.

The template writer knows nothing of targets: :mod:`perfeval.targets.prepare` says, with a :class:`Locks`, which
cells hold approved values (written locked, in their own colour), the id of each approved 绩效指标 row (a hidden
column headed :data:`ID_HEADER`), how many fully open rows follow them, the protection password, and the rows of a
very hidden sheet that carries the approved values inside the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfeval.model import SHEET_GROUP, SHEET_SPENDING, SHEET_VOLUMES

ID_HEADER = "审定编号"  # header of the hidden id column on 绩效指标
APPROVED_FILL = "#E7E6E6"
UNPROTECTED_SHEETS = (SHEET_GROUP, SHEET_SPENDING, SHEET_VOLUMES)  # rows are added and deleted freely
APPROVED_LEGEND = (APPROVED_FILL, "浅灰色：已批复的内容，已锁定，不能修改")


@dataclass(frozen=True)
class Locks:
    info: frozenset[str] = frozenset()  # 基本信息 labels whose value is approved
    funding_rows: int = 0  # the first rows of 资金情况: 资金来源 and 年初预算数 approved
    funding_keys: frozenset[str] = frozenset({"资金来源", "年初预算数"})
    indicator_keys: tuple[frozenset[str], ...] = ()  # per approved 绩效指标 row, the approved columns
    indicator_ids: tuple[str, ...] = ()
    open_rows: int = 5  # fully open 绩效指标 rows below the approved ones
    password: str = ""
    carried_sheet: str = ""  # a very hidden sheet holding these rows of text
    carried_rows: tuple[tuple[str, ...], ...] = ()

    def locked(self, data_key: str, row: int, key: str) -> bool:
        """Whether the cell of table ``data_key`` (a template data key), input row ``row``, column ``key`` is locked."""
        if data_key == "funding":
            return row < self.funding_rows and key in self.funding_keys
        if data_key == "indicators":
            return row < len(self.indicator_keys) and key in self.indicator_keys[row]
        return False
