"""The result of a spot check (复核结果.xlsx): 项目对比, 部门对比 with a chart, 扣分明细, 问题清单."""

from __future__ import annotations

from pathlib import Path

from .. import fmt
from ..fileio import atomic_path
from ..problems import Problem
from .compare import Comparison
from .layout import Column
from .xlsx import Formats, open_workbook, write_table

RESULT_NAME = "复核结果.xlsx"

PROJECT_COLUMNS = (Column("评价年度", width=8), Column("主管部门", width=14), Column("实施单位", width=16),
                   Column("项目名称", "long", 26), Column("规则总分", "score", 9), Column("单位自评总分", "score", 10),
                   Column("复核总分", "score", 9), Column("差异（复核−规则）", "score", 10), Column("复核前等级", width=8),
                   Column("复核后等级", width=8), Column("差异超过阈值", width=10), Column("说明", "long", 24))
DEPARTMENT_COLUMNS = (Column("主管部门", width=16), Column("复核项目数", "int", 8), Column("规则平均分", "score", 10),
                      Column("复核平均分", "score", 10), Column("平均差异", "score", 10),
                      Column("差异超过阈值项目数", "int", 10))
DEDUCTION_COLUMNS = (Column("主管部门", width=14), Column("实施单位", width=16), Column("项目名称", "long", 24),
                     Column("一级指标", width=12), Column("二级指标", width=14), Column("三级指标", "long", 20),
                     Column("分值", "score", 8), Column("规则得分", "score", 9), Column("复核得分", "score", 9),
                     Column("扣减", "score", 8), Column("扣分原因", "long", 30), Column("复核完成值", "long", 18))
PROBLEM_COLUMNS = (Column("严重程度", width=8), Column("位置", width=14), Column("代码", width=26),
                   Column("说明", "long", 60), Column("填写值", "long", 14))


def _project_rows(comparison: Comparison) -> list[dict]:
    rows = []
    for c in comparison.projects:
        p = c.project
        note = f"有 {c.open_rows} 行未完成或有问题，见问题清单" if not c.compared and c.open_rows else (
            "" if c.compared else "缺少规则得分，无法比较")
        rows.append({"评价年度": p.year, "主管部门": p.department, "实施单位": p.unit, "项目名称": p.name,
                     "规则总分": p.total, "单位自评总分": p.own_total, "复核总分": c.review_total,
                     "差异（复核−规则）": c.difference, "复核前等级": p.grade, "复核后等级": c.grade_after,
                     "差异超过阈值": ("是" if c.beyond else "否") if c.compared else "", "说明": note})
    return rows


def _department_rows(comparison: Comparison) -> list[dict]:
    return [{"主管部门": d.department, "复核项目数": d.projects, "规则平均分": d.mean_rule, "复核平均分": d.mean_review,
             "平均差异": d.mean_difference, "差异超过阈值项目数": d.beyond} for d in comparison.departments]


def _deduction_rows(comparison: Comparison) -> list[dict]:
    return [{"主管部门": d.project.department, "实施单位": d.project.unit, "项目名称": d.project.name,
             "一级指标": d.row.level1, "二级指标": d.row.level2, "三级指标": d.row.level3, "分值": d.row.weight,
             "规则得分": d.row.rule, "复核得分": d.row.review, "扣减": d.amount, "扣分原因": d.row.reason,
             "复核完成值": d.row.note} for d in comparison.deductions]


def _problem_rows(problems: tuple[Problem, ...]) -> list[dict]:
    return [{"严重程度": p.severity, "位置": p.where, "代码": p.code, "说明": p.message, "填写值": p.value or ""}
            for p in problems]


def write_result(path: str | Path, comparison: Comparison, problems: tuple[Problem, ...], seed: str = "") -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = open_workbook(tmp, "项目支出绩效抽查复核结果")
        formats = Formats(wb)
        ws = wb.add_worksheet("项目对比")
        ws.write_string(0, 0, f"抽查复核结果（随机种子 {seed}；差异超过 {fmt.trim(comparison.threshold)} 分的项目标为“是”）",
                        formats.title)
        write_table(ws, formats, PROJECT_COLUMNS, _project_rows(comparison), first_row=1)
        ws = wb.add_worksheet("部门对比")
        n = write_table(ws, formats, DEPARTMENT_COLUMNS, _department_rows(comparison))
        if n:
            _chart(wb, ws, n)
        write_table(wb.add_worksheet("扣分明细"), formats, DEDUCTION_COLUMNS, _deduction_rows(comparison))
        write_table(wb.add_worksheet("问题清单"), formats, PROBLEM_COLUMNS, _problem_rows(problems))
        wb.close()
    return path


def _chart(wb, ws, n: int) -> None:
    """A native column chart: the mean rule total and the mean review total of each 主管部门."""
    chart = wb.add_chart({"type": "column"})
    for col, colour in ((2, "#5B9BD5"), (3, "#ED7D31")):
        chart.add_series({"name": ["部门对比", 0, col], "categories": ["部门对比", 1, 0, n, 0],
                          "values": ["部门对比", 1, col, n, col], "fill": {"color": colour},
                          "data_labels": {"value": True, "num_format": "0.00"}})
    chart.set_title({"name": "各主管部门规则平均分与复核平均分", "name_font": {"name": "宋体", "size": 12}})
    chart.set_y_axis({"min": 0, "max": 100, "num_format": "0", "name": "分"})
    chart.set_x_axis({"num_font": {"name": "宋体"}})
    chart.set_legend({"position": "bottom", "font": {"name": "宋体"}})
    chart.set_size({"width": 640, "height": 360})
    ws.insert_chart(n + 3, 0, chart)
