"""The parser, for every notation of domain.md "How targets are written in real tables" and every written
form of a number in input-workbook.md ("32.9", "32.9万元", "1,234.5", "３２．９", "72.74%" …).

Expected values are read off the rules by hand: a percentage is held in percentage points (95% -> 95).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from perfeval.parse import (BAND_FULL, BAND_NONE, BAND_PARTIAL, EQ, GE, GT, KIND_DATE, KIND_NUMBER, KIND_TEXT, LE,
                            LT, ParseError, Value, date_not_later, in_common_unit, normalize, parse_actual,
                            parse_money, parse_number, parse_quantity, parse_target, parse_year, qualitative_band,
                            units_compatible)


def target(raw, **kw) -> tuple:
    v = parse_target(raw, **kw)
    return v.kind, v.op, v.number, v.unit


# ---- targets: operators written as symbols ---------------------------------------------------------------

@pytest.mark.parametrize("raw, op, number, unit", [
    ("≥95%", GE, D(95), "%"),
    (">=90%", GE, D(90), "%"),
    ("≧735人次", GE, D(735), "人次"),
    ("＞＝90%", GE, D(90), "%"),  # full-width > and = together
    ("=100%", EQ, D(100), "%"),
    ("＝100%", EQ, D(100), "%"),  # full-width equals
    ("﹦100%", EQ, D(100), "%"),  # small equals
    ("═100%", EQ, D(100), "%"),  # box-drawing double line
    ("≤30万元", LE, D(30), "万元"),
    ("<=10次", LE, D(10), "次"),
    ("≦5天", LE, D(5), "天"),
    ("≥100百分比", GE, D(100), "%"),  # 百分比 is the percent unit
    ("≥50个", GE, D(50), "个"),
    (">90%", GT, D(90), "%"),
    ("<5天", LT, D(5), "天"),
    ("≥ 95 %", GE, D(95), "%"),  # spaces anywhere
    ("≥９５％", GE, D(95), "%"),  # full-width digits and percent sign
])
def test_target_symbol_operators(raw, op, number, unit):
    assert target(raw) == (KIND_NUMBER, op, number, unit)
    assert parse_target(raw).explicit_op is True
    assert parse_target(raw).text == raw  # the text as written is kept for the tables


def test_bare_number_is_at_least_for_a_positive_indicator():
    assert target("100%") == (KIND_NUMBER, GE, D(100), "%")
    assert parse_target("100%").explicit_op is False
    assert target("100%", nature="正向") == (KIND_NUMBER, GE, D(100), "%")


def test_bare_number_is_at_most_for_a_reverse_indicator():
    assert target("100%", nature="反向") == (KIND_NUMBER, LE, D(100), "%")
    assert target("30万元", nature="反向") == (KIND_NUMBER, LE, D(30), "万元")


def test_written_operator_wins_over_the_nature_column():
    assert target("≥95%", nature="反向") == (KIND_NUMBER, GE, D(95), "%")


# ---- targets: operators written as words -----------------------------------------------------------------

@pytest.mark.parametrize("raw, op, number, unit", [
    ("98%以上", GE, D(98), "%"),
    ("不低于95%", GE, D(95), "%"),
    ("5天以内", LE, D(5), "天"),
    ("不超过30万元", LE, D(30), "万元"),
    ("不高于30万元", LE, D(30), "万元"),
    ("不高于5天", LE, D(5), "天"),
    ("不少于50个", GE, D(50), "个"),
    ("大于等于90%", GE, D(90), "%"),
    ("小于等于10次", LE, D(10), "次"),
    ("等于100%", EQ, D(100), "%"),
])
def test_target_word_operators(raw, op, number, unit):
    assert target(raw) == (KIND_NUMBER, op, number, unit)
    assert parse_target(raw).explicit_op is True


# ---- targets: the 指标性质 column ------------------------------------------------------------------------

@pytest.mark.parametrize("nature, op", [
    ("正向", GE), ("反向", LE), ("等于", EQ), ("≥", GE), ("≤", LE), ("=", EQ), ("＝", EQ), (">=", GE), ("<=", LE),
    ("≧", GE), ("≦", LE), (" 反 向 ", LE), ("", GE),
])
def test_nature_column_gives_the_operator_of_a_bare_number(nature, op):
    assert target("30", nature=nature) == (KIND_NUMBER, op, D(30), "")


def test_nature_qualitative_makes_any_target_qualitative():
    v = parse_target("30", nature="定性")
    assert (v.kind, v.number) == (KIND_TEXT, None)
    assert parse_target("提升", nature="定性").kind == KIND_TEXT


def test_unknown_nature_is_an_error_naming_the_choices():
    with pytest.raises(ParseError) as exc:
        parse_target("30", nature="越多越好吧")
    assert str(exc.value) == "指标性质“越多越好吧”无法识别（可填：正向、反向、等于、定性，或 ≥ ≤ =）"


def test_unit_column_is_used_when_the_target_has_none():
    assert target("≥95", unit="%") == (KIND_NUMBER, GE, D(95), "%")
    assert target("≥200", unit="㎡") == (KIND_NUMBER, GE, D(200), "平方米")
    assert target(30, unit="天") == (KIND_NUMBER, GE, D(30), "天")


def test_percent_formatted_target_cell_arrives_as_a_fraction():
    # A cell formatted 95% holds 0.95; with 计量单位 % it is 95 percentage points.
    assert target(0.95, unit="%") == (KIND_NUMBER, GE, D(95), "%")
    assert target(30.0) == (KIND_NUMBER, GE, D(30), "")


# ---- targets: deadlines ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, date", [
    ("2023年12月", (2023, 12, None)),
    ("2023年12月31日前", (2023, 12, 31)),
    ("12月底前", (2023, 12, None)),  # the year is the 评价年度
    ("2023年6月30日之前", (2023, 6, 30)),
    ("年底前", (2023, 12, None)),
    ("2023年底前", (2023, 12, None)),  # not the number 2023 in a unit "年底前"
    ("2023年末", (2023, 12, None)),
])
def test_deadline_targets(raw, date):
    v = parse_target(raw, year=2023, deadline_hint=True)
    assert (v.kind, v.op, v.date) == (KIND_DATE, LE, date)


def test_deadline_written_as_date_cell():
    v = parse_target(dt.datetime(2023, 12, 31))
    assert (v.kind, v.op, v.date) == (KIND_DATE, LE, (2023, 12, 31))


# ---- targets: qualitative --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["提升", "有效提升", "效果明显", "及时", "达标"])
def test_qualitative_targets(raw):
    v = parse_target(raw)
    assert (v.kind, v.number, v.text) == (KIND_TEXT, None, raw)


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_target_is_an_error(raw):
    with pytest.raises(ParseError, match="年度指标值为空"):
        parse_target(raw)


def test_operator_with_unreadable_number_is_an_error():
    with pytest.raises(ParseError) as exc:
        parse_target("≥9.5.3%")
    assert str(exc.value) == "年度指标值“≥9.5.3%”无法识别"
    # Without an operator the same text is no number either: it is never read as 9.5.
    assert parse_target("2023年完成3项").kind == KIND_TEXT
    assert parse_actual("9.5.3%", parse_target("≥95%")).kind == KIND_TEXT


def test_unit_aliases_with_digits():
    assert target("≥200m2") == (KIND_NUMBER, GE, D(200), "平方米")
    assert target("≥200m²") == (KIND_NUMBER, GE, D(200), "平方米")


# ---- actuals ---------------------------------------------------------------------------------------------

def actual(raw, tgt: str | Value, **kw) -> tuple:
    t = parse_target(tgt) if isinstance(tgt, str) else tgt
    v = parse_actual(raw, t, **kw)
    return v.kind, v.number, v.unit


@pytest.mark.parametrize("raw, number", [
    ("100%", D(100)),
    ("98", D(98)),  # above 1: percentage points
    ("0.98", D(98)),  # at most 1: a fraction
    ("1", D(100)),
    (0.98, D(98)),  # a cell formatted as a percentage arrives as a fraction
    (98, D(98)),
    (1.0, D(100)),
    ("98.5%", D("98.5")),
])
def test_actual_against_a_percent_target(raw, number):
    kind, got, unit = actual(raw, "≥95%")
    assert (kind, got, unit) == (KIND_NUMBER, number, "%")


@pytest.mark.parametrize("raw", [0.98, "0.98", "98", "98%"])
def test_actual_against_a_percent_target_given_in_the_unit_column(raw):
    # 计量单位 "%" and 年度指标值 "≥95": 0.98 is still 98 %, not 0.98 percentage points.
    t = parse_target("≥95", unit="%")
    assert actual(raw, t, unit="%") == (KIND_NUMBER, D(98), "%")


def test_actual_in_another_unit_against_a_percent_target_keeps_its_unit():
    kind, number, unit = actual("≥266米", "≥95%")
    assert (kind, number, unit) == (KIND_NUMBER, D(266), "米")
    assert not units_compatible(parse_target("≥95%"), parse_actual("≥266米", parse_target("≥95%")))


def test_actual_with_unit_after_the_number():
    assert actual("204.46平方米", "≥200平方米") == (KIND_NUMBER, D("204.46"), "平方米")
    assert actual("204.46", "≥200平方米") == (KIND_NUMBER, D("204.46"), "平方米")  # the target's unit
    assert actual(204.46, "≥200平方米") == (KIND_NUMBER, D("204.46"), "平方米")
    assert actual("204.46㎡", "≥200平方米") == (KIND_NUMBER, D("204.46"), "平方米")


def test_actual_restating_the_target():
    assert actual("≥266米", "≥250米") == (KIND_NUMBER, D(266), "米")
    assert actual("98%以上", "≥95%") == (KIND_NUMBER, D(98), "%")


@pytest.mark.parametrize("raw", ["达成", "达成预期指标", "部分达成", "未达成", "按计划完成"])
def test_text_actual_against_a_number_stays_text(raw):
    v = parse_actual(raw, parse_target("≥95%"))
    assert (v.kind, v.number, v.text) == (KIND_TEXT, None, raw)


def test_actual_against_a_qualitative_target_is_text():
    v = parse_actual("100%", parse_target("提升"))
    assert (v.kind, v.text) == (KIND_TEXT, "100%")


def test_actual_dates_against_a_deadline():
    t = parse_target("2023年12月31日前", year=2023)
    assert parse_actual("2023年12月20日", t, year=2023).date == (2023, 12, 20)
    assert parse_actual("2023-12-31", t, year=2023).date == (2023, 12, 31)
    assert parse_actual("2023.12", t, year=2023).date == (2023, 12, None)
    assert parse_actual(dt.datetime(2024, 1, 5), t).date == (2024, 1, 5)
    assert parse_actual("按时完成", t, year=2023).kind == KIND_TEXT


def test_empty_actual_is_an_error():
    with pytest.raises(ParseError, match="实际完成值为空"):
        parse_actual(" ", parse_target("≥95%"))


# ---- qualitative bands -----------------------------------------------------------------------------------

@pytest.mark.parametrize("actual_text, target_text, band", [
    ("达成", "提升", BAND_FULL),
    ("达成预期指标", "提升", BAND_FULL),
    ("提升", "提升", BAND_FULL),  # restates the target
    ("及时", "及时", BAND_FULL),
    ("有效提升", "有效提升", BAND_FULL),
    ("部分达成", "提升", BAND_PARTIAL),
    ("部分达成年度指标并具有一定效果", "提升", BAND_PARTIAL),
    ("未达成", "提升", BAND_NONE),
    ("未达成年度指标且效果较差", "提升", BAND_NONE),
    ("有所改善", "提升", None),  # neither restates the target nor names a band
    ("", "提升", None),
])
def test_qualitative_band(actual_text, target_text, band):
    assert qualitative_band(actual_text, target_text) == band


# ---- numbers in every written form ------------------------------------------------------------------------

@pytest.mark.parametrize("raw, value, unit", [
    (32.9, D("32.9"), ""),
    (23.930000000000003, D("23.93"), ""),  # float artefact of 5 + 0.75 + …
    (32, D(32), ""),
    (D("32.9"), D("32.9"), ""),
    ("32.9", D("32.9"), ""),
    ("32.9万元", D("32.9"), "万元"),
    ("1,234.5", D("1234.5"), ""),
    ("1,234,567.89", D("1234567.89"), ""),
    ("３２．９", D("32.9"), ""),
    ("１，２３４．５", D("1234.5"), ""),
    ("72.74%", D("72.74"), "%"),
    ("72.74％", D("72.74"), "%"),
    ("(12)", D(-12), ""),
    ("（12）", D(-12), ""),
    ("-3", D(-3), ""),
    (" 32.9 ", D("32.9"), ""),
    ("3 2 . 9 万元", D("32.9"), "万元"),
    ("32.9\u3000万元", D("32.9"), "万元"),
    (".5", D("0.5"), ""),
])
def test_parse_quantity(raw, value, unit):
    q = parse_quantity(raw)
    assert (q.value, q.unit) == (value, unit)


@pytest.mark.parametrize("raw, message", [
    ("abc", "“abc”不是可识别的数字"),
    ("(12", "“(12”不是可识别的数字"),
    ("", "单元格为空"),
    ("   ", "单元格为空"),
    (True, "应填写数字"),
])
def test_parse_quantity_errors(raw, message):
    with pytest.raises(ParseError) as exc:
        parse_quantity(raw)
    assert str(exc.value) == message


def test_float_nan_is_not_a_number():
    with pytest.raises(ParseError, match="不是有效数字"):
        parse_quantity(float("nan"))


def test_parse_number_keeps_percentage_points_and_rejects_other_units():
    assert parse_number("72.74%") == D("72.74")
    assert parse_number("1,234.5") == D("1234.5")
    with pytest.raises(ParseError) as exc:
        parse_number("32.9万元")
    assert str(exc.value) == "“32.9万元”含有无法识别的内容“万元”"
    with pytest.raises(ParseError):
        parse_number("1,23.4")  # a misplaced thousands separator is not read as 1


def test_parse_number_reads_the_columns_own_unit():
    assert parse_number("15分", "分") == parse_number("15 分", "分") == D(15)
    assert parse_number("262宗", "宗") == D(262)
    with pytest.raises(ParseError) as exc:
        parse_number("15分")
    assert str(exc.value) == "“15分”含有无法识别的内容“分”"


@pytest.mark.parametrize("raw, reason, hint", [
    ("80,0", "“80,0”中的“,”不是有效的分隔符", "应为数字，如 80.0 或 80"),
    ("８０，０", "“８０，０”中的“,”不是有效的分隔符", "应为数字，如 80.0 或 80"),
    ("80,0万元", "“80,0万元”中的“,”不是有效的分隔符", "应为数字，如 80.0 或 80"),
    ("1,23.4", "“1,23.4”中的“.”不是有效的分隔符", "应为数字，如 123.4 或 123"),
    ("1.234.5", "“1.234.5”中的“.”不是有效的分隔符", "应为数字，如 1234.5 或 1234"),
    ("1,2345", "“1,2345”中的“,”不是有效的分隔符", "应为数字，如 1.2345 或 1"),
])
def test_a_stray_separator_names_what_is_expected(raw, reason, hint):
    for parse in (parse_quantity, parse_number, parse_money):
        with pytest.raises(ParseError) as exc:
            parse(raw)
        assert (str(exc.value), exc.value.hint) == (reason, hint)


@pytest.mark.parametrize("raw, year", [
    ("2025", 2025), ("2025年", 2025), ("2025年度", 2025), ("２０２５ 年度", 2025), (2025, 2025), (2025.0, 2025),
    ("FY2025", None), ("2025-2026", None), ("二〇二五年", None), ("2025年12月", None), ("25", None), ("", None),
])
def test_parse_year(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize("raw, column_unit, wan, yi", [
    ("5", "万元", D(5), D("0.0005")),
    ("50000", "元", D(5), D("0.0005")),
    (50000, "元", D(5), D("0.0005")),
    ("5", "亿元", D(50000), D(5)),
    ("329,000", "元", D("32.9"), D("0.00329")),
    ("5亿元", "万元", D(50000), D(5)),  # a unit in the cell wins over the column's
    ("50000元", "万元", D(5), D("0.0005")),
    ("32.9万元", "元", D("32.9"), D("0.00329")),
    ("３２．９万", "万元", D("32.9"), D("0.00329")),
])
def test_parse_money(raw, column_unit, wan, yi):
    assert parse_money(raw, column_unit) == wan
    assert parse_money(raw, column_unit, "亿元") == yi


def test_parse_money_unknown_unit_names_it():
    with pytest.raises(ParseError) as exc:
        parse_money("5千元")
    assert str(exc.value) == "金额单位“千元”无法识别（可用：元、万元、亿元）"
    with pytest.raises(ParseError) as exc:
        parse_money("5", "美元")
    assert str(exc.value) == "金额单位“美元”无法识别（可用：元、万元、亿元）"


# ---- helpers ---------------------------------------------------------------------------------------------

def test_normalize():
    assert normalize("＞＝ ９０ ％") == "≥90%"
    assert normalize("项 目\u3000名 称") == "项目名称"
    assert normalize("<=10") == "≤10"


def test_money_units_convert_between_target_and_actual():
    t = parse_target("≤30万元")
    a = parse_actual("280000元", t)
    assert units_compatible(t, a)
    assert in_common_unit(t, a) == D(28)
    assert not units_compatible(parse_target("≤5天"), parse_actual("5个", parse_target("≤5天")))


def test_date_not_later():
    assert date_not_later((2023, 12, 31), (2023, 12, 31))
    assert not date_not_later((2024, 1, 1), (2023, 12, 31))
    assert date_not_later((2023, 12, 31), (2023, 12, None))  # month precision compares months
    assert not date_not_later((2024, 1, None), (2023, 12, 31))
