"""The 审核意见 of a unit's own 自评表 (official-table.md), as Word (.docx, docxtpl) and Markdown (Jinja2).

:func:`audit_context` gives the templates ready-made text: the project's figures, the unit's total, grade,
execution rate and score against the rules', every departure (where, the unit's figure, the rule's, the difference,
why) and a one-paragraph conclusion; every figure formatted through :mod:`perfeval.fmt`. The templates
``perfeval/templates/audit.docx`` and ``audit.md.j2`` are made by ``tools/make_audit_template.py``; a bureau may
use its own Word template (``[report] audit_docx_template``). Word output goes through the report's renderer
(the prepared-template fast path included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from perfeval import fmt
from perfeval.config import Config
from perfeval.model import Project, ScoreCard
from perfeval.problems import ERROR, Problem, count_by_severity, place

from .common import clean
from .report import TEMPLATE_DIR, _map_strings, _markdown_env, _markdown_text, render_docx, sentence

AUDIT_TEMPLATE = TEMPLATE_DIR / "audit.docx"
AUDIT_MARKDOWN = "audit.md.j2"
NOT_WRITTEN = "未填写"


def _departure_rows(table, card: ScoreCard, problems: list[Problem]) -> list[dict]:
    from perfeval.official.departures import find_departures

    messages = {(p.code, p.cell): p.message for p in problems}
    rows = []
    for d in find_departures(table, card):
        where = table.grid.place(d.cell)
        rows.append({"where": place(table.part, where),
                     "what": d.what, "unit": d.unit, "rule": d.rule, "difference": d.difference,
                     "why": clean(messages.get((d.code, where), d.message))})
    for p in problems:
        if p.code == "weights-not-100":  # the weights, not the unit's scoring: the check's message says both
            rows.append({"where": p.where, "what": "分值合计", "unit": f"{p.value} 分" if p.value else "",
                         "rule": "100 分", "difference": "", "why": clean(p.message)})
    for no, row in enumerate(rows, start=1):
        row["no"] = str(no)
    return rows


def _difference(figure, rule, unit: str = "") -> str:
    """The unit's figure less the rule's; 一致 within the tolerance of official-table.md; — when either is missing."""
    from perfeval.official.departures import TOLERANCE

    if figure is None or rule is None:
        return "—"
    difference = figure.value - rule
    return "一致" if abs(difference) <= TOLERANCE else fmt.trim(difference) + unit


def _figure(figure, shown) -> str:
    return shown(figure.value) if figure is not None else NOT_WRITTEN


def audit_context(project: Project, card: ScoreCard, table, problems: Iterable[Problem], config: Config) -> dict:
    """Everything the 审核意见 templates need, as text. ``table`` is the project's
    :class:`perfeval.official.figures.OfficialTable`."""
    from perfeval.scoring import weight_total

    problems = list(problems)
    u = table.unit
    places = config.table_decimals
    departures = _departure_rows(table, card, problems)
    errors = count_by_severity(problems)[ERROR]
    total = fmt.score(card.total, places)
    unit_total = _figure(u.total, lambda v: fmt.score(v, places))
    context = {
        "project_name": clean(project.name), "department": clean(project.department), "unit": clean(project.unit),
        "year": str(project.year) if project.year else "", "source": f"{clean(project.file)}，{table.part}",
        "budget": fmt.money(project.budget) or NOT_WRITTEN, "spent": fmt.money(project.spent) or NOT_WRITTEN,
        "rate": fmt.rate(card.execution_rate) or "无法计算", "indicator_count": str(len(project.indicators)),
        "weight_total": fmt.trim(weight_total(project, card)), "execution_weight": fmt.trim(card.execution_weight),
        "unit_rate": _figure(u.rate, lambda v: fmt.trim(v) + "%"),
        "rate_difference": _difference(u.rate, card.execution_rate * fmt.HUNDRED if card.execution_rate is not None
                                       else None, " 个百分点"),
        "unit_execution_score": _figure(u.execution_score, lambda v: fmt.score(v, places)),
        "execution_score": fmt.score(card.execution_score, places),
        "execution_difference": _difference(u.execution_score, card.execution_score),
        "unit_total": unit_total, "total": total,
        "total_difference": _difference(u.total, card.total),
        "unit_grade": u.grade.value if u.grade is not None else NOT_WRITTEN, "grade": card.grade,
        "grade_difference": "一致" if u.grade is None or u.grade.value == card.grade else "不一致",
        "departures": departures, "error_count": errors,
    }
    context["conclusion"] = _conclusion(context, len(departures), errors)
    return context


def _conclusion(c: dict, departures: int, errors: int) -> str:
    text = (f"经按《项目支出绩效评价管理办法》（财预〔2020〕10号）规定的评分规则复核，该项目综合得分为{c['total']}分，"
            f"评价等级为“{c['grade']}”")
    if c["unit_total"] != NOT_WRITTEN:
        text += f"；单位自评总分为{c['unit_total']}分、等级为“{c['unit_grade']}”"
    if departures:
        text += f"。自评表中有{departures}处与评分规则不一致（见第三部分），评价结果以复核得分为准"
    else:
        text += "。单位自评与评分规则一致"
    if errors:
        text += f"。另有{errors}处错误（见问题清单），请单位修改后重新报送"
    return sentence(text)


def render_audit_markdown(context: dict) -> str:
    """The 审核意见 as Markdown text (the caller writes it)."""
    return _markdown_env().get_template(AUDIT_MARKDOWN).render(_map_strings(context, _markdown_text))


def render_audit_docx(context: dict, path, template_path=None) -> Path:
    """Write the 审核意见 as .docx to ``path`` (atomically), from ``template_path`` or the built-in template."""
    # The report's renderer takes any template file; its outline only names the built-in report templates.
    return render_docx(context, path, "seed", template_path or AUDIT_TEMPLATE)
