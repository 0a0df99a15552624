"""What several rule modules share: the rounding tolerance, figures in words, repeated records."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable, Iterator

from .. import fmt

ZERO = Decimal(0)
TOLERANCE = Decimal("0.005")  # 万元 (and points): differences below this are rounding


def differs(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) >= TOLERANCE


def wan(value: Decimal | None) -> str:
    return f"{fmt.money(value or ZERO)} 万元"


def points(value: Decimal | None) -> str:
    return f"{fmt.trim(value or ZERO)} 分"


def percent(fraction: Decimal) -> str:
    """A configured ratio as a percentage without needless decimals: 0.9 -> "90%"."""
    return fmt.trim(fraction * fmt.HUNDRED) + "%"


def repeats(records: Iterable, key: Callable) -> Iterator[tuple[object, object]]:
    """(record, the first record with the same key) for every record whose key was seen before; blank keys skip."""
    seen: dict = {}
    for record in records:
        k = key(record)
        if k:
            first = seen.setdefault(k, record)
            if first is not record:
                yield record, first
