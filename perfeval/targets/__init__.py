"""Approved targets (targets.md): read them, check them, prepare pre-filled locked workbooks, compare on return.

- :mod:`.model` — an approved project and its indicators, every value with its cell;
- :mod:`.workbook` — opening a targets file and its sheets with the reader's helpers;
- :mod:`.listfile` — the 目标清单 workbook (sheets 项目 and 指标);
- :mod:`.form` — national 项目支出绩效目标申报表 workbooks, one project a sheet;
- :mod:`.load` — files and folders of either form, joined into one :class:`~.model.Targets`;
- :mod:`.checks` — problems of the targets themselves, before anything is sent;
- :mod:`.carried` — the very hidden sheet that carries the approved values inside a prepared workbook;
- :mod:`.prepare` — the pre-filled workbooks and 准备清单.xlsx;
- :mod:`.compare` — a returned workbook against its approved targets.
"""

from .load import read_targets
from .model import ApprovedIndicator, ApprovedProject, Targets

__all__ = ["ApprovedIndicator", "ApprovedProject", "Targets", "read_targets"]
