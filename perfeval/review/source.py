"""The one adapter from a finished batch (its manifest.json) to the projects a sample is drawn from.

It reads the manifest's typed entries (:func:`perfeval.manifest.load_manifest`): each project's identity (its
folder, as the batch signs name it), figures at full precision — the execution row's rate, weight and score, the
unit's own execution score and total where an official table gave them — and its indicator rows with the unit's
own 自评得分 and 指标性质; its flags are the codes of its own warning signs and of the batch-level ones naming it,
as the run computed them. A manifest written before these data (format 1) is refused: the batch must run again.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import Config
from ..manifest import FORMAT, MANIFEST_NAME, Manifest, load_manifest
from ..render import with_unit
from ..results import PROJECT_STATUSES, ManifestEntry, decimal
from ..signs import named_by
from . import ReviewError
from .model import DrawableProject, IndicatorRow

REVIEW_FORMAT = 2  # the first manifest format holding what the worksheet needs (review.md, "The worksheet")


def drawable_projects(output: str | Path, config: Config) -> list[DrawableProject]:
    """The evaluated projects (status ok or has-errors) of the batch written to ``output``.

    ``config`` is the one the sample is drawn under; the signs are the batch's own, as its manifest holds them."""
    manifest = load_manifest(Path(output))
    if manifest is None:
        raise ReviewError(_unusable(Path(output)))
    if manifest.format < REVIEW_FORMAT:
        raise ReviewError(f"{Path(output) / MANIFEST_NAME} 的格式（{manifest.format}）早于本版本所用的格式（{FORMAT}），"
                          "缺少抽查复核所需的数据（指标性质、单位自评得分、预算执行率分值和得分、复核提示）：请用本版本"
                          "重新运行 perfeval run，再抽取")
    return [_project(e, manifest) for e in manifest.entries if e.status in PROJECT_STATUSES]


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


def _project(entry: ManifestEntry, manifest: Manifest) -> DrawableProject:
    figures, info = entry.figures, entry.info
    rows = tuple(IndicatorRow(r["一级指标"], r["二级指标"], r["三级指标"], r.get("指标性质", ""),
                              with_unit(r["年度指标值"], r["计量单位"]), r["实际完成值"], decimal(r["分值"]),
                              decimal(r.get("自评得分")), decimal(r["得分"])) for r in entry.result.indicators)
    identity = entry.project_key
    flags = tuple(dict.fromkeys([s.code for s in entry.result.flags] + named_by(manifest.flags, identity)))
    return DrawableProject(identity, info.year, info.department, info.unit, info.name, figures.score,
                           figures.grade or "", figures.execution_rate, figures.execution_weight,
                           figures.execution_score, figures.own_execution_score, figures.own_total, flags, rows)
