"""Make the built-in report templates in perfeval/templates from one description of each outline.

    python tools/make_report_templates.py [OUTPUT_DIR]

For each outline ("seed": the seed report's five sections; "national": 财预〔2020〕10号 附件3's seven) it writes
``report_<outline>.docx`` (docxtpl, python-docx) and ``report_<outline>.md.j2`` (Jinja2), with the same wording.

The Word templates carry the official-document typography in their *styles* (east-Asian fonts on w:rFonts):
title 方正小标宋简体 22 pt (falls back to 宋体), heading 1 黑体 16 pt, heading 2 楷体 16 pt, body 仿宋 16 pt
(三号) with a first-line indent of two characters and a fixed 28 pt line spacing, on A4 with the margins of
GB/T 9704. Each paragraph is a single run, so that no Jinja tag is split across runs; a bureau can edit the
wording in Word as long as it keeps the {{ placeholders }} and {%p … %} lines intact.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

OUT_DIR = Path(__file__).resolve().parent.parent / "perfeval" / "templates"

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
H1_FONT = "黑体"
H2_FONT = "楷体"
PAGE_NUMBER_FONT = "宋体"
SIZE = 16  # 三号
LINE = 28  # fixed line spacing, points
DRAFT_STYLE = "草稿提示"
SUBTITLE = "Subtitle"

# ---- the wording, shared by both outlines -------------------------------------------------------------------
# Paragraph kinds: title, subtitle, h1, h2, p (body), draft; "ctl" is a Jinja block tag on a paragraph of its own.
# No string literals inside tags: Word's smart quotes would break them when a bureau edits the template.

DRAFT = [
    ("ctl", "if draft"),
    ("draft", "【未通过校验（草稿）】本报告所依据的填报表存在{{ error_count }}处错误，请按“问题清单”修改后重新生成；"
              "本稿不得作为正式报告报送。"),
    ("ctl", "endif"),
]
HEAD = DRAFT + [
    ("title", "{{ project_name }}绩效自评报告"),
    ("subtitle", "实施单位：{{ unit }}{% if year %}　　评价年度：{{ year }}年{% endif %}"),
]
GROUP = [
    ("p", "为依法合理规范使用专项资金，最大限度发挥作用，经研究，{{ unit_prose }}成立了绩效自评工作小组，"
          "负责财政支出重点项目评价工作，具体成员名单如下："),
    ("ctl", "if leaders"), ("p", "组  长：{{ leaders_text }}"), ("ctl", "endif"),
    ("ctl", "if deputies"), ("p", "副组长：{{ deputies_text }}"), ("ctl", "endif"),
    ("ctl", "if members"), ("p", "组  员：{{ members_text }}"), ("ctl", "endif"),
]
CHOSEN = ("本次财政支出重点项目评价选取了“{{ project_name }}”项目。该项目年初预算为{{ initial_budget }}万元，"
          "本年度实际支出为{{ spent }}万元，预算执行率为{{ rate }}。该项目由本单位组织实施，并对该项目实施全程监管。")
METHOD = ("{% if evaluation_work %}{{ evaluation_work }}{% else %}根据项目特点，{{ unit_prose }}制定了评价工作方案，"
          "通过对预算执行情况、项目资金使用情况、项目组织管理情况、项目绩效目标完成情况的梳理，通过对资金使用是否达到预期目标、"
          "资金使用是否有效、资金管理是否规范等指标的检验，检验资金支出效果，分析存在的问题并查找原因，及时总结经验，"
          "完善资金和项目管理，切实提高该项目资金的使用效益。{% endif %}")
EXECUTION = ("项目年初预算安排{{ initial_budget }}万元{% if budget_adjusted %}，全年预算调整为{{ budget }}万元{% endif %}。"
             "{% if received_given %}实际到位资金{{ received }}万元，{% endif %}实际支出共计{{ spent }}万元"
             "{% if spending %}，其中{% for s in spending %}{{ s.item }}{% if s.amount %}{{ s.amount }}万元{% endif %}"
             "{% if s.note %}，{{ s.note }}{% endif %}{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
             "{% else %}。{% endif %}")
INDICATORS = [
    ("ctl", "for ind in indicators"),
    ("p", "{{ ind.no }}、{{ ind.level1 }}{% if ind.level2 %}（{{ ind.level2 }}）{% endif %}：{{ ind.name }}{{ ind.result }}"
          "{% if ind.remark %}，{{ ind.remark }}。{% if ind.deviation %}偏差原因及改进措施：{{ ind.deviation }}"
          "{% endif %}{% endif %}"),
    ("ctl", "endfor"),
    ("p", "{{ rate_no }}、预算执行率指标：所有项目资金均按照资金安排进行管理，预算执行率{{ rate }}"
          "{% if execution_reason %}，是由于{{ execution_reason }}{% else %}。{% endif %}"),
    ("p", "{% if all_met %}以上各项目标均已达到年初预期目标。{% elif some_met %}{{ unmet_names }}未达到年初预期目标，"
          "其余各项目标均已达到年初预期目标。{% else %}{{ unmet_names }}未达到年初预期目标。{% endif %}"),
]
CONCLUSION = ("项目综合评价得分{{ score }}及评价等级{{ grade }}{% if conclusion %}；{{ conclusion }}{% else %}。{% endif %}"
              "{% if volumes %}组织各类交易项目{{ volume_count_total }}宗，交易总金额{{ volume_amount_total }}亿元。其中，"
              "{% for v in volumes %}{{ v.category }}{{ v.count }}宗{% if v.amount %}，交易金额{{ v.amount }}亿元{% endif %}"
              "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}{% endif %}")


def text_or_none(name: str) -> str:
    return "{% if " + name + " %}{{ " + name + " }}{% else %}无。{% endif %}"


SEED = HEAD + [
    ("h1", "一、评价工作组织开展情况"),
    *GROUP,
    ("p", CHOSEN + METHOD),
    ("h1", "二、项目基本概况"),
    ("p", "1.项目背景。{{ background }}"),
    ("p", "2.项目绩效目标。{{ goal }}"),
    ("h1", "三、绩效评价情况"),
    ("p", "（一）项目执行情况。" + EXECUTION),
    ("h2", "（二）绩效指标分析情况"),
    *INDICATORS,
    ("h2", "3．项目综合评价等级和评价结论"),
    ("p", CONCLUSION),
    ("h1", "四、存在问题及改进建议"),
    ("p", text_or_none("issues")),
    ("h1", "五、其他需要说明的问题"),
    ("p", text_or_none("others")),
]

NATIONAL = HEAD + [
    ("h1", "一、基本情况"),
    ("h2", "（一）项目概况"),
    ("p", "{{ background }}"),
    ("h2", "（二）项目绩效目标"),
    ("p", "{{ goal }}"),
    ("h2", "（三）项目资金情况"),
    ("p", EXECUTION),
    ("h1", "二、绩效评价工作开展情况"),
    *GROUP,
    ("p", CHOSEN),
    ("p", METHOD),
    ("h1", "三、综合评价情况及评价结论"),
    ("p", CONCLUSION),
    ("ctl", "if goal_done"), ("p", "总体目标完成情况：{{ goal_done }}"), ("ctl", "endif"),
    ("h1", "四、绩效评价指标分析"),
    *INDICATORS,
    ("h1", "五、主要经验及做法、存在的问题及原因分析"),
    ("p", text_or_none("issues")),
    ("h1", "六、有关建议"),
    ("p", "{% if issues %}针对上述问题的改进建议见第五部分。{% else %}无。{% endif %}"),
    ("h1", "七、其他需要说明的问题"),
    ("p", text_or_none("others")),
]

OUTLINES = {"seed": SEED, "national": NATIONAL}

# ---- Markdown -----------------------------------------------------------------------------------------------

MD_PREFIX = {"title": "# ", "h1": "## ", "h2": "### "}


def markdown_text(outline: str) -> str:
    """The Jinja2 source of report_<outline>.md.j2: paragraphs separated by a blank line; a block tag on a line of
    its own swallows the line end after it ("-%}"), so that the paragraphs it guards keep their spacing."""
    parts = ["{# Made by tools/make_report_templates.py from the same wording as the Word template. -#}\n"]
    for kind, text in OUTLINES[outline]:
        if kind == "ctl":
            parts.append("{% " + text + " -%}\n")
        elif kind == "draft":
            parts.append(f"**{text}**\n\n")
        else:
            parts.append(MD_PREFIX.get(kind, "") + text + "\n\n")
    return "".join(parts).rstrip("\n") + "\n"


# ---- Word ---------------------------------------------------------------------------------------------------

def _set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Explicit fonts on a w:rPr (theme fonts removed: they would win over the explicit ones)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _reset(style) -> None:
    """Drop a built-in style's own formatting (borders, theme colours, spacing) before setting ours."""
    element = style.element
    for tag in ("w:pPr", "w:rPr"):
        old = element.find(qn(tag))
        if old is None:
            continue
        keep = [child for child in old if child.tag in (qn("w:keepNext"), qn("w:keepLines"), qn("w:outlineLvl"))]
        element.remove(old)
        if keep:
            new = element.get_or_add_pPr() if tag == "w:pPr" else element.get_or_add_rPr()
            for child in keep:
                new.append(child)


def _style(doc, name: str, font: str, size: float = SIZE, bold: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
           indent: bool = True, color: RGBColor | None = None, before: float = 0, after: float = 0):
    try:
        style = doc.styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE

        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
    _reset(style)
    _set_fonts(style.element.get_or_add_rPr(), font)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = color or RGBColor(0, 0, 0)
    pf = style.paragraph_format
    pf.alignment = align
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE if size <= SIZE else size + 14)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.first_line_indent = Pt(2 * SIZE) if indent else Pt(0)
    ind = style.element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), "200" if indent else "0")
    return style


def _doc_defaults(doc) -> None:
    """Document defaults: explicit fonts instead of theme fonts, Chinese as the east-Asian language."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")


def _font_fallback(doc, name: str, alt: str) -> None:
    """Declare ``alt`` as the substitute of ``name`` in the font table, for computers without ``name``."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname.endswith("/fontTable.xml"))
    root = etree.fromstring(part.blob)
    font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
    etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
    etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
    etree.SubElement(font, qn("w:family"), {qn("w:val"): "script"})
    etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(doc) -> None:
    """An official-document page number in the footer: — 1 —."""
    _style(doc, "Footer", PAGE_NUMBER_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.style = doc.styles["Footer"]
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def page_setup(doc) -> None:
    """A4 with the margins of GB/T 9704 and the official page number in the footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    _page_number(doc)


def build_docx(outline: str, path: Path) -> None:
    doc = Document()
    _doc_defaults(doc)
    _style(doc, "Normal", BODY_FONT)
    _style(doc, "Title", TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=LINE)
    _style(doc, SUBTITLE, H2_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=LINE)
    _style(doc, "Heading 1", H1_FONT)
    _style(doc, "Heading 2", H2_FONT)
    _style(doc, DRAFT_STYLE, H1_FONT, bold=True, color=RGBColor(0xC0, 0, 0), indent=False, after=LINE)
    _font_fallback(doc, TITLE_FONT, TITLE_FALLBACK)

    page_setup(doc)

    styles = {"title": "Title", "subtitle": SUBTITLE, "h1": "Heading 1", "h2": "Heading 2", "p": "Normal",
              "draft": DRAFT_STYLE}
    for kind, text in OUTLINES[outline]:
        if kind == "ctl":
            doc.add_paragraph("{%p " + text + " %}", style="Normal")
        else:
            doc.add_paragraph(text, style=styles[kind])  # one paragraph, one run

    props = doc.core_properties
    props.title = "绩效自评报告"
    props.subject = "项目支出绩效自评报告模板"
    props.author = props.last_modified_by = "perfeval"
    # docxtpl renders these properties as Jinja too: no braces here.
    props.comments = "由 tools/make_report_templates.py 生成；可在 Word 中修改文字，但须保留占位符和段落控制标记。"
    props.created = props.modified = dt.datetime(2000, 1, 1)
    props.revision = 1
    doc.save(str(path))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    for outline in OUTLINES:
        build_docx(outline, out / f"report_{outline}.docx")
        (out / f"report_{outline}.md.j2").write_text(markdown_text(outline), encoding="utf-8")
        print(f"{out / f'report_{outline}.docx'}\n{out / f'report_{outline}.md.j2'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
