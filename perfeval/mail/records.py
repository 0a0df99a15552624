"""The run's files as the mailer reads them: ``OUTPUT/manifest.json`` into :class:`Record` objects.

The only module of the mailer that knows the manifest's keys; the others read a record's attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..results import STATUS_OK
from ..problems import SEVERITIES
from ..results import SOURCE_OFFICIAL, ManifestEntry
from .errors import MailError


@dataclass
class Record:
    """One project of the run (or an input file that gave none), as the manifest describes it."""

    path: str  # the input file as the run named it
    status: str  # ok / has-errors / unreadable / skipped / superseded
    project: str = ""  # 项目名称
    unit: str = ""  # 实施单位
    department: str = ""  # 主管部门
    year: str = ""  # 评价年度
    email: str = ""  # 联系邮箱, as written
    score: str = ""  # total score as displayed; "" unless the workbook passed (ok)
    grade: str = ""  # likewise
    problems: list[dict] = field(default_factory=list)  # {file, sheet, cell, code, severity, message, value}
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> path relative to OUTPUT
    raw: dict = field(default_factory=dict)  # the manifest's own entry, as JSON
    entry: ManifestEntry | None = None  # the manifest's own entry

    @property
    def part(self) -> str:
        """The sheet or Word table of a file holding several projects (official 自评表); "" otherwise."""
        return self.entry.part if self.entry is not None else ""

    @property
    def official(self) -> bool:
        """The project was read from the unit's own 自评表: its report is the 审核意见."""
        return self.entry is not None and self.entry.result.source_kind == SOURCE_OFFICIAL

    @property
    def counts(self) -> dict[str, int]:
        return {s: 0 for s in SEVERITIES} | self.raw.get("problem_counts", {})

    @property
    def names(self) -> tuple[str, ...]:
        """The input file as the bureau's texts name it: the path as shown, the absolute path, the path within
        its input folder ("" when the manifest does not say)."""
        return self.path, self.raw.get("absolute_path") or "", self.raw.get("name") or ""


def read_manifest(output: Path) -> list[Record]:
    """The records of ``OUTPUT/manifest.json``: the one place that knows the batch's manifest format."""
    from ..manifest import MANIFEST_NAME, load_manifest

    path = output / MANIFEST_NAME
    if not path.is_file():
        raise MailError(f"找不到 {path}：请先运行 perfeval run 生成结果，再发送邮件")
    manifest = load_manifest(output)
    if manifest is None:
        raise MailError(f"无法读取 {path}（文件损坏，或由另一版本的 perfeval 生成）：请重新运行 perfeval run")
    # A project with errors has no result: its score and grade (the run computes them) are never mailed, so
    # that the unit's request to fix and its department's list tell the same story.
    return [_record(entry.to_json(), entry) for entry in manifest.entries]


def _record(e: dict, entry: ManifestEntry) -> Record:
    """An entry as the mailer's record (``e``: the entry as JSON)."""
    return Record(path=e["path"], status=e["status"], project=e.get("项目名称", ""), unit=e.get("实施单位", ""),
                  department=e.get("主管部门", ""), year=e.get("评价年度", ""), email=e.get("联系邮箱", ""),
                  score=e.get("得分", "") if e["status"] == STATUS_OK else "",
                  grade=e.get("等级", "") if e["status"] == STATUS_OK else "",
                  problems=list(e.get("problems", [])), outputs=dict(e.get("outputs", {})), raw=e, entry=entry)

