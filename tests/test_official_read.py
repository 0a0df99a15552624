"""Each variant of official-table.md is read to the same Project as the equivalent standard workbook."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

import hostile_files as h
from official_helpers import figures, seed_sample, standard_twin, variant_sample
from perfeval.config import Config
from perfeval.official.sample import layout, write_docx, write_xlsx
from perfeval.pipeline import evaluate_file
from perfeval.reader import read_workbook


def _official(tmp_path, sample, fmt=".xlsx"):
    path = tmp_path / f"unit{fmt if fmt != '.xls' and fmt != '.ods' else '.xlsx'}"
    if fmt == ".docx":
        write_docx(path, [layout(sample)])
    else:
        write_xlsx(path, [("自评表", layout(sample))])
        if fmt == ".xls":
            path = h.to_xls(path, tmp_path / "unit.xls")
        elif fmt == ".ods":
            path = h.to_ods(path, tmp_path / "unit.ods")
    evs = evaluate_file(path, Config())
    assert len(evs) == 1, [p.message for ev in evs for p in ev.problems]
    return evs[0]


def _standard(tmp_path, sample):
    return read_workbook(standard_twin(sample, tmp_path / "standard.xlsx")).project


@pytest.mark.parametrize("fmt", [".xlsx", ".xls", ".ods", ".docx"])
def test_the_national_layout_reads_as_the_standard_workbook(tmp_path, fmt):
    sample = seed_sample()
    ev = _official(tmp_path, sample, fmt)
    assert ev.source_kind == "自评表" and ev.status == "ok"
    standard = _standard(tmp_path, sample)
    got, want = figures(ev.project), figures(standard)
    # the standard's single source row vs the official's source row: same figures
    assert got == want
    assert ev.card.grade == "优" and f"{ev.card.total:.2f}" == "97.27"


@pytest.mark.parametrize("fmt", [".xlsx", ".docx"])
def test_the_variant_layout_reads_as_the_standard_workbook(tmp_path, fmt):
    sample = variant_sample()
    ev = _official(tmp_path, sample, fmt)
    assert figures(ev.project) == figures(_standard(tmp_path, sample))
    assert [p.code for p in ev.problems] == []


@pytest.mark.parametrize("title", ["项目支出绩效自评表（2025年度）", "项目支出绩效自评表(2025年度)",
                                   "项目支出绩效自评表（ 2025 年度）", "2025年度项目支出绩效自评表",
                                   "项目支出绩效自评表\n（2025年度）"])
def test_the_year_is_read_from_the_title_in_any_bracket_form(tmp_path, title):
    ev = _official(tmp_path, seed_sample(title=title))
    assert ev.project.info["评价年度"] == "2025"


def test_without_a_year_anywhere_the_year_is_missing_at_the_title(tmp_path):
    ev = _official(tmp_path, seed_sample(title="项目支出绩效自评表"))
    missing = [p for p in ev.problems if p.code == "value-missing"]
    assert missing and missing[0].where == "自评表!A1" and "评价年度" in missing[0].message


def test_without_initial_budget_it_is_taken_as_the_full_year_budget_with_no_problem(tmp_path):
    ev = _official(tmp_path, seed_sample(with_initial=False, budget_label="全年预算数（A）",
                                         spent_label="全年执行数（B）"))
    assert ev.project.initial_budget == ev.project.budget == Decimal("32.9")
    assert ev.problems == []


@pytest.mark.parametrize("form", ["{grade}", "等级：{grade}"])
def test_the_total_row_with_the_grade_in_either_form(tmp_path, form):
    ev = _official(tmp_path, seed_sample(grade_form=form))
    assert ev.official.unit.grade.value == "优" and str(ev.official.unit.total.value) == "97.27"


def test_older_level1_names_are_read_as_the_standard_ones(tmp_path):
    sample = seed_sample()
    sample.rows = [dataclasses.replace(r, level1={"产出指标": "项目完成指标", "效益指标": "项目效益指标",
                                                  "满意度指标": "项目效益指标"}[r.level1],
                                       level2="满意度指标" if r.level1 == "满意度指标" else r.level2)
                   for r in sample.rows]
    ev = _official(tmp_path, sample)
    assert [(i.level1, i.level2) for i in ev.project.indicators] == [
        ("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]


def test_only_the_total_funding_row_is_a_whole_table(tmp_path):
    sample = seed_sample()
    sample.funding = [("年度资金总额", 32.9, 32.9, 23.93)]
    ev = _official(tmp_path, sample)
    assert (ev.project.budget, ev.project.spent) == (Decimal("32.9"), Decimal("23.93")) and ev.problems == []


def test_other_funds_spelled_as_special_accounts_are_summed_without_a_duplicate(tmp_path):
    sample = seed_sample()
    sample.funding = [("其中：当年财政拨款", 30, 30, 20), ("财政专户管理资金", 1, 1, 1), ("单位资金", 1.9, 1.9, 1.9)]
    ev = _official(tmp_path, sample)
    other = ev.project.source_row("其他资金")
    assert (other.budget, other.spent) == (Decimal("2.9"), Decimal("2.9")) and ev.project.budget == Decimal("32.9")
    assert [p.code for p in ev.problems] == []
