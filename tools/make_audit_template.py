"""Make the 审核意见 templates in perfeval/templates: ``audit.docx`` (docxtpl) and ``audit.md.j2`` (Jinja2).

    python tools/make_audit_template.py [OUTPUT_DIR]

The 审核意见 is what a bureau sends back for a unit's own 自评表 (official-table.md): the project's figures, the
rule's total and grade against the unit's, a table of every departure, and a conclusion. The Word template uses
the report templates' official typography (tools/make_report_templates.py: east-Asian fonts in the styles, A4 with
GB/T 9704 margins, page number — 1 —) and a small 仿宋 style for its tables. A bureau may replace it
(``[report] audit_docx_template``) keeping the placeholders and the ``{%tr … %}`` rows.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_report_templates import (BODY_FONT, H1_FONT, H2_FONT, LINE, OUT_DIR, SUBTITLE, TITLE_FALLBACK,  # noqa: E402
                                   TITLE_FONT, _doc_defaults, _font_fallback, _style, page_setup)

from perfeval.marker import OUTPUT_PROPERTY  # noqa: E402

TABLE_STYLE = "表格文字"
TABLE_SIZE = 10.5  # 五号
TABLE_LINE = 15  # fixed line spacing in tables, points

HEAD = [
    ("title", "{{ project_name }}"),
    ("title", "项目支出绩效自评表审核意见"),
    ("subtitle", "实施单位：{{ unit }}{% if year %}　　评价年度：{{ year }}年{% endif %}"),
    ("h1", "一、项目基本情况"),
    ("p", "项目名称：{{ project_name }}；主管部门：{{ department }}；实施单位：{{ unit }}。审核依据为单位报送的"
          "项目支出绩效自评表（{{ source }}）。"),
    ("p", "项目全年预算数{{ budget }}万元，全年执行数{{ spent }}万元，预算执行率{{ rate }}；绩效指标{{ indicator_count }}项，"
          "分值合计{{ weight_total }}分（含预算执行率分值{{ execution_weight }}分）。"),
    ("h1", "二、评分复核结果"),
]
SUMMARY_ROWS = [("项目", "单位自评", "按规则复核", "差异"),
                ("预算执行率", "{{ unit_rate }}", "{{ rate }}", "{{ rate_difference }}"),
                ("预算执行率得分", "{{ unit_execution_score }}", "{{ execution_score }}", "{{ execution_difference }}"),
                ("总分", "{{ unit_total }}", "{{ total }}", "{{ total_difference }}"),
                ("评价等级", "{{ unit_grade }}", "{{ grade }}", "{{ grade_difference }}")]
DEPARTURE_HEADERS = ("序号", "位置", "内容", "单位填写", "按规则", "差异", "说明")
DEPARTURE_CELLS = ("{{ d.no }}", "{{ d.where }}", "{{ d.what }}", "{{ d.unit }}", "{{ d.rule }}", "{{ d.difference }}",
                   "{{ d.why }}")
TAIL = [
    ("h1", "四、审核结论"),
    ("p", "{{ conclusion }}"),
]


def markdown_text() -> str:
    lines = ["{# Made by tools/make_audit_template.py from the same wording as the Word template. -#}",
             "# {{ project_name }}项目支出绩效自评表审核意见", "",
             "实施单位：{{ unit }}{% if year %}　　评价年度：{{ year }}年{% endif %}", ""]
    for kind, text in HEAD[3:]:
        lines += [("## " if kind == "h1" else "") + text, ""]
    lines += ["| " + " | ".join(SUMMARY_ROWS[0]) + " |", "|" + "---|" * 4]
    lines += ["| " + " | ".join(row) + " |" for row in SUMMARY_ROWS[1:]]
    lines += ["", "## 三、与评分规则不一致之处", "", "{% if departures -%}",
              "| " + " | ".join(DEPARTURE_HEADERS) + " |", "|" + "---|" * len(DEPARTURE_HEADERS),
              "{% for d in departures -%}", "| " + " | ".join(DEPARTURE_CELLS) + " |", "{% endfor %}",
              "{%- else -%}", "未发现与评分规则不一致之处。", "{%- endif %}", ""]
    for kind, text in TAIL:
        lines += [("## " if kind == "h1" else "") + text, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(doc, rows: list[tuple[str, ...]], widths: list[float], loop: str | None = None):
    """A bordered table in the small style; with ``loop``, its last row repeats for each item (docxtpl ``{%tr``)."""
    body = list(rows)
    if loop:
        body = [rows[0], ("{%tr for " + loop + " %}",) + ("",) * (len(rows[0]) - 1), rows[1],
                ("{%tr endfor %}",) + ("",) * (len(rows[0]) - 1)]
    table = doc.add_table(rows=len(body), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = Cm(width)  # the grid (LibreOffice and WPS lay out by it)
    for r, values in enumerate(body):
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Cm(widths[c])
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = doc.styles[TABLE_STYLE]
    return table


def build_docx(path: Path) -> None:
    doc = Document()
    _doc_defaults(doc)
    _style(doc, "Normal", BODY_FONT)
    _style(doc, "Title", TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _style(doc, SUBTITLE, H2_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, before=LINE / 2, after=LINE)
    _style(doc, "Heading 1", H1_FONT)
    small = _style(doc, TABLE_STYLE, BODY_FONT, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    small.paragraph_format.line_spacing = Pt(TABLE_LINE)
    _font_fallback(doc, TITLE_FONT, TITLE_FALLBACK)
    page_setup(doc)
    styles = {"title": "Title", "subtitle": SUBTITLE, "h1": "Heading 1", "p": "Normal"}
    for kind, text in HEAD:
        doc.add_paragraph(text, style=styles[kind])
    _table(doc, SUMMARY_ROWS, [4.2, 3.6, 3.6, 4.2])
    doc.add_paragraph("三、与评分规则不一致之处", style="Heading 1")
    doc.add_paragraph("{%p if departures %}", style="Normal")
    _table(doc, [DEPARTURE_HEADERS, DEPARTURE_CELLS], [1.0, 2.2, 2.4, 1.6, 1.6, 1.5, 5.3], loop="d in departures")
    doc.add_paragraph("{%p else %}", style="Normal")
    doc.add_paragraph("未发现与评分规则不一致之处。", style="Normal")
    doc.add_paragraph("{%p endif %}", style="Normal")
    for kind, text in TAIL:
        doc.add_paragraph(text, style=styles[kind])
    props = doc.core_properties
    props.title = "项目支出绩效自评表审核意见"
    props.author = props.last_modified_by = "perfeval"
    props.comments = "由 tools/make_audit_template.py 生成；可在 Word 中修改文字，但须保留占位符和表格循环行。"
    props.created = props.modified = dt.datetime(2000, 1, 1)
    props.revision = 1
    _mark(doc)
    doc.save(str(path))


def _mark(doc) -> None:
    """The perfeval-output custom property, so that a 审核意见 found among the inputs is skipped."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/'
           'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="{OUTPUT_PROPERTY}">'
           '<vt:lpwstr>审核意见</vt:lpwstr></property></Properties>')
    part = Part(PackURI("/docProps/custom.xml"), "application/vnd.openxmlformats-officedocument.custom-properties+xml",
                xml.encode("utf-8"), doc.part.package)
    doc.part.package.relate_to(part, RT.CUSTOM_PROPERTIES)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    build_docx(out / "audit.docx")
    (out / "audit.md.j2").write_text(markdown_text(), encoding="utf-8")
    print(f"{out / 'audit.docx'}\n{out / 'audit.md.j2'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
