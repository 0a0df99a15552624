"""An official table from file to problems: read, re-score by the rules, check, and show every departure.

The rules' figures count (scoring.py); the checks of the standard workbook run where the table has a place for
them (:mod:`.rules`); the unit's own figures are compared with the rules' (:mod:`.departures`). Problems are
made with A1 cells of the table's grid and put in the table's own terms last (``表2 第5行第3列`` in Word).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..cells import cell_position
from ..checks import check_project
from ..config import Config
from ..model import ScoreCard
from ..problems import SEVERITIES, Problem
from ..scoring import score_project
from .departures import departures, within_tolerance, without_weights
from .figures import OfficialTable
from .rules import applicable_rules


def check_table(table: OfficialTable, config: Config) -> tuple[ScoreCard, list[Problem]]:
    """The rule's score card and every problem of one official table, in the table's own terms, in order."""
    card = score_project(table.project, config)
    within_tolerance(card)
    if not table.has_weights:
        without_weights(card)
    checked = check_project(table.project, card, config, known=table.problems, rules=applicable_rules(table))
    checked = [_as_departure(p) for p in checked]
    found = table.problems + checked + list(departures(table, card))
    ordered = sorted(found, key=lambda p: (SEVERITIES.index(p.severity), cell_position(p.cell)))
    return card, [_placed(p, table) for p in ordered]


# A row's 得分 in an official table is the unit's own scoring: outside its band or above its weight, it departs from
# the rule's score (a warning: the rule's score counts), where a standard workbook's 自评得分 there is an error.
SCORING_ERRORS = ("self-score-outside-band", "self-score-over-weight")


def _as_departure(problem: Problem) -> Problem:
    return replace(problem, code="self-score-differs") if problem.code in SCORING_ERRORS else problem


def _placed(problem: Problem, table: OfficialTable) -> Problem:
    """A problem at the table's part, its cell as the table's source says it."""
    if not problem.sheet and not problem.cell:
        return problem  # the whole file
    return replace(problem, sheet=table.part, cell=table.grid.place(problem.cell))


def evaluate_official(path: str | Path, config: Config, name: str | None = None) -> list:
    """One :class:`perfeval.evaluation.Evaluation` per official table in the file; [] when it holds none (a
    standard workbook, or a workbook of another kind, which the standard reader reports)."""
    from ..evaluation import Evaluation
    from ..results import SOURCE_OFFICIAL
    from .sources import read_sources

    path = Path(path)
    file = name or path.name
    sourced = read_sources(path, file)
    if sourced.skipped or sourced.unreadable:
        return [Evaluation(path, file, None, None, sourced.problems, blank=sourced.skipped,
                           source_kind=SOURCE_OFFICIAL)]
    evaluations = []
    for table in sourced.tables:
        card, problems = check_table(table, config)
        evaluations.append(Evaluation(path, file, table.project, card, sourced.problems + problems,
                                      part=table.part, source_kind=SOURCE_OFFICIAL, official=table))
    return evaluations
