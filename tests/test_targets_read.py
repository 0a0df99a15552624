"""Reading approved targets: the 目标清单 and the national 申报表, with units, text numbers and merged cells; each
problem of the targets triggered by its own list and reported at its cell."""

from __future__ import annotations

from decimal import Decimal as D

import openpyxl
import pytest
from targets_builders import FORM_FILE, INDICATORS, LIST_FILE, PROJECT, make_targets, target_list

from perfeval.targets import read_targets

SEED_CODE = "2025-SPJ-001"


def where(targets):
    return [(p.code, p.where, p.value) for p in targets.problems]


def test_the_example_list(tmp_path):
    targets = read_targets([LIST_FILE])
    assert targets.problems == []
    assert [p.info["项目名称"] for p in targets.projects] == [
        "公共资源交易中心运转经费", "校园安全设施改造", "农村公路日常养护", "高素质农民培训", "重大传染病防控"]
    seed = targets.projects[0]
    assert seed.info["项目编码"] == SEED_CODE and seed.info_cells["项目编码"] == "项目!E2"
    assert seed.budget == {"当年财政拨款": D("32.9"), "上年结转资金": D(0), "其他资金": D(0)}
    assert [(i.id, i.name, i.target, i.weight) for i in seed.indicators] == [
        ("ZB001", "采购招标率", "100%", D(50)), ("ZB002", "公共服务水平", "提升", D(30)),
        ("ZB003", "使用人员满意度", "≥95%", D(10))]
    assert seed.indicators[2].cells["target"] == "指标!H4"
    # the key columns are merged per project: every row found its project
    assert [len(p.indicators) for p in targets.projects] == [3, 5, 6, 5, 5]
    assert targets.projects[4].identity == ("name", "2025", "疾病预防控制中心", "重大传染病防控")


def test_the_committed_examples_are_current(tmp_path):
    fresh_list = make_targets.write_list(tmp_path / "list.xlsx")
    fresh_form = make_targets.write_form(tmp_path / "form.xlsx")
    for fresh, stored in ((fresh_list, LIST_FILE), (fresh_form, FORM_FILE)):
        assert fresh.read_bytes() == stored.read_bytes(), f"run `python tools/make_targets.py`: {stored.name}"


def test_units_in_brackets_and_text_numbers(tmp_path):
    project = {**PROJECT}
    del project["年初预算数（万元）"]
    project |= {"年初预算数(元)": "500,000", "当年财政拨款（元）": "４０００００", "其他资金（万元）": "10万元"}
    targets = read_targets([target_list(tmp_path / "清单.xlsx", [project])])
    assert targets.problems == []
    assert targets.projects[0].budget == {"当年财政拨款": D(40), "其他资金": D(10)}
    assert targets.projects[0].budget_cells["其他资金"] == "项目!I2"


def test_without_sources_the_whole_budget_is_current_appropriation(tmp_path):
    targets = read_targets([target_list(tmp_path / "清单.xlsx")])
    assert targets.projects[0].budget == {"当年财政拨款": D(50)}


def test_indicators_joined_by_unit_and_name_with_merged_keys_and_a_title_row(tmp_path):
    rows = [{"实施单位": "第二中学", "项目名称": "食堂改造", **row} for row in INDICATORS]
    path = target_list(tmp_path / "清单.xlsx", indicators=rows, title_row="2025年度项目绩效目标")
    wb = openpyxl.load_workbook(path)
    ws = wb["指标"]
    for col in (1, 2):
        ws.cell(4, col).value = ws.cell(5, col).value = None
        ws.merge_cells(start_row=3, start_column=col, end_row=5, end_column=col)
    ws.cell(3, 7).value = 20  # 分值 as a number, or as text
    ws.cell(4, 7).value = "30"
    wb.save(path)
    project = read_targets([path]).projects[0]
    assert [i.name for i in project.indicators] == ["改造面积", "就餐条件", "师生满意度"]
    assert [i.weight for i in project.indicators] == [D(20), D(30), D(10)]


def test_the_national_form(tmp_path):
    targets = read_targets([FORM_FILE])
    assert targets.problems == []
    (project,) = targets.projects
    assert project.info["评价年度"] == "2025" and project.info_cells["评价年度"] == "公共资源交易中心运转经费!A2"
    assert (project.info["主管部门"], project.info["实施单位"], project.info["项目编码"]) == ("审批局", "审批局", SEED_CODE)
    assert project.budget == {"当年财政拨款": D("32.9"), "其他资金": D(0)}
    assert [(i.level1, i.name, i.target, i.weight) for i in project.indicators] == [
        ("产出指标", "采购招标率", "100%", D(50)), ("效益指标", "公共服务水平", "提升", D(30)),
        ("满意度指标", "使用人员满意度", "≥95%", D(10))]
    assert project.indicators[0].cells["target"] == "公共资源交易中心运转经费!E11"


def test_an_older_form_budget_unit_and_old_level1_names(tmp_path):
    path = make_targets.write_form(tmp_path / "form.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["D5"] = "预算单位"  # 预算单位 is read as 实施单位
    ws["A5"] = "项目属性"  # no 主管部门: the unit is taken, with a 提示
    ws["B11"], ws["B12"], ws["C13"] = "项目完成指标", "项目效益指标", "服务对象满意度指标"
    ws["B13"] = "项目效益指标"
    wb.save(path)
    targets = read_targets([path])
    (project,) = targets.projects
    assert project.info["主管部门"] == project.info["实施单位"] == "审批局"
    assert [p.code for p in targets.problems] == ["targets-department-assumed"]
    assert [(i.level1, i.level2) for i in project.indicators] == [
        ("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]


def test_a_folder_may_mix_both_forms(tmp_path):
    (tmp_path / "a").mkdir()
    target_list(tmp_path / "a" / "清单.xlsx")
    make_targets.write_form(tmp_path / "b" / "申报表.xlsx")
    targets = read_targets([tmp_path])
    assert sorted(p.info["项目名称"] for p in targets.projects) == ["公共资源交易中心运转经费", "食堂改造"]


def _list(tmp_path, projects=None, indicators=None):
    return read_targets([target_list(tmp_path / "清单.xlsx", projects, indicators)])


def _rows(*changes):
    rows = [{"项目编码": "XM-1", **row} for row in INDICATORS]
    for i, key, value in changes:
        rows[i][key] = value
    return rows


CASES = [
    ("targets-no-indicators", None, [], "项目!D2", None),
    ("targets-dimension-missing", None, _rows((0, "分值", 60))[:2], "项目!D2", None),
    ("weights-not-100", None, _rows((0, "分值", 40)), "指标!F2", "90"),
    ("cost-target-at-least", None, _rows((0, "二级指标", "成本指标"), (0, "年度指标值", "≥50万元")), "指标!E2", "≥50万元"),
    ("cost-target-at-least", None, _rows((0, "二级指标", "时效指标"), (0, "年度指标值", "不少于10天")), "指标!E2",
     "不少于10天"),
    ("targets-percent-over-100", None, _rows((2, "年度指标值", "≥120%")), "指标!E4", "≥120%"),
    ("target-unreadable", None, _rows((0, "年度指标值", "≥9.5.3%")), "指标!E2", "≥9.5.3%"),
    ("targets-duplicate-project", [PROJECT, PROJECT], None, "项目!D3", "XM-1"),
    ("targets-orphan-indicator", None, _rows() + [{**_rows()[0], "项目编码": "XM-9"}], "指标!A5", "XM-9"),
    ("value-missing", None, _rows((1, "三级指标", None)), "指标!D3", None),
]


@pytest.mark.parametrize("code, projects, indicators, cell, value", CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_each_problem_of_the_targets_at_its_cell(tmp_path, code, projects, indicators, cell, value):
    assert where(_list(tmp_path, projects, indicators)) == [(code, cell, value)]


def test_a_percentage_target_of_100_is_fine_and_cost_at_most_is_fine(tmp_path):
    rows = _rows((0, "二级指标", "成本指标"), (0, "年度指标值", "≤50万元"), (2, "年度指标值", "≥100%"))
    assert where(_list(tmp_path, None, rows)) == []


def test_a_project_with_an_error_is_marked_the_others_not(tmp_path):
    other = {**PROJECT, "项目编码": "XM-2", "项目名称": "操场翻新"}
    targets = _list(tmp_path, [PROJECT, other], _rows())
    assert [p.has_errors for p in targets.projects] == [False, True]
