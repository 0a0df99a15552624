"""The 项目支出绩效自评表 workbook, read back with openpyxl as a user (or a bureau's script) would."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal as D

import openpyxl
import pytest

from perfeval.config import Config
from perfeval.model import Indicator
from perfeval.problems import Problem
from perfeval.render.table import DRAFT_BANNER, MAIN_SHEET, PROBLEM_SHEET, write_table
from render_fixtures import card_for, seed_card, seed_project

HOSTILE = '=HYPERLINK("http://example.com","x")'


def write(tmp_path, project=None, problems=(), name="自评表.xlsx", config=None):
    project = project or seed_project()
    path = write_table(tmp_path / name, project, card_for(project), list(problems), config or Config())
    return openpyxl.load_workbook(path)


@pytest.fixture
def ws(tmp_path):
    return write(tmp_path)[MAIN_SHEET]


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_title_and_project(ws):
    assert ws["A1"].value == "项目支出绩效自评表（ 2025 年度）"
    assert "A1:I1" in merged(ws)
    assert (ws["A2"].value, ws["B2"].value) == ("项目名称", "公共资源交易中心运转经费")
    assert (ws["A3"].value, ws["B3"].value, ws["F3"].value, ws["G3"].value) == ("主管部门", "审批局", "实施单位", "审批局")


def test_funding_block(ws):
    assert [ws.cell(4, c).value for c in range(4, 10)] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert "A4:A8" in merged(ws) and ws["A4"].value == "项目资金\n（万元）"
    assert ws["B5"].value == "年度资金总额"
    assert (ws["D5"].value, ws["E5"].value, ws["F5"].value) == (32.9, 32.9, 23.93)
    assert ws["D5"].number_format == "0.00"
    assert ws["G5"].value == 10
    assert ws["H5"].value == pytest.approx(0.7274) and ws["H5"].number_format == "0.00%"
    assert ws["I5"].value == 7.27 and ws["I5"].number_format == "0.00"
    assert ws["B6"].value == "其中：当年财政拨款"
    assert (ws["D6"].value, ws["F6"].value, ws["G6"].value, ws["I6"].value) == (32.9, 23.93, "—", "—")
    assert ws["H6"].value == pytest.approx(0.7274)
    assert [ws[f"B{r}"].value for r in (7, 8)] == ["上年结转资金", "其他资金"]
    assert ws["D7"].value is None and ws["H8"].value is None  # sources not given stay blank


def test_goals(ws):
    assert (ws["A9"].value, ws["B9"].value, ws["F9"].value) == ("年度总体目标", "预期目标", "实际完成情况")
    assert ws["B10"].value.startswith("(1).发挥最佳的市场运作效应")
    assert ws["F10"].value == "各项目标均已完成。"


def test_indicator_rows_total_and_grade(ws):
    assert ws["A11"].value == "绩效指标"
    assert [ws.cell(11, c).value for c in range(2, 10)] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    rows = [[ws.cell(r, c).value for c in range(2, 9)] for r in (12, 13, 14)]
    assert rows == [
        ["产出指标", "数量指标", "采购招标率", "100%", "100%", 50, 50],
        ["效益指标", "社会效益指标", "公共服务水平", "提升", "提升", 30, 30],
        ["满意度指标", "服务对象满意度指标", "使用人员满意度", "≥95%", "100%", 10, 10],
    ]
    assert ws["A15"].value == "总分" and "A15:F15" in merged(ws)
    assert (ws["G15"].value, ws["H15"].value, ws["I15"].value) == (100, 97.27, "等级：优")


def sign_off(ws) -> list[str]:
    return [c.value for row in ws.iter_rows(min_row=16) for c in row if c.value]


def test_sign_off_lines_from_the_workbook(tmp_path):
    """填表人 is the 联系人 (填表人姓名 in the template); 填报日期 the day the workbook says it was saved."""
    project = seed_project()
    project.saved_at = dt.datetime(2026, 3, 5, 16, 20)
    path = write_table(tmp_path / "t.xlsx", project, card_for(project), [], Config())
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    assert sign_off(ws) == ["填表人：杨小宝", "联系电话：0431-12345678", "填报日期：2026年3月5日", "单位负责人：",
                            "单位（盖章）"]


def test_sign_off_date_from_the_files_time_never_the_run(tmp_path):
    """Without a saved date the input file's modification day is the 填报日期; with neither the date stays blank
    (the day of the run would change the output, and mail it again, on every run)."""
    source = tmp_path / "项目.xlsx"
    source.write_bytes(b"")
    os.utime(source, (0, dt.datetime(2026, 2, 27, 9, 30).timestamp()))
    project = seed_project()
    ws = openpyxl.load_workbook(write_table(tmp_path / "a.xlsx", project, card_for(project), [], Config(),
                                            source=source))[MAIN_SHEET]
    assert "填报日期：2026年2月27日" in sign_off(ws)
    project.saved_at = dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.timezone.utc)  # an aware time is read in local time
    ws = openpyxl.load_workbook(write_table(tmp_path / "b.xlsx", project, card_for(project), [], Config(),
                                            source=source))[MAIN_SHEET]
    local = project.saved_at.astimezone()
    assert f"填报日期：{local.year}年{local.month}月{local.day}日" in sign_off(ws)
    project.saved_at = None
    ws = openpyxl.load_workbook(write_table(tmp_path / "c.xlsx", project, card_for(project), [], Config()))[MAIN_SHEET]
    assert "填报日期：" in sign_off(ws)


def test_the_report_dates_its_sign_off_as_the_table_does(tmp_path):
    from perfeval.render.report import report_context

    project = seed_project()
    project.saved_at = dt.datetime(2026, 3, 5, 16, 20)
    context = report_context(project, card_for(project), Config())
    assert (context["contact"], context["phone"], context["filled_date"]) == ("杨小宝", "0431-12345678", "2026年3月5日")


def test_print_setup(ws):
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 page wide (1 is the default)
    assert ws.print_title_rows == "$1:$1"
    assert ws.column_dimensions["I"].width > ws.column_dimensions["G"].width


def test_groups_merged_down(tmp_path):
    project = seed_project()
    rows = [("产出指标", "数量指标", "采购宗数", "≥200宗", "262宗", "20"),
            ("产出指标", "数量指标", "采购招标率", "100%", "100%", "20"),
            ("产出指标", "质量指标", "废标率", "≤5%", "2%", "10"),
            ("效益指标", "社会效益指标", "公共服务水平", "提升", "提升", "30"),
            ("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥95%", "100%", "10")]
    project.indicators = [Indicator(a, b, c, t, x, D(w)) for a, b, c, t, x, w in rows]
    ws = write(tmp_path, project)[MAIN_SHEET]
    ranges = merged(ws)
    assert {"B12:B14", "C12:C13", "A11:A16"} <= ranges
    assert not any(r.startswith(("C14", "B15", "C15", "B16", "C16")) for r in ranges)  # single rows not merged
    assert [ws.cell(r, 4).value for r in range(12, 17)] == ["采购宗数", "采购招标率", "废标率", "公共服务水平", "使用人员满意度"]
    assert ws["B12"].value == "产出指标" and ws["C14"].value == "质量指标" and ws["B15"].value == "效益指标"
    assert (ws["A17"].value, ws["G17"].value) == ("总分", 100)


def test_text_is_never_a_formula(tmp_path):
    project = seed_project()
    project.info["项目名称"] = HOSTILE
    project.indicators[0].name = "+1+2"
    project.indicators[0].deviation = HOSTILE
    project.indicators[1].deviation = "@SUM(A1)"
    project.indicators[2].name = "-3"
    ws = write(tmp_path, project)[MAIN_SHEET]
    for cell, value in (("B2", HOSTILE), ("D12", "+1+2"), ("I12", HOSTILE), ("I13", "@SUM(A1)"), ("D14", "-3")):
        assert (ws[cell].value, ws[cell].data_type) == (value, "s")
    for cell in ("A1", "B5", "B10", "E12", "F12", "I15"):
        assert ws[cell].data_type == "s"


def test_a_clean_table_is_one_sheet_printed_on_one_page(tmp_path):
    """No 问题清单 page saying there is nothing to say: the footer of a clean table reads 第 1 页，共 1 页."""
    wb = write(tmp_path)
    assert wb.sheetnames == [MAIN_SHEET]
    ws = wb[MAIN_SHEET]
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert ws.print_area == "'自评表'!$A$1:$I$18"  # the table and its two sign-off lines


def test_the_problem_list_prints_on_its_own_pages(tmp_path):
    problems = [Problem("text-too-long", "“项目背景”超过 500 字。" * 8, "seed.xlsx", "基本信息", "B10", "很长的文字" * 20)]
    wb = write(tmp_path, problems=problems)
    assert wb.sheetnames == [MAIN_SHEET, PROBLEM_SHEET]
    ps = wb[PROBLEM_SHEET]
    assert [c.value for c in ps[1]] == ["序号", "严重程度", "工作表", "单元格", "问题说明", "填写值"]
    assert ps.page_setup.paperSize == 9 and ps.page_setup.orientation == "landscape"
    assert ps.sheet_properties.pageSetUpPr.fitToPage and ps.page_setup.fitToHeight == 0
    assert ps.print_title_rows == "$1:$1"
    assert ps.print_area == "'问题清单'!$A$1:$F$2"
    assert ps["E2"].alignment.wrap_text and ps["F2"].alignment.wrap_text
    assert ps.row_dimensions[2].height > 2 * ps.row_dimensions[1].height  # sized for its wrapped lines


def test_problem_sheet_lists_problems_and_marks_draft(tmp_path):
    problems = [Problem("value-missing", "“主管部门”未填写，请填写。", "seed.xlsx", "基本信息", "B4"),
                Problem("text-too-long", "“项目背景”超过 500 字。", "seed.xlsx", "基本信息", "B10", "=1+1")]
    wb = write(tmp_path, problems=problems)
    ps = wb[PROBLEM_SHEET]
    assert [c.value for c in ps[2]] == [1, "错误", "基本信息", "B4", "“主管部门”未填写，请填写。", None]
    assert [c.value for c in ps[3]] == [2, "警告", "基本信息", "B10", "“项目背景”超过 500 字。", "=1+1"]
    assert ps["F3"].data_type == "s"
    ws = wb[MAIN_SHEET]
    assert ws["A1"].value.endswith("（草稿）")
    assert ws["A2"].value == DRAFT_BANNER and "A2:I2" in merged(ws)
    assert ws["B3"].value == "公共资源交易中心运转经费"  # everything one row down
    assert "未通过校验" in ws.oddHeader.center.text


def test_warnings_alone_are_not_a_draft(tmp_path):
    problems = [Problem("text-too-long", "“项目背景”超过 500 字。", "seed.xlsx", "基本信息", "B10")]
    ws = write(tmp_path, problems=problems)[MAIN_SHEET]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("未通过校验" in v or "草稿" in v for v in values)
    assert ws.oddHeader.center.text is None


def test_blank_year_and_other_decimals(tmp_path):
    project = seed_project()
    project.info["评价年度"] = ""
    ws = write(tmp_path, project, config=Config.from_dict({"scoring": {"table_decimals": 1}}))[MAIN_SHEET]
    assert ws["A1"].value == "项目支出绩效自评表（    年度）"
    assert (ws["I5"].value, ws["I5"].number_format) == (7.3, "0.0")
    assert ws["H15"].value == 97.3


def test_output_is_byte_stable_and_atomic(tmp_path):
    project, card = seed_project(), seed_card()
    a = write_table(tmp_path / "a.xlsx", project, card, [], Config()).read_bytes()
    b = write_table(tmp_path / "b.xlsx", project, card, [], Config()).read_bytes()
    assert a == b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]  # no temporary files left


def test_scored_fraction_actual_shown_as_percentage(tmp_path):
    from perfeval.scoring import score_project

    project = seed_project()
    project.indicators[0].actual = "1"
    path = write_table(tmp_path / "t.xlsx", project, score_project(project, Config()), [], Config())
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    assert (ws["E12"].value, ws["F12"].value, ws["H12"].value, ws["H15"].value) == ("100%", "100%", 50, 97.27)


def test_units_as_written_and_from_the_unit_column(tmp_path):
    """The 计量单位 column completes a target written with an operator; a unit written in the value stays as
    written (公里 is not turned into the 千米 it is scored in)."""
    from perfeval.scoring import score_project

    project = seed_project()
    project.indicators[0] = Indicator("产出指标", "数量指标", "日常养护里程", "≥318公里", "318公里", D(50))
    project.indicators[2].target, project.indicators[2].actual, project.indicators[2].unit = "≥95", "96", "%"
    path = write_table(tmp_path / "t.xlsx", project, score_project(project, Config()), [], Config())
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    assert (ws["E12"].value, ws["F12"].value) == ("≥318公里", "318公里")
    assert (ws["E14"].value, ws["F14"].value) == ("≥95%", "96%")
