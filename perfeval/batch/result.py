"""What a run did (:class:`BatchResult`): an entry per input file, the exit code, and the lines the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..manifest import MANIFEST_NAME
from ..problems import ERROR
from ..results import (FAILED_STATUSES, STATUS_HAS_ERRORS, STATUS_LABELS, STATUS_MISSING, STATUS_UNREADABLE,
                       ManifestEntry, count_statuses)
from ..summary import SUMMARY_NAME
from .folder import LOG_NAME

WORST_SHOWN = 10  # files with errors named in the summary lines


@dataclass
class BatchResult:
    """What a run did: one manifest entry per project (per input file that gave none)."""

    output: Path
    entries: list[ManifestEntry]
    started: str
    finished: str
    notes: list[str] = field(default_factory=list)  # e.g. a stale lock taken over
    summary_written: bool = True

    @property
    def counts(self) -> dict[str, int]:
        return count_statuses(self.entries)

    @property
    def reused(self) -> int:
        return sum(1 for e in self.entries if e.reused)

    @property
    def exit_code(self) -> int:
        """0 when every workbook is clean, 1 when some workbook has errors or could not be read (or the summary
        could not be replaced)."""
        counts = self.counts
        return 1 if counts[STATUS_HAS_ERRORS] or counts[STATUS_UNREADABLE] or not self.summary_written else 0

    @property
    def summary_path(self) -> Path:
        return self.output / SUMMARY_NAME

    @property
    def manifest_path(self) -> Path:
        return self.output / MANIFEST_NAME

    @property
    def log_path(self) -> Path:
        return self.output / LOG_NAME

    def summary_lines(self) -> list[str]:
        """What the command line prints (Chinese)."""
        lines = list(self.notes)
        counts = self.counts
        projects = [e for e in self.entries if e.status != STATUS_MISSING]
        if not projects:
            lines.append("未找到任何文件（只处理 .xlsx、.xlsm、.xls、.ods 填报表和 .docx 自评表）。")
        else:
            parts = "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items() if n and s != STATUS_MISSING)
            files = len({e.path for e in projects})
            # a workbook of official tables gives an entry per sheet, a Word document one per table
            several = f"，{len(projects)} 项" if files != len(projects) else ""
            lines.append(f"共 {files} 个文件{several}：{parts}。")
            if self.reused:
                lines.append(f"其中 {self.reused} {'项' if several else '个文件'}内容和配置均未改变，沿用上次的结果。")
        if counts[STATUS_MISSING]:
            lines.append(f"批复目标中有 {counts[STATUS_MISSING]} 个项目未报送（见汇总表“问题清单”；perfeval email 可发催报邮件）。")
        lines += [f"汇总表：{self.summary_path}", f"清单：{self.manifest_path}", f"日志：{self.log_path}"]
        worst = sorted(((e, e.problem_counts[ERROR]) for e in self.entries if e.status in FAILED_STATUSES),
                       key=lambda pair: (pair[0].status != STATUS_UNREADABLE, -pair[1], pair[0].path))
        if worst:
            lines.append("需要修改的文件：")
            for e, errors in worst[:WORST_SHOWN]:
                first = next((p for p in e.problems if p.severity == ERROR), None)
                where = f"{first.where} " if first and first.where else ""
                text = f"{where}{first.message}" if first else ""
                lines.append(f"  {e.label}：{e.status_label}，错误 {errors} 个 — {text}")
            if len(worst) > WORST_SHOWN:
                lines.append(f"  另有 {len(worst) - WORST_SHOWN} 个文件有错误，见汇总表“问题清单”。")
        return lines
