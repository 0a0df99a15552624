"""Where a value is and what a label says: A1 addresses and label normalisation, shared by the reader, the
pre-scan, the checks and the official tables.

Rows and columns are 0-based in :func:`a1` and :func:`parse_a1` (as the readers index grids) and 1-based in
:func:`cell_position` (as people count, for sorting problems). Labels and sheet names are compared without any
kind of space; a label also loses its "*", its "：" and its unit in brackets.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")  # every kind of space, full-width and zero-width (parse too)
_LABEL_UNIT = re.compile(r"[(（]([^()（）]*)[)）]$")
_A1 = re.compile(r"([A-Z]+)(\d+)")
_POSITION = re.compile(r"([A-Z]*)(\d*)")


# ---- labels -------------------------------------------------------------------------------------------------

def sheet_label(name: str) -> str:
    """A sheet name without any kind of space, as sheet names are matched."""
    return SPACES.sub("", name or "")


def split_label(text: Any) -> tuple[str, str]:
    """A header or label without spaces, "*", "：" and its unit in brackets: ("年初预算数", "万元")."""
    t = SPACES.sub("", str(text or ""))
    t = t.rstrip("*＊:：")
    unit = ""
    match = _LABEL_UNIT.search(t)
    if match:
        unit = unicodedata.normalize("NFKC", match[1]).strip()
        t = t[: match.start()]
    return t.rstrip("*＊:：").lstrip("*＊"), unit


def label_of(text: Any) -> str:
    return split_label(text)[0]


# ---- addresses ----------------------------------------------------------------------------------------------

def column_index(letters: str) -> int:
    """A column's letters as a 0-based index, in either case ("A" -> 0, "ab" -> 27); -1 for ""."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1


def a1(row: int, col: int) -> str:
    """0-based row and column as an A1 address."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """An A1 address as a 0-based (row, column)."""
    match = _A1.fullmatch(ref)
    return int(match[2]) - 1, column_index(match[1])


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1 cell or the top-left of a range ("B8", "A1:C1", "3:3"); (0, 0) for ""."""
    first = (ref or "").split(":")[0]
    match = _POSITION.fullmatch(first)
    if not match or not first:
        return 0, 0
    return int(match[2] or 0), column_index(match[1]) + 1


def span(cells: Iterable[str]) -> str:
    """The smallest range holding some A1 cells: "B2", "B2:B7"; "" when there are none."""
    positions = [parse_a1(c) for c in cells if c]
    if not positions:
        return ""
    top_left = a1(min(r for r, _ in positions), min(c for _, c in positions))
    bottom_right = a1(max(r for r, _ in positions), max(c for _, c in positions))
    return top_left if top_left == bottom_right else f"{top_left}:{bottom_right}"
