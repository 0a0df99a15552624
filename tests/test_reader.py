"""The reader, on workbooks laid out differently but within input-workbook.md's reading rules.

Every variant must give the same Project facts and the same ScoreCard as the plain seed workbook, and every
value must point at the cell it came from in that variant's layout.
"""

from __future__ import annotations

import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from builders import build_workbook, seed_rows
from perfeval.config import Config
from perfeval.reader import formulas_without_value, read_workbook, split_label
from perfeval.scoring import score_project


def facts(project) -> dict:
    """What a user reads back: every label, name, amount, indicator and volume (not the cells)."""
    return {
        "info": project.info,
        "members": [(m.role, m.name, m.affiliation) for m in project.members],
        "funding": [(f.source, f.initial, f.full_year, f.received, f.spent) for f in project.funding],
        "funding_total": project.funding_total,
        "spending": [(s.item, s.amount, s.note) for s in project.spending],
        "indicators": [(i.level1, i.level2, i.name, i.nature, i.target, i.actual, i.unit, i.weight, i.self_score,
                        i.deviation) for i in project.indicators],
        "volumes": [(v.category, v.count, v.amount, v.note) for v in project.volumes],
        "execution_weight": project.execution_weight,
    }


def card_facts(card) -> tuple:
    return (card.execution_rate, card.execution_weight, card.execution_score, card.total, card.grade,
            [(s.score, s.rule_score, s.status, s.notes) for s in card.indicators])


def read_ok(path: Path):
    result = read_workbook(path)
    assert result.problems == []
    assert result.blank is False
    return result.project


# Data with level-1/level-2 groups of two and three rows, for merged cells.
GROUPED = [
    ("产出指标", "数量指标", "采购项目数", "正向", "≥10个", "12个", 20, 20, ""),
    ("产出指标", "数量指标", "交易场次", "正向", "≥100次", "120次", 15, 15, ""),
    ("产出指标", "质量指标", "采购招标率", "正向", "100%", "100%", 15, 15, ""),
    ("效益指标", "社会效益指标", "公共服务水平", "定性", "提升", "提升", 15, 15, ""),
    ("效益指标", "社会效益指标", "交易透明度", "定性", "有效提升", "有效提升", 15, 15, ""),
    ("满意度指标", "服务对象满意度指标", "使用人员满意度", "正向", "≥95%", "100%", 10, 10, ""),
]


def grouped_rows() -> dict:
    data = seed_rows()
    data["indicators"] = list(GROUPED)
    return data


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    path = build_workbook(tmp_path_factory.mktemp("plain") / "seed.xlsx")
    project = read_ok(path)
    return project, score_project(project, Config())


@pytest.fixture(scope="module")
def plain_grouped(tmp_path_factory):
    path = build_workbook(tmp_path_factory.mktemp("grouped") / "grouped.xlsx", grouped_rows())
    project = read_ok(path)
    return project, score_project(project, Config())


# ---- the plain seed: facts and cells ---------------------------------------------------------------------

def test_seed_facts(plain):
    project, _ = plain
    assert project.name == "公共资源交易中心运转经费"
    assert (project.department, project.unit, project.year) == ("审批局", "审批局", 2025)
    assert [(m.role, m.name) for m in project.members] == [
        ("组长", "李春丽"), ("副组长", "张海涛"), ("副组长", "单志刚"), ("组员", "杨小宝"), ("组员", "董恩华"),
        ("组员", "李海荣")]
    assert (project.budget, project.received, project.spent) == (D("32.9"), D("23.93"), D("23.93"))
    assert sum(s.amount for s in project.spending) == D("23.93")
    assert [s.item for s in project.spending][0] == "日常办公经费"
    assert [i.name for i in project.indicators] == ["采购招标率", "公共服务水平", "使用人员满意度"]
    assert [i.weight for i in project.indicators] == [D(50), D(30), D(10)]
    assert project.volume_count_total() == D(424)
    assert project.volume_amount_total() == D("35.67")
    assert project.template_version == "1.0"


def test_seed_cells(plain):
    project, _ = plain
    assert project.info_cells["项目名称"] == "B3"
    assert project.funding[0].cells == {"source": "A2", "initial": "B2", "full_year": "C2", "received": "D2",
                                        "spent": "E2"}
    assert project.indicators[2].cells == {
        "level1": "A4", "level2": "B4", "name": "C4", "nature": "D4", "target": "E4", "actual": "F4",
        "weight": "G4", "self_score": "H4", "deviation": "I4"}
    assert project.spending[5].cells == {"item": "A7", "amount": "B7"}
    assert project.volumes[3].cells == {"category": "A5", "count": "B5", "amount": "C5"}
    assert project.members[0].cells == {"role": "A2", "name": "B2"}


def test_seed_scorecard(plain):
    _, card = plain
    assert card.execution_score == D(10) * D("23.93") / D("32.9")
    assert [s.score for s in card.indicators] == [D(50), D(30), D(10)]
    assert card.total == D(90) + D(10) * D("23.93") / D("32.9")
    assert card.grade == "优"


# ---- layout variations: same facts, same ScoreCard, cells where they are ------------------------------------

@pytest.mark.parametrize("options", [
    {"title_rows": 2},
    {"shuffle": True},
    {"brackets": "()"},
    {"money_unit": "元"},
    {"title_rows": 1, "shuffle": True, "brackets": "()", "money_unit": "元"},
], ids=["title-rows", "shuffled", "half-width-brackets", "yuan", "all"])
def test_layout_variations_read_the_same(tmp_path, plain, options):
    base_project, base_card = plain
    project = read_ok(build_workbook(tmp_path / "v.xlsx", **options))
    assert facts(project) == facts(base_project)
    assert card_facts(score_project(project, Config())) == card_facts(base_card)


def test_title_rows_shift_every_cell(tmp_path):
    project = read_ok(build_workbook(tmp_path / "t.xlsx", title_rows=2))
    assert project.info_cells["项目名称"] == "B5"
    assert project.funding[0].cells["spent"] == "E4"
    assert project.indicators[0].cells["target"] == "E4"
    assert project.indicators[0].cells["actual"] == "F4"
    assert project.spending[0].cells["amount"] == "B4"


def test_shuffled_columns_point_at_their_own_cells(tmp_path):
    project = read_ok(build_workbook(tmp_path / "s.xlsx", shuffle=True))
    # 9 indicator columns reversed: 一级指标 is in I, 偏差原因 in A; 5 funding columns: 资金来源 in E.
    assert project.indicators[0].cells == {
        "deviation": "A2", "self_score": "B2", "weight": "C2", "actual": "D2", "target": "E2", "nature": "F2",
        "name": "G2", "level2": "H2", "level1": "I2"}
    assert project.funding[0].cells == {"source": "E2", "initial": "D2", "full_year": "C2", "received": "B2",
                                        "spent": "A2"}
    assert project.info_cells["项目名称"] == "A3"  # 内容 is the first column now
    assert project.volumes[0].cells == {"category": "D2", "count": "C2", "amount": "B2"}


def test_amounts_in_yuan_are_converted_to_wan(tmp_path):
    path = build_workbook(tmp_path / "y.xlsx", money_unit="元")
    ws = openpyxl.load_workbook(path)["资金情况"]
    assert (ws["B1"].value, ws["B2"].value) == ("年初预算数（元）", 329000)
    project = read_ok(path)
    assert project.budget == D("32.9")
    assert project.spent == D("23.93")
    assert [s.amount for s in project.spending] == [D(5), D("0.75"), D(1), D("2.4"), D("2.78"), D(12)]


@pytest.mark.parametrize("options", [{"merge": True}, {"merge": True, "shuffle": True, "title_rows": 3}],
                         ids=["merged", "merged-shuffled-titles"])
def test_merged_level_cells_are_filled_down(tmp_path, plain_grouped, options):
    base_project, base_card = plain_grouped
    path = build_workbook(tmp_path / "m.xlsx", grouped_rows(), **options)
    ws = openpyxl.load_workbook(path)["绩效指标"]
    assert len(ws.merged_cells.ranges) == 4  # 产出(3), 数量(2), 效益(2), 社会效益(2)
    project = read_ok(path)
    assert [(i.level1, i.level2) for i in project.indicators] == [(r[0], r[1]) for r in GROUPED]
    assert facts(project) == facts(base_project)
    assert card_facts(score_project(project, Config())) == card_facts(base_card)


def test_merged_layout_cells(tmp_path):
    project = read_ok(build_workbook(tmp_path / "m.xlsx", grouped_rows(), merge=True, title_rows=1))
    assert [i.cells["name"] for i in project.indicators] == ["C3", "C4", "C5", "C6", "C7", "C8"]
    assert [i.cells["weight"] for i in project.indicators] == ["G3", "G4", "G5", "G6", "G7", "G8"]


def test_labels_are_normalised(tmp_path, plain):
    base_project, base_card = plain
    data = seed_rows()
    renamed = {"项目名称": "项 目 名 称", "主管部门": "主管部门\u3000", "实施单位": "实施单位：", "评价年度": "评价年度*",
               "项目背景": "项目背景:", "年度总体目标": "年度总体目标 *："}
    data["info"] = {renamed.get(k, k): v for k, v in data["info"].items()}
    path = build_workbook(tmp_path / "l.xlsx", data)
    wb = openpyxl.load_workbook(path)
    wb["基本信息"]["A1"] = "项\u3000目"
    wb["资金情况"]["A1"] = "资 金 来 源"
    wb["资金情况"]["B1"] = "年初预算数 (万元) *"
    wb["资金情况"]["E1"] = "全年执行数（ 万元 ）："
    wb["绩效指标"]["A1"] = "一 级 指 标*"
    wb["绩效指标"]["E1"] = "年度指标值："
    wb["评价工作组"]["B1"] = "姓\u3000\u3000名"
    wb.save(path)
    project = read_ok(path)
    assert facts(project) == facts(base_project)
    assert card_facts(score_project(project, Config())) == card_facts(base_card)
    assert project.info_cells["项目名称"] == "B3"


@pytest.mark.parametrize("raw, label, unit", [
    ("项 目 名 称", "项目名称", ""),
    ("实施单位：", "实施单位", ""),
    ("评价年度*", "评价年度", ""),
    ("年初预算数（万元）", "年初预算数", "万元"),
    ("年初预算数(元)*", "年初预算数", "元"),
    ("金额（亿元）：", "金额", "亿元"),
    ("\u3000全年执行数 （ 万元 ）", "全年执行数", "万元"),
])
def test_split_label(raw, label, unit):
    assert split_label(raw) == (label, unit)


def test_funding_rows_as_the_official_table_writes_them(tmp_path):
    data = seed_rows()
    data["funding"] = [("年度资金总额", 32.9, 32.9, 23.93, 23.93), ("其中：当年财政拨款", 30, 30, 22, 22),
                       ("上年结转资金", 2.9, 2.9, 1.93, 1.93), ("其他资金", None, None, None, None)]
    project = read_ok(build_workbook(tmp_path / "f.xlsx", data))
    assert [(f.source, f.initial, f.spent) for f in project.funding] == [
        ("当年财政拨款", D(30), D(22)), ("上年结转资金", D("2.9"), D("1.93")), ("其他资金", None, None)]
    assert (project.funding_total.source, project.funding_total.spent) == ("年度资金总额", D("23.93"))
    assert (project.budget, project.spent) == (D("32.9"), D("23.93"))  # the 合计 row is never added
    assert project.funding[1].cells["spent"] == "E4"


@pytest.mark.parametrize("label", ["合计", "合 计", "合\u3000计", "总　计"])
def test_a_volume_total_row_with_spaced_out_label_is_never_added(tmp_path, label):
    data = seed_rows()
    data["volumes"].append((label, 424, 35.67))
    project = read_ok(build_workbook(tmp_path / "v.xlsx", data))
    assert len(project.volumes) == 4 and project.volume_total.count == D(424)
    assert (project.volume_count_total(), project.volume_amount_total()) == (D(424), D("35.67"))


def test_blank_rows_inside_a_table_are_skipped(tmp_path, plain):
    base_project, _ = plain
    path = build_workbook(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["绩效指标"].insert_rows(3)
    wb["支出明细"].insert_rows(4, 2)
    wb.save(path)
    project = read_ok(path)
    assert facts(project) == facts(base_project)
    assert [i.cells["target"] for i in project.indicators] == ["E2", "E4", "E5"]


def test_numbers_written_as_text(tmp_path):
    data = seed_rows()
    data["funding"] = [("当年财政拨款", "３２．９", "32.9万元", "239,300元", " 23.93 ")]
    data["spending"][0] = ("日常办公经费", "5万元", "")
    project = read_ok(build_workbook(tmp_path / "n.xlsx", data))
    row = project.funding[0]
    assert (row.initial, row.full_year, row.received, row.spent) == (D("32.9"), D("32.9"), D("23.93"), D("23.93"))
    assert project.spending[0].amount == D(5)


def test_unreadable_number_is_reported_at_its_cell(tmp_path):
    data = seed_rows()
    data["funding"] = [("当年财政拨款", 32.9, 32.9, 23.93, "约24万")]
    result = read_workbook(build_workbook(tmp_path / "u.xlsx", data))
    assert [(p.code, p.where, p.value) for p in result.problems] == [("number-unreadable", "资金情况!E2", "约24万")]
    assert result.problems[0].message == ("全年执行数无法识别为数字：“约24万”不是可识别的数字。请只填写数字（如 32.9）。")
    assert result.project.funding[0].spent is None


# ---- formulas without a cached value ----------------------------------------------------------------------

def test_formula_without_cached_value_is_reported(tmp_path):
    path = build_workbook(tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["资金情况"]["E2"] = "=D2"  # openpyxl writes formulas without a cached value
    wb["绩效指标"]["F2"] = "=E2"
    wb.save(path)
    assert formulas_without_value(path) == {"资金情况": ["E2"], "绩效指标": ["F2"]}
    result = read_workbook(path)
    assert [(p.code, p.where) for p in result.problems] == [
        ("formula-no-value", "资金情况!E2"), ("formula-no-value", "绩效指标!F2")]
    assert result.problems[0].message == ("该单元格的公式没有计算结果（文件未在 Excel/WPS 中重新计算保存）。"
                                          "请在 Excel 或 WPS 中打开、保存后重新提交，或直接填写数值。")
    assert result.project.funding[0].spent is None  # not a number that was never computed
    assert result.project.indicators[0].actual == ""


def _patch_sheet_xml(path: Path, sheet_file: str, old: bytes, new: bytes) -> None:
    """Rewrite one part of the xlsx, as a spreadsheet program that computed the formula would have saved it."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    assert old in parts[sheet_file]
    parts[sheet_file] = parts[sheet_file].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_formula_with_cached_value_is_read_by_its_value(tmp_path):
    path = build_workbook(tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet_file = f"xl/worksheets/sheet{wb.sheetnames.index('资金情况') + 1}.xml"
    wb["资金情况"]["E2"] = "=D2"
    wb.save(path)
    _patch_sheet_xml(path, sheet_file, b"<f>D2</f><v></v>", b"<f>D2</f><v>23.93</v>")
    assert formulas_without_value(path) == {}
    project = read_ok(path)
    assert project.funding[0].spent == D("23.93")


def test_formula_with_an_empty_text_result_is_not_reported(tmp_path):
    path = build_workbook(tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet_file = f"xl/worksheets/sheet{wb.sheetnames.index('支出明细') + 1}.xml"
    wb["支出明细"]["C2"] = '=""'
    wb.save(path)
    _patch_sheet_xml(path, sheet_file, b'<c r="C2"><f>""</f><v></v></c>', b'<c r="C2" t="str"><f>""</f><v></v></c>')
    assert formulas_without_value(path) == {}


# ---- sheets -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("near", ["基本信息(1)", "基本信息表"])
def test_near_namesake_sheet_is_reported_with_the_suggestion(tmp_path, near):
    result = read_workbook(build_workbook(tmp_path / "n.xlsx", sheet_names={"基本信息": near}))
    assert [(p.code, p.sheet, p.severity) for p in result.problems] == [("sheet-near-namesake", near, "错误")]
    assert result.problems[0].message == (f"缺少工作表“基本信息”，但有名称相近的工作表“{near}”。"
                                          "如果就是它，请将其改名为“基本信息”。")
    # reported, not read as 基本信息: only what names the project and where to write is taken from it (issue 11)
    assert (result.project.name, result.project.department, result.project.info.get("项目背景", "")) == (
        "公共资源交易中心运转经费", "审批局", "")


def test_sheet_name_with_surrounding_spaces_is_found(tmp_path, plain):
    project = read_ok(build_workbook(tmp_path / "s.xlsx", sheet_names={"基本信息": " 基本信息 "}))
    assert facts(project) == facts(plain[0])


def test_missing_required_sheet_is_reported(tmp_path):
    result = read_workbook(build_workbook(tmp_path / "m.xlsx", skip_sheets=("评价工作组",)))
    assert [(p.code, p.sheet) for p in result.problems] == [("sheet-missing", "评价工作组")]
    assert result.problems[0].message == "缺少必填工作表“评价工作组”。请使用标准填报模板填写。"
    assert result.project.members == []


def test_missing_optional_sheet_is_not_a_problem(tmp_path):
    project = read_ok(build_workbook(tmp_path / "o.xlsx", skip_sheets=("业务量", "支出明细")))
    assert project.volumes == [] and project.spending == []


def test_workbook_without_version_is_read_with_a_note(tmp_path, plain):
    result = read_workbook(build_workbook(tmp_path / "v.xlsx", version=None))
    assert [(p.code, p.severity) for p in result.problems] == [("template-version-missing", "提示")]
    assert facts(result.project) == facts(plain[0])


def test_newer_template_version_is_an_error(tmp_path):
    result = read_workbook(build_workbook(tmp_path / "v.xlsx", version="2.0"))
    assert [(p.code, p.where, p.value) for p in result.problems] == [
        ("template-version-newer", "填表说明!A2", "模板版本：2.0")]


def test_missing_header_column_is_reported(tmp_path):
    path = build_workbook(tmp_path / "h.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["绩效指标"]["G1"] = "权 数"  # not a known name for 分值
    wb.save(path)
    result = read_workbook(path)
    assert [(p.code, p.where) for p in result.problems] == [("header-missing", "绩效指标!1:1")]
    assert "分值" in result.problems[0].message
    assert result.project.indicators == []


# ---- the blank template -----------------------------------------------------------------------------------

def blank_rows() -> dict:
    return {"info": {k: None for k in seed_rows()["info"]}, "group": [], "spending": [], "indicators": [],
            "volumes": [], "funding": [("当年财政拨款", None, None, None, None), ("上年结转资金", None, None, None, None),
                                       ("其他资金", None, None, None, None)]}


def test_blank_template_is_detected(tmp_path):
    result = read_workbook(build_workbook(tmp_path / "blank.xlsx", blank_rows()))
    assert result.blank is True
    assert [(p.code, p.file, p.severity) for p in result.problems] == [("file-blank-template", "blank.xlsx", "提示")]
    assert result.problems[0].message == "这是未填写的空白模板，已跳过。"


def test_one_filled_value_makes_it_not_blank(tmp_path):
    data = blank_rows()
    data["info"]["项目名称"] = "公共资源交易中心运转经费"
    result = read_workbook(build_workbook(tmp_path / "one.xlsx", data))
    assert result.blank is False
    assert result.project.name == "公共资源交易中心运转经费"
    missing = [p.where for p in result.problems if p.code == "value-missing"]
    assert missing == ["基本信息!B2", "基本信息!B4", "基本信息!B5", "基本信息!B9", "基本信息!B10"]


def test_not_a_spreadsheet_is_reported(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    result = read_workbook(path)
    assert result.project is None
    # Which code says so is the file-type check's business (file-unreadable / file-not-spreadsheet).
    assert [(p.code in ("file-unreadable", "file-not-spreadsheet"), p.severity) for p in result.problems] == [
        (True, "错误")]


# ---- merged cells: grouping columns filled down, figures counted once -------------------------------------------

def merged_at(path: Path, sheet: str, ref: str) -> Path:
    """Merge ``ref`` in one sheet, keeping the value of its first cell only (as a spreadsheet program does)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    first, *rest = [c for row in ws[ref] for c in row]
    for c in rest:
        c.value = None
    ws.merge_cells(ref)
    wb.save(path)
    return path


def merge_warning(ref: str, label: str, value: str) -> str:
    first = ref.split(":")[0]
    return (f"{label}的合并单元格 {ref} 只算一个数字（{value}），计入 {first} 一次，合并范围内的其他单元格不计。"
            "如各行有各自的数字，请取消合并后逐行填写。")


def test_a_merged_amount_counts_once_at_its_first_row(tmp_path):
    # Two spending lines paid from one amount: 电话费 (row 5) and 专家评审费 (row 6) merged over 5.18 万元.
    data = seed_rows()
    data["spending"][3] = ("电话费及网络费用", 5.18, "")
    path = merged_at(build_workbook(tmp_path / "m.xlsx", data), "支出明细", "B5:B6")
    result = read_workbook(path)
    assert [(p.code, p.severity, p.where, p.value) for p in result.problems] == [
        ("merged-figure", "警告", "支出明细!B5:B6", "5.18")]
    assert result.problems[0].message == merge_warning("B5:B6", "金额", "5.18")
    amounts = [s.amount for s in result.project.spending]
    assert amounts == [D(5), D("0.75"), D(1), D("5.18"), D(0), D(12)]
    assert sum(amounts) == result.project.spent == D("23.93")  # not 29.11: the merged figure is not added twice


@pytest.mark.parametrize("sheet, ref, label, value, figures", [
    ("资金情况", "E2:E3", "全年执行数", "23.93", lambda p: [f.spent for f in p.funding]),
    ("绩效指标", "G3:G4", "分值", "30", lambda p: [i.weight for i in p.indicators]),
    ("绩效指标", "H3:H4", "自评得分", "30", lambda p: [i.self_score for i in p.indicators]),
    ("业务量", "B2:B3", "数量", "262", lambda p: [v.count for v in p.volumes]),
    ("业务量", "C4:C5", "金额", "8", lambda p: [v.amount for v in p.volumes]),
], ids=["funding", "weight", "self-score", "count", "volume-amount"])
def test_a_merged_figure_counts_once_in_every_figure_column(tmp_path, sheet, ref, label, value, figures):
    data = seed_rows()
    data["funding"].append(("上年结转资金", 0, 0, 0, 0))
    path = merged_at(build_workbook(tmp_path / "m.xlsx", data), sheet, ref)
    result = read_workbook(path)
    assert [(p.code, p.where, p.message) for p in result.problems] == [
        ("merged-figure", f"{sheet}!{ref}", merge_warning(ref, label, value))]
    expected = {
        "全年执行数": [D("23.93"), D(0)], "分值": [D(50), D(30), D(0)], "自评得分": [D(50), D(30), None],
        "数量": [D(262), D(0), D(29), D(63)], "金额": [D("5.61"), D("20.6"), D(8), D(0)]}[label]
    assert figures(result.project) == expected


def test_merged_grouping_cells_are_filled_down_without_a_warning(tmp_path):
    data = seed_rows()
    data["group"][2] = ("副组长", "单志刚")
    path = merged_at(build_workbook(tmp_path / "g.xlsx", data), "评价工作组", "A3:A4")
    project = read_ok(merged_at(path, "业务量", "A2:A3"))
    assert [m.role for m in project.members] == ["组长", "副组长", "副组长", "组员", "组员", "组员"]
    assert [v.category for v in project.volumes] == ["政府采购", "政府采购", "土地使用权", "国有产权"]


# ---- 评价年度: one year, however it is written ------------------------------------------------------------------

@pytest.mark.parametrize("written", ["2025", "2025年", "2025年度", " ２０２５ 年度", 2025])
def test_the_year_is_read_as_four_digits(tmp_path, written):
    data = seed_rows()
    data["info"]["评价年度"] = written
    project = read_ok(build_workbook(tmp_path / "y.xlsx", data))
    assert (project.info["评价年度"], project.year) == ("2025", 2025)


@pytest.mark.parametrize("written", ["FY2025", "2025-2026", "二〇二五年", "2025年12月"])
def test_another_year_text_is_kept_as_written_and_has_no_year(tmp_path, written):
    data = seed_rows()
    data["info"]["评价年度"] = written
    project = read_ok(build_workbook(tmp_path / "y.xlsx", data))
    assert (project.info["评价年度"], project.year) == (written, None)


# ---- numbers with their own unit, numbers with a stray separator ---------------------------------------------

def test_a_number_followed_by_its_own_unit_is_read(tmp_path):
    data = seed_rows()
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", "50分", "50 分", "")
    data["volumes"][0] = ("政府采购", "262宗", 5.61)
    data["info"]["预算执行率分值"] = "10分"
    project = read_ok(build_workbook(tmp_path / "u.xlsx", data))
    assert (project.indicators[0].weight, project.indicators[0].self_score) == (D(50), D(50))
    assert project.volumes[0].count == D(262)
    assert project.execution_weight == D(10)


def test_a_count_in_another_unit_than_its_columns_is_unreadable(tmp_path):
    data = seed_rows()
    data["volumes"][0] = ("政府采购", "262分", 5.61)
    result = read_workbook(build_workbook(tmp_path / "u.xlsx", data))
    assert [(p.code, p.where) for p in result.problems] == [("number-unreadable", "业务量!B2")]


@pytest.mark.parametrize("written, message", [
    ("23,93", "全年执行数无法识别为数字：“23,93”中的“,”不是有效的分隔符。应为数字，如 23.93 或 23。"),
    ("２３，９３万元", "全年执行数无法识别为数字：“２３，９３万元”中的“,”不是有效的分隔符。应为数字，如 23.93 或 23。"),
    ("1.234.5", "全年执行数无法识别为数字：“1.234.5”中的“.”不是有效的分隔符。应为数字，如 1234.5 或 1234。"),
])
def test_a_number_with_a_stray_separator_says_what_is_expected(tmp_path, written, message):
    data = seed_rows()
    data["funding"] = [("当年财政拨款", 32.9, 32.9, 23.93, written)]
    result = read_workbook(build_workbook(tmp_path / "s.xlsx", data))
    assert [(p.code, p.where, p.value, p.message) for p in result.problems] == [
        ("number-unreadable", "资金情况!E2", written, message)]


# ---- optional sheets left empty ------------------------------------------------------------------------------

def emptied(path: Path, *sheets: str) -> Path:
    wb = openpyxl.load_workbook(path)
    for name in sheets:
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
        wb.create_sheet(name, index)
    wb.save(path)
    return path


def test_an_empty_optional_sheet_means_none(tmp_path):
    project = read_ok(emptied(build_workbook(tmp_path / "e.xlsx"), "业务量", "支出明细"))
    assert project.volumes == [] and project.spending == [] and project.volume_total is None


def test_an_optional_sheet_with_data_but_no_header_stays_an_error(tmp_path):
    path = emptied(build_workbook(tmp_path / "e.xlsx"), "业务量")
    wb = openpyxl.load_workbook(path)
    wb["业务量"]["B3"] = 262
    wb.save(path)
    result = read_workbook(path)
    assert [(p.code, p.where) for p in result.problems] == [("header-missing", "业务量")]
