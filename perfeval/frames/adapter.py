"""A manifest entry as the rows of the frames: what each frame takes from a typed entry.

An entry is a :class:`perfeval.results.ManifestEntry` (what the batch has in hand, and what
:func:`perfeval.manifest.load_manifest` reads); only :mod:`perfeval.results` knows the manifest's keys, this module
reads attributes. Each function returns plain Python values: text as ``str`` ("" when absent), figures as exact
:class:`~decimal.Decimal` (None when unknown). The rows of the packed lists (indicators, spending, volumes) are the
dicts :func:`perfeval.pipeline.file_result` made, by the 自评表's own labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..problems import SEVERITIES
from ..results import ManifestEntry, decimal

KEYS = ("评价年度", "主管部门", "实施单位", "项目名称")
CODE = "项目编码"
MONEY = ("年初预算数", "全年预算数", "全年执行数")  # 万元


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def path(entry: ManifestEntry) -> str:
    """The input file, as the manifest gives it: what every row of the entry carries."""
    return entry.path


def project_row(entry: ManifestEntry) -> dict[str, Any]:
    """The entry's project: its file name, status, keys, figures (full precision), grade and problem counts."""
    info, figures, counts = entry.info, entry.figures, entry.problem_counts
    return {"name": entry.name, "status": entry.status, "评价年度": info.year, "主管部门": info.department,
            "实施单位": info.unit, "项目名称": info.name, CODE: info.code,
            "年初预算数": figures.initial_budget, "全年预算数": figures.budget, "全年执行数": figures.spent,
            "执行率": figures.execution_rate, "得分": figures.score, "等级": figures.grade or "",
            **{f"{severity}数": counts.get(severity, 0) for severity in SEVERITIES}}


def indicator_rows(entry: ManifestEntry) -> Iterator[dict[str, Any]]:
    """The scored indicators; 实际完成值 as the 自评表 shows it."""
    for i in entry.result.indicators:
        yield {"一级指标": _text(i["一级指标"]), "二级指标": _text(i["二级指标"]), "三级指标": _text(i["三级指标"]),
               "年度指标值": _text(i["年度指标值"]), "实际完成值": _text(i["实际完成值"]), "计量单位": _text(i["计量单位"]),
               "分值": decimal(i["分值"]), "得分": decimal(i["得分"]), "完成情况": _text(i["完成情况"]),
               "偏差原因分析及改进措施": _text(i["偏差原因分析及改进措施"])}


def spending_rows(entry: ManifestEntry) -> Iterator[dict[str, Any]]:
    """The spending lines (金额 in 万元)."""
    for s in entry.result.spending:
        yield {"支出内容": _text(s["支出内容"]), "金额": decimal(s["金额"]), "说明": _text(s["说明"])}


def volume_rows(entry: ManifestEntry) -> Iterator[dict[str, Any]]:
    """The business volumes (数量 in 宗, 金额 in 亿元)."""
    for v in entry.result.volumes:
        yield {"业务类别": _text(v["业务类别"]), "数量": decimal(v["数量"]), "金额": decimal(v["金额"]),
               "备注": _text(v["备注"])}


def problem_rows(entry: ManifestEntry) -> Iterator[dict[str, Any]]:
    """Every problem of the file, the batch's own (file-superseded) included."""
    for p in entry.problems:
        yield {"sheet": _text(p.sheet), "cell": _text(p.cell), "code": p.code, "severity": p.severity,
               "message": _text(p.message), "value": None if p.value is None else str(p.value)}


def flag_rows(entry: ManifestEntry) -> Iterator[dict[str, Any]]:
    """The project's own warning signs (review.md); none in a manifest of format 1. The batch-level ones are the
    manifest's own (``meta["flags"]``)."""
    for s in entry.result.flags:
        yield {"code": s.code, "severity": s.severity, "message": _text(s.message)}
