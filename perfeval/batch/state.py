"""A run's state: the run itself (:class:`Run`) and each of its input files (:class:`Item`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..manifest import Manifest
from ..problems import Problem
from ..results import FileResult, ManifestEntry, part_label
from .discovery import SourceFile
from .folder import STAGING_NAME
from .jobs import Job
from .log import RunLog
from .worker import Part

if TYPE_CHECKING:
    from ..frames import Frames


@dataclass
class Item:
    """One project of an input file during a run (a file that gave no project is one item too)."""

    file: SourceFile
    result: FileResult | None = None
    staged: dict[str, str] = field(default_factory=dict)  # its outputs in its stage folder: kind -> path
    stage: str = ""  # the stage folder its outputs were written into (under the run's staging folder)
    reused: bool = False
    previous: ManifestEntry | None = None  # its entry in the previous manifest, when reused
    status: str = ""
    folder: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    superseded_by: str = ""
    newest_by: str = ""  # what decided between the files of its project: saved_at, modified or path
    findings: list[Problem] = field(default_factory=list)  # the batch's own: file-superseded
    complete: bool = True  # every output was put in place

    def settle(self, result: FileResult, staged: dict[str, str] | None = None) -> None:
        """The file's result is known (evaluated, reused, or not evaluated at all)."""
        self.result, self.status, self.staged = result, result.status, staged or {}

    def take(self, part: Part, stage: str) -> None:
        """What a worker returned for this project, its outputs in ``stage``."""
        self.settle(part.result, part.staged)
        self.stage = stage

    @property
    def label(self) -> str:
        """The project as the log and the messages name it: its file, and its sheet or Word table."""
        return part_label(self.file.shown_path, self.result.part if self.result else "")

    def entry(self) -> ManifestEntry:
        return ManifestEntry(self.file.facts(), self.result, self.status, self.reused, self.folder, self.outputs,
                             self.superseded_by, self.newest_by, tuple(self.findings), self.complete)


@dataclass
class Run:
    """One run of the batch: what it was asked, where its log goes, and its files."""

    inputs: list[Path]
    output: Path
    config: Config
    workers: int
    scheduler: str | None
    ship_inputs: bool
    log: RunLog
    targets: tuple[str, ...] = ()  # the targets lists' paths ([run] targets, --targets)
    previous: Manifest | None = None  # the manifest of the run before, when readable
    items: list[Item] = field(default_factory=list)
    last: Frames | None = None  # 同比: last year's batch, when the run compares with it

    @property
    def staging(self) -> Path:
        return self.output / STAGING_NAME

    def job(self, index: int, stage: str) -> Job:
        """The job that evaluates the file of item ``index`` (all its projects) and writes their outputs into the
        stage folder ``stage``."""
        item = self.items[index]
        kwargs = {"path_str": str(item.file.path), "output_root_str": str(self.staging),
                  "config_dict": self.config.data, "name": item.file.name, "stage": stage, "targets": self.targets}
        return Job(index, kwargs, self.ship_inputs)
