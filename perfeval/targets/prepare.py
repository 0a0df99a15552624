"""``perfeval prepare``: one pre-filled, locked workbook per approved project, and ``准备清单.xlsx`` (targets.md).

The library returns a :class:`PrepareResult`; only the command line prints. A project with an error in its targets
gets no workbook; an existing workbook is skipped (a unit may have started filling it) unless ``force``.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..fileio import unique_name
from ..model import Project
from ..pipeline import project_folder_name
from ..problems import Problem, has_errors
from ..template import Locks, write_workbook
from . import carried
from .listing import LISTING_NAME, write_listing
from .load import read_targets
from .model import INDICATOR_FIELDS, INFO_FROM_TARGETS, ApprovedProject, Targets

LISTING = LISTING_NAME
WRITTEN, EXISTING, NOT_WRITTEN = "已生成", "已存在，未覆盖", "有错误，未生成"
APPROVED_COLUMNS = frozenset(label for label in INDICATOR_FIELDS if label != "分值")


@dataclass
class PreparedItem:
    project: ApprovedProject
    file: str  # the workbook's name in the output folder ("" when none is written)
    status: str


@dataclass
class PrepareResult:
    output: Path
    targets: Targets
    items: list[PreparedItem] = field(default_factory=list)

    @property
    def listing(self) -> Path:
        return self.output / LISTING

    @property
    def problems(self) -> list[Problem]:
        return self.targets.problems

    @property
    def exit_code(self) -> int:
        return 1 if has_errors(self.problems) else 0

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)


def workbook_data(project: ApprovedProject) -> dict:
    """The template's data dict of a prepared workbook: 基本信息, 资金情况 and 绩效指标 from the targets."""
    info = {label: project.info[label] for label in INFO_FROM_TARGETS if project.info.get(label)}
    funding = [{"资金来源": source, "年初预算数": amount} for source, amount in project.budget.items()]
    indicators = [{label: ind.value(label) for label in INDICATOR_FIELDS if ind.value(label) not in (None, "")}
                  for ind in project.indicators]
    return {"info": info, "funding": funding, "indicators": indicators}


def workbook_locks(project: ApprovedProject, password: str = "") -> Locks:
    return Locks(
        info=frozenset(label for label in INFO_FROM_TARGETS if project.info.get(label)),
        funding_rows=len(project.budget),
        indicator_keys=tuple(APPROVED_COLUMNS | ({"分值"} if ind.weight is not None else set())
                             for ind in project.indicators),
        indicator_ids=tuple(ind.id for ind in project.indicators),
        password=password,
        carried_sheet=carried.SHEET,
        carried_rows=carried.carried_rows(project),
    )


def write_prepared(path: Path, project: ApprovedProject, password: str = "") -> Path:
    """One prepared workbook (byte-stable: the same targets give the same bytes)."""
    return write_workbook(path, workbook_data(project), merge_indicator_groups=False,
                          locks=workbook_locks(project, password))


def _write_job(job: tuple[str, ApprovedProject, str]) -> str:
    path, project, password = job
    write_prepared(Path(path), project, password)
    return path


def file_name(project: ApprovedProject, used: set[str]) -> str:
    """评价年度_实施单位_项目名称.xlsx, named and made unique as the batch names project folders."""
    base = project_folder_name(Project(file="", info=dict(project.info)), "未命名项目")
    return unique_name(base, used) + ".xlsx"


def prepare(paths: list[str | Path], output: str | Path, config: Config, *, force: bool = False,
            workers: int = 1) -> PrepareResult:
    """Read the targets, write a workbook per project without errors, and 准备清单.xlsx."""
    output = Path(output)
    targets = read_targets(paths, config.execution_weight)
    result = PrepareResult(output, targets)
    used = {LISTING.removesuffix(".xlsx").casefold()}
    jobs = []
    password = config.targets["password"]
    for project in targets.projects:
        if project.has_errors:
            result.items.append(PreparedItem(project, "", NOT_WRITTEN))
            continue
        name = file_name(project, used)
        target = output / name
        if target.exists() and not force:
            result.items.append(PreparedItem(project, name, EXISTING))
            continue
        result.items.append(PreparedItem(project, name, WRITTEN))
        jobs.append((str(target), project, password))
    output.mkdir(parents=True, exist_ok=True)
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_write_job, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    else:
        for job in jobs:
            _write_job(job)
    write_listing(result.listing, result.items, targets)
    return result
