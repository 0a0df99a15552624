"""The 自动校验 blocks: a locked formula per check, right of each table, with the value it computes cached."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from perfeval.model import INFO_LABELS, REQUIRED_INFO_LABELS, SHEET_FUNDING, SHEET_INFO

from .data import Data
from .formats import Formats
from .layout import (
    CHECK_LABEL_IDX,
    CHECK_TITLE,
    CHECK_TITLE_IDX,
    CHECK_VALUE_IDX,
    DEFAULT_EXECUTION_WEIGHT,
    FIRST_DATA_ROW,
    FUNDING,
    GROUP,
    INDICATORS,
    LOW_RATE,
    LOW_RATE_TEXT,
    SPENDING,
    VOLUMES,
    Table,
)
from .values import as_number, column_sum, is_blank, is_number, plain

# ---- the check block ---------------------------------------------------------------------------------------


class CheckBlock:
    """The 自动校验 block: a label (row 2) and a locked formula (row 3) per check, right of the table."""

    def __init__(self, first_col: int) -> None:
        self.first_col = first_col
        self.checks: list[tuple[str, str, float | str, str, float]] = []

    def add(self, label: str, formula: str, value: float | str, num_format: str = "0.00", width: float = 13) -> str:
        """Add a check; return its absolute cell address, for later formulas to use."""
        col = self.first_col + len(self.checks)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # cached as Excel writes it: 90, not 90.0
        self.checks.append((label, formula, value, num_format, width))
        return xl_rowcol_to_cell(CHECK_VALUE_IDX, col, row_abs=True, col_abs=True)

    def status(self, label: str, formula: str, value: str) -> str:
        return self.add(label, formula, value, "@", 30)

    def write(self, ws, fmt: Formats) -> None:
        last = self.first_col + len(self.checks) - 1
        if last > self.first_col:
            ws.merge_range(CHECK_TITLE_IDX, self.first_col, CHECK_TITLE_IDX, last, CHECK_TITLE, fmt.check_title)
        else:
            ws.write_string(CHECK_TITLE_IDX, self.first_col, CHECK_TITLE, fmt.check_title)
        for offset, (label, formula, value, num_format, width) in enumerate(self.checks):
            col = self.first_col + offset
            ws.set_column(col, col, width, fmt.unlocked)
            ws.write_string(CHECK_LABEL_IDX, col, label, fmt.check_label)
            ws.write_formula(CHECK_VALUE_IDX, col, formula, fmt.check_value(num_format), value)
            if num_format == "@":  # a status: red when it asks for something, green when all is well
                ws.conditional_format(
                    CHECK_VALUE_IDX, col, CHECK_VALUE_IDX, col,
                    {"type": "text", "criteria": "begins with", "value": "请", "format": fmt.bad},
                )
                ws.conditional_format(
                    CHECK_VALUE_IDX, col, CHECK_VALUE_IDX, col,
                    {"type": "text", "criteria": "begins with", "value": "正", "format": fmt.good},
                )


def info_cell(label: str, sheet: bool = True) -> str:
    """The absolute address of a 基本信息 label's value, e.g. ``'基本信息'!$B$18``."""
    cell = f"$B${FIRST_DATA_ROW + INFO_LABELS.index(label)}"
    return f"'{SHEET_INFO}'!{cell}" if sheet else cell


def rows_last(table: Table, rows: list[dict]) -> int:
    """The Excel row number of a table's last input row."""
    return FIRST_DATA_ROW + max(table.rows, len(rows)) - 1


def budget_and_rate(rows: list[dict]) -> tuple[float, float]:
    """全年预算数 over the rows (年初预算数 where blank), and the execution rate (0 without a budget)."""
    budget = sum(as_number(r.get("年初预算数")) if is_blank(r.get("全年预算数")) else as_number(r.get("全年预算数")) for r in rows)
    return budget, (column_sum(rows, "全年执行数") / budget if budget > 0 else 0.0)


def funding_checks(block: CheckBlock, d: Data) -> str:
    """Totals and execution rate on 资金情况; returns the rate cell's address (for 绩效指标)."""
    rows, last = d.funding, rows_last(FUNDING, d.funding)
    span = {key: FUNDING.span(key, last=last) for key in ("年初预算数", "全年预算数", "实际到位数", "全年执行数")}
    budget, rate = budget_and_rate(rows)
    spent = column_sum(rows, "全年执行数")
    block.add("年初预算数合计（万元）", f"=SUM({span['年初预算数']})", column_sum(rows, "年初预算数"))
    c_budget = block.add(
        "全年预算数合计（万元）",
        f'=SUM({span["全年预算数"]})+SUMIF({span["全年预算数"]},"",{span["年初预算数"]})',
        budget,
    )
    block.add("实际到位数合计（万元）", f"=SUM({span['实际到位数']})", column_sum(rows, "实际到位数"))
    c_spent = block.add("全年执行数合计（万元）", f"=SUM({span['全年执行数']})", spent)
    c_rate = block.add("预算执行率", f"=IF({c_budget}>0,{c_spent}/{c_budget},0)", rate, "0.00%")
    reason = info_cell("预算执行偏差原因")
    no_budget, over, low = "请填写预算数", "请核对：全年执行数大于全年预算数", f"请在基本信息中填写预算执行偏差原因（执行率低于{LOW_RATE_TEXT}）"
    if budget <= 0:
        status = no_budget
    elif round(spent - budget, 2) > 0:
        status = over
    elif rate < LOW_RATE and is_blank(d.info.get("预算执行偏差原因")):
        status = low
    else:
        status = "正常"
    block.status(
        "校验",
        f'=IF({c_budget}<=0,"{no_budget}",IF(ROUND({c_spent}-{c_budget},2)>0,"{over}",'
        f'IF(AND({c_rate}<{LOW_RATE},{reason}=""),"{low}","正常")))',
        status,
    )
    return f"'{SHEET_FUNDING}'!{c_rate}"


def spending_checks(block: CheckBlock, d: Data) -> None:
    amount = SPENDING.span("金额")
    spent_span = FUNDING.span("全年执行数", sheet=True, last=rows_last(FUNDING, d.funding))
    total, spent = column_sum(d.spending, "金额"), column_sum(d.funding, "全年执行数")
    c_total = block.add("金额合计（万元）", f"=SUM({amount})", total)
    c_spent = block.add("全年执行数合计（万元）", f"=SUM({spent_span})", spent)
    c_diff = block.add("差额（万元）", f"=ROUND({c_total}-{c_spent},2)", round(total - spent, 2))
    if not any(is_number(r.get("金额")) for r in d.spending):
        status = "未填写"
    else:
        status = "正确" if round(total - spent, 2) == 0 else "请核对：金额合计与全年执行数合计不一致"
    block.status(
        "校验",
        f'=IF(COUNT({amount})=0,"未填写",IF({c_diff}=0,"正确","请核对：金额合计与全年执行数合计不一致"))',
        status,
    )


def indicator_checks(block: CheckBlock, d: Data, rate_cell: str) -> None:
    given = d.info.get("预算执行率分值")
    weight = DEFAULT_EXECUTION_WEIGHT if is_blank(given) else as_number(given)
    weights, scores = column_sum(d.indicators, "分值"), column_sum(d.indicators, "自评得分")
    budget_rate = budget_and_rate(d.funding)[1]
    cell = info_cell("预算执行率分值")
    c_weights = block.add("指标分值合计", f"=SUM({INDICATORS.span('分值')})", weights, "General")
    c_weight = block.add("预算执行率分值", f'=IF({cell}="",{DEFAULT_EXECUTION_WEIGHT},{cell})', weight, "General")
    c_total = block.add("分值总计（应为100）", f"={c_weights}+{c_weight}", weights + weight, "General")
    block.status(
        "分值校验",
        f'=IF(ROUND({c_total},2)=100,"正确","请调整：分值总计应为100，当前为"&ROUND({c_total},2))',
        "正确" if round(weights + weight, 2) == 100 else f"请调整：分值总计应为100，当前为{plain(weights + weight)}",
    )
    c_scores = block.add("指标自评得分合计", f"=SUM({INDICATORS.span('自评得分')})", scores)
    execution = weight * min(1.0, budget_rate)
    c_exec = block.add("预算执行率得分（参考）", f"={c_weight}*MIN(1,{rate_cell})", execution)
    block.add("自评总分（参考）", f"={c_scores}+{c_exec}", scores + execution)


def group_checks(block: CheckBlock, d: Data) -> None:
    names = sum(not is_blank(r.get("姓名")) for r in d.group)
    leaders = sum(r.get("职务") == "组长" for r in d.group)
    c_leaders = block.add("组长人数", f'=COUNTIF({GROUP.span("职务")},"组长")', leaders, "0")
    c_names = block.add("成员人数", f"=COUNTA({GROUP.span('姓名')})", names, "0")
    status = "请填写工作组成员" if names == 0 else ("请指定组长" if leaders == 0 else "正常")
    block.status("校验", f'=IF({c_names}=0,"请填写工作组成员",IF({c_leaders}=0,"请指定组长","正常"))', status)


def volume_checks(block: CheckBlock, d: Data) -> None:
    block.add("数量合计（宗）", f"=SUM({VOLUMES.span('数量')})", column_sum(d.volumes, "数量"), "General")
    block.add("金额合计（亿元）", f"=SUM({VOLUMES.span('金额')})", column_sum(d.volumes, "金额"))


def info_checks(block: CheckBlock, d: Data) -> None:
    missing = sum(is_blank(d.info.get(label)) for label in REQUIRED_INFO_LABELS)
    terms = "+".join(f'({info_cell(label, sheet=False)}="")' for label in REQUIRED_INFO_LABELS)
    c_missing = block.add("必填项未填写数", f"={terms}", missing, "0", 15)
    block.status("校验", f'=IF({c_missing}=0,"正常","请填写带*的必填项")', "正常" if missing == 0 else "请填写带*的必填项")

