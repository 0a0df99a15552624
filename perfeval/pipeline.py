"""One workbook from file to outputs: read, check, score, then write the per-project outputs.

The batch (:mod:`perfeval.batch`) runs :func:`process` once per workbook, in worker processes or on a cluster;
the quick check (``perfeval check``) runs only :func:`evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .fileio import safe_name, write_text
from .model import Project, ScoreCard
from .problems import Problem, count_by_severity, has_errors

STATUS_OK = "ok"
STATUS_HAS_ERRORS = "has-errors"
STATUS_UNREADABLE = "unreadable"
STATUS_SKIPPED = "skipped"
STATUS_SUPERSEDED = "superseded"

PROJECT_STATUSES = (STATUS_OK, STATUS_HAS_ERRORS)  # files that were read as a project and get outputs

STATUS_LABELS = {STATUS_OK: "通过", STATUS_HAS_ERRORS: "有错误", STATUS_UNREADABLE: "无法读取", STATUS_SKIPPED: "已跳过",
                 STATUS_SUPERSEDED: "已被新版本替代"}


@dataclass
class Evaluation:
    """What one workbook gave: its project (None when unreadable), its score card and its problems."""

    source: Path
    name: str  # the file name as shown to people
    project: Project | None
    card: ScoreCard | None
    problems: list[Problem]
    blank: bool = False
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> path relative to the output folder

    @property
    def status(self) -> str:
        if self.blank:
            return STATUS_SKIPPED
        if self.project is None:
            return STATUS_UNREADABLE
        return STATUS_HAS_ERRORS if has_errors(self.problems) else STATUS_OK

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.problems)


def evaluate(path: str | Path, config: Config, name: str | None = None, targets=None) -> Evaluation:
    """Read, score and check one workbook. Never raises for bad input.

    A workbook carrying approved targets, or matching a project of ``targets`` (a perfeval.targets.Targets), is
    compared against them (targets.md, "On return")."""
    from .checks import check_project, sort_problems
    from .reader import read_workbook
    from .scoring import score_project
    from .targets.compare import approved_problems

    path = Path(path)
    result = read_workbook(path, name or path.name)
    if result.project is None or result.blank:
        return Evaluation(path, name or path.name, result.project, None, result.problems, result.blank)
    card = score_project(result.project, config)
    checked = check_project(result.project, card, config, known=result.problems)
    checked += approved_problems(path, name or path.name, result.project, targets)
    problems = sort_problems(result.problems + checked)
    return Evaluation(path, name or path.name, result.project, card, problems)


def project_folder_name(project: Project, fallback: str) -> str:
    """评价年度_实施单位_项目名称, safe on every file system."""
    parts = [project.info.get("评价年度", "").strip(), project.unit.strip(), project.name.strip()]
    text = "_".join(p for p in parts if p)
    return safe_name(text or fallback)


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
        outputs["table"] = write_table(folder / f"{title}_绩效自评表.xlsx", ev.project, ev.card, ev.problems, config)
        outline = config.report["outline"]
        context = report_context(ev.project, ev.card, config, ev.problems)
        template = config.report["docx_template"] or None
        outputs["report_docx"] = render_docx(context, folder / f"{title}_绩效自评报告.docx", outline, template)
        if config.report["markdown"]:
            md_path = folder / f"{title}_绩效自评报告.md"
            write_text(md_path, render_markdown(context, outline))
            outputs["report_md"] = md_path
    if ev.problems and ev.source.exists() and not ev.blank:
        stem = safe_name(ev.source.stem, max_len=60)
        outputs["annotated"] = write_annotated(ev.source, ev.problems, folder / f"{stem}_标注版{ev.source.suffix}")
    result = {kind: (p.relative_to(root).as_posix() if root else str(p)) for kind, p in outputs.items()}
    ev.outputs = result
    return result
