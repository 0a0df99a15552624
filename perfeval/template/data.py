"""The data a workbook is filled from: plain dicts, checked for unknown keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from perfeval.model import FUNDING_SOURCES, INFO_LABELS, TEMPLATE_VERSION

from .layout import FUNDING, GROUP, INDICATORS, SPENDING, VOLUMES, Table

# ---- the data ----------------------------------------------------------------------------------------------


_DATA_KEYS = {"info", "group", "funding", "spending", "indicators", "volumes", "version"}


class Data:
    """The data dict, checked for unknown keys (a typo in an example must not pass silently)."""

    def __init__(self, data: dict | None) -> None:
        data = data or {}
        unknown = set(data) - _DATA_KEYS
        if unknown:
            raise ValueError(f"unknown data keys: {sorted(unknown)}")
        self.blank = not data
        self.version = data.get("version", TEMPLATE_VERSION)
        self.info: dict[str, Any] = dict(data.get("info") or {})
        check_keys("info", [self.info], INFO_LABELS)
        self.group = self._rows(data, GROUP)
        if "funding" in data:
            self.funding = self._rows(data, FUNDING)
        else:
            self.funding = [{"资金来源": source} for source in FUNDING_SOURCES]
        self.spending = self._rows(data, SPENDING)
        self.indicators = self._rows(data, INDICATORS)
        self.volumes = self._rows(data, VOLUMES)

    @staticmethod
    def _rows(data: dict, table: Table) -> list[dict]:
        rows = [dict(row) for row in data.get(table.data_key) or []]
        check_keys(table.data_key, rows, [col.key for col in table.columns])
        return rows

    def rows(self, table: Table) -> list[dict]:
        return getattr(self, table.data_key)


def check_keys(where: str, rows: list[dict], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for row in rows:
        unknown = set(row) - allowed
        if unknown:
            raise ValueError(f"unknown keys in {where}: {sorted(unknown)}")

