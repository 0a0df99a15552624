"""The frames' columns: one schema per frame, the dtypes, and the exact money unit (分).

Dtypes (docs/frames.md):

- text: ``string[python]`` (``pd.StringDtype("python")``), "" when the entry has nothing (never NA, so that
  groupby keeps every group);
- counts and integers: ``Int64``;
- money: ``Int64`` in 分 (fen), column names ending in ``_分``: 1 万元 = 1,000,000 分 (:data:`WAN`), 1 亿元 =
  10,000,000,000 分 (:data:`YI`). A sum of 分 is exact; :func:`from_fen` gives it back as an exact Decimal. An
  amount typed finer than the 分 (a float artefact of a spreadsheet formula) is rounded half up to the 分;
- scores, rates and other figures: exact :class:`~decimal.Decimal` objects (``object``, None when unknown), and
  beside each a ``float64`` convenience column ``<name>_float`` (NaN when unknown) for plotting and quick looks —
  never for a figure shown to people (a float rounds 89.995 down);
- a few fixed sets (status, severity): ``category``, unordered (their display order is never the category's).

Groups and keys are sorted in code point order (:func:`sort_codepoint`), as the summary sorts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from ..fmt import round_half_up

TEXT = pd.StringDtype("python")
WAN = 6  # 分 per 万元: 10**6
YI = 10  # 分 per 亿元: 10**10
FLOAT_SUFFIX = "_float"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | category | int | fen | decimal
    source: str = ""  # the adapter row's key, when not the name
    places: int = WAN  # for fen: 10**places 分 per unit of the source figure
    categories: tuple[str, ...] = ()  # for category: the known values (more are added as found)

    @property
    def key(self) -> str:
        return self.source or self.name


def to_fen(value: Decimal | None, places: int = WAN) -> int | None:
    """An amount (万元, or 亿元 with ``places=YI``) as whole 分, half up; None stays None."""
    if value is None:
        return None
    fen = value.scaleb(places)
    return int(fen) if fen == fen.to_integral_value() else int(round_half_up(fen, 0))


def from_fen(fen: Any, places: int = WAN) -> Decimal | None:
    """Whole 分 back to an exact amount in 万元 (or 亿元 with ``places=YI``); NA gives None."""
    return None if fen is None or pd.isna(fen) else Decimal(int(fen)).scaleb(-places)


def _series(column: Column, values: list) -> pd.Series:
    if column.kind == "text":
        return pd.Series(values, dtype=TEXT)
    if column.kind == "int":
        return pd.Series(pd.array(values, dtype="Int64"))
    if column.kind == "fen":
        return pd.Series(pd.array([to_fen(v, column.places) for v in values], dtype="Int64"))
    if column.kind == "decimal":
        return pd.Series(values, dtype=object)
    if column.kind == "category":
        known = list(column.categories)
        extra = sorted(set(values) - set(known))
        return pd.Series(pd.Categorical(values, categories=known + extra, ordered=False))
    raise ValueError(f"unknown column kind {column.kind!r}")


def floats(values: Iterable[Decimal | None]) -> pd.Series:
    return pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")


def frame(columns: Sequence[Column], data: dict[str, list]) -> pd.DataFrame:
    """A DataFrame of ``columns`` from lists of plain values (``data`` by each column's key); a decimal column gets
    its ``_float`` companion right after it."""
    parts: dict[str, pd.Series] = {}
    for column in columns:
        values = data.get(column.key, [])
        parts[column.name] = _series(column, values)
        if column.kind == "decimal":
            parts[column.name + FLOAT_SUFFIX] = floats(values)
    return pd.DataFrame(parts)


def sort_codepoint(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``df`` sorted by ``columns`` in code point order (Python's own string order; stable), index reset."""
    keys = [df[c].tolist() for c in columns]
    order = sorted(range(len(df)), key=lambda i: tuple(k[i] for k in keys))
    return df.iloc[order].reset_index(drop=True)
