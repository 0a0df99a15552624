"""Checks: every problem of a read and scored workbook, in one pass, each pointing at the cell to fix.

The reader reports what stops it from reading a value; this package judges the values. Each rule is a small
function that yields :class:`~perfeval.problems.Problem` records and is registered with ``@rule``
(:mod:`.registry`): adding a rule means adding one function to the module of its sheet. Messages are Chinese, say
what is wrong and what to do, and format figures only through :mod:`perfeval.fmt`.

``check_project`` returns the problems beyond the reader's; the caller concatenates the reader's problems and
these, and orders them with :func:`sort_problems` (:mod:`.places`).

Rules run in the order they are registered, which is the order the rule modules are imported below (problems at
the same place keep that order).
"""

from __future__ import annotations

from ..cells import cell_position, sheet_label, span
from .places import SHEET_ORDER, sort_problems, standard_sheet
from .registry import RULES, Context, Rule, check_project, rule

from . import info, funding, negatives, breakdown, indicators, notes  # noqa: E402,F401  isort:skip (rule order)
from .notes import NOTES, explains  # noqa: E402

__all__ = ["check_project", "sort_problems", "standard_sheet", "sheet_label", "cell_position", "span", "rule",
           "Rule", "RULES", "Context", "NOTES", "explains", "SHEET_ORDER"]
