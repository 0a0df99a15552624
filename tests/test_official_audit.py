"""The 审核意见 of a unit's own 自评表: Word (official fonts in the template's styles) and Markdown, with the
project's figures, the unit's total and grade against the rule's, every departure, and a conclusion."""

from __future__ import annotations

import dataclasses

import docx
from docx.oxml.ns import qn

from official_helpers import seed_sample
from perfeval.config import Config
from perfeval.official.sample import layout, write_docx, write_xlsx
from perfeval.pipeline import evaluate_file, write_outputs
from perfeval.render.audit import AUDIT_TEMPLATE


def _docked(tmp_path, word=True):
    sample = seed_sample(execution_score=7)
    sample.rows[0] = dataclasses.replace(sample.rows[0], score=45)
    path = tmp_path / ("unit.docx" if word else "unit.xlsx")
    write_docx(path, [layout(sample)]) if word else write_xlsx(path, [("自评表", layout(sample))])
    [ev] = evaluate_file(path, Config())
    return ev


def test_a_word_source_gets_the_table_and_the_audit_and_no_marked_up_copy(tmp_path):
    ev = _docked(tmp_path)
    outputs = write_outputs(ev, tmp_path / "out", Config(), root=tmp_path / "out")
    assert sorted(outputs) == ["audit_docx", "audit_md", "table"]
    assert outputs["audit_docx"] == "公共资源交易中心运转经费_审核意见.docx"


def test_a_workbook_source_with_problems_gets_its_marked_up_copy(tmp_path):
    outputs = write_outputs(_docked(tmp_path, word=False), tmp_path / "out", Config())
    assert sorted(outputs) == ["annotated", "audit_docx", "audit_md", "table"]


def test_the_audit_in_word_shows_the_figures_every_departure_and_the_conclusion(tmp_path):
    ev = _docked(tmp_path)
    outputs = write_outputs(ev, tmp_path / "out", Config())
    document = docx.Document(outputs["audit_docx"])
    text = "\n".join(p.text for p in document.paragraphs)
    assert "公共资源交易中心运转经费" in text and "项目支出绩效自评表审核意见" in text
    assert "全年预算数32.9万元，全年执行数23.93万元，预算执行率72.74%" in text
    summary, details = document.tables
    assert [[c.text for c in row.cells] for row in summary.rows][3:] == [["总分", "92.00", "97.27", "-5.27"],
                                                                         ["评价等级", "优", "优", "一致"]]
    rows = [[c.text for c in row.cells][:6] for row in details.rows]
    assert rows == [["序号", "位置", "内容", "单位填写", "按规则", "差异"],
                    ["1", "表1 第9行第8列", "“采购招标率”得分", "45", "50", "-5"],
                    ["2", "表1 第4行第9列", "预算执行率得分", "7", "7.27", "-0.27"],
                    ["3", "表1 第12行第8列", "总分", "92", "97.27", "-5.27"]]
    assert "该项目综合得分为97.27分，评价等级为“优”；单位自评总分为92.00分、等级为“优”。自评表中有3处与评分规则不一致" in text


def test_the_audit_in_markdown_says_the_same(tmp_path):
    outputs = write_outputs(_docked(tmp_path), tmp_path / "out", Config())
    md = (tmp_path / "out" / "公共资源交易中心运转经费_审核意见.md").read_text(encoding="utf-8")
    assert outputs["audit_md"].endswith("_审核意见.md")
    assert "| 2 | 表1 第4行第9列 | 预算执行率得分 | 7 | 7.27 | -0.27 |" in md
    assert "| 总分 | 92.00 | 97.27 | -5.27 |" in md


def test_a_table_that_follows_the_rules_says_so(tmp_path):
    path = write_docx(tmp_path / "unit.docx", [layout(seed_sample())])
    [ev] = evaluate_file(path, Config())
    write_outputs(ev, tmp_path / "out", Config())
    md = (tmp_path / "out" / "公共资源交易中心运转经费_审核意见.md").read_text(encoding="utf-8")
    assert "未发现与评分规则不一致之处。" in md and "单位自评与评分规则一致。" in md


def test_the_template_carries_the_official_fonts_in_its_styles():
    styles = docx.Document(str(AUDIT_TEMPLATE)).styles
    fonts = {name: styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
             for name in ("Normal", "Title", "Heading 1", "表格文字")}
    assert fonts == {"Normal": "仿宋", "Title": "方正小标宋简体", "Heading 1": "黑体", "表格文字": "仿宋"}


def test_the_audit_found_among_the_inputs_is_skipped(tmp_path):
    outputs = write_outputs(_docked(tmp_path), tmp_path / "out", Config())
    [ev] = evaluate_file(outputs["audit_docx"], Config())
    assert ev.status == "skipped" and "本工具生成的文件（审核意见）" in ev.problems[0].message


def test_a_bureau_template_replaces_the_built_in_one(tmp_path):
    custom = docx.Document(str(AUDIT_TEMPLATE))
    custom.paragraphs[0].text = "某某市财政局 {{ project_name }}"
    custom.save(str(tmp_path / "bureau.docx"))
    config = Config.from_dict({"report": {"audit_docx_template": str(tmp_path / "bureau.docx")}})
    outputs = write_outputs(_docked(tmp_path), tmp_path / "out", config)
    assert docx.Document(outputs["audit_docx"]).paragraphs[0].text == "某某市财政局 公共资源交易中心运转经费"
