"""The standard input workbook: the committed files are current, the blank template has the fixed names and the
helpers staff rely on, and a filled workbook has its values, merges and check results in the right cells."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from perfeval.template import LEVEL2_BY_LEVEL1, write_workbook

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "input_templates" / "绩效自评填报模板.xlsx"
SEED_FILE = ROOT / "input_templates" / "examples" / "2025_审批局_公共资源交易中心运转经费.xlsx"
REGENERATE = "run `python tools/make_examples.py` and commit the result"

_spec = importlib.util.spec_from_file_location("make_examples", ROOT / "tools" / "make_examples.py")
make_examples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_examples)

# The names fixed by docs/input-workbook.md, written out here rather than taken from the module under test.
SHEETS = ["填表说明", "基本信息", "评价工作组", "资金情况", "支出明细", "绩效指标", "业务量"]
HEADERS = {
    "基本信息": ["项目", "内容", "填写说明"],
    "评价工作组": ["职务", "姓名", "工作单位及职务"],
    "资金情况": ["资金来源", "年初预算数（万元）", "全年预算数（万元）", "实际到位数（万元）", "全年执行数（万元）"],
    "支出明细": ["支出内容", "金额（万元）", "说明"],
    "绩效指标": [
        "一级指标", "二级指标", "三级指标", "指标性质", "年度指标值",
        "实际完成值", "计量单位", "分值", "自评得分", "偏差原因分析及改进措施",
    ],
    "业务量": ["业务类别", "数量（宗）", "金额（亿元）", "备注"],
}
INFO_LABELS = [
    "评价年度", "项目名称", "项目编码", "主管部门", "实施单位", "项目负责人", "联系人", "联系电话", "联系邮箱", "项目背景",
    "年度总体目标", "总体目标完成情况", "评价工作开展情况", "预算执行偏差原因", "预算执行率分值", "综合评价结论",
    "存在问题及改进建议", "其他需要说明的问题",
]
REQUIRED_INFO = {"评价年度", "项目名称", "主管部门", "实施单位", "项目背景", "年度总体目标"}
HEADER_ROW = 4


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _normalize(text) -> str:
    """A label as the reader compares it: no spaces, no trailing * or colon, no unit in brackets."""
    text = re.sub(r"\s", "", str(text)).replace("\u3000", "")
    text = re.sub(r"[（(][^）)]*[）)]$", "", text.rstrip("*：:"))
    return text.rstrip("*：:")


def _row(ws, row: int, width: int | None = None) -> list:
    width = width or ws.max_column
    return [ws.cell(row, col).value for col in range(1, width + 1)]


def _check(ws, label: str):
    """The cached result of a check in the 自动校验 block: labels in row 2, results in row 3."""
    for col in range(1, ws.max_column + 1):
        if ws.cell(2, col).value == label:
            return ws.cell(3, col).value
    raise AssertionError(f"no check labelled {label!r} on {ws.title}")


def _validation(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert found, f"no data validation on {ws.title}!{cell}"
    return found[0]


@pytest.fixture(scope="module")
def blank():
    return openpyxl.load_workbook(TEMPLATE)


@pytest.fixture(scope="module")
def blank_values():
    return openpyxl.load_workbook(TEMPLATE, data_only=True)


@pytest.fixture(scope="module")
def seed():
    return openpyxl.load_workbook(SEED_FILE, data_only=True)


# ---- the committed files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "committed, data",
    [(TEMPLATE, None)]
    + [(make_examples.EXAMPLES_DIR / name, data) for name, data in make_examples.EXAMPLES],
    ids=lambda value: value.name if isinstance(value, Path) else "",
)
def test_committed_workbook_is_current(tmp_path, committed, data):
    assert committed.exists(), f"{committed.relative_to(ROOT)} is missing: {REGENERATE}"
    fresh, stored = _parts(write_workbook(tmp_path / "fresh.xlsx", data)), _parts(committed)
    assert sorted(fresh) == sorted(stored), f"{committed.name} has other parts than a fresh write: {REGENERATE}"
    changed = [name for name in fresh if fresh[name] != stored[name]]
    assert not changed, f"{committed.name} is out of date ({', '.join(changed)} differ): {REGENERATE}"


def test_the_output_is_byte_stable(tmp_path):
    first = write_workbook(tmp_path / "a.xlsx", make_examples.SEED).read_bytes()
    assert write_workbook(tmp_path / "b.xlsx", make_examples.SEED).read_bytes() == first


def test_the_write_is_atomic_and_returns_the_path(tmp_path):
    target = tmp_path / "sub" / "模板.xlsx"
    assert write_workbook(str(target)) == target
    assert [p.name for p in target.parent.iterdir()] == ["模板.xlsx"]


# ---- the blank template ------------------------------------------------------------------------------------


def test_sheets_in_order_with_a_hidden_list_sheet(blank):
    assert blank.sheetnames[: len(SHEETS)] == SHEETS
    extra = blank.sheetnames[len(SHEETS):]
    assert len(extra) == 1 and blank[extra[0]].sheet_state == "hidden"
    assert blank.active.title == "填表说明"


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_header_row_holds_exactly_the_labels(blank, sheet):
    ws = blank[sheet]
    assert _row(ws, HEADER_ROW, len(HEADERS[sheet])) == HEADERS[sheet]
    assert ws.cell(HEADER_ROW, len(HEADERS[sheet]) + 1).value is None, "the column after the table must stay empty"
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_nothing_above_the_header_reads_as_a_header_label(blank, sheet):
    ws = blank[sheet]
    labels = {_normalize(h) for h in HEADERS[sheet]}
    above = [ws.cell(r, c).value for r in range(1, HEADER_ROW) for c in range(1, ws.max_column + 1)]
    assert not labels & {_normalize(v) for v in above if isinstance(v, str)}


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_nothing_below_the_header_in_the_table_columns(blank, sheet):
    """Notes and checks sit above the header or right of the gap column, never in the table's input rows."""
    ws = blank[sheet]
    width = len(HEADERS[sheet])
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        values = _row(ws, row, ws.max_column)
        assert all(v is None for v in values[width:]), f"{sheet} row {row} has something right of the table"
        if sheet not in ("基本信息", "资金情况"):
            assert all(v is None for v in values[:width]), f"{sheet} row {row} is not blank"


def test_info_labels_in_order_with_required_marks(blank):
    ws = blank["基本信息"]
    labels = [ws.cell(HEADER_ROW + 1 + i, 1).value for i in range(len(INFO_LABELS))]
    assert [_normalize(label) for label in labels] == INFO_LABELS
    assert {_normalize(label) for label in labels if label.endswith("*")} == REQUIRED_INFO
    assert ws.cell(HEADER_ROW + 1 + len(INFO_LABELS), 1).value is None


def test_funding_sources_are_pre_labelled_without_a_total_row(blank):
    ws = blank["资金情况"]
    assert [ws.cell(r, 1).value for r in range(5, 9)] == ["当年财政拨款", "上年结转资金", "其他资金", None]
    assert all(ws.cell(r, c).value is None for r in range(5, 8) for c in range(2, 6))


def test_guide_names_the_version(blank):
    texts = [cell.value for row in blank["填表说明"].iter_rows() for cell in row]
    assert "模板版本：1.1" in texts
    guide = "".join(t for t in texts if isinstance(t, str))
    for sheet in SHEETS[1:]:
        assert sheet in guide
    for example in ("≥95%", "≤30万元", "2025年12月31日前", "提升", "自评得分"):
        assert example in guide


def test_version_line_follows_the_data(tmp_path):
    def versions(data):
        wb = openpyxl.load_workbook(write_workbook(tmp_path / "v.xlsx", data))
        return [c.value for row in wb["填表说明"].iter_rows() for c in row if str(c.value).startswith("模板版本")]

    assert versions({"version": "2.3"}) == ["模板版本：2.3"]
    assert versions({"version": None}) == []
    assert versions({"info": {"项目名称": "x"}}) == ["模板版本：1.1"]


@pytest.mark.parametrize(
    "sheet, cell, source",
    [
        ("评价工作组", "A5", ["组长", "副组长", "组员"]),
        ("资金情况", "A5", ["当年财政拨款", "上年结转资金", "其他资金"]),
        ("绩效指标", "A5", ["产出指标", "效益指标", "满意度指标", "成本指标"]),
        ("绩效指标", "D5", ["正向", "反向", "等于", "定性"]),
    ],
)
def test_drop_downs(blank, sheet, cell, source):
    dv = _validation(blank[sheet], cell)
    assert dv.type == "list"
    assert _list_values(blank, dv.formula1) == source


def _list_values(wb, name: str) -> list[str]:
    sheet, cells = wb.defined_names[name].attr_text.split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_level2_drop_down_depends_on_level1(blank):
    dv = _validation(blank["绩效指标"], "B5")
    assert dv.type == "list" and dv.formula1 == "INDIRECT($A5)"
    assert "B44" in dv.sqref
    for level1, level2 in LEVEL2_BY_LEVEL1.items():
        assert tuple(_list_values(blank, level1)) == level2
    assert LEVEL2_BY_LEVEL1["产出指标"] == ("数量指标", "质量指标", "时效指标", "成本指标")
    assert LEVEL2_BY_LEVEL1["满意度指标"] == ("服务对象满意度指标",)


@pytest.mark.parametrize("sheet, cell", [("资金情况", "B5"), ("支出明细", "B34"), ("绩效指标", "H5"), ("业务量", "C14")])
def test_number_columns_warn_on_text(blank, sheet, cell):
    dv = _validation(blank[sheet], cell)
    assert dv.type == "decimal" and dv.errorStyle == "warning"


def test_required_cells_are_highlighted_while_empty(blank):
    for sheet in HEADERS:
        rules = blank[sheet].conditional_formatting
        assert list(rules), f"no conditional formats on {sheet}"
    info_rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in blank["基本信息"].conditional_formatting}
    assert info_rules["B5"] == ["containsBlanks"] and info_rules["B14"] == ["containsBlanks"]  # 评价年度, 年度总体目标
    assert "B7" not in info_rules and "B10" not in info_rules  # 项目编码, 项目负责人 are optional
    indicator_rules = {str(cf.sqref) for cf in blank["绩效指标"].conditional_formatting}
    assert {"A5:A44", "E5:E44", "H5:H44"} <= indicator_rules
    assert "G5:G44" not in indicator_rules  # 计量单位 is optional


def test_input_rows_and_header_notes(blank):
    rows = {"评价工作组": 10, "资金情况": 3, "支出明细": 30, "绩效指标": 40, "业务量": 10}
    for sheet, count in rows.items():
        ws = blank[sheet]
        last = HEADER_ROW + count
        assert ws.cell(last, 1).protection.locked is False
        assert ws.cell(last, 1).fill.fgColor.rgb.endswith("FFF9DB")
        assert ws.cell(last + 1, 1).has_style is False or ws.cell(last + 1, 1).fill.fill_type is None
    notes = {c.value: c.comment for c in blank["绩效指标"][HEADER_ROW] if c.comment}
    assert {"年度指标值", "实际完成值", "自评得分", "指标性质"} <= set(notes)
    assert "不填则等于年初预算数" in blank["资金情况"]["C4"].comment.text


def test_sheets_are_protected_without_password_but_editable(blank):
    for sheet in HEADERS:
        prot = blank[sheet].protection
        assert prot.sheet and not prot.password
        assert not prot.insertRows and not prot.deleteRows and not prot.formatCells  # False = allowed
        assert blank[sheet]["A4"].protection.locked  # the header
    assert blank["绩效指标"]["A5"].protection.locked is False


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_check_block_is_right_of_the_gap_and_locked(blank, sheet):
    ws = blank[sheet]
    first = len(HEADERS[sheet]) + 2  # one empty column between table and block
    assert ws.cell(1, first).value == "自动校验（请勿填写）"
    assert all(ws.cell(r, first - 1).value is None for r in range(1, ws.max_row + 1))
    formulas = [c for c in ws[3][first - 1:] if c.data_type == "f"]
    assert formulas and all(c.protection.locked for c in formulas)


@pytest.mark.parametrize("path", [TEMPLATE, SEED_FILE], ids=["template", "seed"])
def test_every_formula_has_a_cached_value(path):
    for name, xml in _parts(path).items():
        if name.startswith("xl/worksheets/sheet"):
            cells = re.findall(rb"<c [^>]*>(?:(?!</c>).)*<f>(?:(?!</c>).)*</c>", xml)
            assert all(re.search(rb"<v>[^<]+</v>", c) for c in cells), f"{name}: a formula without a value"


def test_blank_template_check_results(blank_values):
    assert _check(blank_values["绩效指标"], "分值总计（应为100）") == 10
    assert _check(blank_values["绩效指标"], "分值校验").startswith("请调整")
    assert _check(blank_values["资金情况"], "校验") == "请填写预算数"
    assert _check(blank_values["支出明细"], "校验") == "未填写"
    assert _check(blank_values["基本信息"], "必填项未填写数") == 6


# ---- the filled seed example -------------------------------------------------------------------------------


def test_seed_info(seed):
    ws = seed["基本信息"]
    info = {_normalize(ws.cell(r, 1).value): ws.cell(r, 2).value for r in range(5, 5 + len(INFO_LABELS))}
    assert info["评价年度"] == "2025"
    assert info["项目名称"] == "公共资源交易中心运转经费"
    assert info["实施单位"] == "审批局"
    assert info["预算执行偏差原因"] == "力行节约，政府采购专家评审费本年度支出仅为2.78万元。所以执行率偏低。"
    assert info["项目背景"].startswith("公共资源交易中心的主要职责") and info["项目背景"].endswith("受理供应商的咨询或者质询。")
    assert "组织各类交易项目" not in info["综合评价结论"]
    assert info["预算执行率分值"] is None
    assert _check(ws, "校验") == "正常"


def test_seed_group(seed):
    ws = seed["评价工作组"]
    members = [tuple(_row(ws, r, 2)) for r in range(5, 11)]
    assert members == [
        ("组长", "李春丽"), ("副组长", "张海涛"), ("副组长", "单志刚"),
        ("组员", "杨小宝"), ("组员", "董恩华"), ("组员", "李海荣"),
    ]
    assert _row(ws, 11, 3) == [None, None, None]
    assert _check(ws, "成员人数") == 6 and _check(ws, "组长人数") == 1


def test_seed_funding(seed):
    ws = seed["资金情况"]
    assert _row(ws, 5, 5) == ["当年财政拨款", 32.9, 32.9, 23.93, 23.93]
    assert ws["B5"].number_format == "0.00" and ws["B5"].data_type == "n"
    assert _check(ws, "全年预算数合计（万元）") == 32.9
    assert _check(ws, "预算执行率") == pytest.approx(23.93 / 32.9)
    assert _check(ws, "校验") == "正常"  # low rate, but its reason is given


def test_seed_spending(seed):
    ws = seed["支出明细"]
    rows = [_row(ws, r, 3) for r in range(5, 11)]
    assert [r[1] for r in rows] == [5, 0.75, 1, 2.4, 2.78, 12]
    assert rows[3][2] == "用于交易中心日常业务办公的需求"
    assert _check(ws, "金额合计（万元）") == pytest.approx(23.93)
    assert _check(ws, "差额（万元）") == 0 and _check(ws, "校验") == "正确"


def test_seed_indicators(seed):
    ws = seed["绩效指标"]
    assert _row(ws, 5, 10) == ["产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", None, 50, 50, None]
    assert _row(ws, 6, 10)[:6] == ["效益指标", "社会效益指标", "公共服务水平", "定性", "提升", "提升"]
    assert _row(ws, 7, 10)[2:6] == ["使用人员满意度", "正向", "≥95%", "100%"]
    # Each 一级指标 of the seed has one row: nothing to merge in the table.
    assert not [str(r) for r in ws.merged_cells.ranges if r.min_row >= 5]
    assert _check(ws, "分值总计（应为100）") == 100
    assert _check(ws, "分值校验") == "正确"
    assert _check(ws, "预算执行率分值") == 10
    assert _check(ws, "自评总分（参考）") == pytest.approx(97.27, abs=0.005)


def test_seed_volumes(seed):
    ws = seed["业务量"]
    assert [_row(ws, r, 3) for r in range(5, 9)] == [
        ["政府采购", 262, 5.61], ["工程项目", 70, 20.6], ["土地使用权", 29, 8], ["国有产权", 63, 1.46],
    ]
    assert _check(ws, "数量合计（宗）") == 424
    assert _check(ws, "金额合计（亿元）") == pytest.approx(35.67)


# ---- other data ----------------------------------------------------------------------------------------------


def _indicator(level1, level2, name, weight=10):
    return {"一级指标": level1, "二级指标": level2, "三级指标": name, "年度指标值": "100%", "实际完成值": "100%", "分值": weight}


GROUPED = [
    _indicator("产出指标", "数量指标", "a", 20),
    _indicator("产出指标", "数量指标", "b", 20),
    _indicator("产出指标", "质量指标", "c"),
    _indicator("效益指标", "社会效益指标", "d", 30),
    _indicator("满意度指标", "服务对象满意度指标", "e", 5),
    _indicator("满意度指标", "服务对象满意度指标", "f", 5),
    _indicator("成本指标", "经济成本指标", "g", 0),
    _indicator("产出指标", "数量指标", "h", 0),
]


def test_indicator_groups_are_merged(tmp_path):
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "m.xlsx", {"indicators": GROUPED}))["绩效指标"]
    merged = sorted(str(r) for r in ws.merged_cells.ranges if r.min_row >= 5)
    assert merged == ["A5:A7", "A9:A10", "B5:B6", "B9:B10"]
    assert ws["A5"].value == "产出指标" and ws["A6"].value is None
    assert ws["A12"].value == "产出指标"  # a later run of the same 一级指标 is its own group
    assert [ws.cell(r, 3).value for r in range(5, 13)] == list("abcdefgh")
    assert ws["A5"].protection.locked is False


def test_indicator_groups_can_stay_unmerged(tmp_path):
    path = write_workbook(tmp_path / "u.xlsx", {"indicators": GROUPED}, merge_indicator_groups=False)
    ws = openpyxl.load_workbook(path)["绩效指标"]
    assert not [r for r in ws.merged_cells.ranges if r.min_row >= 5]
    assert [ws.cell(r, 1).value for r in range(5, 8)] == ["产出指标"] * 3


def test_long_tables_grow_and_checks_follow(tmp_path):
    spending = [{"支出内容": f"项目{i}", "金额": 1} for i in range(35)]
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "l.xlsx", {"spending": spending}), data_only=True)
    ws = wb["支出明细"]
    assert ws["A39"].value == "项目34" and ws["A39"].protection.locked is False
    assert _check(ws, "金额合计（万元）") == 35
    assert _check(ws, "校验").startswith("请核对")


def test_values_keep_their_type(tmp_path):
    data = {
        "funding": [{"资金来源": "本年财政拨款", "年初预算数": "32.9万元", "全年执行数": 20}],
        "spending": [{"支出内容": "=1+1", "金额": "http://x"}],
        "info": {"评价年度": 2025, "预算执行率分值": 20},
    }
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx", data), data_only=True)
    assert wb["资金情况"]["B5"].value == "32.9万元" and wb["资金情况"]["B5"].data_type == "s"
    assert wb["资金情况"]["A6"].value is None  # given rows only, no pre-labelled sources
    assert wb["支出明细"]["A5"].value == "=1+1" and wb["支出明细"]["A5"].data_type == "s"
    assert wb["支出明细"]["B5"].value == "http://x" and not wb["支出明细"]["B5"].hyperlink
    assert wb["基本信息"]["B5"].value == 2025
    # SUM ignores text, so the cached totals do too; 全年预算数 falls back to the (text) 年初预算数.
    assert _check(wb["资金情况"], "年初预算数合计（万元）") == 0
    assert _check(wb["资金情况"], "校验") == "请填写预算数"
    assert _check(wb["绩效指标"], "预算执行率分值") == 20


def test_adjusted_budget_falls_back_per_row(tmp_path):
    funding = [
        {"资金来源": "当年财政拨款", "年初预算数": 100, "全年预算数": 80, "全年执行数": 60},
        {"资金来源": "上年结转资金", "年初预算数": 20, "全年执行数": 20},
    ]
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "f.xlsx", {"funding": funding}), data_only=True)
    ws = wb["资金情况"]
    assert _check(ws, "全年预算数合计（万元）") == 100
    assert _check(ws, "预算执行率") == pytest.approx(0.8)
    assert _check(ws, "校验").startswith("请在基本信息中填写预算执行偏差原因")
    assert _check(wb["绩效指标"], "预算执行率得分（参考）") == pytest.approx(8)


@pytest.mark.parametrize("data", [{"foo": 1}, {"info": {"项目": "x"}}, {"indicators": [{"指标": "x"}]}])
def test_unknown_keys_are_refused(tmp_path, data):
    with pytest.raises(ValueError, match="unknown"):
        write_workbook(tmp_path / "x.xlsx", data)
    assert not (tmp_path / "x.xlsx").exists()


def test_column_letters_match_the_headers(blank):
    """The check formulas refer to columns by letter; they must be the header's columns."""
    ws = blank["绩效指标"]
    weight_col = get_column_letter(HEADERS["绩效指标"].index("分值") + 1)
    formulas = [c.value for c in ws[3] if c.data_type == "f"]
    assert f"=SUM(${weight_col}$5:${weight_col}$1000)" in formulas


def test_the_fast_writer_writes_what_the_plain_one_does(tmp_path, monkeypatch):
    """The template's fast worksheet (perfeval.template.fastsheet) changes the time, never the parts."""
    from xlsxwriter.worksheet import Worksheet

    import perfeval.template as template

    fast = _parts(write_workbook(tmp_path / "fast.xlsx", make_examples.SEED))
    monkeypatch.setattr(template, "worksheet_class", lambda: Worksheet)
    assert _parts(write_workbook(tmp_path / "plain.xlsx", make_examples.SEED)) == fast


def test_an_error_on_the_fast_path_falls_back_to_the_plain_one(tmp_path, monkeypatch):
    from perfeval.template import fastsheet

    plain = _parts(write_workbook(tmp_path / "plain.xlsx"))

    def broken(self):
        raise AttributeError("an XlsxWriter internal moved")

    monkeypatch.setattr(fastsheet.FastWorksheet, "_write_sheet_data", broken)
    assert _parts(write_workbook(tmp_path / "fallback.xlsx")) == plain
