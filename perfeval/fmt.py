"""Display formatting: the one place where figures are rounded (half up) and turned into text.

Everything upstream keeps full precision; every renderer (自评表, report, summary, mail) formats through here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext

HUNDRED = Decimal(100)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round to ``places`` decimals, half up (96.5 -> 97), as finance staff round by hand.

    The precision is widened for the value's own digits: with the default 28, a number typed with more digits
    (a weight of 1e30) would raise InvalidOperation instead of being shown and reported.
    """
    digits = max(getcontext().prec, value.adjusted() + places + 2)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=digits))


def _plain(value: Decimal) -> str:
    """A Decimal as plain text, never in exponent form, and never "-0.00"."""
    text = format(value.copy_abs() if value == 0 else value, "f")
    return "0" if text in ("-0", "") else text


def trim(value: Decimal, places: int = 2) -> str:
    """At most ``places`` decimals, no trailing zeros: 32.90 -> "32.9", 5.00 -> "5", 23.93 -> "23.93"."""
    text = _plain(round_half_up(value, places))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed(value: Decimal, places: int = 2) -> str:
    """Exactly ``places`` decimals: 97.2735 -> "97.27"."""
    return _plain(round_half_up(value, places))


def money(value: Decimal | None) -> str:
    """万元 (or 亿元) amount in prose: 32.9, 5, 23.93."""
    return "" if value is None else trim(value, 2)


def rate(fraction: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage with two decimals: 0.727355 -> "72.74%"."""
    return "" if fraction is None else fixed(fraction * HUNDRED, places) + "%"


def count(value: Decimal | None) -> str:
    return "" if value is None else trim(value, 0)


def score(value: Decimal | None, places: int = 2) -> str:
    return "" if value is None else fixed(value, places)


def table_value(value: Decimal | None, places: int = 2) -> float | None:
    """A figure rounded for a spreadsheet cell; the cell's number format shows the decimals."""
    return None if value is None else float(round_half_up(value, places))


def prose_score(total: Decimal, grade: str, places: int, grade_of) -> str:
    """The total as the report's prose writes it (the seed: 得分97).

    When rounding to ``places`` would show a figure of another grade (89.6 -> "90" beside 良), two decimals are
    shown instead so that the prose never contradicts itself. ``grade_of`` maps a total to its grade.
    """
    shown = round_half_up(total, places)
    if grade_of(shown) != grade:
        return fixed(total, 2)
    return fixed(total, places)


def date(day: dt.date | None) -> str:
    """A day as a form writes it: 2026年3月5日."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"
