"""One file's result, typed, as it travels from the worker to the manifest, the summary and the mail.

- :class:`FileResult`: what one input file gave on its own — what a worker returns and what the next run reuses;
- :class:`ManifestEntry`: that file in its batch — its source facts, its result, and the batch's own findings
  (its status after the superseded rule, whether it was reused, its folder and outputs …).

Their ``to_json``/``from_json`` are the only code that knows the keys of a manifest entry (README.md, "Output
layout"). Numbers are JSON strings, never JSON numbers (no float artefacts): the figures shown to people have
exactly two decimals ("32.90"; 执行率 "72.74%"; "" when unknown); the figures under ``data`` are exact decimals at
full precision ("97.2735562310030395…"), or null. The rows (indicators, spending, volumes) stay :class:`Packed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from . import fmt
from .packed import Packed
from .problems import Problem, count_by_severity
from .signs import ProjectBrief, Sign

# ---- statuses and source kinds -------------------------------------------------------------------------------

STATUS_OK = "ok"
STATUS_HAS_ERRORS = "has-errors"
STATUS_UNREADABLE = "unreadable"
STATUS_SKIPPED = "skipped"
STATUS_SUPERSEDED = "superseded"
STATUS_MISSING = "missing"  # a project of the targets list with no workbook back (targets.md); no file at all

PROJECT_STATUSES = (STATUS_OK, STATUS_HAS_ERRORS)  # files that were read as a project and get outputs
FAILED_STATUSES = (STATUS_HAS_ERRORS, STATUS_UNREADABLE)  # files a unit has to do again

STATUS_LABELS = {STATUS_OK: "通过", STATUS_HAS_ERRORS: "有错误", STATUS_UNREADABLE: "无法读取", STATUS_SKIPPED: "已跳过",
                 STATUS_SUPERSEDED: "已被新版本替代", STATUS_MISSING: "未报送"}

# What a project's source was (official-table.md): the standard workbook, or the unit's own 自评表.
SOURCE_STANDARD = "标准填报表"
SOURCE_OFFICIAL = "自评表"

SUPERSEDED_CODE = "file-superseded"  # the batch's own finding about a file, not the file's

UNIT_TOTAL_KEY = "单位自评得分"  # an official source's own 总分, as the unit wrote it
TOTAL_DIFFERENCE_KEY = "得分差异"  # the unit's own 总分 less the rule's 得分

INFO_KEYS = ("评价年度", "项目名称", "主管部门", "实施单位", "联系邮箱", "项目编码")
FIGURE_KEYS = ("年初预算数", "全年预算数", "全年执行数", "执行率", "得分", "等级")
# The execution row as the spot check's worksheet shows it (review.md), under ``data.figures`` only: the rule's
# weight and score, and the unit's own score and total where an official table gave them (manifest format 2).
EXECUTION_KEYS = ("执行率分值", "执行率得分", "单位执行率得分", "单位总分")
ROW_KEYS = ("indicators", "spending", "volumes")
SOURCE_KEYS = ("path", "absolute_path", "sha256", "size", "modified")


# ---- numbers ------------------------------------------------------------------------------------------------

def exact(value: Decimal | None) -> str | None:
    """A Decimal as an exact decimal string, never in exponent form, without trailing zeros ("23.9300" -> "23.93");
    None stays None."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def decimal(text: Any) -> Decimal | None:
    """The inverse of :func:`exact`: an exact string (or None) back to a Decimal."""
    if text is None or text == "":
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def part_label(path: str, part: str) -> str:
    """A project as people are told of it: its file, and the sheet or Word table (表N) when the file names one."""
    return f"{path}（{part}）" if part else path


# ---- the parts of a result ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """What the workbook says about its project (基本信息); "" where it says nothing."""

    year: str = ""  # 评价年度
    name: str = ""  # 项目名称
    department: str = ""  # 主管部门
    unit: str = ""  # 实施单位
    email: str = ""  # 联系邮箱, as written
    code: str = ""  # 项目编码 (template 1.1; "" in older workbooks and manifests)

    @property
    def identity(self) -> tuple[str, str, str] | None:
        """(评价年度, 实施单位, 项目名称), what makes two files the same project; None when one is missing."""
        key = (self.year, self.unit, self.name)
        return key if all(key) else None

    def to_json(self) -> dict[str, str]:
        return dict(zip(INFO_KEYS, (self.year, self.name, self.department, self.unit, self.email, self.code)))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProjectInfo:
        return cls(*(data.get(key) or "" for key in INFO_KEYS))  # 项目编码 "" in a manifest written before it


@dataclass(frozen=True, slots=True)
class Figures:
    """A project's figures at full precision; None (and a grade of None) when it was not scored."""

    initial_budget: Decimal | None = None  # 年初预算数
    budget: Decimal | None = None  # 全年预算数
    spent: Decimal | None = None  # 全年执行数
    execution_rate: Decimal | None = None  # 执行率, a fraction
    score: Decimal | None = None  # 得分
    grade: str | None = None  # 等级
    execution_weight: Decimal | None = None  # 预算执行率's 分值
    execution_score: Decimal | None = None  # 预算执行率's 得分, the rule's
    own_execution_score: Decimal | None = None  # the unit's own, where an official table gave one
    own_total: Decimal | None = None  # the unit's own 总分, where an official table gave one

    def _values(self) -> tuple:
        return self.initial_budget, self.budget, self.spent, self.execution_rate, self.score

    def _execution(self) -> tuple:
        return self.execution_weight, self.execution_score, self.own_execution_score, self.own_total

    def to_json(self) -> dict[str, str | None]:
        return (dict(zip(FIGURE_KEYS, (*map(exact, self._values()), self.grade)))
                | dict(zip(EXECUTION_KEYS, map(exact, self._execution()))))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figures:
        """None for the execution figures of a manifest written before them (format 1)."""
        return cls(*(decimal(data.get(key)) for key in FIGURE_KEYS[:-1]), data.get("等级"),
                   *(decimal(data.get(key)) for key in EXECUTION_KEYS))

    def shown(self) -> dict[str, str]:
        """As shown to people: two decimals, the rate as a percentage, "" when unknown."""
        rate = fmt.rate(self.execution_rate)
        return {"年初预算数": fmt.score(self.initial_budget), "全年预算数": fmt.score(self.budget),
                "全年执行数": fmt.score(self.spent), "执行率": rate, "得分": fmt.score(self.score),
                "等级": self.grade or ""}


def problem_from_json(data: Mapping[str, Any]) -> Problem:
    """The inverse of :meth:`Problem.to_dict` (the severity follows from the code)."""
    return Problem(data["code"], data["message"], data.get("file", ""), data.get("sheet", ""),
                   data.get("cell", ""), data.get("value"))


def sign_from_json(data: Mapping[str, Any]) -> Sign:
    """The inverse of :meth:`Sign.to_dict` (the severity follows from the code)."""
    return Sign(data["code"], data["message"], data.get("file", ""), data.get("sheet", ""), data.get("cell", ""),
                data.get("value"), tuple(data.get("projects") or ()))


# ---- a file's result ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FileResult:
    """What one input file gave on its own, before the batch compared it with the others.

    Built from an evaluated workbook by :func:`perfeval.pipeline.file_result`; an indicator's 实际完成值 in
    ``indicators`` is as the 自评表 shows it (0.98 against a percent target: 98%).
    """

    name: str  # the file as shown to people
    status: str  # of the file alone, before the superseded rule
    problems: tuple[Problem, ...] = ()
    info: ProjectInfo = ProjectInfo()
    folder_base: str = ""  # the project folder's name before it is made unique
    saved_at: str = ""  # when the workbook says it was last saved (ISO 8601), "" when it does not say
    figures: Figures = Figures()
    indicators: Packed = field(default_factory=Packed)
    spending: Packed = field(default_factory=Packed)
    volumes: Packed = field(default_factory=Packed)
    source_kind: str = ""  # SOURCE_STANDARD or SOURCE_OFFICIAL; "" when no project was read
    flags: tuple[Sign, ...] = ()  # the project's warning signs (复核提示, signs.py): for the bureau, never its status
    approved_key: tuple[str, ...] | None = None  # the approved project it answers, as the comparison joined it
    part: str = ""  # the sheet or Word table (表N) of an official source; "" for a standard workbook

    @property
    def unit_total(self) -> Decimal | None:
        """An official source's own 总分, as the unit wrote it (kept in the figures); None for a standard workbook."""
        return self.figures.own_total

    @property
    def total_difference(self) -> Decimal | None:
        """The unit's own 总分 less the rule's 得分 as shown (two decimals), as the 审核意见 puts it; None when either
        is unknown."""
        if self.unit_total is None or self.figures.score is None:
            return None
        return self.unit_total - fmt.round_half_up(self.figures.score, 2)

    @classmethod
    def of_file(cls, name: str, status: str, code: str, message: str) -> FileResult:
        """A file that gave nothing but one problem about itself (skipped, unreadable, lost with its worker)."""
        return cls(name, status, (Problem(code, message, name),))

    def with_problem(self, problem: Problem, status: str) -> FileResult:
        """The same result with one more problem and another status."""
        return replace(self, problems=self.problems + (problem,), status=status)

    def data_json(self) -> dict[str, Any]:
        """The manifest entry's ``data``: what the summary and the next run need, at full precision."""
        return {"status": self.status, "folder_base": self.folder_base, "figures": self.figures.to_json(),
                "approved_key": list(self.approved_key) if self.approved_key else None,
                "indicators": self.indicators, "spending": self.spending, "volumes": self.volumes}


# ---- a file in its batch ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SourceFacts:
    """The input file as the batch found it."""

    path: str  # relative to the working folder when inside it, else absolute (posix)
    absolute_path: str
    sha256: str = ""
    size: int = 0
    modified: str = ""  # the file's time, ISO 8601

    def to_json(self) -> dict[str, Any]:
        return dict(zip(SOURCE_KEYS, (self.path, self.absolute_path, self.sha256, self.size, self.modified)))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceFacts:
        return cls(*(data[key] for key in SOURCE_KEYS))


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One input file of a run: its source facts, its result, and what the batch made of it."""

    source: SourceFacts
    result: FileResult
    status: str  # after the superseded rule
    reused: bool = False  # the result of the previous run, the file being unchanged
    folder: str = ""  # the project's folder in the output folder, "" when it has none
    outputs: Mapping[str, str] = field(default_factory=dict)  # kind -> path relative to the output folder
    superseded_by: str = ""  # the file that counts instead (its path)
    newest_by: str = ""  # what decided between the files of its project: saved_at, modified or path
    findings: tuple[Problem, ...] = ()  # the batch's own findings about the file (file-superseded)
    complete: bool = True  # False when some output could not be put in place: the next run does it again
    origin: str = ""  # the approved project of a targets list it answers (targets file and cell), "" when none

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def name(self) -> str:
        return self.result.name

    @property
    def project_key(self) -> str:
        """What names an evaluated project in the batch signs and the spot check: its folder (unique in the batch,
        the same on every machine)."""
        return self.folder or self.name

    @property
    def part(self) -> str:
        return self.result.part

    @property
    def label(self) -> str:
        """The project as people are told of it: its path, and its part when the file names one."""
        return part_label(self.path, self.part)

    @property
    def info(self) -> ProjectInfo:
        return self.result.info

    @property
    def figures(self) -> Figures:
        return self.result.figures

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def has_result(self) -> bool:
        """Whether the file gave an evaluation result: it passed (ok). A project with errors is scored all the same
        (the bureau's summary shows it), but it has no result to tell: no mail, and no summary attached to one,
        shows its score or grade (the unit is asked to fix it; its department reads the same story)."""
        return self.status == STATUS_OK

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.result.problems + self.findings

    @property
    def problem_counts(self) -> dict[str, int]:
        return count_by_severity(self.problems)

    def to_json(self) -> dict[str, Any]:
        """The entry as manifest.json holds it (its rows still :class:`Packed`)."""
        problems = self.problems
        return {**self.source.to_json(), "saved_at": self.result.saved_at, "name": self.name,
                "part": self.part, "source_kind": self.result.source_kind, "status": self.status,
                "status_label": self.status_label, "reused": self.reused, **self.info.to_json(),
                **self.figures.shown(), UNIT_TOTAL_KEY: fmt.score(self.result.unit_total),
                TOTAL_DIFFERENCE_KEY: fmt.score(self.result.total_difference), "problem_counts": count_by_severity(problems),
                "problems": [p.to_dict() for p in problems], "folder": self.folder, "outputs": dict(self.outputs),
                "superseded_by": self.superseded_by, "newest_by": self.newest_by, "complete": self.complete,
                "flags": [s.to_dict() for s in self.result.flags], "origin": self.origin, "data": self.result.data_json()}

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> ManifestEntry:
        """The inverse of :meth:`to_json`. Raises KeyError, TypeError or ValueError for an entry of another layout."""
        data = entry["data"]
        problems = [problem_from_json(p) for p in entry["problems"]]
        result = FileResult(
            entry["name"], data["status"], tuple(p for p in problems if p.code != SUPERSEDED_CODE),
            info=ProjectInfo.from_json(entry), folder_base=data["folder_base"], saved_at=entry.get("saved_at", ""),
            figures=Figures.from_json(data["figures"]), **{key: Packed.of(data[key]) for key in ROW_KEYS},
            source_kind=entry.get("source_kind", ""),  # "" in a manifest written before the field: not known
            flags=tuple(sign_from_json(s) for s in entry.get("flags") or ()),  # none in a format-1 manifest
            part=entry.get("part", ""),
            approved_key=tuple(data["approved_key"]) if data.get("approved_key") else None)
        findings = tuple(p for p in problems if p.code == SUPERSEDED_CODE)
        return cls(SourceFacts.from_json(entry), result, entry["status"], entry.get("reused", False),
                   entry.get("folder") or "", dict(entry.get("outputs") or {}), entry.get("superseded_by", ""),
                   entry.get("newest_by", ""), findings, entry.get("complete", True), entry.get("origin", ""))


def brief(entry: ManifestEntry) -> ProjectBrief:
    """What the batch signs need of an evaluated project (named by :attr:`ManifestEntry.project_key`): its name,
    unit, rule total and (三级指标, 年度指标值) pairs."""
    return ProjectBrief(entry.project_key, entry.info.name, entry.info.unit, entry.figures.score,
                        tuple((i["三级指标"], i["年度指标值"]) for i in entry.result.indicators))


def count_statuses(entries: Iterable[ManifestEntry]) -> dict[str, int]:
    """Files per status, every status present."""
    counts = {status: 0 for status in STATUS_LABELS}
    for entry in entries:
        counts[entry.status] += 1
    return counts
