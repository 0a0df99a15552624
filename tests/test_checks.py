"""Checks: each rule triggered by a workbook built for it, asserting the code, the sheet and the cell."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from builders import build_workbook, seed_rows
from helpers import checked
from perfeval import checks
from perfeval.config import Config
from perfeval.problems import CATALOGUE, Problem
from perfeval.reader import read_workbook
from perfeval.scoring import score_project

NEXT_YEAR = dt.date.today().year + 1


def problems_of(tmp_path, data=None, edit=None, config=None, **layout) -> list[Problem]:
    """Build a workbook, optionally edit it with openpyxl, then read, score and check it as the CLI does."""
    path = build_workbook(tmp_path / "项目.xlsx", data, **layout)
    if edit:
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
    return checked(path, config)


def where(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.code, p.sheet, p.cell) for p in problems]


def seed_with(**changes):
    """The seed's data with some parts changed: a callable gets the part and changes it in place."""
    data = seed_rows()
    for key, change in changes.items():
        if callable(change):
            change(data[key])
        else:
            data[key] = change
    return data


def setitem(index, value):
    def change(part):
        part[index] = value
    return change


def indicator(i, **fields):
    """Change fields of the seed's indicator row i, by the names below."""
    names = ("level1", "level2", "name", "nature", "target", "actual", "weight", "self_score", "deviation")

    def change(rows):
        row = list(rows[i])
        for key, value in fields.items():
            row[names.index(key)] = value
        rows[i] = tuple(row)
    return change


def cell(sheet, ref, value):
    def edit(book):
        book[sheet][ref] = value
    return edit


def merge(sheet, ref):
    """Merge a range, keeping its first cell's value only (as a spreadsheet program does)."""
    def edit(book):
        first, *rest = [c for row in book[sheet][ref] for c in row]
        for c in rest:
            c.value = None
        book[sheet].merge_cells(ref)
    return edit


def empty(*sheets):
    """Sheets left with nothing in them, not even a header."""
    def edit(book):
        for name in sheets:
            index = book.sheetnames.index(name)
            book.remove(book[name])
            book.create_sheet(name, index)
    return edit


def hide(sheet):
    def edit(book):
        book[sheet].sheet_state = "hidden"
    return edit


SPENDING_35 = seed_rows()["spending"] + [("其他支出", 11.07, "")]

# id -> (data, workbook edit, layout options, expected (code, sheet, cell) of every problem, sorted)
CASES = {
    # what the reader finds
    "sheet missing": (None, None, {"skip_sheets": ("评价工作组",)}, [("sheet-missing", "评价工作组", "")]),
    "sheet near namesake": (None, None, {"sheet_names": {"基本信息": "基本信息(1)"}},
                            [("sheet-near-namesake", "基本信息(1)", "")]),
    "header missing": (None, cell("资金情况", "E1", "执行情况"), {}, [("header-missing", "资金情况", "1:1")]),
    "info value missing": (seed_with(info=setitem("项目名称", "")), None, {}, [("value-missing", "基本信息", "B3")]),
    "number unreadable": (seed_with(funding=[("当年财政拨款", "三十二万", 32.9, 23.93, 23.93)]), None, {},
                          [("number-unreadable", "资金情况", "B2")]),
    "unit unknown": (None, cell("支出明细", "B1", "金额（千元）"), {}, [("unit-unknown", "支出明细", "B1")]),
    "formula without value": (None, cell("资金情况", "B2", "=32.9"), {}, [("formula-no-value", "资金情况", "B2")]),
    "template version missing": (None, None, {"version": None}, [("template-version-missing", "填表说明", "")]),
    "template version newer": (None, None, {"version": "2.0"}, [("template-version-newer", "填表说明", "A2")]),
    "sheet hidden": (None, hide("业务量"), {}, [("sheet-hidden", "业务量", "")]),
    "control characters": (seed_with(info=setitem("项目名称", "公共资源_x0007_交易")), None, {},  # OOXML escape of BEL
                           [("text-control-chars", "基本信息", "B3")]),
    "figure merged": (None, merge("支出明细", "B5:B6"), {}, [("breakdown-sum-mismatch", "支出明细", "B2:B7"),
                                                            ("merged-figure", "支出明细", "B5:B6")]),
    "grouping merged": (seed_with(group=setitem(2, ("副组长", "单志刚"))), merge("评价工作组", "A3:A4"), {}, []),
    "weight with its unit": (seed_with(indicators=indicator(0, weight="50分", self_score="50 分")), None, {}, []),
    "optional sheets empty": (None, empty("业务量", "支出明细"), {}, []),
    "funding source unknown": (seed_with(funding=lambda f: f.append(("自筹资金", 0, 0, 0, 0))), None, {},
                               [("funding-source-unknown", "资金情况", "A3")]),
    # 基本信息
    "year before 2000": (seed_with(info=setitem("评价年度", "1999")), None, {}, [("year-implausible", "基本信息", "B2")]),
    "year of two digits": (seed_with(info=setitem("评价年度", "25")), None, {}, [("year-implausible", "基本信息", "B2")]),
    "year too late": (seed_with(info=setitem("评价年度", str(NEXT_YEAR + 1))), None, {},
                      [("year-implausible", "基本信息", "B2")]),
    "year with 年度": (seed_with(info=setitem("评价年度", "2025年度")), None, {}, []),
    "year as a code": (seed_with(info=setitem("评价年度", "FY2025")), None, {}, [("year-implausible", "基本信息", "B2")]),
    "year as a date text": (seed_with(info=setitem("评价年度", "2025年12月")), None, {},
                            [("year-implausible", "基本信息", "B2")]),
    "email malformed": (seed_with(info=setitem("联系邮箱", "spj@example")), None, {},
                        [("email-malformed", "基本信息", "B8")]),
    "email full-width": (seed_with(info=setitem("联系邮箱", "spj＠example.gov.cn")), None, {},
                         [("email-malformed", "基本信息", "B8")]),
    # 评价工作组
    "group empty": (seed_with(group=[]), None, {}, [("value-missing", "评价工作组", "")]),
    "group without leader": (seed_with(group=setitem(0, ("副组长", "李春丽"))), None, {},
                             [("group-no-leader", "评价工作组", "A2:A7")]),
    "group role unknown": (seed_with(group=setitem(3, ("秘书", "杨小宝"))), None, {},
                           [("group-role-unknown", "评价工作组", "A5")]),
    "group member twice": (seed_with(group=lambda g: g.append(("组员", "杨小宝"))), None, {},
                           [("group-member-duplicate", "评价工作组", "B8")]),
    # 资金情况
    "spent over budget": (seed_with(funding=[("当年财政拨款", 32.9, 32.9, 35, 35)], spending=SPENDING_35), None, {},
                          [("funding-spent-over-budget", "资金情况", "E2")]),
    "received below spent": (seed_with(funding=[("当年财政拨款", 32.9, 32.9, 20, 23.93)]), None, {},
                             [("funding-received-below-spent", "资金情况", "D2")]),
    "total row disagrees": (seed_with(funding=lambda f: f.append(("合计", 32.9, 32.9, 23.93, 24))), None, {},
                            [("funding-total-mismatch", "资金情况", "E3")]),
    "total row agrees": (seed_with(funding=lambda f: f.append(("合计", 32.9, 32.9, 23.93, 23.93))), None, {}, []),
    "budget defaulted": (seed_with(funding=[("当年财政拨款", 32.9, None, 23.93, 23.93)]), None, {},
                         [("funding-budget-defaulted", "资金情况", "C2")]),
    "budget defaulted once": (seed_with(funding=[("当年财政拨款", 30, None, 22, 22), ("上年结转资金", 2.9, None, 1.93,
                                                                                1.93)]), None, {},
                              [("funding-budget-defaulted", "资金情况", "C2:C3")]),
    "budget zero": (seed_with(funding=[("当年财政拨款", 0, 0, 0, 0)], spending=[]), None, {},
                    [("funding-budget-zero", "资金情况", "C2")]),
    "spent missing": (seed_with(funding=[("当年财政拨款", 32.9, 32.9, 23.93, None)]), None, {},
                      [("value-missing", "资金情况", "E2")]),
    "only a total row": (seed_with(funding=[("合计", 32.9, 32.9, 23.93, 23.93)]), None, {},
                         [("value-missing", "资金情况", "A2")]),
    "source twice": (seed_with(funding=lambda f: f.append(("当年财政拨款", 0, 0, 0, 0))), None, {},
                     [("funding-source-duplicate", "资金情况", "A3")]),
    "low rate without reason": (seed_with(info=setitem("预算执行偏差原因", "")), None, {},
                                [("execution-low-no-reason", "基本信息", "B11")]),
    "low rate without the label": (seed_with(info=lambda i: i.pop("预算执行偏差原因")), None, {},
                                   [("execution-low-no-reason", "基本信息", "")]),
    "negative amount": (seed_with(volumes=setitem(3, ("国有产权", -63, 1.46))), None, {},
                        [("number-negative", "业务量", "B5")]),
    # 支出明细 and 业务量
    "breakdown does not add up": (seed_with(spending=setitem(0, ("日常办公经费", 6, ""))), None, {},
                                  [("breakdown-sum-mismatch", "支出明细", "B2:B7")]),
    "volume total disagrees": (seed_with(volumes=lambda v: v.append(("合计", 424, 30))), None, {},
                               [("volume-total-mismatch", "业务量", "C6")]),
    "volume total agrees": (seed_with(volumes=lambda v: v.append(("合计", 424, 35.67))), None, {}, []),
    # 绩效指标: structure
    "no indicators": (seed_with(indicators=[]), None, {}, [("value-missing", "绩效指标", "")]),
    "weights 110": (seed_with(indicators=indicator(0, weight=60, self_score=60)), None, {},
                    [("weights-not-100", "绩效指标", "G2:G4")]),
    "split 40/40/10": (seed_with(indicators=lambda r: (indicator(0, weight=40, self_score=40)(r),
                                                       indicator(1, weight=40, self_score=40)(r))), None, {},
                       [("weights-split-unusual", "绩效指标", "G2"), ("weights-split-unusual", "绩效指标", "G3")]),
    "cost split accepted": (seed_with(indicators=lambda r: (
        indicator(0, weight=40, self_score=40)(r), indicator(1, weight=20, self_score=20)(r),
        r.append(("成本指标", "经济成本指标", "单位成本", "反向", "≤30万元", "28万元", 20, 20, "")))), None, {}, []),
    "level 1 unknown": (seed_with(indicators=indicator(0, level1="产出")), None, {},
                        [("level1-unknown", "绩效指标", "A2")]),
    "level 1 merged unknown": (seed_with(indicators=lambda r: (indicator(1, level1="满意度指标")(r),
                                                               indicator(1, level1="满意度")(r),
                                                               indicator(2, level1="满意度")(r),
                                                               indicator(1, level2="服务对象满意度指标")(r))),
                               None, {"merge": True}, [("level1-unknown", "绩效指标", "A3:A4")]),
    "level 2 unknown": (seed_with(indicators=indicator(1, level2="社会效益")), None, {},
                        [("level2-unknown", "绩效指标", "B3")]),
    "level 2 of another level 1": (seed_with(indicators=indicator(1, level2="数量指标")), None, {},
                                   [("level2-unknown", "绩效指标", "B3")]),
    "indicator twice": (seed_with(indicators=lambda r: (indicator(2, weight=5, self_score=5)(r), r.append(r[2]))),
                        None, {}, [("indicator-duplicate", "绩效指标", "C5")]),
    # 绩效指标: values and scores
    "target unreadable": (seed_with(indicators=indicator(0, target="≥九5%")), None, {},
                          [("target-unreadable", "绩效指标", "E2")]),
    "nature unreadable": (seed_with(indicators=indicator(0, nature="随便")), None, {},
                          [("target-unreadable", "绩效指标", "D2")]),
    "actual unreadable": (seed_with(indicators=indicator(0, actual="良好")), None, {},
                          [("actual-unreadable", "绩效指标", "F2")]),
    "units of different kinds": (seed_with(indicators=indicator(0, nature="反向", target="≤5天", actual="3个")),
                                 None, {}, [("unit-mismatch", "绩效指标", "F2")]),
    "qualitative unplaced": (seed_with(indicators=indicator(1, actual="有所改善")), None, {},
                             [("qualitative-unplaced", "绩效指标", "F3")]),
    "missed without reason": (seed_with(indicators=indicator(0, actual="90%", self_score=45)), None, {},
                              [("target-missed-no-reason", "绩效指标", "I2")]),
    "missed with reason": (seed_with(indicators=indicator(0, actual="90%", self_score=45, deviation="部分项目延期")),
                           None, {}, []),
    "partly achieved without reason": (seed_with(indicators=indicator(1, actual="部分达成", self_score=21)), None, {},
                                       [("target-missed-no-reason", "绩效指标", "I3")]),
    "far exceeded without reason": (seed_with(indicators=indicator(2, target="≥60%")), None, {},
                                    [("target-overachieved-no-reason", "绩效指标", "I4")]),
    "far exceeded with reason and less": (seed_with(indicators=indicator(2, target="≥60%", self_score=8,
                                                                         deviation="指标值设定偏低")), None, {}, []),
    "self score outside band": (seed_with(indicators=indicator(1, self_score=20)), None, {},
                                [("self-score-outside-band", "绩效指标", "H3")]),
    "band default": (seed_with(indicators=indicator(1, self_score=None)), None, {},
                     [("self-score-band-default", "绩效指标", "H3")]),
    "self score over weight": (seed_with(indicators=indicator(0, self_score=55)), None, {},
                               [("self-score-over-weight", "绩效指标", "H2")]),
    "self score differs": (seed_with(indicators=indicator(0, self_score=45)), None, {},
                           [("self-score-differs", "绩效指标", "H2")]),
    "deadline missed, own score": (seed_with(indicators=indicator(0, level2="时效指标", name="系统升级完成时间",
                                                                  nature="", target="2025年6月30日前",
                                                                  actual="2025年8月", self_score=40,
                                                                  deviation="供应商延期交付")), None, {},
                                   [("deadline-missed-self-score", "绩效指标", "H2")]),
}


@pytest.mark.parametrize("data, edit, layout, expected", CASES.values(), ids=CASES.keys())
def test_each_check_points_at_its_cell(tmp_path, data, edit, layout, expected):
    assert where(problems_of(tmp_path, data, edit, **layout)) == expected


@pytest.mark.parametrize("layout", [{}, {"merge": True}, {"shuffle": True, "title_rows": 2},
                                    {"money_unit": "元", "brackets": "()"}], ids=str)
def test_the_seed_has_no_problem(tmp_path, layout):
    assert problems_of(tmp_path, **layout) == []


def test_shuffled_columns_move_the_cell(tmp_path):
    data = seed_with(spending=setitem(0, ("日常办公经费", 6, "")))
    # reversed columns: 说明 A, 金额 B, 支出内容 C
    assert where(problems_of(tmp_path, data, shuffle=True)) == [("breakdown-sum-mismatch", "支出明细", "B2:B7")]
    data = seed_with(indicators=indicator(0, self_score=45))
    assert where(problems_of(tmp_path, data, shuffle=True, title_rows=1)) == [("self-score-differs", "绩效指标", "B3")]


def test_text_over_its_limit(tmp_path):
    config = Config.from_dict({"limits": {"综合评价结论": 5}})
    problems = problems_of(tmp_path, config=config)
    assert where(problems) == [("text-too-long", "基本信息", "B12")]
    assert "共 15 字，超过规定的 5 字" in problems[0].message


def test_self_score_differs_names_both_scores_and_the_rule(tmp_path):
    [p] = problems_of(tmp_path, seed_with(indicators=indicator(0, self_score=45)))
    assert p.message.startswith("自评得分 45 与按规则计算的得分 50 不一致（实际完成值已达到年度指标值，应得满分）")
    assert p.value == "45"
    [p] = problems_of(tmp_path, seed_with(indicators=indicator(0, actual="90%", self_score=50, deviation="延期")))
    assert "自评得分 50 与按规则计算的得分 45 不一致（实际完成值为年度指标值的 90.00%，按“完成比例 × 分值”计分）" in p.message


def test_messages_format_figures_for_people(tmp_path):
    data = seed_with(funding=[("当年财政拨款", 32.9, 32.9, 20.5, 23.93), ("合计", 32.9, 32.9, 20.5, 24.1)],
                     spending=setitem(0, ("日常办公经费", 5.5, "")), info=setitem("预算执行偏差原因", ""))
    problems = problems_of(tmp_path, data, money_unit="元")
    text = {p.code: p.message for p in problems}
    assert "合计行的全年执行数 24.1 万元与各资金来源之和 23.93 万元不符" in text["funding-total-mismatch"]
    assert "支出明细合计 24.43 万元与资金情况的全年执行数 23.93 万元不符（相差 0.5 万元）" in text["breakdown-sum-mismatch"]
    assert "实际到位数 20.5 万元少于全年执行数 23.93 万元" in text["funding-received-below-spent"]
    assert "预算执行率为 72.74%，低于 90%" in text["execution-low-no-reason"]
    for p in problems:
        assert not re.search(r"\d\.\d{3,}|E[+-]\d|Decimal", p.message), p.message
        assert "请" in p.message, p.message


def test_a_tolerance_of_half_a_hundredth(tmp_path):
    data = seed_with(spending=setitem(0, ("日常办公经费", 5.004, "")))  # in 元: 50040
    assert problems_of(tmp_path, data, money_unit="元") == []
    data = seed_with(spending=setitem(0, ("日常办公经费", 5.005, "")))
    assert where(problems_of(tmp_path, data, money_unit="元")) == [("breakdown-sum-mismatch", "支出明细", "B2:B7")]


def test_execution_rate_row_is_explained(tmp_path):
    data = seed_with(indicators=lambda r: (indicator(0, weight=40, self_score=40)(r),
                                           r.append(("预算执行率", "预算执行率", "预算执行率", "正向", "100%", "72.74%",
                                                     10, 7, "力行节约"))))
    problems = [p for p in problems_of(tmp_path, data) if p.code == "level1-unknown"]
    assert where(problems) == [("level1-unknown", "绩效指标", "A5")]
    assert "预算执行率由资金情况自动计算" in problems[0].message


def test_a_broken_sheet_is_not_reported_twice(tmp_path):
    """With the reader's problems as ``known``, an empty table whose sheet is missing is not reported again."""
    path = build_workbook(tmp_path / "x.xlsx", skip_sheets=("绩效指标", "资金情况"))
    result = read_workbook(path)
    card = score_project(result.project, Config())
    without = checks.check_project(result.project, card, Config())
    assert {(p.code, p.sheet) for p in without} == {("value-missing", "绩效指标"), ("value-missing", "资金情况")}
    assert checks.check_project(result.project, card, Config(), result.problems) == []


def test_without_info_sheet_the_reason_is_not_asked_for(tmp_path):
    path = build_workbook(tmp_path / "x.xlsx", sheet_names={"基本信息": "基本信息(1)"})
    result = read_workbook(path)
    assert checks.check_project(result.project, score_project(result.project, Config()), Config()) == []


def test_every_problem_is_found_in_one_pass(tmp_path):
    data = seed_with(spending=setitem(0, ("日常办公经费", 6, "")),
                     indicators=indicator(0, weight=60, self_score=60, actual="90%"),
                     info=setitem("联系邮箱", "spj@"), group=setitem(0, ("组员", "李春丽")))
    assert where(problems_of(tmp_path, data)) == [
        ("breakdown-sum-mismatch", "支出明细", "B2:B7"),
        ("weights-not-100", "绩效指标", "G2:G4"),
        ("email-malformed", "基本信息", "B8"),
        ("group-no-leader", "评价工作组", "A2:A7"),
        ("self-score-differs", "绩效指标", "H2"),
        ("target-missed-no-reason", "绩效指标", "I2"),
    ]


def test_sort_by_severity_then_sheet_order_then_cell():
    def p(code, sheet="", cell=""):
        return Problem(code, "说明", "a.xlsx", sheet, cell)

    problems = [p("self-score-band-default", "绩效指标", "H3"), p("email-malformed", "基本信息", "B8"),
                p("value-missing", "绩效指标", "C10"), p("value-missing", "绩效指标", "C9"),
                p("value-missing", "绩效指标", "D9"), p("header-missing", "资金情况", "1:1"),
                p("sheet-near-namesake", "基本信息(1)"), p("file-unreadable"), p("value-missing", "绩效指标", "AA2"),
                p("value-missing", "其他表", "A1")]
    assert where(checks.sort_problems(problems)) == [
        ("file-unreadable", "", ""), ("sheet-near-namesake", "基本信息(1)", ""), ("header-missing", "资金情况", "1:1"),
        ("value-missing", "绩效指标", "AA2"), ("value-missing", "绩效指标", "C9"), ("value-missing", "绩效指标", "D9"),
        ("value-missing", "绩效指标", "C10"), ("value-missing", "其他表", "A1"),
        ("email-malformed", "基本信息", "B8"), ("self-score-band-default", "绩效指标", "H3")]


def test_span_and_cell_position():
    assert checks.span(["B7", "B2", "B4"]) == "B2:B7"
    assert checks.span(["C3"]) == "C3"
    assert checks.span(["", ""]) == ""
    assert checks.cell_position("AB12") == (12, 28)
    assert checks.cell_position("3:3") == (3, 0)
    assert checks.cell_position("") == (0, 0)


def test_every_scoring_note_has_a_message():
    codes = {"target-unreadable", "actual-unreadable", "unit-mismatch", "qualitative-unplaced",
             "self-score-band-default", "self-score-outside-band", "self-score-over-weight",
             "deadline-missed-self-score", "self-score-differs"}
    assert set(checks.NOTES) == codes
    assert codes <= set(CATALOGUE)


# ---- no check runs on a value that failed to read ------------------------------------------------------------

FOLLOW_ON = {
    # 分值 unreadable: no 自评得分 judged against a weight of 0 ("超出分值范围（0–0 分）")
    "weight, quantitative": (seed_with(indicators=indicator(0, weight="五十", self_score=50)), None,
                             [("number-unreadable", "绩效指标", "G2")]),
    "weight, qualitative": (seed_with(indicators=indicator(1, weight="三十", self_score=30)), None,
                            [("number-unreadable", "绩效指标", "G3")]),
    # 自评得分 unreadable: not "未填写自评得分"
    "self score": (seed_with(indicators=indicator(1, self_score="三十")), None, [("number-unreadable", "绩效指标", "H3")]),
    # 全年预算数 unreadable: not "已按年初预算数计算", nor 执行数 over the 年初预算数
    "full-year budget": (seed_with(funding=[("当年财政拨款", 20, "三十二万九", 23.93, 23.93)]), None,
                         [("number-unreadable", "资金情况", "C2")]),
    # one source's 全年执行数 unreadable: no sum of the others compared with 支出明细
    "one source's spending": (seed_with(funding=[("当年财政拨款", 30, 30, 22, 22),
                                                 ("上年结转资金", 2.9, 2.9, 1.93, "一点九三")]), None,
                              [("number-unreadable", "资金情况", "E3")]),
    # a column whose unit is not understood: not "未填写"
    "a column of unknown unit": (None, cell("资金情况", "E1", "全年执行数（千元）"), [("unit-unknown", "资金情况", "E1")]),
    # 预算执行率分值 unreadable: weights not totalled with the default 10
    "execution weight": (seed_with(info=setitem("预算执行率分值", "十五"), indicators=indicator(0, weight=45, self_score=45)),
                         None,
                         [("number-unreadable", "基本信息", "B14")]),
    # a category's count unreadable: the 合计 row not compared with the others' sum
    "volume count": (seed_with(volumes=lambda v: (v.__setitem__(0, ("政府采购", "二百六十二", 5.61)),
                                                  v.append(("合计", 424, 35.67)))), None,
                     [("number-unreadable", "业务量", "B2")]),
}


@pytest.mark.parametrize("data, edit, expected", FOLLOW_ON.values(), ids=FOLLOW_ON.keys())
def test_no_check_runs_on_a_value_that_failed_to_read(tmp_path, data, edit, expected):
    assert where(problems_of(tmp_path, data, edit)) == expected


def test_a_merged_amount_is_summed_once(tmp_path):
    problems = problems_of(tmp_path, None, merge("支出明细", "B5:B6"))
    mismatch = next(p for p in problems if p.code == "breakdown-sum-mismatch")
    assert mismatch.message == ("支出明细合计 21.15 万元与资金情况的全年执行数 23.93 万元不符（相差 2.78 万元）。"
                                "请核对各项支出金额，使其合计等于全年执行数。")
