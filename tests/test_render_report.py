"""The 绩效自评报告: every fact of the seed in the Word and the Markdown output, both outlines, drafts, escaping."""

from __future__ import annotations

import importlib.util
import re
import shutil
import zipfile
from decimal import Decimal as D
from pathlib import Path

import docx
import pytest
from lxml import etree

from perfeval.config import Config
from perfeval.model import STATUS_MISSED, STATUS_QUAL_PARTIAL, IndicatorScore, ScoreCard
from perfeval.problems import Problem
from perfeval.render.report import (TEMPLATE_DIR, ReportTemplateError, render_docx, render_markdown,
                                    report_context)
from render_fixtures import RATE_REASON, card_for, seed_card, seed_project

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROOT = Path(__file__).resolve().parent.parent

SEED_HEADINGS = ["一、评价工作组织开展情况", "二、项目基本概况", "三、绩效评价情况", "四、存在问题及改进建议",
                 "五、其他需要说明的问题"]
NATIONAL_HEADINGS = ["一、基本情况", "二、绩效评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析",
                     "五、主要经验及做法、存在的问题及原因分析", "六、有关建议", "七、其他需要说明的问题"]
# domain.md "Facts of the seed", as the report writes them.
FACTS = [
    "组  长：李春丽", "副组长：张海涛  单志刚", "组  员：杨小宝  董恩华  李海荣",
    "审批局成立了绩效自评工作小组",
    "本次财政支出重点项目评价选取了“公共资源交易中心运转经费”项目。该项目年初预算为32.9万元，本年度实际支出为23.93万元，"
    "预算执行率为72.74%。该项目由本单位组织实施",
    "根据项目特点，审批局制定了评价工作方案",  # 评价工作开展情况 left blank: the standard paragraph
    "项目年初预算安排32.9万元。实际到位资金23.93万元，实际支出共计23.93万元，其中日常办公经费5万元；",
    "场地设备系统及LED屏维修维护费0.75万元；", "展牌、条幅等宣传用品费用1万元；",
    "电话费及网络费用2.4万元，用于交易中心日常业务办公的需求；", "政府采购专家评审费2.78万元；",
    "上缴市公共资源交易中心公共资源交易系统升级改造运维经费12万元，为招投标业务工作顺利开展做好服务保障。",
    "1、产出指标（数量指标）：采购招标率100%", "2、效益指标（社会效益指标）：公共服务水平提升",
    "3、满意度指标（服务对象满意度指标）：使用人员满意度100%",
    "4、预算执行率指标：所有项目资金均按照资金安排进行管理，预算执行率72.74%，是由于" + RATE_REASON,
    "以上各项目标均已达到年初预期目标。",
    "项目综合评价得分97及评价等级优；今年以来，立足管办分开",
    "组织各类交易项目424宗，交易总金额35.67亿元。", "政府采购262宗，交易金额5.61亿元；", "工程项目70宗，交易金额20.6亿元；",
    "土地使用权29宗，交易金额8亿元；", "国有产权63宗，交易金额1.46亿元。",
    "1.项目背景。公共资源交易中心的主要职责是", "2.项目绩效目标。(1).发挥最佳的市场运作效应",
    "重视全面预算管理，完善绩效评价约束机制。",
]


def docx_paragraphs(path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def render_both(tmp_path, project=None, card=None, problems=(), outline="seed", config=None):
    project = project or seed_project()
    card = card or card_for(project)
    context = report_context(project, card, config or Config(), problems)
    path = render_docx(context, tmp_path / f"报告-{outline}.docx", outline)
    return "\n".join(docx_paragraphs(path)), render_markdown(context, outline)


@pytest.fixture(scope="module")
def seed_texts(tmp_path_factory):
    docx_text, md = render_both(tmp_path_factory.mktemp("seed"))
    return {"docx": docx_text, "md": md}


@pytest.mark.parametrize("kind", ["docx", "md"])
@pytest.mark.parametrize("fact", FACTS + SEED_HEADINGS)
def test_every_seed_fact(seed_texts, kind, fact):
    assert fact in seed_texts[kind]


@pytest.mark.parametrize("kind", ["docx", "md"])
def test_seed_order_title_and_no_draft(seed_texts, kind):
    text = seed_texts[kind]
    positions = [text.index(h) for h in SEED_HEADINGS]
    assert positions == sorted(positions)
    assert "公共资源交易中心运转经费绩效自评报告" in text and "实施单位：审批局　　评价年度：2025年" in text
    assert "未通过校验" not in text and "{{" not in text and "{%" not in text
    assert "五、其他需要说明的问题\n" in text and text.rstrip().endswith("无。")


def test_markdown_headings(seed_texts):
    md = seed_texts["md"]
    assert md.startswith("# 公共资源交易中心运转经费绩效自评报告\n")
    for heading in SEED_HEADINGS:
        assert f"\n\n## {heading}\n\n" in md
    assert "\n\n### （二）绩效指标分析情况\n\n1、产出指标" in md and "\n\n\n" not in md
    assert "采购招标率100%\n\n2、" in md and "组  长：李春丽\n\n副组长" in md and md.endswith("无。\n")


def test_docx_headings_use_heading_styles(tmp_path):
    project = seed_project()
    path = render_docx(report_context(project, card_for(project), Config()), tmp_path / "r.docx")
    styles = {p.text: p.style.name for p in docx.Document(str(path)).paragraphs}
    assert styles["公共资源交易中心运转经费绩效自评报告"] == "Title"
    assert all(styles[h] == "Heading 1" for h in SEED_HEADINGS)
    assert styles["（二）绩效指标分析情况"] == "Heading 2"
    assert styles["组  长：李春丽"] == "Normal"


def style_fonts(docx_path) -> dict[str, tuple[str, str]]:
    """styleId -> (east-Asian font, size in half points) as defined in styles.xml."""
    with zipfile.ZipFile(docx_path) as z:
        root = etree.fromstring(z.read("word/styles.xml"))
    fonts = {}
    for style in root.iter(W + "style"):
        rfonts, size = style.find(f"{W}rPr/{W}rFonts"), style.find(f"{W}rPr/{W}sz")
        if rfonts is not None:
            half_points = size.get(W + "val") if size is not None else ""
            fonts[style.get(W + "styleId")] = (rfonts.get(W + "eastAsia"), half_points)
    return fonts


@pytest.mark.parametrize("outline", ["seed", "national"])
def test_template_styles_carry_chinese_fonts(outline):
    path = TEMPLATE_DIR / f"report_{outline}.docx"
    fonts = style_fonts(path)
    assert fonts["Normal"] == ("仿宋", "32")
    assert fonts["Heading1"] == ("黑体", "32")
    assert fonts["Heading2"] == ("楷体", "32")
    assert fonts["Title"] == ("方正小标宋简体", "44")
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        font_table = z.read("word/fontTable.xml").decode("utf-8")
    assert "eastAsiaTheme" not in styles.split("<w:style ")[0]  # document defaults use no theme font
    assert 'w:firstLineChars="200"' in styles and 'w:lineRule="exact"' in styles
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"', font_table)
    section = docx.Document(str(path)).sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8


@pytest.mark.parametrize("outline", ["seed", "national"])
def test_template_tags_sit_in_one_run(outline):
    for p in docx.Document(str(TEMPLATE_DIR / f"report_{outline}.docx")).paragraphs:
        if "{" in p.text:
            assert len(p.runs) == 1, p.text


def load_tool():
    spec = importlib.util.spec_from_file_location("make_report_templates", ROOT / "tools" / "make_report_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("outline", ["seed", "national"])
def test_committed_templates_match_the_tool(outline):
    tool = load_tool()
    assert (TEMPLATE_DIR / f"report_{outline}.md.j2").read_text(encoding="utf-8") == tool.markdown_text(outline)
    expected = ["{%p " + text + " %}" if kind == "ctl" else text for kind, text in tool.OUTLINES[outline]]
    assert docx_paragraphs(TEMPLATE_DIR / f"report_{outline}.docx") == expected


def test_national_outline(tmp_path):
    for text in render_both(tmp_path, outline="national"):
        positions = [text.index(h) for h in NATIONAL_HEADINGS]
        assert positions == sorted(positions)
        for fact in ("预算执行率为72.74%", "组  长：李春丽", "日常办公经费5万元", "采购招标率100%", "公共服务水平提升",
                     "使用人员满意度100%", "是由于" + RATE_REASON, "得分97及评价等级优", "组织各类交易项目424宗",
                     "交易总金额35.67亿元", "国有产权63宗，交易金额1.46亿元", "总体目标完成情况：各项目标均已完成。"):
            assert fact in text


def test_errors_make_a_draft(tmp_path):
    problems = [Problem("value-missing", "“主管部门”未填写。", "seed.xlsx", "基本信息", "B4"),
                Problem("funding-total-mismatch", "合计不符。", "seed.xlsx", "资金情况", "C8")]
    docx_text, md = render_both(tmp_path, problems=problems)
    assert docx_text.startswith("【未通过校验（草稿）】本报告所依据的填报表存在2处错误")
    assert md.startswith("**【未通过校验（草稿）】本报告所依据的填报表存在2处错误")


def test_warnings_alone_are_not_a_draft(tmp_path):
    problems = [Problem("text-too-long", "“项目背景”过长。", "seed.xlsx", "基本信息", "B10")]
    for text in render_both(tmp_path, problems=problems):
        assert "未通过校验" not in text


def test_unsafe_text_renders(tmp_path):
    project = seed_project()
    project.info["项目名称"] = "A&B<C>项目\x01"
    project.info["项目背景"] = '背景 <w:p> & "引号" \x0b结束'
    project.spending[0].item = "办公&杂项<1>"
    docx_text, md = render_both(tmp_path, project)
    # Markdown shows "<" escaped ("\<"), so that it never opens HTML; rendered, it reads the same.
    for text in (docx_text, md.replace("\\<", "<")):
        assert "“A&B<C>项目”项目" in text and "A&B<C>项目绩效自评报告" in text
        assert '1.项目背景。背景 <w:p> & "引号" 结束' in text
        assert "其中办公&杂项<1>5万元；" in text
        assert "\x01" not in text and "\x0b" not in text
    assert "背景 \\<w:p>" in md


def test_lines_of_a_text_become_paragraphs(tmp_path):
    project = seed_project()
    project.info["项目背景"] = "第一段。\r\n\r\n　　第二段。"
    path = render_docx(report_context(project, card_for(project), Config()), tmp_path / "r.docx")
    paragraphs = docx.Document(str(path)).paragraphs
    first = next(i for i, p in enumerate(paragraphs) if p.text == "1.项目背景。第一段。")
    assert paragraphs[first + 1].text == "第二段。" and paragraphs[first + 1].style.name == "Normal"
    md = render_markdown(report_context(project, card_for(project), Config()))
    assert "1.项目背景。第一段。\n\n第二段。\n" in md


def test_given_texts_replace_the_defaults(tmp_path):
    project = seed_project()
    project.info["评价工作开展情况"] = "本次评价采取资料核查与现场抽查相结合的方式"
    project.info["其他需要说明的问题"] = "无其他说明"
    project.info["预算执行偏差原因"] = "由于项目延期"
    for text in render_both(tmp_path, project):
        assert "全程监管。本次评价采取资料核查与现场抽查相结合的方式。" in text
        assert "根据项目特点" not in text
        assert "五、其他需要说明的问题\n无其他说明。" in text.replace("\n\n", "\n").replace("## ", "")
        assert "预算执行率72.74%，是由于项目延期。" in text


def test_missed_indicators_are_named_with_their_reason(tmp_path):
    project = seed_project()
    project.indicators[2].actual = "88%"
    project.indicators[2].deviation = "部分用户对系统响应速度不满意，将升级服务器"
    project.indicators[1].actual = "部分达成"
    base = card_for(project)
    scores = [base.indicators[0],
              IndicatorScore(project.indicators[1], D(21), D(21), STATUS_QUAL_PARTIAL, band=(D(18), D(24))),
              IndicatorScore(project.indicators[2], D("9.26"), D("9.26"), STATUS_MISSED)]
    total = base.execution_score + sum((s.score for s in scores), D(0))
    card = ScoreCard(base.execution_rate, base.execution_weight, base.execution_score, scores, total, "优")
    for text in render_both(tmp_path, project, card):
        assert "2、效益指标（社会效益指标）：公共服务水平提升，部分达成年度指标。" in text
        assert ("3、满意度指标（服务对象满意度指标）：使用人员满意度88%，未达到年度指标值≥95%。"
                "偏差原因及改进措施：部分用户对系统响应速度不满意，将升级服务器。") in text
        assert "公共服务水平、使用人员满意度未达到年初预期目标，其余各项目标均已达到年初预期目标。" in text
        assert "以上各项目标均已达到" not in text
        assert "得分87及评价等级良" not in text  # the card's grade is taken as given


def test_prose_score_never_contradicts_the_grade():
    project = seed_project()
    card = seed_card()
    card.total, card.grade = D("89.6"), "良"
    assert report_context(project, card, Config())["score"] == "89.60"
    card.total, card.grade = D("89.996"), "优"  # 90.00 in the table, so 优
    assert report_context(project, card, Config())["score"] == "90"
    card.total, card.grade = D("97.2735"), "优"
    context = report_context(project, card, Config.from_dict({"scoring": {"prose_decimals": 2}}))
    assert (context["score"], context["score_full"]) == ("97.27", "97.27")


def test_context_figures():
    context = report_context(seed_project(), seed_card(), Config())
    assert (context["initial_budget"], context["received"], context["spent"], context["rate"]) == (
        "32.9", "23.93", "23.93", "72.74%")
    assert (context["volume_count_total"], context["volume_amount_total"]) == ("424", "35.67")
    assert context["leaders"] == ["李春丽"] and context["deputies_text"] == "张海涛  单志刚"
    assert [s["amount"] for s in context["spending"]] == ["5", "0.75", "1", "2.4", "2.78", "12"]
    assert context["execution_score"] == "7.27" and context["grade"] == "优" and not context["draft"]


def test_no_volumes_no_volume_sentence(tmp_path):
    project = seed_project()
    project.volumes = []
    for text in render_both(tmp_path, project):
        assert "组织各类交易项目" not in text and "各项工作取得了较好的工作成效。\n" in text


def test_bureau_template_and_reuse(tmp_path):
    own = tmp_path / "本局模板.docx"
    shutil.copy(TEMPLATE_DIR / "report_seed.docx", own)
    document = docx.Document(str(own))
    document.paragraphs[3].runs[0].text = "{{ project_name }}项目支出绩效自评报告（{{ unit }}）"
    document.save(str(own))
    context = report_context(seed_project(), seed_card(), Config())
    first = render_docx(context, tmp_path / "1.docx", template_path=own)
    second = render_docx(context, tmp_path / "2.docx", template_path=own)
    assert docx_paragraphs(first) == docx_paragraphs(second)
    assert "公共资源交易中心运转经费项目支出绩效自评报告（审批局）" in docx_paragraphs(first)


def test_broken_templates_are_reported(tmp_path):
    context = report_context(seed_project(), seed_card(), Config())
    not_docx = tmp_path / "模板.docx"
    not_docx.write_text("not a document", encoding="utf-8")
    typo = tmp_path / "错字.docx"
    document = docx.Document()
    document.add_paragraph("{{ projct_name }}")
    document.save(str(typo))
    for template in (not_docx, typo, tmp_path / "missing.docx"):
        with pytest.raises(ReportTemplateError):
            render_docx(context, tmp_path / "out.docx", template_path=template)
    assert not (tmp_path / "out.docx").exists()
    with pytest.raises(ValueError):
        render_markdown(context, "provincial")


def test_scored_fractions_read_as_percentages(tmp_path):
    from perfeval.scoring import score_project

    project = seed_project()
    project.indicators[0].actual = "1"  # a cell formatted as a percentage arrives as a fraction
    project.indicators[2].actual = "0.98"
    card = score_project(project, Config())
    for text in render_both(tmp_path, project, card):
        assert "采购招标率100%" in text and "使用人员满意度98%" in text and "得分97及评价等级优" in text


def test_units_as_written_and_from_the_unit_column(tmp_path):
    from perfeval.model import Indicator
    from perfeval.scoring import score_project

    project = seed_project()
    project.indicators[0] = Indicator("产出指标", "数量指标", "日常养护里程", "≥320公里", "318公里", D(50),
                                      deviation="部分路段改建")
    project.indicators[2].target, project.indicators[2].actual, project.indicators[2].unit = "≥99", "98", "%"
    card = score_project(project, Config())
    for text in render_both(tmp_path, project, card):
        assert "日常养护里程318公里，未达到年度指标值≥320公里。" in text
        assert "使用人员满意度98%，未达到年度指标值≥99%。" in text


def test_far_overachieved_indicator_is_reported_with_its_reason(tmp_path):
    """The rules require a 偏差原因 for a far over-achieved indicator: the report shows it, as for a shortfall."""
    from perfeval.model import STATUS_OVER

    project = seed_project()
    project.indicators[2].target = "≥60%"
    project.indicators[2].deviation = "年初目标设定偏低，下一年度将调高"
    base = card_for(project)
    scores = [base.indicators[0], base.indicators[1],
              IndicatorScore(project.indicators[2], D(10), D(10), STATUS_OVER)]
    card = ScoreCard(base.execution_rate, base.execution_weight, base.execution_score, scores, base.total, "优")
    for text in render_both(tmp_path, project, card):
        assert ("3、满意度指标（服务对象满意度指标）：使用人员满意度100%，大幅超过年度指标值≥60%。"
                "偏差原因及改进措施：年初目标设定偏低，下一年度将调高。") in text
        assert "以上各项目标均已达到年初预期目标。" in text


def test_markdown_keeps_input_text_literal():
    """A text that Markdown would read as a heading, a list or HTML stays the text the unit wrote."""
    project = seed_project()
    project.info["存在问题及改进建议"] = "# 不是标题\n- 不是列表\n<b>不是HTML</b>"
    md = render_markdown(report_context(project, seed_card(), Config()))
    assert "\\# 不是标题\n\n\\- 不是列表\n\n\\<b>不是HTML\\</b>" in md
    assert "\n# 不是标题" not in md
