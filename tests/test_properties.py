"""Properties that must hold for any input: scores stay in [0, weight], scores move the right way with the
actual, and a number written in any of the accepted forms reads back as itself."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.config import Config
from perfeval.model import Indicator
from perfeval.parse import parse_money, parse_number, parse_quantity
from perfeval.scoring import score_indicator

CONFIGS = {"ratio": Config(), "linear": Config.from_dict({"scoring": {"reverse_formula": "linear"}})}
FAST = settings(max_examples=150, deadline=None)

amounts = st.decimals(min_value=D("-500"), max_value=D("5000"), places=2)
positive_amounts = st.decimals(min_value=D(0), max_value=D("5000"), places=2)
weights = st.decimals(min_value=D(0), max_value=D(100), places=1)
self_scores = st.none() | st.decimals(min_value=D(-10), max_value=D(120), places=2)
operators = st.sampled_from(["≥", ">", "=", "≤", "<", "", "不低于", "不超过"])
formulas = st.sampled_from(sorted(CONFIGS))


def indicator(target: str, actual: str, weight: D, self_score: D | None = None, deviation: str = "",
              level2: str = "数量指标") -> Indicator:
    return Indicator("产出指标", level2, "指标", target, actual, weight, "", "", self_score, deviation)


def rule_score(op: str, target: D, actual: D, weight: D, formula: str) -> D:
    s = score_indicator(indicator(f"{op}{target}个", f"{actual}个", weight), CONFIGS[formula])
    assert s.rule_score == s.score
    return s.score


@FAST
@given(op=operators, target=positive_amounts, actual=amounts, weight=weights, own=self_scores,
       deviation=st.sampled_from(["", "目标设定偏低"]), formula=formulas)
def test_quantitative_score_lies_between_zero_and_weight(op, target, actual, weight, own, deviation, formula):
    s = score_indicator(indicator(f"{op}{target}个", f"{actual}个", weight, own, deviation), CONFIGS[formula])
    assert D(0) <= s.score <= weight


@FAST
@given(target=st.sampled_from(["提升", "及时", "有效提升", "效果明显", "达标"]),
       actual=st.sampled_from(["达成", "达成预期指标", "部分达成", "未达成", "提升", "及时", "有所改善", "未及时", "95%"]),
       weight=weights, own=self_scores)
def test_qualitative_score_lies_between_zero_and_weight(target, actual, weight, own):
    s = score_indicator(indicator(target, actual, weight, own), Config())
    assert D(0) <= s.score <= weight


@FAST
@given(deadline=st.sampled_from(["2023年12月31日前", "2023年6月", "12月底前"]),
       actual=st.sampled_from(["2023年5月1日", "2023年12月", "2024年1月5日", "按时完成", "未按时完成"]),
       weight=weights, own=self_scores, deviation=st.sampled_from(["", "招标流标"]))
def test_deadline_score_lies_between_zero_and_weight(deadline, actual, weight, own, deviation):
    s = score_indicator(indicator(deadline, actual, weight, own, deviation, "时效指标"), Config(), 2023)
    assert D(0) <= s.score <= weight


@FAST
@given(op=st.sampled_from(["≥", ">", "", "不低于"]), target=positive_amounts, a=amounts, b=amounts,
       weight=weights, formula=formulas)
def test_higher_actual_never_lowers_a_positive_score(op, target, a, b, weight, formula):
    low, high = sorted((a, b))
    assert rule_score(op, target, low, weight, formula) <= rule_score(op, target, high, weight, formula)


@FAST
@given(op=st.sampled_from(["≤", "<", "不超过"]), target=positive_amounts, a=amounts, b=amounts, weight=weights,
       formula=formulas)
def test_lower_actual_never_lowers_a_reverse_score(op, target, a, b, weight, formula):
    low, high = sorted((a, b))
    assert rule_score(op, target, low, weight, formula) >= rule_score(op, target, high, weight, formula)


# ---- numbers written in every accepted form read back as themselves ----------------------------------------

FULL_WIDTH = str.maketrans("0123456789,.-%", "０１２３４５６７８９，．－％")
numbers = st.decimals(min_value=D("-99999999"), max_value=D("99999999"), places=2)
non_negative = st.decimals(min_value=D(0), max_value=D("99999999"), places=2)


@FAST
@given(value=numbers)
def test_thousands_separators(value):
    assert parse_quantity(f"{value:,}").value == value
    assert parse_number(f"{value:,}") == value


@FAST
@given(value=numbers)
def test_full_width_digits(value):
    text = f"{value:,}".translate(FULL_WIDTH)
    assert parse_quantity(text).value == value


@FAST
@given(value=numbers, unit=st.sampled_from(["万元", "元", "亿元", "%", "个", "平方米"]),
       space=st.sampled_from(["", " ", "\u3000"]))
def test_unit_suffix(value, unit, space):
    q = parse_quantity(f"{space}{value:,}{space}{unit}{space}")
    assert (q.value, q.unit) == (value, unit)


@FAST
@given(value=non_negative)
def test_negative_in_brackets(value):
    assert parse_quantity(f"({value:,})").value == -value
    assert parse_quantity(f"（{value:,}）").value == -value


@FAST
@given(value=numbers)
def test_float_cells_read_as_typed(value):
    assert parse_quantity(float(value)).value == value


@FAST
@given(value=numbers)
def test_money_in_every_unit(value):
    assert parse_money(f"{value:,}万元") == value
    assert parse_money(f"{value * 10000:,}元") == value
    assert parse_money(f"{value:,}", "万元", "亿元") == value / 10000
    assert parse_money(f"{value}".translate(FULL_WIDTH), "亿元", "亿元") == value
