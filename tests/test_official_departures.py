"""Every departure of official-table.md, each triggered with nothing else than what follows from it: its code,
its place, the unit's figure and the rule's. A table that follows the rules gives none."""

from __future__ import annotations

import dataclasses

import pytest
from decimal import Decimal as D

from official_helpers import seed_sample
from perfeval.config import Config
from perfeval.official.sample import layout, write_docx, write_xlsx
from perfeval.pipeline import evaluate_file
from perfeval.problems import CATALOGUE


def _evaluate(tmp_path, sample, word=False):
    path = tmp_path / ("unit.docx" if word else "unit.xlsx")
    if word:
        write_docx(path, [layout(sample)])
    else:
        write_xlsx(path, [("自评表", layout(sample))])
    [ev] = evaluate_file(path, Config())
    return ev


def _docked(sample, score):
    sample.rows[0] = dataclasses.replace(sample.rows[0], score=score)
    return sample


def test_a_table_that_follows_the_rules_gives_no_problem(tmp_path):
    ev = _evaluate(tmp_path, seed_sample())
    assert ev.problems == [] and ev.status == "ok"


def test_a_met_target_docked(tmp_path):
    ev = _evaluate(tmp_path, _docked(seed_sample(), 45))
    assert [(p.code, p.where, p.value) for p in ev.problems] == [
        ("self-score-differs", "自评表!H10", "45"), ("official-total-differs", "自评表!H13", "92.27")]
    assert "自评得分 45 与按规则计算的得分 50" in ev.problems[0].message
    assert "总分填写为 92.27 分，按规则重新评分为 97.27 分" in ev.problems[1].message


def test_a_row_scored_above_its_weight_or_outside_its_band_is_a_departure_not_an_error(tmp_path):
    sample = _docked(seed_sample(), 60)  # 采购招标率, weight 50
    sample.rows[1] = dataclasses.replace(sample.rows[1], score=5)  # qualitative, 达成: its band is 24–30 of 30
    ev = _evaluate(tmp_path, sample)
    scoring = [(p.code, p.severity, p.where) for p in ev.problems if p.code.startswith("self-score")]
    assert scoring == [("self-score-differs", "警告", "自评表!H10"), ("self-score-differs", "警告", "自评表!H11")]
    assert "超出分值范围" in ev.problems[0].message
    assert ev.status == "ok" and ev.card.total.quantize(D("0.01")) == D("97.27")  # the rule's scores count


def test_a_row_score_within_rounding_is_no_departure(tmp_path):
    sample = seed_sample()
    sample.rows[2] = dataclasses.replace(sample.rows[2], target="≥95%", actual="90%", score=9.47)
    ev = _evaluate(tmp_path, sample, word=False)
    assert "self-score-differs" not in [p.code for p in ev.problems]  # 10 × 90 / 95 = 9.4737


def test_an_execution_score_rounded_to_a_whole_number(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(execution_score=7))
    assert [(p.code, p.where, p.value) for p in ev.problems] == [
        ("official-execution-score-differs", "自评表!I5", "7"), ("official-total-differs", "自评表!H13", "97")]
    assert "预算执行率得分填写为 7 分" in ev.problems[0].message and "应为 7.27 分" in ev.problems[0].message


def test_a_rate_written_wrong(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(rate="75%"))
    [p] = ev.problems
    assert (p.code, p.where, p.value, p.severity) == ("official-rate-differs", "自评表!H5", "75%", "警告")
    assert "执行率填写为 75%" in p.message and "应为 72.74%" in p.message


def test_a_rate_as_a_percent_formatted_fraction_is_read_as_a_percentage(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(rate=0.7274))
    assert ev.problems == []


def test_a_total_that_is_not_the_sum_of_the_units_scores(tmp_path):
    ev = _evaluate(tmp_path, _docked(seed_sample(total=97.27), 45))
    assert [(p.code, p.where) for p in ev.problems] == [("self-score-differs", "自评表!H10"),
                                                        ("official-total-not-sum", "自评表!H13")]
    assert "总分填写为 97.27 分，但本表各项得分（含预算执行率得分）之和为 92.27 分" in ev.problems[1].message


def test_a_grade_that_is_not_the_rules(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(grade="良"))
    [p] = ev.problems
    assert (p.code, p.where, p.value) == ("official-grade-differs", "自评表!I13", "良")
    assert "评价等级填写为“良”，按规则得分 97.27 应为“优”" in p.message


def test_a_weight_label_that_disagrees_with_its_rows(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(level1_labels={"产出指标": 60}))
    [p] = ev.problems
    assert (p.code, p.where, p.value) == ("official-weight-label-differs", "自评表!B10", "产出指标（60分）")
    assert "标注的分值为 60 分，但其下各指标的分值合计为 50 分" in p.message


def test_weights_adding_to_110(tmp_path):
    sample = seed_sample()
    sample.rows[0] = dataclasses.replace(sample.rows[0], weight=60, score=60)
    ev = _evaluate(tmp_path, sample)
    [p] = ev.problems
    assert (p.code, p.severity, p.where) == ("weights-not-100", "错误", "自评表!G10:G12")
    assert "共 110 分，应为 100 分" in p.message


def test_a_table_without_weights_cannot_be_scored_and_its_rows_are_listed(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(weights_column=False))
    [p] = ev.problems
    assert (p.code, p.severity, p.where) == ("official-no-weights", "错误", "自评表!B9")
    assert ev.status == "has-errors" and [i.name for i in ev.project.indicators] == ["采购招标率", "公共服务水平",
                                                                                     "使用人员满意度"]


def test_the_units_scoring_departures_are_warnings_and_the_rest_errors_as_listed():
    assert {code: CATALOGUE[code][0] for code in CATALOGUE if code.startswith("official-")} == {
        "official-rate-differs": "警告", "official-execution-score-differs": "警告", "official-total-not-sum": "警告",
        "official-total-differs": "警告", "official-grade-differs": "警告", "official-weight-label-differs": "警告",
        "official-no-weights": "错误"}


@pytest.mark.parametrize("word", [False, True])
def test_checks_the_table_has_no_place_for_do_not_run(tmp_path, word):
    ev = _evaluate(tmp_path, seed_sample(), word)  # no group, breakdown, volumes, e-mail; rate 72.74 % < 90 %
    assert ev.problems == []


def test_a_low_rate_needs_its_reason_where_the_funding_block_has_a_reason_column(tmp_path):
    ev = _evaluate(tmp_path, seed_sample(reason_column=True))
    [p] = ev.problems
    assert (p.code, p.where) == ("execution-low-no-reason", "自评表!I5")
    ev = _evaluate(tmp_path, seed_sample(reason_column=True, execution_reason="力行节约"))
    assert ev.problems == []
