"""What reading, scoring and checking one project gave (:class:`Evaluation`), before it becomes a file's result.

Made by :mod:`perfeval.pipeline` for a standard workbook and by :mod:`perfeval.official` for each official table;
a room of its own so that neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Project, ScoreCard
from .problems import Problem, count_by_severity, has_errors
from .results import SOURCE_STANDARD, STATUS_HAS_ERRORS, STATUS_OK, STATUS_SKIPPED, STATUS_UNREADABLE


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
    part: str = ""  # the sheet or Word table (表N) of a file holding several projects
    source_kind: str = SOURCE_STANDARD
    approved_key: tuple[str, ...] | None = None  # the identity of the approved project it answers (targets.md)
    official: Any = None  # an official source's table and the unit's own figures (official.figures.OfficialTable)

    @property
    def status(self) -> str:
        if self.blank:
            return STATUS_SKIPPED
        if self.project is None:
            return STATUS_UNREADABLE
        return STATUS_HAS_ERRORS if has_errors(self.problems) else STATUS_OK

    @property
    def from_word(self) -> bool:
        """A project read from a Word table: its problems are listed, there is no workbook to mark up."""
        return self.official is not None and self.official.grid.kind == "word"

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.problems)
