"""Collecting a worksheet filled as a reviewer would: rows joined by key, problems at their cells, the comparison
per project and per 主管部门 recomputed here."""

from __future__ import annotations

from decimal import Decimal as D

import openpyxl
import pytest

from perfeval import fmt
from perfeval.config import Config
from perfeval.review.collect import collect
from perfeval.review.compare import compare
from perfeval.review.model import Drawn, Sample
from perfeval.review.result import write_result
from perfeval.review.worksheet import write_worksheet
from review_helpers import HEADER_ROW, cell_of, fill, project, sheet_rows

PROJECTS = [project("A", "交通运输局"), project("B", "交通运输局", scores=("50", "30", "9.5"), rate="0.727355"),
            project("C", "教育局"), project("D", "教育局", rate="1")]


@pytest.fixture
def worksheet(tmp_path):
    sample = Sample(42, "主管部门", tuple(Drawn(p) for p in PROJECTS))
    return write_worksheet(tmp_path / "复核底稿.xlsx", sample)


def rows_by_key(path):
    return {r["复核键"]: r for r in sheet_rows(path)[1]}


# Deductions by key: (new score, reason). P0001-01 is project A's first indicator (50 points).
DEDUCTIONS = {"P0001-01": (45, "台账不全，培训人次核减"), "P0002-03": (4.5, "满意度调查样本不足"),
              "P0003-02": (18, "效益无佐证材料")}


def lower(row):
    if row["复核键"] in DEDUCTIONS:
        row["复核得分"], row["扣分原因"] = DEDUCTIONS[row["复核键"]]
        row["复核完成值"] = "核实数"


def test_a_filled_worksheet_resorted_with_a_hidden_column_is_joined_and_compared(worksheet, tmp_path):
    filled = fill(worksheet, tmp_path / "filled.xlsx", lower)
    assert next(iter(rows_by_key(filled))) == "P0004-03"  # re-sorted: the last row first
    collected = collect(filled)
    assert collected.problems == () and collected.seed == "42"
    result = compare(collected, Config())
    # Independently: a project's difference is the sum of (review − rule as shown) over its rows.
    shown_rule = {key: D(str(r["规则得分"])) for key, r in rows_by_key(worksheet).items()}
    expected = {p.identity: D(0) for p in PROJECTS}
    for key, (score, _) in DEDUCTIONS.items():
        expected["ABCD"[int(key[1:5]) - 1]] += D(str(score)) - shown_rule[key]
    assert expected == {"A": D(-5), "B": D("-5"), "C": D(-10), "D": D(0)}  # B: 9.5 → 4.5
    assert {c.project.identity: c.difference for c in result.projects} == expected
    totals = {p.identity: fmt.round_half_up(p.total, 2) for p in PROJECTS}
    assert {c.project.identity: c.review_total for c in result.projects} == {
        i: totals[i] + expected[i] for i in totals}
    assert [c.grade_after for c in result.projects] == ["优", "优", "良", "优"]  # C: 97.5 − 10 = 87.5 is 良
    departments = {d.department: d for d in result.departments}
    assert list(departments) == ["交通运输局", "教育局"]
    transport = departments["交通运输局"]
    assert transport.projects == 2
    assert transport.mean_rule == (totals["A"] + totals["B"]) / 2
    assert transport.mean_difference == D(-5)
    assert transport.mean_review == transport.mean_rule - 5
    assert departments["教育局"].mean_difference == D(-5)  # (−10 + 0) / 2
    assert [(d.row.key, d.amount, d.row.reason, d.row.note) for d in result.deductions] == [
        ("P0001-01", D(5), "台账不全，培训人次核减", "核实数"), ("P0002-03", D(5), "满意度调查样本不足", "核实数"),
        ("P0003-02", D(10), "效益无佐证材料", "核实数")]


def test_copying_the_rule_scores_deducts_nothing_and_scores_count_as_shown(worksheet, tmp_path):
    def typed(row):
        if row["复核键"] == "P0002-00":  # 7.27355 shown 7.27; the reviewer types 7.274
            row["复核得分"] = 7.274
    result = compare(collect(fill(worksheet, tmp_path / "filled.xlsx", typed)), Config())
    assert all(c.difference == 0 for c in result.projects) and result.deductions == ()


@pytest.mark.parametrize("difference, beyond", [(D("10"), False), (D("10.01"), True), (D("-10.01"), True)])
def test_the_threshold_flag_on_both_sides(worksheet, tmp_path, difference, beyond):
    def change(row):  # project C's 效益 row (30 points, rule 28)
        if row["复核键"] == "P0003-02":
            row["复核得分"], row["扣分原因"] = float(D(28) + difference) if difference < 0 else 28, "核减"
        if row["复核键"] == "P0003-01" and difference > 0:  # 50 points, rule 50: lower by the difference instead
            row["复核得分"], row["扣分原因"] = float(D(50) - difference), "核减"
    result = compare(collect(fill(worksheet, tmp_path / "filled.xlsx", change)), Config())
    c = next(c for c in result.projects if c.project.identity == "C")
    assert abs(c.difference) == abs(difference)
    assert c.beyond is beyond
    assert {d.department: d.beyond for d in result.departments}["教育局"] == int(beyond)
    wider = compare(collect(tmp_path / "filled.xlsx"), Config.from_dict({"review": {"threshold": 10.5}}))
    assert not any(c.beyond for c in wider.projects)


# ---- each problem alone, at its cell -------------------------------------------------------------------------

def only_problem(worksheet, tmp_path, change, after=None):
    filled = fill(worksheet, tmp_path / "filled.xlsx", change)
    if after:
        after(filled)
    collected = collect(filled, "filled.xlsx")
    assert len(collected.problems) == 1, collected.problems
    return filled, collected.problems[0]


def test_a_missing_score(worksheet, tmp_path):
    def change(row):
        if row["复核键"] == "P0002-02":
            row["复核得分"] = None
    filled, p = only_problem(worksheet, tmp_path, change)
    assert (p.code, p.severity, p.file, p.where) == ("review-score-missing", "错误", "filled.xlsx",
                                                     f"复核底稿!{cell_of(filled, 'P0002-02', '复核得分')}")
    result = compare(collect(filled), Config())
    b = next(c for c in result.projects if c.project.identity == "B")
    assert (b.compared, b.open_rows) == (False, 1)
    assert [d.department for d in result.departments] == ["交通运输局", "教育局"]
    assert {d.department: d.projects for d in result.departments} == {"交通运输局": 1, "教育局": 2}


def test_a_score_out_of_range(worksheet, tmp_path):
    def change(row):
        if row["复核键"] == "P0001-03":  # 10 points
            row["复核得分"] = 12
    filled, p = only_problem(worksheet, tmp_path, change)
    assert (p.code, p.where, p.value) == ("review-score-out-of-range",
                                          f"复核底稿!{cell_of(filled, 'P0001-03', '复核得分')}", "12.00")


def test_a_deduction_without_a_reason(worksheet, tmp_path):
    def change(row):
        if row["复核键"] == "P0004-01":
            row["复核得分"] = 40
    filled, p = only_problem(worksheet, tmp_path, change)
    assert (p.code, p.where) == ("review-deduction-no-reason", f"复核底稿!{cell_of(filled, 'P0004-01', '扣分原因')}")
    assert "40.00" in p.message and "50.00" in p.message


def test_a_read_only_value_changed(worksheet, tmp_path):
    def change(row):
        if row["复核键"] == "P0003-01":
            row["年度指标值"] = "≥5"
    filled, p = only_problem(worksheet, tmp_path, change)
    assert (p.code, p.where, p.value) == ("review-readonly-changed",
                                          f"复核底稿!{cell_of(filled, 'P0003-01', '年度指标值')}", "≥5")
    assert "原为“≥10”" in p.message


def test_a_row_whose_key_matches_no_drawn_project(worksheet, tmp_path):
    def add_row(filled):
        wb = openpyxl.load_workbook(filled)
        ws = wb["复核底稿"]
        header = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
        ws.cell(ws.max_row + 1, header["复核键"]).value = "P0099-00"
        ws.cell(ws.max_row, header["复核得分"]).value = 5
        wb.save(filled)
    filled, p = only_problem(worksheet, tmp_path, None, add_row)  # under the 16 rows of the four projects
    assert (p.code, p.where, p.value) == ("review-key-unknown", f"复核底稿!Q{HEADER_ROW + 17}", "P0099-00")


def test_the_result_workbook_has_its_sheets_and_a_chart(worksheet, tmp_path):
    collected = collect(fill(worksheet, tmp_path / "filled.xlsx", lower))
    path = write_result(tmp_path / "复核结果.xlsx", compare(collected, Config()), collected.problems, collected.seed)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["项目对比", "部门对比", "扣分明细", "问题清单"]
    projects = list(wb["项目对比"].iter_rows(min_row=3, values_only=True))
    assert [(r[3], r[7], r[10]) for r in projects] == [("A项目", -5, "否"), ("B项目", -5, "否"), ("C项目", -10, "否"),
                                                       ("D项目", 0, "否")]
    assert len(wb["部门对比"]._charts) == 1
    assert [r[10] for r in wb["扣分明细"].iter_rows(min_row=2, values_only=True)] == [
        "台账不全，培训人次核减", "满意度调查样本不足", "效益无佐证材料"]
