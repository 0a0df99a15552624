"""Units' own 项目支出绩效自评表 as input (official-table.md): found by content, read, re-scored, departures shown.

Modules, one concern each: :mod:`.labels` (the table's vocabulary, telling kinds apart), :mod:`.grid` (a table
as cells, and where a cell is), :mod:`.sheets` and :mod:`.word` (grids from workbooks and Word documents),
:mod:`.sources` (a file's tables), :mod:`.blocks` (reading a table), :mod:`.figures` (the unit's own figures),
:mod:`.departures`, :mod:`.rules` (which checks apply), :mod:`.evaluate` (all of it for one file),
:mod:`.sample` (filled tables for examples and tests).
"""

from .evaluate import check_table, evaluate_official
from .sources import is_word, read_sources

__all__ = ["check_table", "evaluate_official", "is_word", "read_sources"]
