"""The one adapter from a finished batch (its manifest.json) to the projects a sample is drawn from.

It reads what the manifest holds today (manifest.py: an entry's info, ``data.figures`` at full precision and
``data.indicators``). What today's manifest lacks is filled as follows, and this function is the one place to
change when the manifest carries it:

- the unit's own 自评得分 per indicator, own execution score and own total: None (blank in the worksheet);
- 指标性质: "";
- the execution score: the rule total less the indicators' scores (exact, as the total is their sum); the
  execution weight: that score ÷ min(rate, 1) (None when nothing was spent);
- flags: the signs computable from these figures (``full-marks-low-spending``, ``progress-ahead-of-spending``,
  ``unit-all-full-marks``, ``copied-targets``); ``cost-target-at-least`` needs the parsed targets, not kept.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..config import Config
from ..manifest import FORMAT, MANIFEST_NAME, load_manifest
from ..render import with_unit
from ..results import PROJECT_STATUSES, decimal, exact
from ..signs import ProjectBrief, Sign, batch_signs, money_signs, named_by
from . import ReviewError
from .model import DrawableProject, IndicatorRow

ONE = Decimal(1)


def drawable_projects(output: str | Path, config: Config) -> list[DrawableProject]:
    """The evaluated projects (status ok or has-errors) of the batch written to ``output``."""
    manifest = load_manifest(Path(output))
    if manifest is None:
        raise ReviewError(_unusable(Path(output)))
    entries = [e.to_json() for e in manifest.entries if e.status in PROJECT_STATUSES]
    projects = [_project(e) for e in entries]
    briefs = [ProjectBrief(p.identity, p.name, p.unit, p.total, tuple((r.level3, r.target) for r in p.indicators))
              for p in projects]
    batch = batch_signs(briefs, config)
    return [_with_flags(p, config, batch) for p in projects]


def _unusable(output: Path) -> str:
    path = output / MANIFEST_NAME
    if not path.is_file():
        return f"找不到 {path}：请指定 perfeval run 的输出文件夹（其中有 {MANIFEST_NAME}）"
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        return f"无法读取 {path}：文件已损坏，请重新运行 perfeval run"
    return (f"{path} 的格式（{found}）不是本版本所用的格式（{FORMAT}），缺少抽查复核所需的数据：请用本版本重新运行 "
            "perfeval run，再抽取")


def _project(entry: dict[str, Any]) -> DrawableProject:
    data = entry["data"]
    figures = data["figures"]
    rows = tuple(IndicatorRow(r.get("一级指标", ""), r.get("二级指标", ""), r.get("三级指标", ""), "",
                              with_unit(r.get("年度指标值", ""), r.get("计量单位", "")), r.get("实际完成值", ""),
                              decimal(r.get("分值")), None, decimal(r.get("得分"))) for r in data["indicators"])
    total, rate = decimal(figures.get("得分")), decimal(figures.get("执行率"))
    scores = [r.rule_score for r in rows]
    execution = None if total is None or None in scores else total - sum(scores, Decimal(0))
    weight = None
    if execution is not None and rate is not None and rate > 0:
        weight = decimal(exact((execution / min(rate, ONE)).quantize(Decimal("0.000001"))))
    return DrawableProject(entry.get("folder") or entry["name"], entry.get("评价年度", ""), entry.get("主管部门", ""),
                           entry.get("实施单位", ""), entry.get("项目名称", ""), total, figures.get("等级") or "",
                           rate, weight, execution, indicators=rows)


def _with_flags(project: DrawableProject, config: Config, batch: list[Sign]) -> DrawableProject:
    scored = [(r.rule_score, r.weight) for r in project.indicators if r.rule_score is not None]
    codes = [code for code, _ in money_signs(project.execution_rate, scored, config)]
    return replace(project, flags=tuple(dict.fromkeys(codes + named_by(batch, project.identity))))
