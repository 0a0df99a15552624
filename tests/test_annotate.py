"""The marked-up copy (标注版): cells highlighted and commented, 问题清单 in front, the original untouched."""

from __future__ import annotations

import hashlib
import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment

from builders import build_workbook, seed_rows
from helpers import checked
from perfeval import annotate
from perfeval.problems import Problem

RED, YELLOW, BLUE = (f"00{c}" for c in (annotate.FILLS["错误"], annotate.FILLS["警告"], annotate.FILLS["提示"]))


@pytest.fixture
def faulty(tmp_path):
    """A workbook with an error on a range, a warning and a 提示, and level-1 cells merged."""
    data = seed_rows()
    data["spending"][0] = ("日常办公经费", 6, "")
    data["indicators"][0] = ("产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", 50, 45, "")
    data["indicators"][1] = ("效益指标", "社会效益指标", "公共服务水平", "定性", "提升", "提升", 30, None, "")
    path = build_workbook(tmp_path / "项目.xlsx", data, merge=True)
    return path, checked(path)


def fill(ws, ref):
    return ws[ref].fill.fgColor.rgb if ws[ref].fill.fill_type == "solid" else None


def values(path):
    book = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row} for ws in book.worksheets}


def test_problem_cells_are_highlighted_and_commented(tmp_path, faulty):
    source, problems = faulty
    assert [(p.code, p.sheet, p.cell) for p in problems] == [
        ("breakdown-sum-mismatch", "支出明细", "B2:B7"), ("self-score-differs", "绩效指标", "H2"),
        ("self-score-band-default", "绩效指标", "H3")]
    out = annotate.write_annotated(source, problems, tmp_path / "out" / "项目_标注版.xlsx")
    assert out == tmp_path / "out" / "项目_标注版.xlsx"
    book = openpyxl.load_workbook(out)
    spending, indicators = book["支出明细"], book["绩效指标"]
    assert [fill(spending, f"B{r}") for r in range(2, 8)] == [RED] * 6
    assert fill(spending, "B8") is None and fill(spending, "A2") is None
    assert spending["B2"].comment.text == "【错误】" + problems[0].message
    assert spending["B3"].comment is None
    assert (fill(indicators, "H2"), fill(indicators, "H3"), fill(indicators, "H4")) == (YELLOW, BLUE, None)
    assert indicators["H2"].comment.text == "【警告】" + problems[1].message
    assert indicators["H3"].comment.text == "【提示】" + problems[2].message
    assert book["支出明细"].sheet_properties.tabColor.rgb == "00" + annotate.TAB_COLORS["错误"]
    assert book["基本信息"].sheet_properties.tabColor is None


def test_the_problem_list_comes_first_with_links(tmp_path, faulty):
    source, problems = faulty
    book = openpyxl.load_workbook(annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx"))
    assert book.sheetnames[0] == "问题清单" and book.active.title == "问题清单"
    ws = book["问题清单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == annotate.HEADERS
    assert rows[1] == (1, "错误", "支出明细", "B2:B7", "breakdown-sum-mismatch", problems[0].message, "24.93")
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    assert [ws.cell(r, 4).hyperlink.location for r in (2, 3, 4)] == ["'支出明细'!B2", "'绩效指标'!H2", "'绩效指标'!H3"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    assert ws.column_dimensions["F"].width > 40 > ws.column_dimensions["A"].width
    assert fill(ws, "B2") == RED and fill(ws, "B3") == YELLOW and fill(ws, "B4") == BLUE
    assert [s.sheet_view.tabSelected for s in book.worksheets] == [True] + [False] * (len(book.worksheets) - 1)


def test_the_problem_list_prints_on_a4_landscape_within_the_page_width(tmp_path, faulty):
    """However many and however long the messages, the list prints one page wide on A4 landscape: columns sized
    for the page, every cell wrapped, the header row on every page."""
    source, problems = faulty
    long = Problem("value-missing", "“项目背景”未填写。" * 30, "项目.xlsx", "基本信息", "B10", "很长的填写值" * 30)
    many = problems + [long] * 40
    ws = openpyxl.load_workbook(annotate.write_annotated(source, many, tmp_path / "标注版.xlsx"))["问题清单"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 page wide, any tall
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == f"'问题清单'!$A$1:$G${len(many) + 1}"
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert sum(widths) <= annotate.PAGE_WIDTH and max(widths) == widths[5]  # 问题说明 is the widest
    assert all(ws.cell(r, c).alignment.wrap_text for r in (1, 2, len(many) + 1) for c in range(1, 8))
    # rows as tall as their wrapped text (a written height is kept as written when the file is opened)
    heights = {ws.cell(r, 6).value: ws.row_dimensions[r].height for r in range(2, len(many) + 2)}
    assert heights[long.message] > 10 * 14 > 2 * heights[problems[1].message]
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_the_original_is_untouched_and_every_value_kept(tmp_path, faulty):
    source, problems = faulty
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    original, marked = values(source), values(out)
    assert set(marked) == set(original) | {"问题清单"}
    for sheet, cells in original.items():
        assert {k: v for k, v in marked[sheet].items() if v is not None} == {
            k: v for k, v in cells.items() if v is not None}, sheet
    book = openpyxl.load_workbook(out)
    assert [str(r) for r in book["绩效指标"].merged_cells.ranges] == [
        str(r) for r in openpyxl.load_workbook(source)["绩效指标"].merged_cells.ranges]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_several_problems_on_one_cell_share_one_comment(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsx")
    problems = [Problem("self-score-differs", "第一条", "项目.xlsx", "绩效指标", "H2"),
                Problem("self-score-over-weight", "第二条", "项目.xlsx", "绩效指标", "H2"),
                Problem("self-score-over-weight", "第二条", "项目.xlsx", "绩效指标", "H2")]
    book = openpyxl.load_workbook(annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx"))
    ws = book["绩效指标"]
    assert ws["H2"].comment.text == "【错误】第二条\n【警告】第一条"
    assert fill(ws, "H2") == RED  # the worst severity wins
    assert book["问题清单"].max_row == 4


def test_merged_cells_rows_and_the_staffs_comments(tmp_path):
    data = seed_rows()
    data["indicators"][2] = ("效益指标", "社会效益指标", "服务效率", "正向", "100%", "100%", 10, 10, "")
    source = build_workbook(tmp_path / "项目.xlsx", data, merge=True)
    book = openpyxl.load_workbook(source)
    book["资金情况"]["B2"].comment = Comment("单位自己的批注", "王敏")
    book.save(source)
    problems = [Problem("level1-unknown", "一级指标", "项目.xlsx", "绩效指标", "A4"),  # inside merged A3:A4
                Problem("header-missing", "表头", "项目.xlsx", "资金情况", "1:1"),
                Problem("number-unreadable", "年初预算数", "项目.xlsx", "资金情况", "B2")]
    book = openpyxl.load_workbook(annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx"))
    indicators, funding = book["绩效指标"], book["资金情况"]
    assert indicators["A3"].comment.text == "【错误】一级指标"
    assert fill(indicators, "A3") == RED  # a merged range shows its top-left cell's fill
    assert [fill(funding, f"{c}1") for c in "ABCDEF"] == [RED] * 5 + [None]
    assert funding["B2"].comment.text == "单位自己的批注\n\n【错误】年初预算数"
    links = [book["问题清单"].cell(r, 4).hyperlink.location for r in (2, 3, 4)]
    assert links == ["'资金情况'!A1", "'资金情况'!B2", "'绩效指标'!A3"]


def test_problems_without_a_cell_are_listed_only(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsx", skip_sheets=("评价工作组",))
    problems = [Problem("sheet-missing", "缺少工作表", "项目.xlsx", "评价工作组"),
                Problem("sheet-hidden", "隐藏", "项目.xlsx", "业务量"), Problem("file-superseded", "旧文件", "项目.xlsx")]
    book = openpyxl.load_workbook(annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx"))
    ws = book["问题清单"]
    assert [ws.cell(r, 3).value for r in (2, 3, 4)] == ["评价工作组", None, "业务量"]
    assert [ws.cell(r, 4).hyperlink and ws.cell(r, 4).hyperlink.location for r in (2, 3, 4)] == [
        None, None, "'业务量'!A1"]
    assert book["业务量"].sheet_properties.tabColor.rgb == "00" + annotate.TAB_COLORS["警告"]
    assert not any(c.comment for row in book["业务量"].iter_rows() for c in row)


def test_text_starting_with_equals_is_never_a_formula(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsx")
    problems = [Problem("number-unreadable", "=SUM(A1:A2) 不是数字", "项目.xlsx", "资金情况", "B2", "=1+1"),
                Problem("value-missing", "控制字符\x07已删除", "项目.xlsx", "资金情况", "C2", "-1")]
    out = annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx")
    ws = openpyxl.load_workbook(out)["问题清单"]
    assert (ws["F2"].value, ws["F2"].data_type, ws["G2"].value, ws["G2"].data_type) == (
        "=SUM(A1:A2) 不是数字", "s", "=1+1", "s")
    assert ws["F3"].value == "控制字符已删除"
    with zipfile.ZipFile(out) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "SUM(A1:A2)" in sheet_xml


@pytest.mark.parametrize("name", ["项目.xls", "项目.ods", "坏文件.xlsx"])
def test_other_formats_get_the_problem_list_only(tmp_path, name):
    source = tmp_path / name
    source.write_bytes(b"not a workbook openpyxl can rewrite")
    problems = [Problem("number-unreadable", "年初预算数无法识别", name, "资金情况", "B2", "三十二万")]
    out = annotate.write_annotated(source, problems, tmp_path / "out" / "项目_标注版.xls")
    assert out == tmp_path / "out" / "项目_标注版.xlsx"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["问题清单"]
    assert book["问题清单"]["F2"].value == "年初预算数无法识别"
    assert book["问题清单"]["D2"].hyperlink is None


def test_macro_workbooks_keep_their_suffix(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsm")
    out = annotate.write_annotated(source, [], tmp_path / "项目_标注版.xlsx")
    assert out.suffix == ".xlsm"
    with zipfile.ZipFile(out) as zf:
        assert "macroEnabled" in zf.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(out, keep_vba=True).sheetnames[0] == "问题清单"


def test_the_suffix_is_replaced_or_added(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsx")
    assert annotate.write_annotated(source, [], tmp_path / "项目.v2_标注版").name == "项目.v2_标注版.xlsx"
    assert annotate.write_annotated(source, [], tmp_path / "项目_标注版.XLSM").name == "项目_标注版.xlsx"


def test_never_writes_over_the_original(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsx")
    before = source.read_bytes()
    with pytest.raises(ValueError):
        annotate.write_annotated(source, [], source)
    assert source.read_bytes() == before


def test_the_seed_gets_an_empty_list(tmp_path):
    source = build_workbook(tmp_path / "项目.xlsx")
    book = openpyxl.load_workbook(annotate.write_annotated(source, checked(source), tmp_path / "标注版.xlsx"))
    assert list(book["问题清单"].iter_rows(values_only=True)) == [annotate.HEADERS]


def test_a_sheet_name_with_spaces_is_found(tmp_path):
    data = seed_rows()
    data["spending"][0] = ("日常办公经费", 6, "")
    source = build_workbook(tmp_path / "项目.xlsx", data, sheet_names={"支出明细": "支出 明细"})
    problems = checked(source)
    assert [(p.code, p.sheet, p.cell) for p in problems] == [("breakdown-sum-mismatch", "支出明细", "B2:B7")]
    book = openpyxl.load_workbook(annotate.write_annotated(source, problems, tmp_path / "标注版.xlsx"))
    assert fill(book["支出 明细"], "B2") == RED
    assert book["问题清单"]["D2"].hyperlink.location == "'支出 明细'!B2"


def test_a_truncated_huge_sheet_gets_the_problem_list_only(tmp_path):
    write_annotated = annotate.write_annotated
    """openpyxl would hold every cell of a huge sheet in memory: such a source gets the 问题清单 alone."""
    source = build_workbook(tmp_path / "大表.xlsx")
    problem = Problem("rows-truncated", "工作表有 9000 行，超出读取上限。", source.name, "绩效指标", "5001:9000")
    written = write_annotated(source, [problem], tmp_path / "out" / "大表_标注版.xlsx")
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["问题清单"]
    assert book["问题清单"]["F2"].value == "工作表有 9000 行，超出读取上限。"
