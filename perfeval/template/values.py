"""Small value helpers shared by the template's writers and its check formulas."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# ---- small helpers -----------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Column-width units a text needs: a CJK (wide) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row_height(text: str, width: float, minimum: float = 15, line: float = 15) -> float:
    """A row height (points) that shows ``text`` wrapped in a column ``width`` units wide."""
    lines = sum(max(1, math.ceil(display_width(part) / max(width - 2, 1))) for part in text.split("\n"))
    return min(409, max(minimum, lines * line + 4))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def as_number(value: Any) -> float:
    """A value as SUM sees it: numbers count, text and blanks are 0."""
    return float(value) if is_number(value) else 0.0


def column_sum(rows: Iterable[dict], key: str) -> float:
    return sum(as_number(row.get(key)) for row in rows)


def plain(number: float) -> str:
    """A number as ``ROUND(x,2)&""`` shows it: 97.27, 10."""
    text = f"{round(number, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text

