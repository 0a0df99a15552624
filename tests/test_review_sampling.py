"""The stratified, reproducible draw (review.md) and the worksheet it writes."""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal as D

import openpyxl
import pytest

from perfeval import fmt
from perfeval.review import ReviewError
from perfeval.review.sampling import draw, shares_by_count, shares_by_fraction
from perfeval.review.worksheet import write_worksheet
from review_helpers import project, sheet_rows


def test_count_gives_each_group_one_then_the_largest_remainders():
    assert shares_by_count({"A": 50, "B": 30, "C": 20}, 10) == {"A": 5, "B": 3, "C": 2}
    # quotas 4.5, 3.5, 2: the half seat goes to the first name
    assert shares_by_count({"B": 35, "A": 45, "C": 20}, 10) == {"A": 5, "B": 3, "C": 2}
    # two groups with equal remainders: by name in code-point order (乙 U+4E59 before 甲 U+7532)
    assert shares_by_count({"甲": 5, "乙": 5}, 3) == {"甲": 1, "乙": 2}
    # at least one each, even where the share is 0.03
    assert shares_by_count({"A": 1, "B": 1, "C": 98}, 3) == {"A": 1, "B": 1, "C": 1}
    assert shares_by_count({"A": 1, "B": 1, "C": 98}, 10) == {"A": 1, "B": 1, "C": 8}
    # never more than a group's size
    assert shares_by_count({"A": 1, "B": 9}, 5) == {"A": 1, "B": 4}
    assert sum(shares_by_count({"A": 7, "B": 13, "C": 2, "D": 1}, 11).values()) == 11


def test_count_below_the_number_of_groups_or_above_the_projects_is_refused():
    with pytest.raises(ReviewError, match="抽取数量 2 少于分组数 3"):
        shares_by_count({"A": 5, "B": 5, "C": 5}, 2)
    with pytest.raises(ReviewError, match="超过可抽取的项目数 15"):
        shares_by_count({"A": 5, "B": 5, "C": 5}, 16)


def test_fraction_rounds_each_group_half_up_with_at_least_one():
    # 7 × 0.25 = 1.75 → 2; 2 × 0.25 = 0.5 → 1 (half up); 13 × 0.25 = 3.25 → 3
    assert shares_by_fraction({"A": 7, "B": 2, "C": 13}, D("0.25")) == {"A": 2, "B": 1, "C": 3}
    # 2 × 0.1 = 0.2 → at least one; 15 × 0.1 = 1.5 → 2
    assert shares_by_fraction({"A": 2, "B": 15}, D("0.1")) == {"A": 1, "B": 2}
    with pytest.raises(ReviewError):
        shares_by_fraction({"A": 2}, D("1.5"))


def batch():
    return ([project(f"交通{n:02d}", "交通运输局") for n in range(7)] + [project(f"教育{n:02d}", "教育局")
            for n in range(2)] + [project(f"卫生{n:02d}", "卫生健康委员会", unit=f"卫生{n % 2}") for n in range(13)])


def identities(sample) -> list[str]:
    return [d.project.identity for d in sample.drawn]


def test_counts_per_group_in_a_draw():
    sample = draw(batch(), 1, fraction=D("0.25"))
    drawn = [d.project.department for d in sample.drawn]
    assert {g: drawn.count(g) for g in set(drawn)} == {"交通运输局": 2, "教育局": 1, "卫生健康委员会": 3}
    sample = draw(batch(), 1, count=12, by="实施单位")  # 11 units; 卫生0 has 7 projects (share 3.82), 卫生1 6 (3.27)
    units = [d.project.unit for d in sample.drawn]
    assert len(units) == 12 and sample.by == "实施单位"
    assert (units.count("卫生0"), units.count("卫生1"), units.count("交通00单位")) == (2, 1, 1)


def test_within_a_group_the_order_is_the_sha256_of_seed_and_identity():
    sample = draw(batch(), 2025, fraction=D("0.25"))
    transport = sorted((p.identity for p in batch() if p.department == "交通运输局"),
                       key=lambda i: hashlib.sha256(f"2025|{i}".encode()).hexdigest())
    assert [i for i in identities(sample) if i.startswith("交通")] == transport[:2]


def test_the_same_seed_gives_the_same_sample_whatever_the_order_of_the_projects():
    projects = batch()
    first = identities(draw(projects, 77, count=6))
    for n in range(5):
        shuffled = projects[:]
        random.Random(n).shuffle(shuffled)
        assert identities(draw(shuffled, 77, count=6)) == first
    assert identities(draw(list(reversed(projects)), 77, fraction=D("0.3"))) == identities(
        draw(projects, 77, fraction=D("0.3")))
    assert any(identities(draw(projects, seed, count=6)) != first for seed in range(78, 90))


def test_prefer_flagged_draws_flagged_projects_first_within_their_group():
    projects = batch()
    flagged = {"交通05", "卫生03", "卫生11"}
    projects = [project(p.identity, p.department, p.unit, flags=("full-marks-low-spending",))
                if p.identity in flagged else p for p in projects]
    sample = draw(projects, 3, fraction=D("0.25"), prefer_flagged=True)
    drawn = identities(sample)
    assert flagged <= set(drawn)
    assert drawn[0] == "交通05"  # first of its group
    assert {d.project.identity: d.reason for d in sample.drawn}["卫生03"] == \
        "指标全部满分而预算执行率偏低（full-marks-low-spending）"
    assert all(d.reason == "随机" for d in sample.drawn if d.project.identity not in flagged)
    plain = draw(projects, 3, fraction=D("0.25"))
    assert all(d.reason == "随机" for d in plain.drawn)


def test_the_worksheet_s_rows_match_the_projects_figures(tmp_path):
    sample = draw(batch(), 9, count=4)
    path = write_worksheet(tmp_path / "复核底稿.xlsx", sample)
    header, rows = sheet_rows(path)
    expected = []
    for d in sample.drawn:
        p = d.project
        expected.append([p.name, "预算执行率", None, "100%", fmt.rate(p.execution_rate), 10, None,
                         float(fmt.round_half_up(p.execution_score, 2))])
        for ind in p.indicators:
            expected.append([p.name, ind.level1, ind.level3, ind.target, ind.actual, float(ind.weight), None,
                             float(ind.rule_score)])
    labels = ("项目名称", "一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "单位自评得分", "规则得分")
    assert [[r[label] for label in labels] for r in rows] == expected
    assert all(r["复核得分"] is None and r["扣分原因"] is None for r in rows)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["抽查名单", "复核底稿"]
    assert {ws.title: ws.sheet_state for ws in wb.worksheets[2:]} == {"名单原值": "veryHidden", "底稿原值": "veryHidden"}
    ws = wb["复核底稿"]
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(header["复核键"])].hidden
    assert ws.protection.sheet is False  # never protected: reviewers must be able to sort and filter
    fills = {label: ws.cell(3, col).fill.fgColor.rgb for label, col in header.items()}
    assert fills["复核得分"] == fills["扣分原因"] == fills["复核完成值"] != fills["规则得分"] == fills["项目名称"]
    listed = list(wb["抽查名单"].iter_rows(min_row=3, values_only=True))
    assert [(r[4], r[5], r[9]) for r in listed] == [(d.project.name, float(fmt.round_half_up(d.project.total, 2)), 9)
                                                    for d in sample.drawn]
    assert "随机种子 9" in wb["抽查名单"]["A1"].value
