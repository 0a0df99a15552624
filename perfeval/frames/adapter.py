"""A manifest entry as the rows of the frames: the one module that knows an entry's keys.

An entry is the JSON form of a :class:`perfeval.results.ManifestEntry` (``to_json()``: what manifest.json holds),
so that an entry made by hand with keys the typed entry does not have yet (``项目编码``, issue 13) is read as well;
this module is the one place to switch to the typed entry's attributes. Each function returns plain
Python values: text as ``str`` ("" when absent), figures as exact :class:`~decimal.Decimal` (None when unknown).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..results import decimal
from ..problems import SEVERITIES

KEYS = ("评价年度", "主管部门", "实施单位", "项目名称")
CODE = "项目编码"  # an entry's top-level key once the workbook carries it (issue 13); "" until then
MONEY = ("年初预算数", "全年预算数", "全年执行数")  # 万元


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def path(entry: dict[str, Any]) -> str:
    """The input file, as the manifest gives it: what every row of the entry carries."""
    return _text(entry["path"])


def project_row(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's project: its file name, status, keys, figures (full precision), grade and problem counts."""
    figures = entry["data"]["figures"]
    counts = entry["problem_counts"]
    row = {"name": _text(entry["name"]), "status": entry["status"],
           **{key: _text(entry.get(key)) for key in (*KEYS, CODE)}}
    row.update({key: decimal(figures.get(key)) for key in (*MONEY, "执行率", "得分")})
    row["等级"] = _text(figures.get("等级"))
    row.update({f"{severity}数": int(counts.get(severity, 0)) for severity in SEVERITIES})
    return row


def indicator_rows(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The scored indicators; 实际完成值 as the 自评表 shows it."""
    for i in entry["data"]["indicators"]:
        yield {"一级指标": _text(i["一级指标"]), "二级指标": _text(i["二级指标"]), "三级指标": _text(i["三级指标"]),
               "年度指标值": _text(i["年度指标值"]), "实际完成值": _text(i["实际完成值"]), "计量单位": _text(i["计量单位"]),
               "分值": decimal(i["分值"]), "得分": decimal(i["得分"]), "完成情况": _text(i["完成情况"]),
               "偏差原因分析及改进措施": _text(i["偏差原因分析及改进措施"])}


def spending_rows(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The spending lines (金额 in 万元)."""
    for s in entry["data"]["spending"]:
        yield {"支出内容": _text(s["支出内容"]), "金额": decimal(s["金额"]), "说明": _text(s["说明"])}


def volume_rows(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The business volumes (数量 in 宗, 金额 in 亿元)."""
    for v in entry["data"]["volumes"]:
        yield {"业务类别": _text(v["业务类别"]), "数量": decimal(v["数量"]), "金额": decimal(v["金额"]),
               "备注": _text(v["备注"])}


def problem_rows(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every problem of the file, the batch's own (file-superseded) included."""
    for p in entry["problems"]:
        yield {"sheet": _text(p.get("sheet")), "cell": _text(p.get("cell")), "code": _text(p["code"]),
               "severity": p["severity"], "message": _text(p["message"]),
               "value": None if p.get("value") is None else str(p["value"])}


def flag_rows(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The project's own warning signs (review.md); none in a manifest of format 1. The batch-level ones are the
    manifest's own (``meta["flags"]``)."""
    for s in entry.get("flags") or ():
        yield {"code": _text(s["code"]), "severity": s["severity"], "message": _text(s["message"])}

