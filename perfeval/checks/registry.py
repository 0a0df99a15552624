"""The rule machinery: the context every rule sees, the ``@rule`` registry and :func:`check_project`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from .. import fmt
from .. import model as m
from ..cells import cell_position
from ..config import Config
from ..parse import cell_text
from ..problems import Problem
from .places import standard_sheet

# Reader problems after which a sheet's contents are unknown (its own checks would only repeat them).
STRUCTURE_CODES = ("sheet-missing", "sheet-near-namesake", "header-missing")
# Reader problems at a cell whose value failed to read: no check runs on the value it was left with.
UNREADABLE_CODES = ("number-unreadable", "formula-no-value")
FUNDING_LABELS = {"initial": "年初预算数", "full_year": "全年预算数", "received": "实际到位数", "spent": "全年执行数"}
# The cells a funding figure is made of: 全年预算数 is 年初预算数 where it is blank.
FUNDING_CELLS = {"initial": ("initial",), "full_year": ("full_year", "initial"), "budget": ("full_year", "initial"),
                 "received": ("received",), "spent": ("spent",)}


@dataclass
class Context:
    """What every rule sees: the project, its scores, the configuration, and what the reader already said."""

    project: m.Project
    card: m.ScoreCard
    config: Config
    known: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.broken = {standard_sheet(p.sheet) or p.sheet for p in self.known if p.code in STRUCTURE_CODES}
        self.known_cells = {(standard_sheet(p.sheet), p.cell) for p in self.known if p.cell}
        self.unread_cells = {(standard_sheet(p.sheet), p.cell) for p in self.known if p.code in UNREADABLE_CODES}
        # Columns not read at all: a money header's unit was not understood.
        self.unread_columns = {(standard_sheet(p.sheet), cell_position(p.cell)[1]) for p in self.known
                               if p.code == "unit-unknown"}

    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", value=None) -> Problem:
        return Problem(code, message, self.project.file, sheet, cell, _value_text(value))

    def at(self, record, key: str, code: str, message: str, value=None) -> Problem:
        """A problem at one field of a model record (its sheet and remembered cell)."""
        return self.problem(code, message, record.SHEET, record.cells.get(key, ""), value)

    def info(self, label: str, code: str, message: str, value=None) -> Problem:
        """A problem at one 基本信息 value."""
        return self.problem(code, message, m.SHEET_INFO, self.project.info_cells.get(label, ""), value)

    def readable(self, sheet: str) -> bool:
        """The sheet was found and its header read, so an empty table really is empty."""
        return sheet not in self.broken

    def reported(self, sheet: str, cell: str) -> bool:
        return (sheet, cell) in self.known_cells

    def unreadable(self, records: Iterable, *keys: str) -> bool:
        """A value some record holds at one of ``keys`` failed to read (its cell, or its whole column): a check
        built on those values would run on what was left (None, 0, a default) and is skipped."""
        for record in records:
            for key in keys:
                cell = record.cells.get(key, "")
                if cell and ((record.SHEET, cell) in self.unread_cells
                             or (record.SHEET, cell_position(cell)[1]) in self.unread_columns):
                    return True
        return False

    def info_unreadable(self, label: str) -> bool:
        return (m.SHEET_INFO, self.project.info_cells.get(label, "")) in self.unread_cells

    def funding_unreadable(self, *figures: str) -> bool:
        """A funding figure (a FUNDING_CELLS key) of some source failed to read, so its sum is unknown."""
        return self.unreadable(self.project.funding, *(k for f in figures for k in FUNDING_CELLS[f]))


def _value_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return fmt.trim(value, 4)
    return cell_text(value)


Rule = Callable[[Context], Iterator[Problem]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    """Register a check; rules run in the order they are defined."""
    RULES.append(func)
    return func


def check_project(project: m.Project, card: m.ScoreCard, config: Config | None = None,
                  known: Iterable[Problem] = (), rules: Iterable[Rule] | None = None) -> list[Problem]:
    """Every problem the rules find in a read and scored project, beyond what the reader reported.

    ``known`` is what the reader already reported (``ReadResult.problems``): checks that would only repeat it
    (an empty table whose sheet is missing, a value missing where the number was unreadable) are then left out.
    The result is in rule order, without duplicates; order it with :func:`sort_problems`. ``rules`` runs only
    those rules (a source without a place for some of them, perfeval.official); by default every rule.
    """
    ctx = Context(project, card, config or Config(), list(known))
    found: dict[tuple, Problem] = {}
    for check in RULES if rules is None else rules:
        for p in check(ctx):
            found.setdefault((p.code, p.sheet, p.cell, p.message), p)
    return list(found.values())
