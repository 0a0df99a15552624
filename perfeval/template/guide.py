"""The 填表说明 sheet (instructions, version, colour legend) and the hidden sheet of drop-down lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_col_to_name

from perfeval.model import SHEET_FUNDING, SHEET_GROUP, SHEET_GUIDE, SHEET_INDICATORS, SHEET_INFO, SHEET_SPENDING, SHEET_VOLUMES

from .layout import CHECK_FILL, HEADER_FILL, INPUT_FILL, LISTS, LISTS_SHEET, PROTECTION, REQUIRED_FILL
from .locks import APPROVED_LEGEND, Locks
from .values import row_height

if TYPE_CHECKING:
    from .formats import Formats

GUIDE_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "总体要求",
        "1. 每个项目填写一个工作簿。\n"
        "2. 只在浅黄色单元格中填写；表头上方标“必填”的列和基本信息中带“*”的项目必须填写。\n"
        "3. 不要修改工作表名称和表头文字，不要删除工作表。可以插入、删除数据行，需要更多行时在表格中间插入。\n"
        "4. 金额单位见表头括号：资金和支出为万元，业务量金额为亿元。请填写数字，不要带单位。\n"
        "5. 各表右上方灰色的“自动校验（请勿填写）”区域随填写自动计算，供自查；最终得分由工具按评分规则重新计算。\n"
        "6. 工作表设有保护（无密码），防止误改表头和公式；确需调整时，可通过“审阅→撤销工作表保护”解除。\n"
        "7. 把鼠标停在带红色小三角的表头上，可以看到该栏的填写说明。",
    ),
    (
        SHEET_INFO,
        "填写项目名称、主管部门、实施单位、联系人等基本情况和各段文字说明，带*的为必填项。评价年度填四位数字年份，"
        "如2025。联系邮箱用于接收评价结果。长文字可直接粘贴，单元格内换行按 Alt+Enter。评价工作开展情况不填时，"
        "报告使用标准段落。预算执行率分值不填时按10分计。",
    ),
    (
        SHEET_GROUP,
        "每行填写一名成员：职务从下拉列表选择（组长、副组长、组员），姓名必填，工作单位及职务选填。",
    ),
    (
        SHEET_FUNDING,
        "按资金来源分行填写，单位万元：当年财政拨款、上年结转资金、其他资金，没有的来源留空。全年预算数为调整后的预算，"
        "未调整可不填（视同年初预算数）。不要添加合计行：合计和预算执行率（全年执行数÷全年预算数）在右侧自动计算。"
        "执行率低于90%时，须在基本信息的“预算执行偏差原因”中说明原因。",
    ),
    (
        SHEET_SPENDING,
        "按用途逐项列出本年实际支出，单位万元；各项金额合计应等于资金情况中的全年执行数合计（右侧自动校验）。"
        "说明栏可写用途，会写入报告。",
    ),
    (
        SHEET_INDICATORS,
        "按年初批复的绩效目标逐条填写，每行一个三级指标。\n"
        "一级指标、二级指标：从下拉列表选择，二级指标的选项随一级指标变化；同一一级或二级指标的多行可以合并单元格。\n"
        "年度指标值：连同比较符号和单位填写，例如 ≥95%、100%（视为≥100%）、≤30万元、≥50个、2025年12月31日前、提升。\n"
        "指标性质：正向（越大越好）、反向（越小越好，如成本、时长）、等于、定性；不填时按年度指标值判断。\n"
        "实际完成值：年末实际达到的值，例如 100%、28个、2025年11月30日；定性指标填“达成”“部分达成”“未达成”，"
        "或重复目标（如“提升”）。\n"
        "分值：全部指标分值加预算执行率分值（默认10分）合计100分；默认产出指标50分、效益指标30分、满意度指标10分。\n"
        "自评得分：单位自评的得分，不得超过分值。工具按评分规则重新计分：定性指标在所属档次内（达成80%–100%、"
        "部分达成60%–80%、未达成0–60%）以自评得分为准，其他情况与规则得分不一致时会提示。\n"
        "偏差原因分析及改进措施：未完成目标，或大幅超额完成（达到目标的130%及以上）时必须填写。",
    ),
    (
        SHEET_VOLUMES,
        "选填。填写本项目的业务量，如交易中心的政府采购、工程项目、土地使用权、国有产权等：数量单位为宗，"
        "金额单位为亿元。不要填写合计行。",
    ),
)
LEGEND: tuple[tuple[str, str], ...] = (
    (INPUT_FILL, "浅黄色：填写内容的单元格"),
    (REQUIRED_FILL, "浅红色：必填但尚未填写的单元格（填写后颜色消失）"),
    (CHECK_FILL, "灰色：自动计算的校验结果，请勿填写"),
    (HEADER_FILL, "浅蓝色：表头，请勿修改"),
)



def write_guide(wb, fmt: Formats, version: str | None, locks: Locks | None = None) -> None:
    ws = wb.add_worksheet(SHEET_GUIDE)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, "项目支出绩效自评填报模板 · 填表说明", fmt.title)
    ws.set_row(0, 28)
    row = 1
    if version is not None:
        ws.write_string(row, 0, f"模板版本：{version}", fmt.version)
        row += 1
    row += 1
    ws.write_string(row, 0, "工作表", fmt.guide_head)
    ws.write_string(row, 1, "填写说明", fmt.guide_head)
    for name, text in GUIDE_SECTIONS:
        row += 1
        ws.write_string(row, 0, name, fmt.guide_head)
        ws.write_string(row, 1, text, fmt.guide_text)
        ws.set_row(row, row_height(text, 100))
    row += 2
    ws.write_string(row, 0, "颜色说明", fmt.guide_head)
    for fill, text in LEGEND + ((APPROVED_LEGEND,) if locks is not None else ()):
        row += 1
        ws.write_blank(row, 0, None, fmt.legend[fill] if fill in fmt.legend else fmt.approved("text"))
        ws.write_string(row, 1, text, fmt.guide_text)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect(locks.password if locks else "", PROTECTION)


def write_lists(wb, locks: Locks | None = None) -> None:
    ws = wb.add_worksheet(LISTS_SHEET)
    for c, (name, values) in enumerate(LISTS.items()):
        ws.write_string(0, c, name)
        for r, value in enumerate(values, start=1):
            ws.write_string(r, c, value)
        letter = xl_col_to_name(c)
        wb.define_name(name, f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}")
    ws.hide()
    ws.protect(locks.password if locks else "", PROTECTION)


def write_carried(wb, locks: Locks) -> None:
    """The very hidden sheet that carries the approved values (perfeval.targets.carried reads it back)."""
    ws = wb.add_worksheet(locks.carried_sheet)
    for r, row in enumerate(locks.carried_rows):
        for c, text in enumerate(row):
            if text:
                ws.write_string(r, c, text)
    ws.very_hidden()
    ws.protect(locks.password, PROTECTION)

