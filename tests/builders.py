"""Workbooks made by hand in tests (openpyxl), laid out as a person might within the reading rules.

``seed_rows()`` holds the seed project's facts (domain.md, "Facts of the seed"); ``build_workbook`` writes any
such data with options for the layout variations the reader must accept.
"""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl

SEED = {
    "info": {
        "评价年度": "2025", "项目名称": "公共资源交易中心运转经费", "主管部门": "审批局", "实施单位": "审批局",
        "联系人": "王敏", "联系电话": "0431-88888888", "联系邮箱": "spj@example.gov.cn",
        "项目背景": "公共资源交易中心的主要职责是贯彻实施公共资源交易相关法律、法规、政策。",
        "年度总体目标": "(1).发挥最佳的市场运作效应，简化程序，实现效率最高。",
        "预算执行偏差原因": "力行节约，政府采购专家评审费本年度支出仅为2.78万元。所以执行率偏低。",
        "综合评价结论": "各项工作取得了较好的工作成效。",
        "存在问题及改进建议": "重视全面预算管理，完善绩效评价约束机制。",
    },
    "group": [("组长", "李春丽"), ("副组长", "张海涛"), ("副组长", "单志刚"), ("组员", "杨小宝"), ("组员", "董恩华"),
              ("组员", "李海荣")],
    "funding": [("当年财政拨款", 32.9, 32.9, 23.93, 23.93)],
    "spending": [("日常办公经费", 5, ""), ("场地设备系统及LED屏维修维护费", 0.75, ""), ("展牌、条幅等宣传用品费用", 1, ""),
                 ("电话费及网络费用", 2.4, "用于交易中心日常业务办公的需求"), ("政府采购专家评审费", 2.78, ""),
                 ("上缴市公共资源交易中心公共资源交易系统升级改造运维经费", 12, "为招投标业务工作顺利开展做好服务保障")],
    # level1, level2, name, nature, target, actual, weight, self score, deviation
    "indicators": [("产出指标", "数量指标", "采购招标率", "正向", "100%", "100%", 50, 50, ""),
                   ("效益指标", "社会效益指标", "公共服务水平", "定性", "提升", "提升", 30, 30, ""),
                   ("满意度指标", "服务对象满意度指标", "使用人员满意度", "正向", "≥95%", "100%", 10, 10, "")],
    "volumes": [("政府采购", 262, 5.61), ("工程项目", 70, 20.6), ("土地使用权", 29, 8), ("国有产权", 63, 1.46)],
}


def seed_rows() -> dict:
    return copy.deepcopy(SEED)


def build_workbook(path: Path, data: dict | None = None, *, title_rows: int = 0, shuffle: bool = False,
                   brackets: str = "（）", money_unit: str = "万元", merge: bool = False,
                   version: str | None = "1.0", skip_sheets: tuple[str, ...] = (),
                   sheet_names: dict[str, str] | None = None) -> Path:
    """Write ``data`` (default: the seed) as a workbook a person made by hand.

    ``title_rows`` puts title rows above each header; ``shuffle`` reverses the column order; ``brackets`` is
    the pair around units; ``money_unit`` is 元/万元 for 资金情况 and 支出明细 (values converted); ``merge`` merges
    the level-1 and level-2 cells of the indicator groups.
    """
    data = seed_rows() if data is None else data
    names = {k: k for k in ("填表说明", "基本信息", "评价工作组", "资金情况", "支出明细", "绩效指标", "业务量")}
    names.update(sheet_names or {})
    scale = 10000 if money_unit == "元" else 1
    o, c = brackets

    def unit(label: str, u: str) -> str:
        return f"{label}{o}{u}{c}"

    def money(v):
        return None if v is None else (round(v * scale, 2) if isinstance(v, (int, float)) else v)

    wb = openpyxl.Workbook()
    wb.remove(wb.active)

    def sheet(key: str, header: list[str], rows: list[list]):
        if key in skip_sheets:
            return None
        ws = wb.create_sheet(names[key])
        for i in range(title_rows):
            ws.append([f"{key}（第{i + 1}行标题）"])
        order = list(range(len(header)))
        if shuffle:
            order.reverse()
        ws.append([header[i] for i in order])
        for row in rows:
            ws.append([row[i] if i < len(row) else None for i in order])
        return ws

    if "填表说明" not in skip_sheets:
        ws = wb.create_sheet(names["填表说明"])
        ws.append(["填表说明"])
        if version:
            ws.append([f"模板版本：{version}"])
    sheet("基本信息", ["项目", "内容"], [[k, v] for k, v in data["info"].items()])
    sheet("评价工作组", ["职务", "姓名", "工作单位及职务"], [list(r) for r in data["group"]])
    sheet("资金情况", ["资金来源", unit("年初预算数", money_unit), unit("全年预算数", money_unit),
                     unit("实际到位数", money_unit), unit("全年执行数", money_unit)],
          [[r[0], *map(money, r[1:])] for r in data["funding"]])
    sheet("支出明细", ["支出内容", unit("金额", money_unit), "说明"],
          [[r[0], money(r[1]), r[2]] for r in data["spending"]])
    ws = sheet("绩效指标", ["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "实际完成值", "分值", "自评得分",
                        "偏差原因分析及改进措施"], [list(r) for r in data["indicators"]])
    if ws is not None and merge:
        _merge_groups(ws, data["indicators"], title_rows + 2, shuffle, 9)
    sheet("业务量", ["业务类别", unit("数量", "宗"), unit("金额", "亿元"), "备注"], [list(r) for r in data["volumes"]])
    wb.save(path)
    return path


def _merge_groups(ws, rows: list, first_row: int, shuffle: bool, width: int) -> None:
    """Merge level-1 (column 0) and level-2 (column 1) cells down runs of equal values, blanking the rest."""
    for col, key in ((0, lambda r: r[0]), (1, lambda r: (r[0], r[1]))):
        letter_col = (width - col) if shuffle else col + 1
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or key(rows[i]) != key(rows[start]):
                if i - start > 1:
                    for j in range(start + 1, i):
                        ws.cell(first_row + j, letter_col).value = None
                    ws.merge_cells(start_row=first_row + start, start_column=letter_col,
                                   end_row=first_row + i - 1, end_column=letter_col)
                start = i
