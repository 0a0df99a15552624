"""Scoring by domain.md "Scoring (national default)", rule by rule, with boundaries.

Every expected figure is worked out from the rule as written (weight × actual / target, target / actual ×
weight …), not copied from the code's output.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from builders import build_workbook, seed_rows
from perfeval import fmt
from perfeval.config import Config
from perfeval.model import (STATUS_MET, STATUS_MISSED, STATUS_OVER, STATUS_QUAL_FULL, STATUS_QUAL_NONE,
                            STATUS_QUAL_PARTIAL, STATUS_UNKNOWN, FundingRow, Indicator, Project)
from perfeval.reader import read_workbook
from perfeval.scoring import execution_rate, grade_of, score_indicator, score_project, weight_total

DEFAULT = Config()
LINEAR = Config.from_dict({"scoring": {"reverse_formula": "linear"}})


def score(target, actual, weight=10, *, nature="", self_score=None, deviation="", level2="数量指标", unit="",
          config=DEFAULT, year=2023):
    ind = Indicator("产出指标", level2, "指标", target, actual, D(str(weight)), nature, unit,
                    None if self_score is None else D(str(self_score)), deviation)
    return score_indicator(ind, config, year)


# ---- quantitative, positive ------------------------------------------------------------------------------

def test_exactly_met_scores_the_weight():
    s = score("≥100个", "100个")
    assert (s.score, s.rule_score, s.status, s.notes) == (D(10), D(10), STATUS_MET, {})


def test_positive_partial_is_weight_times_actual_over_target():
    s = score("≥100个", "80个")
    assert (s.score, s.status) == (D(8), STATUS_MISSED)
    s = score("≥95%", "90%", weight=20)
    assert s.score == D(20) * D(90) / D(95)
    assert fmt.score(s.score) == "18.95"  # 18.947… half up


def test_greater_than_met_at_the_target():
    assert score(">90%", "90%").score == D(10)


def test_equals_target_exceeded_counts_as_met():
    s = score("=100%", "120%")
    assert (s.score, s.status) == (D(10), STATUS_MET)
    assert score("=100%", "95%").score == D("9.5")


def test_nature_column_equals():
    assert score("100", "100", nature="等于").score == D(10)
    assert score("100", "50", nature="=").score == D(5)


@pytest.mark.parametrize("actual, expected", [("0", D(10)), ("-1", D(10)), ("0.5", D(0)), ("3", D(0))])
def test_zero_target_with_equals(actual, expected):
    s = score("=0次", actual + "次")
    assert s.score == expected
    assert s.status == (STATUS_MET if expected else STATUS_MISSED)


@pytest.mark.parametrize("actual, expected", [("0", D(10)), ("-1", D(10)), ("0.5", D(0)), ("3", D(0))])
def test_zero_target_with_at_most(actual, expected):
    assert score("≤0起", actual + "起").score == expected
    assert score("≤0起", actual + "起", config=LINEAR).score == expected


def test_negative_actual_counts_as_zero():
    s = score("≥100个", "-5个")
    assert (s.score, s.status) == (D(0), STATUS_MISSED)
    assert score("≥100个", "(5)").score == D(0)  # negative in brackets is not a number for an actual: text
    assert score("≤30天", "-5天").score == D(10)


# ---- percent targets --------------------------------------------------------------------------------------

@pytest.mark.parametrize("actual, expected", [
    (0.98, D("9.8")),  # a percent-formatted cell arrives as 0.98 = 98 %
    ("0.98", D("9.8")),
    (98, D("9.8")),  # above 1: percentage points
    ("98", D("9.8")),
    ("98%", D("9.8")),
    (1, D(10)),  # 1 = 100 %
    ("1", D(10)),
])
def test_percent_target_against_fraction_or_points(actual, expected):
    assert score("≥100%", actual).score == expected


@pytest.mark.parametrize("actual", [0.98, "0.98", "98"])
def test_percent_target_from_the_unit_column(actual):
    assert score("100", actual, unit="%").score == D("9.8")


def test_actual_in_another_unit_is_a_unit_mismatch():
    s = score("≥95%", "≥266米")
    assert (s.score, s.status) == (D(0), STATUS_UNKNOWN)
    assert s.notes == {"unit-mismatch": "年度指标值单位“%”，实际完成值单位“米”"}
    assert score("≤5天", "5个").notes == {"unit-mismatch": "年度指标值单位“天”，实际完成值单位“个”"}


def test_money_units_convert():
    assert score("≤30万元", "280000元").score == D(10)
    assert score("≤30万元", "350000元").score == D(30) / D(35) * D(10)


# ---- quantitative, reverse --------------------------------------------------------------------------------

def test_reverse_met():
    for config in (DEFAULT, LINEAR):
        assert score("≤30万元", "30万元", config=config).score == D(10)
        assert score("≤30万元", "12万元", config=config).score == D(10)
        assert score("<5天", "4天", config=config).score == D(10)


@pytest.mark.parametrize("actual, expected", [
    ("40", D(30) / D(40) * D(10)),  # 7.5
    ("60", D(5)),
    ("300", D(1)),
])
def test_reverse_ratio_formula(actual, expected):
    s = score("≤30", actual)
    assert (s.score, s.status) == (expected, STATUS_MISSED)


@pytest.mark.parametrize("actual, expected", [
    ("40", (D(1) - D(10) / D(30)) * D(10)),  # 6.67
    ("45", D(5)),
    ("59.4", D("0.2")),
    ("60", D(0)),  # twice the target
    ("90", D(0)),  # floored at 0
])
def test_reverse_linear_formula(actual, expected):
    s = score("≤30", actual, config=LINEAR)
    assert s.score == expected
    assert s.score >= 0


def test_reverse_nature_with_bare_target():
    assert score("30万元", "40万元", nature="反向").score == D("7.5")
    assert score("100%", "98%", nature="反向").score == D(10)


# ---- deadlines --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, actual", [
    ("2023年12月31日前", "2023年12月20日"),
    ("2023年12月31日前", "2023年12月31日"),
    ("2023年12月", "2023年12月31日"),  # month precision
    ("12月底前", "2023年12月"),
    ("2023年12月31日前", "按时完成"),
    ("2023年底前", "2023年11月20日"),
    ("2023年底前", "2023年底"),
])
def test_deadline_met(target, actual):
    s = score(target, actual, level2="时效指标")
    assert (s.score, s.status) == (D(10), STATUS_MET)


@pytest.mark.parametrize("target", ["2023年12月31日前", "2023年底前"])
@pytest.mark.parametrize("actual", ["2024年1月5日", "2024年1月", "未按时完成"])
def test_deadline_missed_scores_zero(target, actual):
    s = score(target, actual, level2="时效指标")
    assert (s.score, s.status, s.notes) == (D(0), STATUS_MISSED, {})


def test_deadline_missed_with_self_score_and_reason_counts_with_a_warning():
    s = score("2023年12月31日前", "2024年1月5日", level2="时效指标", self_score=6, deviation="招标流标后重新招标")
    assert (s.score, s.rule_score, s.status) == (D(6), D(0), STATUS_MISSED)
    assert s.uses_self_score is True
    assert s.notes == {"deadline-missed-self-score": ""}


def test_deadline_missed_with_self_score_but_no_reason_does_not_count():
    s = score("2023年12月31日前", "2024年1月5日", level2="时效指标", self_score=6)
    assert (s.score, s.uses_self_score) == (D(0), False)
    assert s.notes == {"self-score-differs": ""}


# ---- over-achievement -------------------------------------------------------------------------------------

def test_over_achievement_at_130_percent():
    s = score("≥100个", "130个")
    assert (s.score, s.status, s.ratio) == (D(10), STATUS_OVER, D("1.3"))
    assert score("≥100个", "129.9个").status == STATUS_MET
    assert score("=100%", "130%").status == STATUS_OVER


def test_over_achievement_lower_self_score_with_reason_counts():
    s = score("≥100个", "200个", self_score=8, deviation="年初目标设定偏低")
    assert (s.score, s.rule_score, s.uses_self_score, s.notes) == (D(8), D(10), True, {})


def test_over_achievement_lower_self_score_without_reason_does_not_count():
    s = score("≥100个", "200个", self_score=8)
    assert (s.score, s.uses_self_score, s.notes) == (D(10), False, {"self-score-differs": ""})


def test_over_achievement_is_configurable():
    config = Config.from_dict({"scoring": {"overachieve_ratio": 1.5}})
    assert score("≥100个", "130个", config=config).status == STATUS_MET
    assert score("≥100个", "150个", config=config).status == STATUS_OVER


def test_reverse_indicator_is_never_over_achieved():
    assert score("≤30天", "10天").status == STATUS_MET


# ---- qualitative ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("actual, self_score, expected, status", [
    ("达成", 8, D(8), STATUS_QUAL_FULL),  # exactly 80 %: inside 达成
    ("达成", 10, D(10), STATUS_QUAL_FULL),
    ("提升", 9, D(9), STATUS_QUAL_FULL),  # the target restated
    ("部分达成", 6, D(6), STATUS_QUAL_PARTIAL),  # exactly 60 %: inside 部分达成
    ("部分达成", "7.99", D("7.99"), STATUS_QUAL_PARTIAL),
    ("未达成", "5.99", D("5.99"), STATUS_QUAL_NONE),
    ("未达成", 0, D(0), STATUS_QUAL_NONE),
])
def test_qualitative_self_score_inside_the_band_counts(actual, self_score, expected, status):
    s = score("提升", actual, self_score=self_score)
    assert (s.score, s.rule_score, s.status, s.uses_self_score, s.notes) == (expected, None, status, True, {})


@pytest.mark.parametrize("actual, self_score, default", [
    ("达成", "7.99", D(10)),
    ("部分达成", 8, D(7)),  # 80 % is outside 部分达成 (it belongs to 达成)
    ("部分达成", "5.99", D(7)),
    ("未达成", 6, D(3)),  # 60 % is outside 未达成
    ("未达成", 9, D(3)),
])
def test_qualitative_self_score_outside_the_band_is_an_error_and_the_default_counts(actual, self_score, default):
    s = score("提升", actual, self_score=self_score)
    assert (s.score, s.uses_self_score, s.notes) == (default, False, {"self-score-outside-band": ""})


@pytest.mark.parametrize("actual, default, band, status", [
    ("达成", D(10), (D(8), D(10)), STATUS_QUAL_FULL),
    ("达成预期指标", D(10), (D(8), D(10)), STATUS_QUAL_FULL),
    ("提升", D(10), (D(8), D(10)), STATUS_QUAL_FULL),
    ("部分达成", D(7), (D(6), D(8)), STATUS_QUAL_PARTIAL),
    ("未达成", D(3), (D(0), D(6)), STATUS_QUAL_NONE),
    ("未提升", D(3), (D(0), D(6)), STATUS_QUAL_NONE),
])
def test_qualitative_band_defaults(actual, default, band, status):
    s = score("提升", actual)
    assert (s.score, s.band, s.status, s.notes) == (default, band, status, {"self-score-band-default": ""})


def test_qualitative_band_defaults_scale_with_the_weight():
    assert score("及时", "部分达成", weight=30).score == D(21)
    assert score("及时", "未达成", weight=30).score == D(9)
    assert score("及时", "未及时", weight=30).score == D(9)


def test_qualitative_unplaced_actual_is_reported_and_the_self_score_decides():
    s = score("提升", "有所改善", self_score=7)
    assert (s.score, s.rule_score, s.status, s.notes) == (D(7), None, STATUS_UNKNOWN, {"qualitative-unplaced": ""})
    s = score("提升", "有所改善")
    assert (s.score, s.notes) == (D(0), {"qualitative-unplaced": ""})
    s = score("提升", "有所改善", self_score=12)
    assert (s.score, s.notes) == (D(10), {"qualitative-unplaced": "", "self-score-over-weight": ""})


def test_band_word_against_a_numeric_target():
    s = score("≥95%", "达成", self_score=9)
    assert (s.score, s.status) == (D(9), STATUS_QUAL_FULL)
    s = score("≥95%", "有所进展")
    assert (s.score, s.status, s.notes) == (D(0), STATUS_UNKNOWN,
                                            {"actual-unreadable": "实际完成值应为数字，与年度指标值对应"})


# ---- the score that counts --------------------------------------------------------------------------------

def test_self_score_that_differs_is_a_warning_and_the_rule_counts():
    s = score("≥100个", "100个", self_score=9)
    assert (s.score, s.rule_score, s.uses_self_score, s.notes) == (D(10), D(10), False, {"self-score-differs": ""})
    s = score("≥100个", "80个", self_score=10)  # points added where the target was missed
    assert (s.score, s.notes) == (D(8), {"self-score-differs": ""})
    assert score("≥100个", "80个", self_score=8).notes == {}


@pytest.mark.parametrize("self_score", [11, -1])
def test_self_score_outside_the_weight_is_reported(self_score):
    s = score("≥100个", "100个", self_score=self_score)
    assert (s.score, s.notes) == (D(10), {"self-score-over-weight": ""})


def test_unreadable_target_and_actual_score_zero_with_the_reason():
    s = score("≥9.5.3%", "90%")
    assert (s.score, s.status, s.notes) == (D(0), STATUS_UNKNOWN, {"target-unreadable": "年度指标值“≥9.5.3%”无法识别"})
    s = score("≥95%", "")
    assert (s.score, s.notes) == (D(0), {"actual-unreadable": "实际完成值为空"})


def test_missing_weight_scores_zero():
    ind = Indicator("产出指标", "数量指标", "指标", "≥10个", "10个", None)
    assert score_indicator(ind, DEFAULT).score == D(0)


# ---- grade ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("total, grade", [
    ("100", "优"), ("90", "优"),
    ("89.995", "优"),  # shown as 90.00: decided on the total rounded half up to two decimals
    ("89.99499", "良"),
    ("89.99", "良"), ("80", "良"), ("79.995", "良"), ("79.99", "中"), ("60", "中"), ("59.995", "中"),
    ("59.99", "差"), ("0", "差"),
])
def test_grade(total, grade):
    assert grade_of(D(total), DEFAULT) == grade


def test_grade_bands_are_configurable():
    config = Config.from_dict({"scoring": {"grade_bands": {"优": 85}}})
    assert grade_of(D(85), config) == "优"
    assert grade_of(D("84.99"), config) == "良"


# ---- execution rate and the whole project -----------------------------------------------------------------

def project_with(budget, spent, indicators=(), execution_weight=None) -> Project:
    return Project("p.xlsx", funding=[FundingRow("当年财政拨款", D(budget), None, D(spent), D(spent))],
                   indicators=list(indicators), execution_weight=execution_weight)


def test_execution_rate_of_the_seed():
    card = score_project(project_with("32.9", "23.93"), DEFAULT)
    assert card.execution_rate == D("23.93") / D("32.9")
    assert fmt.rate(card.execution_rate) == "72.74%"
    assert card.execution_score == D(10) * D("23.93") / D("32.9")
    assert fmt.score(card.execution_score) == "7.27"


def test_execution_rate_above_100_percent_scores_the_weight():
    card = score_project(project_with("30", "33"), DEFAULT)
    assert (card.execution_rate, card.execution_score) == (D("1.1"), D(10))


def test_execution_weight_from_the_workbook_and_from_config():
    assert score_project(project_with("32.9", "23.93", execution_weight=D(20)), DEFAULT).execution_score == \
        D(20) * D("23.93") / D("32.9")
    config = Config.from_dict({"scoring": {"execution_weight": 5, "level1_weights": {"产出指标": 55, "效益指标": 30,
                                                                          "满意度指标": 10}}})
    card = score_project(project_with("10", "8"), config)
    assert (card.execution_weight, card.execution_score) == (D(5), D(4))


def test_execution_rate_without_budget():
    project = Project("p.xlsx", funding=[FundingRow("当年财政拨款", D(0), None, None, D(0))])
    assert execution_rate(project) is None
    assert score_project(project, DEFAULT).execution_score == D(0)


def test_full_year_budget_counts_over_the_initial_one():
    project = Project("p.xlsx", funding=[FundingRow("当年财政拨款", D(40), D("32.9"), None, D("23.93"))])
    assert execution_rate(project) == D("23.93") / D("32.9")


def test_seed_total_and_grade(tmp_path: Path):
    result = read_workbook(build_workbook(tmp_path / "seed.xlsx"))
    card = score_project(result.project, DEFAULT)
    assert [s.score for s in card.indicators] == [D(50), D(30), D(10)]
    assert [s.status for s in card.indicators] == [STATUS_MET, STATUS_QUAL_FULL, STATUS_MET]
    assert all(s.notes == {} for s in card.indicators)
    assert card.all_met
    assert fmt.fixed(card.total) == "97.27"
    assert card.grade == "优"
    assert fmt.prose_score(card.total, card.grade, DEFAULT.prose_decimals, lambda t: grade_of(t, DEFAULT)) == "97"
    assert weight_total(result.project, card) == D(100)


def test_total_keeps_full_precision(tmp_path: Path):
    data = seed_rows()
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "≥95%", "90%", 50, None, "部分项目未招标")
    card = score_project(read_workbook(build_workbook(tmp_path / "p.xlsx", data)).project, DEFAULT)
    expected = D(10) * D("23.93") / D("32.9") + D(50) * D(90) / D(95) + D(30) + D(10)
    assert fmt.round_half_up(card.total, 20) == fmt.round_half_up(expected, 20)  # not rounded per indicator
    assert fmt.fixed(card.total) == "94.64"  # 7.2736 + 47.3684 + 40 = 94.642…
    assert card.grade == "优"


@pytest.mark.parametrize("actual, expected_score, expected_status", [
    ("90%", D(10) * D(90) / D(95), STATUS_MISSED),  # a percent actual below a percent-formatted 95 % target
    ("98%", D(10), STATUS_MET),
])
def test_percent_formatted_target_cell_against_a_percent_actual(actual, expected_score, expected_status):
    """A target cell formatted as a percentage arrives as a bare fraction (95 % -> 0.95)."""
    s = score(0.95, actual)
    assert (s.score, s.status) == (expected_score, expected_status)
    assert s.target.number == D(95) and s.target.unit == "%"
