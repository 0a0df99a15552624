"""What a file is, by its content: official tables (one project per sheet or Word table), a 绩效目标申报表, the
tool's own outputs, hostile and broken Word files — each with a clear message."""

from __future__ import annotations

import zlib

import docx
import openpyxl

from official_helpers import docx_bytes, seed_sample
from perfeval.annotate import write_annotated
from perfeval.config import Config
from perfeval.official.sample import layout, write_docx, write_xlsx
from perfeval.pipeline import evaluate_file
from perfeval.render.table import write_table

EXAMPLE = "input_templates/examples/2025_审批局_公共资源交易中心运转经费.xlsx"


def _codes(evs):
    return [[p.code for p in ev.problems] for ev in evs]


def test_a_workbook_with_two_official_sheets_gives_two_projects_and_ignores_other_sheets(tmp_path):
    second = seed_sample(grade="良")
    second.name = "政务服务大厅运行经费"
    path = write_xlsx(tmp_path / "单位自评表.xlsx", [("项目一", layout(seed_sample())), ("项目二", layout(second))])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("说明").append(["本表由财务科填写"])
    wb.save(path)
    first, other = evaluate_file(path, Config())
    assert (first.part, first.project.name, first.source_kind) == ("项目一", "公共资源交易中心运转经费", "自评表")
    assert (other.part, other.project.name) == ("项目二", "政务服务大厅运行经费")
    assert [p.where for p in other.problems] == ["项目二!I13"]


def test_a_standard_workbook_is_read_as_before(tmp_path):
    [ev] = evaluate_file(EXAMPLE, Config())
    assert (ev.source_kind, ev.part, ev.status) == ("标准填报表", "", "ok")


def test_a_workbook_of_neither_kind_keeps_the_standard_readers_messages(tmp_path):
    path = tmp_path / "其他.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["随便写的表格"])
    wb.save(path)
    [ev] = evaluate_file(path, Config())
    assert "sheet-missing" in _codes([ev])[0] and ev.source_kind == "标准填报表"


def _declaration(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["项目支出绩效目标申报表（2025年度）"], ["项目名称", "某项目"], ["项目资金（万元）", "年度资金总额", 10],
                ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "≥100人"]):
        ws.append(row)
    wb.save(path)
    return path


def test_a_declaration_form_is_skipped_as_such(tmp_path):
    [ev] = evaluate_file(_declaration(tmp_path / "申报表.xlsx"), Config())
    assert ev.status == "skipped" and ev.problems[0].code == "file-skipped"
    assert "绩效目标申报表" in ev.problems[0].message


def test_the_tools_own_outputs_are_skipped(tmp_path):
    [source] = evaluate_file(write_xlsx(tmp_path / "unit.xlsx", [("自评表", layout(seed_sample(grade="良")))]),
                             Config())
    table = write_table(tmp_path / "out_绩效自评表.xlsx", source.project, source.card, source.problems, Config())
    marked = write_annotated(source.source, source.problems, tmp_path / "unit_标注版.xlsx")
    for path, kind in ((table, "自评表"), (marked, "标注版")):
        [ev] = evaluate_file(path, Config())
        assert ev.status == "skipped" and f"本工具生成的文件（{kind}）" in ev.problems[0].message


# ---- hostile and broken Word files -------------------------------------------------------------------------

def test_a_docx_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bytes(big=60 * 2**20))
    [ev] = evaluate_file(path, Config())
    assert ev.status == "unreadable" and _codes([ev]) == [["file-too-large"]]


def test_a_docx_declaring_entities_is_refused(tmp_path):
    xml = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
    path = tmp_path / "entities.docx"
    path.write_bytes(docx_bytes(xml))
    [ev] = evaluate_file(path, Config())
    assert ev.status == "unreadable" and _codes([ev]) == [["file-xml-entities"]]
    assert "word/document.xml" in ev.problems[0].message


def test_a_truncated_docx_is_unreadable_with_a_clear_message(tmp_path):
    data = write_docx(tmp_path / "full.docx", [layout(seed_sample())]).read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    [ev] = evaluate_file(path, Config())
    assert ev.status == "unreadable" and _codes([ev]) == [["file-unreadable"]]
    assert "文件已损坏" in ev.problems[0].message


def test_a_docx_without_a_table_is_skipped_with_a_clear_message(tmp_path):
    document = docx.Document()
    document.add_paragraph("关于报送项目支出绩效自评结果的函")
    document.save(str(tmp_path / "函.docx"))
    [ev] = evaluate_file(tmp_path / "函.docx", Config())
    assert ev.status == "skipped" and "没有表格" in ev.problems[0].message


def test_a_docx_with_another_table_is_skipped_with_a_clear_message(tmp_path):
    document = docx.Document()
    document.add_table(rows=2, cols=2).cell(0, 0).text = "姓名"
    document.save(str(tmp_path / "名单.docx"))
    [ev] = evaluate_file(tmp_path / "名单.docx", Config())
    assert ev.status == "skipped" and "不是项目支出绩效自评表" in ev.problems[0].message


def test_every_sheet_of_an_official_workbook_is_measured_before_it_is_read(tmp_path):
    path = write_xlsx(tmp_path / "unit.xlsx", [("自评表", layout(seed_sample()))])
    wb = openpyxl.load_workbook(path)
    wb["自评表"]["XFD1048576"] = "x"
    wb.save(path)
    [ev] = evaluate_file(path, Config())
    assert ev.status == "unreadable" and _codes([ev]) == [["sheet-too-large"]]
    assert "自评表" in ev.problems[0].message


def test_the_checks_left_out_for_official_tables_are_rules_of_the_registry():
    from perfeval.checks import RULES
    from perfeval.official.rules import NEEDS_REASON_COLUMN, NOT_APPLICABLE

    names = {rule.__name__ for rule in RULES}
    assert set(NOT_APPLICABLE) | {NEEDS_REASON_COLUMN} <= names


def test_the_standard_reader_still_refuses_a_word_document(tmp_path):
    from perfeval.reader import read_workbook

    path = write_docx(tmp_path / "unit.docx", [layout(seed_sample())])
    result = read_workbook(path)
    assert result.project is None and [p.code for p in result.problems] == ["file-not-spreadsheet"]
