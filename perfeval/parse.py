"""Parsing what people write in cells: numbers, money, targets (年度指标值) and actuals (实际完成值).

Pure functions, no I/O. Every number comes back as a Decimal; anything that cannot be read raises
:class:`ParseError` with a Chinese reason, so that nothing is ever guessed silently.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .cells import SPACES

HUNDRED = Decimal(100)


class ParseError(ValueError):
    """A value could not be read; ``str(exc)`` is a Chinese reason for the end user, ``hint`` what is expected
    ("" when the caller's own advice fits)."""

    def __init__(self, reason: str, hint: str = ""):
        super().__init__(reason)
        self.hint = hint


# ---- text normalisation ----------------------------------------------------------------------------------

# Characters NFKC leaves alone but people use as operators or minus signs.
_CHAR_MAP = str.maketrans({
    "≧": "≥", "≦": "≤", "═": "=", "﹦": "=", "＝": "=", "−": "-", "—": "-", "–": "-", "－": "-",
    "％": "%", "﹪": "%", "（": "(", "）": ")", "，": ",", "。": ".", "\u3000": " ",
})


def normalize(text: str) -> str:
    """Full-width to half-width, operator look-alikes unified, every kind of space removed."""
    text = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)
    text = text.replace(">=", "≥").replace("<=", "≤").replace("=>", "≥").replace("=<", "≤")
    return SPACES.sub("", text)


def cell_text(value) -> str:
    """Any cell value as the text a person sees (floats without float artefacts)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(decimal_from_float(value), "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def decimal_from_float(value: float) -> Decimal:
    """A float from a spreadsheet as the decimal the person typed (23.930000000000003 -> 23.93)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ParseError("不是有效数字")
    result = Decimal(format(value, ".15g"))
    return result + 0 if result != 0 else Decimal(0)


# ---- numbers ---------------------------------------------------------------------------------------------

_NUMBER = r"[-+]?(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
_NUMBER_RE = re.compile(_NUMBER)
_QUANTITY_RE = re.compile(rf"^(?P<neg>\()?(?P<num>{_NUMBER})(?(neg)\))(?P<unit>.*)$")


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    unit: str  # text written after the number ("万元", "%", "") — normalised


def _to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ParseError(f"“{text}”不是有效数字") from None


def parse_quantity(value) -> Quantity:
    """A number as a cell holds it: 32.9, "32.9", "32.9万元", "1,234.5", "３２．９", "72.74%", "(12)" (negative)."""
    if isinstance(value, bool):
        raise ParseError("应填写数字")
    if isinstance(value, int):
        return Quantity(Decimal(value), "")
    if isinstance(value, float):
        return Quantity(decimal_from_float(value), "")
    if isinstance(value, Decimal):
        return Quantity(value, "")
    if not isinstance(value, str):
        raise ParseError(f"“{cell_text(value)}”不是数字")
    text = normalize(value)
    if not text:
        raise ParseError("单元格为空")
    match = _QUANTITY_RE.match(text)
    if not match:
        raise ParseError(f"“{value.strip()}”不是可识别的数字")
    if _STRAY_SEPARATOR.match(match["unit"]):
        raise _stray_separator(value.strip(), text)
    number = _to_decimal(match["num"])
    if match["neg"]:
        number = -number
    return Quantity(number, match["unit"])


# After a number, a separator and more digits: "80,0", "1,2345", "1.234.5" — a number with a stray separator.
_STRAY_SEPARATOR = re.compile(r"[,.]?\d")
_DIGITS_AND_SEPARATORS = re.compile(r"[-+]?[\d,.]*\d")


def _stray_separator(shown: str, text: str) -> ParseError:
    """The error for a number with a stray separator, naming the separator and the numbers it may have meant."""
    digits = _DIGITS_AND_SEPARATORS.match(text)[0]
    whole, sep, fraction = max(digits.rpartition(","), digits.rpartition("."), key=lambda parts: len(parts[0]))
    whole = whole.replace(",", "").replace(".", "")
    return ParseError(f"“{shown}”中的“{sep}”不是有效的分隔符", f"应为数字，如 {whole}.{fraction} 或 {whole}")


def parse_number(value, unit: str = "") -> Decimal:
    """A plain number; the column's own ``unit`` ("分", "宗") or a "%" (kept as percentage points) may follow it."""
    q = parse_quantity(value)
    if q.unit not in ("", "%", unit):
        raise ParseError(f"“{cell_text(value)}”含有无法识别的内容“{q.unit}”")
    return q.value


_YEAR = re.compile(r"(\d{4})(?:年度?)?")


def parse_year(value) -> int | None:
    """评价年度: 2025, "2025年" or "2025年度" (any width, any spaces) -> 2025; None for anything else."""
    match = _YEAR.fullmatch(normalize(cell_text(value)))
    return int(match[1]) if match else None


# Money units, in 万元.
MONEY_SCALE = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000), "万": Decimal(1),
               "亿": Decimal(10000)}


def parse_money(value, column_unit: str = "万元", result_unit: str = "万元") -> Decimal:
    """An amount converted to ``result_unit``; a unit written in the cell wins over the column's."""
    q = parse_quantity(value)
    unit = q.unit or column_unit
    if unit not in MONEY_SCALE:
        raise ParseError(f"金额单位“{unit}”无法识别（可用：元、万元、亿元）")
    return q.value * MONEY_SCALE[unit] / MONEY_SCALE[result_unit]


# ---- targets and actuals ---------------------------------------------------------------------------------

GE, GT, EQ, LE, LT = "≥", ">", "=", "≤", "<"
REVERSE_OPS = (LE, LT)

KIND_NUMBER = "number"
KIND_DATE = "date"
KIND_TEXT = "text"  # qualitative

# Operator words, longest first within each group so "不低于" wins over "低于".
_PREFIX_WORDS = [
    ("大于或等于", GE), ("大于等于", GE), ("不低于", GE), ("不少于", GE), ("不小于", GE), ("至少", GE), ("达到", GE),
    ("小于或等于", LE), ("小于等于", LE), ("不高于", LE), ("不超过", LE), ("不多于", LE), ("不大于", LE),
    ("控制在", LE), ("最多", LE), ("高于", GT), ("大于", GT), ("超过", GT), ("多于", GT),
    ("低于", LT), ("小于", LT), ("少于", LT), ("等于", EQ),
]
_SUFFIX_WORDS = [("及以上", GE), ("以上", GE), ("及以内", LE), ("以内", LE), ("及以下", LE), ("以下", LE),
                 ("之内", LE), ("内", LE)]
_SYMBOLS = {"≥": GE, ">": GT, "=": EQ, "≤": LE, "<": LT}

PERCENT_UNITS = ("%", "百分比", "百分点")
# Units that are the same kind when written differently.
_UNIT_ALIASES = {"百分比": "%", "百分点": "%", "日": "天", "公里": "千米", "㎡": "平方米", "m2": "平方米",
                 "m²": "平方米", "人/次": "人次"}
NATURE_POSITIVE, NATURE_REVERSE, NATURE_EQUAL, NATURE_QUALITATIVE = "正向", "反向", "等于", "定性"


def canonical_unit(unit: str) -> str:
    return _UNIT_ALIASES.get(unit, unit)


@dataclass(frozen=True, slots=True)
class Value:
    """A parsed target or actual."""

    kind: str  # KIND_NUMBER, KIND_DATE or KIND_TEXT
    text: str  # as written
    op: str = GE  # for targets
    number: Decimal | None = None  # for numbers; percentages in percentage points (95% -> 95)
    unit: str = ""  # canonical unit, "%" for percentages
    date: tuple[int, int, int | None] | None = None  # (year, month, day or None when only a month is given)
    explicit_op: bool = False  # the operator was written, not inferred

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


_DATE_FULL = re.compile(r"(\d{4})(?:年|[-/.])(\d{1,2})(?:月|[-/.])?(?:(\d{1,2})(?:日|号)?)?")
_DATE_YEAR_END = re.compile(r"^(\d{4})年(?:底|末)")
_DATE_MONTH_ONLY = re.compile(r"^(?:年底|年末)|^(\d{1,2})月(?:(\d{1,2})(?:日|号)|底|末|份|前|$)")
_DATE_TAIL = re.compile(r"^(?:前|之前|以前|底前|末前|底|末|内|完成|前完成|份)?$")


def _date_from_text(text: str, year: int | None, iso_ok: bool) -> tuple[int, int, int | None] | None:
    """Deadline-like dates: 2025年12月, 2025年12月31日前, 12月底前, 2025年底前, 2025-12-31; None when not a date."""
    m = _DATE_YEAR_END.match(text)
    if m and _DATE_TAIL.match(text[m.end():]):
        return int(m[1]), 12, None
    m = _DATE_FULL.match(text)
    if m and ("年" in text or iso_ok or m[3]):
        rest = text[m.end():]
        if _DATE_TAIL.match(rest):
            month = int(m[2])
            day = int(m[3]) if m[3] else None
            if 1 <= month <= 12 and (day is None or 1 <= day <= 31):
                return int(m[1]), month, day
    m = _DATE_MONTH_ONLY.match(text)
    if m and year and _DATE_TAIL.match(text[m.end():]):
        if m[0].startswith(("年底", "年末")):
            return year, 12, None
        month = int(m[1])
        day = int(m[2]) if m[2] else None
        if 1 <= month <= 12:
            return year, month, day
    return None


def _split_operator(text: str) -> tuple[str | None, str]:
    for symbol, op in _SYMBOLS.items():
        if text.startswith(symbol):
            return op, text[len(symbol):]
    for word, op in _PREFIX_WORDS:
        if text.startswith(word):
            return op, text[len(word):]
    return None, text


def _strip_suffix_op(text: str) -> tuple[str | None, str]:
    for word, op in _SUFFIX_WORDS:
        if text.endswith(word) and len(text) > len(word):
            return op, text[: -len(word)]
    return None, text


def _nature_op(nature: str) -> tuple[str | None, bool]:
    """(operator the 指标性质 column implies, whether it says qualitative)."""
    n = normalize(nature)
    if not n:
        return None, False
    if n in _SYMBOLS:
        return _SYMBOLS[n], False
    if "定性" in n:
        return None, True
    if "反向" in n or "越小越好" in n:
        return LE, False
    if "等于" in n or n == "=":
        return EQ, False
    if "正向" in n or "越大越好" in n:
        return GE, False
    if "定量" in n:
        return None, False
    raise ParseError(f"指标性质“{nature}”无法识别（可填：正向、反向、等于、定性，或 ≥ ≤ =）")


def _number_value(text: str, original: str, op: str | None, default_unit: str) -> Value | None:
    m = re.match(rf"^({_NUMBER})(.*)$", text)
    if not m:
        return None
    number = _to_decimal(m[1])
    unit = m[2]
    if re.search(r"\d", unit) and unit not in _UNIT_ALIASES:
        return None  # "9.5.3%", "1,23.4": more digits after the number are not a unit
    if unit.startswith(PERCENT_UNITS):
        unit = "%"
    unit = canonical_unit(unit or default_unit)
    return Value(KIND_NUMBER, original, op or GE, number, unit, explicit_op=op is not None)


def parse_target(raw, nature: str = "", unit: str = "", year: int | None = None,
                 deadline_hint: bool = False) -> Value:
    """年度指标值: ≥95%, ＞＝90%, 98%以上, 不超过30万元, 5天以内, 2025年12月31日前, 提升 …

    ``nature`` is the 指标性质 column; ``unit`` the 计量单位 column; ``year`` the 评价年度 (for 12月底前);
    ``deadline_hint`` is set for 时效指标, where 2025.12 means a month rather than a number.
    """
    original = cell_text(raw)
    if isinstance(raw, (dt.date, dt.datetime)):
        return Value(KIND_DATE, original, LE, date=(raw.year, raw.month, raw.day))
    nature_op, qualitative = _nature_op(nature)
    text = normalize(original)
    if not text:
        raise ParseError("年度指标值为空")
    unit = canonical_unit(normalize(unit))
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = Decimal(raw) if isinstance(raw, int) else decimal_from_float(raw)
        if unit == "%" and 0 < number <= 1 and isinstance(raw, float):
            number *= HUNDRED  # a cell formatted as a percentage arrives as a fraction
        return Value(KIND_NUMBER, original, nature_op or GE, number, unit, explicit_op=nature_op is not None)
    op, body = _split_operator(text)
    suffix_op, body = _strip_suffix_op(body)
    op = op or suffix_op
    date = _date_from_text(body, year, deadline_hint)
    if date:
        return Value(KIND_DATE, original, LE, date=date, explicit_op=True)
    if qualitative:
        return Value(KIND_TEXT, original, GE)
    value = _number_value(body, original, op or nature_op, unit)
    if value is None:
        if op is not None and _NUMBER_RE.search(body):
            raise ParseError(f"年度指标值“{original}”无法识别")
        return Value(KIND_TEXT, original, GE)
    if nature_op and not op:
        value = Value(KIND_NUMBER, original, nature_op, value.number, value.unit)
    return value


# Qualitative actuals: the band each phrase names. Checked in order, so "部分达成" is found before "达成".
BAND_FULL, BAND_PARTIAL, BAND_NONE = "达成", "部分达成", "未达成"
_BAND_WORDS = [
    (BAND_NONE, ("未达成", "未完成", "没有达成", "未达到", "未实现", "效果较差")),
    (BAND_PARTIAL, ("部分达成", "部分完成", "基本达成", "基本完成", "部分实现", "基本实现", "一定效果")),
    (BAND_FULL, ("达成", "完成", "达到", "实现", "达标", "已达", "符合", "满足")),
]
# A negation right before a 达成 word or the restated target ("未达标", "不及时", "未提升"), or a deadline
# missed in words ("未按时完成"), names 未达成 however the rest reads.
_NEGATIONS = ("未", "不", "没有", "没")
_MISSED_WORDS = ("未按时", "未按期", "未如期", "未能", "尚未", "延期完成", "逾期完成")


def qualitative_band(actual_text: str, target_text: str) -> str | None:
    """The band a qualitative actual names, or None when no rule can place it."""
    actual = normalize(actual_text)
    target = normalize(target_text)
    if not actual:
        return None
    positive = _BAND_WORDS[-1][1] + ((target,) if target else ())
    if any(w in actual for w in _MISSED_WORDS) or any(n + w in actual for n in _NEGATIONS for w in positive):
        return BAND_NONE
    for band, words in _BAND_WORDS:
        if any(w in actual for w in words):
            return band
    op, bare = _split_operator(actual)
    if actual == target or bare == target or (target and target in actual):
        return BAND_FULL  # the target restated: 提升 / 提升, 及时 / 及时
    return None


def parse_actual(raw, target: Value, unit: str = "", year: int | None = None) -> Value:
    """实际完成值, read in the light of its target: 100%, 98, 0.98, 204.46平方米, ≥266米, 达成, a date …"""
    original = cell_text(raw)
    if isinstance(raw, (dt.date, dt.datetime)):
        return Value(KIND_DATE, original, date=(raw.year, raw.month, raw.day))
    text = normalize(original)
    if not text:
        raise ParseError("实际完成值为空")
    if target.kind == KIND_TEXT:
        return Value(KIND_TEXT, original)
    unit = canonical_unit(normalize(unit))
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = Decimal(raw) if isinstance(raw, int) else decimal_from_float(raw)
        value = Value(KIND_NUMBER, original, number=number)  # no unit written in the cell
    else:
        _, body = _split_operator(text)  # a restated target: ≥266米
        _, body = _strip_suffix_op(body)
        if target.kind == KIND_DATE:
            date = _date_from_text(body, year, True)
            if date:
                return Value(KIND_DATE, original, date=date)
            return Value(KIND_TEXT, original)  # 按时完成 …: the staff's score decides
        value = _number_value(body, original, None, "")  # the unit written in the cell, if any
        if value is None:
            return Value(KIND_TEXT, original)  # 达成 / text against a number: placed by band or reported
    if target.is_percent and not value.unit and value.number is not None:
        # Written without "%" (whatever the 计量单位 column says): 0.98 or a percent-formatted cell is a
        # fraction; 98 is percentage points. An actual in another unit (米) is left for the unit check.
        number = value.number * HUNDRED if value.number <= 1 else value.number
        return Value(KIND_NUMBER, original, number=number, unit="%")
    if not value.unit and (unit or target.unit):
        return Value(KIND_NUMBER, original, number=value.number, unit=unit or target.unit)
    return value


_MONEY_UNITS = {"元", "万元", "亿元"}


def units_compatible(target: Value, actual: Value) -> bool:
    """Units of the same kind: a unit missing on one side is fine, % against 百分比 is fine, 天 against 个 is not."""
    if not target.unit or not actual.unit or target.unit == actual.unit:
        return True
    return target.unit in _MONEY_UNITS and actual.unit in _MONEY_UNITS


def in_common_unit(target: Value, actual: Value) -> Decimal | None:
    """The actual's number expressed in the target's unit (money units convert)."""
    if actual.number is None:
        return None
    if target.unit in _MONEY_UNITS and actual.unit in _MONEY_UNITS and target.unit != actual.unit:
        return actual.number * MONEY_SCALE[actual.unit] / MONEY_SCALE[target.unit]
    return actual.number


def date_not_later(actual: tuple[int, int, int | None], deadline: tuple[int, int, int | None]) -> bool:
    """A deadline is met when the actual date is not later; month precision compares months."""
    if actual[2] is None or deadline[2] is None:
        return actual[:2] <= deadline[:2]
    return actual <= deadline
