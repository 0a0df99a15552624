"""One workbook from file to outputs: read, check, score, then write the per-project outputs.

The batch's worker (:func:`perfeval.batch.worker.process_file`) and the quick check (``perfeval check``) run
:func:`evaluate_file` (a project per standard workbook, or per official table), then the worker
:func:`file_result` and :func:`write_outputs` for each project, in worker processes or on a cluster.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .config import Config
from .evaluation import Evaluation
from .fileio import safe_name, write_text
from .model import SHEET_INDICATORS, SHEET_INFO, Project
from .packed import Packed
from .results import INFO_KEYS, Figures, FileResult, ProjectInfo, exact


def evaluate(path: str | Path, config: Config, name: str | None = None, targets=None) -> Evaluation:
    """Read, score and check one workbook. Never raises for bad input.

    A workbook carrying approved targets, or matching a project of ``targets`` (a perfeval.targets.Targets), is
    compared against them (targets.md, "On return")."""
    from .checks import check_project, sort_problems
    from .reader import read_workbook
    from .scoring import score_project
    from .targets.compare import returned_to

    path = Path(path)
    result = read_workbook(path, name or path.name)
    if result.project is None or result.blank:
        return Evaluation(path, name or path.name, result.project, None, result.problems, result.blank)
    card = score_project(result.project, config)
    checked = check_project(result.project, card, config, known=result.problems)
    approved, changes = returned_to(path, name or path.name, result.project, targets, result.sheet_names)
    problems = sort_problems(result.problems + checked + changes)
    return Evaluation(path, name or path.name, result.project, card, problems,
                      approved_key=approved.identity if approved is not None else None)


def evaluate_file(path: str | Path, config: Config, name: str | None = None, targets=None) -> list[Evaluation]:
    """Every project of one file: a standard workbook gives one (compared with ``targets`` as :func:`evaluate`
    does); a workbook or Word document of official 自评表 one per table (perfeval.official). The tool's own outputs
    are skipped. Never raises for bad input."""
    from .marker import output_kind
    from .official import evaluate_official, is_word

    path = Path(path)
    if output_kind(path) or is_word(path):
        return evaluate_official(path, config, name)
    ev = evaluate(path, config, name, targets)
    missing = {p.sheet for p in ev.problems if p.code == "sheet-missing"}
    if ev.project is None or not {SHEET_INFO, SHEET_INDICATORS} <= missing:
        return [ev]
    return evaluate_official(path, config, name) or [ev]


def project_folder_name(project: Project, fallback: str) -> str:
    """评价年度_实施单位_项目名称, safe on every file system."""
    parts = [project.info.get("评价年度", "").strip(), project.unit.strip(), project.name.strip()]
    text = "_".join(p for p in parts if p)
    return safe_name(text or fallback)


def file_result(ev: Evaluation) -> FileResult:
    """What the workbook gave, as the batch keeps it: identity, figures at full precision, the rows packed; an
    indicator's 实际完成值 as the 自评表 shows it (0.98 against a percent target: 98%)."""
    from .render import shown_actual

    project, card = ev.project, ev.card
    if project is None or ev.blank:
        return FileResult(ev.name, ev.status, tuple(ev.problems))
    info = ProjectInfo(*(project.info.get(key, "").strip() for key in INFO_KEYS))
    figures, indicators = Figures(), []
    if card is not None:
        figures = Figures(project.initial_budget, project.budget, project.spent, card.execution_rate, card.total,
                          card.grade, card.execution_weight, card.execution_score, *_own_figures(ev))
        indicators = [
            {"一级指标": s.indicator.level1, "二级指标": s.indicator.level2, "三级指标": s.indicator.name,
             "年度指标值": s.indicator.target,
             "实际完成值": shown_actual(s.indicator.actual, s.actual, s.indicator.unit), "计量单位": s.indicator.unit,
             "分值": exact(s.indicator.weight), "得分": exact(s.score), "完成情况": s.status,
             "偏差原因分析及改进措施": s.indicator.deviation, "指标性质": s.indicator.nature,
             "自评得分": exact(s.indicator.self_score)}
            for s in card.indicators]
    spending = [{"支出内容": line.item, "金额": exact(line.amount), "说明": line.note} for line in project.spending]
    volumes = [{"业务类别": v.category, "数量": exact(v.count), "金额": exact(v.amount), "备注": v.note}
               for v in project.volumes]
    return FileResult(ev.name, ev.status, tuple(ev.problems), info=info,
                      folder_base=project_folder_name(project, Path(ev.name).stem),
                      saved_at=project.saved_at.isoformat(timespec="seconds") if project.saved_at else "",
                      figures=figures, indicators=Packed(indicators), spending=Packed(spending),
                      volumes=Packed(volumes), source_kind=ev.source_kind, part=ev.part,
                      approved_key=ev.approved_key)


def _own_figures(ev: Evaluation) -> tuple[Decimal | None, Decimal | None]:
    """The unit's own execution 得分 and 总分, where an official table states them (review.md); else None."""
    unit = ev.official.unit if ev.official is not None else None
    figures = (unit.execution_score, unit.total) if unit is not None else (None, None)
    return tuple(f.value if f is not None and isinstance(f.value, Decimal) else None for f in figures)


def write_outputs(ev: Evaluation, folder: Path, config: Config, root: Path | None = None) -> dict[str, str]:
    """The per-project outputs in ``folder``: 自评表 workbook, report (.docx, .md), marked-up copy.

    Returns kind -> path (relative to ``root`` when given). Each file is written atomically.
    """
    from .annotate import write_annotated
    from .render.report import render_docx, render_markdown, report_context
    from .render.table import write_table

    folder.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path] = {}
    if ev.project is not None and ev.card is not None:
        title = safe_name(ev.project.name or ev.source.stem, max_len=60)
        outputs["table"] = write_table(folder / f"{title}_绩效自评表.xlsx", ev.project, ev.card, ev.problems, config,
                                       ev.source)
    if ev.project is not None and ev.card is not None and ev.official is not None:
        outputs.update(_audit_outputs(ev, folder, config, title))
    elif ev.project is not None and ev.card is not None:
        outline = config.report["outline"]
        context = report_context(ev.project, ev.card, config, ev.problems, ev.source)
        template = config.report["docx_template"] or None
        outputs["report_docx"] = render_docx(context, folder / f"{title}_绩效自评报告.docx", outline, template)
        if config.report["markdown"]:
            md_path = folder / f"{title}_绩效自评报告.md"
            write_text(md_path, render_markdown(context, outline))
            outputs["report_md"] = md_path
    if ev.problems and ev.source.exists() and not ev.blank and not ev.from_word:
        stem = safe_name(ev.source.stem, max_len=60)
        outputs["annotated"] = write_annotated(ev.source, ev.problems, folder / f"{stem}_标注版{ev.source.suffix}")
    result = {kind: (p.relative_to(root).as_posix() if root else str(p)) for kind, p in outputs.items()}
    ev.outputs = result
    return result


def _audit_outputs(ev: Evaluation, folder: Path, config: Config, title: str) -> dict[str, Path]:
    """The 审核意见 of an official source (official-table.md), instead of the narrative report."""
    from .render.audit import audit_context, render_audit_docx, render_audit_markdown

    context = audit_context(ev.project, ev.card, ev.official, ev.problems, config)
    outputs = {"audit_docx": render_audit_docx(context, folder / f"{title}_审核意见.docx",
                                               config.report["audit_docx_template"] or None)}
    if config.report["markdown"]:
        md_path = folder / f"{title}_审核意见.md"
        write_text(md_path, render_audit_markdown(context))
        outputs["audit_md"] = md_path
    return outputs
